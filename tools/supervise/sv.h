/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv.h - supervisor mode: the preload's KVM_RUN work for a process the
 * preload cannot reach (a static VMM), done from another process that traces
 * it.  The pieces:
 *   sv-filter.c  the seccomp filter the wrapper installs before exec()ing the
 *                VMM (built into kvmrun-compat): which system calls stop
 *   sv-main.c    the helper kvmrun-compat-supervise: seizes the wrapper,
 *                then runs the ptrace event loop
 *   sv-track.c   the traced threads and the work at each stop, through the
 *                preload's own vCPU record and kvm_run mapping
 *   sv-fds.c     the traced processes' VM and vCPU fds, keyed by (tgid, fd),
 *                each with the helper's own copy of the fd (pidfd_getfd)
 *   sv-remote.c  when pidfd_getfd is unavailable or refused: the VMM's
 *                kvm_run read and written with process_vm_readv/writev
 *   sv-abi.c     --abi: the capabilities VERSION lacked, hidden
 *   sv-regs.c    setting a traced thread's return register (per arch)
 * The engine, the rules, the configuration, the log and the stats are the
 * preload's own objects, linked into the helper (tools/supervise/local.am).
 */
#ifndef KVMRC_SV_H
#define KVMRC_SV_H

#include <stdint.h>
#include <sys/types.h>

/* SECCOMP_RET_TRACE data: which rule of the filter stopped the thread. */
enum sv_event {
	SV_EV_RUN = 1,     /* ioctl(fd, KVM_RUN): before-run here, after-run at the syscall exit */
	SV_EV_CREATE,      /* ioctl KVM_CREATE_VM / KVM_CREATE_VCPU / arm64 KVM_ARM_VCPU_INIT: result at exit */
	SV_EV_CLOSE,       /* close(fd): a tracked fd's copy and mapping go (a dead vCPU is not kept alive) */
	SV_EV_CLOSE_RANGE, /* close_range(first, last, flags): likewise for a range */
	SV_EV_DUP,         /* dup2/dup3(old, new): new is closed first; a tracked old is followed to new */
	SV_EV_FDUP,        /* dup(old), fcntl(old, F_DUPFD/F_DUPFD_CLOEXEC): a tracked old is followed */
	SV_EV_PTRACE,      /* ptrace(): refused (EPERM) with one line */
	SV_EV_TEST_RESULT, /* test mode only: the result of an emulated KVM ioctl */
	SV_EV_MMAP,        /* mmap(MAP_SHARED, fd >= 0): where a vCPU's kvm_run is (process_vm path) */
	SV_EV_CAPS,        /* --abi only: ioctl KVM_CHECK_EXTENSION, its answer at the exit (sv-abi.c) */
	SV_EV_ENABLE_CAP,  /* --abi only: ioctl KVM_ENABLE_CAP of a hidden capability fails (EINVAL) */
};

/* Test mode: sv-test.h. */
#include "sv-test.h"

/* ---- sv-filter.c (in the wrapper) ---- */
/* Loads the filter into the calling thread (after PR_SET_NO_NEW_PRIVS, which
 * libseccomp sets); abi: the helper has --abi set (its ready byte 'A').
 * Returns 0, or -errno with a reason in *why. */
int sv_filter_install(int test, int abi, const char **why);

/* ---- sv-track.c ---- */
struct sv_thread;
/* The thread record of tid (created on first sight; its tgid from /proc). */
struct sv_thread *sv_thread_get(pid_t tid);
void sv_thread_gone(pid_t tid);
pid_t sv_thread_tgid(const struct sv_thread *t);
/* A seccomp stop: returns 1 when the syscall exit is needed (sv_track_exit). */
int sv_track_enter(struct sv_thread *t, unsigned int ev, const uint64_t args[6]);
/* The syscall exit (or, in test mode, the announced result): ret is r, or
 * -errno.  Returns the result the VMM is to see (the FAIL_ENTRY policy may
 * change a KVM_RUN's). */
int64_t sv_track_exit(struct sv_thread *t, int64_t ret);
/* Is an exit pending on this thread? */
int sv_track_pending(const struct sv_thread *t);
/* ---- sv-fds.c ---- */
/* Process tgid exec()ed: the fds it kept (no close-on-exec) stay tracked. */
void sv_fds_exec(pid_t tgid);
/* Process tgid exited: its fds are gone. */
void sv_fds_forget_process(pid_t tgid);
extern int sv_test_mode;

/* ---- sv-remote.c ---- */
#define SV_TEST_DENY_ENV "KVMRC_SUPERVISE_TEST_DENY"
/* A one-page memfd for the engine's vCPU record: the shadow of the VMM's page. */
int sv_remote_shadow(void);
/* The VMM's kvm_run at addr into page (and a snapshot of it); 0 or -errno. */
int sv_remote_read(pid_t tgid, uint64_t addr, uint8_t *page);
/* The bytes of page that differ from the snapshot back to addr; 0 or -errno. */
int sv_remote_write(pid_t tgid, uint64_t addr, const uint8_t *page);
/* One info line: which path kvm_run takes (err: pidfd_getfd's errno, or 0). */
void sv_remote_say_path(int err);
/* A VM's record when its fd cannot be copied: a copy of the supervisor's
 * own /dev/kvm fd stands for it (capabilities of /dev/kvm); fd or -1. */
int sv_remote_own_vm(uint64_t type);
/* The one line when process_vm_readv is refused too (-e): passed through. */
void sv_remote_refused(int fd, pid_t tgid, int e);
/* The test knob: pidfd_getfd (and process_vm_*) made to fail in the supervisor. */
void sv_remote_test_deny(void);

/* ---- sv-abi.c ---- */
/* Is --abi set (the filter then stops KVM_CHECK_EXTENSION and KVM_ENABLE_CAP)? */
int sv_abi_on(void);
/* KVM_ENABLE_CAP(argp) of thread tid: is its capability hidden? */
int sv_abi_enable_refused(pid_t tid, uint64_t argp);
/* KVM_CHECK_EXTENSION(cap) returned ret: what the VMM sees. */
int64_t sv_abi_check_extension(uint64_t cap, int64_t ret);

/* ---- sv-regs.c ---- */
/* At a syscall-exit stop: the call returns val instead. */
int sv_regs_set_return(pid_t tid, long val);
/* At a seccomp stop: the call is skipped and returns val. */
int sv_regs_skip(pid_t tid, long val);

#endif

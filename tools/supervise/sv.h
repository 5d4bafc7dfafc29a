/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv.h - supervisor mode: the preload's KVM_RUN work for a process the
 * preload cannot reach (a static VMM), done from another process that traces
 * it.  The pieces:
 *   sv-filter.c  the seccomp filter the wrapper installs before exec()ing the
 *                VMM (built into kvmrun-compat): which system calls stop
 *   sv-main.c    the helper kvmrun-compat-supervise: seizes the wrapper,
 *                then runs the ptrace event loop
 *   sv-track.c   the traced processes' VM and vCPU fds, keyed by (tgid, fd),
 *                each with the helper's own copy of the fd (pidfd_getfd) and
 *                through it the preload's own vCPU record and kvm_run mapping
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
	SV_EV_DUP,         /* dup2/dup3(old, new): new is closed first */
	SV_EV_PTRACE,      /* ptrace(): refused (EPERM) with one line */
	SV_EV_TEST_RESULT, /* test mode only: the result of an emulated KVM ioctl */
};

/* Test mode: sv-test.h. */
#include "sv-test.h"

/* ---- sv-filter.c (in the wrapper) ---- */
/* Loads the filter into the calling thread (after PR_SET_NO_NEW_PRIVS, which
 * libseccomp sets).  Returns 0, or -errno with a reason in *why. */
int sv_filter_install(int test, const char **why);

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
/* Process tgid exec()ed or exited: its fds are gone. */
void sv_track_forget_process(pid_t tgid);
extern int sv_test_mode;

/* ---- sv-regs.c ---- */
/* At a syscall-exit stop: the call returns val instead. */
int sv_regs_set_return(pid_t tid, long val);
/* At a seccomp stop: the call is skipped and returns val. */
int sv_regs_skip(pid_t tid, long val);

#endif

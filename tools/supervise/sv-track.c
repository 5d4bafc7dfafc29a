/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-track.c - the traced threads, and the work at each stop (the
 * processes' KVM fds are in sv-fds.c).
 *
 * A VM or vCPU fd of a traced process is known by (tgid, fd) once its
 * creating ioctl returned.  For each the supervisor takes its own copy of
 * the file (pidfd_getfd, Linux 5.6+), checks once that it is what it should
 * be (anon_inode:kvm-vm, anon_inode:kvm-vcpu:N), and hands it to the
 * preload's own bookkeeping (kvmrc_ioctl_kvm_done): the same VM object and
 * capability probe, the same vCPU record, and a MAP_SHARED mapping of the
 * vCPU's kvm_run page 0 (the kernel's vCPU mmap has no mm check), which is
 * the page the traced VMM sees.  At a KVM_RUN's seccomp stop the before-run
 * step runs on that page, at its syscall exit the after-run step
 * (kvmrc_run_before/kvmrc_run_after, shim/kvmioctl.c): the preload's own
 * functions, those its KVM_RUN takes whenever its straight path does not.
 *
 * When pidfd_getfd is unavailable (ENOSYS: before 5.6) or refused (EPERM),
 * the process_vm path (sv-remote.c) takes over, with one info line: a VM's
 * capabilities are asked of the supervisor's own /dev/kvm (as for a vCPU the
 * preload adopts), and a vCPU's kvm_run is read and written in the
 * VMM's memory at the address the VMM mmap()ed it (SV_EV_MMAP), through a
 * shadow page the same engine works on.  A VMM that drops dumpability or
 * privileges (PR_SET_DUMPABLE 0, setuid) refuses both to a supervisor
 * without CAP_SYS_PTRACE: copies taken at creation are kept; a vCPU created
 * after that is passed through, with one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "fdtable.h"
#include "log.h"
#include "kvmioctl.h"
#include "engine.h"
#include "../../shim/config.h"
#include "sv.h"
#include "sv-fds.h"
#include "trace.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int sv_test_mode;

/* One traced thread: its process and the call between its two stops. */
struct sv_thread {
	pid_t tid;    /* 0: free, -1: deleted */
	pid_t tgid;
	unsigned int ev;       /* SV_EV_RUN or SV_EV_CREATE pending; 0: none */
	int fd;
	uint32_t req;
	uint64_t arg;
	struct sv_fd *last;    /* the vCPU this thread ran last (a vCPU thread runs one) */
	struct kvmrc_vcpu *v;  /* held for the KVM_RUN in flight */
	uint8_t *page;
	uint64_t remote;       /* its page in the VMM (process_vm path), or 0 */
};

#define SV_THREADS 65536u /* open addressing; a VMM has far fewer threads */
static struct sv_thread threads[SV_THREADS];

static unsigned int thash(pid_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (SV_THREADS - 1);
}

static pid_t read_tgid(pid_t tid)
{
	char path[40], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return tid;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = 0;
	const char *p = strstr(buf, "\nTgid:");
	return p ? (pid_t)strtol(p + 6, NULL, 10) : tid;
}

struct sv_thread *sv_thread_get(pid_t tid)
{
	unsigned int h = thash(tid), free_at = SV_THREADS;

	for (unsigned int i = 0; i < SV_THREADS; i++, h = (h + 1) & (SV_THREADS - 1)) {
		if (threads[h].tid == tid)
			return &threads[h];
		if (threads[h].tid == -1 && free_at == SV_THREADS)
			free_at = h;
		if (threads[h].tid == 0) {
			if (free_at == SV_THREADS)
				free_at = h;
			break;
		}
	}
	if (free_at == SV_THREADS)
		return NULL;
	struct sv_thread *t = &threads[free_at];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = read_tgid(tid);
	return t;
}

pid_t sv_thread_tgid(const struct sv_thread *t)
{
	return t->tgid;
}

int sv_track_pending(const struct sv_thread *t)
{
	return t->ev != 0;
}

static void end_run(struct sv_thread *t)
{
	if (t->v)
		kvmrc_fdt_release(t->v);
	t->v = NULL;
	t->page = NULL;
	t->remote = 0;
	t->ev = 0;
}

void sv_thread_gone(pid_t tid)
{
	unsigned int h = thash(tid);

	for (unsigned int i = 0; i < SV_THREADS && threads[h].tid; i++, h = (h + 1) & (SV_THREADS - 1))
		if (threads[h].tid == tid) {
			end_run(&threads[h]); /* killed inside KVM_RUN: no exit stop comes */
			threads[h].tid = -1;
			return;
		}
}

static void created(struct sv_thread *t, int r)
{
	struct sv_fd *vm;
	int local;

	/* MODE=off, or ONLY_CMDS/SKIP_CMDS leave COMMAND alone (judged on its
	 * name: tools/cli/supervise.c): nothing is tracked, all passes through */
	if (!kvmrc_cfg.active)
		return;

	switch (t->req) {
	case (uint32_t)KVM_CREATE_VM: {
		int sys = sv_fds_copy(t->tgid, t->fd);
		if (sys < 0) {
			local = sv_remote_own_vm(t->arg);
			if (local >= 0 && kvmrc_slot_vm(kvmrc_fdt_get(local)))
				sv_fds_add(t->tgid, r, local, ROLE_VM);
			else if (local >= 0)
				close(local);
			return;
		}
		local = sv_fds_copy(t->tgid, r);
		if (local >= 0 && sv_fds_named(local, ROLE_VM)) {
			kvmrc_ioctl_kvm_done(sys, KVM_CREATE_VM, (void *)(uintptr_t)t->arg, local);
			if (kvmrc_slot_vm(kvmrc_fdt_get(local)))
				sv_fds_add(t->tgid, r, local, ROLE_VM);
			else
				close(local);
		} else if (local >= 0) {
			close(local);
		}
		close(sys);
		return;
	}
	case (uint32_t)KVM_CREATE_VCPU:
		vm = sv_fds_find(t->tgid, t->fd, ROLE_VM);
		if (!vm)
			return;
		local = sv_fds_copy(t->tgid, r);
		sv_remote_say_path(local < 0 ? -local : 0);
		if (local < 0) {
			/* the process_vm path: the shadow page is the record's kvm_run */
			struct sv_fd *f;
			if ((local = sv_remote_shadow()) < 0)
				return;
			kvmrc_ioctl_kvm_done(vm->local, KVM_CREATE_VCPU, (void *)(uintptr_t)t->arg, local);
			if (kvmrc_slot_vcpu(kvmrc_fdt_get(local)) && (f = sv_fds_add(t->tgid, r, local, ROLE_VCPU)))
				f->how = HOW_REMOTE;
			else
				close(local);
			return;
		}
		if (!sv_fds_named(local, ROLE_VCPU)) {
			close(local);
			return;
		}
		kvmrc_ioctl_kvm_done(vm->local, KVM_CREATE_VCPU, (void *)(uintptr_t)t->arg, local);
		if (kvmrc_slot_vcpu(kvmrc_fdt_get(local)))
			sv_fds_add(t->tgid, r, local, ROLE_VCPU);
		else
			close(local);
		return;
	default: { /* KVM_ARM_VCPU_INIT */
		struct sv_fd *vc = sv_fds_find(t->tgid, t->fd, ROLE_VCPU);
		if (vc)
			kvmrc_ioctl_kvm_done(vc->local, KVMRC_ARM_VCPU_INIT, NULL, 0);
		return;
	}
	}
}

/* Before-run at the seccomp stop of a KVM_RUN: 1 when the exit is needed. */
static int run_enter(struct sv_thread *t, int fd, uint64_t arg)
{
	struct sv_fd *f = t->last;

	if (arg) /* KVM_RUN takes no argument: with one the kernel fails before entry */
		return 0;
	if (!f || f->tgid != t->tgid || f->fd != fd || f->role != ROLE_VCPU) {
		f = sv_fds_find(t->tgid, fd, ROLE_VCPU);
		if (!f)
			return 0; /* not a vCPU created under the supervisor: passed through */
		t->last = f;
	}
	if (f->how == HOW_DEAD || (f->how == HOW_REMOTE && !f->remote))
		return 0; /* refused, or kvm_run not mapped by the VMM: nothing it reads */
	uintptr_t slot = kvmrc_fdt_get(f->local);
	struct kvmrc_vcpu *v = kvmrc_slot_vcpu(slot);
	if (!v || !kvmrc_fdt_hold(v, f->local, slot))
		return 0;
	if (!v->page) {
		kvmrc_fdt_unhold(v);
		return 0;
	}
	t->v = v;
	t->page = v->page;
	if (f->how == HOW_REMOTE) {
		int e = sv_remote_read(t->tgid, f->remote, t->page);
		if (e < 0) {
			sv_remote_refused(f->fd, f->tgid, e);
			f->how = HOW_DEAD;
			end_run(t);
			return 0;
		}
		t->remote = f->remote;
	}
	kvmrc_run_before(v, t->page);
	if (t->remote)
		sv_remote_write(t->tgid, t->remote, t->page);
	return 1;
}

int sv_track_enter(struct sv_thread *t, unsigned int ev, const uint64_t a[6])
{
	struct sv_fd *f;
	int fd = (int)a[0];

	switch (ev) {
	case SV_EV_RUN:
		if (!run_enter(t, fd, a[2]))
			return 0;
		break;
	case SV_EV_CREATE:
	case SV_EV_CAPS: /* the answer at the exit */
		break;
	case SV_EV_ENABLE_CAP:
		if (!sv_abi_enable_refused(t->tid, a[2]))
			return 0;
		sv_regs_skip(t->tid, -EINVAL);
		if (!sv_test_mode)
			return 0;
		break; /* test mode: the emulator's result is replaced too */
	case SV_EV_MMAP: /* mmap(addr, len, prot, flags, fd, offset) of a vCPU on the process_vm path */
		f = sv_fds_find(t->tgid, (int)a[4], ROLE_VCPU);
		if (!f || f->how != HOW_REMOTE || a[5] != 0 || a[1] < kvmrc_run_size(kvmrc_cfg.arch))
			return 0;
		t->ev = ev;
		t->fd = (int)a[4];
		return 1;
	case SV_EV_CLOSE:
		if ((f = sv_fds_find(t->tgid, fd, 0)))
			sv_fds_drop(f);
		return 0;
	case SV_EV_DUP:
		/* dup2/dup3(old, new): new is closed first, unless old == new */
		if ((int)a[1] != fd && (f = sv_fds_find(t->tgid, (int)a[1], 0)))
			sv_fds_drop(f);
		if ((int)a[1] == fd)
			return 0;
		/* a tracked old is followed to new at the exit, as for dup */
		__attribute__((fallthrough));
	case SV_EV_FDUP:
		/* dup(old), fcntl(old, F_DUPFD[_CLOEXEC], min): the exit is
		 * needed only when old is a tracked fd */
		if (!sv_fds_find(t->tgid, fd, 0))
			return 0;
		break;
	case SV_EV_CLOSE_RANGE:
		/* UNSHARE closes in a fresh copy of the table; CLOEXEC closes nothing now */
		if (a[2] & (CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
			return 0;
		sv_fds_drop_range(t->tgid, (unsigned int)a[0], (unsigned int)a[1]);
		return 0;
	default:
		return 0;
	}
	t->ev = ev;
	t->fd = fd;
	t->req = (uint32_t)a[1];
	t->arg = a[2];
	return 1;
}

int64_t sv_track_exit(struct sv_thread *t, int64_t ret)
{
	int r = ret < 0 ? -1 : (int)ret, err = ret < 0 ? (int)-ret : 0;

	if (t->ev == SV_EV_CAPS || t->ev == SV_EV_ENABLE_CAP) {
		unsigned int ev = t->ev;
		t->ev = 0;
		return ev == SV_EV_CAPS ? sv_abi_check_extension(t->arg, ret) : -EINVAL;
	}
	if (t->ev == SV_EV_CREATE) {
		t->ev = 0;
		if (r >= 0)
			created(t, r);
		return ret;
	}
	if (t->ev == SV_EV_MMAP) {
		struct sv_fd *f = sv_fds_find(t->tgid, t->fd, ROLE_VCPU);
		t->ev = 0;
		if (f && f->how == HOW_REMOTE && (ret >= 0 || ret < -4095)) {
			/* can it be read? (a VMM not dumpable refuses it as it refused pidfd_getfd) */
			static uint8_t probe[KVMRC_RUN_SIZE_S390];
			int e = sv_remote_read(t->tgid, (uint64_t)ret, probe);
			if (e < 0) {
				sv_remote_refused(f->fd, f->tgid, e);
				f->how = HOW_DEAD;
			} else {
				f->remote = (uint64_t)ret;
			}
		}
		return ret;
	}
	if (t->ev == SV_EV_DUP || t->ev == SV_EV_FDUP) {
		t->ev = 0;
		if (r >= 0)
			sv_fds_follow_dup(t->tgid, t->fd, r);
		return ret;
	}
	if (t->ev != SV_EV_RUN || !t->v) {
		t->ev = 0;
		return ret;
	}
	/* recording (KVMRUN_COMPAT_RECORD): as the preload's full path does */
	int remote = t->remote && sv_remote_read(t->tgid, t->remote, t->page) == 0;
	if (t->v->trace)
		r = kvmrc_trace_after(t->v, t->page, r, &err, kvmrc_run_after);
	else
		r = kvmrc_run_after(t->v, t->page, r, &err);
	if (remote)
		sv_remote_write(t->tgid, t->remote, t->page);
	end_run(t); /* counts the run, as the preload's run_done */
	return r < 0 ? -(int64_t)err : r;
}

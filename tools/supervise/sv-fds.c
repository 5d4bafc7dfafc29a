/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-fds.c - the traced processes' VM and vCPU fds, keyed by (tgid, fd):
 * each with the supervisor's own copy (pidfd_getfd) or, on the process_vm
 * path, a shadow page (sv-remote.c).  Followed as the preload follows them:
 * closed (close, close_range, dup2/dup3 over it), moved (dup, dup2, dup3,
 * fcntl F_DUPFD/F_DUPFD_CLOEXEC: the copy is duplicated, sharing the vCPU
 * record), kept across exec when not close-on-exec, gone when the process
 * exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "fdtable.h"
#include "sv.h"
#include "sv-fds.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define SV_MAX_FDS (KVMRC_MAX_VCPUS + KVMRC_MAX_VMS)
static struct sv_fd fds[SV_MAX_FDS];
static unsigned int fds_high;

struct sv_proc {
	pid_t tgid; /* 0: free */
	int pidfd;
};
#define SV_MAX_PROCS 1024
static struct sv_proc procs[SV_MAX_PROCS];

/* Is the fd at path (/proc/PID/fd/N) a KVM VM / vCPU fd? */
static int kind_is(const char *path, int role)
{
	char t[64];
	ssize_t n = readlink(path, t, sizeof(t) - 1);
	if (n <= 0)
		return 0;
	t[n] = 0;
	const char *want = role == ROLE_VCPU ? "anon_inode:kvm-vcpu:" : "anon_inode:kvm-vm";
	if (!strncmp(t, want, strlen(want)))
		return 1;
	/* test mode: the emulator's objects are memfds */
	want = role == ROLE_VCPU ? "/memfd:kvmemu-vcpu" : "/memfd:kvmemu-vm";
	return sv_test_mode && !strncmp(t, want, strlen(want));
}

static struct sv_proc *proc_get(pid_t tgid)
{
	struct sv_proc *free_p = NULL;

	for (unsigned int i = 0; i < SV_MAX_PROCS; i++) {
		if (procs[i].tgid == tgid)
			return &procs[i];
		if (!procs[i].tgid && !free_p)
			free_p = &procs[i];
	}
	if (free_p) {
		free_p->tgid = tgid;
		/* without it (before 5.3): the process_vm path, as without pidfd_getfd */
		free_p->pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	}
	return free_p;
}

struct sv_fd *sv_fds_find(pid_t tgid, int fd, int role)
{
	for (unsigned int i = 0; i < fds_high; i++)
		if (fds[i].tgid == tgid && fds[i].fd == fd && (!role || fds[i].role == role))
			return &fds[i];
	return NULL;
}

void sv_fds_drop(struct sv_fd *f)
{
	close(f->local); /* through the preload's close: the record and mapping go with it */
	f->tgid = 0;
}

/* dup*(old) returned new: new is the same file */
void sv_fds_follow_dup(pid_t tgid, int old, int nfd)
{
	struct sv_fd *f = sv_fds_find(tgid, old, 0);
	if (!f || nfd == old)
		return;
	/* through the preload's fcntl: the copy shares the record, as a dup in the VMM does */
	int local = fcntl(f->local, F_DUPFD_CLOEXEC, 0);
	struct sv_fd *n = local >= 0 ? sv_fds_add(tgid, nfd, local, f->role) : NULL;
	if (n) {
		n->how = f->how;
		n->remote = f->remote;
	}
}

void sv_fds_exec(pid_t tgid)
{
	/* At the exec stop the close-on-exec fds are closed and nothing new
	 * is open yet: a tracked number still open is the same file, kept
	 * across exec (QEMU's CPR does that), with its vCPU record and
	 * pending exit.  The old mm is gone: a page on the process_vm path is
	 * found again at the new program's mmap. */
	for (unsigned int i = 0; i < fds_high; i++) {
		if (fds[i].tgid != tgid)
			continue;
		char path[48];
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)tgid, fds[i].fd);
		if (!kind_is(path, fds[i].role))
			sv_fds_drop(&fds[i]);
		else
			fds[i].remote = 0;
	}
}

void sv_fds_forget_process(pid_t tgid)
{
	for (unsigned int i = 0; i < fds_high; i++)
		if (fds[i].tgid == tgid)
			sv_fds_drop(&fds[i]);
	for (unsigned int i = 0; i < SV_MAX_PROCS; i++)
		if (procs[i].tgid == tgid) {
			if (procs[i].pidfd >= 0)
				close(procs[i].pidfd);
			procs[i].tgid = 0;
		}
}

/* The supervisor's copy of fd of process tgid, or -errno. */
int sv_fds_copy(pid_t tgid, int fd)
{
	struct sv_proc *p = proc_get(tgid);

	if (!p)
		return -ENOMEM;
	if (p->pidfd < 0)
		return -ENOSYS;
	int l = (int)syscall(SYS_pidfd_getfd, p->pidfd, fd, 0);
	return l < 0 ? -errno : l;
}

int sv_fds_named(int local, int role)
{
	char path[40];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", local);
	return kind_is(path, role);
}

struct sv_fd *sv_fds_add(pid_t tgid, int fd, int local, int role)
{
	struct sv_fd *old = sv_fds_find(tgid, fd, 0);
	if (old)
		sv_fds_drop(old); /* a number the filter did not see closed (fcntl F_DUPFD over it cannot happen) */
	for (unsigned int i = 0; i < SV_MAX_FDS; i++)
		if (!fds[i].tgid) {
			fds[i] = (struct sv_fd){ .tgid = tgid, .fd = fd, .local = local, .role = role };
			if (i + 1 > fds_high)
				fds_high = i + 1;
			return &fds[i];
		}
	close(local);
	return NULL;
}

void sv_fds_drop_range(pid_t tgid, unsigned int first, unsigned int last)
{
	for (unsigned int i = 0; i < fds_high; i++)
		if (fds[i].tgid == tgid && (unsigned int)fds[i].fd >= first && (unsigned int)fds[i].fd <= last)
			sv_fds_drop(&fds[i]);
}

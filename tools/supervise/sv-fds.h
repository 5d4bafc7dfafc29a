/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-fds.h - the traced processes' KVM fds (sv-fds.c), for sv-track.c.
 */
#ifndef KVMRC_SV_FDS_H
#define KVMRC_SV_FDS_H

#include <stdint.h>
#include <sys/types.h>

enum { ROLE_VM = 1, ROLE_VCPU = 2 };
/* how a vCPU's kvm_run is reached */
enum { HOW_COPY = 0, HOW_REMOTE, HOW_DEAD };

/* One tracked fd of a traced process. */
struct sv_fd {
	pid_t tgid;   /* 0: free */
	int fd;       /* in the traced process */
	int local;    /* the supervisor's copy (HOW_REMOTE: the shadow page's memfd) */
	int role;
	int how;
	uint64_t remote; /* HOW_REMOTE: where the VMM mapped kvm_run; 0: not yet */
};

/* The tracked fd of process tgid (any role when role is 0), or NULL. */
struct sv_fd *sv_fds_find(pid_t tgid, int fd, int role);
/* Tracks fd of tgid with the supervisor's local fd (owned from here on). */
struct sv_fd *sv_fds_add(pid_t tgid, int fd, int local, int role);
/* Forgets f: its local fd is closed (through the preload's close). */
void sv_fds_drop(struct sv_fd *f);
void sv_fds_drop_range(pid_t tgid, unsigned int first, unsigned int last);
/* The supervisor's copy of fd of process tgid (pidfd_getfd), or -errno. */
int sv_fds_copy(pid_t tgid, int fd);
/* Is the supervisor's local fd a KVM fd of the kind role (checked once per fd)? */
int sv_fds_named(int local, int role);
/* dup*(old) of tgid returned nfd: nfd is the same file. */
void sv_fds_follow_dup(pid_t tgid, int old, int nfd);

#endif

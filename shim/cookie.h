/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cookie.h - the KVM_RUN the shim itself issues when --raw-syscalls is on.
 *
 * The backstop's seccomp filter (rawsys.c) traps ioctl(fd, KVM_RUN, ...)
 * unless its fourth argument register carries the process's cookie.  The
 * shim's own KVM_RUNs (for libc's ioctl, syscall() and the SIGSYS handler's
 * re-issue) must carry it, so once armed the KVM_RUN path (kvmioctl.c) makes
 * the call here: one predictable branch on kvmrc_cookie_direct, 0 unless
 * opted in.
 */
#ifndef KVMRC_COOKIE_H
#define KVMRC_COOKIE_H

#include <stdint.h>

extern uint64_t kvmrc_cookie_value;  /* != 0 once the filter is armed */
extern int kvmrc_cookie_direct;      /* KVM_RUN goes to the kernel with the cookie
					(the next ioctl is libc's own) */

/* The SIGSYS handler's address once armed, for kvmrc_cookie_check_handler. */
extern void *kvmrc_cookie_handler;

/* Off the KVM_RUN path (at KVM_CREATE_VCPU): is the kernel's SIGSYS handler
 * still the shim's?  A runtime that installs its own through a raw
 * rt_sigaction (Go's) replaces it unseen; says so in one line. */
void kvmrc_cookie_check_handler(void);

/* ioctl(fd, req, arg) with the cookie as the fourth argument; -1 and errno
 * as libc's ioctl. */
int kvmrc_cookie_run(int fd, unsigned long req, void *arg);

#endif

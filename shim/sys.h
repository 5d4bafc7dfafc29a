/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys.h - the shim's own system calls.
 *
 * The preload object exports syscall() (interpose-syscall.c), so a call to
 * syscall() from inside the shim would come back through that tracking (a
 * map of a vCPU page being created would try to adopt it).  The shim's own
 * calls use these instead: the instruction itself, as glibc's syscall()
 * does, never an interposer.  Async-signal-safe.
 */
#ifndef KVMRC_SYS_H
#define KVMRC_SYS_H

/* The kernel's answer: >= 0, or -errno. */
long kvmrc_sys_raw(long nr, long a, long b, long c, long d, long e, long f);

/* As glibc's syscall(): -1 with errno set on failure.  Reads six arguments. */
long kvmrc_sys(long nr, ...);

#endif

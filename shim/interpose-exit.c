/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * interpose-exit.c - the ends of a process image that run no destructor:
 * _exit, _Exit and the exec family.  Before each, the recording's last
 * records (at most the drain thread's 10 ms) are put in the file
 * (kvmrc_record_sync: the calling thread, which may be a vCPU thread under
 * a seccomp filter of the VMM's, waits for the drain thread without a system
 * call).  Nothing else changes: the next definition gets the same arguments.
 *
 * exit() needs nothing here: the destructor writes (init.c).  A vfork()ed
 * child that execs shares the parent's rings, which the parent's drain
 * thread keeps emptying: the exec wrappers wait in the process that made
 * the rings only.  SIGKILL leaves no such chance (docs/record-format.md).
 * The execl forms build their argv on the stack, as glibc's do, and go to
 * the next execv, execvp or execve.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "export.h"
#include "fdtable.h"
#include "real.h"
#include "record.h"
#include "sys.h"
#include "trace.h"

extern char **environ;

/* Before an exec: only in the process whose rings they are. */
static void before_exec(void)
{
	if (!__atomic_load_n(&kvmrc_trace_on, __ATOMIC_ACQUIRE) || !kvmrc_fdt_ready())
		return; /* not recording: nothing to wait for, no system call */
	int saved = errno;
	if ((int)kvmrc_sys(SYS_getpid) == kvmrc_fdt_pid)
		kvmrc_record_sync();
	errno = saved;
}

/* The next definition, or (inside the resolution) the system call. */
#define NEXT(f) (kvmrc_real_ready() && kvmrc_real.f)

KVMRC_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	before_exec();
	if (!NEXT(execve))
		return (int)kvmrc_sys(SYS_execve, path, argv, envp);
	return kvmrc_real.execve(path, argv, envp);
}

KVMRC_EXPORT int execv(const char *path, char *const argv[])
{
	before_exec();
	if (!NEXT(execv))
		return (int)kvmrc_sys(SYS_execve, path, argv, environ);
	return kvmrc_real.execv(path, argv);
}

KVMRC_EXPORT int execvp(const char *file, char *const argv[])
{
	before_exec();
	if (!NEXT(execvp))
		return (int)kvmrc_sys(SYS_execve, file, argv, environ);
	return kvmrc_real.execvp(file, argv);
}

KVMRC_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	before_exec();
	if (!NEXT(execvpe))
		return (int)kvmrc_sys(SYS_execve, file, argv, envp);
	return kvmrc_real.execvpe(file, argv, envp);
}

KVMRC_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	before_exec();
	if (!NEXT(fexecve))
		return (int)kvmrc_sys(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	return kvmrc_real.fexecve(fd, argv, envp);
}

KVMRC_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	before_exec();
	if (!NEXT(execveat))
		return (int)kvmrc_sys(SYS_execveat, dirfd, path, argv, envp, flags);
	return kvmrc_real.execveat(dirfd, path, argv, envp, flags);
}

/* The arguments of an execl form after arg0, up to the NULL (and, for
 * execle, the environment after it): counted, then copied into argv. */
#define EXECL_ARGV(arg0, last, argv, envp)                                   \
	size_t n_ = 1;                                                       \
	va_list ap_;                                                         \
	va_start(ap_, arg0);                                                 \
	while (va_arg(ap_, char *))                                          \
		n_++;                                                        \
	va_end(ap_);                                                         \
	char *argv[n_ + 1];                                                  \
	argv[0] = (char *)(arg0);                                            \
	va_start(ap_, arg0);                                                 \
	for (size_t i_ = 1; i_ <= n_; i_++)                                  \
		argv[i_] = va_arg(ap_, char *);                              \
	envp = last ? va_arg(ap_, char **) : environ;                        \
	va_end(ap_)

KVMRC_EXPORT int execl(const char *path, const char *arg, ...)
{
	char **envp;
	EXECL_ARGV(arg, 0, argv, envp);
	(void)envp;
	return execv(path, argv);
}

KVMRC_EXPORT int execlp(const char *file, const char *arg, ...)
{
	char **envp;
	EXECL_ARGV(arg, 0, argv, envp);
	(void)envp;
	return execvp(file, argv);
}

KVMRC_EXPORT int execle(const char *path, const char *arg, ...)
{
	char **envp;
	EXECL_ARGV(arg, 1, argv, envp);
	return execve(path, argv, envp);
}

/* _exit and _Exit: the records first; then the next _exit, which does not
 * return (the system call if it should). */
static __attribute__((noreturn)) void exit_now(int status)
{
	kvmrc_record_sync();
	if (NEXT(exit_))
		kvmrc_real.exit_(status);
	for (;;)
		kvmrc_sys(SYS_exit_group, status);
}

KVMRC_EXPORT void _exit(int status)
{
	exit_now(status);
}

KVMRC_EXPORT void _Exit(int status)
{
	exit_now(status);
}

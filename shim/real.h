/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* real.h - the libc functions the wrappers forward to, found with
 * dlsym(RTLD_NEXT) so that another preload below us (a test fake) is honoured. */
#ifndef KVMRC_REAL_H
#define KVMRC_REAL_H

#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

struct kvmrc_real {
	int (*ioctl)(int, IOCTL_REQUEST_TYPE, ...);
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*open_2)(const char *, int);
	int (*open64_2)(const char *, int);
	int (*openat_2)(int, const char *, int);
	int (*openat64_2)(int, const char *, int);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*mmap64)(void *, size_t, int, int, int, off64_t);
	int (*close)(int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*close_range)(unsigned int, unsigned int, int);
	void (*closefrom)(int);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	sighandler_t (*signal)(int, sighandler_t);
	sighandler_t (*bsd_signal)(int, sighandler_t);
	sighandler_t (*sysv_signal)(int, sighandler_t);
	sighandler_t (*sigset)(int, sighandler_t);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	void (*exit_)(int) __attribute__((noreturn));
};

extern struct kvmrc_real kvmrc_real __attribute__((visibility("hidden")));

/* Resolves every pointer once.  Returns 1 when the table is usable, 0 while
 * this thread is inside the resolution (dlsym may call back into a wrapper):
 * the caller then uses the raw system call. */
int kvmrc_real_resolve(void);

/* A KVM ioctl of the library's own, past every interposer above the next. */
int kvmrc_next_ioctl(int fd, unsigned long req, void *arg);

static inline int kvmrc_real_ready(void)
{
	return __atomic_load_n(&kvmrc_real.ioctl, __ATOMIC_ACQUIRE) != NULL || kvmrc_real_resolve();
}

#endif

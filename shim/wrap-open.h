/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wrap-open.h - the eight glibc entry points that open a file, generated
 * once for every preload that must see opens (the shim, and the emulator in
 * tools/emu): open, open64, openat, openat64 and the _FORTIFY_SOURCE
 * variants __open_2, __open64_2, __openat_2, __openat64_2.
 *
 * WRAP_OPEN_ALL(ATTR, BODY) defines them.  Each reads the mode argument when
 * the flags ask for one (O_CREAT, O_TMPFILE) and then expands
 *
 *     BODY(name, dirfd, path, flags, mode, largefile, args)
 *
 * name: the entry point without leading underscores (open, open64, openat,
 * openat64, open_2, open64_2, openat_2, openat64_2); dirfd: AT_FDCWD for the
 * path-only names; largefile: O_LARGEFILE for the 64 names (what the libc
 * adds before it calls openat(2)), else 0; args: the parenthesised argument
 * list to call the next definition with.  BODY must return.
 */
#ifndef KVMRC_WRAP_OPEN_H
#define KVMRC_WRAP_OPEN_H

#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

#undef open64
#undef openat64

#define WRAP_OPEN_MODE(flags)                                                  \
	mode_t mode = 0;                                                       \
	if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {       \
		va_list ap;                                                    \
		va_start(ap, flags);                                           \
		mode = (mode_t)va_arg(ap, unsigned int);                       \
		va_end(ap);                                                    \
	}

#define WRAP_OPEN_PATH(ATTR, BODY, fn, nm, lf)                                 \
	ATTR int fn(const char *path, int flags, ...)                          \
	{                                                                      \
		WRAP_OPEN_MODE(flags)                                          \
		BODY(nm, AT_FDCWD, path, flags, mode, lf, (path, flags, mode)) \
	}
#define WRAP_OPEN_AT(ATTR, BODY, fn, nm, lf)                                   \
	ATTR int fn(int dirfd, const char *path, int flags, ...)               \
	{                                                                      \
		WRAP_OPEN_MODE(flags)                                          \
		BODY(nm, dirfd, path, flags, mode, lf, (dirfd, path, flags, mode)) \
	}
#define WRAP_OPEN_PATH_2(ATTR, BODY, fn, nm, lf)                               \
	ATTR int fn(const char *path, int flags)                               \
	{                                                                      \
		BODY(nm, AT_FDCWD, path, flags, 0, lf, (path, flags))          \
	}
#define WRAP_OPEN_AT_2(ATTR, BODY, fn, nm, lf)                                 \
	ATTR int fn(int dirfd, const char *path, int flags)                    \
	{                                                                      \
		BODY(nm, dirfd, path, flags, 0, lf, (dirfd, path, flags))      \
	}

#define WRAP_OPEN_ALL(ATTR, BODY)                                              \
	WRAP_OPEN_PATH(ATTR, BODY, open, open, 0)                              \
	WRAP_OPEN_PATH(ATTR, BODY, open64, open64, O_LARGEFILE)                \
	WRAP_OPEN_AT(ATTR, BODY, openat, openat, 0)                            \
	WRAP_OPEN_AT(ATTR, BODY, openat64, openat64, O_LARGEFILE)              \
	WRAP_OPEN_PATH_2(ATTR, BODY, __open_2, open_2, 0)                      \
	WRAP_OPEN_PATH_2(ATTR, BODY, __open64_2, open64_2, O_LARGEFILE)        \
	WRAP_OPEN_AT_2(ATTR, BODY, __openat_2, openat_2, 0)                    \
	WRAP_OPEN_AT_2(ATTR, BODY, __openat64_2, openat64_2, O_LARGEFILE)

#endif

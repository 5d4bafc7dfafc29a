/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys.c - a system call with six arguments, made with the instruction itself
 * (see sys.h), with errno.
 */
#include <errno.h>
#include <stdarg.h>
#include "sys.h"

/* Six arguments are read whatever the caller passed (the kernel ignores
 * those its call does not take): past the caller's frame for a short call,
 * which AddressSanitizer would report, so not instrumented. */
__attribute__((no_sanitize("address"))) long kvmrc_sys(long nr, ...)
{
	va_list ap;
	va_start(ap, nr);
	long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
	long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
	va_end(ap);
	long r = kvmrc_sys_raw(nr, a, b, c, d, e, f);
	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-log.c - the KVMEMU_LOG file: one line per event the tests check
 * (readbacks of VMM input, unknown ioctls).  Opened, appended and closed
 * per line with the real libc calls so it never touches the fd table.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "emu.h"

void emu_log(const struct emu_system *sys, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int saved = errno;

	if (!sys || !sys->log[0])
		return;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	int fd = emu_real.open(sys->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, line, (size_t)n);
		(void)w;
		emu_real.close(fd);
	}
out:
	errno = saved;
}

void emu_hex(char *out, size_t outlen, const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 3 <= outlen; i++) {
		out[o++] = hx[p[i] >> 4];
		out[o++] = hx[p[i] & 15];
	}
	out[o < outlen ? o : outlen - 1] = '\0';
}

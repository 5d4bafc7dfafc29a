/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.c - formats into a stack buffer and writes it with one write(2), so a
 * line is never interleaved with another thread's and nothing is allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "log.h"

static enum kvmrc_log_level log_level = KVMRC_LOG_WARN;
static enum kvmrc_log_target log_target = KVMRC_LOG_TO_STDERR;
static int log_fd = 2;

void kvmrc_log_setup(enum kvmrc_log_target target, const char *path, enum kvmrc_log_level level)
{
	log_level = level;
	log_target = target;
	if (target == KVMRC_LOG_TO_FILE) {
		/* raw syscall: our open wrapper need not see our own file */
		int fd = (int)syscall(SYS_openat, AT_FDCWD, path,
				      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			log_target = KVMRC_LOG_TO_STDERR;
			kvmrc_log(KVMRC_LOG_WARN, "cannot open log file %s: %s; logging to stderr",
				  path, strerror(errno));
			return;
		}
		log_fd = fd;
	}
}

int kvmrc_log_enabled(enum kvmrc_log_level level)
{
	return level != KVMRC_LOG_NONE && level <= log_level;
}

void kvmrc_log(enum kvmrc_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "", "error", "warning", "info", "debug" };
	char line[512];
	int saved = errno;
	va_list ap;
	int n;

	if (!kvmrc_log_enabled(level))
		return;
	if (log_target == KVMRC_LOG_TO_SYSLOG) {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		syslog(level <= KVMRC_LOG_ERROR ? LOG_ERR : level == KVMRC_LOG_WARN ? LOG_WARNING :
		       level == KVMRC_LOG_INFO ? LOG_INFO : LOG_DEBUG, "kvmrun-compat: %s", line);
		errno = saved;
		return;
	}
	n = snprintf(line, sizeof(line), "kvmrun-compat[%ld]: %s: ", (long)getpid(), names[level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	ssize_t w = write(log_fd, line, (size_t)n);
	(void)w;
	errno = saved;
}

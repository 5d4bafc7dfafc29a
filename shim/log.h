/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.h - the shim's only output channel.  Silent unless asked, except for
 * one line when it cannot do its job. */
#ifndef KVMRC_LOG_H
#define KVMRC_LOG_H

enum kvmrc_log_level {
	KVMRC_LOG_NONE = 0,
	KVMRC_LOG_ERROR = 1,
	KVMRC_LOG_WARN = 2,
	KVMRC_LOG_INFO = 3,
	KVMRC_LOG_DEBUG = 4,
};

enum kvmrc_log_target {
	KVMRC_LOG_TO_STDERR,
	KVMRC_LOG_TO_FILE,
	KVMRC_LOG_TO_SYSLOG,
};

/* Opens the target.  path is used for KVMRC_LOG_TO_FILE. */
void kvmrc_log_setup(enum kvmrc_log_target target, const char *path, enum kvmrc_log_level level);
int kvmrc_log_enabled(enum kvmrc_log_level level);
void kvmrc_log(enum kvmrc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Logs at most once per call site. */
#define kvmrc_log_once(level, ...)                                                \
	do {                                                                      \
		static int once_;                                                 \
		if (kvmrc_log_enabled(level) && !__atomic_exchange_n(&once_, 1, __ATOMIC_RELAXED)) \
			kvmrc_log(level, __VA_ARGS__);                            \
	} while (0)

#endif

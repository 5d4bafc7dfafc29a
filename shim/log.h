/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h - the shim's only output channel.  Silent unless asked, except for
 * one line when it cannot do its job.
 *
 * Producers format a line into a fixed ring of static slots and never make
 * a system call; lines leave the process from a drain thread (started with
 * kvmrc_log_start_thread once the process has a vCPU) or, before that,
 * synchronously from kvmrc_log.  The drainer adds "kvmrun-compat[pid]:
 * level: " and escapes control bytes as \xNN.
 */
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

#define KVMRC_LOG_SLOTS     64   /* lines the ring holds */
#define KVMRC_LOG_LINE_MAX  480  /* bytes of one message, before the prefix */

/* Chooses the target and level, then drains what was queued before (the
 * configuration's own complaints).  path is used for KVMRC_LOG_TO_FILE: a
 * regular file, opened, appended to and closed again for each batch. */
void kvmrc_log_setup(enum kvmrc_log_target target, const char *path, enum kvmrc_log_level level);
int kvmrc_log_enabled(enum kvmrc_log_level level);

/* Formats and queues a line; drains synchronously unless the drain thread
 * runs.  Not for the KVM_RUN path. */
void kvmrc_log(enum kvmrc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Formats and queues a line, nothing else: no lock, no allocation, no system
 * call.  For the KVM_RUN path; use only %u %d %x %s %llu %llx (with or
 * without width).  A full ring drops the line and counts it. */
void kvmrc_log_hot(enum kvmrc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Starts the drain thread (idempotent; again after fork).  Call from a
 * thread that may make system calls. */
void kvmrc_log_start_thread(void);
/* Does this process have the drain thread (its wake hooks run every period)? */
int kvmrc_log_thread_running(void);

/* Drains the ring now, from the calling thread (destructor, after setup). */
void kvmrc_log_flush(void);

/* fn runs in the drain thread after each wake (about every 200 ms), never in
 * a vCPU thread: periodic work such as rewriting the stats file. */
void kvmrc_log_set_wake_hook(void (*fn)(void));
/* The same for one more hook (up to 4), waking at least every period_ns. */
void kvmrc_log_add_wake_hook(void (*fn)(void), long period_ns);

/* Logs at most once per call site. */
#define kvmrc_log_once(level, ...)                                                \
	do {                                                                      \
		static int once_;                                                 \
		if (kvmrc_log_enabled(level) && !__atomic_exchange_n(&once_, 1, __ATOMIC_RELAXED)) \
			kvmrc_log(level, __VA_ARGS__);                            \
	} while (0)

#define kvmrc_log_hot_once(level, ...)                                            \
	do {                                                                      \
		static int once_;                                                 \
		if (kvmrc_log_enabled(level) && !__atomic_exchange_n(&once_, 1, __ATOMIC_RELAXED)) \
			kvmrc_log_hot(level, __VA_ARGS__);                        \
	} while (0)

#endif

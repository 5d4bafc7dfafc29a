/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.c - a bounded multi-producer ring of formatted lines (static memory,
 * no allocation, no lock, no system call on the producer side) and one
 * consumer at a time that prefixes, escapes and writes them out.
 *
 * The ring is Vyukov's bounded queue: each slot carries a sequence number;
 * a producer claims position p when the slot's sequence equals p (CAS on
 * the enqueue position), writes, then publishes p + 1; the consumer takes
 * the slot when it reads p + 1 and frees it for the next lap with
 * p + SLOTS.  A full ring drops the new line and counts it.  A slot claimed
 * but never published (a producer frozen by a signal handler that never
 * returned) is skipped after a few seconds so one lost line cannot wedge
 * the log.  fork() resets everything in the child: the parent's queued
 * lines are the parent's to print, and a slot half-written by another
 * thread at fork time would otherwise never be published.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "log.h"
#include "sys.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#ifndef SYSFS_MAGIC
#define SYSFS_MAGIC 0x62656572
#endif

#define SLOTS KVMRC_LOG_SLOTS
#define STUCK_NS (5ull * 1000000000ull)  /* a claimed slot unpublished this long is skipped */
#define DRAIN_PERIOD_NS 200000000L

struct log_slot {
	uint64_t seq;   /* stored minus the slot's index, so zeroed memory is a fresh ring */
	uint8_t level;
	char text[KVMRC_LOG_LINE_MAX];
};

static struct log_slot ring[SLOTS];
static uint64_t enq_pos;         /* next position a producer claims */
static uint64_t deq_pos;         /* next position the consumer takes (under consumer_busy) */
static uint32_t dropped;         /* lines lost to a full ring or a skipped slot */
static uint32_t dropped_told;    /* consumer's: how many of those were reported */
static uint32_t consumer_busy;   /* try-lock: one drainer at a time */
static uint32_t thread_state;    /* 0 none, 1 started (this process) */
static uint32_t configured;      /* kvmrc_log_setup ran */
static uint32_t atfork_done;
static int cached_pid;           /* the drainer's getpid(), 0 after fork */
static uint64_t stuck_pos = UINT64_MAX, stuck_since;

static enum kvmrc_log_level log_level = KVMRC_LOG_WARN;
static enum kvmrc_log_target log_target = KVMRC_LOG_TO_STDERR;
static char log_path[256];
static uint32_t lost_to_file;    /* lines the log file could not take */
static int lost_errno;

static uint64_t seq_get(unsigned int i)
{
	return __atomic_load_n(&ring[i].seq, __ATOMIC_ACQUIRE) + i;
}

static void seq_set(unsigned int i, uint64_t v)
{
	__atomic_store_n(&ring[i].seq, v - i, __ATOMIC_RELEASE);
}

static int seq_cas(unsigned int i, uint64_t old, uint64_t v)
{
	uint64_t o = old - i;
	return __atomic_compare_exchange_n(&ring[i].seq, &o, v - i, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* Producer side: no system call, no lock, no allocation. */
static void log_enqueue(enum kvmrc_log_level level, const char *fmt, va_list ap)
{
	uint64_t pos = __atomic_load_n(&enq_pos, __ATOMIC_RELAXED);
	unsigned int i;

	for (;;) {
		i = (unsigned int)(pos % SLOTS);
		int64_t dif = (int64_t)(seq_get(i) - pos);
		if (dif == 0) {
			if (__atomic_compare_exchange_n(&enq_pos, &pos, pos + 1, 1, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED))
				break;
		} else if (dif < 0) {
			__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
			return;
		} else {
			pos = __atomic_load_n(&enq_pos, __ATOMIC_RELAXED);
		}
	}
	struct log_slot *s = &ring[i];
	s->level = (uint8_t)level;
	int n = vsnprintf(s->text, sizeof(s->text), fmt, ap);
	if (n < 0)
		s->text[0] = 0;
	else if ((size_t)n >= sizeof(s->text))
		memcpy(s->text + sizeof(s->text) - 4, "...", 4);
	if (!seq_cas(i, pos, pos + 1)) /* skipped meanwhile by the consumer */
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
}

int kvmrc_log_enabled(enum kvmrc_log_level level)
{
	if (level == KVMRC_LOG_NONE)
		return 0;
	/* before the configuration is known, keep everything: the drainer filters */
	if (!__atomic_load_n(&configured, __ATOMIC_ACQUIRE))
		return level <= KVMRC_LOG_DEBUG;
	return level <= __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

/* ---- consumer side ---------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Control bytes (and DEL) become \xNN: a value cannot forge a log line. */
static size_t escape(char *out, const char *in, size_t room)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < room; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = 0;
	return o;
}

struct batch {
	int fd;           /* -1 until opened (file target), 2 for stderr */
	int failed;
	size_t len;
	char buf[4096];   /* whole lines only: one write stays within PIPE_BUF */
};

static int batch_open(struct batch *b)
{
	if (b->fd >= 0 || b->failed)
		return b->fd;
	if (log_target != KVMRC_LOG_TO_FILE) {
		b->fd = 2;
		return b->fd;
	}
	/* Opened for this batch only: a number the VMM reuses after
	 * closefrom(3) can never receive a log line. */
	int fd = (int)kvmrc_sys(SYS_openat, AT_FDCWD, log_path,
			      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;
	struct statfs sf;
	if (fd >= 0 && (kvmrc_sys(SYS_fstat, fd, &st) != 0 || !S_ISREG(st.st_mode) ||
			kvmrc_sys(SYS_fstatfs, fd, &sf) != 0 ||
			sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)) {
		kvmrc_sys(SYS_close, fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		b->failed = 1;
		lost_errno = errno == ENXIO ? EINVAL : errno; /* a FIFO with no reader, a socket */
	}
	b->fd = fd;
	return fd;
}

static void batch_write(struct batch *b)
{
	const char *p = b->buf;
	size_t len = b->len;

	b->len = 0;
	if (batch_open(b) < 0)
		return;
	while (len) {
		ssize_t n = kvmrc_sys(SYS_write, b->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void batch_close(struct batch *b)
{
	if (b->len)
		batch_write(b);
	if (b->fd > 2)
		kvmrc_sys(SYS_close, b->fd);
}

static const char *open_error(int e)
{
	return e == EINVAL ? "not a regular file" : strerror(e);
}

/* The consumer's buffers, static: the synchronous drain runs on the stack of
 * whichever thread logs.  Used only under consumer_busy. */
static struct batch out_batch;
static char out_line[64 + 4 * KVMRC_LOG_LINE_MAX];
static char out_msg[KVMRC_LOG_LINE_MAX];

static void emit(struct batch *b, enum kvmrc_log_level level, const char *msg)
{
	static const char *const names[] = { "", "error", "warning", "info", "debug" };
	char *line = out_line;
	const size_t line_size = sizeof(out_line);

	if (level == KVMRC_LOG_NONE || level > KVMRC_LOG_DEBUG ||
	    level > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
		return;
	if (log_target == KVMRC_LOG_TO_SYSLOG) {
		/* the VMM's pid in the text: openlog(LOG_PID) would change the
		 * VMM's own syslog ident and options */
		if (!cached_pid)
			cached_pid = (int)kvmrc_sys(SYS_getpid);
		escape(line, msg, line_size);
		syslog(level <= KVMRC_LOG_ERROR ? LOG_ERR : level == KVMRC_LOG_WARN ? LOG_WARNING :
		       level == KVMRC_LOG_INFO ? LOG_INFO : LOG_DEBUG, "kvmrun-compat[%d]: %s", cached_pid, line);
		return;
	}
	if (log_target == KVMRC_LOG_TO_FILE && b->failed) {
		lost_to_file++;
		return;
	}
	if (!cached_pid)
		cached_pid = (int)kvmrc_sys(SYS_getpid);
	int n = snprintf(line, line_size, "kvmrun-compat[%d]: %s: ", cached_pid, names[level]);
	size_t len = (size_t)n + escape(line + n, msg, line_size - (size_t)n - 1);
	line[len++] = '\n';
	if (b->len + len > sizeof(b->buf))
		batch_write(b);
	memcpy(b->buf + b->len, line, len);
	b->len += len;
}

/* Takes at most one ring's worth of lines.  Caller holds consumer_busy. */
static void drain_batch(void)
{
	struct batch *b = &out_batch;
	char *msg = out_msg;
	int saved = errno;

	b->fd = -1;
	b->failed = 0;
	b->len = 0;
	for (unsigned int taken = 0; taken < SLOTS; taken++) {
		uint64_t pos = __atomic_load_n(&deq_pos, __ATOMIC_RELAXED);
		unsigned int i = (unsigned int)(pos % SLOTS);
		uint64_t seq = seq_get(i);
		if (seq == pos + 1) {
			enum kvmrc_log_level level = (enum kvmrc_log_level)ring[i].level;
			memcpy(msg, ring[i].text, KVMRC_LOG_LINE_MAX);
			msg[KVMRC_LOG_LINE_MAX - 1] = 0;
			seq_set(i, pos + SLOTS);
			__atomic_store_n(&deq_pos, pos + 1, __ATOMIC_RELAXED);
			emit(b, level, msg);
			continue;
		}
		if (seq != pos || __atomic_load_n(&enq_pos, __ATOMIC_ACQUIRE) <= pos)
			break; /* empty */
		/* claimed, not yet published */
		uint64_t t = now_ns();
		if (stuck_pos != pos) {
			stuck_pos = pos;
			stuck_since = t;
			break;
		}
		if (t - stuck_since < STUCK_NS)
			break;
		if (seq_cas(i, pos, pos + SLOTS)) {
			__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&deq_pos, pos + 1, __ATOMIC_RELAXED);
		}
	}
	uint32_t d = __atomic_load_n(&dropped, __ATOMIC_RELAXED);
	if (d != dropped_told) {
		char note[96];
		snprintf(note, sizeof(note), "%u log line(s) dropped: more than %d queued at once",
			 d - dropped_told, SLOTS);
		dropped_told = d;
		emit(b, KVMRC_LOG_WARN, note);
	}
	if (lost_to_file && !b->failed && log_target == KVMRC_LOG_TO_FILE) {
		char note[96];
		snprintf(note, sizeof(note), "%u log line(s) lost: the log file could not be opened (%s)",
			 lost_to_file, open_error(lost_errno));
		lost_to_file = 0;
		emit(b, KVMRC_LOG_WARN, note);
	}
	batch_close(b);
	errno = saved;
}

static int ring_has_ready(void)
{
	uint64_t pos = __atomic_load_n(&deq_pos, __ATOMIC_RELAXED);
	return seq_get((unsigned int)(pos % SLOTS)) == pos + 1;
}

static int consumer_trylock(void)
{
	return !__atomic_exchange_n(&consumer_busy, 1, __ATOMIC_ACQUIRE);
}

static void consumer_unlock(void)
{
	__atomic_store_n(&consumer_busy, 0, __ATOMIC_RELEASE);
}

/* Drains if no one else does; a line published while another thread held
 * the consumer is seen by that thread's re-check after unlocking. */
static void drain_now(int wait)
{
	for (unsigned int tries = 0;;) {
		if (consumer_trylock()) {
			drain_batch();
			consumer_unlock();
			if (!ring_has_ready())
				return;
			continue;
		}
		if (!wait || ++tries > 2000)
			return;
		struct timespec ts = { 0, 1000000 }; /* the holder may be in write(2) */
		nanosleep(&ts, NULL);
	}
}

void kvmrc_log_flush(void)
{
	drain_now(1);
}

#define MAX_HOOKS 4
static void (*wake_hooks[MAX_HOOKS])(void);
static long drain_period_ns = DRAIN_PERIOD_NS;

void kvmrc_log_add_wake_hook(void (*fn)(void), long period_ns)
{
	for (unsigned int i = 0; i < MAX_HOOKS; i++) {
		void (*none)(void) = NULL;
		if (__atomic_load_n(&wake_hooks[i], __ATOMIC_ACQUIRE) == fn ||
		    __atomic_compare_exchange_n(&wake_hooks[i], &none, fn, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
	}
	long p = __atomic_load_n(&drain_period_ns, __ATOMIC_RELAXED);
	while (period_ns > 0 && period_ns < p &&
	       !__atomic_compare_exchange_n(&drain_period_ns, &p, period_ns, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void kvmrc_log_set_wake_hook(void (*fn)(void))
{
	kvmrc_log_add_wake_hook(fn, DRAIN_PERIOD_NS);
}

static void *drain_thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec ts = { 0, __atomic_load_n(&drain_period_ns, __ATOMIC_RELAXED) };
		nanosleep(&ts, NULL);
		if (consumer_trylock()) {
			drain_batch();
			consumer_unlock();
		}
		for (unsigned int i = 0; i < MAX_HOOKS; i++) {
			void (*fn)(void) = __atomic_load_n(&wake_hooks[i], __ATOMIC_ACQUIRE);
			if (fn) /* outside the consumer: fn may log (queued, drained next wake) */
				fn();
		}
	}
	return NULL;
}

static void log_atfork_child(void)
{
	/* The only thread now: the parent's queued lines are the parent's, and a
	 * slot another thread was filling will never be published here. */
	for (unsigned int i = 0; i < SLOTS; i++)
		__atomic_store_n(&ring[i].seq, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&enq_pos, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&deq_pos, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&dropped, 0, __ATOMIC_RELAXED);
	dropped_told = 0;
	stuck_pos = UINT64_MAX;
	__atomic_store_n(&consumer_busy, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&thread_state, 0, __ATOMIC_RELEASE);
	cached_pid = 0;
}

static void log_register_atfork(void)
{
	if (!__atomic_exchange_n(&atfork_done, 1, __ATOMIC_ACQ_REL))
		pthread_atfork(NULL, NULL, log_atfork_child);
}

void kvmrc_log_start_thread(void)
{
	if (__atomic_exchange_n(&thread_state, 1, __ATOMIC_ACQ_REL))
		return;
	log_register_atfork();
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int saved = errno, ok = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* inherited: the drainer takes no signal */
	if (!pthread_attr_init(&attr)) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		ok = !pthread_create(&t, &attr, drain_thread, NULL);
		pthread_attr_destroy(&attr);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ok)
		pthread_setname_np(t, "kvmrc-log");
	else
		__atomic_store_n(&thread_state, 0, __ATOMIC_RELEASE); /* lines drain synchronously */
	errno = saved;
}

int kvmrc_log_thread_running(void)
{
	return __atomic_load_n(&thread_state, __ATOMIC_ACQUIRE) != 0;
}

/* Both entry points: the line goes into the ring, errno untouched; sync
 * (kvmrc_log) also drains it when no drain thread runs. */
static void log_v(enum kvmrc_log_level level, const char *fmt, va_list ap, int sync)
{
	int saved = errno;

	log_enqueue(level, fmt, ap);
	if (sync && __atomic_load_n(&configured, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&thread_state, __ATOMIC_ACQUIRE))
		drain_now(1);
	errno = saved;
}

void kvmrc_log_hot(enum kvmrc_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!kvmrc_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_v(level, fmt, ap, 0);
	va_end(ap);
}

void kvmrc_log(enum kvmrc_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!kvmrc_log_enabled(level))
		return;
	va_start(ap, fmt);
	log_v(level, fmt, ap, 1);
	va_end(ap);
}

void kvmrc_log_setup(enum kvmrc_log_target target, const char *path, enum kvmrc_log_level level)
{
	log_register_atfork();
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
	log_target = target;
	if (target == KVMRC_LOG_TO_FILE) {
		snprintf(log_path, sizeof(log_path), "%s", path);
		struct batch b = { .fd = -1 };
		if (batch_open(&b) < 0) {
			log_target = KVMRC_LOG_TO_STDERR;
			kvmrc_log(KVMRC_LOG_WARN, "cannot use log file %s: %s; logging to stderr", path,
				  open_error(lost_errno));
		}
		batch_close(&b);
	}
	__atomic_store_n(&configured, 1, __ATOMIC_RELEASE);
	kvmrc_log_flush();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * record.c - the drain side of recording (KVMRUN_COMPAT_RECORD): every
 * 10 ms the log drain thread (log.c, never a vCPU thread) empties the vCPU
 * rings (trace.c) into the file in the format of docs/record-format.md.
 * The file is opened for each batch and closed again (O_APPEND), as the log
 * file is, so a descriptor number the VMM reuses never receives a record.
 * It may be a FIFO (kvmrun-compat trace reads one); writes to it block the
 * drain thread only.  A process's part of the file starts with a header; a
 * fork()ed child that records writes its own.  Before _exit and exec
 * (interpose-exit.c) the calling thread waits, without a system call, until
 * the drain thread has written what the rings held (kvmrc_record_sync).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "config.h"
#include "engine.h"
#include "exits.h"
#include "fdtable.h"
#include "kver.h"
#include "log.h"
#include "record.h"
#include "scrub.h"
#include "sys.h"
#include "trace.h"

#define RECORD_PERIOD_NS 10000000L

static uint32_t busy;            /* one writer at a time: drain thread or destructor */
static int header_done;          /* this process's header is in the file */
static uint64_t start_counter, start_ns;
static uint64_t lost;            /* records the file could not take */
static int lost_errno;
static uint8_t out[65536];
static size_t out_len;
static int out_fd = -1;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int out_open(void)
{
	if (out_fd >= 0)
		return out_fd;
	int fd = (int)kvmrc_sys(SYS_openat, AT_FDCWD, kvmrc_cfg.record_path,
			      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;
	if (fd >= 0 && (kvmrc_sys(SYS_fstat, fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)))) {
		kvmrc_sys(SYS_close, fd);
		fd = -1;
		errno = EINVAL;
	}
	if (fd < 0) {
		lost_errno = errno;
		return -1;
	}
	kvmrc_sys(SYS_fcntl, fd, F_SETFL, O_WRONLY | O_APPEND); /* a full FIFO blocks this thread only */
	out_fd = fd;
	return fd;
}

static void out_flush(void)
{
	const uint8_t *p = out;
	size_t len = out_len;

	out_len = 0;
	while (len && out_fd >= 0) {
		ssize_t n = kvmrc_sys(SYS_write, out_fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lost_errno = n < 0 ? errno : EIO;
			lost++;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static uint8_t *out_room(size_t n)
{
	if (out_len + n > sizeof(out))
		out_flush();
	uint8_t *p = out + out_len;
	out_len += n;
	return p;
}

static void put_header(const struct kvmrun_compat_caps *caps)
{
	struct utsname u;
	char release[KVMRC_REC_RELEASE_MAX];
	size_t rl = 0;

	if (uname(&u) == 0) {
		rl = strnlen(u.release, sizeof(release));
		memcpy(release, u.release, rl);
	}
	size_t size = KVMRC_REC_HDR_FIXED + rl + 32;
	uint8_t *h = out_room(size);
	memset(h, 0, size);
	memcpy(h, KVMRC_REC_MAGIC, 8);
	kvmrc_rec_put16(h + 8, KVMRC_REC_VERSION);
	kvmrc_rec_put16(h + 10, (uint16_t)size);
	h[12] = (uint8_t)kvmrc_cfg.arch;
	h[13] = kvmrc_cfg.active ? KVMRC_REC_HDR_ACTIVE : 0;
	kvmrc_rec_put16(h + 14, (uint16_t)(kvmrc_union_off(kvmrc_cfg.arch) + KVMRC_UNION_SIZE));
	kvmrc_rec_put32(h + 16, (uint32_t)kvmrc_sys(SYS_getpid));
	h[20] = kvmrc_scrub_fill;
	h[21] = (uint8_t)rl;
	kvmrc_rec_put64(h + 24, start_counter);
	kvmrc_rec_put64(h + 32, start_ns);
	kvmrc_rec_put32(h + 40, kvmrc_kver);
	memcpy(h + KVMRC_REC_HDR_FIXED, release, rl);
	for (unsigned int i = 0; i < 4; i++)
		kvmrc_rec_put64(h + KVMRC_REC_HDR_FIXED + rl + 8 * i, caps ? caps->bits[i] : 0);
}

/* Bytes [0, n) of p hold every non-zero byte (n a multiple of 8 to start):
 * 64 bytes a step from the end while they are all zero (four vector loads
 * or-ed), then 8, then 1. */
typedef uint64_t rec_v2 __attribute__((vector_size(16)));

static int zero64(const uint8_t *p)
{
	rec_v2 a, b, c, d;
	memcpy(&a, p, 16);
	memcpy(&b, p + 16, 16);
	memcpy(&c, p + 32, 16);
	memcpy(&d, p + 48, 16);
	a |= b | c | d;
	return (a[0] | a[1]) == 0;
}

static size_t trimmed(const uint8_t *p, size_t n)
{
	uint64_t w;
	while (n >= 64 && zero64(p + n - 64))
		n -= 64;
	while (n >= 8 && (memcpy(&w, p + n - 8, 8), w == 0))
		n -= 8;
	while (n && !p[n - 1])
		n--;
	return n;
}

static void put_exit(const struct kvmrc_trace_slot *s, unsigned int image)
{
	uint64_t d[KVMRC_REC_IMAGE_MAX / 8];
	for (unsigned int i = 0; i < image / 8 && !s->same; i++) {
		uint64_t a, b;
		memcpy(&a, s->k + 8 * i, 8);
		memcpy(&b, s->s + 8 * i, 8);
		d[i] = a ^ b;
	}
	size_t kl = trimmed(s->k, image), dl = s->same ? 0 : trimmed((const uint8_t *)d, image);
	size_t size = KVMRC_REC_EXIT_FIXED + kl + dl;
	uint8_t *e = out_room(size);
	e[0] = KVMRC_REC_T_EXIT;
	e[1] = 0;
	kvmrc_rec_put16(e + 2, (uint16_t)size);
	kvmrc_rec_put32(e + 4, s->vcpu);
	kvmrc_rec_put32(e + 8, (uint32_t)s->ret);
	kvmrc_rec_put32(e + 12, (uint32_t)s->err);
	kvmrc_rec_put32(e + 16, (uint32_t)s->sret);
	kvmrc_rec_put32(e + 20, (uint32_t)s->serr);
	kvmrc_rec_put64(e + 24, s->counter);
	kvmrc_rec_put32(e + 32, s->seq);
	kvmrc_rec_put16(e + 36, (uint16_t)kl);
	kvmrc_rec_put16(e + 38, (uint16_t)dl);
	kvmrc_rec_put32(e + 40, s->instance);
	memcpy(e + KVMRC_REC_EXIT_FIXED, s->k, kl);
	memcpy(e + KVMRC_REC_EXIT_FIXED + kl, d, dl);
}

struct batch {
	uint64_t heads[KVMRC_MAX_VCPUS];
	unsigned int n;
	int pending;
	const struct kvmrun_compat_caps *caps;
};
static struct batch batch; /* under busy */

static void look(struct kvmrc_trace_ring *t, void *ctx)
{
	struct batch *b = ctx;
	uint64_t h = __atomic_load_n(&t->head, __ATOMIC_ACQUIRE);
	b->heads[b->n++] = h;
	if (h != t->tail || __atomic_load_n(&t->dropped, __ATOMIC_RELAXED) != t->dropped_told)
		b->pending = 1;
	if (!b->caps)
		b->caps = &t->caps;
}

static void take(struct kvmrc_trace_ring *t, void *ctx)
{
	struct batch *b = ctx;
	uint64_t h = b->heads[b->n++];
	for (uint64_t i = t->tail; i != h; i++) {
		if (out_fd >= 0)
			put_exit(&t->slot[i % KVMRC_TRACE_SLOTS], t->image);
		else
			lost++;
		__atomic_store_n(&t->tail, i + 1, __ATOMIC_RELEASE);
	}
	uint64_t d = __atomic_load_n(&t->dropped, __ATOMIC_RELAXED);
	if (d != t->dropped_told && out_fd >= 0) {
		uint8_t *c = out_room(KVMRC_REC_DROPPED_SIZE);
		memset(c, 0, KVMRC_REC_DROPPED_SIZE);
		c[0] = KVMRC_REC_T_DROPPED;
		kvmrc_rec_put16(c + 2, KVMRC_REC_DROPPED_SIZE);
		kvmrc_rec_put32(c + 4, t->vcpu);
		kvmrc_rec_put64(c + 8, d);
		t->dropped_told = d;
	}
}

/* The writer's turn: at once (the drain thread's wake: the next wake will
 * do), or, with wait, once the holder is done (it may be in write(2) to a
 * FIFO a slow reader empties), for at most a second. */
static int record_lock(int wait)
{
	for (unsigned int tries = 0; __atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE); tries++) {
		if (!wait || tries >= 1000)
			return 0;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	return 1;
}

static void record_drain_wait(int wait)
{
	if (!record_lock(wait))
		return;
	int saved = errno;
	struct batch *b = &batch;
	b->n = 0;
	b->pending = 0;
	b->caps = NULL;
	kvmrc_trace_for_each_ring(look, b);
	if (b->pending) {
		uint64_t c = kvmrc_trace_counter(), ns = mono_ns();
		out_len = 0;
		out_open();
		if (out_fd >= 0) {
			if (!header_done)
				put_header(b->caps);
			header_done = 1;
			uint8_t *t = out_room(KVMRC_REC_CLOCK_SIZE);
			memset(t, 0, KVMRC_REC_CLOCK_SIZE);
			t[0] = KVMRC_REC_T_CLOCK;
			kvmrc_rec_put16(t + 2, KVMRC_REC_CLOCK_SIZE);
			kvmrc_rec_put64(t + 8, c);
			kvmrc_rec_put64(t + 16, ns);
		}
		b->n = 0;
		kvmrc_trace_for_each_ring(take, b);
		out_flush();
		if (out_fd >= 0)
			kvmrc_sys(SYS_close, out_fd);
		out_fd = -1;
		if (lost)
			kvmrc_log_once(KVMRC_LOG_WARN, "cannot write the recording to %s: %s; records are lost",
				       kvmrc_cfg.record_path, strerror(lost_errno));
	}
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	errno = saved;
}

static void record_drain(void)
{
	record_drain_wait(0);
}

static void record_atfork_child(void)
{
	kvmrc_trace_forget_all();
	header_done = 0;
	out_fd = -1;
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	start_counter = kvmrc_trace_counter();
	start_ns = mono_ns();
}

void kvmrc_record_setup(void)
{
	if (!kvmrc_cfg.record_path[0] || !kvmrc_cfg.active)
		return;
	start_counter = kvmrc_trace_counter();
	start_ns = mono_ns();
	pthread_atfork(NULL, NULL, record_atfork_child);
	kvmrc_log_add_wake_hook(record_drain, RECORD_PERIOD_NS);
	__atomic_store_n(&kvmrc_trace_on, 1, __ATOMIC_RELEASE);
}

void kvmrc_record_flush(void)
{
	if (__atomic_load_n(&kvmrc_trace_on, __ATOMIC_ACQUIRE))
		record_drain_wait(1);
}

/* ---- before the process image goes (_exit, exec): no system call ------- */

#define SYNC_LIMIT_NS 1000000000ll /* a drain thread stuck in write(2) is given up on */

struct sync_wait {
	struct timespec until;
	int late;
};

static void spin_pause(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Past the deadline?  Asked every 4096 spins: clock_gettime is a vDSO call. */
static int sync_late(struct sync_wait *w, unsigned int spins)
{
	if (w->late || (spins & 4095))
		return w->late;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	w->late = now.tv_sec > w->until.tv_sec || (now.tv_sec == w->until.tv_sec && now.tv_nsec >= w->until.tv_nsec);
	return w->late;
}

/* The records of t published by now taken by the drain thread. */
static void sync_ring(struct kvmrc_trace_ring *t, void *ctx)
{
	struct sync_wait *w = ctx;
	uint64_t h = __atomic_load_n(&t->head, __ATOMIC_ACQUIRE);
	for (unsigned int spins = 1; __atomic_load_n(&t->tail, __ATOMIC_ACQUIRE) < h && !sync_late(w, spins); spins++)
		spin_pause();
}

void kvmrc_record_sync(void)
{
	if (!__atomic_load_n(&kvmrc_trace_on, __ATOMIC_ACQUIRE))
		return;
	int saved = errno;
	if (!kvmrc_log_thread_running()) { /* no drain thread: this thread writes */
		record_drain_wait(1);
		errno = saved;
		return;
	}
	struct sync_wait w = { .late = 0 };
	clock_gettime(CLOCK_MONOTONIC, &w.until);
	w.until.tv_sec += SYNC_LIMIT_NS / 1000000000ll;
	kvmrc_trace_for_each_ring(sync_ring, &w);
	/* tails move under busy, before the pass's write: busy read 0 after
	 * them means that pass has written what it took */
	for (unsigned int spins = 1; __atomic_load_n(&busy, __ATOMIC_ACQUIRE) && !sync_late(&w, spins); spins++)
		spin_pause();
	errno = saved;
}

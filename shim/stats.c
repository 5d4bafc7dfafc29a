/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stats.c - per-rule and per-vCPU counters, written as JSON (or in the
 * Prometheus text format) at exit when KVMRUN_COMPAT_STATS names a file, and
 * every STATS_INTERVAL seconds from the log drain thread, never from a vCPU
 * thread.  The counters live in each vCPU object
 * and are only written by the thread that runs that vCPU, so counting adds
 * no shared cache-line traffic to KVM_RUN; they are read here with relaxed
 * atomic loads, as vCPU threads may still run.
 *
 * The file is replaced, never rewritten in place: the text goes to a new
 * file in the same directory (O_EXCL, O_NOFOLLOW, 0600), which is then
 * renamed over the name.  A reader sees the old text or the new, never a
 * mix; an existing file that is not a regular file of ours is left alone
 * (and in a sticky directory the kernel refuses to replace another user's
 * file anyway); a file of ours from an earlier process is replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "abi-run.h"
#include "poison.h"
#include "config.h"
#include "fdtable.h"
#include "rules.h"
#include "stats.h"
#include "sys.h"

/* Counters of vCPUs whose objects were freed are kept by the fd table
 * (kvmrc_fdt_retired), which frees them. */

struct writer {
	uint64_t abi_totals[KVMRC_ABI_ROWS_MAX];
	uint64_t poison_totals[KVMRC_FIELD_MAX];
	int fd;
	int failed;          /* errno of the first failed write, or 0 */
	int first_vcpu;
	size_t len;
	uint64_t totals[KVMRC_MAX_RULES];
	char buf[4096];
};

int kvmrc_stats_pid;

static void writer_flush(struct writer *w)
{
	const char *p = w->buf;

	while (w->len && !w->failed) {
		ssize_t n = kvmrc_sys(SYS_write, w->fd, p, w->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			w->failed = n < 0 ? errno : EIO;
			break;
		}
		p += n;
		w->len -= (size_t)n;
	}
	w->len = 0;
}

__attribute__((format(printf, 2, 3))) static void put(struct writer *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (w->len + (size_t)n > sizeof(w->buf))
		writer_flush(w);
	memcpy(w->buf + w->len, line, (size_t)n);
	w->len += (size_t)n;
}

static void one_vcpu(const struct kvmrc_vcpu *v, void *ctx)
{
	struct writer *w = ctx;

	put(w, "%s\n    {\"id\": %u, \"runs\": %llu, \"unscrubbed_runs\": %llu, \"kept_bytes_cleared\": %llu, "
	    "\"fail_entry_reason\": %lld, \"rules\": {",
	    w->first_vcpu ? "" : ",", v->id,
	    (unsigned long long)kvmrc_fdt_runs(v),
	    (unsigned long long)__atomic_load_n(&v->sc.unscrubbed, __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&v->sc.kept_zeroed, __ATOMIC_RELAXED),
	    (long long)__atomic_load_n(&v->fail_reason, __ATOMIC_RELAXED));
	w->first_vcpu = 0;
	int first = 1;
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		uint32_t h = __atomic_load_n(&v->hits[i], __ATOMIC_RELAXED);
		if (!h)
			continue;
		w->totals[i] += h;
		put(w, "%s\"%s\": %u", first ? "" : ", ", kvmrc_rules[i].name, h);
		first = 0;
	}
	put(w, "}");
	if (kvmrc_cfg.abi) { /* --abi: bytes set, flag bits cleared, exits seen, per row */
		put(w, ", \"abi\": {");
		first = 1;
		for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
			uint32_t n = __atomic_load_n(&v->abi.bytes[i], __ATOMIC_RELAXED);
			w->abi_totals[i] += n;
			if (!n)
				continue;
			put(w, "%s\"%s\": %u", first ? "" : ", ", kvmrc_abi_rows[i].name, n);
			first = 0;
		}
		put(w, "}");
	}
	if (kvmrc_cfg.poison) { /* --poison: bytes of each field still reading the poison */
		char name[96];
		put(w, ", \"poisoned_bytes\": {");
		first = 1;
		for (unsigned int i = 0; i < kvmrc_field_count && i < KVMRC_FIELD_MAX; i++) {
			uint32_t n = __atomic_load_n(&v->poison.bytes[i], __ATOMIC_RELAXED);
			w->poison_totals[i] += n;
			if (!n)
				continue;
			put(w, "%s\"%s\": %u", first ? "" : ", ", kvmrc_poison_name(i, name, sizeof(name)), n);
			first = 0;
		}
		put(w, "}");
	}
	put(w, "}");
}

/* The process's poisoned bytes per field, live and retired vCPUs (JSON). */
static void poison_json(struct writer *w)
{
	char name[96];
	const char *sep = "";

	put(w, ",\n  \"poison\": {\"byte\": \"0x%02x\", \"fields\": {", kvmrc_cfg.poison & 0xff);
	for (unsigned int i = 0; i < kvmrc_field_count && i < KVMRC_FIELD_MAX; i++) {
		uint64_t n = w->poison_totals[i] + kvmrc_poison_retired(i);
		if (!n)
			continue;
		put(w, "%s\n    \"%s\": %llu", sep, kvmrc_poison_name(i, name, sizeof(name)), (unsigned long long)n);
		sep = ",";
	}
	put(w, "\n  }}");
}

static void stats_json(struct writer *w)
{
	put(w, "{\n  \"version\": \"%s\",\n  \"pid\": %ld,\n  \"arch\": \"%s\",\n  \"vcpus\": [",
	    PACKAGE_VERSION, (long)(kvmrc_stats_pid ? kvmrc_stats_pid : getpid()), kvmrun_compat_arch_name(kvmrc_cfg.arch));
	kvmrc_fdt_for_each_vcpu(one_vcpu, w);
	put(w, "\n  ],\n  \"retired_vcpus\": %u,\n  \"retired_runs\": %llu,\n  \"rules\": {",
	    __atomic_load_n(&kvmrc_fdt_retired.vcpus, __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&kvmrc_fdt_retired.runs, __ATOMIC_RELAXED));
	const char *sep = "";
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		if (kvmrc_rules[i].arch != kvmrc_cfg.arch)
			continue; /* only the rules that can act in this process */
		uint64_t total = w->totals[i] + __atomic_load_n(&kvmrc_fdt_retired.hits[i], __ATOMIC_RELAXED);
		put(w, "%s\n    \"%s\": %llu", sep, kvmrc_rules[i].name, (unsigned long long)total);
		sep = ",";
	}
	put(w, "\n  }");
	if (kvmrc_cfg.abi) {
		put(w, ",\n  \"abi\": {\"version\": \"%u.%u\", \"stale\": %s, \"rows\": {", kvmrc_cfg.abi >> 16,
		    (kvmrc_cfg.abi >> 8) & 0xff, kvmrc_cfg.abi_stale ? "true" : "false");
		sep = "";
		for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
			if (!kvmrc_abi_row_applies(&kvmrc_abi_rows[i], kvmrc_cfg.abi, kvmrc_cfg.arch))
				continue;
			put(w, "%s\n    \"%s\": %llu", sep, kvmrc_abi_rows[i].name,
			    (unsigned long long)(w->abi_totals[i] + kvmrc_abi_retired(i)));
			sep = ",";
		}
		put(w, "\n  }}");
	}
	if (kvmrc_cfg.poison)
		poison_json(w);
	put(w, "\n}\n");
}

/* ---- Prometheus text format (node_exporter's textfile collector) ------ */

struct prom {
	struct writer *w;
	uint64_t runs;
	unsigned int vcpus;
	uint64_t *totals;
};

static void prom_vcpu(const struct kvmrc_vcpu *v, void *ctx)
{
	struct prom *p = ctx;

	p->vcpus++;
	p->runs += kvmrc_fdt_runs(v);
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++)
		p->totals[i] += __atomic_load_n(&v->hits[i], __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < kvmrc_abi_row_count; i++)
		p->w->abi_totals[i] += __atomic_load_n(&v->abi.bytes[i], __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < kvmrc_field_count && i < KVMRC_FIELD_MAX; i++)
		p->w->poison_totals[i] += __atomic_load_n(&v->poison.bytes[i], __ATOMIC_RELAXED);
}

/* A label value: backslash, double quote and newline escaped, other
 * control bytes left out. */
static void prom_label(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (const unsigned char *c = (const unsigned char *)in; *c && o + 3 < size; c++) {
		if (*c == '\\' || *c == '"' || *c == '\n') {
			out[o++] = '\\';
			out[o++] = *c == '\n' ? 'n' : (char)*c;
		} else if (*c >= 0x20 && *c != 0x7f) {
			out[o++] = (char)*c;
		}
	}
	out[o] = 0;
}

static void stats_prometheus(struct writer *w)
{
	extern char *program_invocation_short_name;
	char vmm[128], release[160], labels[320];
	struct utsname u;
	struct prom p = { .w = w, .totals = w->totals };

	prom_label(vmm, sizeof(vmm), program_invocation_short_name ? program_invocation_short_name : "");
	prom_label(release, sizeof(release), uname(&u) == 0 ? u.release : "unknown");
	snprintf(labels, sizeof(labels), "vmm=\"%s\",pid=\"%ld\"", vmm,
		 (long)(kvmrc_stats_pid ? kvmrc_stats_pid : getpid()));
	kvmrc_fdt_for_each_vcpu(prom_vcpu, &p);

	put(w, "# HELP kvmrun_compat_rule_changes_total KVM exits on which the rule changed at least one byte.\n"
	       "# TYPE kvmrun_compat_rule_changes_total counter\n");
	const char *arch = kvmrun_compat_arch_name(kvmrc_cfg.arch);
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		if (kvmrc_rules[i].arch != kvmrc_cfg.arch)
			continue;
		uint64_t total = w->totals[i] + __atomic_load_n(&kvmrc_fdt_retired.hits[i], __ATOMIC_RELAXED);
		put(w, "kvmrun_compat_rule_changes_total{rule=\"%s\",arch=\"%s\",%s} %llu\n", kvmrc_rules[i].name,
		    arch, labels, (unsigned long long)total);
	}
	if (kvmrc_cfg.abi) {
		put(w, "# HELP kvmrun_compat_abi_changes_total --abi: bytes set (fields), bits cleared (flags) or "
		       "exits seen (exits) per row of the exit ABI table.\n"
		       "# TYPE kvmrun_compat_abi_changes_total counter\n");
		for (unsigned int i = 0; i < kvmrc_abi_row_count; i++)
			if (kvmrc_abi_row_applies(&kvmrc_abi_rows[i], kvmrc_cfg.abi, kvmrc_cfg.arch))
				put(w, "kvmrun_compat_abi_changes_total{row=\"%s\",abi=\"%u.%u\",%s} %llu\n",
				    kvmrc_abi_rows[i].name, kvmrc_cfg.abi >> 16, (kvmrc_cfg.abi >> 8) & 0xff, labels,
				    (unsigned long long)(w->abi_totals[i] + kvmrc_abi_retired(i)));
	}
	if (kvmrc_cfg.poison) {
		char name[96];
		put(w, "# HELP kvmrun_compat_poisoned_bytes_total --poison: bytes of an exit field that still read "
		       "the poison byte after the exit (no one wrote them).\n"
		       "# TYPE kvmrun_compat_poisoned_bytes_total counter\n");
		for (unsigned int i = 0; i < kvmrc_field_count && i < KVMRC_FIELD_MAX; i++) {
			uint64_t n = w->poison_totals[i] + kvmrc_poison_retired(i);
			if (n)
				put(w, "kvmrun_compat_poisoned_bytes_total{field=\"%s\",arch=\"%s\",%s} %llu\n",
				    kvmrc_poison_name(i, name, sizeof(name)), arch, labels, (unsigned long long)n);
		}
	}
	put(w, "# HELP kvmrun_compat_kvm_runs_total KVM_RUN calls on vCPUs the library tracks.\n"
	       "# TYPE kvmrun_compat_kvm_runs_total counter\n"
	       "kvmrun_compat_kvm_runs_total{%s} %llu\n", labels,
	    (unsigned long long)(p.runs + __atomic_load_n(&kvmrc_fdt_retired.runs, __ATOMIC_RELAXED)));
	put(w, "# HELP kvmrun_compat_vcpus vCPUs the library tracks now.\n"
	       "# TYPE kvmrun_compat_vcpus gauge\n"
	       "kvmrun_compat_vcpus{%s} %u\n", labels, p.vcpus);
	put(w, "# HELP kvmrun_compat_kernel_info The running kernel release (value 1).\n"
	       "# TYPE kvmrun_compat_kernel_info gauge\n"
	       "kvmrun_compat_kernel_info{release=\"%s\",%s} 1\n", release, labels);
}

/* A new file next to path, named path.PID.N.tmp, that no one else had. */
static int stats_open_temp(const char *path, char *tmp, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (unsigned int n = 0; n < 8; n++) {
		snprintf(tmp, size, "%s.%ld.%lx.tmp", path, (long)getpid(),
			 (unsigned long)ts.tv_nsec + n * 0x9e3779b1ul);
		int fd = (int)kvmrc_sys(SYS_openat, AT_FDCWD, tmp,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static uint32_t stats_busy; /* the destructor and a periodic writer never overlap */
static int quiet;           /* periodic writes: a failure is told once until a success */

#define STATS_WARN(...)                                          \
	do {                                                     \
		if (!quiet)                                      \
			kvmrc_log(KVMRC_LOG_WARN, __VA_ARGS__);  \
		failed = 1;                                      \
	} while (0)

static void stats_write(int periodic)
{
	int failed = 0;

	const char *path = kvmrc_cfg.stats_path;
	char tmp[sizeof(kvmrc_cfg.stats_path) + 48];
	static struct writer w; /* under stats_busy; too big for a small stack */
	struct stat st;

	if (!path[0] || __atomic_exchange_n(&stats_busy, 1, __ATOMIC_ACQUIRE))
		return;
	int saved = errno;
	/* An existing name must be a regular file of ours: never replace a
	 * symlink, a device or another user's file. */
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
		STATS_WARN("stats file %s is %s; not replaced", path,
			  S_ISLNK(st.st_mode) ? "a symlink" : !S_ISREG(st.st_mode) ? "not a regular file" :
			  "another user's file");
		goto out;
	}
	memset(&w, 0, sizeof(w));
	w.first_vcpu = 1;
	w.fd = stats_open_temp(path, tmp, sizeof(tmp));
	if (w.fd < 0) {
		STATS_WARN("cannot write stats to %s: %s (creating %s)", path, strerror(errno), tmp);
		goto out;
	}
	if (kvmrc_cfg.stats_format == KVMRC_STATS_PROMETHEUS)
		stats_prometheus(&w);
	else
		stats_json(&w);
	writer_flush(&w);
	kvmrc_sys(SYS_close, w.fd);
	if (w.failed) {
		STATS_WARN("cannot write stats to %s: %s", tmp, strerror(w.failed));
		unlinkat(AT_FDCWD, tmp, 0);
		goto out;
	}
	if (renameat(AT_FDCWD, tmp, AT_FDCWD, path) != 0) {
		STATS_WARN("cannot write stats to %s: %s%s", path, strerror(errno),
			  errno == EPERM || errno == EACCES ?
			  " (in a sticky directory another user's file cannot be replaced)" : "");
		unlinkat(AT_FDCWD, tmp, 0);
	}
out:
	quiet = periodic && failed;
	__atomic_store_n(&stats_busy, 0, __ATOMIC_RELEASE);
	errno = saved;
}

void kvmrc_stats_write(void)
{
	stats_write(0);
}

/* From the drain thread after each wake: rewrite every stats_interval s. */
static void stats_tick(void)
{
	static uint64_t next;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	if (now < next)
		return;
	next = now + (uint64_t)kvmrc_cfg.stats_interval * 1000u;
	stats_write(1);
}

void kvmrc_stats_start_periodic(void)
{
	if (kvmrc_cfg.stats_path[0] && kvmrc_cfg.stats_interval)
		kvmrc_log_set_wake_hook(stats_tick);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stats.c - per-rule and per-vCPU counters, written as JSON at exit when
 * KVMRUN_COMPAT_STATS names a file.  The counters live in each vCPU object
 * and are only written by the thread that runs that vCPU, so counting adds
 * no shared cache-line traffic to KVM_RUN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "config.h"
#include "shim.h"

/* Counters of vCPUs whose objects were freed (all fds closed, unmapped). */
static uint64_t retired_hits[KVMRC_MAX_RULES];
static uint64_t retired_runs;
static uint32_t retired_vcpus;

void kvmrc_stats_retire(const struct kvmrc_vcpu *v)
{
	for (unsigned int i = 0; i < KVMRC_MAX_RULES; i++)
		if (v->hits[i])
			__atomic_add_fetch(&retired_hits[i], v->hits[i], __ATOMIC_RELAXED);
	__atomic_add_fetch(&retired_runs, v->runs, __ATOMIC_RELAXED);
	__atomic_add_fetch(&retired_vcpus, 1, __ATOMIC_RELAXED);
}

struct writer {
	int fd;
	int first_vcpu;
	uint64_t totals[KVMRC_MAX_RULES];
};

static void put(struct writer *w, const char *s)
{
	size_t len = strlen(s);
	while (len) {
		ssize_t n = syscall(SYS_write, w->fd, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void one_vcpu(const struct kvmrc_vcpu *v, void *ctx)
{
	struct writer *w = ctx;
	char buf[256];

	snprintf(buf, sizeof(buf), "%s\n    {\"id\": %u, \"runs\": %llu, \"fail_entry_reason\": %lld, \"rules\": {",
		 w->first_vcpu ? "" : ",", v->id, (unsigned long long)v->runs, (long long)v->fail_reason);
	put(w, buf);
	w->first_vcpu = 0;
	int first = 1;
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		if (!v->hits[i])
			continue;
		w->totals[i] += v->hits[i];
		snprintf(buf, sizeof(buf), "%s\"%s\": %u", first ? "" : ", ", kvmrc_rules[i].name, v->hits[i]);
		put(w, buf);
		first = 0;
	}
	put(w, "}}");
}

void kvmrc_stats_write(void)
{
	struct writer w = { .first_vcpu = 1 };
	char buf[256];

	/* O_NOFOLLOW: never write through a planted symlink; O_NONBLOCK: never
	 * hang on a planted FIFO; in a directory others can write to (/tmp)
	 * the file must not exist yet (O_EXCL).  An existing file must be a
	 * regular file we own. */
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	char dir[sizeof(kvmrc_cfg.stats_path)];
	struct stat dst;
	strcpy(dir, kvmrc_cfg.stats_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	if (stat(dir, &dst) != 0 || (dst.st_mode & S_IWOTH))
		flags |= O_EXCL;
	else
		flags |= O_TRUNC;
	w.fd = (int)syscall(SYS_openat, AT_FDCWD, kvmrc_cfg.stats_path, flags, 0600);
	if (w.fd < 0) {
		kvmrc_log(KVMRC_LOG_WARN, "cannot write stats to %s: %s%s", kvmrc_cfg.stats_path, strerror(errno),
			  errno == EEXIST ? " (in a directory others can write to, the stats file must not exist yet)" : "");
		return;
	}
	struct stat st;
	if (fstat(w.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		kvmrc_log(KVMRC_LOG_WARN, "stats file %s is not a regular file of ours; not written",
			  kvmrc_cfg.stats_path);
		syscall(SYS_close, w.fd);
		return;
	}
	snprintf(buf, sizeof(buf), "{\n  \"version\": \"%s\",\n  \"pid\": %ld,\n  \"arch\": \"%s\",\n  \"vcpus\": [",
		 PACKAGE_VERSION, (long)getpid(), kvmrun_compat_arch_name(kvmrc_cfg.arch));
	put(&w, buf);
	kvmrc_fdt_for_each_vcpu(one_vcpu, &w);
	snprintf(buf, sizeof(buf), "\n  ],\n  \"retired_vcpus\": %u,\n  \"retired_runs\": %llu,\n  \"rules\": {",
		 __atomic_load_n(&retired_vcpus, __ATOMIC_RELAXED),
		 (unsigned long long)__atomic_load_n(&retired_runs, __ATOMIC_RELAXED));
	put(&w, buf);
	const char *sep = "";
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		if (kvmrc_rules[i].arch != kvmrc_cfg.arch)
			continue; /* only the rules that can act in this process */
		uint64_t total = w.totals[i] + __atomic_load_n(&retired_hits[i], __ATOMIC_RELAXED);
		snprintf(buf, sizeof(buf), "%s\n    \"%s\": %llu", sep, kvmrc_rules[i].name,
			 (unsigned long long)total);
		put(&w, buf);
		sep = ",";
	}
	put(&w, "\n  }\n}\n");
	syscall(SYS_close, w.fd);
}

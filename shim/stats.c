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

	/* O_NOFOLLOW: never write through a planted symlink; the file is
	 * created 0600 and an existing one must be a regular file we own. */
	w.fd = (int)syscall(SYS_openat, AT_FDCWD, kvmrc_cfg.stats_path,
			    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w.fd < 0) {
		kvmrc_log(KVMRC_LOG_WARN, "cannot write stats to %s: %s", kvmrc_cfg.stats_path, strerror(errno));
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
	put(&w, "\n  ],\n  \"rules\": {");
	for (unsigned int i = 0; i < kvmrc_rule_count && i < KVMRC_MAX_RULES; i++) {
		snprintf(buf, sizeof(buf), "%s\n    \"%s\": %llu", i ? "," : "", kvmrc_rules[i].name,
			 (unsigned long long)w.totals[i]);
		put(&w, buf);
	}
	put(&w, "\n  }\n}\n");
	syscall(SYS_close, w.fd);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * init-bench.c - part of the realkvm /init (init.c): on the max CPU model,
 * what supervisor mode costs per KVM_RUN on the booted kernel
 * (/bench-supervise, tools/bench-supervise.c), printed as REALKVM-BENCH
 * lines for bench.awk.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "init.h"

/* What supervisor mode costs per KVM_RUN on this kernel (tools/bench-supervise.c,
 * one exit per KVM_RUN): mode plain, preload (LD_PRELOAD) or supervised
 * (kvmrun-compat --supervise), and the pipe round trip between two processes
 * (threads 0).  Three rounds over all of them (load on the host moves every
 * mode alike), then one line each, the median: "REALKVM-BENCH ... us=X
 * status=N" (us=missing when a run printed no figure, status the last
 * nonzero one).  bench.awk (run.sh step 5g) prints the table; a report, not
 * a check of speed. */
#define BENCH_RUNS "250"
#define BENCH_ROUNDS 3
static double bench_one(const char *mode, int threads, int *status)
{
	char t[8], line[256];
	double us = -1;
	snprintf(t, sizeof t, "%d", threads);
	char *direct[] = { "/bench-supervise", threads ? "kvm" : "pipe", threads ? t : BENCH_RUNS, BENCH_RUNS, NULL };
	char *sup[] = { "/kvmrun-compat", "--supervise", "--", "/bench-supervise", "kvm", t, BENCH_RUNS, NULL };
	if (!threads)
		direct[3] = NULL;
	int fd[2];
	if (pipe(fd) < 0)
		return -1;
	pid_t p = fork();
	if (p == 0) {
		char *envp[] = { "PATH=/", NULL, NULL, NULL };
		if (!strcmp(mode, "preload"))
			envp[1] = "LD_PRELOAD=/lib/libkvmrun-compat.so.0";
		else if (!strcmp(mode, "supervised"))
			envp[1] = "KVMRUN_COMPAT_LIBRARY=/lib/libkvmrun-compat.so.0",
			envp[2] = "KVMRUN_COMPAT_SUPERVISOR=/kvmrun-compat-supervise";
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		char **argv = !strcmp(mode, "supervised") ? sup : direct;
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "us_per_run=%lf", &us) != 1 && sscanf(line, "us_per_rtt=%lf", &us) != 1)
			say("BENCHOUT %s\n", line); /* a complaint of the program or the wrapper */
	}
	if (f)
		fclose(f);
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (st)
		*status = st;
	return us;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void init_bench(void)
{
	static const struct { const char *mode; int threads; } cfg[] = {
		{ "pipe", 0 }, { "plain", 1 }, { "preload", 1 }, { "supervised", 1 }, { "plain", 2 }, { "supervised", 2 },
	};
	enum { N = sizeof cfg / sizeof cfg[0] };
	double us[N][BENCH_ROUNDS];
	int status[N] = { 0 };
	struct utsname u;
	struct timespec t0, t1;
	uname(&u);
	if (access("/bench-supervise", X_OK) || access("/kvmrun-compat", X_OK) ||
	    access("/kvmrun-compat-supervise", X_OK)) {
		say("REALKVM-BENCH-SKIP kernel=%s: no /bench-supervise, /kvmrun-compat or /kvmrun-compat-supervise\n",
		    u.release);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < BENCH_ROUNDS; r++)
		for (int i = 0; i < N; i++)
			us[i][r] = bench_one(cfg[i].mode, cfg[i].threads, &status[i]);
	for (int i = 0; i < N; i++) {
		char fig[32] = "missing";
		qsort(us[i], BENCH_ROUNDS, sizeof us[i][0], cmp_double);
		if (us[i][0] > 0) /* every round printed a figure */
			snprintf(fig, sizeof fig, "%.2f", us[i][BENCH_ROUNDS / 2]);
		say("REALKVM-BENCH kernel=%s arch=%s mode=%s threads=%d runs=%s rounds=%d us=%s status=%d\n", u.release,
		    strcmp(u.machine, "aarch64") ? u.machine : "arm64", cfg[i].mode, cfg[i].threads, BENCH_RUNS,
		    BENCH_ROUNDS, fig, status[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	say("REALKVM-BENCH-END kernel=%s ms=%ld\n", u.release,
	    (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-log.c - the log ring (shim/log.c, compiled in): a vCPU thread under
 * an ioctl-only seccomp filter logs without dying, lines leave from the
 * drain thread with the right pid, a full ring counts what it drops, fork
 * leaves the child a working log, and control bytes are escaped.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static char dir[] = "/tmp/kvmrc-log-test.XXXXXX";
static char path[64];

static void setup_file(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	kvmrc_log_setup(KVMRC_LOG_TO_FILE, path, KVMRC_LOG_DEBUG);
}

static void cleanup_file(void)
{
	unlink(path);
	rmdir(dir);
}

/* The whole file: 16000 lines of the producer tests take ~700 KB; a read
 * cut short would show a torn last line. */
static char *slurp(void)
{
	static char buf[4 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	cr_assert_lt(n, sizeof(buf) - 1, "the log file is larger than the test reads");
	buf[n] = 0;
	return buf;
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- a vCPU-like thread whose filter allows ioctl and futex only -------- */

static volatile int filtered_done;
static int use_sync_log;

static void *filtered_thread(void *arg)
{
	(void)arg;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 0);
	if (seccomp_load(ctx) != 0)
		_exit(11);
	for (unsigned int i = 0; i < 10; i++) {
		if (use_sync_log)
			kvmrc_log(KVMRC_LOG_WARN, "vCPU %u: sync line %u", 3u, i);
		else
			kvmrc_log_hot(KVMRC_LOG_WARN, "vCPU %u: hot line %u (%s, %x)", 3u, i, "text", 0xabu);
	}
	__atomic_store_n(&filtered_done, 1, __ATOMIC_RELEASE);
	for (;;) /* no exit path: glibc's thread exit makes system calls */
		syscall(SYS_futex, &filtered_done, 0 /* FUTEX_WAIT */, 1, NULL, NULL, 0);
	return NULL;
}

/* Runs the filtered thread in a child; returns its wait status. */
static int run_filtered(int start_thread, int sync_log)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		use_sync_log = sync_log;
		if (start_thread)
			kvmrc_log_start_thread();
		pthread_t t;
		if (pthread_create(&t, NULL, filtered_thread, NULL))
			_exit(12);
		while (!__atomic_load_n(&filtered_done, __ATOMIC_ACQUIRE))
			sleep_ms(5);
		if (start_thread) { /* the drain thread alone writes them out */
			for (int i = 0; i < 400 && count(slurp(), "hot line") < 10; i++)
				sleep_ms(50);
		} else {
			kvmrc_log_flush();
		}
		_exit(count(slurp(), "hot line") == 10 ? 0 : 13);
	}
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

Test(log, hot_lines_from_a_seccomp_filtered_thread, .init = setup_file, .fini = cleanup_file)
{
	int st = run_filtered(0, 0);
	cr_assert(!WIFSIGNALED(st), "killed by signal %d: a system call in kvmrc_log_hot", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "status %d: %s", WEXITSTATUS(st), slurp());
	cr_assert(strstr(slurp(), "]: warning: vCPU 3: hot line 9 (text, ab)\n"), "%s", slurp());
}

Test(log, control_a_synchronous_line_is_killed_by_the_filter, .init = setup_file, .fini = cleanup_file)
{
	/* the same thread with kvmrc_log (write(2) from the caller) dies: the
	 * filter is real, and the hot variant is what keeps a VMM alive */
	int st = run_filtered(0, 1);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status 0x%x", st);
}

Test(log, the_drain_thread_writes_hot_lines_out, .init = setup_file, .fini = cleanup_file)
{
	int st = run_filtered(1, 0);
	cr_assert(!WIFSIGNALED(st), "killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "status %d: %s", WEXITSTATUS(st), slurp());
}

/* ---- the drain thread ---------------------------------------------------- */

static int find_drainer(char *status_line, size_t size)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d))) {
		char p[300], comm[32] = "";
		snprintf(p, sizeof(p), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "kvmrc-log\n")) {
			found++;
			snprintf(p, sizeof(p), "/proc/self/task/%s/status", e->d_name);
			FILE *s = fopen(p, "r");
			while (s && fgets(status_line, (int)size, s))
				if (!strncmp(status_line, "SigBlk:", 7))
					break;
			if (s)
				fclose(s);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

Test(log, one_named_drain_thread_with_signals_blocked, .init = setup_file, .fini = cleanup_file)
{
	char sigblk[128] = "";
	kvmrc_log_start_thread();
	kvmrc_log_start_thread();
	cr_assert_eq(find_drainer(sigblk, sizeof(sigblk)), 1, "one thread named kvmrc-log");
	unsigned long long mask = strtoull(sigblk + 7, NULL, 16);
	int sigs[] = { SIGINT, SIGTERM, SIGALRM, SIGUSR1, SIGCHLD, SIGPIPE };
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		cr_assert(mask & (1ull << (sigs[i] - 1)), "signal %d not blocked: %s", sigs[i], sigblk);
}

Test(log, after_fork_the_child_drains_its_own_lines_with_its_pid, .init = setup_file, .fini = cleanup_file)
{
	kvmrc_log_start_thread();
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char sigblk[128];
		int before = find_drainer(sigblk, sizeof(sigblk));
		kvmrc_log_start_thread(); /* the parent's drainer did not come along */
		kvmrc_log_hot(KVMRC_LOG_WARN, "from the child");
		char want[64];
		snprintf(want, sizeof(want), "kvmrun-compat[%d]: warning: from the child\n", (int)getpid());
		for (int i = 0; i < 400 && !strstr(slurp(), want); i++)
			sleep_ms(50);
		_exit(before == 0 && find_drainer(sigblk, sizeof(sigblk)) == 1 && strstr(slurp(), want) ? 0 : 1);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: 0x%x, log: %s", st, slurp());
}

/* ---- a full ring ------------------------------------------------------------ */

Test(log, a_full_ring_drops_and_counts, .init = setup_file, .fini = cleanup_file)
{
	for (unsigned int i = 0; i < 200; i++)
		kvmrc_log_hot(KVMRC_LOG_INFO, "line %u", i);
	kvmrc_log_flush();
	char *t = slurp();
	cr_assert_eq(count(t, ": info: line "), KVMRC_LOG_SLOTS, "%s", t);
	cr_assert(strstr(t, ": info: line 63\n") && !strstr(t, ": info: line 64\n"), "%s", t);
	cr_assert(strstr(t, "warning: 136 log line(s) dropped"), "%s", t);
	kvmrc_log(KVMRC_LOG_INFO, "after");
	cr_assert(strstr(slurp(), ": info: after\n"), "the ring works again");
}

Test(log, fork_with_a_full_ring_leaves_the_child_a_working_log, .init = setup_file, .fini = cleanup_file)
{
	for (unsigned int i = 0; i < 100; i++)
		kvmrc_log_hot(KVMRC_LOG_INFO, "parent %u", i);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		kvmrc_log(KVMRC_LOG_INFO, "child line");
		_exit(0);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	kvmrc_log_flush();
	char *t = slurp();
	char want[64];
	snprintf(want, sizeof(want), "kvmrun-compat[%d]: info: child line\n", (int)pid);
	cr_assert(strstr(t, want), "the child's own line: %s", t);
	cr_assert_eq(count(t, ": info: parent "), KVMRC_LOG_SLOTS, "the parent's lines once, by the parent: %s", t);
	cr_assert_eq(count(t, "dropped"), 1, "%s", t);
}

/* ---- contents --------------------------------------------------------------- */

Test(log, control_bytes_are_escaped, .init = setup_file, .fini = cleanup_file)
{
	kvmrc_log(KVMRC_LOG_WARN, "value '%s'", "a\nkvmrun-compat[1]: error: forged\x01\x7f\xc3\xa9");
	cr_assert(strstr(slurp(), "value 'a\\x0akvmrun-compat[1]: error: forged\\x01\\x7f\xc3\xa9'\n"), "%s", slurp());
	cr_assert_eq(count(slurp(), "\n"), 1);
}

Test(log, levels_above_the_setting_are_not_written, .init = setup_file, .fini = cleanup_file)
{
	kvmrc_log_setup(KVMRC_LOG_TO_FILE, path, KVMRC_LOG_WARN);
	kvmrc_log(KVMRC_LOG_INFO, "quiet");
	kvmrc_log_hot(KVMRC_LOG_DEBUG, "quieter");
	kvmrc_log(KVMRC_LOG_ERROR, "loud");
	cr_assert(!strstr(slurp(), "quiet") && strstr(slurp(), "error: loud\n"), "%s", slurp());
}

Test(log, a_long_line_is_cut_and_marked, .init = setup_file, .fini = cleanup_file)
{
	char big[2000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	kvmrc_log(KVMRC_LOG_WARN, "%s", big);
	cr_assert(strstr(slurp(), "yyy...\n"), "%s", slurp());
}

/* ---- a producer frozen in the middle of a line --------------------------- */

#include <printf.h>

/* %Y blocks inside vsnprintf until released: a producer that has claimed a
 * slot and not published it (a thread descheduled, or stopped in a signal
 * handler, in the middle of kvmrc_log_hot). */
static volatile int frozen_in, frozen_release;

static int frozen_print(FILE *f, const struct printf_info *info, const void *const *args)
{
	(void)info;
	(void)args;
	__atomic_store_n(&frozen_in, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&frozen_release, __ATOMIC_ACQUIRE))
		sleep_ms(10);
	return fprintf(f, "thawed");
}

static int frozen_arginfo(const struct printf_info *info, size_t n, int *types, int *size)
{
	(void)info;
	(void)size;
	if (n > 0)
		types[0] = PA_INT;
	return 1;
}

static const char *frozen_fmt = "frozen %Y";

static void *frozen_producer(void *arg)
{
	(void)arg;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	kvmrc_log_hot(KVMRC_LOG_WARN, frozen_fmt, 0);
#pragma GCC diagnostic pop
	return NULL;
}

static pthread_t start_frozen(void)
{
	pthread_t t;
	cr_assert_eq(register_printf_specifier('Y', frozen_print, frozen_arginfo), 0);
	cr_assert_eq(pthread_create(&t, NULL, frozen_producer, NULL), 0);
	while (!__atomic_load_n(&frozen_in, __ATOMIC_ACQUIRE))
		sleep_ms(5);
	return t;
}

Test(log, fork_while_a_slot_is_half_written, .init = setup_file, .fini = cleanup_file)
{
	pthread_t t = start_frozen();
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		kvmrc_log(KVMRC_LOG_WARN, "child after fork");
		_exit(strstr(slurp(), "warning: child after fork\n") ? 0 : 1);
	}
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's line waited behind the frozen slot: %s", slurp());
	__atomic_store_n(&frozen_release, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
}

Test(log, a_frozen_producer_is_skipped_not_waited_for, .init = setup_file, .fini = cleanup_file, .timeout = 60)
{
	pthread_t t = start_frozen();
	kvmrc_log(KVMRC_LOG_WARN, "behind the frozen one");
	cr_assert(!strstr(slurp(), "behind the frozen one"), "order kept while the slot may still be written");
	for (int i = 0; i < 200 && !strstr(slurp(), "behind the frozen one"); i++) {
		sleep_ms(100);
		kvmrc_log_flush();
	}
	cr_assert(strstr(slurp(), "warning: behind the frozen one\n"), "skipped after a few seconds: %s", slurp());
	cr_assert(strstr(slurp(), "1 log line(s) dropped"), "%s", slurp());
	__atomic_store_n(&frozen_release, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	kvmrc_log_flush();
	cr_assert(!strstr(slurp(), "thawed"), "a line published after its slot was skipped is not printed");
	kvmrc_log(KVMRC_LOG_WARN, "and on");
	cr_assert(strstr(slurp(), "warning: and on\n"), "%s", slurp());
}

/* ---- many producers ------------------------------------------------------------- */

static void *many_producer(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	for (unsigned int i = 0; i < 2000; i++)
		kvmrc_log_hot(KVMRC_LOG_INFO, "p%u n%u end", id, i);
	return NULL;
}

Test(log, eight_producers_every_line_printed_whole_or_counted, .init = setup_file, .fini = cleanup_file)
{
	pthread_t t[8];
	kvmrc_log_start_thread();
	for (uintptr_t i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, many_producer, (void *)i), 0);
	for (unsigned int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		kvmrc_log_flush();
	}
	kvmrc_log_flush();
	unsigned int printed = 0, dropped = 0;
	char *text = slurp();
	for (char *l = text, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		unsigned int a, b, n;
		char end[4];
		if (sscanf(l, "kvmrun-compat[%*d]: info: p%u n%u %3s", &a, &b, end) == 3) {
			cr_assert(a < 8 && b < 2000 && !strcmp(end, "end"), "torn line: %.80s", l);
			printed++;
		} else if (sscanf(l, "kvmrun-compat[%*d]: warning: %u log line(s) dropped", &n) == 1) {
			dropped += n;
		} else {
			cr_assert_fail("unexpected line: %.80s", l);
		}
	}
	cr_assert_eq(printed + dropped, 16000, "printed %u + dropped %u", printed, dropped);
	cr_assert_geq(printed, KVMRC_LOG_SLOTS);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * st-init.c - static /init of the selftests L1 initramfs.  The L1 kernel runs
 * under QEMU TCG with nested virtualization, so /dev/kvm is real KVM.  This
 * init loads the kvm modules (/modules/order), then runs the kernel's own KVM
 * selftests as listed in /tests, one a line:
 *
 *   TEST <name> <timeout-seconds> <path> [args...]     plain, then with the shim
 *   CONTROL <name> <timeout-seconds> <path> [args...]  plain, then with a
 *                                      deliberately wrong preload (/lib/libzeroexit.so)
 *
 * Each run's exit status is printed (256+signal when killed, 512 when it ran
 * past its timeout and was killed).  A TEST pair whose statuses differ is run
 * once more.  The shim's run also prints its stats (KVM_RUN count) and any
 * line the shim wrote (it must write none).  Everything goes to the serial
 * console with ST- prefixes; report.awk on the host is the judge.
 *
 * selftests.from=<index> on the kernel command line starts at that line of
 * /tests (0-based): run.sh boots a wedged L1 kernel again from the test that
 * was running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 32
#define SHIM "/lib/libkvmrun-compat-preload.so"
#define BAD "/lib/libzeroexit.so"
#define TAIL_LINES 12
#define ST_SIGNAL 256  /* status of a run killed by signal n: 256 + n */
#define ST_TIMEOUT 512 /* status of a run killed at its timeout */

static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = (int)sizeof buf - 1;
	if (n > 0 && write(1, buf, (size_t)n) < 0)
		return;
}

static void load_modules(void)
{
	FILE *f = fopen("/modules/order", "r");
	char line[256];
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		char path[300];
		snprintf(path, sizeof path, "/modules/%s", line);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		long r = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
		if (r != 0 && errno != EEXIST)
			say("ST-MODULE %s failed errno=%d\n", line, errno);
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* print the lines of a file with a tag: all of them, or the last n, or only
 * those that contain needle */
static void print_file(const char *tag, const char *path, int n, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	static char ring[TAIL_LINES][256];
	char line[256];
	long count = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (needle) {
			if (strstr(line, needle))
				say("%s %s\n", tag, line);
			continue;
		}
		if (n <= 0) {
			say("%s %s\n", tag, line);
			continue;
		}
		snprintf(ring[count % TAIL_LINES], sizeof ring[0], "%s", line);
		count++;
	}
	fclose(f);
	long from = count > n ? count - n : 0;
	for (long i = from; !needle && n > 0 && i < count; i++)
		say("%s %s\n", tag, ring[i % TAIL_LINES]);
}

/* one run of a test: its status (exit code, ST_SIGNAL + signal, ST_TIMEOUT) */
static int run_test(const char *name, int timeout, char **argv, const char *mode, int try)
{
	char out[160], stats[160], sarg[200];
	snprintf(out, sizeof out, "/tmp/out-%s-%d", mode, try);
	snprintf(stats, sizeof stats, "/tmp/stats-%s-%d.json", mode, try);
	unlink(stats);
	snprintf(sarg, sizeof sarg, "KVMRUN_COMPAT_STATS=%s", stats);
	char *env_off[] = { "PATH=/st:/bin", "HOME=/tmp", NULL };
	char *env_on[] = { "PATH=/st:/bin", "HOME=/tmp", "LD_PRELOAD=" SHIM, sarg,
			   "KVMRUN_COMPAT_LOG_LEVEL=warn", NULL };
	char *env_bad[] = { "PATH=/st:/bin", "HOME=/tmp", "LD_PRELOAD=" BAD, NULL };
	char **envp = strcmp(mode, "off") == 0 ? env_off : strcmp(mode, "on") == 0 ? env_on : env_bad;

	say("ST-BEGIN test=%s shim=%s try=%d\n", name, mode, try);
	double t0 = now();
	int st = 0, timedout = 0;
	pid_t p = fork();
	if (p == 0) {
		int i = open("/dev/null", O_RDONLY), o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (i < 0 || o < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(o, 2) < 0)
			_exit(126);
		setpgid(0, 0);
		if (chdir("/st") != 0)
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (p > 0) {
		for (;;) {
			pid_t w = waitpid(p, &st, WNOHANG);
			if (w == p)
				break;
			if (w < 0 && errno != EINTR)
				break;
			if (now() - t0 > timeout) {
				kill(-p, SIGKILL);
				kill(p, SIGKILL);
				waitpid(p, &st, 0);
				timedout = 1;
				break;
			}
			usleep(20000);
		}
	}
	int status = timedout ? ST_TIMEOUT : WIFEXITED(st) ? WEXITSTATUS(st) : ST_SIGNAL + WTERMSIG(st);
	/* the shim's own lines (it must write none) and its stats */
	if (strcmp(mode, "on") == 0) {
		print_file("ST-SHIMLOG", out, 0, "kvmrun-compat");
		print_file("ST-STATS", stats, 0, "\"runs\"");
		print_file("ST-STATS", stats, 0, "\"retired_runs\"");
	}
	say("ST-END test=%s shim=%s try=%d status=%d timeout=%d seconds=%.1f\n", name, mode, try,
	    status, timedout, now() - t0);
	return status;
}

static void print_tail(const char *mode, int try, int n)
{
	char out[160];
	snprintf(out, sizeof out, "/tmp/out-%s-%d", mode, try);
	print_file(strcmp(mode, "off") == 0 ? "ST-OUT-OFF" : "ST-OUT-ON", out, n, NULL);
}

static void run_line(char *line, int index)
{
	char *argv[MAX_ARGS + 4], *save = NULL;
	int n = 0;
	for (char *t = strtok_r(line, " \t\n", &save); t && n < MAX_ARGS + 3;
	     t = strtok_r(NULL, " \t\n", &save))
		argv[n++] = t;
	argv[n] = NULL;
	if (n < 4)
		return;
	const char *kind = argv[0], *name = argv[1];
	int timeout = atoi(argv[2]);
	int control = strcmp(kind, "CONTROL") == 0;
	say("ST-TEST index=%d test=%s kind=%s\n", index, name, kind);
	for (int t = 1; t <= (control ? 1 : 2); t++) {
		int a = run_test(name, timeout, argv + 3, "off", t);
		int b = run_test(name, timeout, argv + 3, control ? "bad" : "on", t);
		say("ST-PAIR index=%d test=%s kind=%s try=%d plain=%d shim=%d verdict=%s\n", index, name,
		    kind, t, a, b, a == b ? "same" : "different");
		if (a != b && !control) {
			print_tail("off", t, TAIL_LINES);
			print_tail("on", t, TAIL_LINES);
		} else if (a != 0 && !control) {
			print_tail("off", t, 3); /* why it failed or skipped */
		}
		if (a == b || control)
			break;
	}
}

static int read_from(void)
{
	char cmdline[2048] = "";
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
		cmdline[n > 0 ? n : 0] = 0;
		close(fd);
	}
	char *c = strstr(cmdline, "selftests.from=");
	return c ? atoi(c + strlen("selftests.from=")) : 0;
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mkdir("/tmp", 01777);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	/* some tests read debugfs (binary stats, dirty log) or hugepage sysfs */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	struct utsname u;
	uname(&u);
	int from = read_from();
	say("ST-L1-BEGIN kernel=%s machine=%s from=%d\n", u.release, u.machine, from);
	load_modules();
	for (int i = 0; i < 50 && access("/dev/kvm", F_OK) != 0; i++)
		usleep(100000);
	if (access("/dev/kvm", F_OK) != 0) {
		say("ST-NOKVM kernel=%s\n", u.release);
	} else {
		FILE *f = fopen("/tests", "r");
		char line[1024];
		int index = 0;
		while (f && fgets(line, sizeof line, f)) {
			if (line[0] == '#' || line[0] == '\n')
				continue;
			if (index >= from)
				run_line(line, index);
			index++;
		}
		if (f)
			fclose(f);
	}
	say("ST-L1-END kernel=%s\n", u.release);
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

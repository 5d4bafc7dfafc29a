/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * l1-init.c - static /init of the realvmm L1 initramfs.  The L1 kernel runs
 * under QEMU TCG with nested virtualization, so /dev/kvm is real KVM.  This
 * init loads the kvm modules (/modules/order), then runs Debian's QEMU as
 * listed in /runs, one line per comparison:
 *
 *   PAIR <cfg> <timeout-seconds> <qemu argv...>      plain, then with the shim
 *   CONTROL <cfg> <timeout-seconds> <qemu argv...>   plain, then with a broken
 *                                                    preload (/lib/libbadmmio.so)
 *   WRAP <cfg> <timeout-seconds> <qemu argv...>      plain, then through the
 *                                                    wrapper, /usr/bin/kvmrun-compat
 *
 * Leading NAME=value words before the QEMU path go to the environment of
 * the run with the shim (e.g. KVMRUN_COMPAT_LOG_LEVEL=debug to diagnose).
 *
 * "@HVC@" in the argv becomes the file QEMU writes the L2 virtio console to,
 * "%20" a space.
 * Every QEMU runs under a timeout (SIGKILL, status 124).  A PAIR whose two
 * runs differ (console transcript with timestamps stripped, virtio console,
 * exit status) or that timed out is run once more: nested TCG sometimes hangs
 * an L2 guest with or without the shim.  Everything is printed to the serial
 * console with RV- prefixes; report.awk on the host is the judge.
 *
 * realvmm.only=<cfg>,<cfg> on the kernel command line runs only those lines:
 * run.sh restarts an L1 guest that stopped making progress (nested TCG can
 * wedge the L1 kernel itself) with the configurations not yet done.
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

#define MAX_ARGS 96
#define SHIM "/lib/libkvmrun-compat-preload.so"
#define BAD "/lib/libbadmmio.so"
#define WRAPPER "/usr/bin/kvmrun-compat"

static void say(const char *fmt, ...)
{
	char buf[2048];
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
			say("RV-MODULE %s failed errno=%d\n", line, errno);
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

/* Read a whole file (NUL-terminated, "" when missing). Caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	if (f) {
		size_t n;
		while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
			len += n;
			if (cap - len < 2) {
				char *t = realloc(s, cap * 2);
				if (!t)
					break;
				s = t;
				cap *= 2;
			}
		}
		fclose(f);
	}
	s[len] = 0;
	return s;
}

/* Console text without CRs and without leading "[ secs.usecs] " stamps. */
static char *normalize(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;
	if (!out)
		return NULL;
	int bol = 1;
	for (const char *p = in; *p; p++) {
		if (bol && *p == '[') {
			const char *q = p + 1;
			while (*q == ' ' || (*q >= '0' && *q <= '9') || *q == '.')
				q++;
			if (*q == ']') {
				p = q + (q[1] == ' ');
				bol = 0;
				continue;
			}
		}
		if (*p == '\r')
			continue;
		*o++ = *p;
		bol = *p == '\n';
	}
	*o = 0;
	return out;
}

static void print_file(const char *tag, const char *path)
{
	char *s = slurp(path);
	if (!s)
		return;
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, "\r")] = 0;
		say("%s %s\n", tag, l);
	}
	free(s);
}

struct run_result {
	int status;   /* exit status, 128+signal, 124 on timeout */
	int timedout;
	char *text;   /* normalized console + virtio console + status */
};

static void run_qemu(const char *kind, const char *cfg, int timeout, char **argv, int shim, int try,
		     struct run_result *res)
{
	char hvc[128], out[128], err[128], stats[128], sarg[160];
	const char *mode = shim ? (strcmp(kind, "CONTROL") == 0 ? "bad" : "on") : "off";
	snprintf(hvc, sizeof hvc, "/tmp/hvc-%s-%s-%d.txt", cfg, mode, try);
	snprintf(out, sizeof out, "/tmp/out-%s-%s-%d.txt", cfg, mode, try);
	snprintf(err, sizeof err, "/tmp/err-%s-%s-%d.txt", cfg, mode, try);
	snprintf(stats, sizeof stats, "/tmp/stats-%s-%s-%d.json", cfg, mode, try);
	snprintf(sarg, sizeof sarg, "KVMRUN_COMPAT_STATS=%s", stats);
	char *env_on[16] = { "PATH=/usr/bin:/bin", "HOME=/tmp", "LD_PRELOAD=" SHIM, sarg,
			     "KVMRUN_COMPAT_LOG_LEVEL=warn", NULL };
	for (int e = 5; e < 15 && *argv && strchr(*argv, '=') && **argv != '/'; e++)
		env_on[e] = *argv++;
	int wrap = shim && strcmp(kind, "WRAP") == 0;
	if (wrap) {
		/* the wrapper sets LD_PRELOAD itself, to the file this names */
		env_on[2] = "KVMRUN_COMPAT_LIBRARY=" SHIM;
	}
	char *args[MAX_ARGS + 1];
	int n = 0;
	if (wrap) {
		args[n++] = WRAPPER;
		args[n++] = "--";
	}
	for (int j = 0; argv[j] && n < MAX_ARGS; j++, n++) {
		char *a = argv[j], *at = strstr(a, "@HVC@");
		if (at) {
			static char buf[MAX_ARGS][256];
			snprintf(buf[n], sizeof buf[n], "%.*s%s%s", (int)(at - a), a, hvc, at + 5);
			a = buf[n];
		}
		args[n] = a;
	}
	args[n] = NULL;
	char *env_off[] = { "PATH=/usr/bin:/bin", "HOME=/tmp", NULL };
	char *env_bad[] = { "PATH=/usr/bin:/bin", "HOME=/tmp", "LD_PRELOAD=" BAD, NULL };
	char **envp = !shim ? env_off : strcmp(mode, "bad") == 0 ? env_bad : env_on;

	say("RV-BEGIN cfg=%s shim=%s try=%d\n", cfg, mode, try);
	double t0 = now();
	pid_t p = fork();
	if (p == 0) {
		int i = open("/dev/null", O_RDONLY), o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644),
		    e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (i < 0 || o < 0 || e < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		setpgid(0, 0);
		execve(args[0], args, envp);
		_exit(127);
	}
	int st = 0;
	res->timedout = 0;
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
				res->timedout = 1;
				break;
			}
			usleep(100000);
		}
	}
	res->status = res->timedout ? 124 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	print_file("RV-OUT", out);
	print_file("RV-HVC", hvc);
	print_file("RV-ERR", err);
	if (shim && strcmp(mode, "on") == 0)
		print_file("RV-STATS", stats);
	say("RV-END cfg=%s shim=%s try=%d status=%d timeout=%d seconds=%.1f\n", cfg, mode, try,
	    res->status, res->timedout, now() - t0);

	char *o = slurp(out), *h = slurp(hvc);
	char *no = o ? normalize(o) : NULL;
	size_t len = (no ? strlen(no) : 0) + (h ? strlen(h) : 0) + 32;
	res->text = malloc(len);
	if (res->text)
		snprintf(res->text, len, "%s\n--hvc--\n%s\nstatus=%d", no ? no : "", h ? h : "",
			 res->status);
	free(o);
	free(h);
	free(no);
}

static char only[512]; /* ",cfg,cfg," from realvmm.only=, or "" for all */

static void read_only(void)
{
	char cmdline[2048] = "";
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
		cmdline[n > 0 ? n : 0] = 0;
		close(fd);
	}
	char *c = strstr(cmdline, "realvmm.only=");
	if (c) {
		c += strlen("realvmm.only=");
		snprintf(only, sizeof only, ",%.*s,", (int)strcspn(c, " \n"), c);
	}
}

static void run_line(char *line)
{
	char *argv[MAX_ARGS + 4], *save = NULL;
	int n = 0;
	for (char *t = strtok_r(line, " \t\n", &save); t && n < MAX_ARGS + 3; t = strtok_r(NULL, " \t\n", &save)) {
		char *o = t;
		for (char *p = t; *p; p++)
			if (strncmp(p, "%20", 3) == 0) {
				*o++ = ' ';
				p += 2;
			} else {
				*o++ = *p;
			}
		*o = 0;
		argv[n++] = t;
	}
	argv[n] = NULL;
	if (n < 4)
		return;
	const char *kind = argv[0], *cfg = argv[1];
	char key[128];
	snprintf(key, sizeof key, ",%s,", cfg);
	if (only[0] && !strstr(only, key))
		return;
	int timeout = atoi(argv[2]);
	int tries = strcmp(kind, "CONTROL") == 0 ? 1 : 2;
	for (int t = 1; t <= tries; t++) {
		struct run_result a = { 0 }, b = { 0 };
		run_qemu(kind, cfg, timeout, argv + 3, 0, t, &a);
		run_qemu(kind, cfg, timeout, argv + 3, 1, t, &b);
		int same = a.text && b.text && strcmp(a.text, b.text) == 0;
		const char *v = a.timedout || b.timedout ? "timeout" : same ? "identical" : "different";
		say("RV-PAIR kind=%s cfg=%s try=%d verdict=%s\n", kind, cfg, t, v);
		free(a.text);
		free(b.text);
		if (strcmp(v, "identical") == 0)
			break;
	}
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mkdir("/tmp", 01777);
	struct utsname u;
	uname(&u);
	say("RV-L1-BEGIN kernel=%s machine=%s\n", u.release, u.machine);
	load_modules();
	read_only();
	for (int i = 0; i < 50 && access("/dev/kvm", F_OK) != 0; i++)
		usleep(100000);
	if (access("/dev/kvm", F_OK) != 0) {
		say("RV-NOKVM kernel=%s\n", u.release);
	} else {
		FILE *f = fopen("/runs", "r");
		char line[4096];
		while (f && fgets(line, sizeof line, f))
			if (line[0] != '#')
				run_line(line);
		if (f)
			fclose(f);
	}
	say("RV-L1-END kernel=%s\n", u.release);
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

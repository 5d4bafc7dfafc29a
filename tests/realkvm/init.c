/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * init.c - static /init of the realkvm initramfs.  Mounts proc, sysfs and
 * devtmpfs, loads the kernel modules listed in /modules/order (x86_64: kvm is
 * a module in Debian's kernels) with finit_module(2), then runs /vmm once
 * without and, when /lib/libkvmrun-compat.so.0 is present, once with the shim
 * preloaded, then, when /vmm-static, /kvmrun-compat and
 * /kvmrun-compat-supervise are there, the static build of the VMM under the
 * wrapper, which supervises it (supervisor mode), and on the max CPU model
 * the same under a Firecracker-style seccomp filter of its own; when /vmm-go
 * is there the Go VMM under kvmrun-compat --supervise (on the max CPU model
 * also with the supervisor's work switched off).  On 6.12 it then runs the
 * VMM's abi-ci mode (tests/abi-ci-vmm.h)
 * with the shim, without and with KVMRUN_COMPAT_ABI=5.10 and _POISON, and on
 * 6.1 and 6.12 kvmrun-compat --probe --abi=5.10 when /kvmrun-compat is
 * there.  On 5.10 the run with the shim also records every exit
 * (KVMRUN_COMPAT_RECORD), printed in hex for the host's replay (replay.sh).
 * On the max CPU model it also measures what supervisor mode costs per
 * KVM_RUN (/bench-supervise: REALKVM-BENCH lines).
 * Everything goes to the serial console; the host parses it.
 * Finally it reboots, which with QEMU's -no-reboot ends QEMU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "init.h"

void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof buf) /* cut, not past the buffer */
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
			say("REALKVM-MODULE %s failed errno=%d\n", line, errno);
		else
			say("REALKVM-MODULE %s loaded\n", line);
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

/* The recording of a run (KVMRUN_COMPAT_RECORD=/rec, on 5.10), in hex on the
 * console for the host's replay (replay.sh): REALKVM-REC lines, then its size. */
static void dump_recording(const char *release, const char *cpu)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[48];
	char line[2 * sizeof buf + 1];
	size_t total = 0, n;
	FILE *f = fopen("/rec", "r");
	while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) {
		for (size_t i = 0; i < n; i++) {
			line[2 * i] = hex[buf[i] >> 4];
			line[2 * i + 1] = hex[buf[i] & 15];
		}
		line[2 * n] = 0;
		say("REALKVM-REC kernel=%s cpu=%s hex=%s\n", release, cpu, line);
		total += n;
	}
	if (f)
		fclose(f);
	say("REALKVM-REC-END kernel=%s cpu=%s bytes=%zu\n", release, cpu, total);
}

/* The plain runs: output to the console and, for the run=MODE comparisons,
 * to /ref-off.txt or /ref-on.txt.  record: the run with the shim also
 * records every exit (5.10: replay.sh) */
static void run_vmm(const char *cpu, int shim, int record, const char *release)
{
	int fd[2];
	if (pipe(fd) < 0)
		return;
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { "/vmm", (char *)cpu, NULL };
		char *envp_off[] = { "PATH=/", NULL };
		char *envp_on[] = { "PATH=/", "LD_PRELOAD=/lib/libkvmrun-compat.so.0",
				    record ? "KVMRUN_COMPAT_RECORD=/rec" : NULL, NULL };
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execve("/vmm", argv, shim ? envp_on : envp_off);
		say("REALKVM-ERROR exec /vmm: %s\n", strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	int out = open(shim ? "/ref-on.txt" : "/ref-off.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd[0], buf, sizeof buf)) > 0) {
		if (write(1, buf, (size_t)n) < 0 || (out >= 0 && write(out, buf, (size_t)n) < 0))
			break;
	}
	close(fd[0]);
	if (out >= 0)
		close(out);
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
	say("REALKVM-VMM-EXIT shim=%s status=%d\n", shim ? "on" : "off",
	    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	if (record)
		dump_recording(release, cpu);
}

/* One line of a VMM's output without its shim=... field. */
static char *next_line(FILE *f, char *buf, size_t len)
{
	if (!fgets(buf, (int)len, f))
		return NULL;
	char *s = strstr(buf, " shim=");
	if (s) {
		char *e = strchr(s + 1, ' ');
		memmove(s, e ? e : s + strlen(s), strlen(e ? e : s + strlen(s)) + 1);
	}
	return buf;
}

/* "identical", "differs@LINE" or "missing": a and b line by line, the
 * shim field aside */
static void compare(const char *a, const char *b, char *got, size_t len)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	static char la[4096], lb[4096];
	snprintf(got, len, "missing");
	if (fa && fb) {
		for (int line = 1;; line++) {
			char *x = next_line(fa, la, sizeof la), *y = next_line(fb, lb, sizeof lb);
			if (!x && !y) {
				snprintf(got, len, line > 1 ? "identical" : "missing");
				break;
			}
			if (!x || !y || strcmp(x, y)) {
				snprintf(got, len, "differs@%d", line);
				break;
			}
		}
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
}

/*
 * The VMMs LD_PRELOAD's ioctl wrapper does not see (vmm-run.c), each compared
 * with the preloaded run of the plain VMM: every line but the shim field must
 * be the same.  Output to /mode.txt only (the report steps read the console).
 */
static void run_mode(const char *cpu, const char *exe, const char *mode, int preload, int raw,
		     const char *against, const char *expect)
{
	char arg[32], got[32];
	snprintf(arg, sizeof arg, "run=%s", mode);
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { (char *)exe, (char *)cpu, arg, NULL };
		char *envp[] = { "PATH=/", preload ? "LD_PRELOAD=/lib/libkvmrun-compat.so.0" : NULL,
				 raw ? "KVMRUN_COMPAT_RAW_SYSCALLS=1" : NULL, NULL };
		if (!preload)
			envp[1] = raw ? envp[2] : NULL;
		int out = open("/mode.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (out >= 0)
			dup2(out, 1);
		execve(exe, argv, envp);
		_exit(127);
	}
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
	compare(against, "/mode.txt", got, sizeof got);
	struct utsname u;
	uname(&u);
	say("REALKVM-MODE kernel=%s cpu=%s mode=%s%s against=%s expect=%s got=%s status=%d\n", u.release, cpu,
	    mode, preload ? (raw ? "+raw-syscalls" : "+preload") : "+static", strstr(against, "-on") ? "shim-on" : "shim-off",
	    expect, got, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void run_modes(const char *cpu, unsigned maj, unsigned min)
{
	run_mode(cpu, "/vmm", "syscall", 1, 0, "/ref-on.txt", "identical");
	if (access("/vmm-api", X_OK) == 0)
		run_mode(cpu, "/vmm-api", "api", 0, 0, "/ref-on.txt", "identical");
	if (access("/raw-syscalls", F_OK) != 0)
		return; /* the shim was built without --raw-syscalls (no libseccomp for this arch) */
	run_mode(cpu, "/vmm", "inline", 1, 1, "/ref-on.txt", "identical");
	if (maj == 5 && min == 10) {
		/* the control: without --raw-syscalls the inline VMM is the shim-off one */
		run_mode(cpu, "/vmm", "inline", 1, 0, "/ref-off.txt", "identical");
		run_mode(cpu, "/vmm", "inline", 1, 0, "/ref-on.txt", "differs");
	}
}

/* tests/abi-ci-vmm.h on 6.12: the careless and the careful VMM with the shim,
 * without and with --abi=5.10 --poison (KVMRUN_COMPAT_ABI, _POISON) */
static void run_abi_ci(const char *cpu, const char *mode, int abi)
{
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { "/vmm", (char *)cpu, "abi-ci", (char *)mode, NULL };
		char *envp[] = { "PATH=/", "LD_PRELOAD=/lib/libkvmrun-compat.so.0",
				 abi ? "KVMRUN_COMPAT_ABI=5.10" : NULL, /* without: ends here, no poison */
				 "KVMRUN_COMPAT_POISON=1", NULL };
		execve("/vmm", argv, envp);
		_exit(127);
	}
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
}

/* A VMM under the wrapper (supervisor mode), each line prefixed tag, then
 * "<tag>-EXIT status=N ms=T"; env: one more variable (KVMRUN_COMPAT_...) or
 * NULL. */
static void run_tagged(const char *tag, char *const argv[], char *env)
{
	int fd[2];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (pipe(fd) < 0)
		return;
	pid_t p = fork();
	if (p == 0) {
		char *envp[] = { "PATH=/", "KVMRUN_COMPAT_LIBRARY=/lib/libkvmrun-compat.so.0",
				 "KVMRUN_COMPAT_SUPERVISOR=/kvmrun-compat-supervise", env, NULL };
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	char line[4096]; /* RAW lines are ~700 bytes; say() cuts at 512 */
	size_t tl = strlen(tag);
	while (f && fgets(line, sizeof line, f)) {
		/* "RESULT kernel=" becomes "RESULT_kernel=": the report steps find
		 * their keywords anywhere in a line (firmware escapes) and must not
		 * take these for the dynamic VMM's */
		char *sp = strchr(line, ' ');
		if (sp)
			*sp = '_';
		struct iovec v[3] = { { (void *)tag, tl }, { " ", 1 }, { line, strlen(line) } };
		if (writev(1, v, 3) < 0)
			break;
	}
	if (f)
		fclose(f);
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* ms: what the run cost the boot (check-real's time) */
	say("%s-EXIT status=%d ms=%ld\n", tag, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
	    (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
}

/* The static build of the VMM under the wrapper, which supervises it
 * (supervisor mode), each line prefixed tag: supervised.awk compares it with
 * the preloaded run of the dynamic build.  mode: NULL, or "filter" /
 * "filter=forbidden" (a Firecracker-style seccomp filter of the VMM's own,
 * vmm-filter.c; tags SUPFC and SUPFCX). */
static void run_supervised(const char *cpu, const char *mode, const char *tag)
{
	char *argv[] = { "/kvmrun-compat", "--", "/vmm-static", (char *)cpu, (char *)mode, NULL };
	run_tagged(tag, argv, NULL);
}

/* The Go VMM (govmm/, raw system calls of Go's runtime) under
 * kvmrun-compat --supervise, prefixed GOVMM, and, on one CPU model per
 * kernel, as the control with the supervisor's work switched off
 * (KVMRUN_COMPAT_MODE=off), prefixed GOVMM-OFF: govmm.awk compares them
 * with the dynamic C VMM's runs. */
static void run_go(const char *cpu, int control)
{
	char *argv[] = { "/kvmrun-compat", "--supervise", "--", "/vmm-go", (char *)cpu, NULL };
	run_tagged("GOVMM", argv, NULL);
	if (control)
		run_tagged("GOVMM-OFF", argv, "KVMRUN_COMPAT_MODE=off");
}

/* kvmrun-compat --probe --abi=5.10, each line prefixed ABIPROBE, then its
 * exit status */
static void run_abi_probe(void)
{
	int fd[2];
	if (pipe(fd) < 0)
		return;
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { "/kvmrun-compat", "--probe", "--abi=5.10", NULL };
		char *envp[] = { "PATH=/", "KVMRUN_COMPAT_LIBRARY=/lib/libkvmrun-compat.so.0", NULL };
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		execve("/kvmrun-compat", argv, envp);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	char line[256];
	int rules = 0; /* the rule table's exit names (INTERNAL_ERROR ...) would
			  read as keywords to the report steps: not forwarded */
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		rules |= !strncmp(line, "RULE ", 5);
		if (!rules)
			say("ABIPROBE %s\n", line);
	}
	if (f)
		fclose(f);
	int st = 0;
	if (p > 0)
		waitpid(p, &st, 0);
	say("ABIPROBE-EXIT status=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);

	/* realkvm.cpu=<tag> on the kernel command line names the QEMU CPU model */
	char cmdline[1024] = "", cpu[64] = "unknown";
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
		cmdline[n > 0 ? n : 0] = 0;
		close(fd);
	}
	char *c = strstr(cmdline, "realkvm.cpu=");
	if (c) {
		c += strlen("realkvm.cpu=");
		size_t n = strcspn(c, " \n");
		if (n >= sizeof cpu)
			n = sizeof cpu - 1;
		memcpy(cpu, c, n);
		cpu[n] = 0;
	}
	struct utsname u;
	uname(&u);
	say("REALKVM-BOOT kernel=%s\n", u.release);
	load_modules();
	for (int i = 0; i < 50 && access("/dev/kvm", F_OK) != 0; i++)
		usleep(100000);
	if (access("/dev/kvm", F_OK) != 0) {
		say("REALKVM-NOKVM kernel=%s\n", u.release);
	} else {
		run_vmm(cpu, 0, 0, u.release);
		if (access("/lib/libkvmrun-compat.so.0", F_OK) == 0) {
			unsigned maj = 0, min = 0;
			sscanf(u.release, "%u.%u", &maj, &min);
			run_vmm(cpu, 1, maj == 5 && min == 10, u.release);
			if (access("/vmm-static", X_OK) == 0 && access("/kvmrun-compat-supervise", X_OK) == 0 &&
			    access("/kvmrun-compat", X_OK) == 0) {
				run_supervised(cpu, NULL, "SUPVMM");
				/* Firecracker-style: the VMM's own per-thread filter
				 * stacked on the supervisor's (one CPU model per kernel) */
				if (!strcmp(cpu, "max")) {
					run_supervised(cpu, "filter", "SUPFC");
					run_supervised(cpu, "filter=forbidden", "SUPFCX");
				}
			}
			if (access("/vmm-go", X_OK) == 0 && access("/kvmrun-compat-supervise", X_OK) == 0 &&
			    access("/kvmrun-compat", X_OK) == 0)
				run_go(cpu, !strcmp(cpu, "max"));
			if (maj == 6 && min == 12)
				for (int m = 0; m < 2; m++)
					for (int abi = 0; abi < 2; abi++)
						run_abi_ci(cpu, m ? "careful" : "careless", abi);
			if (maj == 6 && (min == 1 || min == 12) && access("/kvmrun-compat", X_OK) == 0)
				run_abi_probe();
			/* one CPU model per kernel: the modes compare KVM paths, not CPUs */
			if (!strcmp(cpu, "max")) {
				run_modes(cpu, maj, min);
				init_bench(); /* supervisor mode's cost, one CPU model per kernel */
			}
		} else {
			say("REALKVM-NOSHIM kernel=%s\n", u.release);
		}
	}
	say("REALKVM-END kernel=%s\n", u.release);
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

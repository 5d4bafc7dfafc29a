/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-raw - nanoseconds per call for make bench's syscall() and
 * --raw-syscalls rows:
 *   bench-raw syscall N     syscall(SYS_getppid) N times (a number the shim
 *                           does not track, through its syscall())
 *   bench-raw inline N      ioctl(pipe, KVM_RUN) as an inline system call N
 *                           times (ENOTTY): under --raw-syscalls each one traps
 *                           to the shim's SIGSYS handler and is re-issued
 *   bench-raw pingpong N    a one-byte pipe round trip with a child process
 *   bench-raw kvm-inline N  KVM_RUN of a vCPU of /dev/kvm as an inline system
 *                           call N times (a real exit round trip where
 *                           /dev/kvm is real)
 * Prints "ns_per_call=<float>".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long inline_ioctl(long fd, long req, long arg)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = 0;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_ioctl), "D"(fd), "S"(req), "d"(arg), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_ioctl;
	register long x0 __asm__("x0") = fd;
	register long x1 __asm__("x1") = req;
	register long x2 __asm__("x2") = arg;
	register long x3 __asm__("x3") = 0;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
#else
	return syscall(SYS_ioctl, fd, req, arg);
#endif
}

static int measure(const char *kind, long n)
{
	int p[2], q[2];
	char c = 0;
	double t0, t1;

	if (!strcmp(kind, "syscall")) {
		for (long i = 0; i < n / 10; i++)
			syscall(SYS_getppid);
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		t1 = now_ns();
	} else if (!strcmp(kind, "inline")) {
		if (pipe(p))
			return 1;
		for (long i = 0; i < n / 10; i++)
			inline_ioctl(p[0], KVM_RUN, 0);
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			inline_ioctl(p[0], KVM_RUN, 0);
		t1 = now_ns();
	} else if (!strcmp(kind, "pingpong")) {
		if (pipe(p) || pipe(q))
			return 1;
		pid_t pid = fork();
		if (pid == 0) {
			close(p[1]);
			close(q[0]);
			while (read(p[0], &c, 1) == 1 && write(q[1], &c, 1) == 1)
				;
			_exit(0);
		}
		close(p[0]);
		close(q[1]);
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			if (write(p[1], &c, 1) != 1 || read(q[0], &c, 1) != 1)
				return 1;
		t1 = now_ns();
		close(p[1]);
		waitpid(pid, NULL, 0);
	} else if (!strcmp(kind, "kvm-inline")) {
		int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
		int fd = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
		long size = fd < 0 ? -1 : ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
		if (size <= 0 || mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED) {
			perror("bench-raw: KVM setup");
			return 1;
		}
		for (long i = 0; i < n / 10; i++)
			inline_ioctl(fd, KVM_RUN, 0);
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			inline_ioctl(fd, KVM_RUN, 0);
		t1 = now_ns();
	} else {
		fprintf(stderr, "usage: bench-raw syscall|inline|pingpong|kvm-inline ITERATIONS\n");
		return 2;
	}
	printf("ns_per_call=%.1f\n", (t1 - t0) / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-raw syscall|inline|pingpong|kvm-inline ITERATIONS\n");
		return 2;
	}
	return measure(argv[1], strtol(argv[2], NULL, 0));
}

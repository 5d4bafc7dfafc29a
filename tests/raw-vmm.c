/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * raw-vmm - an arm64 test VMM (on the KVM emulator) whose KVM calls bypass
 * libc's ioctl: through syscall(SYS_ioctl, ...) (and SYS_openat, SYS_mmap,
 * SYS_dup, SYS_close), or as an inline `syscall` / `svc #0` instruction.
 * For tests/test-raw-syscalls.sh.  It prints one line per exit, as
 * demo-vmm does, and the hostile cases' facts.
 *
 * raw-vmm [--run=libc|syscall|inline] [--sigsys=main|raw] [--own-filter]
 *         [--fork] [--set VAR=VAL]... [--exec PROG ARGS...]
 *   --run       how KVM_RUN (syscall: every KVM call and fd operation) is made
 *   --sigsys    install the VMM's own SIGSYS handler in main with sigaction
 *               (main) or with a raw rt_sigaction system call (raw, as Go does),
 *               then raise SIGSYS and report what its handler saw
 *               or only ask for the disposition it inherited (check: a
 *               disposition set before the shim, e.g. SIG_IGN across exec)
 *   --own-filter  install a filter of the VMM's own that traps getppid; the
 *               VMM's handler answers 4242
 *   --fork      run the VM in a forked child
 *   --set/--exec  after the VM, set the variables and exec PROG
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include "kvmrun-compat-uapi.h"

enum { RUN_LIBC, RUN_SYSCALL, RUN_INLINE };
static int run_mode = RUN_LIBC;
static volatile sig_atomic_t sigsys_seen, sigsys_code;

/* KVM_RUN as an inline system call, the fourth argument register holding junk */
static long inline_ioctl(long fd, long req, long arg)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = 0x5a5a5a5a5a5a5a5a;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_ioctl), "D"(fd), "S"(req), "d"(arg), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_ioctl;
	register long x0 __asm__("x0") = fd;
	register long x1 __asm__("x1") = req;
	register long x2 __asm__("x2") = arg;
	register long x3 __asm__("x3") = 0x5a5a5a5a5a5a5a5a;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
#else
	errno = ENOSYS;
	return -ENOSYS;
#endif
}

static long kvm(int fd, unsigned long req, void *arg)
{
	if (run_mode == RUN_SYSCALL)
		return syscall(SYS_ioctl, fd, req, arg);
	if (run_mode == RUN_INLINE && req == KVM_RUN) {
		long r = inline_ioctl(fd, (long)req, (long)arg);
		if (r < 0) {
			errno = (int)-r;
			return -1;
		}
		return r;
	}
	return ioctl(fd, req, arg);
}

static long xkvm(int fd, unsigned long req, void *arg, const char *what)
{
	long r = kvm(fd, req, arg);
	if (r < 0) {
		printf("error=%s errno=%d\n", what, errno);
		exit(2);
	}
	return r;
}

static int vm(void)
{
	int sc = run_mode == RUN_SYSCALL;
	int kfd = sc ? (int)syscall(SYS_openat, AT_FDCWD, "/dev/kvm", O_RDWR | O_CLOEXEC, 0)
		     : open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kfd < 0) {
		printf("error=open errno=%d\n", errno);
		return 2;
	}
	int vmfd = (int)xkvm(kfd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	int vcpu0 = (int)xkvm(vmfd, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	/* syscall mode: run a dup of the vCPU fd, the original closed */
	int vcpu = sc ? (int)syscall(SYS_dup, vcpu0) : vcpu0;
	if (sc)
		syscall(SYS_close, vcpu0);
	struct kvmrc_arm64_vcpu_init init;
	memset(&init, 0, sizeof(init));
	xkvm(vmfd, KVMRC_ARM_PREFERRED_TARGET, &init, "KVM_ARM_PREFERRED_TARGET");
	xkvm(vcpu, KVMRC_ARM_VCPU_INIT, &init, "KVM_ARM_VCPU_INIT");
	long size = xkvm(kfd, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = sc ? (void *)syscall(SYS_mmap, NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0)
				 : mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		printf("error=mmap errno=%d\n", errno);
		return 2;
	}
	for (int exits = 0; exits < 16; exits++) {
		if (kvm(vcpu, KVM_RUN, 0) < 0) {
			printf("exit=error errno=%d\n", errno);
			return 1;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			printf("exit=mmio addr=0x%llx\n", (unsigned long long)run->mmio.phys_addr);
			break;
		case KVM_EXIT_DEBUG: {
			const struct kvmrc_arm64_debug_exit_arch *d = (const void *)&run->debug.arch;
			printf("exit=debug hsr_high=0x%08x far=0x%016llx\n", d->hsr_high, (unsigned long long)d->far);
			return 0;
		}
		default:
			printf("exit=other reason=%u\n", run->exit_reason);
			return 1;
		}
	}
	return 1;
}

static void vmm_handler(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	sigsys_seen++;
	sigsys_code = si->si_code;
	if (si->si_code == 1 /* SYS_SECCOMP */ && si->si_syscall == SYS_getppid) {
		ucontext_t *uc = ucv;
#if defined(__x86_64__)
		uc->uc_mcontext.gregs[REG_RAX] = 4242;
#elif defined(__aarch64__)
		uc->uc_mcontext.regs[0] = 4242;
#endif
	}
}

static void own_sigsys(const char *how)
{
	if (!strcmp(how, "check")) {
		struct sigaction now;
		sigaction(SIGSYS, NULL, &now);
		printf("sigsys query=%s\n", now.sa_handler == SIG_IGN ? "ign" : now.sa_handler == SIG_DFL ? "dfl" : "other");
		raise(SIGSYS);
		printf("sigsys raised survived\n");
		return;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vmm_handler;
	sa.sa_flags = SA_SIGINFO;
	if (!strcmp(how, "raw")) {
		/* the kernel's struct sigaction, as a runtime without libc fills it:
		 * the one installed now (libc's restorer), with our handler */
		struct { void *h; unsigned long flags; void *restorer; unsigned long mask; } k;
		memset(&k, 0, sizeof(k));
		syscall(SYS_rt_sigaction, SIGSYS, NULL, &k, 8);
		k.h = (void *)vmm_handler;
		k.flags |= SA_SIGINFO;
		syscall(SYS_rt_sigaction, SIGSYS, &k, NULL, 8);
	} else {
		sigaction(SIGSYS, &sa, NULL);
	}
	struct sigaction now;
	sigaction(SIGSYS, NULL, &now);
	printf("sigsys query=%s\n", now.sa_sigaction == vmm_handler ? "own" : "other");
	raise(SIGSYS);
	printf("sigsys raised seen=%d code=%d\n", (int)sigsys_seen, (int)sigsys_code);
}

static void own_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		printf("error=own-filter errno=%d\n", errno);
	long r = syscall(SYS_getppid);
	printf("own-filter getppid=%ld\n", r);
}

int main(int argc, char **argv)
{
	const char *sigsys = NULL;
	int filter = 0, do_fork = 0, i;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--run=libc"))
			run_mode = RUN_LIBC;
		else if (!strcmp(argv[i], "--run=syscall"))
			run_mode = RUN_SYSCALL;
		else if (!strcmp(argv[i], "--run=inline"))
			run_mode = RUN_INLINE;
		else if (!strncmp(argv[i], "--sigsys=", 9))
			sigsys = argv[i] + 9;
		else if (!strcmp(argv[i], "--own-filter"))
			filter = 1;
		else if (!strcmp(argv[i], "--fork"))
			do_fork = 1;
		else if (!strcmp(argv[i], "--set") && i + 1 < argc)
			putenv(argv[++i]);
		else if (!strcmp(argv[i], "--exec") && i + 1 < argc)
			break;
		else {
			fprintf(stderr, "raw-vmm: bad argument %s\n", argv[i]);
			return 2;
		}
	}
	if (sigsys)
		own_sigsys(sigsys);
	if (filter)
		own_filter();
	int st;
	if (do_fork) {
		pid_t p = fork();
		if (p == 0)
			_exit(vm());
		int ws = 0;
		waitpid(p, &ws, 0);
		st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		printf("fork child status=%d\n", st);
	} else {
		st = vm();
	}
	if (i < argc) {
		execv(argv[i + 1], argv + i + 1);
		printf("error=exec errno=%d\n", errno);
		return 2;
	}
	return st;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rawsys.c - --raw-syscalls (KVMRUN_COMPAT_RAW_SYSCALLS=1): the in-process
 * backstop for a dynamic VMM whose KVM_RUN is an inline `syscall` / `svc #0`
 * that no libc wrapper sees.
 *
 * A libseccomp filter returns SECCOMP_RET_TRAP for ioctl(fd, KVM_RUN, ...)
 * unless the fourth argument register holds the process's cookie (64 random
 * bits from getrandom; the kernel ignores that register for KVM_RUN).  The
 * shim's own KVM_RUNs carry it (cookie.c), so libc's ioctl and syscall()
 * never trap.  An inline one does: the SIGSYS handler takes the call's
 * registers from the ucontext, runs it through the preload's KVM_RUN path
 * (kvmrc_ioctl_run: the same before and after work, the real call with the
 * cookie) and puts the result (or -errno) in the return register.  Every
 * other SIGSYS goes to the VMM's own disposition (interpose-signal.c keeps
 * it): a filter of the VMM's, kill(), a trap of the VMM's own.
 *
 * Installed in the constructor, before the VMM's threads, with TSYNC for a
 * thread another library's constructor may have started.  NO_NEW_PRIVS is
 * set only when the process lacks CAP_SYS_ADMIN (the kernel requires one of
 * the two).  Filters are inherited by fork and kept across exec: the cookie
 * is passed on in KVMRC_RAW_SYSCALLS_COOKIE, and an exec'd program with the
 * shim preloaded re-arms with it (no second filter); one without the shim
 * that issues KVM_RUN is killed by SIGSYS.  x86_64 and arm64 only.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/kvm.h>
#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif
#include "config.h"
#include "cookie.h"
#include "log.h"
#include "rawsys.h"
#include "real.h"
#include "kvmioctl.h"
#include "sys.h"

#define COOKIE_ENV "KVMRC_RAW_SYSCALLS_COOKIE"
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp trap (asm-generic/siginfo.h) */
#endif

#if defined(HAVE_SECCOMP) && (defined(__x86_64__) || defined(__aarch64__))
#define RAWSYS_SUPPORTED 1
#else
#define RAWSYS_SUPPORTED 0
#endif

unsigned long kvmrc_rawsys_trapped;

/*
 * The VMM's SIGSYS disposition: two copies, the published one named by gen's
 * low bit.  A writer fills the other copy and bumps gen; the handler copies
 * the published one and retries if gen moved meanwhile.  Writers (sigaction
 * calls for SIGSYS, rare) take turns on a flag.
 */
static struct sigaction vmm_act[2];
static unsigned int vmm_gen;
static int vmm_writing;

void kvmrc_rawsys_vmm_get(struct sigaction *out)
{
	for (int tries = 0; tries < 1000; tries++) {
		unsigned int g = __atomic_load_n(&vmm_gen, __ATOMIC_ACQUIRE);
		*out = vmm_act[g & 1];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&vmm_gen, __ATOMIC_RELAXED) == g)
			return;
	}
}

void kvmrc_rawsys_vmm_set(const struct sigaction *in)
{
	while (__atomic_exchange_n(&vmm_writing, 1, __ATOMIC_ACQUIRE))
		;
	unsigned int g = __atomic_load_n(&vmm_gen, __ATOMIC_RELAXED);
	vmm_act[(g + 1) & 1] = *in;
	__atomic_store_n(&vmm_gen, g + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&vmm_writing, 0, __ATOMIC_RELEASE);
}

#if RAWSYS_SUPPORTED
#if defined(__x86_64__)
#define ARCH_AUDIT AUDIT_ARCH_X86_64
static const int arg_reg[4] = { REG_RDI, REG_RSI, REG_RDX, REG_R10 };
#define ARG(uc, i) ((uc)->uc_mcontext.gregs[arg_reg[i]])
#define RET(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#else
#define ARCH_AUDIT AUDIT_ARCH_AARCH64
#define ARG(uc, i) ((uc)->uc_mcontext.regs[i])
#define RET(uc) ((uc)->uc_mcontext.regs[0])
#endif

static void rawsys_die(void)
{
	/* what the kernel does to a trapped SIGSYS that is ignored or blocked */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	kvmrc_real.sigaction(SIGSYS, &dfl, NULL);
	unsigned long set = 1ul << (SIGSYS - 1);
	kvmrc_sys(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	kvmrc_sys(SYS_tgkill, kvmrc_sys(SYS_getpid), kvmrc_sys(SYS_gettid), SIGSYS);
	kvmrc_sys(SYS_exit_group, 128 + SIGSYS);
}

/* A SIGSYS that is not ours, handed on as the VMM's disposition says. */
static void rawsys_chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction act;
	kvmrc_rawsys_vmm_get(&act);
	if (act.sa_handler == SIG_IGN && si->si_code != SYS_SECCOMP)
		return;
	if (act.sa_handler == SIG_DFL || act.sa_handler == SIG_IGN)
		rawsys_die();
	sigset_t mask = act.sa_mask, old;
	if (!(act.sa_flags & SA_NODEFER))
		sigaddset(&mask, SIGSYS);
	kvmrc_sys(SYS_rt_sigprocmask, SIG_BLOCK, &mask, &old, 8);
	if (act.sa_flags & SA_RESETHAND) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		kvmrc_rawsys_vmm_set(&dfl);
	}
	if (act.sa_flags & SA_SIGINFO)
		act.sa_sigaction(sig, si, uc);
	else
		act.sa_handler(sig);
	kvmrc_sys(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
}

static void rawsys_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int saved = errno;

	if (si->si_code == SYS_SECCOMP && si->si_syscall == SYS_ioctl && si->si_arch == ARCH_AUDIT &&
	    (uint32_t)ARG(uc, 1) == KVM_RUN && (uint64_t)ARG(uc, 3) != kvmrc_cookie_value) {
		int r = kvmrc_ioctl_run((int)ARG(uc, 0), (IOCTL_REQUEST_TYPE)ARG(uc, 1), (void *)ARG(uc, 2));
		RET(uc) = r < 0 ? -errno : r;
		__atomic_add_fetch(&kvmrc_rawsys_trapped, 1, __ATOMIC_RELAXED);
	} else {
		rawsys_chain(sig, si, ucv);
	}
	errno = saved;
}

static int load_filter(uint64_t cookie, int *nnp)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (!r)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!r)
		r = seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(ioctl), 2,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffull, (scmp_datum_t)KVM_RUN),
				     SCMP_A3(SCMP_CMP_NE, (scmp_datum_t)cookie));
	*nnp = 0;
	if (!r) {
		/* without NO_NEW_PRIVS when CAP_SYS_ADMIN allows it: setuid helpers keep working */
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
		r = seccomp_load(ctx);
		if (r) {
			*nnp = 1;
			seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
			r = seccomp_load(ctx);
		}
	}
	seccomp_release(ctx);
	return r;
}

/* A filter and its cookie inherited across exec: "Seccomp: 2" and the
 * cookie variable. */
static int inherited_cookie(uint64_t *cookie)
{
	const char *v = getenv(COOKIE_ENV);
	char buf[4096];
	if (!v || !*v)
		return 0;
	char *end;
	errno = 0;
	*cookie = strtoull(v, &end, 16);
	if (*end || errno || !*cookie)
		return 0;
	int fd = (int)kvmrc_sys(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	long n = kvmrc_sys(SYS_read, fd, buf, sizeof(buf) - 1);
	kvmrc_sys(SYS_close, fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, "\nSeccomp:\t2\n") != NULL;
}

/* Does the next ioctl go straight to the kernel (libc's own)?  Another
 * interposer below the shim (the KVM emulator) gets the call unchanged. */
static int next_is_libc(void)
{
	Dl_info di;
	if (!dladdr((void *)kvmrc_real.ioctl, &di) || !di.dli_fname)
		return 0;
	const char *base = strrchr(di.dli_fname, '/');
	base = base ? base + 1 : di.dli_fname;
	return !strncmp(base, "libc.so", 7);
}

void kvmrc_rawsys_arm(void)
{
	uint64_t cookie = 0;
	int inherited = inherited_cookie(&cookie);
	if ((!kvmrc_cfg.raw_syscalls || !kvmrc_cfg.active) && !inherited)
		return;
	if (!kvmrc_real_ready() || !kvmrc_real.sigaction)
		return;
	while (!inherited && !cookie)
		if (getrandom(&cookie, sizeof(cookie), 0) != sizeof(cookie)) {
			kvmrc_log(KVMRC_LOG_WARN, "--raw-syscalls: getrandom failed (%s); inline KVM_RUNs "
				  "stay unscrubbed", strerror(errno));
			return;
		}
	struct sigaction old, ours;
	kvmrc_real.sigaction(SIGSYS, NULL, &old);
	kvmrc_rawsys_vmm_set(&old);
	memset(&ours, 0, sizeof(ours));
	ours.sa_sigaction = rawsys_handler;
	ours.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK | SA_RESTART;
	sigemptyset(&ours.sa_mask);
	kvmrc_real.sigaction(SIGSYS, &ours, NULL);
	__atomic_store_n(&kvmrc_cookie_value, cookie, __ATOMIC_RELEASE);
	kvmrc_cookie_direct = next_is_libc();
	int nnp = 0, r = inherited ? 0 : load_filter(cookie, &nnp);
	if (r) {
		kvmrc_cookie_direct = 0;
		__atomic_store_n(&kvmrc_cookie_value, 0, __ATOMIC_RELEASE);
		kvmrc_real.sigaction(SIGSYS, &old, NULL);
		kvmrc_log(KVMRC_LOG_WARN, "--raw-syscalls: the seccomp filter could not be loaded (%s); "
			  "inline KVM_RUNs stay unscrubbed", strerror(-r));
		return;
	}
	kvmrc_cookie_handler = (void *)rawsys_handler;
	char hex[24];
	snprintf(hex, sizeof(hex), "%llx", (unsigned long long)cookie);
	setenv(COOKIE_ENV, hex, 1);
	kvmrc_log(KVMRC_LOG_INFO, "--raw-syscalls: inline ioctl(KVM_RUN) traps to SIGSYS (%s%s%s)",
		  inherited ? "filter inherited across exec" : "filter installed with TSYNC",
		  nnp ? ", NO_NEW_PRIVS set" : "",
		  kvmrc_cookie_direct ? "" : ", the ioctl below the shim is not libc's");
}
#else
void kvmrc_rawsys_arm(void)
{
	if (!kvmrc_cfg.raw_syscalls || !kvmrc_cfg.active)
		return;
	kvmrc_log(KVMRC_LOG_WARN, "--raw-syscalls: not in this build (needs libseccomp, x86_64 or arm64); "
		  "inline KVM_RUNs stay unscrubbed");
}
#endif

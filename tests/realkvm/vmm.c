/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm.c - the tiny test VMM that runs inside the QEMU guest of the real-kernel
 * proof harness (tests/realkvm/).  It drives real KVM (arm64 or x86_64) through
 * a few scenarios that leave bytes of struct kvm_run stale and prints one
 * machine-readable line per observed field:
 *
 *   RESULT kernel=<uname -r> arch=<a> cpu=<c> shim=<on|off> scenario=<s>
 *          field=<f> value=0x.. before=0x..
 *
 * "before" is what those bytes held right before the KVM_RUN that produced the
 * exit (left there by the previous exit, or planted by this VMM); "value" is
 * what the VMM sees after KVM_RUN returned (after the shim, when preloaded).
 * value == before (and non-zero) means nobody wrote the bytes: stale.
 *
 * vmm <cpu> run=syscall|inline (and run=api, the static build linked with
 * the project's static archive, vmm-run.c) makes the KVM calls another way;
 * vmm <cpu> filter runs the scenarios under a Firecracker-style seccomp
 * filter of the VMM's own (vmm-filter.c).
 *
 * It also prints "RAW" lines (bytes 0..127 of kvm_run before and after) and
 * "INFO"/"SKIP" lines.  It deliberately has no dependency on the project:
 * the shim is only ever reached through LD_PRELOAD.
 *
 * The scenarios themselves are in vmm-arm64.c and vmm-x86.c (emu-compare.c replays them on
 * the emulator); this file holds what is real: the guest code of each
 * scenario, the arm64 vCPU registers and the kernel's answers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "vmm-common.h"

#if defined(__aarch64__)
#define ARCH "arm64"
#elif defined(__x86_64__)
#define ARCH "x86_64"
#else
#error "tests/realkvm/vmm.c supports aarch64 and x86_64 guests only"
#endif

static int g_kvm = -1;

/* The guest code of each scenario, put at the start of guest memory (arm64)
 * or at X86_CODE (x86_64). */
struct guest {
	const char *scen;
	const void *code;
	size_t len;
};
#define GUEST(s, T, ...) { s, (const T[]){ __VA_ARGS__ }, sizeof((const T[]){ __VA_ARGS__ }) }

#if defined(__aarch64__)
/* ------------------------------------------------------------------ arm64 */
#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
		     (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))

/* guest code: 0: str w1,[x5]; 4: ldr x2,[x5,#8]; 8: <insn>; 12: b . */
#define I_STR 0xb90000a1u
#define I_LDR 0xf94004a2u
#define I_BRK 0xd4200000u
#define I_HVC 0xd4000002u
#define I_NOP 0xd503201fu
#define I_B_SELF 0x14000000u
#define ARM_GUEST(s, insn) GUEST(s, uint32_t, I_STR, I_LDR, insn, I_B_SELF)

static const struct guest guests[] = {
	ARM_GUEST("brk-after-mmio", I_BRK),
	ARM_GUEST("brk-poisoned", I_BRK),
	ARM_GUEST("step-after-mmio", I_NOP),
	ARM_GUEST("mmio-poisoned", I_BRK),
	ARM_GUEST("psci-off-after-mmio", I_HVC),
	ARM_GUEST("psci-reset-after-mmio", I_HVC),
	/* started at 4: the ldr, then strb / strh / str w1 / str x1, [x5] */
	ARM_GUEST("mmio-write1-after-read", 0x390000a1u),
	ARM_GUEST("mmio-write2-after-read", 0x790000a1u),
	ARM_GUEST("mmio-write4-after-read", 0xb90000a1u),
	ARM_GUEST("mmio-write8-after-read", 0xf90000a1u),
	ARM_GUEST("mmio-read-after-write", I_NOP),
	ARM_GUEST("watch-after-mmio", 0xb90000c1u), /* str w1,[x6] */
};
#define CODE_OFF 0
#define ARM_REGS arm_regs

static int set_reg(struct vm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	return ioctl(vm->vcpu, KVM_SET_ONE_REG, &r);
}

static int arm_regs(struct vm *vm, const char *scen, uint64_t pc, uint64_t x0)
{
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return fail(scen, "KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vm->vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
		return fail(scen, "KVM_ARM_VCPU_INIT");
	if (set_reg(vm, CORE_REG(regs.pc), pc) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[0]), x0) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[1]), 0x11223344) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[5]), ARM_MMIO_GPA) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[6]), ARM_WATCH_GPA) < 0 ||
	    set_reg(vm, CORE_REG(regs.pstate), 0x3c5) < 0) /* EL1h, DAIF masked */
		return fail(scen, "KVM_SET_ONE_REG");
	return 0;
}

/* watchpoint 0: E, PAC = EL1 and EL0, LSC = store, BAS = 8 bytes */
static int arm_watch(struct vm *vm, const char *scen, uint64_t addr)
{
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof dbg);
	dbg.control = KVM_GUESTDBG_ENABLE | ARM_GUESTDBG_USE_HW;
	dbg.arch.dbg_wcr[0] = 1u | (3u << 1) | (2u << 3) | (0xffu << 5);
	dbg.arch.dbg_wvr[0] = addr;
	return setup_ioctl(scen, "KVM_SET_GUEST_DEBUG(watchpoint)", vm->vcpu, KVM_SET_GUEST_DEBUG,
			   &dbg);
}
#define ARM_WATCH arm_watch

#define run_all run_arm64
#define run_abi_ci run_abi_ci_arm64
#else
/* ----------------------------------------------------------------- x86_64 */
static const struct guest guests[] = {
	GUEST("step-after-io", uint8_t,
	      0xf3, 0x6c,                   /* rep insb */
	      0x90, 0x90, 0xf4),
	GUEST("step-after-mmio", uint8_t,
	      0x64, 0x66, 0x8b, 0x07,       /* mov eax,fs:[bx] */
	      0x90, 0x90, 0xf4),            /* nop (stepped natively), nop, hlt */
	GUEST("hypercall-map-gpa", uint8_t,
	      0x66, 0xb8, 12, 0, 0, 0,      /* mov eax,12 */
	      0x66, 0xbb, 0, 0x30, 0, 0,    /* mov ebx,0x3000 */
	      0x66, 0xb9, 1, 0, 0, 0,       /* mov ecx,1 */
	      0x66, 0x31, 0xd2,             /* xor edx,edx */
	      0x0f, 0x01, 0xd9,             /* vmmcall */
	      0x66, 0xe7, X86_PORT,         /* out PORT,eax */
	      0xf4),
	GUEST("hv-crash-after-io", uint8_t,
	      0xf3, 0x6c,                   /* rep insb */
	      0x66, 0xb9, 0x05, 0x01, 0x00, 0x40, /* mov ecx,0x40000105 */
	      0x66, 0xba, 0x00, 0x00, 0x00, 0x80, /* mov edx,1<<31 */
	      0x66, 0x31, 0xc0,             /* xor eax,eax */
	      0x0f, 0x30,                   /* wrmsr */
	      0xf4),
#define MMIO_RD 0x64, 0x66, 0x8b, 0x07      /* mov eax,fs:[bx] */
	GUEST("mmio-write1-after-read", uint8_t, MMIO_RD,
	      0x66, 0xf7, 0xd0,             /* not eax: not the bytes read */
	      0x64, 0x88, 0x07,             /* mov fs:[bx],al */
	      0xf4),
	GUEST("mmio-write2-after-read", uint8_t, MMIO_RD,
	      0x66, 0xf7, 0xd0,             /* not eax: not the bytes read */
	      0x64, 0x89, 0x07,             /* mov fs:[bx],ax */
	      0xf4),
	GUEST("mmio-write4-after-read", uint8_t, MMIO_RD,
	      0x66, 0xf7, 0xd0,             /* not eax: not the bytes read */
	      0x64, 0x66, 0x89, 0x07,       /* mov fs:[bx],eax */
	      0xf4),
	GUEST("mmio-write8-after-read", uint8_t, MMIO_RD,
	      0x0f, 0x6f, 0x04,             /* movq mm0,[si] */
	      0x64, 0x0f, 0x7f, 0x07,       /* movq fs:[bx],mm0 */
	      0xf4),
	GUEST("mmio-read-after-io", uint8_t,
	      0xf3, 0x6c,                   /* rep insb */
	      MMIO_RD, 0xf4),
	GUEST("io-out-after-read", uint8_t, MMIO_RD,
	      0xee,                         /* out dx,al */
	      0xf4),
	GUEST("io-in-after-write", uint8_t,
	      0x64, 0x66, 0x89, 0x07,       /* mov fs:[bx],eax */
	      0xec,                         /* in al,dx */
	      0xf4),
	GUEST("hlt-after-read", uint8_t, MMIO_RD, 0xf4),
	GUEST("rdmsr-after-read", uint8_t, MMIO_RD,
	      0x66, 0xb9, 0x45, 0x23, 0x01, 0x00, /* mov ecx,0x12345 */
	      0x0f, 0x32,                   /* rdmsr */
	      0x66, 0xe7, X86_PORT,         /* out PORT,eax */
	      0xf4),
};
#define CODE_OFF X86_CODE
#define ARM_REGS NULL /* no arm64 scenario runs */
#define ARM_WATCH NULL
#define run_all run_x86_64
#define run_abi_ci run_abi_ci_x86_64
#endif

/*
 * Plain stores, not libc's memcpy (an ifunc): written by it, under QEMU 7.2
 * TCG -cpu max the nested guest kept running the previous scenario's code
 * from the same physical page (psci-off-after-mmio ran mmio-poisoned's brk).
 */
static void put_code(char *dst, const void *code, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((volatile char *)dst)[i] = ((const char *)code)[i];
}

static int vm_open(struct vm *vm, const char *scen, uint64_t gpa, size_t memsz)
{
	if (vm_create(vm, scen, g_kvm, 0, gpa, memsz) < 0)
		return -1;
	for (size_t i = 0; i < sizeof guests / sizeof guests[0]; i++) {
		if (!strcmp(guests[i].scen, scen)) {
			put_code((char *)vm->mem + CODE_OFF, guests[i].code, guests[i].len);
			return 0;
		}
	}
	errno = ENOENT;
	return fail(scen, "no-guest-code");
}

/* every set-up ioctl must succeed on a real kernel */
static int setup_failed(const char *scen, const char *name, int ret)
{
	(void)ret;
	return fail(scen, name);
}

static int cap_gate(const char *scen, const char *capname, long value)
{
	(void)scen, (void)capname;
	return value > 0;
}

/* the guest sends the eax it got back with out */
static int ret_seen(struct vm *vm, const char *scen, uint32_t *ret)
{
	(void)scen;
	memcpy(ret, (char *)vm->run + vm->run->io.data_offset, 4);
	return 0;
}

const struct vmm_backend vmm_backend = {
	.vm_open = vm_open,
	.arm_regs = ARM_REGS,
	.arm_watch = ARM_WATCH,
	.setup_failed = setup_failed,
	.cap_gate = cap_gate,
	.ret_seen = ret_seen,
};

int main(int argc, char **argv)
{
	struct utsname u;
	memset(&u, 0, sizeof u);
	setvbuf(stdout, NULL, _IONBF, 0);
	strcpy(g_arch, ARCH);
	strcpy(g_cpu, "unknown");
	if (uname(&u) == 0)
		snprintf(g_kernel, sizeof g_kernel, "%s", u.release);
	if (argc > 1)
		snprintf(g_cpu, sizeof g_cpu, "%s", argv[1]);
	const char *pre = getenv("LD_PRELOAD");
	if (pre && *pre)
		strcpy(g_shim, "on");
	/* vmm <cpu> run=MODE: KVM calls through syscall(), inline, or the static
	 * archive's API (vmm-run.c); the lines say shim=on, to be compared
	 * with the preloaded run's */
	if (argc > 2 && !strncmp(argv[2], "run=", 4)) {
		if (vmm_run_mode(argv[2] + 4) != 0) {
			fail("setup", argv[2]);
			return 2;
		}
		strcpy(g_shim, "on");
	}
	/* the kernel's x.y.z with Debian's patch level (uname -v "Debian
	 * x.y.z-n"), for compare.sh: the shim's fixed facts depend on it */
	const char *deb = strstr(u.version, "Debian ");
	unsigned a, b, c;
	if (deb && sscanf(deb + 7, "%u.%u.%u", &a, &b, &c) == 3)
		out("UNAME " HDR " kver=%u.%u.%u", HDRARGS, a, b, c);
	else
		out("UNAME " HDR " kver=%s", HDRARGS, g_kernel);
	g_kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g_kvm < 0) {
		fail("setup", "open /dev/kvm");
		return 2;
	}
	if (argc > 3 && !strcmp(argv[2], "abi-ci")) {
		/* one line for the host: the VMM under test passed (0) or failed */
		const char *abi = getenv("KVMRUN_COMPAT_ABI");
		g_abi_ci = !strcmp(argv[3], "careful") ? 2 : 1;
		vmm_begin(g_kvm);
		run_abi_ci();
		g_abi_ci = 0;
		out("ABICI " HDR " mode=%s abi=%s poison=%s status=%d failures=%d msg=%s", HDRARGS, argv[3],
		    abi ? abi : "none", getenv("KVMRUN_COMPAT_POISON") ? "on" : "off", g_abi_ci_status, g_failures,
		    g_abi_ci_status ? g_abi_ci_msg : g_abi_ci_err[0] ? g_abi_ci_err : "-");
		return 0;
	}
	vmm_begin(g_kvm);
	/* vmm <cpu> filter[=forbidden]: the scenarios on a thread under a
	 * Firecracker-style seccomp filter of its own (vmm-filter.c) */
#ifndef VMM_API /* the static API build (musl) has no uapi seccomp headers */
	if (argc > 2 && !strncmp(argv[2], "filter", 6)) {
		if (vmm_filter_run(run_all, argv[2][6] == '=' ? argv[2] + 7 : NULL) < 0)
			return 2;
		return vmm_end();
	}
#endif
	run_all();
	return vmm_end();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-compare.c - the realkvm scenarios of vmm.c, replayed on the user-space
 * KVM emulator (tools/emu, preloaded) so that compare.sh can compare the
 * emulator's struct kvm_run bytes with what the real kernels wrote.
 *
 *   LD_PRELOAD=[shim:]libkvmrun-emu.so KVMEMU_PROFILE=<arch>-<ver> \
 *     emu-compare --arch arm64|x86_64 --kernel <uname -r of the real kernel> \
 *                 [--real-ran scen1,scen2,...]
 *
 * It is built for the host (x86_64) and speaks both architectures' ioctls:
 * the emulator does not care which CPU the VMM runs on.  It performs exactly
 * the VMM-side actions of vmm.c, in the same order: the same ioctls, the same
 * poisoning of flags/the union before KVM_RUN, the same VMM writes between
 * exits (MMIO read data, hypercall.ret), and prints the same RESULT / RAW /
 * INFO / SKIP lines with cpu=emu.  The emulator does not execute guest code,
 * so each scenario opens /dev/kvm with a KVMEMU_SCENARIO that lists the
 * exits the real guest code produces, with the addresses and data the real
 * runs show (see the SCEN_* texts below).
 *
 * Extra lines, for compare.sh:
 *   IOCTL ... scenario=S ioctl=NAME ret=R errno=E
 *       a set-up ioctl that vmm.c issues and that succeeded on every real
 *       kernel (vmm.c prints ERROR otherwise, and report.awk fails) but
 *       failed on the emulator.  The scenario continues: the ioctl does not
 *       touch kvm_run.
 *   CAP ... scenario=S cap=NAME value=V real=ran|skipped
 *       a capability check by which vmm.c decides to skip a scenario, when
 *       the emulator's answer disagrees with what the real kernel did
 *       (--real-ran lists the scenarios it ran).  The scenario then follows
 *       the real kernel, so its bytes are still compared.
 * ret-seen-by-guest: the real guest sends back the RAX it got; the emulator
 * has no guest, so this is the hypercall.ret the emulator read back on the
 * next KVM_RUN (its KVMEMU_LOG "readback" line), low 32 bits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201
#endif
#ifndef KVM_CAP_SYSTEM_EVENT_DATA
#define KVM_CAP_SYSTEM_EVENT_DATA 215
#endif
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE 12
#endif

static char g_kernel[128] = "unknown", g_arch[16], g_shim[8] = "off", g_log[256];
static const char *g_real_ran; /* comma-separated, NULL: not given */
static int g_probe;            /* --probe: only open /dev/kvm (profile known?) */
static long g_mmap_size;
static int g_failures;

static void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define HDR "kernel=%s arch=%s cpu=emu shim=%s"
#define HDRARGS g_kernel, g_arch, g_shim

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

static void skip(const char *scen, const char *why)
{
	out("SKIP " HDR " scenario=%s reason=%s", HDRARGS, scen, why);
}

static void fail(const char *scen, const char *what)
{
	out("ERROR " HDR " scenario=%s what=%s errno=%d(%s)", HDRARGS, scen, what, errno,
	    strerror(errno));
	g_failures++;
}

/* A set-up ioctl: report a failure as an IOCTL drift line and go on. */
static int xioctl(const char *scen, const char *name, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);
	if (r < 0)
		out("IOCTL " HDR " scenario=%s ioctl=%s ret=%d errno=%s", HDRARGS, scen, name, r,
		    ename(errno));
	return r;
}

/* Did the real kernel run scen (RESULT lines seen)? -1: not told. */
static int real_ran(const char *scen)
{
	if (!g_real_ran)
		return -1;
	size_t n = strlen(scen);
	for (const char *p = g_real_ran; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !strncmp(p, scen, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* vmm.c skips scen when cap <= 0; follow the real kernel when told, and
 * report the disagreement.  Returns 1 to run the scenario. */
static int cap_gate(const char *scen, const char *capname, long value)
{
	int emu_runs = value > 0, rr = real_ran(scen);
	if (rr < 0 || rr == emu_runs)
		return emu_runs;
	out("CAP " HDR " scenario=%s cap=%s value=%ld real=%s", HDRARGS, scen, capname, value,
	    rr ? "ran" : "skipped");
	return rr;
}

static uint64_t rd(const void *run, unsigned off, unsigned len)
{
	uint64_t v = 0;
	memcpy(&v, (const char *)run + off, len);
	return v;
}

static void field(const char *scen, const char *name, const void *run, const void *before,
		  unsigned off, unsigned len)
{
	int w = (int)len * 2;
	out("RESULT " HDR " scenario=%s field=%s off=%u len=%u value=0x%0*" PRIx64
	    " before=0x%0*" PRIx64,
	    HDRARGS, scen, name, off, len, w, rd(run, off, len), w, rd(before, off, len));
}

static void raw(const char *scen, const char *tag, const void *run)
{
	char hex[2 * 128 + 1];
	for (int i = 0; i < 128; i++)
		sprintf(hex + 2 * i, "%02x", ((const unsigned char *)run)[i]);
	out("RAW " HDR " scenario=%s %s=%s", HDRARGS, scen, tag, hex);
}

struct vm {
	int kvm, fd, vcpu;
	struct kvm_run *run;
	void *mem;
	size_t memsz;
	unsigned char before[4096];
};

/*
 * A fresh /dev/kvm per scenario: the emulator reads KVMEMU_SCENARIO when
 * /dev/kvm is opened, and each vCPU replays the steps from the first.
 */
static int vm_create(struct vm *vm, const char *scen, const char *steps, uint64_t gpa,
		     size_t memsz)
{
	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
	setenv("KVMEMU_SCENARIO", steps, 1);
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0) {
		fail(scen, "open /dev/kvm");
		return -1;
	}
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0UL);
	if (vm->fd < 0) {
		fail(scen, "KVM_CREATE_VM");
		return -1;
	}
	vm->memsz = memsz;
	vm->mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		fail(scen, "mmap guest memory");
		return -1;
	}
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = gpa, .memory_size = memsz,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	xioctl(scen, "KVM_SET_USER_MEMORY_REGION", vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0UL);
	if (vm->vcpu < 0) {
		fail(scen, "KVM_CREATE_VCPU");
		return -1;
	}
	vm->run = mmap(NULL, g_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		fail(scen, "mmap kvm_run");
		return -1;
	}
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, g_mmap_size);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->memsz);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm >= 0)
		close(vm->kvm);
}

static int vm_run(struct vm *vm, const char *scen)
{
	memcpy(vm->before, vm->run, sizeof(struct kvm_run));
	if (ioctl(vm->vcpu, KVM_RUN, 0UL) < 0) {
		fail(scen, "KVM_RUN");
		return -1;
	}
	return 0;
}

static int expect_exit(struct vm *vm, const char *scen, unsigned reason)
{
	if (vm->run->exit_reason != reason) {
		out("ERROR " HDR " scenario=%s what=exit_reason got=%u want=%u", HDRARGS, scen,
		    vm->run->exit_reason, reason);
		raw(scen, "after", vm->run);
		g_failures++;
		return -1;
	}
	return 0;
}

static void set_guest_debug(struct vm *vm, const char *scen, uint32_t control)
{
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof dbg);
	dbg.control = control;
	xioctl(scen, "KVM_SET_GUEST_DEBUG", vm->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
}

static void system_event_fields(const char *scen, struct vm *vm)
{
	field(scen, "flags", vm->run, vm->before, 14, 2);
	field(scen, "type", vm->run, vm->before, 32, 4);
	field(scen, "ndata", vm->run, vm->before, 36, 4);
	field(scen, "data0", vm->run, vm->before, 40, 8);
	field(scen, "data1", vm->run, vm->before, 48, 8);
}

#define JUNK8 0xdeadbeefcafef00dULL

/* ------------------------------------------------------------------ arm64 */
#define A_RAM_GPA 0x40000000ULL
#define A_RAM_SIZE 0x10000UL
#define A_MMIO_GPA 0xabcdef0000ULL
#define A_I_BRK 0xd4200000u
#define A_I_HVC 0xd4000002u
#define A_I_NOP 0xd503201fu
#define A_GUESTDBG_USE_SW_BP (1u << 16) /* arm64 asm/kvm.h */
#define A_VCPU_PSCI_0_2 2
/* ONE_REG ids of arm64 core registers: KVM_REG_ARM64 | SIZE_U64 | ARM_CORE |
 * offsetof(struct kvm_regs, x) / 4 (user_pt_regs: regs[31], sp, pc, pstate) */
#define A_CORE(off4) (0x6000000000000000ull | 0x0030000000000000ull | 0x0000000000100000ull | (off4))
#define A_REG_X(n) A_CORE((n) * 2u)
#define A_REG_PC A_CORE(256u / 4u)

/*
 * The exits the real guest produces (vmm.c arm_setup: str w1,[x5] with
 * w1 = 0x11223344 and x5 = 0xab_cdef_0000; ldr x2,[x5,#8]; then the
 * instruction under test).  BRK #0: ESR 0xf2000000; software step over the
 * nop: ESR EC 0x32 with ISS 0x22 (the ISV bit, 24, is CPU/kernel state and
 * differs between kernels, see compare.sh).
 */
#define A_MMIO_W "mmio addr=0xabcdef0000 len=4 write=1 data=0x11223344"
#define A_MMIO_R "mmio addr=0xabcdef0008 len=8 write=0"
#define A_PROLOGUE A_MMIO_W "; " A_MMIO_R "; "

static int set_reg(struct vm *vm, const char *scen, const char *name, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	char what[64];
	snprintf(what, sizeof what, "KVM_SET_ONE_REG(%s)", name);
	return xioctl(scen, what, vm->vcpu, KVM_SET_ONE_REG, &r);
}

static int arm_setup(struct vm *vm, const char *scen, const char *steps, unsigned start_off,
		     uint64_t x0)
{
	if (vm_create(vm, scen, steps, A_RAM_GPA, A_RAM_SIZE) < 0)
		return -1;
	struct kvmrc_arm64_vcpu_init init;
	memset(&init, 0, sizeof init);
	xioctl(scen, "KVM_ARM_PREFERRED_TARGET", vm->fd, KVMRC_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1u << A_VCPU_PSCI_0_2;
	xioctl(scen, "KVM_ARM_VCPU_INIT", vm->vcpu, KVMRC_ARM_VCPU_INIT, &init);
	set_reg(vm, scen, "pc", A_REG_PC, A_RAM_GPA + start_off);
	set_reg(vm, scen, "x0", A_REG_X(0), x0);
	set_reg(vm, scen, "x1", A_REG_X(1), 0x11223344);
	set_reg(vm, scen, "x5", A_REG_X(5), A_MMIO_GPA);
	set_reg(vm, scen, "pstate", KVMRC_ARM64_REG_PSTATE, 0x3c5);
	return 0;
}

static int arm_mmio_prologue(struct vm *vm, const char *scen)
{
	if (vm_run(vm, scen) < 0 || expect_exit(vm, scen, KVM_EXIT_MMIO) < 0)
		return -1;
	if (!vm->run->mmio.is_write || vm->run->mmio.phys_addr != A_MMIO_GPA) {
		out("ERROR " HDR " scenario=%s what=mmio-write addr=0x%llx", HDRARGS, scen,
		    (unsigned long long)vm->run->mmio.phys_addr);
		g_failures++;
		return -1;
	}
	if (vm_run(vm, scen) < 0 || expect_exit(vm, scen, KVM_EXIT_MMIO) < 0)
		return -1;
	if (vm->run->mmio.is_write || vm->run->mmio.len != 8) {
		out("ERROR " HDR " scenario=%s what=mmio-read", HDRARGS, scen);
		g_failures++;
		return -1;
	}
	uint64_t junk = JUNK8;
	memcpy(vm->run->mmio.data, &junk, 8);
	return 0;
}

static void arm_debug_fields(const char *scen, struct vm *vm)
{
	field(scen, "flags", vm->run, vm->before, 14, 2);
	field(scen, "hsr", vm->run, vm->before, 32, 4);
	field(scen, "hsr_high", vm->run, vm->before, 36, 4);
	field(scen, "far", vm->run, vm->before, 40, 8);
}

static void arm_scen_debug(const char *scen, const char *steps, uint32_t dbgctl, int poison)
{
	struct vm vm;
	if (arm_setup(&vm, scen, steps, poison ? 8 : 0, 0) < 0)
		goto done;
	if (poison) {
		vm.run->flags = 0xa5a5;
		memset((char *)vm.run + 32, 0xa5, 256);
	} else if (arm_mmio_prologue(&vm, scen) < 0) {
		goto done;
	}
	set_guest_debug(&vm, scen, dbgctl);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	arm_debug_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void arm_scen_psci(const char *scen, const char *steps, uint64_t fn)
{
	struct vm vm;
	if (arm_setup(&vm, scen, steps, 0, fn) < 0 || arm_mmio_prologue(&vm, scen) < 0)
		goto done;
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_SYSTEM_EVENT) < 0)
		goto done;
	system_event_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void arm_scen_mmio_poison(const char *scen)
{
	struct vm vm;
	if (arm_setup(&vm, scen, A_MMIO_W, 0, 0) < 0)
		goto done;
	vm.run->flags = 0xa5a5;
	memset((char *)vm.run + 32, 0xa5, 256);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	field(scen, "flags", vm.run, vm.before, 14, 2);
	field(scen, "phys_addr", vm.run, vm.before, 32, 8);
	field(scen, "data", vm.run, vm.before, 40, 8);
	field(scen, "len", vm.run, vm.before, 48, 4);
	field(scen, "is_write", vm.run, vm.before, 52, 1);
	field(scen, "pad53", vm.run, vm.before, 53, 3);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void arm_run_all(void)
{
	arm_scen_debug("brk-after-mmio", A_PROLOGUE "debug ec=brk",
		       KVM_GUESTDBG_ENABLE | A_GUESTDBG_USE_SW_BP, 0);
	arm_scen_debug("brk-poisoned", "debug ec=brk", KVM_GUESTDBG_ENABLE | A_GUESTDBG_USE_SW_BP, 1);
	arm_scen_debug("step-after-mmio", A_PROLOGUE "debug ec=softstep iss=0x22",
		       KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0);
	arm_scen_mmio_poison("mmio-poisoned");
	arm_scen_psci("psci-off-after-mmio", A_PROLOGUE "system_event type=shutdown", 0x84000008ULL);
	arm_scen_psci("psci-reset-after-mmio", A_PROLOGUE "system_event type=reset", 0x84000009ULL);
	skip("internal-error", "arm64-handle_exit-default-not-guest-reachable");
	skip("fail-entry", "needs-asymmetric-32bit-el0-or-pmu-mismatch");
	(void)A_I_BRK, (void)A_I_HVC, (void)A_I_NOP;
}

/* ----------------------------------------------------------------- x86_64 */
#define X_RAM_GPA 0x0ULL
#define X_RAM_SIZE 0x10000UL
#define X_CODE 0x1100u
#define X_SRC 0x2000u
#define X_MMIO_BASE 0xd0000000u
#define X_PORT 0x10u
#define X_REPCOUNT 0x55u

/*
 * The exits the real guest produces (vmm.c, real mode at 0x1100):
 *  rep insb, cx=0x55, port 0x10: one IO exit, count 0x55;
 *  the single-step that completes it reports pc 0x1100, the next one (over a
 *  nop) 0x1102; mov eax,fs:[bx] with fs base 0xd0000000, bx 0x40: a 4-byte
 *  MMIO read at 0xd0000040, then the step reports pc 0x1104;
 *  vmmcall with eax=12 ebx=0x3000 ecx=1 edx=0 in real mode (longmode 0),
 *  then out 0x10,eax; the Hyper-V crash MSR write.
 * The steps are "singlestep" exits (x86.c kvm_vcpu_do_singlestep: dr6 =
 * DR6_BS | DR6_ACTIVE_LOW = 0xffff4ff0, pc, exception; dr7 not written), not
 * "debug_db" (the VMX #DB intercept, which writes dr7): the step that
 * completes an emulated IO/MMIO instruction takes that path on every kernel,
 * and the real SVM kernels under QEMU TCG leave dr7 unwritten for the step
 * over the nop as well (see expected.txt).
 */
#define X_IO_IN "io port=0x10 dir=in size=1 count=0x55"
#define X_SCEN_STEP_IO X_IO_IN "; singlestep pc=0x1100; singlestep pc=0x1102"
#define X_SCEN_STEP_MMIO "mmio addr=0xd0000040 len=4 write=0; singlestep pc=0x1104"
#define X_SCEN_HCALL "hypercall nr=12 a0=0x3000 a1=1 a2=0 longmode=0; " \
	"io port=0x10 dir=out size=4 count=1 data=0"
#define X_SCEN_HVCRASH X_IO_IN "; hyperv_crash"

static int x86_setup(struct vm *vm, const char *scen, const char *steps)
{
	if (vm_create(vm, scen, steps, X_RAM_GPA, X_RAM_SIZE) < 0)
		return -1;
	memset((char *)vm->mem + X_SRC, 0x5a, 0x100);
	struct kvm_sregs s;
	memset(&s, 0, sizeof s);
	xioctl(scen, "KVM_GET_SREGS", vm->vcpu, KVM_GET_SREGS, &s);
	s.cs.base = 0, s.cs.selector = 0;
	s.ds.base = 0, s.ds.selector = 0;
	s.es.base = 0, s.es.selector = 0;
	s.fs.base = X_MMIO_BASE, s.fs.selector = 0;
	xioctl(scen, "KVM_SET_SREGS", vm->vcpu, KVM_SET_SREGS, &s);
	struct kvm_regs r;
	memset(&r, 0, sizeof r);
	r.rip = X_CODE;
	r.rflags = 0x2;
	r.rsi = X_SRC;
	r.rcx = X_REPCOUNT;
	r.rdx = X_PORT;
	r.rbx = 0x40;
	r.rdi = 0x3000;
	r.rsp = 0x8000;
	xioctl(scen, "KVM_SET_REGS", vm->vcpu, KVM_SET_REGS, &r);
	return 0;
}

static void step_fields(const char *scen, struct vm *vm)
{
	field(scen, "flags", vm->run, vm->before, 14, 2);
	field(scen, "exception", vm->run, vm->before, 32, 4);
	field(scen, "pad", vm->run, vm->before, 36, 4);
	field(scen, "pc", vm->run, vm->before, 40, 8);
	field(scen, "dr6", vm->run, vm->before, 48, 8);
	field(scen, "dr7", vm->run, vm->before, 56, 8);
}

static void x86_scen_step_after_io(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen, X_SCEN_STEP_IO) < 0)
		goto done;
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	out("INFO " HDR " scenario=%s io-count=%u size=%u port=0x%x data_offset=%llu", HDRARGS,
	    scen, vm.run->io.count, vm.run->io.size, vm.run->io.port,
	    (unsigned long long)vm.run->io.data_offset);
	set_guest_debug(&vm, scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	memset((char *)vm.run + 48, 0xa5, 16);
	int ios = 0;
	do {
		if (vm_run(&vm, scen) < 0)
			goto done;
	} while (vm.run->exit_reason == KVM_EXIT_IO && ++ios < 300);
	if (ios)
		out("INFO " HDR " scenario=%s extra-io-exits=%d", HDRARGS, scen, ios);
	if (expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	step_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
	const char *scen2 = "step-native-after-step";
	memset((char *)vm.run + 36, 0xa5, 4);
	memset((char *)vm.run + 56, 0xa5, 8);
	if (vm_run(&vm, scen2) < 0 || expect_exit(&vm, scen2, KVM_EXIT_DEBUG) < 0)
		goto done;
	step_fields(scen2, &vm);
	raw(scen2, "before", vm.before);
	raw(scen2, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void x86_scen_step_after_mmio(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen, X_SCEN_STEP_MMIO) < 0)
		goto done;
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	uint64_t junk = JUNK8;
	memcpy(vm.run->mmio.data, &junk, 8);
	memset((char *)vm.run + 53, 0xa5, 11);
	set_guest_debug(&vm, scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	step_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

/* The last "readback ... hypercall.ret=0x..." the emulator logged. */
static int readback_ret(uint64_t *ret)
{
	FILE *f = fopen(g_log, "r");
	char line[512];
	int found = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		const char *p = strstr(line, "hypercall.ret=");
		if (p && sscanf(p + 14, "%" SCNx64, ret) == 1)
			found = 1;
	}
	fclose(f);
	return found;
}

static void x86_scen_hypercall(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen, X_SCEN_HCALL) < 0)
		goto done;
	long have = ioctl(vm.kvm, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);
	if (!cap_gate(scen, "KVM_CAP_EXIT_HYPERCALL", have)) {
		skip(scen, "no-KVM_CAP_EXIT_HYPERCALL");
		goto done;
	}
	struct kvm_enable_cap cap;
	memset(&cap, 0, sizeof cap);
	cap.cap = KVM_CAP_EXIT_HYPERCALL;
	cap.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE;
	xioctl(scen, "KVM_ENABLE_CAP(EXIT_HYPERCALL)", vm.fd, KVM_ENABLE_CAP, &cap);
	memset((char *)vm.run + 64, 0xa5, 48);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_HYPERCALL) < 0)
		goto done;
	field(scen, "flags", vm.run, vm.before, 14, 2);
	field(scen, "nr", vm.run, vm.before, 32, 8);
	field(scen, "args0", vm.run, vm.before, 40, 8);
	field(scen, "args3", vm.run, vm.before, 64, 8);
	field(scen, "ret", vm.run, vm.before, 88, 8);
	field(scen, "longmode", vm.run, vm.before, 96, 4);
	field(scen, "pad100", vm.run, vm.before, 100, 4);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
	vm.run->hypercall.ret = 0x1234567;
	if (g_log[0])
		truncate(g_log, 0);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	uint64_t ret = 0;
	if (!readback_ret(&ret)) {
		out("ERROR " HDR " scenario=%s what=no-hypercall.ret-readback-in-KVMEMU_LOG(%s)",
		    HDRARGS, scen, g_log);
		g_failures++;
		goto done;
	}
	out("RESULT " HDR " scenario=%s field=ret-seen-by-guest off=88 len=4 value=0x%08x "
	    "before=0x%08x",
	    HDRARGS, scen, (uint32_t)ret, 0x1234567u);
done:
	vm_destroy(&vm);
}

static void x86_scen_hv_crash(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen, X_SCEN_HVCRASH) < 0)
		goto done;
	long have = ioctl(vm.kvm, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV);
	if (!cap_gate(scen, "KVM_CAP_HYPERV", have)) {
		skip(scen, "no-KVM_CAP_HYPERV");
		goto done;
	}
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[4];
	} c;
	memset(&c, 0, sizeof c);
	c.h.nent = 4;
	c.e[0].function = 0x40000000;
	c.e[0].eax = 0x40000005;
	c.e[0].ebx = 0x7263694d, c.e[0].ecx = 0x666f736f, c.e[0].edx = 0x76482074;
	c.e[1].function = 0x40000001;
	c.e[1].eax = 0x31237648;
	c.e[2].function = 0x40000003;
	c.e[2].edx = 1u << 10;
	c.e[3].function = 0x0;
	c.e[3].eax = 0x1;
	xioctl(scen, "KVM_SET_CPUID2", vm.vcpu, KVM_SET_CPUID2, &c);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	memset((char *)vm.run + 48, 0xa5, 8);
	int ios = 0;
	do {
		if (vm_run(&vm, scen) < 0)
			goto done;
	} while (vm.run->exit_reason == KVM_EXIT_IO && ++ios < 300);
	if (expect_exit(&vm, scen, KVM_EXIT_SYSTEM_EVENT) < 0)
		goto done;
	system_event_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void x86_run_all(void)
{
	x86_scen_step_after_io("step-after-io");
	x86_scen_step_after_mmio("step-after-mmio");
	x86_scen_hypercall("hypercall-map-gpa");
	x86_scen_hv_crash("hv-crash-after-io");
}

static void usage(void)
{
	fprintf(stderr, "usage: emu-compare --arch arm64|x86_64 [--kernel RELEASE] "
			"[--real-ran SCEN,...] [--log FILE] [--probe]\n"
			"  (run with LD_PRELOAD=[shim:]libkvmrun-emu.so KVMEMU_PROFILE=...)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--arch") && v)
			snprintf(g_arch, sizeof g_arch, "%s", v), i++;
		else if (!strcmp(argv[i], "--kernel") && v)
			snprintf(g_kernel, sizeof g_kernel, "%s", v), i++;
		else if (!strcmp(argv[i], "--real-ran") && v)
			g_real_ran = v, i++;
		else if (!strcmp(argv[i], "--probe"))
			g_probe = 1;
		else if (!strcmp(argv[i], "--log") && v)
			snprintf(g_log, sizeof g_log, "%s", v), i++;
		else
			usage();
	}
	if (strcmp(g_arch, "arm64") && strcmp(g_arch, "x86_64"))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *pre = getenv("LD_PRELOAD");
	if (pre && strstr(pre, "libkvmrun-compat"))
		strcpy(g_shim, "on");
	if (!g_log[0])
		snprintf(g_log, sizeof g_log, "/tmp/emu-compare-%ld.log", (long)getpid());
	setenv("KVMEMU_LOG", g_log, 1);

	/* like vmm.c main: one /dev/kvm for the global questions */
	setenv("KVMEMU_SCENARIO", "", 1);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g_probe)
		return kvm < 0 ? 2 : 0;
	if (kvm < 0) {
		fail("setup", "open /dev/kvm (is libkvmrun-emu.so preloaded?)");
		return 2;
	}
	g_mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	out("INFO " HDR " api=%d mmap_size=%ld cap_system_event_data=%d", HDRARGS,
	    ioctl(kvm, KVM_GET_API_VERSION, 0UL), g_mmap_size,
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYSTEM_EVENT_DATA));
	if (!strcmp(g_arch, "arm64"))
		arm_run_all();
	else
		x86_run_all();
	close(kvm);
	out("VMMDONE " HDR " failures=%d", HDRARGS, g_failures);
	return g_failures ? 1 : 0;
}

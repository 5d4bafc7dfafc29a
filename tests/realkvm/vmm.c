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
 * It also prints "RAW" lines (bytes 0..127 of kvm_run before and after) and
 * "INFO"/"SKIP" lines.  It deliberately has no dependency on the project:
 * the shim is only ever reached through LD_PRELOAD.
 *
 * Each scenario uses a fresh VM and vCPU, so kvm_run starts zeroed and every
 * junk byte is accounted for.
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
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/kvm.h>

#if defined(__aarch64__)
#define ARCH "arm64"
#elif defined(__x86_64__)
#define ARCH "x86_64"
#else
#error "tests/realkvm/vmm.c supports aarch64 and x86_64 guests only"
#endif

#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201
#endif
#ifndef KVM_CAP_SYSTEM_EVENT_DATA
#define KVM_CAP_SYSTEM_EVENT_DATA 215
#endif
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE 12
#endif

static char g_kernel[128], g_cpu[64] = "unknown", g_shim[8] = "off";
static int g_kvm = -1;
static long g_mmap_size;
static int g_failures;

static void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* one write() per line: the serial console must not interleave */
	size_t n = strlen(buf);
	if (n + 1 < sizeof buf) {
		buf[n++] = '\n';
		buf[n] = 0;
	}
	if (write(1, buf, n) < 0)
		_exit(3);
}

#define HDR "kernel=%s arch=" ARCH " cpu=%s shim=%s"
#define HDRARGS g_kernel, g_cpu, g_shim

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

static uint64_t rd(const void *run, unsigned off, unsigned len)
{
	uint64_t v = 0;
	memcpy(&v, (const char *)run + off, len); /* little endian on both */
	return v;
}

/* Print one field: bytes [off, off+len) now and before the KVM_RUN. */
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
	int fd, vcpu;
	struct kvm_run *run;
	void *mem;
	size_t memsz;
	unsigned char before[4096];
};

static int vm_create(struct vm *vm, const char *scen, uint64_t gpa, size_t memsz)
{
	memset(vm, 0, sizeof *vm);
	vm->fd = ioctl(g_kvm, KVM_CREATE_VM, 0UL);
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
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		fail(scen, "KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0UL);
	if (vm->vcpu < 0) {
		fail(scen, "KVM_CREATE_VCPU");
		return -1;
	}
	vm->run = mmap(NULL, g_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		fail(scen, "mmap kvm_run");
		return -1;
	}
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, g_mmap_size);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->memsz);
	if (vm->vcpu > 0)
		close(vm->vcpu);
	if (vm->fd > 0)
		close(vm->fd);
}

/* KVM_RUN once; keep a copy of the page as it was just before. */
static int vm_run(struct vm *vm, const char *scen)
{
	memcpy(vm->before, vm->run, sizeof(struct kvm_run));
	int r = ioctl(vm->vcpu, KVM_RUN, 0UL);
	if (r < 0) {
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
	if (ioctl(vm->vcpu, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		fail(scen, "KVM_SET_GUEST_DEBUG");
}

static void system_event_fields(const char *scen, struct vm *vm)
{
	field(scen, "flags", vm->run, vm->before, 14, 2);
	field(scen, "type", vm->run, vm->before, 32, 4);
	field(scen, "ndata", vm->run, vm->before, 36, 4);
	field(scen, "data0", vm->run, vm->before, 40, 8);
	field(scen, "data1", vm->run, vm->before, 48, 8);
}

#define JUNK8 0xdeadbeefcafef00dULL /* what the VMM "reads" from an MMIO device */

#if defined(__aarch64__)
/* ------------------------------------------------------------------ arm64 */
#define RAM_GPA 0x40000000ULL
#define RAM_SIZE 0x10000UL
#define MMIO_GPA 0xabcdef0000ULL /* upper 32 bits non-zero: 0xab */

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
		     (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))

/* guest code: 0: str w1,[x5]; 4: ldr x2,[x5,#8]; 8: <insn>; 12: b . */
#define I_STR 0xb90000a1u
#define I_LDR 0xf94004a2u
#define I_BRK 0xd4200000u
#define I_HVC 0xd4000002u
#define I_NOP 0xd503201fu
#define I_B_SELF 0x14000000u

static int set_reg(struct vm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	return ioctl(vm->vcpu, KVM_SET_ONE_REG, &r);
}

static int get_reg(struct vm *vm, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };
	return ioctl(vm->vcpu, KVM_GET_ONE_REG, &r);
}

static int arm_setup(struct vm *vm, const char *scen, uint32_t insn, unsigned start_off,
		     uint64_t x0)
{
	if (vm_create(vm, scen, RAM_GPA, RAM_SIZE) < 0)
		return -1;
	uint32_t code[4] = { I_STR, I_LDR, insn, I_B_SELF };
	memcpy(vm->mem, code, sizeof code);
	struct kvm_vcpu_init init;
	memset(&init, 0, sizeof init);
	if (ioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		fail(scen, "KVM_ARM_PREFERRED_TARGET");
		return -1;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vm->vcpu, KVM_ARM_VCPU_INIT, &init) < 0) {
		fail(scen, "KVM_ARM_VCPU_INIT");
		return -1;
	}
	if (set_reg(vm, CORE_REG(regs.pc), RAM_GPA + start_off) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[0]), x0) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[1]), 0x11223344) < 0 ||
	    set_reg(vm, CORE_REG(regs.regs[5]), MMIO_GPA) < 0 ||
	    set_reg(vm, CORE_REG(regs.pstate), 0x3c5) < 0) { /* EL1h, DAIF masked */
		fail(scen, "KVM_SET_ONE_REG");
		return -1;
	}
	return 0;
}

/* run the str (MMIO write) and ldr (MMIO read, VMM answers JUNK8) */
static int arm_mmio_prologue(struct vm *vm, const char *scen)
{
	if (vm_run(vm, scen) < 0 || expect_exit(vm, scen, KVM_EXIT_MMIO) < 0)
		return -1;
	if (!vm->run->mmio.is_write || vm->run->mmio.phys_addr != MMIO_GPA) {
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

static void debug_fields(const char *scen, struct vm *vm)
{
	field(scen, "flags", vm->run, vm->before, 14, 2);
	field(scen, "hsr", vm->run, vm->before, 32, 4);
	field(scen, "hsr_high", vm->run, vm->before, 36, 4);
	field(scen, "far", vm->run, vm->before, 40, 8);
}

static void scen_debug(const char *scen, uint32_t insn, uint32_t dbgctl, int poison)
{
	struct vm vm;
	if (arm_setup(&vm, scen, insn, poison ? 8 : 0, 0) < 0)
		goto done;
	if (poison) {
		/* the VMM scribbles on flags and the whole union before the first KVM_RUN */
		vm.run->flags = 0xa5a5;
		memset((char *)vm.run + 32, 0xa5, 256);
	} else if (arm_mmio_prologue(&vm, scen) < 0) {
		goto done;
	}
	set_guest_debug(&vm, scen, dbgctl);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	debug_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void scen_psci(const char *scen, uint64_t fn)
{
	struct vm vm;
	if (arm_setup(&vm, scen, I_HVC, 0, fn) < 0 || arm_mmio_prologue(&vm, scen) < 0)
		goto done;
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_SYSTEM_EVENT) < 0)
		goto done;
	system_event_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

static void scen_mmio_poison(const char *scen)
{
	/* which bytes does an MMIO write exit write, after a poisoned page? */
	struct vm vm;
	if (arm_setup(&vm, scen, I_BRK, 0, 0) < 0)
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

static void run_all(void)
{
	scen_debug("brk-after-mmio", I_BRK, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 0);
	scen_debug("brk-poisoned", I_BRK, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, 1);
	scen_debug("step-after-mmio", I_NOP, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0);
	scen_mmio_poison("mmio-poisoned");
	scen_psci("psci-off-after-mmio", 0x84000008ULL);
	scen_psci("psci-reset-after-mmio", 0x84000009ULL);
	skip("internal-error", "arm64-handle_exit-default-not-guest-reachable");
	skip("fail-entry", "needs-asymmetric-32bit-el0-or-pmu-mismatch");
	(void)get_reg;
}

#else
/* ----------------------------------------------------------------- x86_64 */
#define RAM_GPA 0x0ULL
#define RAM_SIZE 0x10000UL
#define CODE 0x1100u /* so that pc differs from io.data_offset (0x1000) */
#define SRC 0x2000u
#define MMIO_BASE 0xd0000000u
#define PORT 0x10u
#define REPCOUNT 0x55u

static int x86_setup(struct vm *vm, const char *scen, const uint8_t *code, size_t n)
{
	if (vm_create(vm, scen, RAM_GPA, RAM_SIZE) < 0)
		return -1;
	memcpy((char *)vm->mem + CODE, code, n);
	memset((char *)vm->mem + SRC, 0x5a, 0x100);
	struct kvm_sregs s;
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &s) < 0) {
		fail(scen, "KVM_GET_SREGS");
		return -1;
	}
	s.cs.base = 0, s.cs.selector = 0;
	s.ds.base = 0, s.ds.selector = 0;
	s.es.base = 0, s.es.selector = 0;
	s.fs.base = MMIO_BASE, s.fs.selector = 0; /* fs: the MMIO device */
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &s) < 0) {
		fail(scen, "KVM_SET_SREGS");
		return -1;
	}
	struct kvm_regs r;
	memset(&r, 0, sizeof r);
	r.rip = CODE;
	r.rflags = 0x2;
	r.rsi = SRC;
	r.rcx = REPCOUNT;
	r.rdx = PORT;
	r.rbx = 0x40;
	r.rdi = 0x3000;
	r.rsp = 0x8000;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &r) < 0) {
		fail(scen, "KVM_SET_REGS");
		return -1;
	}
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

/* rep insb (one IO exit for the whole string: count at 36-39, data_offset
 * at 40-47), then single-step the next instruction */
static void scen_step_after_io(const char *scen)
{
	static const uint8_t code[] = { 0xf3, 0x6c, /* rep insb */
					0x90, 0x90, 0xf4 };
	struct vm vm;
	if (x86_setup(&vm, scen, code, sizeof code) < 0)
		goto done;
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	out("INFO " HDR " scenario=%s io-count=%u size=%u port=0x%x data_offset=%llu", HDRARGS,
	    scen, vm.run->io.count, vm.run->io.size, vm.run->io.port,
	    (unsigned long long)vm.run->io.data_offset);
	set_guest_debug(&vm, scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	/* the VMM leaves junk where dr6/dr7 go: they must be written on #DB */
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
	/*
	 * One more step: the nop is not emulated by KVM, so this #DB comes from
	 * the hardware (SVM #DB intercept) path, not from the emulator's
	 * kvm_vcpu_do_singlestep(); the previous exit's bytes are the junk.
	 */
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

/* mov eax,fs:[bx] (MMIO read, the VMM answers JUNK8 into all 8 data bytes), step */
static void scen_step_after_mmio(const char *scen)
{
	static const uint8_t code[] = { 0x64, 0x66, 0x8b, 0x07, /* mov eax,fs:[bx] */
					0x90, 0x90, 0xf4 };
	struct vm vm;
	if (x86_setup(&vm, scen, code, sizeof code) < 0)
		goto done;
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	uint64_t junk = JUNK8;
	memcpy(vm.run->mmio.data, &junk, 8);
	memset((char *)vm.run + 53, 0xa5, 11); /* junk up to the end of dr7 */
	set_guest_debug(&vm, scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	step_fields(scen, &vm);
	raw(scen, "before", vm.before);
	raw(scen, "after", vm.run);
done:
	vm_destroy(&vm);
}

/*
 * KVM_HC_MAP_GPA_RANGE with KVM_CAP_EXIT_HYPERCALL: before the hypercall the
 * VMM leaves junk at 100-103 (the old hypercall pad) and at 88-95 (ret);
 * on the exit it writes ret, and the guest sends the eax it got back with out.
 */
static void scen_hypercall(const char *scen)
{
	static const uint8_t code[] = { 0x66, 0xb8, 12, 0, 0, 0,     /* mov eax,12 */
					0x66, 0xbb, 0, 0x30, 0, 0,   /* mov ebx,0x3000 */
					0x66, 0xb9, 1, 0, 0, 0,      /* mov ecx,1 */
					0x66, 0x31, 0xd2,            /* xor edx,edx */
					0x0f, 0x01, 0xd9,            /* vmmcall */
					0x66, 0xe7, PORT,            /* out PORT,eax */
					0xf4 };
	struct vm vm;
	if (x86_setup(&vm, scen, code, sizeof code) < 0)
		goto done;
	int have = ioctl(g_kvm, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);
	if (have <= 0) {
		skip(scen, "no-KVM_CAP_EXIT_HYPERCALL");
		goto done;
	}
	struct kvm_enable_cap cap;
	memset(&cap, 0, sizeof cap);
	cap.cap = KVM_CAP_EXIT_HYPERCALL;
	cap.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE;
	if (ioctl(vm.fd, KVM_ENABLE_CAP, &cap) < 0) {
		fail(scen, "KVM_ENABLE_CAP(EXIT_HYPERCALL)");
		goto done;
	}
	memset((char *)vm.run + 64, 0xa5, 48); /* args[3..5], ret, flags/longmode+pad */
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
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	uint32_t eax;
	memcpy(&eax, (char *)vm.run + vm.run->io.data_offset, 4);
	out("RESULT " HDR " scenario=%s field=ret-seen-by-guest off=88 len=4 value=0x%08x "
	    "before=0x%08x",
	    HDRARGS, scen, eax, 0x1234567u);
done:
	vm_destroy(&vm);
}

/* Hyper-V crash notification (HV_X64_MSR_CRASH_CTL) after an IO exit (rep insb) */
static void scen_hv_crash(const char *scen)
{
	static const uint8_t code[] = { 0xf3, 0x6c,                             /* rep insb */
					0x66, 0xb9, 0x05, 0x01, 0x00, 0x40,     /* mov ecx,0x40000105 */
					0x66, 0xba, 0x00, 0x00, 0x00, 0x80,     /* mov edx,1<<31 */
					0x66, 0x31, 0xc0,                       /* xor eax,eax */
					0x0f, 0x30,                             /* wrmsr */
					0xf4 };
	struct vm vm;
	if (x86_setup(&vm, scen, code, sizeof code) < 0)
		goto done;
	if (ioctl(g_kvm, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV) <= 0) {
		skip(scen, "no-KVM_CAP_HYPERV");
		goto done;
	}
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[4];
	} c;
	memset(&c, 0, sizeof c);
	c.h.nent = 4;
	c.e[0].function = 0x40000000; /* vendor: "Microsoft Hv" */
	c.e[0].eax = 0x40000005;
	c.e[0].ebx = 0x7263694d, c.e[0].ecx = 0x666f736f, c.e[0].edx = 0x76482074;
	c.e[1].function = 0x40000001; /* interface "Hv#1" */
	c.e[1].eax = 0x31237648;
	c.e[2].function = 0x40000003; /* features: crash MSRs */
	c.e[2].edx = 1u << 10;
	c.e[3].function = 0x0;
	c.e[3].eax = 0x1;
	if (ioctl(vm.vcpu, KVM_SET_CPUID2, &c) < 0) {
		fail(scen, "KVM_SET_CPUID2");
		goto done;
	}
	if (vm_run(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	/* the IO exit left count (0x55) at 36-39 and data_offset at 40-47; the VMM
	 * also leaves junk at 48-55 (past the old system_event) */
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

static void run_all(void)
{
	scen_step_after_io("step-after-io");
	scen_step_after_mmio("step-after-mmio");
	scen_hypercall("hypercall-map-gpa");
	scen_hv_crash("hv-crash-after-io");
}
#endif

int main(int argc, char **argv)
{
	struct utsname u;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (uname(&u) == 0)
		snprintf(g_kernel, sizeof g_kernel, "%s", u.release);
	if (argc > 1)
		snprintf(g_cpu, sizeof g_cpu, "%s", argv[1]);
	const char *pre = getenv("LD_PRELOAD");
	if (pre && *pre)
		strcpy(g_shim, "on");
	g_kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g_kvm < 0) {
		fail("setup", "open /dev/kvm");
		return 2;
	}
	g_mmap_size = ioctl(g_kvm, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	out("INFO " HDR " api=%d mmap_size=%ld cap_system_event_data=%d", HDRARGS,
	    ioctl(g_kvm, KVM_GET_API_VERSION, 0UL), g_mmap_size,
	    ioctl(g_kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYSTEM_EVENT_DATA));
	run_all();
	out("VMMDONE " HDR " failures=%d", HDRARGS, g_failures);
	return g_failures ? 1 : 0;
}

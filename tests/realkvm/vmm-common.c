/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-common.c - output, VM life cycle and the scenarios shared by vmm.c and
 * emu-compare.c (see vmm-common.h).
 *
 * Each scenario uses a fresh VM and vCPU, so kvm_run starts zeroed and every
 * junk byte is accounted for.  A RESULT line prints bytes [off, off+len) of
 * kvm_run after the KVM_RUN that produced the exit ("value") and right before
 * it ("before"); value == before (and non-zero) means nobody wrote them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmm-common.h"

char g_kernel[128], g_arch[16], g_cpu[64], g_shim[8] = "off";
long g_mmap_size;
int g_failures;

#define BE vmm_backend

/* ---------------------------------------------------------------- output */
void out(const char *fmt, ...)
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

void skip(const char *scen, const char *why)
{
	out("SKIP " HDR " scenario=%s reason=%s", HDRARGS, scen, why);
}

int fail(const char *scen, const char *what)
{
	out("ERROR " HDR " scenario=%s what=%s errno=%d(%s)", HDRARGS, scen, what, errno,
	    strerror(errno));
	g_failures++;
	return -1;
}

static uint64_t rd(const void *run, unsigned off, unsigned len)
{
	uint64_t v = 0;
	memcpy(&v, (const char *)run + off, len); /* little endian on both */
	return v;
}

/* Print one field: bytes [off, off+len) now and before the KVM_RUN. */
void field(const char *scen, const char *name, const void *run, const void *before,
	   unsigned off, unsigned len)
{
	int w = (int)len * 2;
	out("RESULT " HDR " scenario=%s field=%s off=%u len=%u value=0x%0*" PRIx64
	    " before=0x%0*" PRIx64,
	    HDRARGS, scen, name, off, len, w, rd(run, off, len), w, rd(before, off, len));
}

void raw(const char *scen, const char *tag, const void *run)
{
	char hex[2 * 128 + 1];
	for (int i = 0; i < 128; i++)
		sprintf(hex + 2 * i, "%02x", ((const unsigned char *)run)[i]);
	out("RAW " HDR " scenario=%s %s=%s", HDRARGS, scen, tag, hex);
}

/* The first line (the global answers of /dev/kvm) and the last. */
void vmm_begin(int kvm)
{
	g_mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	out("INFO " HDR " api=%d mmap_size=%ld cap_system_event_data=%d", HDRARGS,
	    ioctl(kvm, KVM_GET_API_VERSION, 0UL), g_mmap_size,
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYSTEM_EVENT_DATA));
}

int vmm_end(void)
{
	out("VMMDONE " HDR " failures=%d", HDRARGS, g_failures);
	return g_failures ? 1 : 0;
}

struct fld { /* a field list: name, offset, length */
	const char *name;
	unsigned off, len;
};

/* The fields of an exit, then bytes 0..127 before and after it. */
static void report(const char *scen, const struct vm *vm, const struct fld *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		field(scen, f[i].name, vm->run, vm->before, f[i].off, f[i].len);
	raw(scen, "before", vm->before);
	raw(scen, "after", vm->run);
}
#define REPORT(scen, vm, list) report(scen, vm, list, sizeof list / sizeof list[0])

static const struct fld system_event_fields[] = {
	{ "flags", 14, 2 }, { "type", 32, 4 }, { "ndata", 36, 4 },
	{ "data0", 40, 8 }, { "data1", 48, 8 },
};

/* ------------------------------------------------------------ VM plumbing */
int setup_ioctl(const char *scen, const char *name, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);
	return r < 0 ? BE.setup_failed(scen, name, r) : 0;
}

int vm_create(struct vm *vm, const char *scen, int kvm, int own_kvm, uint64_t gpa,
	      size_t memsz)
{
	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
	if (kvm < 0)
		return fail(scen, "open /dev/kvm");
	vm->kvm = kvm;
	vm->own_kvm = own_kvm;
	vm->fd = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm->fd < 0)
		return fail(scen, "KVM_CREATE_VM");
	vm->memsz = memsz;
	vm->mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return fail(scen, "mmap guest memory");
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = gpa, .memory_size = memsz,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (setup_ioctl(scen, "KVM_SET_USER_MEMORY_REGION", vm->fd, KVM_SET_USER_MEMORY_REGION,
			&r) < 0)
		return -1;
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0UL);
	if (vm->vcpu < 0)
		return fail(scen, "KVM_CREATE_VCPU");
	vm->run = mmap(NULL, g_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return fail(scen, "mmap kvm_run");
	}
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, g_mmap_size);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->memsz);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->own_kvm && vm->kvm >= 0)
		close(vm->kvm);
}

/* KVM_RUN once; keep a copy of the page as it was just before. */
static int vm_run(struct vm *vm, const char *scen)
{
	memcpy(vm->before, vm->run, sizeof(struct kvm_run));
	if (ioctl(vm->vcpu, KVM_RUN, 0UL) < 0)
		return fail(scen, "KVM_RUN");
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

/* KVM_RUN, which must exit with reason */
static int run_expect(struct vm *vm, const char *scen, unsigned reason)
{
	return vm_run(vm, scen) < 0 || expect_exit(vm, scen, reason) < 0 ? -1 : 0;
}

static void set_guest_debug(struct vm *vm, const char *scen, uint32_t control)
{
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof dbg);
	dbg.control = control;
	setup_ioctl(scen, "KVM_SET_GUEST_DEBUG", vm->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
}

/* the VMM scribbles on flags and the whole union before the first KVM_RUN */
static void poison(struct vm *vm)
{
	vm->run->flags = 0xa5a5;
	memset((char *)vm->run + 32, 0xa5, 256);
}

static void answer_junk8(struct vm *vm)
{
	uint64_t junk = JUNK8;
	memcpy(vm->run->mmio.data, &junk, 8);
}

/* ------------------------------------------------------------------ arm64 */
static int arm_setup(struct vm *vm, const char *scen, unsigned start_off, uint64_t x0)
{
	if (BE.vm_open(vm, scen, ARM_RAM_GPA, ARM_RAM_SIZE) < 0)
		return -1;
	return BE.arm_regs(vm, scen, ARM_RAM_GPA + start_off, x0);
}

/* run the str (MMIO write) and ldr (MMIO read, VMM answers JUNK8) */
static int arm_mmio_prologue(struct vm *vm, const char *scen)
{
	if (run_expect(vm, scen, KVM_EXIT_MMIO) < 0)
		return -1;
	if (!vm->run->mmio.is_write || vm->run->mmio.phys_addr != ARM_MMIO_GPA) {
		out("ERROR " HDR " scenario=%s what=mmio-write addr=0x%llx", HDRARGS, scen,
		    (unsigned long long)vm->run->mmio.phys_addr);
		g_failures++;
		return -1;
	}
	if (run_expect(vm, scen, KVM_EXIT_MMIO) < 0)
		return -1;
	if (vm->run->mmio.is_write || vm->run->mmio.len != 8) {
		out("ERROR " HDR " scenario=%s what=mmio-read", HDRARGS, scen);
		g_failures++;
		return -1;
	}
	answer_junk8(vm);
	return 0;
}

static const struct fld arm_debug_fields[] = {
	{ "flags", 14, 2 }, { "hsr", 32, 4 }, { "hsr_high", 36, 4 }, { "far", 40, 8 },
};

static void arm_scen_debug(const char *scen, uint32_t dbgctl, int poisoned)
{
	struct vm vm;
	if (arm_setup(&vm, scen, poisoned ? 8 : 0, 0) < 0)
		goto done;
	if (poisoned)
		poison(&vm);
	else if (arm_mmio_prologue(&vm, scen) < 0)
		goto done;
	set_guest_debug(&vm, scen, dbgctl);
	if (run_expect(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen, &vm, arm_debug_fields);
done:
	vm_destroy(&vm);
}

static void arm_scen_psci(const char *scen, uint64_t fn)
{
	struct vm vm;
	if (arm_setup(&vm, scen, 0, fn) < 0 || arm_mmio_prologue(&vm, scen) < 0)
		goto done;
	if (run_expect(&vm, scen, KVM_EXIT_SYSTEM_EVENT) < 0)
		goto done;
	REPORT(scen, &vm, system_event_fields);
done:
	vm_destroy(&vm);
}

static const struct fld arm_mmio_fields[] = {
	{ "flags", 14, 2 }, { "phys_addr", 32, 8 }, { "data", 40, 8 },
	{ "len", 48, 4 },   { "is_write", 52, 1 },  { "pad53", 53, 3 },
};

/* which bytes does an MMIO write exit write, after a poisoned page? */
static void arm_scen_mmio_poison(const char *scen)
{
	struct vm vm;
	if (arm_setup(&vm, scen, 0, 0) < 0)
		goto done;
	poison(&vm);
	if (run_expect(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	REPORT(scen, &vm, arm_mmio_fields);
done:
	vm_destroy(&vm);
}

void run_arm64(void)
{
	arm_scen_debug("brk-after-mmio", KVM_GUESTDBG_ENABLE | ARM_GUESTDBG_USE_SW_BP, 0);
	arm_scen_debug("brk-poisoned", KVM_GUESTDBG_ENABLE | ARM_GUESTDBG_USE_SW_BP, 1);
	arm_scen_debug("step-after-mmio", KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0);
	arm_scen_mmio_poison("mmio-poisoned");
	arm_scen_psci("psci-off-after-mmio", 0x84000008ULL);
	arm_scen_psci("psci-reset-after-mmio", 0x84000009ULL);
	skip("internal-error", "arm64-handle_exit-default-not-guest-reachable");
	skip("fail-entry", "needs-asymmetric-32bit-el0-or-pmu-mismatch");
}

#if VMM_HAVE_X86_64
/* ----------------------------------------------------------------- x86_64 */
static int x86_setup(struct vm *vm, const char *scen)
{
	if (BE.vm_open(vm, scen, X86_RAM_GPA, X86_RAM_SIZE) < 0)
		return -1;
	memset((char *)vm->mem + X86_SRC, 0x5a, 0x100);
	struct kvm_sregs s;
	memset(&s, 0, sizeof s);
	if (setup_ioctl(scen, "KVM_GET_SREGS", vm->vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cs.base = 0, s.cs.selector = 0;
	s.ds.base = 0, s.ds.selector = 0;
	s.es.base = 0, s.es.selector = 0;
	s.fs.base = X86_MMIO_BASE, s.fs.selector = 0; /* fs: the MMIO device */
	if (setup_ioctl(scen, "KVM_SET_SREGS", vm->vcpu, KVM_SET_SREGS, &s) < 0)
		return -1;
	struct kvm_regs r = { .rip = X86_CODE, .rflags = 0x2, .rsi = X86_SRC, .rcx = X86_REPCOUNT,
			      .rdx = X86_PORT, .rbx = 0x40, .rdi = 0x3000, .rsp = 0x8000 };
	return setup_ioctl(scen, "KVM_SET_REGS", vm->vcpu, KVM_SET_REGS, &r);
}

/* KVM_RUN until an exit other than KVM_EXIT_IO (at most 300 IO exits);
 * returns the number of IO exits, -1 when KVM_RUN failed */
static int run_past_io(struct vm *vm, const char *scen)
{
	int ios = 0;
	do {
		if (vm_run(vm, scen) < 0)
			return -1;
	} while (vm->run->exit_reason == KVM_EXIT_IO && ++ios < 300);
	return ios;
}

/* the capability check by which a scenario is skipped */
static int x86_cap(struct vm *vm, const char *scen, const char *capname, unsigned cap,
		   const char *reason)
{
	long have = ioctl(vm->kvm, KVM_CHECK_EXTENSION, cap);
	if (BE.cap_gate(scen, capname, have))
		return 1;
	skip(scen, reason);
	return 0;
}

static const struct fld x86_step_fields[] = {
	{ "flags", 14, 2 }, { "exception", 32, 4 }, { "pad", 36, 4 },
	{ "pc", 40, 8 },    { "dr6", 48, 8 },       { "dr7", 56, 8 },
};

/* rep insb (one IO exit for the whole string: count at 36-39, data_offset
 * at 40-47), then single-step the next instruction */
static void x86_scen_step_after_io(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	out("INFO " HDR " scenario=%s io-count=%u size=%u port=0x%x data_offset=%llu", HDRARGS,
	    scen, vm.run->io.count, vm.run->io.size, vm.run->io.port,
	    (unsigned long long)vm.run->io.data_offset);
	set_guest_debug(&vm, scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	/* the VMM leaves junk where dr6/dr7 go: they must be written on #DB */
	memset((char *)vm.run + 48, 0xa5, 16);
	int ios = run_past_io(&vm, scen);
	if (ios < 0)
		goto done;
	if (ios)
		out("INFO " HDR " scenario=%s extra-io-exits=%d", HDRARGS, scen, ios);
	if (expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen, &vm, x86_step_fields);
	/*
	 * One more step: the nop is not emulated by KVM, so this #DB comes from
	 * the hardware (SVM #DB intercept) path, not from the emulator's
	 * kvm_vcpu_do_singlestep(); the previous exit's bytes are the junk.
	 */
	const char *scen2 = "step-native-after-step";
	memset((char *)vm.run + 36, 0xa5, 4);
	memset((char *)vm.run + 56, 0xa5, 8);
	if (run_expect(&vm, scen2, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen2, &vm, x86_step_fields);
done:
	vm_destroy(&vm);
}

/* mov eax,fs:[bx] (MMIO read, the VMM answers JUNK8 into all 8 data bytes), step */
static void x86_scen_step_after_mmio(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	answer_junk8(&vm);
	memset((char *)vm.run + 53, 0xa5, 11); /* junk up to the end of dr7 */
	set_guest_debug(&vm, scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
	if (run_expect(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen, &vm, x86_step_fields);
done:
	vm_destroy(&vm);
}

static const struct fld x86_hypercall_fields[] = {
	{ "flags", 14, 2 }, { "nr", 32, 8 },       { "args0", 40, 8 },   { "args3", 64, 8 },
	{ "ret", 88, 8 },   { "longmode", 96, 4 }, { "pad100", 100, 4 },
};

/*
 * KVM_HC_MAP_GPA_RANGE with KVM_CAP_EXIT_HYPERCALL: before the hypercall the
 * VMM leaves junk at 100-103 (the old hypercall pad) and at 88-95 (ret);
 * on the exit it writes ret, and the guest sends the eax it got back with out.
 */
static void x86_scen_hypercall(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 ||
	    !x86_cap(&vm, scen, "KVM_CAP_EXIT_HYPERCALL", KVM_CAP_EXIT_HYPERCALL,
		     "no-KVM_CAP_EXIT_HYPERCALL"))
		goto done;
	struct kvm_enable_cap cap;
	memset(&cap, 0, sizeof cap);
	cap.cap = KVM_CAP_EXIT_HYPERCALL;
	cap.args[0] = 1ULL << KVM_HC_MAP_GPA_RANGE;
	if (setup_ioctl(scen, "KVM_ENABLE_CAP(EXIT_HYPERCALL)", vm.fd, KVM_ENABLE_CAP, &cap) < 0)
		goto done;
	memset((char *)vm.run + 64, 0xa5, 48); /* args[3..5], ret, flags/longmode+pad */
	if (run_expect(&vm, scen, KVM_EXIT_HYPERCALL) < 0)
		goto done;
	REPORT(scen, &vm, x86_hypercall_fields);
	vm.run->hypercall.ret = 0x1234567;
	if (BE.ret_prepare)
		BE.ret_prepare();
	uint32_t ret;
	if (run_expect(&vm, scen, KVM_EXIT_IO) < 0 || BE.ret_seen(&vm, scen, &ret) < 0)
		goto done;
	out("RESULT " HDR " scenario=%s field=ret-seen-by-guest off=88 len=4 value=0x%08x "
	    "before=0x%08x",
	    HDRARGS, scen, ret, 0x1234567u);
done:
	vm_destroy(&vm);
}

/* Hyper-V crash notification (HV_X64_MSR_CRASH_CTL) after an IO exit (rep insb) */
static void x86_scen_hv_crash(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 ||
	    !x86_cap(&vm, scen, "KVM_CAP_HYPERV", KVM_CAP_HYPERV, "no-KVM_CAP_HYPERV"))
		goto done;
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[4];
	} c;
	memset(&c, 0, sizeof c);
	c.h.nent = 4;
	c.e[0].function = 0x40000000; /* vendor: "Microsoft Hv" */
	c.e[0].eax = 0x40000005;
	c.e[0].ebx = 0x7263694d, c.e[0].ecx = 0x666f736f, c.e[0].edx = 0x76482074;
	c.e[1].function = 0x40000001, c.e[1].eax = 0x31237648; /* interface "Hv#1" */
	c.e[2].function = 0x40000003, c.e[2].edx = 1u << 10;   /* features: crash MSRs */
	c.e[3].function = 0x0, c.e[3].eax = 0x1;
	if (setup_ioctl(scen, "KVM_SET_CPUID2", vm.vcpu, KVM_SET_CPUID2, &c) < 0 ||
	    run_expect(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	/* the IO exit left count (0x55) at 36-39 and data_offset at 40-47; the VMM
	 * also leaves junk at 48-55 (past the old system_event) */
	memset((char *)vm.run + 48, 0xa5, 8);
	if (run_past_io(&vm, scen) < 0 || expect_exit(&vm, scen, KVM_EXIT_SYSTEM_EVENT) < 0)
		goto done;
	REPORT(scen, &vm, system_event_fields);
done:
	vm_destroy(&vm);
}

void run_x86_64(void)
{
	x86_scen_step_after_io("step-after-io");
	x86_scen_step_after_mmio("step-after-mmio");
	x86_scen_hypercall("hypercall-map-gpa");
	x86_scen_hv_crash("hv-crash-after-io");
}
#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-x86.c - the x86_64 scenarios of the realkvm test VMMs (vmm.c on real
 * KVM, emu-compare.c on the emulator), see vmm-common.h.  Real-mode guest
 * code at X86_CODE (vmm.c); fs base is the MMIO device, bx = 0x40, si = a
 * RAM buffer of 0x5a bytes, cx = X86_REPCOUNT, dx = X86_PORT.  Each reported
 * exit is filled in the fill pass (vmm-common.c final_run).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/ioctl.h>
#include "vmm-common.h"

#if VMM_HAVE_X86_64
#define BE vmm_backend

static const struct fld system_event_fields[] = {
	{ "flags", 14, 2 }, { "type", 32, 4 }, { "ndata", 36, 4 },
	{ "data0", 40, 8 }, { "data1", 48, 8 },
};

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
		if (final_run(vm, scen) < 0)
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

#define STEP (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP)

/* rep insb (one IO exit for the whole string: count at 36-39, data_offset
 * at 40-47), then single-step: both steps complete the string instruction in
 * KVM's emulator (x86.c kvm_vcpu_do_singlestep, dr7 not written) */
static void x86_scen_step_after_io(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	if (!g_fill)
		out("INFO " HDR " scenario=%s io-count=%u size=%u port=0x%x data_offset=%llu",
		    HDRARGS, scen, vm.run->io.count, vm.run->io.size, vm.run->io.port,
		    (unsigned long long)vm.run->io.data_offset);
	set_guest_debug(&vm, scen, STEP, NULL);
	/* the VMM leaves junk where dr6/dr7 go: they must be written on #DB */
	memset((char *)vm.run + 48, 0xa5, 16);
	int ios = run_past_io(&vm, scen);
	if (ios < 0)
		goto done;
	if (ios && !g_fill)
		out("INFO " HDR " scenario=%s extra-io-exits=%d", HDRARGS, scen, ios);
	if (expect_exit(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen, &vm, x86_step_fields);
	/* one more step: still inside rep insb (pc 0x1100 -> 0x1102), so again
	 * the emulator's step; the previous exit's bytes are the junk */
	const char *scen2 = "step-native-after-step";
	memset((char *)vm.run + 36, 0xa5, 4);
	memset((char *)vm.run + 56, 0xa5, 8);
	if (final_expect(&vm, scen2, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen2, &vm, x86_step_fields);
done:
	vm_destroy(&vm);
}

/*
 * mov eax,fs:[bx] (MMIO read, the VMM answers JUNK8 into all 8 data bytes),
 * then single-step: the step that completes the emulated read is the
 * emulator's (kvm_vcpu_do_singlestep, dr7 not written).  Then the VMM sets
 * KVM_GUESTDBG_SINGLESTEP again (KVM sets RFLAGS.TF for the rip it was set
 * at) and the guest executes a nop natively: that #DB comes through the SVM
 * #DB intercept (svm.c db_interception writes dr6, dr7 from the VMCB, pc).
 */
static void x86_scen_step_after_mmio(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	answer_junk8(&vm);
	memset((char *)vm.run + 53, 0xa5, 11); /* junk up to the end of dr7 */
	set_guest_debug(&vm, scen, STEP, NULL);
	if (final_expect(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen, &vm, x86_step_fields);
	const char *scen2 = "step-hw-after-step";
	set_guest_debug(&vm, scen2, STEP, NULL);
	memset((char *)vm.run + 56, 0xa5, 8); /* junk in dr7 */
	if (final_expect(&vm, scen2, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT_RAW(scen2, &vm);
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
 * on the exit it writes ret, and the guest sends the eax it got back with
 * out: that IO exit (after a pending hypercall, ret spared by the fill) is
 * reported too, as io-after-hypercall.
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
	if (final_expect(&vm, scen, KVM_EXIT_HYPERCALL) < 0)
		goto done;
	REPORT(scen, &vm, x86_hypercall_fields);
	vm.run->hypercall.ret = 0x1234567;
	if (BE.ret_prepare)
		BE.ret_prepare();
	uint32_t ret;
	if (final_expect(&vm, "io-after-hypercall", KVM_EXIT_IO) < 0 ||
	    BE.ret_seen(&vm, scen, &ret) < 0)
		goto done;
	REPORT_RAW("io-after-hypercall", &vm);
	if (!g_fill)
		out("RESULT " HDR " scenario=%s field=ret-seen-by-guest off=88 len=4 "
		    "value=0x%08x before=0x%08x", HDRARGS, scen, ret, 0x1234567u);
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

static int x86_check_mmio(struct vm *vm, const char *scen, int write, uint32_t len)
{
	if (vm->run->mmio.is_write != write || vm->run->mmio.len != len ||
	    vm->run->mmio.phys_addr != X86_MMIO_BASE + 0x40) {
		out("ERROR " HDR " scenario=%s what=mmio-%s len=%u addr=0x%llx", HDRARGS, scen,
		    write ? "write" : "read", vm->run->mmio.len,
		    (unsigned long long)vm->run->mmio.phys_addr);
		g_failures++;
		return -1;
	}
	return 0;
}

/* mov eax,fs:[bx] (4-byte MMIO read, answered with JUNK8), then a write of
 * 1, 2, 4 (al, ax, eax) or 8 bytes (movq mm0 after movq mm0,[si]) */
static void x86_scen_write_after_read(const char *scen)
{
	struct vm vm;
	uint32_t len = (uint32_t)(scen[10] - '0'); /* "mmio-writeN-after-read" */
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_MMIO) < 0 ||
	    x86_check_mmio(&vm, scen, 0, 4) < 0)
		goto done;
	answer_junk8(&vm);
	if (final_expect(&vm, scen, KVM_EXIT_MMIO) < 0 || x86_check_mmio(&vm, scen, 1, len) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

/* rep insb (IO exit: count and data_offset at 36-47), then the MMIO read */
static void x86_scen_read_after_io(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	if (final_expect(&vm, scen, KVM_EXIT_MMIO) < 0 || x86_check_mmio(&vm, scen, 0, 4) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

/* an MMIO read (io-out-after-read: out dx,al) or write (io-in-after-write:
 * in al,dx), then the port IO exit */
static void x86_scen_io_after_mmio(const char *scen)
{
	struct vm vm;
	int write = strstr(scen, "after-write") != NULL;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_MMIO) < 0 ||
	    x86_check_mmio(&vm, scen, write, 4) < 0)
		goto done;
	if (!write)
		answer_junk8(&vm);
	if (final_expect(&vm, scen, KVM_EXIT_IO) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

/* an MMIO read (answered), then hlt: KVM_EXIT_HLT (no in-kernel irqchip) */
static void x86_scen_hlt_after_read(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 || run_expect(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	answer_junk8(&vm);
	if (final_expect(&vm, scen, KVM_EXIT_HLT) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

/*
 * KVM_CAP_X86_USER_SPACE_MSR (INVAL | UNKNOWN): an MMIO read (answered),
 * rdmsr of MSR 0x12345 (unknown to KVM): KVM_EXIT_X86_RDMSR, reported; the
 * VMM answers msr.error = 0, msr.data = 0x1122334455667788; the guest sends
 * eax back with out 0x10,eax: io-after-rdmsr, reported (msr.error and
 * msr.data spared by the fill).
 */
static void x86_scen_rdmsr(const char *scen)
{
	struct vm vm;
	if (x86_setup(&vm, scen) < 0 ||
	    !x86_cap(&vm, scen, "KVM_CAP_X86_USER_SPACE_MSR", KVM_CAP_X86_USER_SPACE_MSR,
		     "no-KVM_CAP_X86_USER_SPACE_MSR"))
		goto done;
	struct kvm_enable_cap cap;
	memset(&cap, 0, sizeof cap);
	cap.cap = KVM_CAP_X86_USER_SPACE_MSR;
	cap.args[0] = 3; /* KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN */
	if (setup_ioctl(scen, "KVM_ENABLE_CAP(X86_USER_SPACE_MSR)", vm.fd, KVM_ENABLE_CAP,
			&cap) < 0 ||
	    run_expect(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	answer_junk8(&vm);
	if (final_expect(&vm, scen, KVM_EXIT_X86_RDMSR) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
	vm.run->msr.error = 0;
	vm.run->msr.data = 0x1122334455667788ULL;
	const char *scen2 = "io-after-rdmsr";
	if (final_expect(&vm, scen2, KVM_EXIT_IO) < 0)
		goto done;
	REPORT_RAW(scen2, &vm);
done:
	vm_destroy(&vm);
}

void run_x86_64(void)
{
	run_scenario(x86_scen_step_after_io, "step-after-io");
	run_scenario(x86_scen_step_after_mmio, "step-after-mmio");
	run_scenario(x86_scen_hypercall, "hypercall-map-gpa");
	run_scenario(x86_scen_hv_crash, "hv-crash-after-io");
	run_scenario(x86_scen_write_after_read, "mmio-write1-after-read");
	run_scenario(x86_scen_write_after_read, "mmio-write2-after-read");
	run_scenario(x86_scen_write_after_read, "mmio-write4-after-read");
	run_scenario(x86_scen_write_after_read, "mmio-write8-after-read");
	run_scenario(x86_scen_read_after_io, "mmio-read-after-io");
	run_scenario(x86_scen_io_after_mmio, "io-out-after-read");
	run_scenario(x86_scen_io_after_mmio, "io-in-after-write");
	run_scenario(x86_scen_hlt_after_read, "hlt-after-read");
	run_scenario(x86_scen_rdmsr, "rdmsr-after-read");
	skip("gd-exit", "svm-dr_interception-emulates-mov-dr-no-KVM_EXIT_DEBUG-only-vmx-handle_dr");
}

/* abi-ci: system_event after an IO exit (count 0x55 at 36-39) */
void run_abi_ci_x86_64(void)
{
	x86_scen_hv_crash("hv-crash-after-io");
}
#endif

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
 * runs show (see scripts[] below).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "kvmrun-compat-uapi.h"
#include "vmm-common.h"

static char g_log[256];
static const char *g_real_ran; /* comma-separated, NULL: not given */
static int g_probe;            /* --probe: only open /dev/kvm (profile known?) */

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* A set-up ioctl failed: report it as an IOCTL drift line and go on. */
static int setup_failed(const char *scen, const char *name, int ret)
{
	out("IOCTL " HDR " scenario=%s ioctl=%s ret=%d errno=%s", HDRARGS, scen, name, ret,
	    ename(errno));
	return 0;
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

/* ------------------------------------------------------------------ arm64 */
#define A_VCPU_PSCI_0_2 2
/* ONE_REG ids of arm64 core registers: KVM_REG_ARM64 | SIZE_U64 | ARM_CORE |
 * offsetof(struct kvm_regs, x) / 4 (user_pt_regs: regs[31], sp, pc, pstate) */
#define A_CORE(off4) (0x6000000000000000ull | 0x0030000000000000ull | 0x0000000000100000ull | (off4))
#define A_REG_X(n) A_CORE((n) * 2u)
#define A_REG_PC A_CORE(256u / 4u)

/*
 * The exits the real guest produces (vmm.c: str w1,[x5] with w1 = 0x11223344
 * and x5 = 0xab_cdef_0000; ldr x2,[x5,#8]; then the instruction under test).
 * BRK #0: ESR 0xf2000000; software step over the nop: ESR EC 0x32 with ISS
 * 0x22 (the ISV bit, 24, is CPU/kernel state and differs between kernels,
 * see compare.sh).
 */
#define A_MMIO_W "mmio addr=0xabcdef0000 len=4 write=1 data=0x11223344"
#define A_MMIO_R "mmio addr=0xabcdef0008 len=8 write=0"
#define A_PROLOGUE A_MMIO_W "; " A_MMIO_R "; "

static int set_reg(struct vm *vm, const char *scen, const char *name, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&val };
	char what[64];
	snprintf(what, sizeof what, "KVM_SET_ONE_REG(%s)", name);
	return setup_ioctl(scen, what, vm->vcpu, KVM_SET_ONE_REG, &r);
}

static int arm_regs(struct vm *vm, const char *scen, uint64_t pc, uint64_t x0)
{
	struct kvmrc_arm64_vcpu_init init;
	memset(&init, 0, sizeof init);
	setup_ioctl(scen, "KVM_ARM_PREFERRED_TARGET", vm->fd, KVMRC_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1u << A_VCPU_PSCI_0_2;
	setup_ioctl(scen, "KVM_ARM_VCPU_INIT", vm->vcpu, KVMRC_ARM_VCPU_INIT, &init);
	set_reg(vm, scen, "pc", A_REG_PC, pc);
	set_reg(vm, scen, "x0", A_REG_X(0), x0);
	set_reg(vm, scen, "x1", A_REG_X(1), 0x11223344);
	set_reg(vm, scen, "x5", A_REG_X(5), ARM_MMIO_GPA);
	set_reg(vm, scen, "x6", A_REG_X(6), ARM_WATCH_GPA);
	set_reg(vm, scen, "pstate", KVMRC_ARM64_REG_PSTATE, 0x3c5);
	return 0;
}

/* the emulator does not look at the debug registers: only the control */
static int arm_watch(struct vm *vm, const char *scen, uint64_t addr)
{
	struct kvm_guest_debug dbg;
	(void)addr;
	memset(&dbg, 0, sizeof dbg);
	dbg.control = KVM_GUESTDBG_ENABLE | ARM_GUESTDBG_USE_HW;
	return setup_ioctl(scen, "KVM_SET_GUEST_DEBUG(watchpoint)", vm->vcpu, KVM_SET_GUEST_DEBUG,
			   &dbg);
}

/* ----------------------------------------------------------------- x86_64 */
/*
 * The exits the real guest produces (vmm.c, real mode at 0x1100):
 *  rep insb, cx=0x55, port 0x10: one IO exit, count 0x55;
 *  the single-step that completes it reports pc 0x1100, the next one (over a
 *  nop) 0x1102; mov eax,fs:[bx] with fs base 0xd0000000, bx 0x40: a 4-byte
 *  MMIO read at 0xd0000040, then the step reports pc 0x1104;
 *  vmmcall with eax=12 ebx=0x3000 ecx=1 edx=0 in real mode (longmode 0),
 *  then out 0x10,eax; the Hyper-V crash MSR write.
 * The steps that complete an emulated IO/MMIO instruction are "singlestep"
 * exits (x86.c kvm_vcpu_do_singlestep: dr6 = DR6_BS | DR6_ACTIVE_LOW =
 * 0xffff4ff0, pc, exception; dr7 not written); the step over the nop after
 * KVM_SET_GUEST_DEBUG is set again is the guest's own #DB, a "hwstep" (svm.c
 * db_interception: dr6 from the VMCB, 0xffff4ff0 here, and dr7, 0x400).
 */
#define X_IO_IN "io port=0x10 dir=in size=1 count=0x55"
#define X_MMIO_R "mmio addr=0xd0000040 len=4 write=0"
#define X_WR(len, data) "mmio addr=0xd0000040 len=" #len " write=1 data=" #data
#define A_WR(len, data) "mmio addr=0xabcdef0000 len=" #len " write=1 data=" #data

/* The KVMEMU_SCENARIO of each scenario, per architecture. */
static const struct script {
	const char *arch, *scen, *steps;
} scripts[] = {
	{ "arm64", "brk-after-mmio", A_PROLOGUE "debug ec=brk" },
	{ "arm64", "brk-poisoned", "debug ec=brk" },
	{ "arm64", "step-after-mmio", A_PROLOGUE "debug ec=softstep iss=0x22" },
	{ "arm64", "mmio-poisoned", A_MMIO_W },
	{ "arm64", "psci-off-after-mmio", A_PROLOGUE "system_event type=shutdown" },
	{ "arm64", "psci-reset-after-mmio", A_PROLOGUE "system_event type=reset" },
	{ "arm64", "mmio-write1-after-read", A_MMIO_R "; " A_WR(1, 0x44) },
	{ "arm64", "mmio-write2-after-read", A_MMIO_R "; " A_WR(2, 0x3344) },
	{ "arm64", "mmio-write4-after-read", A_MMIO_R "; " A_WR(4, 0x11223344) },
	{ "arm64", "mmio-write8-after-read", A_MMIO_R "; " A_WR(8, 0x11223344) },
	{ "arm64", "mmio-read-after-write", A_MMIO_W "; " A_MMIO_R },
	/* the store to the watched word (x6): ESR ISS 0x62 (WnR, debug FSC);
	 * far is the watched address, which the emulator's pre-6.1 profiles
	 * replace by the previous abort's (the ldr's 0xab_cdef_0008) */
	{ "arm64", "watch-after-mmio", A_PROLOGUE "debug ec=watchpt iss=0x62 far=0x40000800" },
	{ "x86_64", "step-after-io", X_IO_IN "; singlestep pc=0x1100; singlestep pc=0x1102" },
	/* the second step is the guest's own (the nop at 0x1104, TF set by
	 * KVM_SET_GUEST_DEBUG): svm.c db_interception, dr6 0xffff4ff0, dr7 0x400 */
	{ "x86_64", "step-after-mmio", X_MMIO_R "; singlestep pc=0x1104; hwstep pc=0x1105" },
	{ "x86_64", "hypercall-map-gpa", "hypercall nr=12 a0=0x3000 a1=1 a2=0 longmode=0; "
					 "io port=0x10 dir=out size=4 count=1 data=0x1234567" },
	{ "x86_64", "hv-crash-after-io", X_IO_IN "; hyperv_crash" },
	/* not eax after the read of 0xcafef00d: 0x35010ff2 (al, ax, eax);
	 * movq from the 0x5a buffer */
	{ "x86_64", "mmio-write1-after-read", X_MMIO_R "; " X_WR(1, 0xf2) },
	{ "x86_64", "mmio-write2-after-read", X_MMIO_R "; " X_WR(2, 0x0ff2) },
	{ "x86_64", "mmio-write4-after-read", X_MMIO_R "; " X_WR(4, 0x35010ff2) },
	{ "x86_64", "mmio-write8-after-read", X_MMIO_R "; " X_WR(8, 0x5a5a5a5a5a5a5a5a) },
	{ "x86_64", "mmio-read-after-io", X_IO_IN "; " X_MMIO_R },
	{ "x86_64", "io-out-after-read", X_MMIO_R "; io port=0x10 dir=out size=1 count=1 data=0x0d" },
	{ "x86_64", "io-in-after-write", X_WR(4, 0) "; io port=0x10 dir=in size=1 count=1" },
	{ "x86_64", "hlt-after-read", X_MMIO_R "; hlt" },
	{ "x86_64", "rdmsr-after-read", X_MMIO_R "; rdmsr index=0x12345 reason=2; "
					"io port=0x10 dir=out size=4 count=1 data=0x55667788" },
};

/*
 * A fresh /dev/kvm per scenario: the emulator reads KVMEMU_SCENARIO when
 * /dev/kvm is opened, and each vCPU replays the steps from the first.
 */
static int vm_open(struct vm *vm, const char *scen, uint64_t gpa, size_t memsz)
{
	const char *steps = NULL;
	for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
		if (!strcmp(scripts[i].arch, g_arch) && !strcmp(scripts[i].scen, scen))
			steps = scripts[i].steps;
	if (!steps) {
		memset(vm, 0, sizeof *vm);
		vm->kvm = vm->fd = vm->vcpu = -1;
		errno = ENOENT;
		return fail(scen, "no-KVMEMU_SCENARIO");
	}
	setenv("KVMEMU_SCENARIO", steps, 1);
	return vm_create(vm, scen, open("/dev/kvm", O_RDWR | O_CLOEXEC), 1, gpa, memsz);
}

/* ret-seen-by-guest: the hypercall.ret the emulator read back on the next
 * KVM_RUN, the last "readback ... hypercall.ret=0x..." it logged */
static void ret_prepare(void)
{
	if (g_log[0])
		truncate(g_log, 0);
}

static int ret_seen(struct vm *vm, const char *scen, uint32_t *ret)
{
	FILE *f = fopen(g_log, "r");
	char line[512];
	uint64_t v;
	int found = 0;
	(void)vm;
	while (f && fgets(line, sizeof line, f)) {
		const char *p = strstr(line, "hypercall.ret=");
		if (p && sscanf(p + 14, "%" SCNx64, &v) == 1)
			*ret = (uint32_t)v, found = 1;
	}
	if (f)
		fclose(f);
	if (found)
		return 0;
	out("ERROR " HDR " scenario=%s what=no-hypercall.ret-readback-in-KVMEMU_LOG(%s)", HDRARGS,
	    scen, g_log);
	g_failures++;
	return -1;
}

const struct vmm_backend vmm_backend = {
	.vm_open = vm_open,
	.arm_regs = arm_regs,
	.arm_watch = arm_watch,
	.setup_failed = setup_failed,
	.cap_gate = cap_gate,
	.ret_prepare = ret_prepare,
	.ret_seen = ret_seen,
};

static void usage(void)
{
	fprintf(stderr, "usage: emu-compare --arch arm64|x86_64 [--kernel RELEASE] "
			"[--real-ran SCEN,...] [--log FILE] [--probe]\n"
			"  (run with LD_PRELOAD=[shim:]libkvmrun-emu.so KVMEMU_PROFILE=...)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	strcpy(g_kernel, "unknown");
	strcpy(g_cpu, "emu");
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
	vmm_begin(kvm);
	if (!strcmp(g_arch, "arm64"))
		run_arm64();
#if VMM_HAVE_X86_64
	else
		run_x86_64();
#else
	else
		fail("setup", "the x86_64 scenarios need the x86 uapi (an x86_64 build)");
#endif
	close(kvm);
	return vmm_end();
}

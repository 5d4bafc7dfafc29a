/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-arm64.c - the arm64 scenarios of the realkvm test VMMs (vmm.c on real
 * KVM, emu-compare.c on the emulator), see vmm-common.h.  Guest code (vmm.c):
 * 0: str w1,[x5]; 4: ldr x2,[x5,#8]; 8: <insn>; 12: b .  with x1 = 0x11223344
 * and x5 = the MMIO device (ARM_MMIO_GPA).  Each scenario reports its last
 * exit, which the fill pass fills (vmm-common.c final_run).
 */
#define _GNU_SOURCE
#include <string.h>
#include "vmm-common.h"

#define BE vmm_backend

static const struct fld system_event_fields[] = {
	{ "flags", 14, 2 }, { "type", 32, 4 }, { "ndata", 36, 4 },
	{ "data0", 40, 8 }, { "data1", 48, 8 },
};

static int arm_setup(struct vm *vm, const char *scen, unsigned start_off, uint64_t x0)
{
	if (BE.vm_open(vm, scen, ARM_RAM_GPA, ARM_RAM_SIZE) < 0)
		return -1;
	return BE.arm_regs(vm, scen, ARM_RAM_GPA + start_off, x0);
}

static int arm_check_mmio(struct vm *vm, const char *scen, int write, uint32_t len)
{
	if (vm->run->mmio.is_write != write || vm->run->mmio.len != len ||
	    (vm->run->mmio.phys_addr & ~0xfULL) != ARM_MMIO_GPA) {
		out("ERROR " HDR " scenario=%s what=mmio-%s len=%u addr=0x%llx", HDRARGS, scen,
		    write ? "write" : "read", vm->run->mmio.len,
		    (unsigned long long)vm->run->mmio.phys_addr);
		g_failures++;
		return -1;
	}
	return 0;
}

/* the ldr (MMIO read of 8 bytes), which the VMM answers with JUNK8 */
static int arm_mmio_read(struct vm *vm, const char *scen)
{
	if (run_expect(vm, scen, KVM_EXIT_MMIO) < 0 || arm_check_mmio(vm, scen, 0, 8) < 0)
		return -1;
	answer_junk8(vm);
	return 0;
}

/* run the str (MMIO write) and ldr (MMIO read, VMM answers JUNK8) */
static int arm_mmio_prologue(struct vm *vm, const char *scen)
{
	if (run_expect(vm, scen, KVM_EXIT_MMIO) < 0 || arm_check_mmio(vm, scen, 1, 4) < 0)
		return -1;
	return arm_mmio_read(vm, scen);
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
	set_guest_debug(&vm, scen, dbgctl, NULL);
	if (final_expect(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT(scen, &vm, arm_debug_fields);
done:
	vm_destroy(&vm);
}

static void arm_brk_after_mmio(const char *scen)
{
	arm_scen_debug(scen, KVM_GUESTDBG_ENABLE | ARM_GUESTDBG_USE_SW_BP, 0);
}

static void arm_brk_poisoned(const char *scen)
{
	arm_scen_debug(scen, KVM_GUESTDBG_ENABLE | ARM_GUESTDBG_USE_SW_BP, 1);
}

static void arm_step_after_mmio(const char *scen)
{
	arm_scen_debug(scen, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, 0);
}

static void arm_scen_psci(const char *scen, uint64_t fn)
{
	struct vm vm;
	if (arm_setup(&vm, scen, 0, fn) < 0 || arm_mmio_prologue(&vm, scen) < 0)
		goto done;
	if (final_expect(&vm, scen, KVM_EXIT_SYSTEM_EVENT) < 0)
		goto done;
	REPORT(scen, &vm, system_event_fields);
done:
	vm_destroy(&vm);
}

static void arm_psci_off(const char *scen)
{
	arm_scen_psci(scen, 0x84000008ULL);
}

static void arm_psci_reset(const char *scen)
{
	arm_scen_psci(scen, 0x84000009ULL);
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
	if (final_expect(&vm, scen, KVM_EXIT_MMIO) < 0)
		goto done;
	REPORT(scen, &vm, arm_mmio_fields);
done:
	vm_destroy(&vm);
}

/* the MMIO read (ldr), then a write of 1, 2, 4 or 8 bytes (the insn at 8) */
static void arm_scen_write_after_read(const char *scen)
{
	struct vm vm;
	uint32_t len = (uint32_t)(scen[10] - '0'); /* "mmio-writeN-after-read" */
	if (arm_setup(&vm, scen, 4, 0) < 0 || arm_mmio_read(&vm, scen) < 0)
		goto done;
	if (final_expect(&vm, scen, KVM_EXIT_MMIO) < 0 || arm_check_mmio(&vm, scen, 1, len) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

/* the str (MMIO write of 4 bytes), then the ldr (MMIO read of 8) */
static void arm_scen_read_after_write(const char *scen)
{
	struct vm vm;
	if (arm_setup(&vm, scen, 0, 0) < 0 || run_expect(&vm, scen, KVM_EXIT_MMIO) < 0 ||
	    arm_check_mmio(&vm, scen, 1, 4) < 0)
		goto done;
	if (final_expect(&vm, scen, KVM_EXIT_MMIO) < 0 || arm_check_mmio(&vm, scen, 0, 8) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

/* the MMIO write and read, then a store to a watched word: KVM_EXIT_DEBUG
 * with far (the watched address from 6.4 / 6.1.33; before, the FAR of the
 * previous data abort, written stale: 811154e234db) */
static void arm_scen_watch(const char *scen)
{
	struct vm vm;
	if (arm_setup(&vm, scen, 0, 0) < 0 || arm_mmio_prologue(&vm, scen) < 0 ||
	    BE.arm_watch(&vm, scen, ARM_WATCH_GPA) < 0)
		goto done;
	if (final_expect(&vm, scen, KVM_EXIT_DEBUG) < 0)
		goto done;
	REPORT_RAW(scen, &vm);
done:
	vm_destroy(&vm);
}

void run_arm64(void)
{
	run_scenario(arm_brk_after_mmio, "brk-after-mmio");
	run_scenario(arm_brk_poisoned, "brk-poisoned");
	run_scenario(arm_step_after_mmio, "step-after-mmio");
	run_scenario(arm_scen_mmio_poison, "mmio-poisoned");
	run_scenario(arm_psci_off, "psci-off-after-mmio");
	run_scenario(arm_psci_reset, "psci-reset-after-mmio");
	run_scenario(arm_scen_write_after_read, "mmio-write1-after-read");
	run_scenario(arm_scen_write_after_read, "mmio-write2-after-read");
	run_scenario(arm_scen_write_after_read, "mmio-write4-after-read");
	run_scenario(arm_scen_write_after_read, "mmio-write8-after-read");
	run_scenario(arm_scen_read_after_write, "mmio-read-after-write");
	run_scenario(arm_scen_watch, "watch-after-mmio");
	skip("internal-error", "arm64-handle_exit-default-not-guest-reachable");
	skip("fail-entry", "needs-asymmetric-32bit-el0-or-pmu-mismatch");
}

/* abi-ci: a BRK after MMIO (hsr_high), a PSCI reset (system_event) */
void run_abi_ci_arm64(void)
{
	arm_brk_after_mmio("brk-after-mmio");
	arm_psci_reset("psci-reset-after-mmio");
}

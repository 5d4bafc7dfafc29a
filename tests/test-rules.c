/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-rules.c - the rule engine, through the public API, as a list of facts.
 * Runs on any build architecture: the engine takes the architecture as a
 * parameter.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"

#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define X86 KVMRUN_COMPAT_ARCH_X86_64

static uint8_t page[4096] __attribute__((aligned(4096)));
static const struct kvmrun_compat_exit ret_ok = { 0, 0 };
static const struct kvmrun_compat_exit ret_einval = { -1, EINVAL };
static const struct kvmrun_compat_exit ret_eintr = { -1, EINTR };

static struct kvm_run *fresh(uint32_t exit_reason, uint8_t junk)
{
	memset(page, junk, sizeof(page));
	struct kvm_run *run = (struct kvm_run *)page;
	run->exit_reason = exit_reason;
	run->flags = 0;
	return run;
}

static uint32_t u32_at(unsigned int off) { uint32_t v; memcpy(&v, page + off, 4); return v; }
static uint64_t u64_at(unsigned int off) { uint64_t v; memcpy(&v, page + off, 8); return v; }
static void put32(unsigned int off, uint32_t v) { memcpy(page + off, &v, 4); }
static void put64(unsigned int off, uint64_t v) { memcpy(page + off, &v, 8); }

static int sanitize(enum kvmrun_compat_arch arch, const struct kvmrun_compat_exit *e)
{
	return kvmrun_compat_sanitize(page, sizeof(struct kvm_run), arch, NULL, e);
}

Test(arm64_debug, hsr_high_is_zeroed_when_the_kernel_does_not_flag_it)
{
	fresh(KVM_EXIT_DEBUG, 0xab);
	put32(32, KVMRC_ESR_EC_BRK64 << 26);
	cr_assert_geq(sanitize(ARM64, &ret_ok), 1);
	cr_assert_eq(u32_at(36), 0);
	cr_assert_eq(u32_at(32), KVMRC_ESR_EC_BRK64 << 26, "hsr itself is the kernel's");
}

Test(arm64_debug, hsr_high_is_kept_when_flags_has_HSR_HIGH_VALID)
{
	struct kvm_run *run = fresh(KVM_EXIT_DEBUG, 0);
	put32(32, KVMRC_ESR_EC_BRK64 << 26);
	put32(36, 0x12345);
	run->flags = KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID;
	sanitize(ARM64, &ret_ok);
	cr_assert_eq(u32_at(36), 0x12345);
}

Test(arm64_debug, far_is_zeroed_for_brk_breakpoint_and_single_step)
{
	const uint32_t ecs[] = { KVMRC_ESR_EC_BRK64, KVMRC_ESR_EC_BREAKPT_LOW, KVMRC_ESR_EC_SOFTSTP_LOW,
				 KVMRC_ESR_EC_BKPT32 };
	for (unsigned int i = 0; i < sizeof(ecs) / sizeof(ecs[0]); i++) {
		fresh(KVM_EXIT_DEBUG, 0x5a);
		put32(32, ecs[i] << 26);
		sanitize(ARM64, &ret_ok);
		cr_assert_eq(u64_at(40), 0, "EC 0x%x", ecs[i]);
	}
}

Test(arm64_debug, far_is_kept_for_a_watchpoint)
{
	fresh(KVM_EXIT_DEBUG, 0);
	put32(32, KVMRC_ESR_EC_WATCHPT_LOW << 26);
	put64(40, 0xffff000012345678ull);
	sanitize(ARM64, &ret_ok);
	cr_assert_eq(u64_at(40), 0xffff000012345678ull);
}

Test(arm64_flags, prepare_clears_flags_on_arm64_only)
{
	struct kvm_run *run = fresh(KVM_EXIT_MMIO, 0x77);
	run->flags = 0x1;
	cr_assert_eq(kvmrun_compat_prepare(page, sizeof(struct kvm_run), ARM64), 0);
	cr_assert_eq(run->flags, 0);
	for (unsigned int i = 0; i < sizeof(struct kvm_run); i++)
		if (i != 14 && i != 15 && i != 8 && i != 9 && i != 10 && i != 11)
			cr_assert_eq(page[i], 0x77, "byte %u changed by prepare", i);
	run->flags = 0x1;
	kvmrun_compat_prepare(page, sizeof(struct kvm_run), X86);
	cr_assert_eq(run->flags, 1, "x86 writes flags on every exit; prepare leaves it");
}

Test(arm64_fail_entry, illegal_state_exit_fields_are_zeroed)
{
	fresh(KVM_EXIT_FAIL_ENTRY, 0xff); /* stale odd bytes would read as CPU_UNSUPPORTED */
	sanitize(ARM64, &ret_einval);
	cr_assert_eq(u64_at(32), 0);
	cr_assert_eq(u32_at(40), 0);
}

Test(arm64_fail_entry, pmu_mismatch_values_are_the_kernels)
{
	fresh(KVM_EXIT_FAIL_ENTRY, 0);
	put64(32, KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED);
	put32(40, 3);
	cr_assert_eq(sanitize(ARM64, &ret_ok), 0);
	cr_assert_eq(u64_at(32), 1);
	cr_assert_eq(u32_at(40), 3);
}

Test(arm64_fail_entry, hyp_gone_stale_values_are_zeroed)
{
	fresh(KVM_EXIT_FAIL_ENTRY, 0);
	put64(32, 0xabcdef0001ull);
	put32(40, 0x1122);
	sanitize(ARM64, &ret_ok);
	cr_assert_eq(u64_at(32), 0);
	cr_assert_eq(u32_at(40), 0);
}

Test(arm64_internal, suberror_and_ndata_are_defined_as_zero)
{
	fresh(KVM_EXIT_INTERNAL_ERROR, 0x41);
	sanitize(ARM64, &ret_ok);
	cr_assert_eq(u32_at(32), 0);
	cr_assert_eq(u32_at(36), 0);
}

Test(x86_debug, pad_is_zeroed_and_pc_is_left)
{
	fresh(KVM_EXIT_DEBUG, 0xab);
	sanitize(X86, &ret_ok);
	cr_assert_eq(u32_at(36), 0);
	cr_assert_eq(u64_at(40), 0xababababababababull, "pc is the kernel's");
}

Test(x86_debug, arm64_rules_do_not_act_on_x86)
{
	struct kvm_run *run = fresh(KVM_EXIT_FAIL_ENTRY, 0xff);
	run->flags = 0x1;
	sanitize(X86, &ret_einval);
	cr_assert_eq(u64_at(32), ~0ull);
	kvmrun_compat_prepare(page, sizeof(struct kvm_run), X86);
	cr_assert_eq(run->flags, 1);
}

Test(x86_internal, ndata_beyond_the_array_is_clamped)
{
	fresh(KVM_EXIT_INTERNAL_ERROR, 0);
	put32(36, 291);
	sanitize(X86, &ret_ok);
	cr_assert_eq(u32_at(36), 16);
	put32(36, 3);
	cr_assert_eq(sanitize(X86, &ret_ok), 0);
	cr_assert_eq(u32_at(36), 3);
}

Test(results, eintr_leaves_everything_as_the_kernel_left_it)
{
	fresh(KVM_EXIT_DEBUG, 0xab);
	cr_assert_eq(sanitize(ARM64, &ret_eintr), 0);
	for (unsigned int i = 16; i < sizeof(struct kvm_run); i++)
		cr_assert_eq(page[i], 0xab);
}

Test(api, bad_arguments_are_refused)
{
	cr_assert_eq(kvmrun_compat_sanitize(NULL, 4096, ARM64, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_sanitize(page, 100, ARM64, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_sanitize(page, 4096, (enum kvmrun_compat_arch)99, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_prepare(page, 2351, X86), -EINVAL);
	cr_assert_eq(kvmrun_compat_prepare(page, 2368, KVMRUN_COMPAT_ARCH_S390X), 0);
	cr_assert_eq(kvmrun_compat_prepare(page, 2352, KVMRUN_COMPAT_ARCH_S390X), -EINVAL);
}

Test(api, version_and_arch_names)
{
	cr_assert_str_eq(kvmrun_compat_version(), PACKAGE_VERSION);
	cr_assert_eq(kvmrun_compat_arch_from_name("aarch64"), ARM64);
	cr_assert_eq(kvmrun_compat_arch_from_name("arm64"), ARM64);
	cr_assert_eq(kvmrun_compat_arch_from_name("sparc"), KVMRUN_COMPAT_ARCH_UNKNOWN);
	cr_assert_str_eq(kvmrun_compat_arch_name(X86), "x86_64");
	cr_assert_str_eq(kvmrun_compat_esr_class_name((uint64_t)KVMRC_ESR_EC_BRK64 << 26), "BRK64");
}

/* Every rule names its ledger row, and that row exists. */
Test(table, every_rule_cites_a_ledger_row_that_exists)
{
	const char *top = getenv("top_srcdir");
	char path[4096], ledger[65536];
	snprintf(path, sizeof(path), "%s/docs/abi-ledger.md", top ? top : "..");
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	size_t n = fread(ledger, 1, sizeof(ledger) - 1, f);
	ledger[n] = 0;
	fclose(f);
	for (size_t i = 0; i < kvmrun_compat_rule_count(); i++) {
		struct kvmrun_compat_rule_info r;
		char anchor[64];
		cr_assert_eq(kvmrun_compat_rule_get(i, &r), 0);
		cr_assert(r.name && r.source && r.since && r.ledger);
		snprintf(anchor, sizeof(anchor), "| %s |", r.ledger);
		cr_assert_not_null(strstr(ledger, anchor), "rule %s cites ledger row %s, not in the ledger",
				   r.name, r.ledger);
		cr_assert_not_null(strstr(ledger, r.name), "rule %s is not named in the ledger", r.name);
	}
	cr_assert_eq(kvmrun_compat_rule_get(kvmrun_compat_rule_count(), &(struct kvmrun_compat_rule_info){0}),
		     -ERANGE);
}

/* The engine indexes rows by (arch, exit): they must be contiguous. */
Test(table, rows_of_one_arch_and_exit_are_contiguous)
{
	size_t n = kvmrun_compat_rule_count();
	for (size_t i = 0; i < n; i++) {
		struct kvmrun_compat_rule_info a;
		kvmrun_compat_rule_get(i, &a);
		int ended = 0;
		for (size_t j = i + 1; j < n; j++) {
			struct kvmrun_compat_rule_info b;
			kvmrun_compat_rule_get(j, &b);
			int same = a.arch == b.arch && a.exit_reason == b.exit_reason;
			if (!same)
				ended = 1;
			cr_assert(!(same && ended), "rules %s and %s are not contiguous", a.name, b.name);
		}
	}
}

Test(x86_debug, bp_exit_zeroes_dr6_and_dr7)
{
	fresh(KVM_EXIT_DEBUG, 0x5a);
	put32(32, 3); /* BP_VECTOR */
	sanitize(X86, &ret_ok);
	cr_assert_eq(u64_at(48), 0);
	cr_assert_eq(u64_at(56), 0);
	cr_assert_eq(u64_at(40), 0x5a5a5a5a5a5a5a5aull, "pc kept");
}

Test(x86_debug, single_step_keeps_dr6_and_zeroes_dr7)
{
	fresh(KVM_EXIT_DEBUG, 0x11);
	put32(32, 1);
	put64(48, 0xffff4ff0); /* DR6.BS, no B0-B3 */
	sanitize(X86, &ret_ok);
	cr_assert_eq(u64_at(48), 0xffff4ff0);
	cr_assert_eq(u64_at(56), 0, "dr7 not written on the single-step path");
}

Test(x86_debug, hardware_breakpoint_hit_keeps_dr7)
{
	fresh(KVM_EXIT_DEBUG, 0);
	put32(32, 1);
	put64(48, 0xffff0ff2); /* B1 */
	put64(56, 0x00d00408);
	sanitize(X86, &ret_ok);
	cr_assert_eq(u64_at(56), 0x00d00408);
}

Test(x86_hypercall, map_gpa_range_zeroes_args_3_to_5_and_flags_high_but_never_ret)
{
	fresh(KVM_EXIT_HYPERCALL, 0x33);
	put64(32, 12);
	sanitize(X86, &ret_ok);
	for (unsigned int b = 64; b < 88; b++)
		cr_assert_eq(page[b], 0, "args[3..5] byte %u", b);
	for (unsigned int b = 88; b < 96; b++)
		cr_assert_eq(page[b], 0x33, "hypercall.ret byte %u is an input", b);
	cr_assert_eq(u32_at(96), 0x33333333, "longmode (bit 0 of flags) is the kernel's");
	cr_assert_eq(u32_at(100), 0);
	cr_assert_eq(u64_at(40), 0x3333333333333333ull, "args[0] kept");
}

Test(x86_hypercall, other_hypercalls_keep_their_args)
{
	fresh(KVM_EXIT_HYPERCALL, 0x33);
	put64(32, 99);
	sanitize(X86, &ret_ok);
	cr_assert_eq(u64_at(64), 0x3333333333333333ull);
}

Test(system_event, without_the_capability_there_is_no_ndata_and_no_data)
{
	fresh(KVM_EXIT_SYSTEM_EVENT, 0x55);
	put32(32, 5); /* KVM_SYSTEM_EVENT_CRASH */
	sanitize(X86, &ret_ok);
	cr_assert_eq(u32_at(32), 5, "type kept");
	cr_assert_eq(u32_at(36), 0);
	for (unsigned int b = 40; b < 168; b++)
		cr_assert_eq(page[b], 0, "data byte %u", b);
	cr_assert_eq(page[168], 0x55, "nothing beyond data[15]");
}

Test(system_event, with_the_capability_data_up_to_ndata_is_kept_and_ndata_bounded)
{
	struct kvmrun_compat_caps caps = { { 0 } };
	kvmrun_compat_caps_add(&caps, KVM_CAP_SYSTEM_EVENT_DATA);
	for (unsigned int arch = X86; arch <= KVMRUN_COMPAT_ARCH_RISCV64; arch++) {
		fresh(KVM_EXIT_SYSTEM_EVENT, 0x55);
		put32(36, 2);
		kvmrun_compat_sanitize(page, 2352, arch, &caps, &ret_ok);
		cr_assert_eq(u32_at(36), 2);
		cr_assert_eq(u64_at(40), 0x5555555555555555ull);
		cr_assert_eq(u64_at(48), 0x5555555555555555ull);
		cr_assert_eq(u64_at(56), 0, "data[2] beyond ndata");
		put32(36, 291); /* stale, beyond the array */
		kvmrun_compat_sanitize(page, 2352, arch, &caps, &ret_ok);
		cr_assert_eq(u32_at(36), 16);
	}
}

Test(x86_internal, data_beyond_ndata_is_zeroed)
{
	fresh(KVM_EXIT_INTERNAL_ERROR, 0x44);
	put32(36, 2);
	sanitize(X86, &ret_ok);
	cr_assert_eq(u64_at(48), 0x4444444444444444ull);
	cr_assert_eq(u64_at(56), 0);
}

static const struct kvmrun_compat_exit ret_efault = { -1, EFAULT };

Test(x86_fail_entry, cpu_is_kept_only_on_kernels_that_write_it)
{
	struct kvmrun_compat_caps caps = { { 0 } };
	fresh(KVM_EXIT_FAIL_ENTRY, 0x66);
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, X86, &caps, &ret_ok), 1);
	cr_assert_eq(u32_at(40), 0, "5.4-era kernel: cpu is stale");
	cr_assert_eq(u64_at(32), 0x6666666666666666ull, "the failure reason is always written");
	kvmrun_compat_caps_add(&caps, KVM_CAP_X86_USER_SPACE_MSR);
	put32(40, 7);
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, X86, &caps, &ret_ok), 0);
	cr_assert_eq(u32_at(40), 7);
}

Test(memory_fault, fields_without_the_capability_are_cleared_on_efault_only)
{
	struct kvmrun_compat_caps caps = { { 0 } };
	fresh(KVM_EXIT_MEMORY_FAULT, 0x77);
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, X86, &caps, &ret_eintr), 0, "EINTR: nothing");
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, X86, &caps, &ret_ok), 0, "not the memory-fault path");
	cr_assert_eq(u64_at(40), 0x7777777777777777ull);
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, X86, &caps, &ret_efault), 1);
	for (unsigned int b = 32; b < 56; b++)
		cr_assert_eq(page[b], 0, "byte %u", b);
	cr_assert_eq(page[56], 0x77);
	fresh(KVM_EXIT_MEMORY_FAULT, 0x77);
	kvmrun_compat_caps_add(&caps, KVM_CAP_MEMORY_FAULT_INFO);
	const struct kvmrun_compat_exit hwpoison = { -1, EHWPOISON };
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, X86, &caps, &hwpoison), 0);
	cr_assert_eq(u64_at(40), 0x7777777777777777ull, "with the capability the fields are the kernel's");
}

Test(arm64_sea, gva_needs_fnv_clear_and_gpa_needs_gpa_valid)
{
	fresh(KVM_EXIT_ARM_SEA, 0x11);
	put64(32, 0);                    /* flags: no GPA_VALID */
	put64(40, KVMRC_ESR_FNV);        /* FnV set: FAR not valid */
	sanitize(ARM64, &ret_ok);
	cr_assert_eq(u64_at(48), 0);
	cr_assert_eq(u64_at(56), 0);
	cr_assert_eq(u64_at(40), KVMRC_ESR_FNV, "esr kept");
	fresh(KVM_EXIT_ARM_SEA, 0x11);
	put64(32, KVMRC_EXIT_ARM_SEA_FLAG_GPA_VALID);
	put64(40, 0x92000010);           /* DABT_LOW, SEA, FnV clear */
	cr_assert_eq(sanitize(ARM64, &ret_ok), 0);
	cr_assert_eq(u64_at(48), 0x1111111111111111ull);
	cr_assert_eq(u64_at(56), 0x1111111111111111ull);
}

Test(riscv64_flags, prepare_clears_flags_and_only_flags)
{
	struct kvm_run *run = fresh(KVM_EXIT_RISCV_SBI, 0x42);
	run->flags = 0x8001;
	cr_assert_eq(kvmrun_compat_prepare(page, 2352, KVMRUN_COMPAT_ARCH_RISCV64), 0);
	cr_assert_eq(run->flags, 0);
	cr_assert_eq(u64_at(96), 0x4242424242424242ull, "sbi.ret is an input");
	cr_assert_eq(kvmrun_compat_sanitize(page, 2352, KVMRUN_COMPAT_ARCH_RISCV64, NULL, &ret_ok), 0,
		     "no rule for SBI exits: the kernel writes every field");
}

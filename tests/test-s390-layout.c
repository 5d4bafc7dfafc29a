/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-s390-layout.c - the s390x struct kvm_run, transcribed from
 * include/uapi/linux/kvm.h and arch/s390/include/uapi/asm/kvm.h (6.12), with
 * its offsets asserted; the transcriptions in kvmrun-compat-uapi.h checked
 * against it; and the s390x rules run through the public API.  There is no
 * s390x emulator profile: these are the s390x rules' tests (every s390x rule
 * is named below, which a test checks).
 *
 * s390x is big-endian: the engine reads kvm_run in host byte order, so the
 * values below are written in host order, as the kernel would on s390x; the
 * one vouch on s390x (tsch.dequeued) is a byte and reads the same either way.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"

/* struct kvm_run as an s390x compiler lays it out (LP64, u64 aligned to 8) */
struct s390_kvm_run {
	uint8_t request_interrupt_window;
	uint8_t immediate_exit;
	uint8_t padding1[6];
	uint32_t exit_reason;
	uint8_t ready_for_interrupt_injection;
	uint8_t if_flag;
	uint16_t flags;
	uint64_t cr8;        /* present on every arch, unused by s390 */
	uint64_t apic_base;
	uint64_t psw_mask;   /* #ifdef __KVM_S390 */
	uint64_t psw_addr;
	union {
		struct kvmrc_s390_sieic s390_sieic;
		uint64_t s390_reset_flags;
		struct kvmrc_s390_ucontrol s390_ucontrol;
		struct kvmrc_s390_debug_exit_arch debug;
		struct { uint32_t suberror; uint32_t ndata; uint64_t data[16]; } internal;
		struct kvmrc_s390_tsch s390_tsch;
		struct { uint32_t type; uint32_t ndata; uint64_t data[16]; } system_event;
		struct kvmrc_s390_stsi s390_stsi;
		char padding[256];
	} u;
	uint64_t kvm_valid_regs;
	uint64_t kvm_dirty_regs;
	union { char padding[2048]; } s;
};

#define OFF(m) offsetof(struct s390_kvm_run, m)

/*
 * The generic header has, in this order: request_interrupt_window,
 * immediate_exit, padding1[6], exit_reason, ready_for_interrupt_injection,
 * if_flag, flags, cr8, apic_base, then "#ifdef __KVM_S390 psw_mask,
 * psw_addr #endif", then the union.  So on s390x cr8 and apic_base are at
 * 16 and 24 (unused by s390), psw at 32 and 40, the union at 48.
 */
Test(s390_layout, header_and_union_offsets)
{
	cr_assert_eq(OFF(flags), 14);
	cr_assert_eq(OFF(cr8), 16);
	cr_assert_eq(OFF(psw_mask), KVMRC_S390_PSW_MASK_OFFSET);
	cr_assert_eq(OFF(psw_addr), KVMRC_S390_PSW_ADDR_OFFSET);
	cr_assert_eq(OFF(u), KVMRC_RUN_UNION_OFFSET_S390);
	cr_assert_eq(OFF(u), 48);
	cr_assert_eq(OFF(kvm_valid_regs), 304);
	cr_assert_eq(OFF(kvm_dirty_regs), 312);
	cr_assert_eq(OFF(s), 320);
	cr_assert_eq(sizeof(struct s390_kvm_run), KVMRC_RUN_SIZE_S390);
}

Test(s390_layout, exit_members)
{
	cr_assert_eq(OFF(u.s390_sieic.icptcode), 48);
	cr_assert_eq(OFF(u.s390_sieic.ipa), 50);
	cr_assert_eq(OFF(u.s390_sieic.ipb), 52);
	cr_assert_eq(OFF(u.s390_reset_flags), 48);
	cr_assert_eq(OFF(u.s390_ucontrol.trans_exc_code), 48);
	cr_assert_eq(OFF(u.s390_ucontrol.pgm_code), 56);
	cr_assert_eq(OFF(u.debug.addr), 48);
	cr_assert_eq(OFF(u.debug.type), 56);
	cr_assert_eq(OFF(u.debug.pad), 57);
	cr_assert_eq(sizeof(((struct s390_kvm_run *)0)->u.debug), 16);
	cr_assert_eq(OFF(u.internal.ndata), 52);
	cr_assert_eq(OFF(u.internal.data), 56);
	cr_assert_eq(OFF(u.s390_tsch.subchannel_id), 48);
	cr_assert_eq(OFF(u.s390_tsch.subchannel_nr), 50);
	cr_assert_eq(OFF(u.s390_tsch.io_int_parm), 52);
	cr_assert_eq(OFF(u.s390_tsch.io_int_word), 56);
	cr_assert_eq(OFF(u.s390_tsch.ipb), 60);
	cr_assert_eq(OFF(u.s390_tsch.dequeued), 64);
	cr_assert_eq(OFF(u.system_event.ndata), 52);
	cr_assert_eq(OFF(u.system_event.data), 56);
	cr_assert_eq(OFF(u.s390_stsi.addr), 48);
	cr_assert_eq(OFF(u.s390_stsi.ar), 56);
	cr_assert_eq(OFF(u.s390_stsi.reserved), 57);
	cr_assert_eq(OFF(u.s390_stsi.fc), 58);
	cr_assert_eq(OFF(u.s390_stsi.sel1), 59);
	cr_assert_eq(OFF(u.s390_stsi.sel2), 60);
}

static uint8_t page[4096];
static const struct kvmrun_compat_exit ok = { 0, 0 };
#define S390 KVMRUN_COMPAT_ARCH_S390X

static struct s390_kvm_run *fresh(uint32_t exit_reason)
{
	memset(page, 0x5a, sizeof(page));
	struct s390_kvm_run *r = (struct s390_kvm_run *)page;
	r->exit_reason = exit_reason;
	return r;
}

/* A run as the scrub sees it: before_run, the "kernel" writes, after_run. */
static struct kvmrun_compat_vcpu vc;

static void before(void)
{
	cr_assert_eq(kvmrun_compat_vcpu_init(&vc, S390, NULL, 0), 0);
	cr_assert_eq(kvmrun_compat_before_run(&vc, page, KVMRC_RUN_SIZE_S390), 0);
}

static void after(void)
{
	cr_assert_eq(kvmrun_compat_after_run(&vc, page, KVMRC_RUN_SIZE_S390, &ok), 0);
}

/* names of the rules these tests exercise */
static const char *const tested[] = { "s390x.flags.clear-before-run" };

Test(s390_rules, flags_are_cleared_before_run_and_nothing_else_outside_the_union)
{
	struct s390_kvm_run *r = fresh(KVM_EXIT_S390_SIEIC);
	uint8_t before_[sizeof(page)];
	memcpy(before_, page, sizeof(page));
	cr_assert_eq(kvmrun_compat_prepare(page, KVMRC_RUN_SIZE_S390, S390), 0);
	cr_assert_eq(r->flags, 0);
	for (unsigned int i = 0; i < sizeof(page); i++)
		if (i != 14 && i != 15)
			cr_assert_eq(page[i], before_[i], "byte %u", i);
}

Test(s390_scrub, debug_pad_unwritten_by_the_kernel_reads_zero)
{
	struct s390_kvm_run *r = fresh(KVM_EXIT_DEBUG);
	before();
	r->exit_reason = KVM_EXIT_DEBUG;
	r->u.debug.addr = 0x1000;          /* guestdbg.c writes addr and type only */
	r->u.debug.type = 2;
	after();
	for (int i = 0; i < 7; i++)
		cr_assert_eq(r->u.debug.pad[i], 0);
	cr_assert_eq(r->u.debug.addr, 0x1000);
	cr_assert_eq(r->u.debug.type, 2);
	cr_assert_eq(page[64], 0, "nothing beyond the debug struct either");
}

Test(s390_scrub, tsch_without_a_dequeued_interrupt_has_no_subchannel)
{
	struct s390_kvm_run *r = fresh(KVM_EXIT_S390_TSCH);
	before();
	r->exit_reason = KVM_EXIT_S390_TSCH;
	r->u.s390_tsch.dequeued = 0;      /* priv.c handle_tsch: subchannel fields only if (inti) */
	r->u.s390_tsch.ipb = 0x12345678;
	after();
	cr_assert_eq(r->u.s390_tsch.subchannel_id, 0);
	cr_assert_eq(r->u.s390_tsch.subchannel_nr, 0);
	cr_assert_eq(r->u.s390_tsch.io_int_parm, 0);
	cr_assert_eq(r->u.s390_tsch.io_int_word, 0);
	cr_assert_eq(r->u.s390_tsch.ipb, 0x12345678, "ipb is the kernel's");
}

Test(s390_scrub, stsi_reserved_unwritten_reads_zero)
{
	struct s390_kvm_run *r = fresh(KVM_EXIT_S390_STSI);
	before();
	r->exit_reason = KVM_EXIT_S390_STSI;
	r->u.s390_stsi.ar = 1;
	r->u.s390_stsi.fc = 3;
	after();
	cr_assert_eq(r->u.s390_stsi.reserved, 0);
	cr_assert_eq(r->u.s390_stsi.ar, 1);
	cr_assert_eq(r->u.s390_stsi.fc, 3);
}

Test(s390_scrub, psw_and_sync_regs_are_never_touched)
{
	for (uint32_t e = 0; e < 64; e++) {
		fresh(e);
		before();
		after();
		kvmrun_compat_prepare(page, KVMRC_RUN_SIZE_S390, S390);
		for (unsigned int i = 0; i < 8; i++)
			cr_assert_eq(page[i], 0x5a, "exit %u: byte %u (in)", e, i);
		for (unsigned int i = 32; i < 48; i++)
			cr_assert_eq(page[i], 0x5a, "exit %u: psw byte %u", e, i);
		for (unsigned int i = 48; i < 304; i++)
			cr_assert_eq(page[i], 0, "exit %u: union byte %u is scrubbed", e, i);
		for (unsigned int i = 304; i < KVMRC_RUN_SIZE_S390; i++)
			cr_assert_eq(page[i], 0x5a, "exit %u: sync byte %u", e, i);
	}
}

Test(s390_rules, every_s390_rule_is_tested_here_and_sits_at_the_s390_offsets)
{
	unsigned int n = 0;
	for (size_t i = 0; i < kvmrun_compat_rule_count(); i++) {
		struct kvmrun_compat_rule_info r;
		cr_assert_eq(kvmrun_compat_rule_get(i, &r), 0);
		if (r.arch != S390)
			continue;
		n++;
		int found = 0;
		for (size_t t = 0; t < sizeof(tested) / sizeof(tested[0]); t++)
			found |= !strcmp(tested[t], r.name);
		cr_expect(found, "s390x rule %s has no test", r.name);
		cr_expect(r.offset == 14 || r.offset >= 48, "rule %s at %u: the s390x union starts at 48",
			  r.name, r.offset);
		cr_expect(r.offset < 32 || r.offset >= 48, "rule %s at %u touches psw_mask/psw_addr", r.name,
			  r.offset);
	}
	cr_assert_eq(n, sizeof(tested) / sizeof(tested[0]));
}

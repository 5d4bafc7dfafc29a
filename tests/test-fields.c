/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-fields.c - the field table (shim/fields.c) against the other tables
 * that name bytes of kvm_run: every byte a rule (rules.c) acts on and every
 * completion input (exits.c) lies in a field the table names for that
 * architecture and exit, so kvmrun-compat trace can name what the shim did;
 * the fields of one exit do not overlap and lie in kvm_run's header or exit
 * union; every exit reason the uapi defines has a name.  Each check has a
 * control that shows it can fail.
 */
#include <string.h>
#include <criterion/criterion.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "exits.h"
#include "fields.h"
#include "rules.h"

/* Bytes [off, off + len) of (arch, exit) all in named fields?  0 when the
 * exit has no field of its own (nothing to check), 1 covered, -1 not. */
static int covered(unsigned int arch, unsigned int exit, unsigned int off, unsigned int len)
{
	int own = 0;
	for (unsigned int i = 0; i < kvmrc_field_count; i++)
		own |= kvmrc_field_applies(&kvmrc_fields[i], arch, exit) &&
		       kvmrc_fields[i].exit_reason == exit;
	if (!own && exit != KVMRC_FIELD_EXIT_ANY)
		return 0;
	for (unsigned int b = off; b < off + len; b++) {
		int in = 0;
		for (unsigned int i = 0; i < kvmrc_field_count && !in; i++) {
			const struct kvmrc_field *f = &kvmrc_fields[i];
			in = kvmrc_field_applies(f, arch, exit) && b >= f->off && b < (unsigned int)f->off + f->size;
		}
		if (!in)
			return -1;
	}
	return 1;
}

Test(fields, every_rule_acts_on_named_fields)
{
	unsigned int checked = 0;
	for (unsigned int i = 0; i < kvmrc_rule_count; i++) {
		const struct kvmrc_rule *r = &kvmrc_rules[i];
		unsigned int exit = r->exit_reason == KVMRC_EXIT_ANY ? KVMRC_FIELD_EXIT_ANY : r->exit_reason;
		int c = covered(r->arch, exit, r->offset, r->size);
		cr_expect_neq(c, -1, "rule %s: bytes %u+%u not in a named field", r->name, r->offset, r->size);
		checked += c == 1;
	}
	cr_assert_geq(checked, 6, "only %u rules checked", checked);
	/* control: bytes 48-51 of an arm64 debug exit are no field (padding past far) */
	cr_assert_eq(covered(KVMRUN_COMPAT_ARCH_ARM64, KVM_EXIT_DEBUG, 48, 4), -1);
}

Test(fields, every_completion_input_is_a_named_field)
{
	unsigned int checked = 0;
	for (unsigned int i = 0; i < kvmrc_input_count; i++) {
		const struct kvmrc_input *in = &kvmrc_inputs[i];
		int c = covered(in->arch, in->exit_reason, in->off, in->len);
		cr_expect_neq(c, -1, "input %s: not in a named field", in->what);
		checked += c == 1;
	}
	cr_assert_geq(checked, 8, "only %u inputs checked", checked);
	/* control: x86 msr bytes 33-39 (pad after error) are no field */
	cr_assert_eq(covered(KVMRUN_COMPAT_ARCH_X86_64, KVM_EXIT_X86_RDMSR, 33, 7), -1);
}

/* Can rows f and g describe bytes of the same exit's bytes at once (the
 * same union member, or one of them in every member)? */
static int same_member(const struct kvmrc_field *f, const struct kvmrc_field *g)
{
	if (f->sel == KVMRC_SEL_ALL || g->sel == KVMRC_SEL_ALL)
		return 1;
	if (f->sel != g->sel)
		return 0;
	return f->sel == KVMRC_SEL_OTHER || f->sel_value == g->sel_value;
}

Test(fields, fields_of_an_exit_do_not_overlap_and_lie_in_kvm_run)
{
	for (unsigned int i = 0; i < kvmrc_field_count; i++) {
		const struct kvmrc_field *f = &kvmrc_fields[i];
		unsigned int uoff = f->arch == KVMRUN_COMPAT_ARCH_S390X ? 48u : 32u;
		cr_expect(f->off + f->size <= uoff + KVMRC_UNION_SIZE, "%s past the union", f->name);
		cr_expect(f->exit_reason == KVMRC_FIELD_EXIT_ANY ? f->off + f->size <= uoff : f->off >= uoff,
			  "%s: header field in the union or exit field in the header", f->name);
		cr_expect(f->sel == KVMRC_SEL_ALL || ((f->sel_size == 4 || f->sel_size == 8) && f->sel_at >= uoff),
			  "%s: a selector of 4 or 8 bytes in the union", f->name);
		for (unsigned int j = i + 1; j < kvmrc_field_count; j++) {
			const struct kvmrc_field *g = &kvmrc_fields[j];
			int both = g->arch == f->arch ||
				   (f->arch == KVMRC_FIELD_ALL_LP64 && g->arch != KVMRUN_COMPAT_ARCH_S390X) ||
				   (g->arch == KVMRC_FIELD_ALL_LP64 && f->arch != KVMRUN_COMPAT_ARCH_S390X);
			if (g->exit_reason != f->exit_reason || !both || !same_member(f, g))
				continue;
			cr_expect(f->off + f->size <= g->off || g->off + g->size <= f->off,
				  "%s and %s of exit %u overlap", f->name, g->name, f->exit_reason);
		}
	}
	/* control: hyperv synic.msr and hcall.input share bytes 40-43, in two members */
	int seen = 0;
	for (unsigned int i = 0; i < kvmrc_field_count; i++)
		for (unsigned int j = 0; j < kvmrc_field_count; j++) {
			const struct kvmrc_field *f = &kvmrc_fields[i], *g = &kvmrc_fields[j];
			if (!strcmp(f->name, "synic.msr") && !strcmp(g->name, "hcall.input") &&
			    f->exit_reason == KVM_EXIT_HYPERV && g->exit_reason == KVM_EXIT_HYPERV) {
				cr_assert_eq(f->off, g->off);
				cr_assert(!same_member(f, g));
				seen = 1;
			}
		}
	cr_assert(seen, "hyperv rows not found");
}

/* Does (arch, exit) have a named field of its own? */
static int own_fields(unsigned int arch, unsigned int exit)
{
	for (unsigned int i = 0; i < kvmrc_field_count; i++)
		if (kvmrc_field_applies(&kvmrc_fields[i], arch, exit) && kvmrc_fields[i].exit_reason == exit)
			return 1;
	return 0;
}

Test(fields, every_exit_with_a_struct_has_named_fields)
{
	/* every exit the write and input tables describe (x86_64, arm64, riscv64) */
	for (unsigned int i = 0; i < kvmrc_write_count; i++)
		cr_expect(own_fields(kvmrc_writes[i].arch, kvmrc_writes[i].exit_reason), "arch %u exit %u (%s) has no field",
			  kvmrc_writes[i].arch, kvmrc_writes[i].exit_reason, kvmrc_exit_name(kvmrc_writes[i].exit_reason));
	for (unsigned int i = 0; i < kvmrc_input_count; i++)
		cr_expect(own_fields(kvmrc_inputs[i].arch, kvmrc_inputs[i].exit_reason), "input %s: exit has no field",
			  kvmrc_inputs[i].what);
	/* s390x's exits (arch/s390/kvm: intercept.c, kvm-s390.c, priv.c) */
	static const unsigned int s390[] = { KVM_EXIT_DEBUG, KVM_EXIT_S390_SIEIC, KVM_EXIT_S390_RESET,
					     KVM_EXIT_S390_UCONTROL, KVM_EXIT_S390_TSCH, KVM_EXIT_S390_STSI,
					     KVM_EXIT_INTERNAL_ERROR };
	for (unsigned int i = 0; i < sizeof(s390) / sizeof(s390[0]); i++)
		cr_expect(own_fields(KVMRUN_COMPAT_ARCH_S390X, s390[i]), "s390x exit %u has no field", s390[i]);
	cr_expect(own_fields(KVMRUN_COMPAT_ARCH_X86_64, KVM_EXIT_HYPERV) && own_fields(KVMRUN_COMPAT_ARCH_X86_64, KVM_EXIT_XEN) &&
		  own_fields(KVMRUN_COMPAT_ARCH_X86_64, KVM_EXIT_TDX) &&
		  own_fields(KVMRUN_COMPAT_ARCH_X86_64, KVM_EXIT_SNP_REQ_CERTS) &&
		  own_fields(KVMRUN_COMPAT_ARCH_ARM64, KVM_EXIT_ARM_LDST64B), "hyperv, xen, tdx, snp, ldst64b");
	/* control: LoongArch's IOCSR exit (no arch of ours) has none */
	cr_assert_eq(own_fields(KVMRUN_COMPAT_ARCH_X86_64, KVM_EXIT_LOONGARCH_IOCSR), 0);
}

/* The rows of one exit that apply to the bytes of page, by name, in one string. */
static void selected(unsigned int arch, unsigned int exit, const uint8_t *page, char *out, size_t len)
{
	out[0] = 0;
	for (unsigned int i = 0; i < kvmrc_field_count; i++) {
		const struct kvmrc_field *f = &kvmrc_fields[i];
		if (f->exit_reason == exit && kvmrc_field_applies(f, arch, exit) && kvmrc_field_selected(f, page)) {
			strncat(out, f->name, len - strlen(out) - 1);
			strncat(out, " ", len - strlen(out) - 1);
		}
	}
}

Test(fields, the_member_the_selector_names)
{
	uint8_t page[512] = { 0 };
	char got[1024];
	const unsigned int x86 = KVMRUN_COMPAT_ARCH_X86_64;

	page[32] = KVM_EXIT_HYPERV_HCALL;
	selected(x86, KVM_EXIT_HYPERV, page, got, sizeof(got));
	cr_assert_str_eq(got, "type hcall.input hcall.result hcall.params[0] hcall.params[1] ");
	page[32] = KVM_EXIT_HYPERV_SYNDBG;
	selected(x86, KVM_EXIT_HYPERV, page, got, sizeof(got));
	cr_assert(strstr(got, "syndbg.pending_page") && !strstr(got, "hcall") && !strstr(got, "synic"), "%s", got);
	/* tdx: nr (u64 at 40) names the member; a leaf of no member: unknown */
	uint64_t nr = KVMRC_TDVMCALL_GET_QUOTE;
	memcpy(page + 40, &nr, 8);
	selected(x86, KVM_EXIT_TDX, page, got, sizeof(got));
	cr_assert_str_eq(got, "flags nr ret get_quote.gpa get_quote.size ");
	nr = 0x10001; /* MapGPA: handled as KVM_EXIT_HYPERCALL, no member of its own */
	memcpy(page + 40, &nr, 8);
	selected(x86, KVM_EXIT_TDX, page, got, sizeof(got));
	cr_assert(strstr(got, "unknown.data[4]") && !strstr(got, "get_quote"), "%s", got);
	/* control: the upper half of nr counts (a u64 selector) */
	nr = KVMRC_TDVMCALL_GET_QUOTE | 1ull << 32;
	memcpy(page + 40, &nr, 8);
	selected(x86, KVM_EXIT_TDX, page, got, sizeof(got));
	cr_assert(!strstr(got, "get_quote") && strstr(got, "unknown.data[0]"), "%s", got);
	cr_assert_str_eq(kvmrc_field_value_name(KVMRC_FK_TDX_NR, KVMRC_TDVMCALL_GET_QUOTE), "GET_QUOTE");
	cr_assert_str_eq(kvmrc_field_value_name(KVMRC_FK_HYPERV_TYPE, 3), "SYNDBG");
	cr_assert_null(kvmrc_field_value_name(KVMRC_FK_HEX, 3));
}

Test(fields, every_exit_reason_has_a_name)
{
	for (unsigned int e = 0; e <= KVMRC_LAST_KNOWN_EXIT; e++)
		cr_expect_str_neq(kvmrc_exit_name(e), "?", "exit %u has no name", e);
	cr_assert_str_eq(kvmrc_exit_name(KVM_EXIT_MMIO), "MMIO");
	/* control: a reason past the table has none */
	cr_assert_str_eq(kvmrc_exit_name(KVMRC_LAST_KNOWN_EXIT + 1), "?");
	cr_assert_str_eq(kvmrc_esr_class_name(KVMRC_ESR_EC_BRK64), "BRK64");
	cr_assert_str_eq(kvmrc_system_event_name(2), "RESET");
}

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
		if (r->arch == KVMRUN_COMPAT_ARCH_S390X)
			continue; /* s390x exits are shown as bytes */
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

Test(fields, fields_of_an_exit_do_not_overlap_and_lie_in_kvm_run)
{
	for (unsigned int i = 0; i < kvmrc_field_count; i++) {
		const struct kvmrc_field *f = &kvmrc_fields[i];
		cr_expect(f->off + f->size <= 32u + KVMRC_UNION_SIZE, "%s past the union", f->name);
		cr_expect(f->exit_reason == KVMRC_FIELD_EXIT_ANY ? f->off + f->size <= 32u : f->off >= 32u,
			  "%s: header field in the union or exit field in the header", f->name);
		for (unsigned int j = i + 1; j < kvmrc_field_count; j++) {
			const struct kvmrc_field *g = &kvmrc_fields[j];
			if (g->exit_reason != f->exit_reason || (g->arch != f->arch && g->arch != KVMRC_FIELD_ALL_LP64 &&
								   f->arch != KVMRC_FIELD_ALL_LP64))
				continue;
			cr_expect(f->off + f->size <= g->off || g->off + g->size <= f->off,
				  "%s and %s of exit %u overlap", f->name, g->name, f->exit_reason);
		}
	}
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-abi-run.c - what --abi may do to kvm_run after a KVM_RUN
 * (shim/abi-run.c), on random pages, for every architecture and every
 * release from 5.4 to 7.1, with and without --abi-stale, for every exit
 * reason and KVM_RUN result:
 *   - bytes outside the union and flags are never written (guard pages
 *     around the page, and a byte-by-byte comparison);
 *   - flags: only the bits of flag rows VERSION predates, cleared;
 *   - the union: when the kernel produced an exit, only the bytes of the
 *     rows of that exit VERSION predates, as the row says (the poison byte,
 *     0, or the previous exit's union); every other byte, kernel-written or
 *     an input, unchanged; when it produced none, nothing;
 *   - without --abi (and at the newest release) nothing at all.
 * The expected page is computed from the table rows here, independently of
 * the index abi-run.c builds.  A control shows the check sees a changed byte.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "abi-run.h"
#include "exits.h"
#include "kver.h"
#include "log.h"

/* what abi-run.c takes from the rest of the shim */
uint8_t kvmrc_scrub_fill;
static unsigned int lines;
void kvmrc_log_hot(enum kvmrc_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	lines++;
}

static const uint32_t versions[] = {
	KVMRC_KV(5, 4, 0), KVMRC_KV(5, 5, 0), KVMRC_KV(5, 9, 0), KVMRC_KV(5, 10, 0), KVMRC_KV(5, 12, 0),
	KVMRC_KV(5, 15, 0), KVMRC_KV(5, 18, 0), KVMRC_KV(5, 19, 0), KVMRC_KV(6, 1, 0), KVMRC_KV(6, 4, 0),
	KVMRC_KV(6, 6, 0), KVMRC_KV(6, 11, 0), KVMRC_KV(6, 12, 0), KVMRC_KV(6, 14, 0), KVMRC_KV(6, 19, 0),
	KVMRC_KV(7, 1, 0),
};
static const enum kvmrun_compat_arch arches[] = {
	KVMRUN_COMPAT_ARCH_X86_64, KVMRUN_COMPAT_ARCH_ARM64, KVMRUN_COMPAT_ARCH_RISCV64, KVMRUN_COMPAT_ARCH_S390X,
};

#define PAGE 4096u
static uint8_t *guarded(void)
{
	uint8_t *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	cr_assert_eq(mprotect(p, PAGE, PROT_NONE), 0);
	cr_assert_eq(mprotect(p + 2 * PAGE, PAGE, PROT_NONE), 0);
	return p + PAGE;
}

/* The page the rows say: from `in` (after the kernel), prev (the previous
 * exit's union as the VMM saw it), for a KVM_RUN that produced an exit or not. */
static void expect(uint8_t *want, const uint8_t *in, const uint8_t *prev, uint32_t abi, unsigned int arch,
		   int stale, uint8_t fill, int produced, unsigned int *applied)
{
	unsigned int uoff = kvmrc_union_off(arch);
	uint32_t reason;
	uint16_t flags;

	memcpy(want, in, PAGE);
	memcpy(&reason, in + 8, 4);
	memcpy(&flags, in + 14, 2);
	for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
		const struct kvmrc_abi_row *r = &kvmrc_abi_rows[i];
		if (!kvmrc_abi_row_applies(r, abi, arch))
			continue;
		if (r->kind == KVMRC_ABI_FLAG) {
			flags &= (uint16_t)~r->bits;
			continue;
		}
		if (!produced || r->exit_reason != reason || r->kind == KVMRC_ABI_EXIT)
			continue;
		(*applied)++;
		if (r->kind == KVMRC_ABI_ZEROED)
			memset(want + r->off, 0, r->len);
		else if (stale)
			memcpy(want + r->off, prev + (r->off - uoff), r->len);
		else
			memset(want + r->off, fill, r->len);
	}
	memcpy(want + 14, &flags, 2);
}

static int first_diff(const uint8_t *a, const uint8_t *b)
{
	for (unsigned int i = 0; i < PAGE; i++)
		if (a[i] != b[i])
			return (int)i;
	return -1;
}

Test(abi_run, only_the_rows_of_the_exit_change, .timeout = 120)
{
	uint8_t *page = guarded();
	static uint8_t in[PAGE], want[PAGE], prev[256];
	unsigned int applied = 0, runs = 0, flags_cleared = 0;

	srand(12);
	for (unsigned int a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
		for (unsigned int vi = 0; vi <= sizeof(versions) / sizeof(versions[0]); vi++)
			for (int stale = 0; stale < 2; stale++) {
				uint32_t abi = vi < sizeof(versions) / sizeof(versions[0]) ? versions[vi] : 0;
				unsigned int arch = arches[a], uoff = kvmrc_union_off(arch);
				struct kvmrc_abi_vcpu *st = calloc(1, sizeof(*st));
				kvmrc_abi_run_configure(abi, arch, stale);
				kvmrc_scrub_fill = (uint8_t)(stale ? 0 : 0xa5);
				memset(prev, 0, sizeof(prev)); /* a new vCPU's union */
				for (unsigned int n = 0; n < 400; n++) {
					for (unsigned int i = 0; i < PAGE; i++)
						page[i] = (uint8_t)rand();
					/* half the exits are ones the rows name */
					const struct kvmrc_abi_row *pick = &kvmrc_abi_rows[rand() % kvmrc_abi_row_count];
					uint32_t reason = rand() % 2 && pick->exit_reason < 70 ? pick->exit_reason
											    : (uint32_t)(rand() % 70);
					uint32_t before = reason;
					int r = rand() % 4 == 0 ? -1 : 0;
					if (r && rand() % 2)
						before = reason + 1; /* a failed KVM_RUN that wrote an exit */
					memcpy(page + 8, &reason, 4);
					memcpy(in, page, PAGE);
					int produced = (r == 0 || reason != before) && reason < KVMRC_MAX_EXIT;
					if (kvmrc_abi_on)
						kvmrc_abi_after_run(st, page, r, before);
					if (kvmrc_abi_on)
						expect(want, in, prev, abi, arch, stale, kvmrc_scrub_fill, produced, &applied);
					else
						memcpy(want, in, PAGE);
					int d = first_diff(page, want);
					cr_assert_eq(d, -1, "arch %u abi %x stale %d exit %u r %d: byte %d is 0x%02x, "
						     "want 0x%02x (was 0x%02x)", arch, abi, stale, reason, r, d,
						     d < 0 ? 0 : page[d], d < 0 ? 0 : want[d], d < 0 ? 0 : in[d]);
					uint16_t f0, f1;
					memcpy(&f0, in + 14, 2);
					memcpy(&f1, page + 14, 2);
					flags_cleared += f0 != f1;
					if (produced)
						memcpy(prev, page + uoff, 256);
					runs++;
				}
				free(st);
			}
	/* the rows did act, on fields and flags alike */
	cr_assert_gt(applied, 1000, "only %u row applications in %u runs", applied, runs);
	cr_assert_gt(flags_cleared, 1000, "flag bits cleared on %u runs only", flags_cleared);
	cr_assert_gt(lines, 0u, "no exit VERSION cannot produce was logged");
}

/* No --abi (and at the newest release, 7.1, whose rows all exist): no work. */
Test(abi_run, nothing_without_abi)
{
	kvmrc_abi_run_configure(0, KVMRUN_COMPAT_ARCH_X86_64, 0);
	cr_assert_eq(kvmrc_abi_on, 0);
	kvmrc_abi_run_configure(KVMRC_KV(7, 1, 0), KVMRUN_COMPAT_ARCH_ARM64, 0);
	cr_assert_eq(kvmrc_abi_on, 0);
	kvmrc_abi_run_configure(KVMRC_KV(5, 10, 0), KVMRUN_COMPAT_ARCH_ARM64, 0);
	cr_assert_eq(kvmrc_abi_on, 1);
}

/* Control: the check sees one changed byte outside every row. */
Test(abi_run, control_a_changed_byte_is_seen)
{
	static uint8_t in[PAGE], want[PAGE], prev[256];
	uint8_t *page = guarded();
	unsigned int applied = 0;
	uint32_t reason = KVM_EXIT_DEBUG;
	struct kvmrc_abi_vcpu *st = calloc(1, sizeof(*st));

	kvmrc_abi_run_configure(KVMRC_KV(5, 10, 0), KVMRUN_COMPAT_ARCH_ARM64, 0);
	kvmrc_scrub_fill = 0xa5;
	memset(page, 0x11, PAGE);
	memcpy(page + 8, &reason, 4);
	memcpy(in, page, PAGE);
	kvmrc_abi_after_run(st, page, 0, 0);
	expect(want, in, prev, KVMRC_KV(5, 10, 0), KVMRUN_COMPAT_ARCH_ARM64, 0, 0xa5, 1, &applied);
	cr_assert_eq(first_diff(page, want), -1);
	cr_assert_eq(page[36], 0xa5, "hsr_high is poisoned");
	page[40] ^= 1; /* far: no row names it */
	cr_assert_eq(first_diff(page, want), 40);
	free(st);
}

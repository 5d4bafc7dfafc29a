/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-writes.c - what the engine may write.
 *
 * kvm_run sits between PROT_NONE guard pages, is filled with random bytes,
 * and every (arch, exit reason, KVM_RUN result, flags) combination is
 * sanitized.  Facts:
 *   - a changed byte always lies in a range that a rule for that arch and
 *     exit names (and nothing outside kvm_run is written: the guards fault);
 *   - no rule range ever covers a byte the kernel reads back on the next
 *     KVM_RUN.  That table of inputs (kvm-inputs.h) is written from the uapi
 *     and the kernel's completion code, independently of the rule table.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"
#include "kvm-inputs.h"

#define is_input kvm_is_input

/* May a rule for (arch, exit) write this byte? */
static int named_by_rule(int arch, uint32_t exit_reason, unsigned int byte)
{
	for (size_t i = 0; i < kvmrun_compat_rule_count(); i++) {
		struct kvmrun_compat_rule_info r;
		kvmrun_compat_rule_get(i, &r);
		if ((int)r.arch == arch && (r.exit_reason == exit_reason || r.exit_reason == 0xffff) &&
		    byte >= r.offset && byte < (unsigned int)r.offset + r.size)
			return 1;
	}
	return 0;
}

static uint8_t *guarded_run(void)
{
	uint8_t *m = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(m, MAP_FAILED);
	cr_assert_eq(mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE), 0);
	return m + 4096;
}

Test(writes, no_rule_ever_names_an_input_byte)
{
	for (size_t i = 0; i < kvmrun_compat_rule_count(); i++) {
		struct kvmrun_compat_rule_info r;
		kvmrun_compat_rule_get(i, &r);
		for (unsigned int b = r.offset; b < (unsigned int)r.offset + r.size; b++) {
			if (r.exit_reason == 0xffff) {
				for (uint32_t e = 0; e < 64; e++)
					cr_assert(!is_input(r.arch, e, b), "rule %s names input byte %u (exit %u)",
						  r.name, b, e);
			} else {
				cr_assert(!is_input(r.arch, r.exit_reason, b), "rule %s names input byte %u",
					  r.name, b);
			}
		}
	}
}

Test(writes, only_rule_bytes_change_for_random_pages)
{
	const int arches[] = { KVMRUN_COMPAT_ARCH_X86_64, KVMRUN_COMPAT_ARCH_ARM64, KVMRUN_COMPAT_ARCH_RISCV64,
			       KVMRUN_COMPAT_ARCH_S390X };
	const struct kvmrun_compat_exit results[] = { { 0, 0 }, { -1, EINVAL }, { -1, EFAULT },
						     { -1, EHWPOISON }, { -1, EINTR }, { -1, ENOEXEC } };
	uint8_t *run = guarded_run();
	uint8_t before[4096];
	unsigned int seed = 12345, checked = 0;

	for (unsigned int round = 0; round < 40; round++)
		for (unsigned int a = 0; a < 4; a++)
			for (uint32_t exit = 0; exit < 70; exit++)
				for (unsigned int k = 0; k < sizeof(results) / sizeof(results[0]); k++) {
					for (unsigned int i = 0; i < 4096; i++)
						run[i] = (uint8_t)rand_r(&seed);
					memcpy(run + 8, &exit, 4);
					memcpy(before, run, 4096);
					struct kvmrun_compat_caps caps = { { (uint64_t)rand_r(&seed) << 32 | (unsigned)rand_r(&seed),
									     0, 0, (uint64_t)rand_r(&seed) } };
					size_t size = arches[a] == KVMRUN_COMPAT_ARCH_S390X ? 2368 : 2352;
					kvmrun_compat_sanitize(run, size, arches[a], round & 1 ? &caps : NULL, &results[k]);
					kvmrun_compat_prepare(run, size, arches[a]);
					for (unsigned int b = 0; b < 4096; b++) {
						if (run[b] == before[b])
							continue;
						cr_assert(b < size, "byte %u beyond kvm_run changed", b);
						cr_assert(named_by_rule(arches[a], exit, b),
							  "arch %d exit %u byte %u changed but no rule names it",
							  arches[a], exit, b);
						cr_assert(!is_input(arches[a], exit, b), "input byte %u changed", b);
					}
					checked++;
				}
	cr_assert_gt(checked, 60000);
}

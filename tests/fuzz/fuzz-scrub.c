/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-scrub.c - libFuzzer target for the scrub, through the public API
 * (kvmrun_compat_vcpu_init / before_run / after_run), over sequences of
 * exits of a simulated kernel.
 *
 * Each input picks an architecture and then steps.  A step: the VMM writes
 * the completion inputs of the pending exit and junk anywhere in the union;
 * before_run; the "kernel" writes an exit of a chosen reason into a chosen
 * set of union bytes (or returns -1/EINTR having written nothing); after_run.
 * The inputs come from tests/kvm-inputs.h, written from the kernels'
 * completion code independently of shim/exits.c.  Asserted (abort()):
 *   1. before_run never changes an input byte of the pending exit;
 *   2. after an exit every union byte is what the kernel wrote, an input of
 *      the pending exit, or 0 (the one exception: ndata bounded to 16);
 *   3. a byte the kernel did not write is 0 or an input of the pending exit;
 *   4. nothing outside the union changes but flags (output-only on arm64,
 *      riscv64, s390x) and ndata's bound;
 *   5. a KVM_RUN the kernel did not enter (-1/EINTR, nothing written)
 *      changes nothing after it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvmrun-compat.h"
#include "kvm-inputs.h"

#define PAGE 4096u
#define HEAD 320u /* header and union of every arch; beyond it compared whole */

static uint8_t page[PAGE];

struct cursor {
	const uint8_t *d;
	size_t n, i;
};

static uint8_t next(struct cursor *c)
{
	return c->i < c->n ? c->d[c->i++] : 0;
}

static void fail(const char *what, int arch, uint32_t reason, unsigned int byte)
{
	fprintf(stderr, "fuzz-scrub: %s (arch %d, exit %u, byte %u)\n", what, arch, reason, byte);
	abort();
}

static int ndata_byte(int arch, uint32_t reason, unsigned int b, unsigned int uoff)
{
	return (reason == KVM_EXIT_SYSTEM_EVENT || (reason == KVM_EXIT_INTERNAL_ERROR && arch == KVMRUN_COMPAT_ARCH_X86_64)) &&
	       b >= uoff + 4 && b < uoff + 8;
}

/* The oldest kernel of the input table: every input any kernel reads back
 * must be kept (arm64 before 5.6 reads mmio.len and is_write too). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("KVMRUN_COMPAT_KERNEL", "5.4.0", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size, 0 };
	struct kvmrun_compat_vcpu vc;
	static uint8_t at_exit[PAGE], before[PAGE], kernel[PAGE], wrote[PAGE];

	int arch = 1 + next(&c) % 4;
	unsigned int uoff = arch == KVMRUN_COMPAT_ARCH_S390X ? 48 : 32;
	size_t run = arch == KVMRUN_COMPAT_ARCH_S390X ? KVMRC_RUN_SIZE_S390 : KVMRC_RUN_SIZE;
	struct kvmrun_compat_caps caps = { { 0 } };
	for (int i = 0; i < 4; i++)
		caps.bits[i] = (uint64_t)next(&c) * 0x0101010101010101ull;
	if (kvmrun_compat_vcpu_init(&vc, (enum kvmrun_compat_arch)arch, &caps, 0))
		abort();
	for (unsigned int i = 0; i < PAGE; i++)
		page[i] = (uint8_t)(i * 7);
	uint32_t prev = 0xffffffffu; /* nothing pending before the first run */
	memcpy(at_exit, page, PAGE);

	for (unsigned int step = 0; step < 12 && c.i + 4 <= c.n; step++) {
		/* the VMM answers the pending exit and leaves junk */
		for (unsigned int b = uoff; b < uoff + 256; b++)
			if (prev != 0xffffffffu && kvm_is_input_at(arch, prev, b, at_exit))
				page[b] = next(&c);
		for (unsigned int k = next(&c) % 8; k; k--)
			page[uoff + next(&c)] = next(&c);
		memcpy(before, page, PAGE);
		if (kvmrun_compat_before_run(&vc, page, run))
			abort();
		if (memcmp(page + HEAD, before + HEAD, PAGE - HEAD))
			fail("before_run changed a byte past the union", arch, prev, HEAD);
		for (unsigned int b = 0; b < HEAD; b++) {
			int input = prev != 0xffffffffu && kvm_is_input_at(arch, prev, b, at_exit);
			if (input && page[b] != before[b])
				fail("before_run changed an input byte", arch, prev, b);
			if ((b < uoff || b >= uoff + 256) && !(b == 14 || b == 15) && page[b] != before[b])
				fail("before_run changed a byte outside the union", arch, prev, b);
		}
		memcpy(before, page, PAGE);

		/* the kernel */
		uint8_t how = next(&c);
		struct kvmrun_compat_exit ex = { 0, 0 };
		memset(wrote, 0, PAGE);
		uint32_t reason;
		if ((how & 7) == 7) { /* -1/EINTR before entering: writes nothing */
			ex.ret = -1;
			ex.err = EINTR;
			memcpy(&reason, page + 8, 4);
		} else {
			reason = how % 48 == 47 ? 200u : how % 48;
			memcpy(page + 8, &reason, 4);
			for (unsigned int k = next(&c) % 24; k; k--) {
				unsigned int b = uoff + next(&c);
				page[b] = next(&c);
				wrote[b] = 1;
			}
			if (arch != KVMRUN_COMPAT_ARCH_X86_64 && (next(&c) & 1)) {
				page[14] = next(&c);
				page[15] = 0;
			}
		}
		memcpy(kernel, page, PAGE);
		if (kvmrun_compat_after_run(&vc, page, run, &ex))
			abort();

		if (ex.ret != 0) {
			if (memcmp(page, kernel, PAGE))
				fail("after a KVM_RUN that did not enter, bytes changed", arch, reason, 0);
			continue;
		}
		/* exits past the uapi's last (KVM_EXIT_SNP_REQ_CERTS, 7.0) are unknown */
		int fresh = prev == 0xffffffffu, unknown = !fresh && prev > KVM_EXIT_SNP_REQ_CERTS;
		if (memcmp(page + HEAD, kernel + HEAD, PAGE - HEAD))
			fail("after_run changed a byte past the union", arch, reason, HEAD);
		for (unsigned int b = 0; b < HEAD; b++) {
			int in_union = b >= uoff && b < uoff + 256;
			int input = !fresh && !unknown && kvm_is_input(arch, prev, b);
			if (!in_union) {
				if (page[b] != kernel[b])
					fail("after_run changed a byte outside the union", arch, reason, b);
				continue;
			}
			if (page[b] == kernel[b] && (wrote[b] || page[b] == 0 || input))
				continue;
			if (page[b] == 0 || ndata_byte(arch, reason, b, uoff))
				continue;
			if (unknown && !wrote[b])
				continue; /* after an exit the tables do not know: no scrub (fail open) */
			fail(wrote[b] ? "a kernel-written byte changed to a value not 0" : "an unwritten byte is not 0",
			     arch, reason, b);
		}
		/* 3: unwritten, not an input of the pending exit: 0 */
		for (unsigned int b = uoff; b < uoff + 256 && !unknown; b++)
			if (!wrote[b] && page[b] != 0 && (fresh || !kvm_is_input(arch, prev, b)) &&
			    !ndata_byte(arch, reason, b, uoff))
				fail("a byte nobody wrote is not 0", arch, reason, b);
		prev = reason;
		memcpy(at_exit, page, PAGE);
	}
	return 0;
}

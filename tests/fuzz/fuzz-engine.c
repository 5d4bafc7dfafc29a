/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-engine.c - libFuzzer target for the rule engine, through the public
 * API (kvmrun_compat_prepare / kvmrun_compat_sanitize).
 *
 * Each input chooses an architecture, a KVM_RUN result (0, -1 with EINVAL,
 * EFAULT, EHWPOISON, EINTR, ENOEXEC, EAGAIN, or a positive value), an exit
 * reason, a capability set, prepare or sanitize, and the bytes of the
 * kvm_run page.  kvm_run sits at the end of a read-write page between two
 * PROT_NONE guard pages, so a write past its end faults; the bytes before
 * it are compared.  Asserted (abort() on violation, which libFuzzer reports):
 *   1. no byte outside kvm_run changes;
 *   2. every changed byte lies in a range that some rule of that arch names
 *      for that exit reason (for prepare: a before-run rule);
 *   3. no changed byte is a completion input (tests/kvm-inputs.h, written
 *      from the kernels' completion code, not from the rule table);
 *   4. on EINTR, ENOEXEC, EAGAIN and positive results nothing changes;
 *   5. the return value is 0 exactly when nothing changed;
 *   6. a second identical call changes nothing (the result is a fixed point).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "kvmrun-compat.h"
#include "kvm-inputs.h"

#define PAGE 4096u
#define NARCH 5
#define NEXIT 257 /* 0..255 by exit reason, 256: before-run rules */

static uint8_t *page;           /* the read-write page between the guards */
static uint8_t named[NARCH][NEXIT][PAGE / 8];
static uint8_t input[NARCH][NEXIT][PAGE / 8];

static int bit(const uint8_t *m, unsigned int b) { return (m[b / 8] >> (b % 8)) & 1; }
static void set(uint8_t *m, unsigned int b) { m[b / 8] |= (uint8_t)(1u << (b % 8)); }

static void fail(const char *what, int arch, uint32_t exit_reason, unsigned int byte)
{
	fprintf(stderr, "fuzz-engine: %s (arch %d, exit %u, byte %u)\n", what, arch, exit_reason, byte);
	abort();
}

static void setup(void)
{
	uint8_t *m = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m + PAGE, PAGE, PROT_READ | PROT_WRITE))
		abort();
	page = m + PAGE;
	for (size_t i = 0; i < kvmrun_compat_rule_count(); i++) {
		struct kvmrun_compat_rule_info r;
		if (kvmrun_compat_rule_get(i, &r) || (unsigned int)r.arch >= NARCH)
			abort();
		unsigned int e = r.exit_reason == 0xffff ? 256 : r.exit_reason;
		if (e >= NEXIT)
			continue;
		for (unsigned int b = r.offset; b < (unsigned int)r.offset + r.size && b < PAGE; b++)
			set(named[r.arch][e], b);
	}
	for (int a = 1; a < NARCH; a++)
		for (unsigned int e = 0; e < 256; e++)
			for (unsigned int b = 0; b < PAGE; b++)
				if (kvm_is_input(a, e, b)) {
					set(input[a][e], b);
					set(input[a][256], b); /* before-run rules act on any exit */
				}
}

/* Exit reasons some rule or input entry speaks about, so that random inputs
 * reach them often; any other value is also tried (raw byte). */
static const uint32_t interesting[] = {
	KVM_EXIT_UNKNOWN, KVM_EXIT_IO, KVM_EXIT_HYPERCALL, KVM_EXIT_DEBUG, KVM_EXIT_MMIO,
	KVM_EXIT_FAIL_ENTRY, KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_S390_TSCH, KVM_EXIT_S390_STSI,
	KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_X86_RDMSR, KVM_EXIT_X86_WRMSR, KVM_EXIT_RISCV_SBI,
	KVM_EXIT_RISCV_CSR, KVM_EXIT_MEMORY_FAULT, KVM_EXIT_TDX, KVM_EXIT_ARM_SEA,
	KVM_EXIT_HYPERV, KVM_EXIT_XEN, KVM_EXIT_ARM_NISV,
};

static const struct kvmrun_compat_exit results[] = {
	{ 0, 0 }, { -1, EINVAL }, { -1, EFAULT }, { -1, EHWPOISON },
	{ -1, EINTR }, { -1, ENOEXEC }, { 1, 0 }, { -1, EAGAIN },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[PAGE], after[PAGE];

	if (!page)
		setup();
	uint8_t hdr[3 + 32] = { 0 }; /* short inputs: the missing header bytes are 0 */
	memcpy(hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
	int arch = 1 + hdr[0] % 4;
	unsigned int mode = hdr[1];
	const struct kvmrun_compat_exit *res = &results[mode & 7];
	int prepare = (mode >> 3) & 1;
	int no_caps = (mode >> 4) & 1;
	uint32_t exit_reason = (mode >> 5) & 1 ? interesting[hdr[2] % (sizeof(interesting) / sizeof(interesting[0]))]
					       : hdr[2];
	struct kvmrun_compat_caps caps;
	memcpy(&caps, hdr + 3, sizeof(caps));
	data += size < sizeof(hdr) ? size : sizeof(hdr);
	size -= size < sizeof(hdr) ? size : sizeof(hdr);

	size_t run_size = arch == KVMRUN_COMPAT_ARCH_S390X ? KVMRC_RUN_SIZE_S390 : KVMRC_RUN_SIZE;
	unsigned int start = PAGE - (unsigned int)run_size; /* kvm_run ends at the guard page */
	uint8_t *run = page + start;

	/* fill the whole page: the fuzz bytes cycled, or a fixed pattern */
	if (size) {
		size_t n = size < PAGE ? size : PAGE;
		memcpy(page, data, n);
		while (n < PAGE) { /* double the filled prefix */
			size_t k = n < PAGE - n ? n : PAGE - n;
			memcpy(page + n, page, k);
			n += k;
		}
	} else {
		for (unsigned int i = 0; i < PAGE; i++)
			page[i] = (uint8_t)(i * 131u + 7u);
	}
	if (!(mode & 0x80)) /* usually the exit reason is the chosen one */
		memcpy(run + 8, &exit_reason, 4);
	memcpy(&exit_reason, run + 8, 4);
	memcpy(before, page, PAGE);

	int r = prepare ? kvmrun_compat_prepare(run, run_size, arch)
			: kvmrun_compat_sanitize(run, run_size, arch, no_caps ? NULL : &caps, res);
	if (r < 0)
		fail("refused a valid call", arch, exit_reason, 0);
	memcpy(after, page, PAGE);

	unsigned int slot = prepare ? 256 : (exit_reason < 256 ? exit_reason : NEXIT);
	int changed = 0;
	for (unsigned int b = 0; b < PAGE; b++) {
		if (b % 8 == 0) {
			uint64_t x, y;
			__builtin_memcpy(&x, before + b, 8);
			__builtin_memcpy(&y, after + b, 8);
			if (x == y) {
				b += 7;
				continue;
			}
		}
		if (before[b] == after[b])
			continue;
		changed = 1;
		if (b < start)
			fail("byte before kvm_run changed", arch, exit_reason, b);
		unsigned int o = b - start;
		if (slot == NEXIT || !bit(named[arch][slot], o))
			fail("changed a byte no rule names", arch, exit_reason, o);
		if (bit(input[arch][slot], o))
			fail("changed a completion input", arch, exit_reason, o);
	}
	int quiet = !prepare && (res->ret > 0 || res->err == EINTR || res->err == ENOEXEC || res->err == EAGAIN);
	if (quiet && changed)
		fail("changed bytes on a result that must leave kvm_run alone", arch, exit_reason, 0);
	if (!prepare && (r > 0) != changed)
		fail("return value disagrees with the bytes changed", arch, exit_reason, (unsigned int)r);

	/* fixed point: the same call again changes nothing */
	r = prepare ? kvmrun_compat_prepare(run, run_size, arch)
		    : kvmrun_compat_sanitize(run, run_size, arch, no_caps ? NULL : &caps, res);
	if (r != 0 || memcmp(after, page, PAGE))
		fail("second call changed bytes", arch, exit_reason, (unsigned int)r);
	return 0;
}

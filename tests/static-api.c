/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * static-api - the link library's API driven by a scripted "kernel", built
 * three ways by make check: against the shared library, statically against
 * libkvmrun-compat.a, and (x86_64, musl-tools) with musl-gcc against the
 * musl archive.  tests/test-static.sh compares what each prints; the Rust
 * recipe's test (tests/static-api.rs) prints the same.
 *
 * The script is the arm64 one of the demo: an MMIO write exit at
 * 0xab_cdef_0000, then a BRK debug exit on a kernel that writes only
 * exit_reason and hsr (a 5.10 kernel); hsr_high is stale (0xab) unless the
 * API scrubbed it.  static-api --no-api makes the same "kernel" writes
 * without the API calls (the control).  Prints bytes 0..303 of the page
 * after each exit, in hex.
 */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include "kvmrun-compat.h"

#define RUN_SIZE 2352 /* sizeof(struct kvm_run) on arm64 */
static uint8_t page[4096];

static void put(unsigned off, const void *v, unsigned len)
{
	memcpy(page + off, v, len);
}

static void dump(const char *what)
{
	printf("%s", what);
	for (unsigned i = 0; i < 304; i++)
		printf("%s%02x", i % 32 ? "" : "\n  ", page[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	int api = !(argc > 1 && !strcmp(argv[1], "--no-api"));
	struct kvmrun_compat_vcpu v;
	struct kvmrun_compat_exit ok = { 0, 0 };

	if (api && kvmrun_compat_vcpu_init(&v, KVMRUN_COMPAT_ARCH_ARM64, NULL, 0) != 0)
		return 2;
	/* exit 1: MMIO write, 4 bytes of 0x11223344 at 0xab_cdef_0000 */
	if (api)
		kvmrun_compat_before_run(&v, page, RUN_SIZE);
	uint32_t reason = 6; /* KVM_EXIT_MMIO */
	uint64_t addr = 0xabcdef0000ull, data = 0x11223344;
	uint32_t len = 4;
	uint8_t w = 1;
	put(8, &reason, 4), put(32, &addr, 8), put(40, &data, 8), put(48, &len, 4), put(52, &w, 1);
	if (api)
		kvmrun_compat_after_run(&v, page, RUN_SIZE, &ok);
	dump("mmio:");
	/* exit 2: BRK; a 5.10 kernel writes exit_reason and hsr only */
	if (api)
		kvmrun_compat_before_run(&v, page, RUN_SIZE);
	reason = 4; /* KVM_EXIT_DEBUG */
	uint32_t hsr = 0xf2000000; /* EC 0x3c: BRK64 */
	put(8, &reason, 4), put(32, &hsr, 4);
	if (api)
		kvmrun_compat_after_run(&v, page, RUN_SIZE, &ok);
	dump("brk:");
	uint32_t hsr_high;
	memcpy(&hsr_high, page + 36, 4);
	printf("hsr_high=0x%08x\n", hsr_high);
	return 0;
}

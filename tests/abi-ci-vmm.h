/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-ci-vmm.h - how a careless and a careful VMM read the exits whose ABI
 * grew (the kvm-ioctls way, and the way the uapi documents), for
 * tests/abi-ci-vmm.c (emulator) and tests/realkvm (real kernels).
 *
 * careless: slices system_event.data[0..ndata] without a bound, as rust-vmm's
 *   kvm-ioctls does (a Rust slice out of range panics: here, exit 101), and
 *   takes arm64 debug.arch.hsr_high as ESR[63:32] without looking at
 *   KVM_DEBUG_ARCH_HSR_HIGH_VALID (a BRK with ISS2 bits is refused).
 * careful: reads ndata only when KVM_CAP_SYSTEM_EVENT_DATA is there (and
 *   bounds it by the array), hsr_high only when the flag vouches for it.
 */
#ifndef KVMRC_ABI_CI_VMM_H
#define KVMRC_ABI_CI_VMM_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvm.h>

/* Self-contained (tests/realkvm builds it against the libc headers only):
 * offsets of the LP64 layout, arm64 values from its uapi. */
#define ABI_CI_PANIC 101 /* a Rust panic's exit status */
#define ABI_CI_HSR_HIGH_VALID 1u /* arm64 KVM_DEBUG_ARCH_HSR_HIGH_VALID (5.19) */

/* One exit.  Returns 0, or ABI_CI_PANIC with why in msg. */
static inline int abi_ci_exit(int careful, int arm64, long cap_system_event_data, const struct kvm_run *run,
			      char *msg, size_t msglen)
{
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
		const uint8_t *u = (const uint8_t *)run + 32;
		uint32_t ndata;
		uint64_t sum = 0;
		memcpy(&ndata, u + 4, 4);
		if (careful)
			ndata = !cap_system_event_data ? 0 : ndata > 16 ? 16 : ndata;
		if (ndata > 16) {
			snprintf(msg, msglen, "range end index %u out of range for slice of length 16 "
				 "(system_event.data[0..ndata])", ndata);
			return ABI_CI_PANIC;
		}
		for (uint32_t i = 0; i < ndata; i++) {
			uint64_t d;
			memcpy(&d, u + 8 + 8 * i, 8);
			sum += d;
		}
		uint32_t type;
		memcpy(&type, u, 4);
		snprintf(msg, msglen, "system_event type=%u ndata=%u sum=0x%llx", type, ndata,
			 (unsigned long long)sum);
		return 0;
	}
	if (run->exit_reason == KVM_EXIT_DEBUG && arm64) {
		const uint8_t *u = (const uint8_t *)run + 32;
		uint32_t hsr, high;
		uint16_t flags;
		memcpy(&hsr, u, 4);
		memcpy(&high, u + 4, 4); /* debug.arch.hsr_high */
		memcpy(&flags, (const uint8_t *)run + 14, 2);
		if (careful && !(flags & ABI_CI_HSR_HIGH_VALID))
			high = 0;
		uint64_t esr = (uint64_t)high << 32 | hsr;
		if ((esr >> 26 & 0x3f) == 0x3c && (esr >> 32)) { /* BRK64 has no ISS2 */
			snprintf(msg, msglen, "BRK with ESR 0x%016llx: ISS2 bits set, unknown exception",
				 (unsigned long long)esr);
			return ABI_CI_PANIC;
		}
		snprintf(msg, msglen, "debug esr=0x%016llx", (unsigned long long)esr);
		return 0;
	}
	snprintf(msg, msglen, "exit %u", run->exit_reason);
	return 0;
}

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-caps.h - KVM capabilities by the mainline release they appeared in,
 * for --abi=VERSION (KVMRUN_COMPAT_ABI): on a newer kernel, the capabilities
 * VERSION did not have read 0 and cannot be enabled.
 */
#ifndef KVMRC_ABI_CAPS_H
#define KVMRC_ABI_CAPS_H

#include <stdint.h>
#include "kvmrun-compat.h"
#include "kver.h"

#define KVMRC_ABI_X86_64  (1u << 0)
#define KVMRC_ABI_ARM64   (1u << 1)
#define KVMRC_ABI_RISCV64 (1u << 2)
#define KVMRC_ABI_S390X   (1u << 3)
#define KVMRC_ABI_PPC     (1u << 4)   /* no kvm_run rules; kept for a table without holes */

#define KVMRC_ABI_CAPS_MAX 320         /* capability numbers the hidden set can hold */

struct kvmrc_abi_cap {
	unsigned int cap;                  /* KVM_CAP_* number */
	const char *name;
	unsigned int arches;               /* KVMRC_ABI_* of the kernels that answer it */
	uint32_t since;                    /* KVMRC_KV of the first mainline release with it */
};

extern const struct kvmrc_abi_cap kvmrc_abi_caps_table[];
extern const unsigned int kvmrc_abi_caps_count;

/* Is kv (x.y or x.y.z) a release the table answers for? */
int kvmrc_abi_caps_known(uint32_t kv);
unsigned int kvmrc_abi_caps_arch_bit(enum kvmrun_compat_arch arch);
const struct kvmrc_abi_cap *kvmrc_abi_caps_find(unsigned int cap);
/* Did cap appear after abi on arch (abi 0: nothing is hidden)? */
int kvmrc_abi_caps_hidden_by(uint32_t abi, enum kvmrun_compat_arch arch, unsigned int cap);

/* Builds the hidden set once, from the configuration (abi 0: empty). */
void kvmrc_abi_caps_configure(uint32_t abi, enum kvmrun_compat_arch arch);
/* One bit test: is cap hidden from the VMM? */
int kvmrc_abi_caps_hidden(unsigned long cap);
/* KVM_ENABLE_CAP(arg): is its capability hidden?  Reads *arg only when
 * something is hidden. */
int kvmrc_abi_caps_enable_refused(const void *arg);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kver.c - the running kernel's release, and the fixes it has (kver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "kver.h"

const struct kvmrc_fix kvmrc_fixes[KVMRC_FACT_COUNT] = {
	[KVMRC_FACT_ARM64_WATCHPT_FAR] = {
		.what = "arm64 watchpoint exits report the watched address in debug.arch.far",
		.commit = "811154e234db KVM: arm64: Populate fault info for watchpoint",
		.mainline = KVMRC_KV(6, 4, 0),
		.stable = { KVMRC_KV(6, 1, 33) },
	},
	[KVMRC_FACT_ARM64_MMIO_FROM_ESR] = {
		.what = "arm64 MMIO completion reads only mmio.data (len and direction from the ESR)",
		.commit = "KVM: arm/arm64: Cleanup MMIO handling (virt/kvm/arm/mmio.c -> arch/arm64/kvm/mmio.c)",
		.mainline = KVMRC_KV(5, 6, 0),
	},
	[KVMRC_FACT_X86_HYPERCALL_RET_ZERO] = {
		.what = "x86 KVM_EXIT_HYPERCALL exits write hypercall.ret = 0",
		.commit = "9a1dfeff4414 (ledger W2, X13)",
		.mainline = KVMRC_KV(6, 14, 0),
	},
};

uint32_t kvmrc_kver;
uint32_t kvmrc_kver_facts;

static void set_kver(uint32_t kv)
{
	uint32_t facts = 0;

	for (unsigned int f = KVMRC_FACT_NONE + 1; f < KVMRC_FACT_COUNT && f < 32; f++)
		if (kvmrc_kver_has(kv, (enum kvmrc_fact)f))
			facts |= 1u << f;
	__atomic_store_n(&kvmrc_kver_facts, facts, __ATOMIC_RELAXED);
	__atomic_store_n(&kvmrc_kver, kv, __ATOMIC_RELEASE);
}

static uint32_t parse_xyz(const char *s)
{
	unsigned int a = 0, b = 0, c = 0;
	if (sscanf(s, "%u.%u.%u", &a, &b, &c) < 2 || a > 255 || b > 255)
		return 0;
	return KVMRC_KV(a, b, c > 255 ? 255 : c);
}

uint32_t kvmrc_kver_parse(const char *release, const char *version)
{
	uint32_t kv = release ? parse_xyz(release) : 0;
	const char *deb = version ? strstr(version, "Debian ") : NULL;

	if (deb) {
		uint32_t d = parse_xyz(deb + 7);
		/* the same series, with the patch level the release hides */
		if (d && (d >> 8) == (kv >> 8))
			kv = d;
	}
	return kv;
}

int kvmrc_kver_has(uint32_t kv, enum kvmrc_fact fact)
{
	if (fact <= KVMRC_FACT_NONE || fact >= KVMRC_FACT_COUNT || !kv)
		return 0;
	const struct kvmrc_fix *f = &kvmrc_fixes[fact];
	if (kv >= f->mainline)
		return 1;
	for (unsigned int i = 0; i < sizeof(f->stable) / sizeof(f->stable[0]) && f->stable[i]; i++)
		if ((kv >> 8) == (f->stable[i] >> 8) && kv >= f->stable[i])
			return 1;
	return 0;
}

/* KVMRUN_COMPAT_KERNEL (validated by config.c) names another kernel, for
 * emulators and tests; otherwise uname. */
void kvmrc_kver_init(void)
{
	struct utsname u;
	const char *k = secure_getenv("KVMRUN_COMPAT_KERNEL");
	uint32_t kv = k ? kvmrc_kver_parse(k, NULL) : 0;

	if (__atomic_load_n(&kvmrc_kver, __ATOMIC_ACQUIRE))
		return;
	if (!kv && uname(&u) == 0)
		kv = kvmrc_kver_parse(u.release, u.version);
	set_kver(kv);
}

void kvmrc_kver_set(uint32_t kv)
{
	set_kver(kv);
}

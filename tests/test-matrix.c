/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-matrix.c - every (kernel profile x scenario) of one architecture,
 * with the shim preloaded (MATRIX_SHIM 1) or with the emulator alone
 * (MATRIX_SHIM 0, a second binary built from this file).
 *
 * A case is a scenario, the VMM's poison before the first KVM_RUN (the
 * stale bytes a real earlier exit would leave) and a list of field checks.
 * Each check names the ledger rule it is about and gives two values for a
 * range of kernel versions: what that kernel leaves in the field ("raw",
 * checked without the shim) and what the ledger says the ABI means ("abi",
 * checked with the shim).  Where both are equal the check shows the rule
 * (or the kernel) keeps the kernel's value.  The shim binary also checks
 * that every rule of its architecture is named by some check.
 *
 * The architecture is chosen at build time (MATRIX_ARCH_X86, _ARM64,
 * _RISCV): the shim reads KVMRUN_COMPAT_ARCH once, at load.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"

#if !MATRIX_SHIM
#define PRELOAD_EMU_ONLY 1
#endif
#if defined(MATRIX_ARCH_X86)
#define PRELOAD_PROFILE "x86_64-6.1"
#define PRELOAD_ARCH "x86_64"
#elif defined(MATRIX_ARCH_ARM64)
#define PRELOAD_PROFILE "arm64-6.1"
#define PRELOAD_ARCH "arm64"
#elif defined(MATRIX_ARCH_RISCV)
#define PRELOAD_PROFILE "riscv64-6.1"
#define PRELOAD_ARCH "riscv64"
#else
#error "define MATRIX_ARCH_X86, MATRIX_ARCH_ARM64 or MATRIX_ARCH_RISCV"
#endif
#include "preload.h"

#define KV(maj, min) ((maj) * 100 + (min))
#define P32 0xa5a5a5a5ull
#define P64 0xa5a5a5a5a5a5a5a5ull
#define ANYV 0   /* .from/.to: unbounded */
#define OFF_ERRNO 0xffffu /* check: errno after the step (0: KVM_RUN returned 0) */

struct check {
	const char *rule;      /* ledger rule name, or a ledger row ("X7") for kernel facts */
	unsigned int step;     /* after the (step+1)-th KVM_RUN */
	unsigned int off, size;
	int from, to;          /* kernel versions (KV), inclusive; ANYV: unbounded */
	uint64_t raw, abi;
};

enum poison {
	POISON_NONE = 0,
	POISON_UNION = 1 << 0,     /* 0xa5 over bytes 32..287 */
	POISON_FLAGS = 1 << 1,     /* flags = 0xa5a5 (arm64/riscv: survives old kernels) */
	POISON_EXIT39 = 1 << 2,    /* exit_reason = KVM_EXIT_MEMORY_FAULT */
	POISON_IMMEDIATE = 1 << 3, /* immediate_exit = 1: KVM_RUN returns -1/EINTR */
};

struct mcase {
	const char *name;
	const char *profiles;  /* space separated */
	const char *scenario;
	unsigned int poison;
	unsigned int nsteps;
	struct check checks[10];
};

#if defined(MATRIX_ARCH_X86)
#include "matrix-cases-x86.h"
#elif defined(MATRIX_ARCH_ARM64)
#include "matrix-cases-arm64.h"
#else
#include "matrix-cases-riscv.h"
#endif

static __attribute__((unused)) enum kvmrun_compat_arch kvmrun_compat_arch_from_name_local(const char *n)
{
	return !strcmp(n, "x86_64") ? KVMRUN_COMPAT_ARCH_X86_64 :
	       !strcmp(n, "arm64") ? KVMRUN_COMPAT_ARCH_ARM64 : KVMRUN_COMPAT_ARCH_RISCV64;
}

static int kver_of(const char *profile)
{
	const char *dash = strrchr(profile, '-');
	int maj = 0, min = 0;
	cr_assert(dash && sscanf(dash + 1, "%d.%d", &maj, &min) == 2, "profile %s", profile);
	return KV(maj, min);
}

static uint64_t field(const uint8_t *run, unsigned int off, unsigned int size)
{
	uint64_t v = 0;
	memcpy(&v, run + off, size); /* little-endian hosts */
	return v;
}

/* One VM, one vCPU on profile; the case's steps, checking after each. */
static unsigned int run_case(const struct mcase *c, const char *profile)
{
	int kv = kver_of(profile);
	unsigned int checked = 0;

	setenv("KVMEMU_PROFILE", profile, 1);
	setenv("KVMEMU_SCENARIO", c->scenario, 1);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(kvm, 0, "%s/%s: open /dev/kvm: %s", c->name, profile, strerror(errno));
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(vm, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(vcpu, 0);
#if defined(MATRIX_ARCH_ARM64)
	struct kvmrc_arm64_vcpu_init init = { 0 };
	cr_assert_eq(ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init), 0);
	cr_assert_eq(ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init), 0);
#endif
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	uint8_t *run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	cr_assert_neq(run, MAP_FAILED);

	if (c->poison & POISON_UNION)
		memset(run + 32, 0xa5, 256);
	if (c->poison & POISON_FLAGS)
		memset(run + 14, 0xa5, 2);
	if (c->poison & POISON_EXIT39) {
		uint32_t e = KVM_EXIT_MEMORY_FAULT;
		memcpy(run + 8, &e, 4);
	}
	if (c->poison & POISON_IMMEDIATE)
		run[1] = 1;

	for (unsigned int s = 0; s < c->nsteps; s++) {
		uint8_t before[2368];
		memcpy(before, run, sizeof(before));
		int r = ioctl(vcpu, KVM_RUN, 0);
		int err = r == 0 ? 0 : errno;
		cr_assert(r == 0 || r == -1, "%s/%s step %u: KVM_RUN returned %d", c->name, profile, s, r);
		/* EINTR: the kernel writes nothing in the exit union or after it
		 * (the header is the kernel's: x86 post_kvm_run_save runs on this
		 * path; flags is cleared before KVM_RUN on arm64/riscv64 by the
		 * shim, which the cases check).  With the shim, union bytes read
		 * as before or as the scrub left them (0). */
		if (err == EINTR)
			for (unsigned int b = 32; b < KVMRC_RUN_SIZE; b++)
				cr_assert(run[b] == before[b] || (MATRIX_SHIM && b < 288 && run[b] == 0),
					  "%s/%s: KVM_RUN -1/EINTR changed byte %u of kvm_run", c->name, profile, b);
		for (unsigned int i = 0; i < sizeof(c->checks) / sizeof(c->checks[0]); i++) {
			const struct check *k = &c->checks[i];
			if (!k->rule || k->step != s || (k->from && kv < k->from) || (k->to && kv > k->to))
				continue;
			uint64_t want = MATRIX_SHIM ? k->abi : k->raw;
			uint64_t got = k->off == OFF_ERRNO ? (uint64_t)err : field(run, k->off, k->size);
			cr_expect_eq(got, want, "%s on %s (%s), step %u, bytes %u+%u: 0x%llx, expected 0x%llx (%s)",
				     c->name, profile, MATRIX_SHIM ? "shim" : "no shim", s, k->off, k->size,
				     (unsigned long long)got, (unsigned long long)want, k->rule);
			checked++;
		}
	}
	munmap(run, size);
	close(vcpu);
	close(vm);
	close(kvm);
	return checked;
}

Test(matrix, every_profile_and_scenario)
{
	unsigned int runs = 0, checked = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char list[256];
		snprintf(list, sizeof(list), "%s", cases[i].profiles);
		for (char *save = NULL, *p = strtok_r(list, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
			checked += run_case(&cases[i], p);
			runs++;
		}
	}
	cr_log_info("%u (profile x scenario) runs, %u field checks", runs, checked);
	cr_assert_geq(runs, MATRIX_MIN_RUNS);
}

#if MATRIX_SHIM
/* Every rule of this architecture is named by some check. */
Test(matrix, every_rule_of_the_arch_has_a_check)
{
	size_t (*count)(void) = (size_t (*)(void))dlsym(RTLD_DEFAULT, "kvmrun_compat_rule_count");
	int (*get)(size_t, struct kvmrun_compat_rule_info *) =
		(int (*)(size_t, struct kvmrun_compat_rule_info *))dlsym(RTLD_DEFAULT, "kvmrun_compat_rule_get");
	cr_assert(count && get, "the shim is not preloaded");
	enum kvmrun_compat_arch arch = kvmrun_compat_arch_from_name_local(PRELOAD_ARCH);
	unsigned int mine = 0;
	for (size_t i = 0; i < count(); i++) {
		struct kvmrun_compat_rule_info r;
		cr_assert_eq(get(i, &r), 0);
		if (r.arch != arch)
			continue;
		mine++;
		int found = 0;
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]) && !found; c++)
			for (size_t k = 0; k < sizeof(cases[c].checks) / sizeof(cases[c].checks[0]); k++)
				if (cases[c].checks[k].rule && !strcmp(cases[c].checks[k].rule, r.name))
					found = 1;
		cr_expect(found, "rule %s has no matrix check", r.name);
	}
	cr_assert_gt(mine, 0);
}
#endif

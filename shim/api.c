/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api.c - the public functions of include/kvmrun-compat.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "engine.h"
#include "scrub.h"
#include "export.h"

static const char *const arch_names[] = {
	[KVMRUN_COMPAT_ARCH_UNKNOWN] = "unknown",
	[KVMRUN_COMPAT_ARCH_X86_64] = "x86_64",
	[KVMRUN_COMPAT_ARCH_ARM64] = "arm64",
	[KVMRUN_COMPAT_ARCH_RISCV64] = "riscv64",
	[KVMRUN_COMPAT_ARCH_S390X] = "s390x",
};

KVMRC_EXPORT const char *kvmrun_compat_version(void)
{
	return PACKAGE_VERSION;
}

KVMRC_EXPORT const char *kvmrun_compat_arch_name(enum kvmrun_compat_arch arch)
{
	return (unsigned int)arch < sizeof(arch_names) / sizeof(arch_names[0]) ? arch_names[arch] : "unknown";
}

KVMRC_EXPORT enum kvmrun_compat_arch kvmrun_compat_arch_from_name(const char *name)
{
	if (!name)
		return KVMRUN_COMPAT_ARCH_UNKNOWN;
	for (unsigned int a = 1; a < sizeof(arch_names) / sizeof(arch_names[0]); a++)
		if (!strcmp(name, arch_names[a]))
			return (enum kvmrun_compat_arch)a;
	if (!strcmp(name, "aarch64"))
		return KVMRUN_COMPAT_ARCH_ARM64;
	if (!strcmp(name, "amd64"))
		return KVMRUN_COMPAT_ARCH_X86_64;
	return KVMRUN_COMPAT_ARCH_UNKNOWN;
}

KVMRC_EXPORT enum kvmrun_compat_arch kvmrun_compat_host_arch(void)
{
	return kvmrun_compat_arch_from_name(KVMRC_HOST_ARCH_NAME);
}

KVMRC_EXPORT void kvmrun_compat_caps_add(struct kvmrun_compat_caps *caps, unsigned int cap)
{
	if (caps && cap < 256)
		caps->bits[cap / 64] |= 1ull << (cap % 64);
}

KVMRC_EXPORT int kvmrun_compat_caps_has(const struct kvmrun_compat_caps *caps, unsigned int cap)
{
	return caps && cap < 256 && ((caps->bits[cap / 64] >> (cap % 64)) & 1);
}

KVMRC_EXPORT int kvmrun_compat_prepare(void *run, size_t run_size, enum kvmrun_compat_arch arch)
{
	size_t need = kvmrc_run_size(arch);

	if (!run || !need || run_size < need)
		return -EINVAL;
	kvmrc_engine_init();
	kvmrc_engine_apply(run, arch, NULL, KVMRC_WHEN_BEFORE_RUN, NULL);
	return 0;
}

KVMRC_EXPORT int kvmrun_compat_sanitize(void *run, size_t run_size, enum kvmrun_compat_arch arch,
					const struct kvmrun_compat_caps *caps,
					const struct kvmrun_compat_exit *exit)
{
	size_t need = kvmrc_run_size(arch);

	if (!run || !need || run_size < need)
		return -EINVAL;
	kvmrc_engine_init();
	unsigned int when = exit ? kvmrc_when_of(exit->ret, exit->err) : KVMRC_WHEN_RET_OK;
	return kvmrc_engine_apply(run, arch, caps, when, NULL);
}

/* The linkable scrub: the state lives in the caller's kvmrun_compat_vcpu. */
struct api_vcpu {
	struct kvmrc_scrub sc;
	struct kvmrun_compat_caps caps;
	uint32_t before;
	uint32_t magic;
};
#define API_VCPU_MAGIC 0x6b766d72u
_Static_assert(sizeof(struct api_vcpu) <= sizeof(struct kvmrun_compat_vcpu), "kvmrun_compat_vcpu too small");
_Static_assert(_Alignof(struct api_vcpu) <= _Alignof(struct kvmrun_compat_vcpu), "kvmrun_compat_vcpu alignment");

static struct api_vcpu *api_vcpu(struct kvmrun_compat_vcpu *vcpu, void *run, size_t run_size)
{
	struct api_vcpu *a = (struct api_vcpu *)vcpu;

	if (!vcpu || !run || a->magic != API_VCPU_MAGIC || run_size < kvmrc_run_size(a->sc.arch))
		return NULL;
	return a;
}

KVMRC_EXPORT int kvmrun_compat_vcpu_init(struct kvmrun_compat_vcpu *vcpu, enum kvmrun_compat_arch arch,
					 const struct kvmrun_compat_caps *caps, int adopted)
{
	struct api_vcpu *a = (struct api_vcpu *)vcpu;

	if (!vcpu || !kvmrc_run_size(arch))
		return -EINVAL;
	kvmrc_engine_init();
	memset(vcpu, 0, sizeof(*vcpu));
	if (caps)
		a->caps = *caps;
	kvmrc_scrub_init(&a->sc, arch, adopted, &a->caps, NULL);
	a->magic = API_VCPU_MAGIC;
	return 0;
}

KVMRC_EXPORT int kvmrun_compat_before_run(struct kvmrun_compat_vcpu *vcpu, void *run, size_t run_size)
{
	struct api_vcpu *a = api_vcpu(vcpu, run, run_size);

	if (!a)
		return -EINVAL;
	memcpy(&a->before, (uint8_t *)run + KVMRC_RUN_EXIT_REASON_OFFSET, 4);
	kvmrc_scrub_before(&a->sc, run);
	return 0;
}

KVMRC_EXPORT int kvmrun_compat_after_run(struct kvmrun_compat_vcpu *vcpu, void *run, size_t run_size,
					 const struct kvmrun_compat_exit *exit)
{
	struct api_vcpu *a = api_vcpu(vcpu, run, run_size);

	if (!a)
		return -EINVAL;
	kvmrc_scrub_after(&a->sc, run, exit ? exit->ret : 0, exit ? exit->err : 0, a->before);
	return 0;
}

KVMRC_EXPORT size_t kvmrun_compat_rule_count(void)
{
	return kvmrc_rule_count;
}

KVMRC_EXPORT int kvmrun_compat_rule_get(size_t i, struct kvmrun_compat_rule_info *out)
{
	/* vouch texts live in a static ring so the pointers stay valid for a while */
	static __thread char vouch_buf[4][48];
	static __thread unsigned int next;

	if (i >= kvmrc_rule_count || !out)
		return -ERANGE;
	const struct kvmrc_rule *r = &kvmrc_rules[i];
	char *buf = vouch_buf[next++ % 4];
	out->name = r->name;
	out->arch = (enum kvmrun_compat_arch)r->arch;
	out->exit_reason = r->exit_reason;
	out->offset = r->offset;
	out->size = r->size;
	out->vouch = kvmrc_vouch_text(r, buf, sizeof(vouch_buf[0]));
	out->action = r->action == KVMRC_ACT_CLAMP_U32 ? "clamp" : "zero";
	out->since = r->since;
	out->source = r->source;
	out->ledger = r->ledger;
	return 0;
}

KVMRC_EXPORT int kvmrun_compat_rule_vouch(size_t i, struct kvmrun_compat_vouch *out)
{
	if (i >= kvmrc_rule_count || !out)
		return -ERANGE;
	const struct kvmrc_rule *r = &kvmrc_rules[i];
	out->kind = (enum kvmrun_compat_vouch_kind)r->vouch;
	out->at = r->vouch_at;
	out->arg = r->vouch_arg;
	return 0;
}

KVMRC_EXPORT const char *kvmrun_compat_fail_entry_describe(int reason)
{
	switch (reason) {
	case KVMRUN_COMPAT_FAIL_ENTRY_NONE:
		return "no KVM_EXIT_FAIL_ENTRY since the vCPU was initialised";
	case KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0:
		return "the guest entered AArch32 EL0 on a host whose CPUs do not all run 32-bit EL0; "
		       "the vCPU is unrunnable (KVM_RUN: ENOEXEC) until KVM_ARM_VCPU_INIT";
	case KVMRUN_COMPAT_FAIL_ENTRY_ILLEGAL_EXCEPTION_RETURN:
		return "illegal exception return on guest entry (a KVM bug); the vCPU stays initialised";
	case KVMRUN_COMPAT_FAIL_ENTRY_CPU_UNSUPPORTED:
		return "the vCPU ran on a physical CPU whose PMU does not match the vCPU's; "
		       "restrict the VMM's vCPU threads to matching CPUs";
	case KVMRUN_COMPAT_FAIL_ENTRY_UNKNOWN:
		return "KVM_EXIT_FAIL_ENTRY without a cause the kernel reports (e.g. hypervisor gone)";
	default:
		return "unknown reason code";
	}
}

KVMRC_EXPORT unsigned int kvmrun_compat_esr_class(uint64_t esr)
{
	return KVMRC_ESR_EC((uint32_t)esr);
}

KVMRC_EXPORT const char *kvmrun_compat_esr_class_name(uint64_t esr)
{
	switch (KVMRC_ESR_EC((uint32_t)esr)) {
	case KVMRC_ESR_EC_BREAKPT_LOW: return "BREAKPT_LOW";
	case 0x31: return "BREAKPT_CUR";
	case KVMRC_ESR_EC_SOFTSTP_LOW: return "SOFTSTP_LOW";
	case 0x33: return "SOFTSTP_CUR";
	case KVMRC_ESR_EC_WATCHPT_LOW: return "WATCHPT_LOW";
	case 0x35: return "WATCHPT_CUR";
	case KVMRC_ESR_EC_BKPT32: return "BKPT32";
	case KVMRC_ESR_EC_BRK64: return "BRK64";
	case 0x24: return "DABT_LOW";
	case 0x20: return "IABT_LOW";
	case 0x16: return "HVC64";
	case 0x17: return "SMC64";
	case 0x01: return "WFx";
	default: return "other";
	}
}

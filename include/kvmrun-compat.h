/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvmrun-compat.h - public API of libkvmrun-compat.
 *
 * The library is normally preloaded (LD_PRELOAD) into a VMM, where it finds
 * the KVM file descriptors and the mmap()ed struct kvm_run by itself.  A VMM
 * that prefers linking can call kvmrun_compat_sanitize() after each KVM_RUN
 * instead; the preloaded and the linked path run the same rule engine.
 */
#ifndef KVMRUN_COMPAT_H
#define KVMRUN_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KVMRUN_COMPAT_VERSION_MAJOR 0
#define KVMRUN_COMPAT_VERSION_MINOR 2
#define KVMRUN_COMPAT_VERSION_MICRO 0

/* The KVM architectures whose kvm_run layout the rule engine knows. */
enum kvmrun_compat_arch {
	KVMRUN_COMPAT_ARCH_UNKNOWN = 0,
	KVMRUN_COMPAT_ARCH_X86_64 = 1,
	KVMRUN_COMPAT_ARCH_ARM64 = 2,
	KVMRUN_COMPAT_ARCH_RISCV64 = 3,
	KVMRUN_COMPAT_ARCH_S390X = 4,
};

/* A set of KVM capability numbers (KVM_CAP_*), 0..255. */
struct kvmrun_compat_caps {
	uint64_t bits[4];
};

/* What the kernel said about the KVM_RUN call that produced the exit. */
struct kvmrun_compat_exit {
	int ret;       /* KVM_RUN's return value: 0 or -1 */
	int err;       /* errno when ret == -1 */
};

/* Library version as "MAJOR.MINOR.MICRO". */
const char *kvmrun_compat_version(void);

/* Architecture name ("x86_64", "arm64", "riscv64", "s390x") <-> enum. */
const char *kvmrun_compat_arch_name(enum kvmrun_compat_arch arch);
enum kvmrun_compat_arch kvmrun_compat_arch_from_name(const char *name);
/* The architecture this library was built for. */
enum kvmrun_compat_arch kvmrun_compat_host_arch(void);

void kvmrun_compat_caps_add(struct kvmrun_compat_caps *caps, unsigned int cap);
int kvmrun_compat_caps_has(const struct kvmrun_compat_caps *caps, unsigned int cap);

/*
 * Call before KVM_RUN.  Clears kvm_run bytes that are output-only on this
 * architecture and that an old kernel would otherwise leave as the VMM wrote
 * them (arm64 flags before Linux 5.19).  Never touches an input byte.
 * Returns 0, or -EINVAL for bad arguments.
 */
int kvmrun_compat_prepare(void *run, size_t run_size, enum kvmrun_compat_arch arch);

/*
 * Call after KVM_RUN returned.  Zeroes (or bounds) every exit field of run
 * that the running kernel does not vouch for, according to the rule table.
 * caps: the capabilities present or enabled on the VM (NULL: none known).
 * Returns the number of rules that changed at least one byte (>= 0), or
 * -EINVAL when run is NULL, run_size < sizeof(struct kvm_run) for arch, or
 * arch is unknown.  Writes only bytes a rule names, inside run_size.
 */
int kvmrun_compat_sanitize(void *run, size_t run_size, enum kvmrun_compat_arch arch,
			   const struct kvmrun_compat_caps *caps,
			   const struct kvmrun_compat_exit *exit);

/*
 * The scrub for a VMM that links the library (since 0.2).  Keep one
 * kvmrun_compat_vcpu per vCPU; call kvmrun_compat_before_run() right before
 * each KVM_RUN and kvmrun_compat_after_run() right after it, on the same
 * thread.  Before the run every byte of the exit union is zeroed except the
 * completion inputs of the exit the last KVM_RUN returned (mmio.data of a
 * read, hypercall.ret, ...); after it, input bytes the new exit did not write
 * are zeroed and the rules run.  So every exit byte is what the kernel wrote,
 * an input the VMM wrote, or zero.  adopted: the vCPU may have a completion
 * pending that this state never saw (the first run is then not scrubbed).
 * Returns 0, or -EINVAL for bad arguments (an uninitialised state, a short
 * run_size, an unknown arch).
 */
struct kvmrun_compat_vcpu {
	uint64_t opaque[16];
};
int kvmrun_compat_vcpu_init(struct kvmrun_compat_vcpu *vcpu, enum kvmrun_compat_arch arch,
			    const struct kvmrun_compat_caps *caps, int adopted);
int kvmrun_compat_before_run(struct kvmrun_compat_vcpu *vcpu, void *run, size_t run_size);
int kvmrun_compat_after_run(struct kvmrun_compat_vcpu *vcpu, void *run, size_t run_size,
			    const struct kvmrun_compat_exit *exit);

/* One row of the rule table, for listing (kvmrun-compat --rules). */
struct kvmrun_compat_rule_info {
	const char *name;        /* "arm64.debug.hsr_high" */
	enum kvmrun_compat_arch arch;
	uint32_t exit_reason;    /* KVM_EXIT_* */
	uint16_t offset;         /* byte offset in struct kvm_run */
	uint16_t size;           /* bytes */
	const char *vouch;       /* what vouches for the field: "flags&0x1", "cap 215", ... */
	const char *action;      /* "zero", "clamp ndata to 16", ... */
	const char *since;       /* kernel version that defined the field */
	const char *source;      /* kernel commit or source line the rule rests on */
	const char *ledger;      /* row id in docs/abi-ledger.md */
};

size_t kvmrun_compat_rule_count(void);
/* Fills *out for rule i; returns 0, or -ERANGE when i >= count. */
int kvmrun_compat_rule_get(size_t i, struct kvmrun_compat_rule_info *out);

/* What vouches that the kernel wrote a rule's field, for programs (since
 * 0.3); kvmrun_compat_rule_info.vouch says the same for people. */
enum kvmrun_compat_vouch_kind {
	KVMRUN_COMPAT_VOUCH_NONE,   /* nothing: the rule acts on every exit it names */
	KVMRUN_COMPAT_VOUCH_ESR_EC, /* arm64: the exception class of the u32 at `at` == arg */
};
struct kvmrun_compat_vouch {
	enum kvmrun_compat_vouch_kind kind;
	uint16_t at;  /* byte of struct kvm_run the test reads */
	uint32_t arg;
};
/* Fills *out for rule i; returns 0, or -ERANGE when i >= count. */
int kvmrun_compat_rule_vouch(size_t i, struct kvmrun_compat_vouch *out);

/*
 * Why a vCPU's last KVM_EXIT_FAIL_ENTRY happened, as far as the library can
 * establish it.  These are the library's own values: they are never written
 * into kvm_run, whose fail_entry fields keep the kernel's meaning.
 */
enum kvmrun_compat_fail_entry_reason {
	KVMRUN_COMPAT_FAIL_ENTRY_NONE = 0,             /* no FAIL_ENTRY since the last VCPU_INIT */
	KVMRUN_COMPAT_FAIL_ENTRY_UNKNOWN = 1,          /* FAIL_ENTRY, cause not established */
	KVMRUN_COMPAT_FAIL_ENTRY_AARCH32_EL0 = 2,      /* arm64: guest in AArch32 EL0 on an asymmetric
							  system; KVM_RUN fails with ENOEXEC until
							  KVM_ARM_VCPU_INIT */
	KVMRUN_COMPAT_FAIL_ENTRY_ILLEGAL_EXCEPTION_RETURN = 3, /* arm64: illegal exception return (KVM bug) */
	KVMRUN_COMPAT_FAIL_ENTRY_CPU_UNSUPPORTED = 4,  /* arm64: vCPU's PMU does not match this CPU */
};

/*
 * Preloaded library only: the reason for the last FAIL_ENTRY of the vCPU
 * behind vcpu_fd (any dup of it).  Returns an enum value, or -EBADF when
 * vcpu_fd is not a vCPU the library tracks.
 */
int kvmrun_compat_fail_entry_reason(int vcpu_fd);
/* A one-line English explanation of a reason (never NULL). */
const char *kvmrun_compat_fail_entry_describe(int reason);

/*
 * arm64: decode a 64-bit ESR_ELx (hsr | (uint64_t)hsr_high << 32) into its
 * exception class and a short name ("BRK64", "WATCHPT_LOW", ...).
 */
unsigned int kvmrun_compat_esr_class(uint64_t esr);
const char *kvmrun_compat_esr_class_name(uint64_t esr);

#ifdef __cplusplus
}
#endif

#endif /* KVMRUN_COMPAT_H */

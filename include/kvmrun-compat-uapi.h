/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvmrun-compat-uapi.h - the per-architecture parts of the KVM uapi that one
 * build needs in order to speak about four architectures.
 *
 * <linux/kvm.h> on the build host only carries the host's <asm/kvm.h>, so an
 * x86_64 build cannot see arm64's kvm_debug_exit_arch or KVM_ARM_VCPU_INIT.
 * This header transcribes exactly those definitions (and constants newer than
 * the build host's headers) from the kernel's uapi.  Every transcription is
 * checked against the real header with static asserts when the build
 * architecture matches (see shim/abi-check.c), so a wrong copy fails to build.
 *
 * Only uapi facts live here: no rule, no belief about which kernel writes what.
 */
#ifndef KVMRUN_COMPAT_UAPI_H
#define KVMRUN_COMPAT_UAPI_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

/* ---- exit reasons newer than Linux 6.1 headers ---- */
#ifndef KVM_EXIT_LOONGARCH_IOCSR
#define KVM_EXIT_LOONGARCH_IOCSR 38
#endif
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
#ifndef KVM_EXIT_TDX
#define KVM_EXIT_TDX 40
#endif
#ifndef KVM_EXIT_ARM_SEA
#define KVM_EXIT_ARM_SEA 41
#endif
#ifndef KVM_EXIT_ARM_LDST64B
#define KVM_EXIT_ARM_LDST64B 42
#endif
#ifndef KVM_EXIT_SNP_REQ_CERTS
#define KVM_EXIT_SNP_REQ_CERTS 43
#endif

/* ---- capabilities newer than Linux 6.1 headers ---- */
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO 232
#endif
#ifndef KVM_CAP_X86_GUEST_MODE
#define KVM_CAP_X86_GUEST_MODE 238
#endif
#ifndef KVM_CAP_ARM_SEA_TO_USER
#define KVM_CAP_ARM_SEA_TO_USER 245
#endif

/* ---- generic kvm_run facts ---- */
#define KVMRC_RUN_EXIT_REASON_OFFSET 8u /* __u32 exit_reason, every architecture */
#define KVMRC_RUN_FLAGS_OFFSET 14u   /* __u16 flags, every architecture */
#define KVMRC_RUN_IMMEDIATE_EXIT_OFFSET 1u /* __u8 immediate_exit, every architecture */
#define KVMRC_RUN_UNION_OFFSET 32u   /* exit union; 48 on s390x */
#define KVMRC_RUN_UNION_OFFSET_S390 48u
#define KVMRC_RUN_UNION_SIZE 256u
#define KVMRC_RUN_SIZE 2352u         /* sizeof(struct kvm_run); 2368 on s390x */
#define KVMRC_RUN_SIZE_S390 2368u

/* ---- x86 (asm/kvm.h) ---- */
#define KVMRC_X86_RUN_SMM        (1u << 0) /* KVM_RUN_X86_SMM */
#define KVMRC_X86_RUN_BUS_LOCK   (1u << 1) /* KVM_RUN_X86_BUS_LOCK */
#define KVMRC_X86_RUN_GUEST_MODE (1u << 2) /* KVM_RUN_X86_GUEST_MODE */

struct kvmrc_x86_debug_exit_arch {
	uint32_t exception;
	uint32_t pad;
	uint64_t pc;
	uint64_t dr6;
	uint64_t dr7;
};

/* ---- arm64 (arch/arm64/include/uapi/asm/kvm.h) ---- */
#define KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID (1u << 0) /* since 5.19 */
#define KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED (1ull << 0) /* since 5.18 */

struct kvmrc_arm64_debug_exit_arch {
	uint32_t hsr;
	uint32_t hsr_high; /* ESR_EL2[61:32]; compiler padding before 5.19 */
	uint64_t far;      /* written for watchpoints only */
};

struct kvmrc_arm64_vcpu_init {
	uint32_t target;
	uint32_t features[7];
};

#define KVMRC_ARM_VCPU_INIT        _IOW(KVMIO, 0xae, struct kvmrc_arm64_vcpu_init)
#define KVMRC_ARM_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct kvmrc_arm64_vcpu_init)

/* ONE_REG id of the arm64 core register regs.pstate:
 * KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, regs.pstate) / 4) */
#define KVMRC_ARM64_REG_PSTATE (0x6000000000000000ull | 0x0030000000000000ull | 0x0000000000100000ull | (264u / 4u))
#define KVMRC_ARM64_PSTATE_MODE_MASK 0x1fu
#define KVMRC_ARM64_PSTATE_RW        0x10u /* set: AArch32 (PSR_MODE32_BIT) */
#define KVMRC_ARM64_PSTATE_MODE_USR  0x10u /* AArch32 EL0 (PSR_AA32_MODE_USR) */

/* ESR_ELx exception classes a debug exit can carry */
#define KVMRC_ESR_EC_SHIFT       26
#define KVMRC_ESR_EC(esr)        (((uint32_t)(esr) >> KVMRC_ESR_EC_SHIFT) & 0x3fu)
#define KVMRC_ESR_EC_BREAKPT_LOW 0x30u
#define KVMRC_ESR_EC_SOFTSTP_LOW 0x32u
#define KVMRC_ESR_EC_WATCHPT_LOW 0x34u
#define KVMRC_ESR_EC_BKPT32      0x38u
#define KVMRC_ESR_EC_BRK64       0x3cu

/* ESR_ELx.FnV (bit 10): FAR not valid (data/instruction aborts) */
#define KVMRC_ESR_FNV            (1u << 10)

/* KVM_EXIT_HYPERCALL on arm64 (6.4+, SMCCC filter): hypercall.flags bits */
#define KVMRC_ARM64_HYPERCALL_EXIT_SMC   (1ull << 0)
#define KVMRC_ARM64_HYPERCALL_EXIT_16BIT (1ull << 1)

/* ---- riscv64 (arch/riscv/include/uapi/asm/kvm.h is arch-neutral here) ---- */
/* riscv_sbi / riscv_csr live in <linux/kvm.h> itself, with unsigned long. */

/* ---- exit structs newer than Linux 6.1 headers (include/uapi/linux/kvm.h) ---- */
/* KVM_EXIT_MEMORY_FAULT (6.8): union member memory_fault */
#define KVMRC_MEMORY_EXIT_FLAG_PRIVATE (1ull << 3)
struct kvmrc_memory_fault {
	uint64_t flags;
	uint64_t gpa;
	uint64_t size;
};

/* KVM_EXIT_ARM_SEA (6.19): union member arm_sea */
#define KVMRC_EXIT_ARM_SEA_FLAG_GPA_VALID (1ull << 0)
struct kvmrc_arm_sea {
	uint64_t flags;
	uint64_t esr;
	uint64_t gva;  /* valid when ESR.FnV == 0 */
	uint64_t gpa;  /* valid when flags & GPA_VALID */
};

/* KVM_EXIT_TDX (6.16): union member tdx; include/uapi/linux/kvm.h of 6.16
 * to 7.1 ("KVM: TDX: Exit to userspace for GetTdVmCallInfo" 25e8b1dd4883,
 * "...<GetQuote>" cf207eac06f6, "...SetupEventNotifyInterrupt" 4580dbef5ce0).
 * nr (a TDVMCALL leaf) names the member; ret is first in each. */
#define KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO        0x10000ull
#define KVMRC_TDVMCALL_GET_QUOTE                  0x10002ull
#define KVMRC_TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT 0x10004ull
struct kvmrc_tdx_exit {
	uint64_t flags;
	uint64_t nr;
	union {
		struct {
			uint64_t ret;
			uint64_t data[5];
		} unknown;
		struct {
			uint64_t ret;
			uint64_t gpa;
			uint64_t size;
		} get_quote;
		struct {
			uint64_t ret;
			uint64_t leaf;
			uint64_t r11, r12, r13, r14;
		} get_tdvmcall_info;
		struct {
			uint64_t ret;
			uint64_t vector;
		} setup_event_notify;
	};
};

/* KVM_EXIT_SNP_REQ_CERTS (7.0, fa9893fadbc2): union member snp_req_certs */
struct kvmrc_snp_req_certs {
	uint64_t gpa;
	uint64_t npages;
	uint64_t ret;
};

/* ---- s390x: the parts of struct kvm_run an x86_64 build cannot see ----
 * On s390x the exit union starts at 48: psw_mask and psw_addr (in/out,
 * read back by sync_regs) sit at 32..47. */
#define KVMRC_S390_PSW_MASK_OFFSET 32u
#define KVMRC_S390_PSW_ADDR_OFFSET 40u

struct kvmrc_s390_debug_exit_arch { /* arch/s390/include/uapi/asm/kvm.h */
	uint64_t addr;
	uint8_t type;
	uint8_t pad[7]; /* "Should be set to 0" */
};

struct kvmrc_s390_sieic {
	uint8_t icptcode;
	uint16_t ipa;
	uint32_t ipb;
};

struct kvmrc_s390_ucontrol {
	uint64_t trans_exc_code;
	uint32_t pgm_code;
};

struct kvmrc_s390_tsch {
	uint16_t subchannel_id;
	uint16_t subchannel_nr;
	uint32_t io_int_parm;
	uint32_t io_int_word;
	uint32_t ipb;
	uint8_t dequeued;
};

struct kvmrc_s390_stsi {
	uint64_t addr;
	uint8_t ar;
	uint8_t reserved;
	uint8_t fc;
	uint8_t sel1;
	uint16_t sel2;
};

#endif /* KVMRUN_COMPAT_UAPI_H */

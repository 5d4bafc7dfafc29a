/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* layout.h - byte offsets the rule table uses, by name.  abi-check.c proves
 * each one against the uapi structures, so a wrong number fails the build. */
#ifndef KVMRC_LAYOUT_H
#define KVMRC_LAYOUT_H

/* LP64 layouts with the exit union at 32 (x86_64, arm64, riscv64) */
#define L_FLAGS                   14
#define L_U                       32
#define L_FAIL_ENTRY_REASON       (L_U + 0)
#define L_FAIL_ENTRY_CPU          (L_U + 8)
#define L_DEBUG_ARM64_HSR_HIGH    (L_U + 4)
#define L_DEBUG_ARM64_FAR         (L_U + 8)
#define L_DEBUG_X86_PAD           (L_U + 4)
#define L_DEBUG_X86_DR6           (L_U + 16)
#define L_DEBUG_X86_DR7           (L_U + 24)
#define L_INTERNAL_SUBERROR       (L_U + 0)
#define L_INTERNAL_NDATA          (L_U + 4)
#define L_INTERNAL_DATA           (L_U + 8)
#define L_SYSTEM_EVENT_NDATA      (L_U + 4)
#define L_SYSTEM_EVENT_DATA       (L_U + 8)
#define L_HYPERCALL_ARGS3         (L_U + 32)
#define L_HYPERCALL_RET           (L_U + 56)
#define L_HYPERCALL_FLAGS         (L_U + 64)
#define L_HYPERCALL_FLAGS_HIGH    (L_U + 68)
#define L_MEMORY_FAULT            (L_U + 0)   /* flags, gpa, size: 24 bytes */
#define L_MEMORY_FAULT_SIZE       24
#define L_ARM_SEA_FLAGS           (L_U + 0)
#define L_ARM_SEA_ESR             (L_U + 8)
#define L_ARM_SEA_GVA             (L_U + 16)
#define L_ARM_SEA_GPA             (L_U + 24)
#define L_MMIO_DATA               (L_U + 8)
#define L_MMIO_LEN                (L_U + 16)
#define L_MMIO_IS_WRITE           (L_U + 20)
#define L_RISCV_SBI_RET           (L_U + 64)
#define L_RISCV_CSR_RET           (L_U + 24)

/* more fields by name, for the field table (fields.c) */
#define L_IO_DIRECTION            (L_U + 0)
#define L_IO_SIZE                 (L_U + 1)
#define L_IO_PORT                 (L_U + 2)
#define L_IO_COUNT                (L_U + 4)
#define L_IO_DATA_OFFSET          (L_U + 8)
#define L_MMIO_PHYS_ADDR          (L_U + 0)
#define L_HYPERCALL_NR            (L_U + 0)
#define L_HYPERCALL_ARGS          (L_U + 8)
#define L_DEBUG_X86_EXCEPTION     (L_U + 0)
#define L_DEBUG_X86_PC            (L_U + 8)
#define L_DEBUG_ARM64_HSR         (L_U + 0)
#define L_SYSTEM_EVENT_TYPE       (L_U + 0)
#define L_EXCEPTION_NR            (L_U + 0)
#define L_EXCEPTION_ERROR_CODE    (L_U + 4)
#define L_MSR_ERROR               (L_U + 0)
#define L_MSR_REASON              (L_U + 8)
#define L_MSR_INDEX               (L_U + 12)
#define L_MSR_DATA                (L_U + 16)
#define L_ARM_NISV_ESR_ISS        (L_U + 0)
#define L_ARM_NISV_FAULT_IPA      (L_U + 8)
#define L_MEMORY_FAULT_GPA        (L_U + 8)
#define L_MEMORY_FAULT_SZ         (L_U + 16)
#define L_RISCV_SBI_EXT           (L_U + 0)
#define L_RISCV_SBI_FID           (L_U + 8)
#define L_RISCV_SBI_ARGS          (L_U + 16)
#define L_RISCV_CSR_NUM           (L_U + 0)
#define L_RISCV_CSR_NEW           (L_U + 8)
#define L_RISCV_CSR_MASK          (L_U + 16)
#define L_NOTIFY_FLAGS            (L_U + 0)
#define L_HW_REASON               (L_U + 0)
#define L_TPR_RIP                 (L_U + 0)
#define L_TPR_IS_WRITE            (L_U + 8)
#define L_EOI_VECTOR              (L_U + 0)
/* x86 hyperv: type, then the member the type names (KVM_EXIT_HYPERV_*) */
#define L_HYPERV_TYPE             (L_U + 0)
#define L_HYPERV_SYNIC_MSR        (L_U + 8)
#define L_HYPERV_SYNIC_CONTROL    (L_U + 16)
#define L_HYPERV_SYNIC_EVT_PAGE   (L_U + 24)
#define L_HYPERV_SYNIC_MSG_PAGE   (L_U + 32)
#define L_HYPERV_HCALL_INPUT      (L_U + 8)
#define L_HYPERV_HCALL_RESULT     (L_U + 16)
#define L_HYPERV_HCALL_PARAMS     (L_U + 24)  /* __u64 params[2] */
#define L_HYPERV_SYNDBG_MSR       (L_U + 8)
#define L_HYPERV_SYNDBG_CONTROL   (L_U + 16)
#define L_HYPERV_SYNDBG_STATUS    (L_U + 24)
#define L_HYPERV_SYNDBG_SEND      (L_U + 32)
#define L_HYPERV_SYNDBG_RECV      (L_U + 40)
#define L_HYPERV_SYNDBG_PENDING   (L_U + 48)
/* x86 xen: type, then u.hcall (KVM_EXIT_XEN_HCALL) */
#define L_XEN_TYPE                (L_U + 0)
#define L_XEN_HCALL_LONGMODE      (L_U + 8)
#define L_XEN_HCALL_CPL           (L_U + 12)
#define L_XEN_HCALL_INPUT         (L_U + 16)
#define L_XEN_HCALL_RESULT        (L_U + 24)
#define L_XEN_HCALL_PARAMS        (L_U + 32)  /* __u64 params[6] */
/* x86 tdx (6.16): flags, nr, then the member nr names; ret first in each */
#define L_TDX_FLAGS               (L_U + 0)
#define L_TDX_NR                  (L_U + 8)
#define L_TDX_RET                 (L_U + 16)
#define L_TDX_UNKNOWN_DATA        (L_U + 24)  /* __u64 data[5] */
#define L_TDX_GET_QUOTE_GPA       (L_U + 24)
#define L_TDX_GET_QUOTE_SIZE      (L_U + 32)
#define L_TDX_INFO_LEAF           (L_U + 24)
#define L_TDX_INFO_R11            (L_U + 32)  /* r11, r12, r13, r14 */
#define L_TDX_NOTIFY_VECTOR       (L_U + 24)
/* x86 snp_req_certs (7.0) */
#define L_SNP_CERTS_GPA           (L_U + 0)
#define L_SNP_CERTS_NPAGES        (L_U + 8)
#define L_SNP_CERTS_RET           (L_U + 16)

/* s390x: psw_mask/psw_addr at 32..47 (inputs), the exit union at 48 */
#define LS_U                      48
#define LS_DEBUG_TYPE             (LS_U + 8)
#define LS_DEBUG_PAD              (LS_U + 9)  /* __u8 pad[7] */
#define LS_TSCH_SUBCHANNEL        (LS_U + 0)  /* id, nr, io_int_parm, io_int_word: 12 bytes */
#define LS_TSCH_DEQUEUED          (LS_U + 16)
#define LS_STSI_RESERVED          (LS_U + 9)
/* the field table's s390x names (fields.c) */
#define LS_DEBUG_ADDR             (LS_U + 0)
#define LS_SIEIC_ICPTCODE         (LS_U + 0)
#define LS_SIEIC_IPA              (LS_U + 2)
#define LS_SIEIC_IPB              (LS_U + 4)
#define LS_RESET_FLAGS            (LS_U + 0)
#define LS_UCONTROL_TRANS_EXC     (LS_U + 0)
#define LS_UCONTROL_PGM_CODE      (LS_U + 8)
#define LS_TSCH_SUBCHANNEL_NR     (LS_U + 2)
#define LS_TSCH_IO_INT_PARM       (LS_U + 4)
#define LS_TSCH_IO_INT_WORD       (LS_U + 8)
#define LS_TSCH_IPB               (LS_U + 12)
#define LS_STSI_ADDR              (LS_U + 0)
#define LS_STSI_AR                (LS_U + 8)
#define LS_STSI_FC                (LS_U + 10)
#define LS_STSI_SEL1              (LS_U + 11)
#define LS_STSI_SEL2              (LS_U + 12)
#define LS_INTERNAL_SUBERROR      (LS_U + 0)
#define LS_INTERNAL_NDATA         (LS_U + 4)
#define LS_INTERNAL_DATA          (LS_U + 8)

#endif

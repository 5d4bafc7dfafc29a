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

/* s390x: psw_mask/psw_addr at 32..47 (inputs), the exit union at 48 */
#define LS_U                      48
#define LS_DEBUG_TYPE             (LS_U + 8)
#define LS_DEBUG_PAD              (LS_U + 9)  /* __u8 pad[7] */
#define LS_TSCH_SUBCHANNEL        (LS_U + 0)  /* id, nr, io_int_parm, io_int_word: 12 bytes */
#define LS_TSCH_DEQUEUED          (LS_U + 16)
#define LS_STSI_RESERVED          (LS_U + 9)

#endif

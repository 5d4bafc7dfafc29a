/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-fields.c - the exit ABI by mainline release: for --abi=VERSION, what
 * a kernel of VERSION did not write or could not produce.  Each row names
 * its row V<n> of docs/abi-ledger.md ("Exit ABI by version"), where the
 * kernel source and the release are given; tests/test-abi-exits.sh checks
 * that the two tables are the same.  Offsets are the ones abi-check.c
 * proves against the uapi (layout.h).
 */
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "abi-fields.h"
#include "kver.h"
#include "layout.h"

#define X86   KVMRUN_COMPAT_ARCH_X86_64
#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define RISCV KVMRUN_COMPAT_ARCH_RISCV64

#define FLAG(a, an, bit, b, x, y, row) \
	{ .name = an ".flags." bit, .arch = a, .kind = KVMRC_ABI_FLAG, .exit_reason = 0xffff, \
	  .bits = b, .since = KVMRC_KV(x, y, 0), .ledger = row }
#define FIELD(a, an, kind_, e, en, f, o, l, x, y, row) \
	{ .name = an "." en "." f, .arch = a, .kind = kind_, .exit_reason = e, .off = o, .len = l, \
	  .since = KVMRC_KV(x, y, 0), .ledger = row }
#define EXIT(a, an, e, en, x, y, row) \
	{ .name = an ".exit." en, .arch = a, .kind = KVMRC_ABI_EXIT, .exit_reason = e, \
	  .since = KVMRC_KV(x, y, 0), .ledger = row }

#define U KVMRC_ABI_UNWRITTEN
#define Z KVMRC_ABI_ZEROED

const struct kvmrc_abi_row kvmrc_abi_rows[] = {
	/* ---- x86_64 ---- */
	FLAG(X86, "x86_64", "bus_lock", 1u << 1, 5, 12, "V1"),          /* KVM_RUN_X86_BUS_LOCK */
	FLAG(X86, "x86_64", "guest_mode", 1u << 2, 6, 11, "V2"),        /* KVM_RUN_X86_GUEST_MODE */
	FIELD(X86, "x86_64", U, KVM_EXIT_FAIL_ENTRY, "fail_entry", "cpu", L_FAIL_ENTRY_CPU, 4, 5, 9, "V3"),
	FIELD(X86, "x86_64", U, KVM_EXIT_SYSTEM_EVENT, "system_event", "ndata", L_SYSTEM_EVENT_NDATA, 4, 5, 18, "V4"),
	FIELD(X86, "x86_64", U, KVM_EXIT_SYSTEM_EVENT, "system_event", "data1-15", L_SYSTEM_EVENT_DATA + 8, 120,
	      5, 18, "V5"),
	FIELD(X86, "x86_64", U, KVM_EXIT_HYPERCALL, "hypercall", "ret", L_HYPERCALL_RET, 8, 6, 14, "V6"),
	FIELD(X86, "x86_64", U, KVM_EXIT_HYPERCALL, "hypercall", "flags-high", L_HYPERCALL_FLAGS_HIGH, 4, 6, 4,
	      "V7"),
	EXIT(X86, "x86_64", KVM_EXIT_X86_RDMSR, "X86_RDMSR", 5, 10, "V20"),
	EXIT(X86, "x86_64", KVM_EXIT_X86_WRMSR, "X86_WRMSR", 5, 10, "V20"),
	EXIT(X86, "x86_64", KVM_EXIT_DIRTY_RING_FULL, "DIRTY_RING_FULL", 5, 11, "V21"),
	EXIT(X86, "x86_64", KVM_EXIT_X86_BUS_LOCK, "X86_BUS_LOCK", 5, 12, "V22"),
	EXIT(X86, "x86_64", KVM_EXIT_XEN, "XEN", 5, 12, "V23"),
	EXIT(X86, "x86_64", KVM_EXIT_HYPERCALL, "HYPERCALL", 5, 14, "V24"),
	EXIT(X86, "x86_64", KVM_EXIT_NOTIFY, "NOTIFY", 6, 0, "V25"),
	EXIT(X86, "x86_64", KVM_EXIT_MEMORY_FAULT, "MEMORY_FAULT", 6, 8, "V26"),
	EXIT(X86, "x86_64", KVM_EXIT_TDX, "TDX", 6, 16, "V27"),
	EXIT(X86, "x86_64", KVM_EXIT_SNP_REQ_CERTS, "SNP_REQ_CERTS", 7, 0, "V28"),

	/* ---- arm64 ---- */
	FLAG(ARM64, "arm64", "hsr_high_valid", KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID, 5, 19, "V8"),
	FIELD(ARM64, "arm64", U, KVM_EXIT_DEBUG, "debug", "hsr_high", L_DEBUG_ARM64_HSR_HIGH, 4, 5, 19, "V9"),
	FIELD(ARM64, "arm64", Z, KVM_EXIT_SYSTEM_EVENT, "system_event", "ndata", L_SYSTEM_EVENT_NDATA, 4, 5, 18,
	      "V10"),
	FIELD(ARM64, "arm64", U, KVM_EXIT_SYSTEM_EVENT, "system_event", "data1-15", L_SYSTEM_EVENT_DATA + 8, 120,
	      5, 18, "V11"),
	EXIT(ARM64, "arm64", KVM_EXIT_ARM_NISV, "ARM_NISV", 5, 5, "V29"),
	EXIT(ARM64, "arm64", KVM_EXIT_DIRTY_RING_FULL, "DIRTY_RING_FULL", 6, 1, "V30"),
	EXIT(ARM64, "arm64", KVM_EXIT_HYPERCALL, "HYPERCALL", 6, 4, "V31"),
	EXIT(ARM64, "arm64", KVM_EXIT_MEMORY_FAULT, "MEMORY_FAULT", 6, 18, "V32"),
	EXIT(ARM64, "arm64", KVM_EXIT_ARM_SEA, "ARM_SEA", 6, 19, "V33"),
	EXIT(ARM64, "arm64", KVM_EXIT_ARM_LDST64B, "ARM_LDST64B", 7, 0, "V34"),

	/* ---- riscv64 ---- */
	FIELD(RISCV, "riscv64", Z, KVM_EXIT_SYSTEM_EVENT, "system_event", "ndata", L_SYSTEM_EVENT_NDATA, 4, 5, 18,
	      "V12"),
	FIELD(RISCV, "riscv64", U, KVM_EXIT_SYSTEM_EVENT, "system_event", "data1-15", L_SYSTEM_EVENT_DATA + 8,
	      120, 5, 18, "V13"),
	EXIT(RISCV, "riscv64", KVM_EXIT_RISCV_CSR, "RISCV_CSR", 6, 0, "V35"),
};

const unsigned int kvmrc_abi_row_count = sizeof(kvmrc_abi_rows) / sizeof(kvmrc_abi_rows[0]);
_Static_assert(sizeof(kvmrc_abi_rows) / sizeof(kvmrc_abi_rows[0]) <= KVMRC_ABI_ROWS_MAX, "KVMRC_ABI_ROWS_MAX");

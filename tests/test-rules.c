/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-rules.c - the scrub and the rule engine, through the public API, as
 * a list of facts.  A "kernel" here is a few stores into the page between
 * kvmrun_compat_before_run() and kvmrun_compat_after_run(), as a real one
 * writes an exit; the page starts full of junk (an earlier exit, the VMM).
 * Runs on any build architecture: the engine takes the architecture as a
 * parameter.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"

#define ARM64 KVMRUN_COMPAT_ARCH_ARM64
#define X86 KVMRUN_COMPAT_ARCH_X86_64
#define RISCV KVMRUN_COMPAT_ARCH_RISCV64

static uint8_t page[4096] __attribute__((aligned(4096)));
static const struct kvmrun_compat_exit ret_ok = { 0, 0 };
static const struct kvmrun_compat_exit ret_eintr = { -1, EINTR };

static uint32_t u32_at(unsigned int off) { uint32_t v; memcpy(&v, page + off, 4); return v; }
static uint64_t u64_at(unsigned int off) { uint64_t v; memcpy(&v, page + off, 8); return v; }
static void put32(unsigned int off, uint32_t v) { memcpy(page + off, &v, 4); }
static void put64(unsigned int off, uint64_t v) { memcpy(page + off, &v, 8); }

static struct kvmrun_compat_vcpu vc;
static const size_t RUN = sizeof(struct kvm_run);

static void start(enum kvmrun_compat_arch arch, const struct kvmrun_compat_caps *caps)
{
	memset(page, 0xab, sizeof(page));
	cr_assert_eq(kvmrun_compat_vcpu_init(&vc, arch, caps, 0), 0);
}

static void before(void)
{
	cr_assert_eq(kvmrun_compat_before_run(&vc, page, RUN), 0);
}

static void after(const struct kvmrun_compat_exit *e)
{
	cr_assert_eq(kvmrun_compat_after_run(&vc, page, RUN, e), 0);
}

/* Union bytes [from, to) all read `v`. */
static void assert_bytes(unsigned int from, unsigned int to, uint8_t v, const char *what)
{
	for (unsigned int b = from; b < to; b++)
		cr_assert_eq(page[b], v, "%s: byte %u is 0x%02x, want 0x%02x", what, b, page[b], v);
}

/* An MMIO exit as arm64/x86/riscv write it: phys_addr, data only for a write, len, is_write. */
static void kernel_mmio(uint64_t addr, unsigned int len, int is_write, uint64_t data)
{
	struct kvm_run *run = (struct kvm_run *)page;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = addr;
	if (is_write)
		memcpy(run->mmio.data, &data, len);
	run->mmio.len = len;
	run->mmio.is_write = (uint8_t)is_write;
}

/* arm64 KVM_EXIT_DEBUG as 5.10 writes it: hsr only (far only for watchpoints). */
static void kernel_arm64_debug(uint32_t ec, int far_written, uint64_t far)
{
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_DEBUG;
	put32(32, ec << 26);
	if (far_written)
		put64(40, far);
}

Test(scrub, before_the_first_run_the_union_is_zero_and_the_rest_untouched)
{
	start(X86, NULL);
	before();
	assert_bytes(32, 288, 0, "exit union");
	assert_bytes(0, 32, 0xab, "header (x86 flags are the kernel's)");
	assert_bytes(288, 1024, 0xab, "sync regs");
}

Test(scrub, an_mmio_reads_data_survives_the_next_scrub_and_nothing_else)
{
	start(ARM64, NULL);
	before();
	kernel_mmio(0xabcdef0000ull, 4, 0, 0);
	after(&ret_ok);
	put64(40, 0x1122334455667788ull); /* the VMM answers the read (4 bytes count) */
	memset(page + 100, 0x5a, 20);      /* and leaves junk elsewhere */
	before();
	cr_assert_eq(u32_at(40), 0x55667788, "mmio.data[0, len) is the completion input");
	assert_bytes(44, 48, 0, "mmio.data beyond len is not read back");
	assert_bytes(32, 40, 0, "phys_addr");
	assert_bytes(48, 288, 0, "the rest of the union");
}

Test(scrub, the_pending_read_is_decided_from_the_exit_not_the_page_at_entry)
{
	start(ARM64, NULL);
	before();
	kernel_mmio(0x1000, 8, 0, 0);
	after(&ret_ok);
	put64(40, 0xdeadbeefcafef00dull);
	page[52] = 1; /* the VMM scribbles over is_write before KVM_RUN */
	before();
	cr_assert_eq(u64_at(40), 0xdeadbeefcafef00dull, "still a read: the data is kept");
}

Test(arm64_debug, far_after_an_mmio_read_is_zeroed_for_brk)
{
	start(ARM64, NULL);
	before();
	kernel_mmio(0xabcdef0000ull, 8, 0, 0);
	after(&ret_ok);
	put64(40, 0xdeadbeefcafef00dull);
	before();
	kernel_arm64_debug(KVMRC_ESR_EC_BRK64, 0, 0);
	after(&ret_ok);
	cr_assert_eq(u64_at(40), 0, "a BRK exit never writes far: the kept read data is gone");
	cr_assert_eq(u32_at(36), 0, "hsr_high unwritten by 5.10 reads 0");
	cr_assert_eq(u32_at(32) >> 26, KVMRC_ESR_EC_BRK64, "hsr is the kernel's");
}

Test(arm64_debug, hsr_high_the_kernel_writes_and_flags_is_kept)
{
	start(ARM64, NULL);
	before();
	kernel_arm64_debug(KVMRC_ESR_EC_BRK64, 0, 0);
	put32(36, 0x2);
	((struct kvm_run *)page)->flags = KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID;
	after(&ret_ok);
	cr_assert_eq(u32_at(36), 0x2);
	cr_assert_eq(((struct kvm_run *)page)->flags, KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID);
}

/* The engine reads the kernel release once per process; criterion runs
 * each test in a process of its own. */
static void kernel_5_10(void) { setenv("KVMRUN_COMPAT_KERNEL", "5.10.223", 1); }
static void kernel_6_1_33(void) { setenv("KVMRUN_COMPAT_KERNEL", "6.1.33", 1); }

Test(arm64_debug, watchpoint_far_is_kept_where_the_kernel_captures_it)
{
	kernel_6_1_33();
	start(ARM64, NULL);
	before();
	kernel_arm64_debug(KVMRC_ESR_EC_WATCHPT_LOW, 1, 0x4000);
	after(&ret_ok);
	cr_assert_eq(u64_at(40), 0x4000);
}

Test(arm64_debug, watchpoint_far_before_the_fix_is_stale_and_zeroed)
{
	kernel_5_10();
	start(ARM64, NULL);
	before();
	kernel_arm64_debug(KVMRC_ESR_EC_WATCHPT_LOW, 1, 0xabcdef0000ull); /* the last data abort */
	after(&ret_ok);
	cr_assert_eq(u64_at(40), 0);
}

Test(arm64_flags, are_cleared_before_every_run_on_arm64_and_riscv_only)
{
	start(ARM64, NULL);
	((struct kvm_run *)page)->flags = 0x1;
	before();
	cr_assert_eq(((struct kvm_run *)page)->flags, 0);
	start(RISCV, NULL);
	((struct kvm_run *)page)->flags = 0x1;
	before();
	cr_assert_eq(((struct kvm_run *)page)->flags, 0);
	start(X86, NULL);
	((struct kvm_run *)page)->flags = 0x1;
	before();
	cr_assert_eq(((struct kvm_run *)page)->flags, 0x1, "x86 writes flags on every exit itself");
}

Test(x86_debug, dr7_written_by_the_db_intercept_is_kept_and_unwritten_dr7_reads_0)
{
	start(X86, NULL);
	before();
	kernel_mmio(0xd0000000, 4, 1, 0x55);
	after(&ret_ok);
	/* SVM db_interception: dr6, dr7 from the VMCB */
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_DEBUG;
	put32(32, 1);
	put64(40, 0x1002);
	put64(48, 0xffff4ff0);
	put64(56, 0x400);
	after(&ret_ok);
	cr_assert_eq(u64_at(56), 0x400, "the hardware single-step path writes dr7");
	/* kvm_vcpu_do_singlestep: dr6 and pc, not dr7 */
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_DEBUG;
	put32(32, 1);
	put64(40, 0x1003);
	put64(48, 0xffff4ff0);
	after(&ret_ok);
	cr_assert_eq(u64_at(56), 0, "the emulated single-step does not write dr7");
	cr_assert_eq(u32_at(36), 0, "pad");
}

Test(x86_mmio, a_short_write_after_a_read_keeps_only_the_bytes_written)
{
	start(X86, NULL);
	before();
	kernel_mmio(0xd0000000, 8, 0, 0);
	after(&ret_ok);
	put64(40, 0x1122334455667788ull);
	before();
	kernel_mmio(0xd0000008, 2, 1, 0xbeef);
	after(&ret_ok);
	cr_assert_eq(u64_at(40), 0xbeef, "data[0, 2) written, data[2, 8) was the read's answer");
	assert_bytes(53, 56, 0, "padding after is_write");
}

Test(x86_hypercall, ret_is_kept_for_the_kernel_and_never_shown_stale)
{
	setenv("KVMRUN_COMPAT_KERNEL", "6.12.0", 1); /* before exits wrote ret = 0 (6.14) */
	start(X86, NULL);
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_HYPERCALL;
	put64(32, 12);
	put64(40, 0x3000);
	put64(48, 1);
	put64(56, 0);
	put32(96, 1);
	after(&ret_ok);
	assert_bytes(64, 88, 0, "args[3..5] unwritten");
	assert_bytes(100, 104, 0, "flags bits 32..63 unwritten before 6.4");
	put64(88, 7); /* the VMM's answer */
	before();
	cr_assert_eq(u64_at(88), 7, "hypercall.ret is read back by complete_hypercall_exit");
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_HYPERCALL;
	put64(32, 12);
	after(&ret_ok);
	cr_assert_eq(u64_at(88), 0, "a new hypercall exit does not write ret: the old answer is gone");
}

Test(x86_hypercall, from_6_14_the_ret_a_hypercall_exit_writes_is_kept)
{
	setenv("KVMRUN_COMPAT_KERNEL", "6.14.0", 1);
	start(X86, NULL);
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_HYPERCALL;
	put64(32, 12);
	after(&ret_ok);
	put64(88, 7);
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_HYPERCALL;
	put64(32, 12);
	put64(88, 5);      /* 9a1dfeff4414: the kernel writes ret (0 there; 5 to tell it apart) */
	after(&ret_ok);
	cr_assert_eq(u64_at(88), 5, "a byte the kernel wrote is never changed");
}

Test(x86_msr, rdmsr_inputs_then_an_io_exit_keep_what_io_writes)
{
	start(X86, NULL);
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_X86_RDMSR;
	memset(page + 32, 0, 24);
	put32(44, 0x10);
	after(&ret_ok);
	put64(48, 0x1234); /* the VMM's msr.data */
	before();
	cr_assert_eq(u64_at(48), 0x1234);
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_IO;
	memset(page + 32, 0x01, 16); /* direction, size, port, count, data_offset */
	after(&ret_ok);
	assert_bytes(32, 48, 0x01, "the io exit");
	assert_bytes(48, 56, 0, "msr.data of the RDMSR is not part of an io exit");
}

Test(results, eintr_without_entry_keeps_the_completion_pending)
{
	start(X86, NULL);
	before();
	kernel_mmio(0xd0000000, 8, 0, 0);
	after(&ret_ok);
	put64(40, 0x77);
	before();                /* immediate_exit: the kernel returns -EINTR untouched */
	after(&ret_eintr);
	before();
	cr_assert_eq(u64_at(40), 0x77, "still pending: the next KVM_RUN completes it");
}

Test(results, after_an_exit_the_tables_do_not_know_nothing_is_scrubbed)
{
	start(X86, NULL);
	before();
	((struct kvm_run *)page)->exit_reason = 60;
	memset(page + 32, 0x66, 256);
	after(&ret_ok);
	before();
	assert_bytes(32, 288, 0x66, "an unknown exit may have inputs: fail open");
}

Test(system_event, ndata_beyond_the_array_is_clamped)
{
	start(X86, NULL);
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	put32(32, KVM_SYSTEM_EVENT_CRASH);
	put32(36, 291);
	after(&ret_ok);
	cr_assert_eq(u32_at(36), 16);
}

Test(riscv, sbi_and_csr_returns_are_inputs)
{
	start(RISCV, NULL);
	before();
	((struct kvm_run *)page)->exit_reason = KVM_EXIT_RISCV_SBI;
	memset(page + 32, 0x01, 80);
	after(&ret_ok);
	put64(96, 0x99);
	before();
	cr_assert_eq(u64_at(96), 0x99);
	assert_bytes(32, 96, 0, "ids and args are not read back");
}

Test(api, bad_arguments_are_refused)
{
	cr_assert_eq(kvmrun_compat_vcpu_init(NULL, X86, NULL, 0), -EINVAL);
	cr_assert_eq(kvmrun_compat_vcpu_init(&vc, KVMRUN_COMPAT_ARCH_UNKNOWN, NULL, 0), -EINVAL);
	memset(&vc, 0, sizeof(vc));
	cr_assert_eq(kvmrun_compat_before_run(&vc, page, RUN), -EINVAL, "an uninitialised state");
	cr_assert_eq(kvmrun_compat_vcpu_init(&vc, X86, NULL, 0), 0);
	cr_assert_eq(kvmrun_compat_before_run(&vc, page, 100), -EINVAL, "a short kvm_run");
	cr_assert_eq(kvmrun_compat_after_run(&vc, NULL, RUN, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_sanitize(NULL, 4096, ARM64, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_sanitize(page, 100, ARM64, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_sanitize(page, 4096, (enum kvmrun_compat_arch)99, NULL, NULL), -EINVAL);
	cr_assert_eq(kvmrun_compat_prepare(page, 2351, X86), -EINVAL);
	cr_assert_eq(kvmrun_compat_prepare(page, 2368, KVMRUN_COMPAT_ARCH_S390X), 0);
	cr_assert_eq(kvmrun_compat_prepare(page, 2352, KVMRUN_COMPAT_ARCH_S390X), -EINVAL);
}

Test(api, version_and_arch_names)
{
	cr_assert_str_eq(kvmrun_compat_version(), PACKAGE_VERSION);
	cr_assert_eq(kvmrun_compat_arch_from_name("aarch64"), ARM64);
	cr_assert_eq(kvmrun_compat_arch_from_name("arm64"), ARM64);
	cr_assert_eq(kvmrun_compat_arch_from_name("sparc"), KVMRUN_COMPAT_ARCH_UNKNOWN);
	cr_assert_str_eq(kvmrun_compat_arch_name(X86), "x86_64");
	cr_assert_str_eq(kvmrun_compat_esr_class_name((uint64_t)KVMRC_ESR_EC_BRK64 << 26), "BRK64");
}

/* Every rule names its ledger row, and that row exists. */
Test(table, every_rule_cites_a_ledger_row_that_exists)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	static char ledger[262144];
	snprintf(path, sizeof(path), "%s/docs/abi-ledger.md", top ? top : "..");
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	size_t n = fread(ledger, 1, sizeof(ledger) - 1, f);
	ledger[n] = 0;
	fclose(f);
	for (size_t i = 0; i < kvmrun_compat_rule_count(); i++) {
		struct kvmrun_compat_rule_info r;
		char anchor[64];
		cr_assert_eq(kvmrun_compat_rule_get(i, &r), 0);
		cr_assert(r.name && r.source && r.since && r.ledger);
		snprintf(anchor, sizeof(anchor), "| %s |", r.ledger);
		cr_assert_not_null(strstr(ledger, anchor), "rule %s cites ledger row %s, not in the ledger",
				   r.name, r.ledger);
		cr_assert_not_null(strstr(ledger, r.name), "rule %s is not named in the ledger", r.name);
	}
	cr_assert_eq(kvmrun_compat_rule_get(kvmrun_compat_rule_count(), &(struct kvmrun_compat_rule_info){0}),
		     -ERANGE);
}

/* The engine indexes rows by (arch, exit): they must be contiguous. */
Test(table, rows_of_one_arch_and_exit_are_contiguous)
{
	size_t n = kvmrun_compat_rule_count();
	for (size_t i = 0; i < n; i++) {
		struct kvmrun_compat_rule_info a;
		kvmrun_compat_rule_get(i, &a);
		int ended = 0;
		for (size_t j = i + 1; j < n; j++) {
			struct kvmrun_compat_rule_info b;
			kvmrun_compat_rule_get(j, &b);
			int same = a.arch == b.arch && a.exit_reason == b.exit_reason;
			if (!same)
				ended = 1;
			cr_assert(!(same && ended), "rules %s and %s are not contiguous", a.name, b.name);
		}
	}
}


/* kvmrun_compat_rule_vouch() and the vouch text are one description: the
 * kind a program reads is the one the text names. */
Test(table, the_vouch_kind_and_its_text_agree)
{
	size_t n = kvmrun_compat_rule_count(), esr = 0;
	struct kvmrun_compat_vouch v;

	for (size_t i = 0; i < n; i++) {
		struct kvmrun_compat_rule_info ri;
		cr_assert_eq(kvmrun_compat_rule_get(i, &ri), 0);
		cr_assert_eq(kvmrun_compat_rule_vouch(i, &v), 0);
		if (v.kind == KVMRUN_COMPAT_VOUCH_NONE) {
			cr_assert_str_eq(ri.vouch, "nothing", "%s", ri.name);
			continue;
		}
		cr_assert_eq(v.kind, KVMRUN_COMPAT_VOUCH_ESR_EC, "%s: unknown kind %d", ri.name, v.kind);
		char want[48];
		snprintf(want, sizeof(want), "EC of u32@%u == 0x%x", v.at, v.arg);
		cr_assert_str_eq(ri.vouch, want, "%s", ri.name);
		if (!strcmp(ri.name, "arm64.debug.far")) {
			esr++;
			cr_assert_eq(v.at, 32); /* debug.arch.hsr */
			cr_assert_eq(v.arg, KVMRC_ESR_EC_WATCHPT_LOW);
		}
	}
	cr_assert_eq(esr, 1, "arm64.debug.far is vouched for by the watchpoint class");
	cr_assert_eq(kvmrun_compat_rule_vouch(n, &v), -ERANGE);
	cr_assert_eq(kvmrun_compat_rule_vouch(0, NULL), -ERANGE);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-emu-arm64.c - criterion tests of libkvmrun-emu's arm64 profiles: each
 * writes struct kvm_run the way the modelled arm64 kernel does.
 */
#include "emu-harness.h"

Test(arm64, v5_10_debug_leaves_hsr_high_and_far_stale)
{
	struct vm v;
	setup(&v, "arm64-5.10", "mmio addr=0xabcdef0000 len=4 write=0; debug ec=brk");
	run_ok(&v, KVM_EXIT_MMIO);
	cr_assert_eq(v.run->mmio.phys_addr, 0xabcdef0000ull);
	put64(&v, 40, 0x8877665544332211ull);	/* the VMM answers the read */
	put16(&v, 14, 0x5a5a);			/* and scribbles on flags */
	run_ok(&v, KVM_EXIT_DEBUG);
	cr_assert_eq(u32at(&v, 32), 0xf2000000u, "hsr = ESR(EC=BRK64, IL)");
	cr_assert_eq(u32at(&v, 36), 0x000000abu, "stale high half of phys_addr");
	cr_assert_eq(u64at(&v, 40), 0x8877665544332211ull, "far not written for brk");
	cr_assert_eq(v.run->flags, 0x5a5a, "5.10 never touches run->flags");
	cr_assert(log_has(&v, "readback vcpu=0 mmio.len=4 mmio.data=0x44332211"));
}

Test(arm64, v6_1_debug_writes_hsr_high_and_flag)
{
	struct vm v;
	setup(&v, "arm64-6.1",
	      "mmio addr=0xabcdef0000 len=4 write=0; debug ec=brk esr_high=0x12; mmio addr=0x9000 len=8 write=1 data=0x1122334455667788");
	run_ok(&v, KVM_EXIT_MMIO);
	put16(&v, 14, 0x5a5a);
	run_ok(&v, KVM_EXIT_DEBUG);
	cr_assert_eq(u32at(&v, 32), 0xf2000000u);
	cr_assert_eq(u32at(&v, 36), 0x12u, "hsr_high written");
	cr_assert_eq(v.run->flags, KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID);
	put16(&v, 14, 0xffff);
	run_ok(&v, KVM_EXIT_MMIO);
	cr_assert_eq(v.run->flags, 0, "flags cleared by each KVM_RUN (5.19+)");
	cr_assert_eq(v.run->mmio.is_write, 1);
	cr_assert_eq(u64at(&v, 40), 0x1122334455667788ull);
}

Test(arm64, watchpoint_far_is_the_watched_address_from_6_1_the_last_abort_before)
{
	const char *profiles[] = { "arm64-5.10", "arm64-5.18", "arm64-6.1", "arm64-6.12" };
	for (size_t i = 0; i < 4; i++) {
		struct vm v;
		setup(&v, profiles[i], "mmio addr=0x9000 len=4 write=1 data=1; "
				       "debug ec=watchpt far=0xdead0000; debug ec=softstep");
		run_ok(&v, KVM_EXIT_MMIO);
		run_ok(&v, KVM_EXIT_DEBUG);
		cr_assert_eq(KVMRC_ESR_EC(u32at(&v, 32)), KVMRC_ESR_EC_WATCHPT_LOW);
		/* 811154e234db (6.4, 6.1.33): before it, fault.far_el2 of the
		 * MMIO data abort */
		cr_assert_eq(u64at(&v, 40), i < 2 ? 0x9000ull : 0xdead0000ull, "%s", profiles[i]);
		put64(&v, 40, 0x77);
		run_ok(&v, KVM_EXIT_DEBUG);
		cr_assert_eq(KVMRC_ESR_EC(u32at(&v, 32)), KVMRC_ESR_EC_SOFTSTP_LOW);
		cr_assert_eq(u64at(&v, 40), 0x77ull, "softstep leaves far alone (%s)", profiles[i]);
	}
}

Test(arm64, mmio_write_copies_len_bytes_only)
{
	struct vm v;
	setup(&v, "arm64-6.1", "mmio addr=0x1000 len=2 write=1 data=0xbeef");
	put64(&v, 40, 0xffffffffffffffffull);
	run_ok(&v, KVM_EXIT_MMIO);
	cr_assert_eq(u64at(&v, 40), 0xffffffffffffbeefull);
	cr_assert_eq(v.run->mmio.len, 2u);
}

Test(arm64, immediate_exit_after_completion)
{
	struct vm v;
	setup(&v, "arm64-6.1", "mmio addr=0x2000 len=4; hyp_gone");
	run_ok(&v, KVM_EXIT_MMIO);
	put64(&v, 40, 0xcafe);
	v.run->immediate_exit = 1;
	put16(&v, 14, 0x4242);
	cr_assert_eq(run(&v), -1);
	cr_assert_eq(errno, EINTR);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_MMIO, "the kernel does not write exit_reason here");
	cr_assert_eq(v.run->flags, 0x4242, "flags are cleared only when the vcpu enters");
	cr_assert(log_has(&v, "mmio.data=0xcafe"), "MMIO completion happens before the check");
	v.run->immediate_exit = 0;
	run_ok(&v, KVM_EXIT_FAIL_ENTRY);
	cr_assert_eq(v.run->flags, 0);
}

Test(arm64, exhausted_scenario_is_psci_system_off)
{
	struct vm v;
	setup(&v, "arm64-5.10", "mmio addr=0x1111222233334444 len=8 write=1 data=0x5555666677778888");
	run_ok(&v, KVM_EXIT_MMIO);
	put64(&v, 48, 0x0102030405060708ull);
	run_ok(&v, KVM_EXIT_SYSTEM_EVENT);
	cr_assert_eq(v.run->system_event.type, (uint32_t)KVM_SYSTEM_EVENT_SHUTDOWN);
	cr_assert_eq(u32at(&v, 36), 0u, "memset of the 16-byte 5.10 struct");
	cr_assert_eq(u64at(&v, 40), 0u);
	cr_assert_eq(u64at(&v, 48), 0x0102030405060708ull, "beyond the old struct: untouched");

	struct vm w;
	setup(&w, "arm64-6.1", "");
	put64(&w, 48, 0x0102030405060708ull);
	run_ok(&w, KVM_EXIT_SYSTEM_EVENT);
	cr_assert_eq(w.run->system_event.ndata, 1u);
	cr_assert_eq(u64at(&w, 48), 0u, "5.18+ memsets the 136-byte struct");
}

Test(arm64, internal_error_and_hyp_gone_write_exit_reason_only)
{
	struct vm v;
	setup(&v, "arm64-6.12", "mmio addr=0x4444333322221111 len=4; internal_error; hyp_gone");
	run_ok(&v, KVM_EXIT_MMIO);
	run_ok(&v, KVM_EXIT_INTERNAL_ERROR);
	cr_assert_eq(u32at(&v, 32), 0x22221111u, "suberror stale");
	cr_assert_eq(u32at(&v, 36), 0x44443333u, "ndata stale");
	run_ok(&v, KVM_EXIT_FAIL_ENTRY);
	cr_assert_eq(v.run->fail_entry.hardware_entry_failure_reason, 0x4444333322221111ull);
}

Test(arm64, pmu_mismatch_fail_entry)
{
	struct vm v;
	setup(&v, "arm64-5.18", "pmu_mismatch cpu=3");
	run_ok(&v, KVM_EXIT_FAIL_ENTRY);
	cr_assert_eq(v.run->fail_entry.hardware_entry_failure_reason,
		     KVMRC_ARM64_FAIL_ENTRY_CPU_UNSUPPORTED);
	cr_assert_eq(v.run->fail_entry.cpu, 3u);

}

static void setup_510_pmu(void *arg)
{
	struct bad *b = arg;
	struct vm v;
	setup(&v, "arm64-5.10", b->scenario);
	b->ret = run(&v);
	b->err = errno;
}

Test(arm64, pmu_mismatch_rejected_before_5_18)
{
	struct bad b = { "pmu_mismatch cpu=1", 0, 0 };
	char err[512];
	capture_stderr(err, sizeof(err), setup_510_pmu, &b);
	cr_assert_eq(b.ret, -1);
	cr_assert_eq(b.err, EINVAL);
	cr_assert(strstr(err, "pmu_mismatch"), "stderr: %s", err);
}

Test(arm64, aarch32_el0_v5_10_enoexec_until_vcpu_init)
{
	struct vm v;
	setup(&v, "arm64-5.10", "mmio addr=0x1122334455667788 len=4; aarch32_el0; mmio addr=0x3000 len=4");
	run_ok(&v, KVM_EXIT_MMIO);
	cr_assert_eq(run(&v), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	cr_assert_eq(v.run->fail_entry.hardware_entry_failure_reason, 0x1122334455667788ull,
		     "fail_entry not written: stale phys_addr");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(run(&v), -1);
		cr_assert_eq(errno, ENOEXEC);
	}
	struct kvm_one_reg reg;
	uint64_t pstate = 0;
	reg.id = KVMRC_ARM64_REG_PSTATE;
	reg.addr = (uintptr_t)&pstate;
	cr_assert_eq(ioctl(v.vcpu, KVM_GET_ONE_REG, &reg), -1, "ONE_REG needs an initialized vcpu");
	cr_assert_eq(errno, ENOEXEC);
	arm_init(v.vcpu);
	cr_assert_eq(ioctl(v.vcpu, KVM_GET_ONE_REG, &reg), 0);
	cr_assert_eq(pstate, 0x3c5ull, "reset PSTATE: EL1h, DAIF masked");
	run_ok(&v, KVM_EXIT_MMIO);
	cr_assert_eq(v.run->mmio.phys_addr, 0x3000ull);
}

static void *run_in_thread(void *arg)
{
	struct vm *v = arg;
	intptr_t r = run(v) == 0 ? 0 : errno;
	return (void *)r;
}

Test(arm64, aarch32_el0_v6_1_same_thread_fails_again_other_thread_enoexec)
{
	struct vm v;
	setup(&v, "arm64-6.1", "aarch32_el0; hyp_gone");
	cr_assert_eq(run(&v), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(run(&v), -1);
	cr_assert_eq(errno, EINVAL, "same thread: no pid change, guest caught again");
	pthread_t t;
	void *res;
	pthread_create(&t, NULL, run_in_thread, &v);
	pthread_join(t, &res);
	cr_assert_eq((intptr_t)res, ENOEXEC, "new thread: kvm_arch_vcpu_run_pid_change");
	arm_init(v.vcpu);
	run_ok(&v, KVM_EXIT_FAIL_ENTRY);	/* hyp_gone */
	cr_assert_eq(run(&v), 0);
}

/* --------------------------------------------------------- fd tracking */

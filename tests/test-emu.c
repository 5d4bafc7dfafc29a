/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-emu.c - criterion tests of libkvmrun-emu alone: the device, scenario
 * parsing, fd handling and the x86 profiles write struct kvm_run the way the
 * modelled kernels do.  The arm64 profiles are in test-emu-arm64.c.
 */
#include "emu-harness.h"

Test(device, fstat_reports_the_kvm_misc_device)
{
	struct vm v;
	struct stat st;
	setup(&v, "arm64-6.1", "");
	cr_assert_eq(fstat(v.kvm, &st), 0);
	cr_assert(S_ISCHR(st.st_mode));
	cr_assert_eq(st.st_rdev, makedev(10, 232));
	cr_assert_eq(stat("/dev/kvm", &st), 0);
	cr_assert_eq(st.st_rdev, makedev(10, 232));
	cr_assert_eq(fstatat(v.kvm, "", &st, AT_EMPTY_PATH), 0);
	cr_assert_eq(st.st_rdev, makedev(10, 232));
	struct statx sx;
	cr_assert_eq(statx(AT_FDCWD, "/dev/kvm", 0, STATX_BASIC_STATS, &sx), 0);
	cr_assert_eq(sx.stx_rdev_major, 10u);
	cr_assert_eq(sx.stx_rdev_minor, 232u);
	cr_assert_eq(access("/dev/kvm", R_OK | W_OK), 0);
	/* a dup of the /dev/kvm fd is the device too */
	int d = fcntl(v.kvm, F_DUPFD_CLOEXEC, 100);
	cr_assert_geq(d, 100);
	cr_assert_eq(fstat(d, &st), 0);
	cr_assert_eq(st.st_rdev, makedev(10, 232));
	/* VM and vCPU fds are not the device */
	cr_assert_eq(fstat(v.vcpu, &st), 0);
	cr_assert_neq(st.st_rdev, makedev(10, 232));
	char link[64] = "";
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", v.vcpu);
	cr_assert_gt(readlink(p, link, sizeof(link) - 1), 0);
	cr_assert_str_eq(link, "anon_inode:kvm-vcpu:0");
}

Test(device, api_version_caps_and_mmap_size)
{
	struct vm v;
	setup(&v, "arm64-5.10", "");
	cr_assert_eq(ioctl(v.kvm, KVM_GET_API_VERSION, 0), 12);
	cr_assert_eq(v.size, 2 * 4096u);
	cr_assert_eq(ioctl(v.kvm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	cr_assert_eq(ioctl(v.vm, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT), 1);
	cr_assert_eq(ioctl(v.kvm, KVM_CHECK_EXTENSION, 215 /* SYSTEM_EVENT_DATA */), 0);
	struct vm w;
	setup(&w, "arm64-6.1", "");
	cr_assert_eq(ioctl(w.vm, KVM_CHECK_EXTENSION, 215), 1);
	struct vm x;
	setup(&x, "x86_64-6.1", "");
	cr_assert_eq(x.size, 3 * 4096u);
	cr_assert_eq(ioctl(x.kvm, KVM_CHECK_EXTENSION, 201 /* EXIT_HYPERCALL */), 1 << 12);
	/* duplicate vcpu id */
	cr_assert_eq(ioctl(x.vm, KVM_CREATE_VCPU, 0), -1);
	cr_assert_eq(errno, EEXIST);
}

static void open_bad_profile(void *arg)
{
	int *res = arg;
	setenv("KVMEMU_PROFILE", "arm64-4.4", 1);
	res[0] = open("/dev/kvm", O_RDWR);
	res[1] = errno;
}

Test(device, unknown_profile_fails_with_enoent)
{
	int res[2];
	char err[1024];
	capture_stderr(err, sizeof(err), open_bad_profile, res);
	cr_assert_eq(res[0], -1);
	cr_assert_eq(res[1], ENOENT);
	cr_assert(strstr(err, "arm64-4.4"), "stderr: %s", err);
	cr_assert(strstr(err, "arm64-6.1"), "stderr lists valid profiles: %s", err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
	struct stat st;
	cr_assert_eq(stat("/dev/kvm", &st), -1);
}

/* ----------------------------------------------------------- scenario */


Test(scenario, malformed_inline_step_names_step_and_token)
{
	struct bad b = { "mmio addr=0x1000; mmio addr=0xzz len=4", 0, 0 };
	char err[1024];
	capture_stderr(err, sizeof(err), run_bad, &b);
	cr_assert_eq(b.ret, -1);
	cr_assert_eq(b.err, EINVAL);
	cr_assert(strstr(err, "inline step 2"), "stderr: %s", err);
	cr_assert(strstr(err, "0xzz"), "stderr: %s", err);
}

Test(scenario, malformed_file_names_file_and_line)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/kvmemu-scn-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("# a comment\nmmio addr=0x1000 len=4 # trailing\nfrobnicate now=1\n", f);
	fclose(f);
	struct bad b = { path, 0, 0 };
	char err[1024];
	capture_stderr(err, sizeof(err), run_bad, &b);
	unlink(path);
	cr_assert_eq(b.ret, -1);
	cr_assert_eq(b.err, EINVAL);
	cr_assert(strstr(err, path) && strstr(err, "line 3") && strstr(err, "frobnicate"),
		  "stderr: %s", err);
}

/* The key table's ranges: each out-of-range value is refused with its reason,
 * and the largest value in range is taken (so a refusal is not the parser
 * refusing everything). */
Test(scenario, values_out_of_range_are_refused_with_the_reason)
{
	static const struct { const char *step, *why; } bad[] = {
		{ "mmio addr=0x1000 len=3", "len must be 1, 2, 4 or 8" },
		{ "mmio addr=0x1000 len=16", "len must be 1, 2, 4 or 8" },
		{ "mmio addr=0x1000 len=4 write=2", "write must be 0 or 1" },
		{ "debug ec=brk iss=0x2000000", "iss wider than 25 bits" },
		{ "debug ec=brk esr_high=0x100000000", "esr_high wider than 32 bits" },
		{ "pmu_mismatch cpu=0x100000000", "cpu out of range" },
		{ "mmio addr=0x1000 len=4 frob=1", "unknown key" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bad b = { bad[i].step, 0, 0 };
		char err[1024];
		capture_stderr(err, sizeof(err), run_bad, &b);
		cr_assert_eq(b.ret, -1, "%s", bad[i].step);
		cr_assert_eq(b.err, EINVAL, "%s", bad[i].step);
		cr_assert(strstr(err, bad[i].why), "%s: stderr: %s", bad[i].step, err);
	}
	struct vm v;
	setup(&v, "arm64-6.1", "mmio addr=0x1000 len=8 write=1 data=0xffffffffffffffff");
	cr_assert_eq(ioctl(v.vcpu, KVM_RUN, 0), 0);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_MMIO);
	cr_assert_eq(v.run->mmio.len, 8u);
	uint64_t d;
	memcpy(&d, v.run->mmio.data, 8);
	cr_assert_eq(d, ~0ull);
}

Test(scenario, garbage_does_not_crash)
{
	static char junk[70000];
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)(1 + (i * 7919) % 255);
	struct bad b = { junk, 0, 0 };
	char err[2048];
	capture_stderr(err, sizeof(err), run_bad, &b);
	cr_assert_eq(b.ret, -1);
	cr_assert_eq(b.err, EINVAL);
	/* 300 valid steps: more than the 256 the emulator holds */
	static char many[300 * 9 + 1];
	many[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(many, "hyp_gone;");
	b.scenario = many;
	capture_stderr(err, sizeof(err), run_bad, &b);
	cr_assert_eq(b.err, EINVAL);
	cr_assert(strstr(err, "256"), "stderr: %s", err);
}

/* ------------------------------------------------------------- arm64 */

/* 5.10: only hsr is written; bytes 36..39 keep the high half of the
 * previous mmio.phys_addr, far keeps the VMM's mmio.data, flags untouched. */
Test(fd, dup_of_vcpu_fd_runs_and_close_reuse_is_not_kvm)
{
	struct vm v;
	setup(&v, "arm64-6.1", "hyp_gone; internal_error");
	int d = dup(v.vcpu);
	cr_assert_geq(d, 0);
	int num = v.vcpu;
	cr_assert_eq(close(v.vcpu), 0);
	cr_assert_eq(ioctl(d, KVM_RUN, 0), 0);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	int d2 = dup2(d, 200);
	cr_assert_eq(d2, 200);
	cr_assert_eq(ioctl(200, KVM_RUN, 0), 0);
	cr_assert_eq(v.run->exit_reason, KVM_EXIT_INTERNAL_ERROR);
	/* the old number, reused by an unrelated file, is not a vCPU */
	int n = open("/dev/null", O_RDWR);
	cr_assert_eq(n, num);
	cr_assert_eq(ioctl(n, KVM_RUN, 0), -1);
	cr_assert_eq(errno, ENOTTY, "real ioctl on /dev/null");
	struct stat st;
	cr_assert_eq(fstat(n, &st), 0);
	cr_assert_eq(st.st_rdev, makedev(1, 3));
}

Test(fd, unknown_ioctl_on_emulated_fd)
{
	struct vm v;
	setup(&v, "arm64-6.1", "");
	cr_assert_eq(ioctl(v.vcpu, KVM_GET_REGS, NULL), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert(log_has(&v, "unknown ioctl"));
}

static void *vcpu_thread(void *arg)
{
	struct vm *v = arg;
	for (int i = 0; i < 3; i++)
		if (run(v) != 0 || v->run->exit_reason != KVM_EXIT_MMIO ||
		    v->run->mmio.phys_addr != 0x1000u * (unsigned)(i + 1))
			return (void *)1;
	return NULL;
}

Test(fd, vcpus_have_their_own_cursor)
{
	struct vm v[2];
	setup(&v[0], "arm64-6.1", "mmio addr=0x1000; mmio addr=0x2000; mmio addr=0x3000");
	v[1] = v[0];
	v[1].vcpu = ioctl(v[0].vm, KVM_CREATE_VCPU, 1);
	cr_assert_geq(v[1].vcpu, 0);
	v[1].run = mmap(NULL, v[1].size, PROT_READ | PROT_WRITE, MAP_SHARED, v[1].vcpu, 0);
	v[1].b = (unsigned char *)v[1].run;
	arm_init(v[1].vcpu);
	pthread_t t[2];
	void *r[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, vcpu_thread, &v[i]);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], &r[i]);
		cr_assert_null(r[i], "vcpu %d", i);
	}
}

/* --------------------------------------------------------------- x86 */

Test(x86, io_in_readback_and_flags)
{
	struct vm v;
	setup(&v, "x86_64-6.1", "io port=0x60 dir=in size=1; io port=0x3f8 dir=out size=1 count=2 data=0x41");
	put16(&v, 14, 0xff);
	run_ok(&v, KVM_EXIT_IO);
	cr_assert_eq(v.run->flags, 0);
	cr_assert_eq(v.run->io.port, 0x60);
	cr_assert_eq(v.run->io.direction, KVM_EXIT_IO_IN);
	cr_assert_eq(v.run->io.data_offset, 4096u);
	v.b[v.run->io.data_offset] = 0x42;
	run_ok(&v, KVM_EXIT_IO);
	cr_assert(log_has(&v, "readback vcpu=0 pio.size=1 pio.count=1 pio.data=42"));
	cr_assert_eq(v.b[4096], 0x41);
	cr_assert_eq(v.b[4097], 0x41);
	run_ok(&v, KVM_EXIT_SHUTDOWN);
}

Test(x86, debug_bp_leaves_dr6_dr7_stale)
{
	struct vm v;
	setup(&v, "x86_64-5.10", "debug_db pc=0x1000 dr6=0x4000 dr7=0x400; debug_bp pc=0x2000");
	run_ok(&v, KVM_EXIT_DEBUG);
	cr_assert_eq(u32at(&v, 32), 1u);
	cr_assert_eq(u64at(&v, 48), 0xffff4ff0ull);
	put64(&v, 48, 0xabcdull);
	run_ok(&v, KVM_EXIT_DEBUG);
	cr_assert_eq(u32at(&v, 32), 3u);
	cr_assert_eq(u64at(&v, 40), 0x2000ull);
	cr_assert_eq(u64at(&v, 48), 0xabcdull, "dr6 not written for #BP");
}

Test(x86, hypercall_ret_is_read_back_and_longmode_is_32_bits_before_6_4)
{
	struct vm v;
	setup(&v, "x86_64-6.1", "hypercall a0=0x1000 a1=1 a2=2");
	put64(&v, 96, 0xffffffffffffffffull);
	run_ok(&v, KVM_EXIT_HYPERCALL);
	cr_assert_eq(v.run->hypercall.nr, 12ull);
	cr_assert_eq(u64at(&v, 96), 0xffffffff00000001ull, "longmode: 4 bytes, pad stale");
	put64(&v, 88, 0x77);
	run_ok(&v, KVM_EXIT_SHUTDOWN);
	cr_assert(log_has(&v, "readback vcpu=0 hypercall.ret=0x77"));

	struct vm w;
	setup(&w, "x86_64-6.12", "hypercall a0=0x1000 a1=1 a2=2");
	put64(&w, 96, 0xffffffffffffffffull);
	run_ok(&w, KVM_EXIT_HYPERCALL);
	cr_assert_eq(u64at(&w, 96), 1ull, "6.4+: u64 flags = KVM_EXIT_HYPERCALL_LONG_MODE");
}

Test(x86, hyperv_crash_ndata)
{
	struct vm v;
	setup(&v, "x86_64-5.10", "mmio addr=0x1234567800000000 len=8 write=1 data=0x99; hyperv_crash");
	run_ok(&v, KVM_EXIT_MMIO);
	run_ok(&v, KVM_EXIT_SYSTEM_EVENT);
	cr_assert_eq(v.run->system_event.type, (uint32_t)KVM_SYSTEM_EVENT_CRASH);
	cr_assert_eq(u32at(&v, 36), 0x12345678u, "5.10 writes type only");
	cr_assert_eq(u64at(&v, 40), 0x99ull);

	struct vm w;
	setup(&w, "x86_64-6.1", "mmio addr=0x1234567800000000 len=8 write=1 data=0x99; hyperv_crash");
	run_ok(&w, KVM_EXIT_MMIO);
	run_ok(&w, KVM_EXIT_SYSTEM_EVENT);
	cr_assert_eq(w.run->system_event.ndata, 0u);
	cr_assert_eq(u64at(&w, 40), 0x99ull, "no memset");
}

Test(x86, hwstep_writes_dr7_singlestep_does_not)
{
	struct vm v;
	setup(&v, "x86_64-6.12", "singlestep pc=0x1104; hwstep pc=0x1105");
	memset(v.b + 32, 0xa5, 256);
	run_ok(&v, KVM_EXIT_DEBUG);
	cr_assert_eq(u64at(&v, 48), 0xffff4ff0ull);
	cr_assert_eq(u64at(&v, 56), 0xa5a5a5a5a5a5a5a5ull, "kvm_vcpu_do_singlestep: dr7 not written");
	run_ok(&v, KVM_EXIT_DEBUG);
	cr_assert_eq(u32at(&v, 32), 1u);
	cr_assert_eq(u32at(&v, 36), 0xa5a5a5a5u, "pad not written");
	cr_assert_eq(u64at(&v, 40), 0x1105ull);
	cr_assert_eq(u64at(&v, 48), 0xffff4ff0ull, "DR6.BS");
	cr_assert_eq(u64at(&v, 56), 0x400ull, "db_interception: dr7 from the VMCB");
}

Test(x86, mmio_write_shorter_than_8_leaves_data_tail_and_pad)
{
	static const uint32_t lens[] = { 1, 2, 4, 8 };
	for (int i = 0; i < 4; i++) {
		char sc[128];
		struct vm v;
		snprintf(sc, sizeof(sc), "mmio addr=0xd0000040 len=%u write=1 data=0x1122334455667788",
			 lens[i]);
		setup(&v, "x86_64-6.1", sc);
		memset(v.b + 32, 0xa5, 256);
		run_ok(&v, KVM_EXIT_MMIO);
		for (uint32_t b = 0; b < 8; b++)
			cr_assert_eq(v.b[40 + b], b < lens[i] ? (uint8_t)(0x88 - 0x11 * b) : 0xa5,
				     "len %u byte %u", lens[i], b);
		cr_assert_eq(u32at(&v, 48), lens[i]);
		cr_assert_eq(v.b[52], 1);
		cr_assert_eq(v.b[53], 0xa5);
		cr_assert_eq(v.b[55], 0xa5, "53-55 never written");
	}
}

Test(x86, hlt_writes_exit_reason_only)
{
	struct vm v;
	setup(&v, "x86_64-5.10", "hlt");
	memset(v.b + 32, 0xa5, 256);
	run_ok(&v, KVM_EXIT_HLT);
	cr_assert_eq(u64at(&v, 32), 0xa5a5a5a5a5a5a5a5ull);
}

Test(x86, user_space_rdmsr_exit_and_readback)
{
	struct vm v;
	setup(&v, "x86_64-6.1", "rdmsr index=0x12345; hlt");
	memset(v.b + 32, 0xa5, 256);
	run_ok(&v, KVM_EXIT_X86_RDMSR);
	cr_assert_eq(u64at(&v, 32), 0ull, "error and pad zeroed");
	cr_assert_eq(u32at(&v, 40), 2u, "KVM_MSR_EXIT_REASON_UNKNOWN");
	cr_assert_eq(u32at(&v, 44), 0x12345u);
	cr_assert_eq(u64at(&v, 48), 0ull);
	cr_assert_eq(u64at(&v, 56), 0xa5a5a5a5a5a5a5a5ull);
	put64(&v, 48, 0x1122334455667788ull);
	run_ok(&v, KVM_EXIT_HLT);
	cr_assert(log_has(&v, "readback vcpu=0 msr.error=0 msr.data=0x1122334455667788"));
}

static void run_rdmsr_5_4(void *arg)
{
	struct bad *b = arg;
	struct vm v;
	setup(&v, "x86_64-5.4", b->scenario);
	b->ret = run(&v);
	b->err = errno;
}

Test(x86, user_space_msr_exits_not_before_5_10)
{
	struct bad b = { "rdmsr index=0x12345", 0, 0 };
	char err[1024];
	capture_stderr(err, sizeof(err), run_rdmsr_5_4, &b);
	cr_assert_eq(b.ret, -1);
	cr_assert_eq(b.err, EINVAL);
	cr_assert(strstr(err, "rdmsr"), "stderr: %s", err);
}

/* --------------------------------------------------------------- riscv */

Test(riscv, sbi_forward_returns_the_guest_a0_a1_before_6_12)
{
	struct vm v;
	setup(&v, "riscv64-6.1", "sbi ext=0x10 fid=3 a0=0x77 a1=0x88");
	memset(v.b + 32, 0xa5, 256);
	run_ok(&v, KVM_EXIT_RISCV_SBI);
	cr_assert_eq(u64at(&v, 96), 0x77ull, "ret[0] = a0 (6b7b282e6bae changed it in 6.12)");
	cr_assert_eq(u64at(&v, 104), 0x88ull, "ret[1] = a1");
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-emu.c - criterion tests of libkvmrun-emu alone: the emulator must
 * write struct kvm_run the way the modelled kernels do.
 *
 * The binary re-executes itself with LD_PRELOAD=KVMEMU_SO (see the
 * constructor below), so every open/ioctl here goes through the emulator.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <criterion/criterion.h>
#include "kvmrun-compat-uapi.h"

#ifndef KVMEMU_SO
#error "KVMEMU_SO must name the built libkvmrun-emu.so"
#endif

__attribute__((constructor)) static void preload_self(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)envp;
	if (getenv("KVMEMU_TEST_REEXEC"))
		return;
	const char *old = getenv("LD_PRELOAD");
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s%s%s", KVMEMU_SO, old && *old ? ":" : "", old ? old : "");
	setenv("LD_PRELOAD", buf, 1);
	setenv("KVMEMU_TEST_REEXEC", "1", 1);
	execv("/proc/self/exe", argv);
	perror("test-emu: re-exec with LD_PRELOAD");
}

struct vm {
	int kvm, vm, vcpu;
	size_t size;
	struct kvm_run *run;
	unsigned char *b;	/* run as bytes */
	char log[64];
};

static uint32_t u32at(const struct vm *v, size_t off)
{
	uint32_t x;
	memcpy(&x, v->b + off, sizeof(x));
	return x;
}

static uint64_t u64at(const struct vm *v, size_t off)
{
	uint64_t x;
	memcpy(&x, v->b + off, sizeof(x));
	return x;
}

static void put64(struct vm *v, size_t off, uint64_t x)
{
	memcpy(v->b + off, &x, sizeof(x));
}

static void put16(struct vm *v, size_t off, uint16_t x)
{
	memcpy(v->b + off, &x, sizeof(x));
}

static void arm_init(int vcpu)
{
	struct kvmrc_arm64_vcpu_init init;
	memset(&init, 0, sizeof(init));
	init.target = 5;	/* KVM_ARM_TARGET_GENERIC_V8 */
	cr_assert_eq(ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init), 0, "VCPU_INIT: %s", strerror(errno));
}

static char log_path[64];

static void unlink_log(void)
{
	unlink(log_path);
}

static void setup(struct vm *v, const char *profile, const char *scenario)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->log, sizeof(v->log), "/tmp/kvmemu-test-%d.log", (int)getpid());
	if (!log_path[0]) {
		snprintf(log_path, sizeof(log_path), "%s", v->log);
		atexit(unlink_log);
	}
	unlink(v->log);
	setenv("KVMEMU_PROFILE", profile, 1);
	setenv("KVMEMU_SCENARIO", scenario, 1);
	setenv("KVMEMU_LOG", v->log, 1);
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(v->kvm, 0, "open /dev/kvm: %s", strerror(errno));
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(v->vm, 0);
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(v->vcpu, 0);
	int sz = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	cr_assert_gt(sz, 0);
	v->size = (size_t)sz;
	v->run = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	cr_assert_neq(v->run, MAP_FAILED);
	v->b = (unsigned char *)v->run;
	if (strncmp(profile, "arm64", 5) == 0) {
		struct kvmrc_arm64_vcpu_init pref;
		cr_assert_eq(ioctl(v->vm, KVMRC_ARM_PREFERRED_TARGET, &pref), 0);
		cr_assert_eq(pref.target, 5u);
		arm_init(v->vcpu);
	}
}

static int run(struct vm *v)
{
	return ioctl(v->vcpu, KVM_RUN, 0);
}

static void run_ok(struct vm *v, uint32_t exit_reason)
{
	cr_assert_eq(run(v), 0, "KVM_RUN: %s", strerror(errno));
	cr_assert_eq(v->run->exit_reason, exit_reason, "exit_reason %u, want %u",
		     v->run->exit_reason, exit_reason);
}

static int log_has(const struct vm *v, const char *needle)
{
	char buf[8192] = "";
	FILE *f = fopen(v->log, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

/* Capture what the emulator prints on stderr while fn runs. */
static void capture_stderr(char *out, size_t len, void (*fn)(void *), void *arg)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/kvmemu-stderr-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	int saved = dup(2);
	fflush(stderr);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

/* ------------------------------------------------------------ device */

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

struct bad { const char *scenario; int ret, err; };

static void run_bad(void *arg)
{
	struct bad *b = arg;
	struct vm v;
	setup(&v, "arm64-6.1", b->scenario);
	b->ret = run(&v);
	b->err = errno;
}

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
	static char many[300 * 8];
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

Test(arm64, watchpoint_writes_far_on_every_version)
{
	const char *profiles[] = { "arm64-5.10", "arm64-5.18", "arm64-6.1", "arm64-6.12" };
	for (size_t i = 0; i < 4; i++) {
		struct vm v;
		setup(&v, profiles[i], "debug ec=watchpt far=0xdead0000; debug ec=softstep");
		run_ok(&v, KVM_EXIT_DEBUG);
		cr_assert_eq(KVMRC_ESR_EC(u32at(&v, 32)), KVMRC_ESR_EC_WATCHPT_LOW);
		cr_assert_eq(u64at(&v, 40), 0xdead0000ull, "%s", profiles[i]);
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * diff-paths.c - the preloaded KVM_RUN paths (straight, kept-word,
 * rules-only, full; shim/runpath.h) against the full steps of the link
 * library (kvmrun_compat_before_run/after_run), byte for byte, over random
 * sequences of exits.
 *
 * Run with LD_PRELOAD="$KVMRC_SHIM:libfake-kvmrun.so:$KVMRC_EMU": the vCPU
 * is the emulator's, but every KVM_RUN is answered by kernel() below the
 * shim (fake_kvmrun_kernel): it writes an exit (a realistic MMIO exit half
 * of the time, any reason with random union bytes otherwise) or returns
 * -1/EINTR (with KVM_EXIT_INTR, or writing nothing, as with
 * immediate_exit).  The VMM answers each exit (random completion inputs,
 * tests/kvm-inputs.h) and leaves junk in the union, on the real page and on
 * a copy; the copy gets the same kernel writes around the link library's
 * before_run/after_run.  The page the kernel sees at entry and the page
 * after each call must equal the copy's.
 *
 * diff-paths SEED STEPS: exit status 1 and one line on the first
 * difference (the seed reproduces it), 2 when the set-up fails.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"
#include "kvm-inputs.h"

#define HEAD 320u

static uint64_t rng;
static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned int)(rng % n) : 0;
}

static int arch;
static uint8_t *page;
static uint8_t ref[4096], entry[4096], pre[4096];
/* what the kernel did on the last call */
static int k_ret, k_err, k_wrote_reason;
static uint32_t k_reason;
static unsigned int k_n;
static uint16_t k_off[64];
static uint8_t k_val[64];

static void kwrite(unsigned int off, uint8_t val)
{
	if (k_n < 64) {
		k_off[k_n] = (uint16_t)off;
		k_val[k_n++] = val;
	}
	page[off] = val;
}

static const uint32_t common[] = { 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 8, 17, 24, 29, 30, 35, 36, 37, 39 };

static int kernel(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	memcpy(entry, page, HEAD);
	k_n = 0;
	k_wrote_reason = 0;
	if (page[1] && rnd(4)) { /* immediate_exit: -1/EINTR, nothing written */
		k_ret = -1;
		k_err = EINTR;
		errno = EINTR;
		return -1;
	}
	unsigned int how = rnd(16);
	if (how == 0) { /* a signal: KVM_EXIT_INTR */
		k_reason = KVM_EXIT_INTR;
		memcpy(page + 8, &k_reason, 4);
		k_wrote_reason = 1;
		k_ret = -1;
		k_err = EINTR;
		errno = EINTR;
		return -1;
	}
	if (how == 1) { /* failed before entry: nothing written */
		k_ret = -1;
		k_err = EFAULT;
		errno = EFAULT;
		return -1;
	}
	k_ret = 0;
	k_err = 0;
	k_wrote_reason = 1;
	if (how < 9) { /* an MMIO exit as the kernels write it */
		static const unsigned int lens[] = { 1, 2, 4, 8, 3, 8, 4 };
		unsigned int len = lens[rnd(7)], w = rnd(2);
		k_reason = KVM_EXIT_MMIO;
		memcpy(page + 8, &k_reason, 4);
		for (unsigned int b = 0; b < 8; b++)
			kwrite(32 + b, (uint8_t)rnd(256));
		for (unsigned int b = 0; b < 4; b++)
			kwrite(48 + b, (uint8_t)(len >> (8 * b)));
		kwrite(52, (uint8_t)w);
		if (w)
			for (unsigned int b = 0; b < len; b++)
				kwrite(40 + b, (uint8_t)rnd(256));
		return 0;
	}
	k_reason = how < 14 ? common[rnd(sizeof(common) / sizeof(common[0]))] : rnd(44);
	if (arch == KVMRUN_COMPAT_ARCH_ARM64 && k_reason == KVM_EXIT_FAIL_ENTRY)
		k_reason = KVM_EXIT_HLT; /* its policy is the preload's alone */
	memcpy(page + 8, &k_reason, 4);
	for (unsigned int k = rnd(24); k; k--)
		kwrite(32 + rnd(256), (uint8_t)rnd(256));
	if (arch != KVMRUN_COMPAT_ARCH_X86_64 && rnd(2)) { /* output-only flags */
		kwrite(14, (uint8_t)rnd(256));
		kwrite(15, 0);
	}
	return 0;
}

static void show(const char *what, unsigned int step, uint32_t prev, const uint8_t *a, const uint8_t *b)
{
	for (unsigned int i = 0; i < HEAD; i++)
		if (a[i] != b[i]) {
			printf("diff-paths: seed %llu step %u: %s: byte %u is 0x%02x (preload), 0x%02x (full steps); "
			       "pending exit %u, this exit %u, ret %d\n",
			       (unsigned long long)strtoull(getenv("DIFF_SEED") ? getenv("DIFF_SEED") : "0", NULL, 0),
			       step, what, i, a[i], b[i], prev, k_reason, k_ret);
			return;
		}
}

int main(int argc, char **argv)
{
	unsigned long long seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	unsigned int steps = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 1000;
	const char *a = getenv("KVMRUN_COMPAT_ARCH");
	char sbuf[32];

	snprintf(sbuf, sizeof(sbuf), "%llu", seed);
	setenv("DIFF_SEED", sbuf, 1);
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	arch = !a ? 0 : !strcmp(a, "x86_64") ? KVMRUN_COMPAT_ARCH_X86_64 : !strcmp(a, "arm64") ? KVMRUN_COMPAT_ARCH_ARM64
		: !strcmp(a, "riscv64") ? KVMRUN_COMPAT_ARCH_RISCV64 : 0;
	int (**hook)(int, void *) = (int (**)(int, void *))dlsym(RTLD_DEFAULT, "fake_kvmrun_kernel");
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (arch == KVMRUN_COMPAT_ARCH_ARM64) {
		struct kvmrc_arm64_vcpu_init init = { 0 };
		ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
		ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init);
	}
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	page = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (!arch || !hook || kvm < 0 || vm < 0 || vcpu < 0 || page == MAP_FAILED) {
		fprintf(stderr, "diff-paths: set-up failed (arch, fake-kvmrun preloaded?)\n");
		return 2;
	}
	struct kvmrun_compat_caps caps = { { 0 } };
	int on_vm = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) > 0;
	for (unsigned int c = 0; c < 256; c++)
		if (ioctl(on_vm ? vm : kvm, KVM_CHECK_EXTENSION, c) > 0)
			caps.bits[c / 64] |= 1ull << (c % 64);
	struct kvmrun_compat_vcpu vc;
	if (kvmrun_compat_vcpu_init(&vc, (enum kvmrun_compat_arch)arch, &caps, 0))
		return 2;
	*hook = kernel;
	memcpy(ref, page, size < sizeof(ref) ? size : sizeof(ref));

	uint32_t prev = 0xffffffffu;
	static uint8_t at_exit[4096];
	memcpy(at_exit, page, HEAD);
	for (unsigned int step = 0; step < steps; step++) {
		/* the VMM answers the pending exit, leaves junk, maybe sets immediate_exit */
		for (unsigned int b = 32; b < 288; b++)
			if (prev != 0xffffffffu && kvm_is_input_at(arch, prev, b, at_exit) && rnd(8))
				page[b] = ref[b] = (uint8_t)rnd(256);
		for (unsigned int k = rnd(4) ? 0 : rnd(8); k; k--) {
			unsigned int b = 32 + rnd(256);
			page[b] = ref[b] = (uint8_t)rnd(256);
		}
		page[1] = ref[1] = rnd(8) == 0;
		if (memcmp(page, ref, HEAD)) {
			show("the pages differ before the call", step, prev, page, ref);
			return 1;
		}

		memcpy(pre, page, HEAD);
		int r = ioctl(vcpu, KVM_RUN, 0);
		int err = r ? errno : 0;

		kvmrun_compat_before_run(&vc, ref, KVMRC_RUN_SIZE);
		if (memcmp(entry, ref, HEAD)) {
			show("the kernel saw another page at entry", step, prev, entry, ref);
			return 1;
		}
		if (k_wrote_reason)
			memcpy(ref + 8, &k_reason, 4);
		for (unsigned int i = 0; i < k_n; i++)
			ref[k_off[i]] = k_val[i];
		struct kvmrun_compat_exit ex = { k_ret, k_err };
		kvmrun_compat_after_run(&vc, ref, KVMRC_RUN_SIZE, &ex);
		if (r != k_ret || err != k_err) {
			printf("diff-paths: seed %llu step %u: KVM_RUN returned %d/%d, the kernel %d/%d\n", seed, step, r,
			       err, k_ret, k_err);
			return 1;
		}
		if (getenv("DIFF_VERBOSE")) {
			uint32_t pl, l;
			memcpy(&pl, at_exit + 48, 4);
			memcpy(&l, page + 48, 4);
			printf("step %u: pending %u (len %u write %u), immediate %u, exit %u (len %u write %u), ret %d/%d, %u bytes written\n",
			       step, prev, pl, at_exit[52], pre[1], k_reason, l, page[52], k_ret, k_err, k_n);
		}
		if (k_ret != 0 && !k_wrote_reason && pre[1]) {
			/* immediate_exit, not entered: the preload puts back the
			 * bytes the last exit wrote (the link library cannot):
			 * each byte is the full steps' or as the VMM left it */
			for (unsigned int b = 0; b < HEAD; b++)
				if (page[b] != ref[b] && page[b] != pre[b]) {
					show("after an immediate_exit call", step, prev, page, ref);
					return 1;
				}
			memcpy(ref, page, HEAD);
		}
		if (memcmp(page, ref, HEAD)) {
			show("after the call", step, prev, page, ref);
			return 1;
		}
		if (k_ret == 0 || k_wrote_reason) {
			memcpy(&prev, page + 8, 4);
			memcpy(at_exit, page, HEAD);
		}
	}
	printf("diff-paths: seed %llu: %u steps, the same bytes\n", seed, steps);
	return 0;
}

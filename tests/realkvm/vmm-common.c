/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-common.c - output, VM life cycle and the scenarios shared by vmm.c and
 * emu-compare.c (see vmm-common.h).
 *
 * Each scenario uses a fresh VM and vCPU, so kvm_run starts zeroed and every
 * junk byte is accounted for.  A RESULT line prints bytes [off, off+len) of
 * kvm_run after the KVM_RUN that produced the exit ("value") and right before
 * it ("before"); value == before (and non-zero) means nobody wrote them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vmm-common.h"
#include "../abi-ci-vmm.h"

char g_kernel[128], g_arch[16], g_cpu[64], g_shim[8] = "off";
long g_mmap_size;
int (*vmm_run_hook)(struct vm *vm);
unsigned int g_vm_gen;
int g_failures;
int g_fill;
int g_abi_ci, g_abi_ci_status;
char g_abi_ci_msg[160], g_abi_ci_err[128];

#define BE vmm_backend

/* ---------------------------------------------------------------- output */
void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (g_abi_ci) {
		/* nothing for the report steps, which find their keywords
		 * anywhere in a line; the first set-up error, without its
		 * keyword, for the ABICI line */
		const char *w = strstr(buf, " what=");
		if (!strncmp(buf, "ERROR ", 6) && w && !g_abi_ci_err[0])
			snprintf(g_abi_ci_err, sizeof g_abi_ci_err, "set-up%.100s", w);
		return;
	}
	/* one write() per line: the serial console must not interleave */
	size_t n = strlen(buf);
	if (n + 1 < sizeof buf) {
		buf[n++] = '\n';
		buf[n] = 0;
	}
	if (write(1, buf, n) < 0)
		_exit(3);
}

void skip(const char *scen, const char *why)
{
	if (g_fill)
		return;
	out("SKIP " HDR " scenario=%s reason=%s", HDRARGS, scen, why);
}

int fail(const char *scen, const char *what)
{
	out("ERROR " HDR " scenario=%s what=%s errno=%d(%s)", HDRARGS, scen, what, errno,
	    strerror(errno));
	g_failures++;
	return -1;
}

static uint64_t rd(const void *run, unsigned off, unsigned len)
{
	uint64_t v = 0;
	memcpy(&v, (const char *)run + off, len); /* little endian on both */
	return v;
}

/* Print one field: bytes [off, off+len) now and before the KVM_RUN. */
void field(const char *scen, const char *name, const void *run, const void *before,
	   unsigned off, unsigned len)
{
	int w = (int)len * 2;
	if (g_fill)
		return;
	out("RESULT " HDR " scenario=%s field=%s off=%u len=%u value=0x%0*" PRIx64
	    " before=0x%0*" PRIx64,
	    HDRARGS, scen, name, off, len, w, rd(run, off, len), w, rd(before, off, len));
}

void raw(const char *scen, const char *tag, const void *run)
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * DUMP_LEN + 1];
	for (int i = 0; i < DUMP_LEN; i++) {
		unsigned char c = ((const unsigned char *)run)[i];
		hex[2 * i] = digits[c >> 4];
		hex[2 * i + 1] = digits[c & 15];
	}
	hex[2 * DUMP_LEN] = 0;
	out("RAW " HDR " scenario=%s%s %s=%s", HDRARGS, scen, g_fill ? "/fill" : "", tag, hex);
}

/* The first line (the global answers of /dev/kvm) and the last. */
void vmm_begin(int kvm)
{
	g_mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0UL);
	out("INFO " HDR " api=%d mmap_size=%ld cap_system_event_data=%d", HDRARGS,
	    ioctl(kvm, KVM_GET_API_VERSION, 0UL), g_mmap_size,
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_SYSTEM_EVENT_DATA));
}

int vmm_end(void)
{
	out("VMMDONE " HDR " failures=%d", HDRARGS, g_failures);
	return g_failures ? 1 : 0;
}

/* The fields of an exit, then bytes 0..DUMP_LEN-1 before and after it. */
void report(const char *scen, const struct vm *vm, const struct fld *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		field(scen, f[i].name, vm->run, vm->before, f[i].off, f[i].len);
	raw(scen, "before", vm->before);
	raw(scen, "after", vm->run);
}

void run_scenario(void (*fn)(const char *scen), const char *scen)
{
	g_fill = 0;
	fn(scen);
	g_fill = 1;
	fn(scen);
	g_fill = 0;
}

/* ------------------------------------------------------------ VM plumbing */
int setup_ioctl(const char *scen, const char *name, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);
	return r < 0 ? BE.setup_failed(scen, name, r) : 0;
}

int vm_create(struct vm *vm, const char *scen, int kvm, int own_kvm, uint64_t gpa,
	      size_t memsz)
{
	memset(vm, 0, sizeof *vm);
	vm->kvm = vm->fd = vm->vcpu = -1;
	g_vm_gen++;
	if (kvm < 0)
		return fail(scen, "open /dev/kvm");
	vm->kvm = kvm;
	vm->own_kvm = own_kvm;
	vm->fd = ioctl(kvm, KVM_CREATE_VM, 0UL);
	if (vm->fd < 0)
		return fail(scen, "KVM_CREATE_VM");
	vm->memsz = memsz;
	vm->mem = mmap(NULL, memsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		return fail(scen, "mmap guest memory");
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = gpa, .memory_size = memsz,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	if (setup_ioctl(scen, "KVM_SET_USER_MEMORY_REGION", vm->fd, KVM_SET_USER_MEMORY_REGION,
			&r) < 0)
		return -1;
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0UL);
	if (vm->vcpu < 0)
		return fail(scen, "KVM_CREATE_VCPU");
	vm->run = mmap(NULL, g_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return fail(scen, "mmap kvm_run");
	}
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, g_mmap_size);
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, vm->memsz);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->own_kvm && vm->kvm >= 0)
		close(vm->kvm);
}

/* KVM_RUN once; keep a copy of the page as it was just before, and what the
 * exit was. */
int vm_run(struct vm *vm, const char *scen)
{
	memcpy(vm->before, vm->run, DUMP_LEN);
	if ((vmm_run_hook ? vmm_run_hook(vm) : ioctl(vm->vcpu, KVM_RUN, 0UL)) < 0)
		return fail(scen, "KVM_RUN");
	vm->last_reason = vm->run->exit_reason;
	vm->last_write = vm->run->mmio.is_write;
	vm->last_len = vm->run->mmio.len;
	if (g_abi_ci && !g_abi_ci_status) {
		long sed = ioctl(vm->fd, KVM_CHECK_EXTENSION, 215 /* KVM_CAP_SYSTEM_EVENT_DATA */);
		char msg[160];
		g_abi_ci_status = abi_ci_exit(g_abi_ci == 2, !strcmp(g_arch, "arm64"), sed > 0, vm->run, msg,
					      sizeof msg);
		if (g_abi_ci_status)
			snprintf(g_abi_ci_msg, sizeof g_abi_ci_msg, "%.100s (scenario %.40s)", msg, scen);
	}
	return 0;
}

/*
 * The completion inputs of the pending exit, [lo, hi) ranges (at most 2):
 * what the kernel reads back on the next KVM_RUN.  Decided from the exit as
 * recorded when it returned, like a kernel's own state, not from the page.
 */
static int pending_inputs(const struct vm *vm, unsigned lo[2], unsigned hi[2])
{
	switch (vm->last_reason) {
	case KVM_EXIT_MMIO:
		if (vm->last_write || vm->last_len > 8)
			return 0;
		lo[0] = 40, hi[0] = 40 + vm->last_len; /* mmio.data[0..len-1] */
		return 1;
#if VMM_HAVE_X86_64
	case KVM_EXIT_HYPERCALL:
		lo[0] = 88, hi[0] = 96; /* hypercall.ret */
		return 1;
	case KVM_EXIT_X86_RDMSR:
		lo[0] = 32, hi[0] = 33; /* msr.error */
		lo[1] = 48, hi[1] = 56; /* msr.data */
		return 2;
	case KVM_EXIT_X86_WRMSR:
		lo[0] = 32, hi[0] = 33;
		return 1;
#endif
	}
	return 0;
}

/* The fill pass: 0xa5 over FILL_LO..FILL_HI-1 except the pending inputs,
 * and a FILL line naming the spared bytes. */
static void fill(struct vm *vm, const char *scen)
{
	unsigned lo[2], hi[2];
	int n = pending_inputs(vm, lo, hi);
	char spared[64] = "none";
	size_t o = 0;
	for (unsigned b = FILL_LO; b < FILL_HI; b++) {
		int input = 0;
		for (int i = 0; i < n; i++)
			input |= b >= lo[i] && b < hi[i];
		if (!input)
			((volatile unsigned char *)vm->run)[b] = FILL_BYTE;
	}
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(spared + o, sizeof spared - o, "%s%u-%u", i ? "," : "", lo[i],
				      hi[i] - 1);
	out("FILL " HDR " scenario=%s/fill lo=%u hi=%u inputs=%s", HDRARGS, scen, FILL_LO,
	    FILL_HI - 1, spared);
}

int final_run(struct vm *vm, const char *scen)
{
	if (g_fill)
		fill(vm, scen);
	return vm_run(vm, scen);
}

int final_expect(struct vm *vm, const char *scen, unsigned reason)
{
	return final_run(vm, scen) < 0 || expect_exit(vm, scen, reason) < 0 ? -1 : 0;
}

int expect_exit(struct vm *vm, const char *scen, unsigned reason)
{
	if (vm->run->exit_reason != reason) {
		out("ERROR " HDR " scenario=%s what=exit_reason got=%u want=%u", HDRARGS, scen,
		    vm->run->exit_reason, reason);
		raw(scen, "after", vm->run);
		g_failures++;
		return -1;
	}
	return 0;
}

/* KVM_RUN, which must exit with reason */
int run_expect(struct vm *vm, const char *scen, unsigned reason)
{
	return vm_run(vm, scen) < 0 || expect_exit(vm, scen, reason) < 0 ? -1 : 0;
}

void set_guest_debug(struct vm *vm, const char *scen, uint32_t control,
		     const struct kvm_guest_debug_arch *arch)
{
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof dbg);
	dbg.control = control;
	if (arch)
		dbg.arch = *arch;
	setup_ioctl(scen, "KVM_SET_GUEST_DEBUG", vm->vcpu, KVM_SET_GUEST_DEBUG, &dbg);
}

/* the VMM scribbles on flags and the whole union before the first KVM_RUN */
void poison(struct vm *vm)
{
	vm->run->flags = 0xa5a5;
	memset((char *)vm->run + 32, 0xa5, 256);
}

void answer_junk8(struct vm *vm)
{
	uint64_t junk = JUNK8;
	memcpy(vm->run->mmio.data, &junk, 8);
}

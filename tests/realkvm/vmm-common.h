/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmm-common.h - what the two test VMMs of tests/realkvm/ share: vmm.c (real
 * KVM inside the QEMU guests, built for aarch64 and x86_64) and emu-compare.c
 * (the same scenarios on the user-space emulator, built for the host).
 *
 * vmm-common.c holds the output lines (RESULT/RAW/INFO/SKIP/ERROR), the VM
 * life cycle and every scenario: the VMM-side actions, exits expected and
 * fields printed.  What differs is left to the program, through struct
 * vmm_backend: how a scenario's guest comes to exist (real guest code in
 * memory vs. a KVMEMU_SCENARIO script of the exits that code produces), the
 * arm64 vCPU set-up, and what a failed set-up ioctl or capability means.
 *
 * Like vmm.c, this has no dependency on the project: only <linux/kvm.h>.
 */
#ifndef REALKVM_VMM_COMMON_H
#define REALKVM_VMM_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201
#endif
#ifndef KVM_CAP_SYSTEM_EVENT_DATA
#define KVM_CAP_SYSTEM_EVENT_DATA 215
#endif
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE 12
#endif
#ifndef KVM_CAP_X86_USER_SPACE_MSR
#define KVM_CAP_X86_USER_SPACE_MSR 188
#endif
#ifndef KVM_EXIT_X86_RDMSR
#define KVM_EXIT_X86_RDMSR 29
#define KVM_EXIT_X86_WRMSR 30
#endif

/* the x86_64 scenarios need the x86 uapi: the x86_64 VMM and the host tool */
#if defined(__x86_64__)
#define VMM_HAVE_X86_64 1
#else
#define VMM_HAVE_X86_64 0
#endif

/* the header of every line; the program fills these in before anything runs */
extern char g_kernel[128], g_arch[16], g_cpu[64], g_shim[8];
extern long g_mmap_size;
/* KVM_RUN of vm_run() when set (vmm-run.c: the static API build), and a
 * count of vm_create() calls (a fresh vCPU each) */
struct vm;
extern int (*vmm_run_hook)(struct vm *vm);
extern unsigned int g_vm_gen;
int vmm_run_mode(const char *mode); /* vmm-run.c */
/* vmm-filter.c: run on a thread under a Firecracker-style filter; mode
 * "forbidden": a call the filter forbids instead (must not return) */
int vmm_filter_run(void (*run)(void), const char *mode);
extern int g_failures;
/*
 * The abi-ci mode (vmm <cpu> abi-ci careless|careful): a VMM in a VMM's CI
 * (tests/abi-ci-vmm.h) reads every exit as the careless or the careful VMM
 * does; the first failed read is kept.  No other line is printed (the
 * report, diff and compare steps would read them); the first set-up error
 * is kept for the one ABICI line.
 */
extern int g_abi_ci;                  /* 0 off, 1 careless, 2 careful */
extern int g_abi_ci_status;           /* 0, or ABI_CI_PANIC */
extern char g_abi_ci_msg[160], g_abi_ci_err[128];
/*
 * The fill pass: every scenario runs twice, first as it is (g_fill 0), then
 * with bytes FILL_LO..FILL_HI-1 of kvm_run set to 0xa5 right before each
 * KVM_RUN whose exit it reports, sparing the completion inputs of the pending
 * exit (mmio.data[0..len-1] of an MMIO read, hypercall.ret, msr.error/data).
 * The fill pass prints RAW and FILL lines only, under scenario "<scen>/fill";
 * diff.awk compares the four runs (shim off/on x clean/fill) byte by byte.
 */
extern int g_fill;
#define FILL_LO 32
#define FILL_HI 168
#define FILL_BYTE 0xa5
#define DUMP_LEN 288 /* RAW dumps: bytes 0..287, the header and the whole union */

#define HDR "kernel=%s arch=%s cpu=%s shim=%s"
#define HDRARGS g_kernel, g_arch, g_cpu, g_shim

#define JUNK8 0xdeadbeefcafef00dULL /* what the VMM "reads" from an MMIO device */

/* arm64 guest memory: 0: str w1,[x5]; 4: ldr x2,[x5,#8]; 8: <insn>; 12: b . */
#define ARM_RAM_GPA 0x40000000ULL
#define ARM_RAM_SIZE 0x10000UL
#define ARM_MMIO_GPA 0xabcdef0000ULL /* upper 32 bits non-zero: 0xab */
#define ARM_GUESTDBG_USE_SW_BP (1u << 16) /* arm64 asm/kvm.h */
#define ARM_GUESTDBG_USE_HW (1u << 17)
/* x6: a watched RAM word, on the code's page (mapped at stage 2 by the
 * first instruction fetch: the store takes no data abort of its own) */
#define ARM_WATCH_GPA (ARM_RAM_GPA + 0x800)

/* x86_64 guest memory (real mode) */
#define X86_RAM_GPA 0x0ULL
#define X86_RAM_SIZE 0x10000UL
#define X86_CODE 0x1100u /* so that pc differs from io.data_offset (0x1000) */
#define X86_SRC 0x2000u
#define X86_MMIO_BASE 0xd0000000u
#define X86_PORT 0x10u
#define X86_REPCOUNT 0x55u

struct vm {
	int kvm, fd, vcpu;
	int own_kvm; /* close kvm with the VM */
	struct kvm_run *run;
	void *mem;
	size_t memsz;
	unsigned char before[4096];
	/* the previous exit, recorded when its KVM_RUN returned (the pending
	 * completion is decided from this, never from the page) */
	uint32_t last_reason, last_len;
	uint8_t last_write;
};

/* What the program supplies, as vmm_backend. */
struct vmm_backend {
	/* A fresh VM and vCPU (vm_create) whose guest runs scenario scen, with
	 * guest memory at gpa.  <0: failed (reported). */
	int (*vm_open)(struct vm *vm, const char *scen, uint64_t gpa, size_t memsz);
	/* arm64 only: KVM_ARM_VCPU_INIT (PSCI 0.2) and pc, x0, x1, x5, x6, pstate. */
	int (*arm_regs)(struct vm *vm, const char *scen, uint64_t pc, uint64_t x0);
	/* arm64 only: KVM_SET_GUEST_DEBUG, ENABLE | USE_HW, watchpoint 0 on
	 * stores to the 8 bytes at addr (dbg_wcr/dbg_wvr) */
	int (*arm_watch)(struct vm *vm, const char *scen, uint64_t addr);
	/* A set-up ioctl (not KVM_RUN) returned ret < 0 (errno set): report it;
	 * <0 abandons scen. */
	int (*setup_failed)(const char *scen, const char *name, int ret);
	/* Run scen, which needs capability capname (KVM_CHECK_EXTENSION: value)? */
	int (*cap_gate)(const char *scen, const char *capname, long value);
	/* hypercall-map-gpa: called before the KVM_RUN that returns ret to the
	 * guest (may be NULL), then after it: the low 32 bits of the ret the guest
	 * saw.  <0: not known (reported). */
	void (*ret_prepare)(void);
	int (*ret_seen)(struct vm *vm, const char *scen, uint32_t *ret);
};
extern const struct vmm_backend vmm_backend;

/* output: one line each */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void skip(const char *scen, const char *why);
int fail(const char *scen, const char *what); /* ERROR line (errno); returns -1 */
void field(const char *scen, const char *name, const void *run, const void *before,
	   unsigned off, unsigned len);
void raw(const char *scen, const char *tag, const void *run);
/* INFO: api, mmap_size (sets g_mmap_size), KVM_CAP_SYSTEM_EVENT_DATA */
void vmm_begin(int kvm);
/* VMMDONE; the exit status */
int vmm_end(void);

/* A set-up ioctl: on failure, the backend's setup_failed(scen, name, ret). */
int setup_ioctl(const char *scen, const char *name, int fd, unsigned long req, void *arg);

/* VM and vCPU on the /dev/kvm fd kvm (closed by vm_destroy when own_kvm;
 * kvm < 0: open failed, reported here), kvm_run mapped. */
int vm_create(struct vm *vm, const char *scen, int kvm, int own_kvm, uint64_t gpa,
	      size_t memsz);
void vm_destroy(struct vm *vm);

/* KVM_RUN once (before[] keeps the page as it was just before); the exit
 * must be reason (run_expect); final_run/final_expect: the KVM_RUN of an
 * exit the scenario reports, filled in the fill pass. */
int vm_run(struct vm *vm, const char *scen);
int expect_exit(struct vm *vm, const char *scen, unsigned reason);
int run_expect(struct vm *vm, const char *scen, unsigned reason);
int final_run(struct vm *vm, const char *scen);
int final_expect(struct vm *vm, const char *scen, unsigned reason);
void set_guest_debug(struct vm *vm, const char *scen, uint32_t control,
		     const struct kvm_guest_debug_arch *arch);
void poison(struct vm *vm);      /* flags = 0xa5a5, 0xa5 over bytes 32..287 */
void answer_junk8(struct vm *vm); /* the MMIO read answer: JUNK8 in all 8 data bytes */

struct fld { /* a field list: name, offset, length */
	const char *name;
	unsigned off, len;
};
/* RESULT lines of the fields (clean pass only), then RAW before/after */
void report(const char *scen, const struct vm *vm, const struct fld *f, size_t n);
#define REPORT(scen, vm, list) report(scen, vm, list, sizeof list / sizeof list[0])
#define REPORT_RAW(scen, vm) report(scen, vm, NULL, 0)
/* scenario fn in both passes (clean, then fill) */
void run_scenario(void (*fn)(const char *scen), const char *scen);

/* The scenarios of each architecture, in order. */
void run_arm64(void);
void run_abi_ci_arm64(void);
#if VMM_HAVE_X86_64
void run_x86_64(void);
void run_abi_ci_x86_64(void);
#endif

#endif

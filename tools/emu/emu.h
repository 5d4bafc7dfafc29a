/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu.h - internal interface of libkvmrun-emu, a user-space model of the
 * KVM character device used by kvmrun-compat's tests and demo.
 *
 * The emulator models KERNELS: each profile writes struct kvm_run exactly as
 * the named kernel version does (see emu-arm64.c and emu-x86.c, which cite the
 * kernel functions).  It never knows anything about the shim.
 */
#ifndef KVMEMU_EMU_H
#define KVMEMU_EMU_H

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

#define EMU_API __attribute__((visibility("default")))
#define EMU_PAGE 4096u

/* ---- kernel profiles (emu-profile.c) ---- */
#define KV(maj, min) ((maj) * 100 + (min))

enum emu_arch { EMU_ARM64, EMU_X86_64, EMU_RISCV64 };

struct emu_profile {
	const char *name;
	enum emu_arch arch;
	int kver;		/* KV(major, minor) */
};

const struct emu_profile *emu_profile_find(const char *name);
void emu_profile_names(char *buf, size_t len);
/* KVM_CHECK_EXTENSION answer of this kernel (0 when absent). */
long emu_profile_cap(const struct emu_profile *p, long cap);
size_t emu_profile_mmap_size(const struct emu_profile *p);

/* ---- scenario (emu-scenario.c) ---- */
enum emu_kind {
	EK_MMIO = 1, EK_DEBUG, EK_SYSTEM_EVENT, EK_INTERNAL_ERROR, EK_AARCH32_EL0,
	EK_PMU_MISMATCH, EK_HYP_GONE,
	EK_IO, EK_DEBUG_DB, EK_DEBUG_BP, EK_HYPERCALL, EK_HYPERV_CRASH, EK_FAIL_ENTRY,
	EK_SINGLESTEP, EK_MEMORY_FAULT, EK_EFAULT, EK_SMCCC, EK_NISV, EK_SEA,
	EK_SBI, EK_CSR, EK_HLT, EK_RDMSR, EK_WRMSR,
};

struct emu_step {
	enum emu_kind kind;
	uint64_t addr, data, far, esr_high, nr, reason, pc, dr6, dr7;
	uint64_t args[6];
	uint32_t len, write, ec, iss, type, cpu, port, size, count, in, longmode;
	uint32_t has_data;
	uint64_t gva, gpa, bytes, mask;
	uint32_t fnv, gpa_valid, priv, smc, ext, fid, csr;
	uint32_t index;
};

#define EMU_MAX_STEPS 256
#define EMU_MAX_SCENARIO_TEXT 65536

struct emu_scenario {
	unsigned nsteps;
	int bad;		/* parse failed: KVM_RUN returns -1/EINVAL */
	struct emu_step step[EMU_MAX_STEPS];
};

/* The step kinds and keys (emu-steps.c). */
struct emu_step_kind {
	const char *name;
	enum emu_kind kind;
	int arch;		/* -1 any */
	int since;		/* first kernel version producing this exit */
	const char *keys;	/* accepted keys, space separated */
};
enum { EMU_KEY_BOOL = 1, EMU_KEY_HAS_DATA = 2, EMU_KEY_POW2 = 4 };
struct emu_step_key {
	const char *name;
	uint16_t off;
	uint8_t width;   /* 4 or 8 bytes: the member's size */
	uint8_t how;     /* EMU_KEY_* */
	uint64_t lo, hi;
	const char *why; /* said when the value is out of range */
};
const struct emu_step_kind *emu_step_kind_find(const char *name);
const struct emu_step_key *emu_step_key_find(const char *name);

/* Parse spec (file path or inline text) for profile p into sc.  On error
 * prints one line on stderr, sets sc->bad and returns -1. */
int emu_scenario_load(struct emu_scenario *sc, const char *spec,
		      const struct emu_profile *p);
int emu_scenario_parse_text(struct emu_scenario *sc, const char *text,
			    const char *origin, int inline_text,
			    const struct emu_profile *p);

/* ---- objects and fd table (emu-fd.c) ---- */
enum emu_obj_kind { EO_SYSTEM = 1, EO_VM, EO_VCPU };

enum emu_pending { EP_NONE, EP_MMIO, EP_PIO_IN, EP_PIO_OUT, EP_HYPERCALL, EP_SBI, EP_CSR,
		   EP_RDMSR, EP_WRMSR };

struct emu_system {
	const struct emu_profile *prof;
	struct emu_scenario *sc;
	char log[PATH_MAX];
};

struct emu_vcpu {
	unsigned id;
	unsigned char *run;	/* our MAP_SHARED mapping of the whole vcpu memfd */
	size_t map_size;
	pthread_mutex_t lock;	/* the kernel's vcpu->mutex */
	unsigned cursor;	/* next scenario step */
	int initialized;	/* arm64: KVM_ARM_VCPU_INIT done */
	int caught32;		/* arm64: guest left in AArch32 EL0 */
	int has_run;
	pthread_t last_thread;	/* stands in for vcpu->pid */
	int mmio_needed;	/* arm64/x86 vcpu->mmio_needed */
	int mmio_is_write;
	uint32_t mmio_len;
	enum emu_pending pending;	/* x86 complete_userspace_io */
	uint32_t pio_size, pio_count;
	uint64_t pstate;
	uint64_t fault_far;	/* arm64 vcpu->arch.fault.far_el2: the last data abort's */
	unsigned char regs[1024];	/* KVM_SET_REGS blob (x86) */
	size_t regs_len;
	unsigned char sregs[1024];	/* KVM_SET_SREGS blob (x86) */
	struct { uint64_t id, val; } one_reg[64];	/* arm64 core registers set */
	unsigned n_one_reg;
};

struct emu_obj {
	enum emu_obj_kind kind;
	int refs;		/* fds naming this object */
	dev_t dev;
	ino_t ino;
	struct emu_system *sys;
	struct emu_obj *vm;	/* vcpu: its VM */
	unsigned nvcpus;	/* vm: created vcpus */
	pid_t mm_owner;		/* vm: the process that created it (kvm->mm) */
	uint8_t idmap[64];	/* vm: vcpu ids in use (MAX_VCPUS 512) */
	struct emu_vcpu vcpu;
};

struct emu_obj *emu_fd_get(int fd);
struct emu_obj *emu_fd_lookup(int fd);	/* table, then st_ino fallback */
struct emu_obj *emu_obj_find(dev_t dev, ino_t ino);
int emu_fd_set(int fd, struct emu_obj *o);
void emu_fd_drop(int fd);
void emu_fd_dup(int oldfd, int newfd);
struct emu_obj *emu_obj_new(enum emu_obj_kind kind, int memfd);
/* A system as /dev/kvm opens it: KVMEMU_PROFILE, _LOG and (scenario)
 * _SCENARIO (emu-kvm.c). */
struct emu_system *emu_system_new(int scenario);

/* ---- test mode of the supervisor (emu-supervised.c, tools/supervise/sv-test.h) ---- */
int emu_supervised(void);
/* emu_ioctl, with the creating ioctls and KVM_RUN also made visible to a
 * tracing supervisor as raw system calls. */
int emu_supervised_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg);
/* An fd of another process's emulated /dev/kvm or VM (pidfd_getfd): answered
 * from this process's KVMEMU_PROFILE.  NULL when fd is none. */
struct emu_obj *emu_supervised_adopt(int fd);
void emu_fill_stat(struct stat *st);

/* ---- libc access (emu-interpose.c) ---- */
struct emu_real {
	int (*open)(const char *, int, ...);
	int (*close)(int);
	int (*ioctl)(int, unsigned long, ...);
	int (*fstat)(int, struct stat *);
	int (*fcntl)(int, int, ...);
	long (*syscall)(long, ...);	/* libc's: the shim above us wraps syscall() too */
};
extern struct emu_real emu_real;
void emu_real_init(void);
void emu_stat_init(void);	/* emu-stat.c, called by emu_real_init */

/* ---- device logic (emu-kvm.c) ---- */
int emu_open_dev(int flags);
int emu_ioctl(struct emu_obj *o, int fd, unsigned long req, void *arg);

/* ---- per-architecture operations (emu-arm64.c, emu-x86.c, emu-riscv.c) ----
 * KVM_RUN is one skeleton (emu-run.c) in the kernels' common order: enter
 * (complete the previous exit; may refuse), the immediate_exit check, start
 * (reset exit_reason/flags; may end the run without a step), produce (the
 * scenario step's exit), leave (bytes written on every return). */
struct emu_arch_ops {
	enum emu_arch arch;
	unsigned long vm_type_mask;	/* KVM_CREATE_VM: type bits that are -EINVAL */
	int vm_unknown_errno;		/* an unknown VM ioctl's errno */
	int needs_vcpu_init;		/* a vCPU runs only after KVM_ARM_VCPU_INIT */
	int (*enter)(struct emu_obj *vcpu, struct kvm_run *r);	/* 0 or -errno */
	int (*start)(struct emu_obj *vcpu, struct kvm_run *r);	/* 0 or -errno */
	int (*produce)(struct emu_obj *vcpu, struct kvm_run *r, const struct emu_step *st);
	void (*leave)(struct emu_obj *vcpu, struct kvm_run *r);	/* or NULL */
	/* vCPU ioctls of this arch only; *handled = 0 passes on (or NULL) */
	int (*vcpu_ioctl)(struct emu_obj *vcpu, unsigned long req, void *arg, int *handled);
};
extern const struct emu_arch_ops emu_arm64_ops, emu_x86_ops, emu_riscv_ops;
const struct emu_arch_ops *emu_arch_ops_of(const struct emu_profile *p);
int emu_run(struct emu_obj *vcpu);	/* KVM_RUN (emu-run.c) */
int emu_arm64_vcpu_ioctl(struct emu_obj *vcpu, unsigned long req, void *arg, int *handled);

#define ARM_TARGET_GENERIC_V8 5		/* KVM_ARM_TARGET_GENERIC_V8 */
#define ARM_VCPU_MAX_FEATURES 7		/* KVM_VCPU_MAX_FEATURES, 5.10..6.12 */
/* PSTATE after kvm_reset_vcpu for a 64-bit vCPU: PSR_MODE_EL1h | A I F D */
#define ARM64_RESET_PSTATE 0x3c5u

/* ---- KVMEMU_REPLAY (emu-replay.c) ---- */
void emu_replay_init(const struct emu_profile *p); /* at open("/dev/kvm") */
/* 1: KVM_RUN replays the recording; -1: it is refused (EINVAL); 0: off. */
int emu_replay_on(void);
int emu_replay_run(struct emu_obj *vcpu);

/* ---- logging (emu-log.c) ---- */
void emu_log(const struct emu_system *sys, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void emu_hex(char *out, size_t outlen, const unsigned char *p, size_t n);

/* Set errno, return -1: the libc view of a kernel -E return. */
static inline int emu_err(int e)
{
	errno = e;
	return -1;
}

#endif /* KVMEMU_EMU_H */

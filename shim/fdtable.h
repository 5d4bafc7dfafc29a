/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdtable.h - what each file descriptor is to KVM, and where each vCPU's
 * kvm_run is mapped.  Readers (the KVM_RUN path) are lock-free: one atomic
 * load of the fd's slot, one atomic add announcing the call, the slot loaded
 * again (kvmrc_fdt_hold), one add when the call ends (kvmrc_fdt_release).
 */
#ifndef KVMRC_FDTABLE_H
#define KVMRC_FDTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "kvmrun-compat.h"
#include "abi-run.h"
#include "poison.h"
#include "rules.h"
#include "scrub.h"

#define KVMRC_FDT_SLOTS (1u << 20) /* fds tracked: the kernel's NR_OPEN; pages untouched cost nothing */
#define KVMRC_MAX_VMS   256
#define KVMRC_MAX_VCPUS 4096

enum kvmrc_role {
	KVMRC_ROLE_NONE = 0,   /* never seen, or closed */
	KVMRC_ROLE_SYSTEM = 1, /* /dev/kvm */
	KVMRC_ROLE_VM = 2,
	KVMRC_ROLE_VCPU = 3,
};

/* A slot value: role in the low 2 bits, object pointer above.  The extra
 * value KVMRC_SLOT_OTHER marks an fd already found not to be KVM. */
#define KVMRC_SLOT_OTHER ((uintptr_t)4)

struct kvmrc_vm {
	uint32_t in_use;
	uint32_t refs;                     /* fds + vCPUs */
	struct kvmrun_compat_caps caps;    /* present (CHECK_EXTENSION) or enabled */
} __attribute__((aligned(8)));

struct kvmrc_vcpu {
	/* KVM_RUN calls begun and ended on this object, ever: never reset, so
	 * a late caller holding a stale slot value balances its own count.
	 * enter != leave: a call in flight, the object is not freed (first:
	 * the KVM_RUN path addresses it as the object). */
	uint64_t enter;
	uint64_t leave;
	uint32_t refs;                     /* tracked fds */
	uint32_t in_use;
	uint32_t id;                       /* KVM_CREATE_VCPU argument */
	uint32_t gen;                      /* kvmrc_fdt_gen when tracked: a fork()ed child passes through */
	struct kvmrc_vm *vm;
	uint8_t *page;                     /* the library's own mapping of kvm_run, or NULL (KVMRC_SLOW_NO_PAGE) */
	size_t page_len;
	struct kvmrc_trace_ring *trace;    /* recording: this vCPU's ring (trace.h), or NULL */
	struct kvmrc_scrub sc;             /* the pending completion (scrub.h) */
	uint32_t plan[KVMRC_MAX_EXIT];     /* kvmrc_scrub_plan of its arch, copied: one load per exit */
	uint64_t hdr_keep;                 /* kvmrc_scrub_header_keep(&sc), for the straight path */
	/* FAIL_ENTRY state (failentry.c); written by the vCPU's own thread */
	uint32_t needs_init;               /* unrunnable since an AArch32 FAIL_ENTRY */
	uint32_t suspect;                  /* -1/EINVAL FAIL_ENTRY seen, cause not established */
	uint32_t enoexec_count;
	int64_t fail_reason;               /* kvmrun_compat_fail_entry_reason value */
	struct kvmrc_vcpu *next_zombie;    /* freed inside KVM_RUN: unmapped later (fdtable.c) */
	/* counters, relaxed atomics: written by the thread running this vCPU */
	uint64_t runs_base;                /* leave when tracked: runs are leave - runs_base */
	uint32_t hits[KVMRC_MAX_RULES];
	struct kvmrc_abi_vcpu abi;         /* --abi (abi-run.h); untouched without it */
	struct kvmrc_poison_vcpu poison;   /* --poison (poison.h); untouched without it */
	uint8_t imm_save[KVMRC_SCRUB_IMM_SAVE]; /* sc.imm_save: the page at an immediate_exit entry */
} __attribute__((aligned(64)));

/* Bits of v->sc.slow (scrub.h): why the next KVM_RUN takes the full steps
 * (kvmioctl.c) instead of the straight path.  An optional feature that has
 * work around KVM_RUN sets a bit of its own here: its one branch. */
#define KVMRC_SLOW_NO_PAGE    (1u << 0) /* kvm_run not mapped (map failed, fork()ed child) */
#define KVMRC_SLOW_FAIL_ENTRY (1u << 1) /* arm64 FAIL_ENTRY marking before the run (failentry.h) */
#define KVMRC_SLOW_ABI        (1u << 2) /* --abi after every run (abi-run.h) */
#define KVMRC_SLOW_COOKIE     (1u << 3) /* --raw-syscalls: KVM_RUN carries the cookie (cookie.h) */
/* (1u << 4): free (recording needs no bit: trace.h) */
#define KVMRC_SLOW_LAYOUT     (1u << 5) /* exit union not at KVMRC_FAST_UOFF (s390x's at 48) */
#define KVMRC_SLOW_POISON     (1u << 6) /* --poison: poisoned fields counted after every run (poison.h) */

/* Bumped in a fork()ed child: vCPUs of the parent are passed through there
 * (the kernel refuses KVM_RUN from another mm) and their page is left alone. */
extern uint32_t kvmrc_fdt_gen;
/* pid of this process, refreshed after fork: close/dup of a KVM fd from a
 * vfork()ed child (shared memory, its own fd table) must not untrack it. */
extern int kvmrc_fdt_pid;

/* Maps the table (lazily, once).  Returns 0, or -1 when memory is short. */
int kvmrc_fdt_init(void);

/* Has any KVM fd been seen (is the table mapped)? */
static inline int kvmrc_fdt_ready(void)
{
	extern uintptr_t *kvmrc_fdt_slots __attribute__((visibility("hidden")));
	return __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE) != NULL;
}

/* fds below this have a slot: 0 until the table is mapped, then
 * KVMRC_FDT_SLOTS (published after kvmrc_fdt_slots, release order). */
extern uint32_t kvmrc_fdt_limit __attribute__((visibility("hidden")));
extern uintptr_t *kvmrc_fdt_slots __attribute__((visibility("hidden")));

/* Slot of fd (0 when unknown or out of range). */
static inline uintptr_t kvmrc_fdt_get(int fd)
{
	extern uintptr_t *kvmrc_fdt_slots __attribute__((visibility("hidden")));
	uintptr_t *slots = __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE);

	if (!slots || (unsigned int)fd >= KVMRC_FDT_SLOTS)
		return 0;
	return __atomic_load_n(&slots[fd], __ATOMIC_ACQUIRE);
}

static inline enum kvmrc_role kvmrc_slot_role(uintptr_t slot)
{
	return slot == KVMRC_SLOT_OTHER ? KVMRC_ROLE_NONE : (enum kvmrc_role)(slot & 3);
}

static inline struct kvmrc_vcpu *kvmrc_slot_vcpu(uintptr_t slot)
{
	return (slot & 3) == KVMRC_ROLE_VCPU ? (struct kvmrc_vcpu *)(slot & ~(uintptr_t)3) : NULL;
}

static inline struct kvmrc_vm *kvmrc_slot_vm(uintptr_t slot)
{
	return (slot & 3) == KVMRC_ROLE_VM ? (struct kvmrc_vm *)(slot & ~(uintptr_t)3) : NULL;
}

/* fd now refers to a system fd / a new VM / a new vCPU of vm. */
void kvmrc_fdt_set_system(int fd);
void kvmrc_fdt_set_other(int fd);
/* fd < 0: a VM object with no fd (for an adopted vCPU); its one reference
 * is the caller's, to hand over with kvmrc_fdt_vm_put() once a vCPU holds it. */
struct kvmrc_vm *kvmrc_fdt_new_vm(int fd);
void kvmrc_fdt_vm_put(struct kvmrc_vm *vm);
struct kvmrc_vcpu *kvmrc_fdt_new_vcpu(int fd, struct kvmrc_vm *vm, uint32_t id);

/* fd was closed, or now names something unrelated. */
void kvmrc_fdt_forget(int fd);
void kvmrc_fdt_forget_range(unsigned int first, unsigned int last);
/* newfd is a duplicate of oldfd. */
void kvmrc_fdt_dup(int oldfd, int newfd);

/*
 * A KVM_RUN on v begins: announced before the slot is loaded again, so that
 * a close either sees the call (enter != leave: the object waits, see
 * kvmrc_fdt_in_flight) or the caller sees the slot changed.  Both sides are
 * sequentially consistent (a locked add on x86_64, ldaddal on arm64).
 */
static inline void kvmrc_fdt_enter(struct kvmrc_vcpu *v)
{
	__atomic_add_fetch(&v->enter, 1, __ATOMIC_SEQ_CST);
}

/* Taken back: the slot changed after kvmrc_fdt_enter (not a run). */
static inline void kvmrc_fdt_unhold(struct kvmrc_vcpu *v)
{
	__atomic_sub_fetch(&v->enter, 1, __ATOMIC_RELEASE);
}

/*
 * The KVM_RUN ends, and is counted (runs: leave - runs_base).  Nothing is
 * freed here: a close that saw the call in flight left the object to
 * kvmrc_fdt_reap (no system call in a vCPU thread).  On x86_64 one add to
 * memory, not locked: stores are released in order there, and only a VMM
 * running one vCPU from two threads at once (the kernel serialises them)
 * could lose a count, which keeps the object (never frees it early).
 */
static inline void kvmrc_fdt_release(struct kvmrc_vcpu *v)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	__asm__ __volatile__("addq $1, %0" : "+m"(v->leave) : : "memory");
#else
	__atomic_add_fetch(&v->leave, 1, __ATOMIC_RELEASE);
#endif
}

/* KVM_RUN calls on v so far (the thread running it writes; readers relaxed). */
static inline uint64_t kvmrc_fdt_runs(const struct kvmrc_vcpu *v)
{
	return __atomic_load_n(&v->leave, __ATOMIC_RELAXED) - v->runs_base;
}

/*
 * Hot path: announce a KVM_RUN on the vCPU behind fd's slot.  Fails
 * (returns 0) when the slot changed in between (fd closed, its number maybe
 * reused): the call is passed through.
 */
static inline int kvmrc_fdt_hold(struct kvmrc_vcpu *v, int fd, uintptr_t slot)
{
	extern uintptr_t *kvmrc_fdt_slots __attribute__((visibility("hidden")));
	uintptr_t *slots = __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE);

	kvmrc_fdt_enter(v);
	if (__builtin_expect(!slots || (unsigned int)fd >= KVMRC_FDT_SLOTS ||
			     __atomic_load_n(&slots[fd], __ATOMIC_SEQ_CST) != slot, 0)) {
		kvmrc_fdt_unhold(v);
		return 0;
	}
	return 1;
}

/* fd is a vCPU fd the library never saw created (exec, SCM_RIGHTS). */
struct kvmrc_vcpu *kvmrc_fdt_adopt_vcpu(int fd, uint32_t id);

/* Frees the objects closed while a KVM_RUN was in flight, once it ended (off the hot path). */
void kvmrc_fdt_reap(void);

/* Counters of vCPUs whose objects were freed (all fds closed), for stats. */
struct kvmrc_fdt_retired {
	uint64_t hits[KVMRC_MAX_RULES];
	uint64_t runs;
	uint32_t vcpus;
};
extern struct kvmrc_fdt_retired kvmrc_fdt_retired;

/* Iteration for stats: calls fn for each live vCPU. */
void kvmrc_fdt_for_each_vcpu(void (*fn)(const struct kvmrc_vcpu *, void *), void *ctx);

#endif

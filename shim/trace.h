/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.h - recording every exit (KVMRUN_COMPAT_RECORD, kvmrun-compat
 * trace / --record).  Each recorded vCPU has a ring of slots that only its
 * own thread fills (single producer, no lock, no system call) and only the
 * log drain thread empties (record.c writes them to the file).  A full ring
 * drops the record and counts it.  A recorded vCPU keeps the straight
 * before-run path; its exits all take the full after-run step (its copy of
 * the plan says so: kvmrc_trace_vcpu_new), where one test of v->trace calls
 * kvmrc_trace_after.  With recording off nothing is added to the straight
 * path.
 */
#ifndef KVMRC_TRACE_H
#define KVMRC_TRACE_H

#include <stdint.h>
#include <time.h>
#include "kvmrun-compat.h"
#include "recfmt.h"

#define KVMRC_TRACE_SLOTS 256  /* records per vCPU between two drains (10 ms) */

struct kvmrc_trace_slot {
	uint32_t vcpu;
	uint32_t instance;          /* which vCPU of the process (ids repeat across VMs) */
	int32_t ret, err;           /* the kernel's KVM_RUN result */
	int32_t sret, serr;         /* what the shim returned */
	uint32_t seq;
	uint32_t same;              /* the shim changed no byte: s[] not copied (== k[]) */
	uint64_t counter;           /* kvmrc_trace_counter() after the real call */
	uint8_t k[KVMRC_REC_IMAGE_MAX]; /* kvm_run as the kernel left it */
	uint8_t s[KVMRC_REC_IMAGE_MAX]; /* kvm_run as the shim left it */
};

struct kvmrc_trace_ring {
	/* the vCPU thread's */
	uint64_t head;              /* slots filled (release store) */
	uint64_t tail_seen;         /* last tail read */
	uint64_t dropped;           /* relaxed atomic */
	uint32_t vcpu;              /* id of the vCPU now using the ring */
	uint32_t instance;          /* its number in the process, in order of creation */
	uint32_t image;             /* bytes per image */
	/* the drain thread's */
	uint64_t tail __attribute__((aligned(64)));
	uint64_t dropped_told;
	const void *owner;          /* the vCPU object (rings are reused with it) */
	struct kvmrun_compat_caps caps;
	struct kvmrc_trace_slot slot[KVMRC_TRACE_SLOTS];
};

struct kvmrc_vcpu;

/* Recording on (record.c set it up). */
extern int kvmrc_trace_on;

/* A new vCPU: give it a ring when recording (off the hot path). */
void kvmrc_trace_vcpu_new(struct kvmrc_vcpu *v);

/* The after-run step (kvmioctl.c kvmrc_run_after), passed in: trace.c
 * calls no other module on the vCPU's path. */
typedef int (*kvmrc_trace_step)(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err);

/* One KVM_RUN of a recorded vCPU (v->trace set), from kvmioctl.c's full
 * after-run paths, right after the real call returned r (errno *err): the
 * page as the kernel left it into a slot of the vCPU's ring, then after()
 * (the shim's step, whose result is returned), then the page as the shim
 * left it, and the slot published.  A full ring: after() alone, the record
 * counted as dropped. */
int kvmrc_trace_after(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err, kvmrc_trace_step after);

/* Rings for the drain thread: calls fn for each (record.c). */
void kvmrc_trace_for_each_ring(void (*fn)(struct kvmrc_trace_ring *, void *), void *ctx);
/* fork(): rings hold the parent's records; the child starts them empty. */
void kvmrc_trace_forget_all(void);

/* A timestamp without a system call: the CPU's constant-rate counter
 * (record.c pairs it with CLOCK_MONOTONIC at every write). */
static inline uint64_t kvmrc_trace_counter(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
	uint64_t c;
	__asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(c));
	return c;
#elif defined(__riscv) && __riscv_xlen == 64
	uint64_t c;
	__asm__ __volatile__("rdtime %0" : "=r"(c));
	return c;
#elif defined(__s390x__)
	uint64_t c;
	__asm__ __volatile__("stckf %0" : "=Q"(c) : : "cc");
	return c;
#else
	struct timespec ts; /* vDSO where there is one */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdtable.h - what each file descriptor is to KVM, and where each vCPU's
 * kvm_run is mapped.  Readers (the KVM_RUN path) are lock-free: one atomic
 * load of the fd's slot, one of the vCPU's run pointer.
 */
#ifndef KVMRC_FDTABLE_H
#define KVMRC_FDTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "kvmrun-compat.h"
#include "rules.h"

#define KVMRC_MAX_VMS   256
#define KVMRC_MAX_VCPUS 4096
#define KVMRC_MAX_MAPS  4        /* kvm_run mappings tracked per vCPU */

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

struct kvmrc_map {
	uint8_t *addr;                     /* start of a mapping of page 0 */
	size_t len;
};

struct kvmrc_vcpu {
	uint32_t in_use;
	uint32_t refs;                     /* fds + live mappings */
	uint32_t id;                       /* KVM_CREATE_VCPU argument */
	struct kvmrc_vm *vm;               /* NULL when the vCPU fd came from elsewhere */
	uint8_t *run;                      /* a live kvm_run mapping, or NULL */
	struct kvmrc_map maps[KVMRC_MAX_MAPS];
	/* FAIL_ENTRY state (failentry.c); written by the vCPU's own thread */
	uint32_t needs_init;               /* AArch32 FAIL_ENTRY seen, no VCPU_INIT since */
	uint32_t enoexec_count;
	int64_t fail_reason;               /* kvmrun_compat_fail_entry_reason value */
	/* per-rule counters: written only by the thread running this vCPU */
	uint32_t hits[KVMRC_MAX_RULES];
	uint64_t runs;
} __attribute__((aligned(64)));

/* Maps the table (lazily, once).  Returns 0, or -1 when memory is short. */
int kvmrc_fdt_init(void);

/* Has any KVM fd been seen (is the table mapped)? */
static inline int kvmrc_fdt_ready(void)
{
	extern uintptr_t *kvmrc_fdt_slots;
	return __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE) != NULL;
}

/* Slot of fd (0 when unknown or out of range).  Hot path. */
static inline uintptr_t kvmrc_fdt_get(int fd)
{
	extern uintptr_t *kvmrc_fdt_slots;
	extern unsigned int kvmrc_fdt_nslots;
	uintptr_t *slots = __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE);

	if (!slots || fd < 0 || (unsigned int)fd >= kvmrc_fdt_nslots)
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

/* Mapping bookkeeping. */
void kvmrc_fdt_mapped(struct kvmrc_vcpu *v, void *addr, size_t len);
void kvmrc_fdt_unmapped(void *addr, size_t len);
void kvmrc_fdt_remapped(void *old_addr, size_t old_len, void *new_addr, size_t new_len);

/* Iteration for stats: calls fn for each live vCPU. */
void kvmrc_fdt_for_each_vcpu(void (*fn)(const struct kvmrc_vcpu *, void *), void *ctx);

#endif

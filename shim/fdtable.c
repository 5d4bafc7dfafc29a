/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdtable.c - fd roles and vCPU objects.
 *
 * The slot table is one anonymous mapping indexed by fd, sized from the hard
 * RLIMIT_NOFILE (at most 1M entries; untouched pages cost nothing).  VM and
 * vCPU objects come from static pools claimed with compare-and-swap, so
 * nothing here takes a lock or calls malloc, and a fork()ed child inherits a
 * consistent table.  An object returns to its pool when no fd and no
 * mapping refers to it any more.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kvmrun-compat-uapi.h"
#include "fdtable.h"
#include "log.h"
#include "shim.h"

uintptr_t *kvmrc_fdt_slots;
unsigned int kvmrc_fdt_nslots;

static struct kvmrc_vm vm_pool[KVMRC_MAX_VMS];
static struct kvmrc_vcpu vcpu_pool[KVMRC_MAX_VCPUS];
static unsigned int vcpu_high;      /* pool entries ever used: bounds scans */
static unsigned int live_maps;      /* kvm_run mappings alive: munmap fast path */

int kvmrc_fdt_init(void)
{
	struct rlimit rl;
	size_t n = 65536;

	if (__atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE))
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max > n)
		n = rl.rlim_max;
	if (n > (1u << 20) || rl.rlim_max == RLIM_INFINITY)
		n = 1u << 20;
	/* raw syscall: this is our own memory, not the VMM's */
	void *p = (void *)syscall(SYS_mmap, NULL, n * sizeof(uintptr_t), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		kvmrc_log_once(KVMRC_LOG_WARN, "cannot map the fd table; passing KVM through untouched");
		return -1;
	}
	uintptr_t *expected = NULL;
	if (!__atomic_compare_exchange_n(&kvmrc_fdt_slots, &expected, (uintptr_t *)p, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		syscall(SYS_munmap, p, n * sizeof(uintptr_t)); /* another thread won */
		return 0;
	}
	__atomic_store_n(&kvmrc_fdt_nslots, (unsigned int)n, __ATOMIC_RELEASE);
	return 0;
}

void kvmrc_fdt_vm_put(struct kvmrc_vm *vm)
{
	if (vm && __atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		__atomic_store_n(&vm->in_use, 0, __ATOMIC_RELEASE);
}

static void vcpu_put(struct kvmrc_vcpu *v)
{
	if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		struct kvmrc_vm *vm = v->vm;
		kvmrc_stats_retire(v);
		v->vm = NULL;
		kvmrc_fdt_vm_put(vm);
		__atomic_store_n(&v->in_use, 0, __ATOMIC_RELEASE);
	}
}

static void slot_get(uintptr_t slot)
{
	struct kvmrc_vcpu *v = kvmrc_slot_vcpu(slot);
	struct kvmrc_vm *vm = kvmrc_slot_vm(slot);

	if (v)
		__atomic_add_fetch(&v->refs, 1, __ATOMIC_ACQ_REL);
	else if (vm)
		__atomic_add_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL);
}

static void slot_put(uintptr_t slot)
{
	struct kvmrc_vcpu *v = kvmrc_slot_vcpu(slot);

	if (v)
		vcpu_put(v);
	else
		kvmrc_fdt_vm_put(kvmrc_slot_vm(slot));
}

static void slot_store(int fd, uintptr_t value)
{
	uintptr_t *slots = __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE);

	if (!slots && value && kvmrc_fdt_init() == 0)
		slots = __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE);
	if (!slots || fd < 0 || (unsigned int)fd >= kvmrc_fdt_nslots) {
		if (value && fd >= 0)
			kvmrc_log_once(KVMRC_LOG_WARN, "fd %d is beyond the fd table; it is passed through", fd);
		slot_put(value);
		return;
	}
	slot_put(__atomic_exchange_n(&slots[fd], value, __ATOMIC_ACQ_REL));
}

void kvmrc_fdt_set_system(int fd)
{
	slot_store(fd, KVMRC_ROLE_SYSTEM);
}

void kvmrc_fdt_set_other(int fd)
{
	slot_store(fd, KVMRC_SLOT_OTHER);
}

struct kvmrc_vm *kvmrc_fdt_new_vm(int fd)
{
	for (unsigned int i = 0; i < KVMRC_MAX_VMS; i++) {
		struct kvmrc_vm *vm = &vm_pool[i];
		uint32_t free_ = 0;
		if (!__atomic_compare_exchange_n(&vm->in_use, &free_, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		memset(&vm->caps, 0, sizeof(vm->caps));
		__atomic_store_n(&vm->refs, 1, __ATOMIC_RELEASE);
		if (fd >= 0)
			slot_store(fd, (uintptr_t)vm | KVMRC_ROLE_VM);
		return vm;
	}
	kvmrc_log_once(KVMRC_LOG_WARN, "more than %d VMs at once; further VMs are passed through",
		       KVMRC_MAX_VMS);
	return NULL;
}

struct kvmrc_vcpu *kvmrc_fdt_new_vcpu(int fd, struct kvmrc_vm *vm, uint32_t id)
{
	for (unsigned int i = 0; i < KVMRC_MAX_VCPUS; i++) {
		struct kvmrc_vcpu *v = &vcpu_pool[i];
		uint32_t free_ = 0;
		if (!__atomic_compare_exchange_n(&v->in_use, &free_, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		/* the object is ours alone until it is published in a slot */
		memset((char *)v + offsetof(struct kvmrc_vcpu, refs), 0,
		       sizeof(*v) - offsetof(struct kvmrc_vcpu, refs));
		v->id = id;
		if (vm) {
			__atomic_add_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL);
			v->vm = vm;
		}
		v->refs = 1;
		unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_RELAXED);
		while (i + 1 > high &&
		       !__atomic_compare_exchange_n(&vcpu_high, &high, i + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		slot_store(fd, (uintptr_t)v | KVMRC_ROLE_VCPU);
		return v;
	}
	kvmrc_log_once(KVMRC_LOG_WARN, "more than %d vCPUs at once; further vCPUs are passed through",
		       KVMRC_MAX_VCPUS);
	return NULL;
}

void kvmrc_fdt_forget(int fd)
{
	if (__atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE))
		slot_store(fd, 0);
}

void kvmrc_fdt_forget_range(unsigned int first, unsigned int last)
{
	if (!__atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE))
		return;
	unsigned int n = __atomic_load_n(&kvmrc_fdt_nslots, __ATOMIC_ACQUIRE);
	for (unsigned int fd = first; fd <= last && fd < n; fd++)
		if (kvmrc_fdt_slots[fd])
			slot_store((int)fd, 0);
}

void kvmrc_fdt_dup(int oldfd, int newfd)
{
	uintptr_t slot = kvmrc_fdt_get(oldfd);

	if (oldfd == newfd)
		return;
	if (slot == KVMRC_SLOT_OTHER)
		slot = 0;
	slot_get(slot);
	if (slot || __atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE))
		slot_store(newfd, slot);
}

static void refresh_run(struct kvmrc_vcpu *v)
{
	uint8_t *run = NULL;

	for (unsigned int i = 0; i < KVMRC_MAX_MAPS; i++)
		if (v->maps[i].addr) {
			run = v->maps[i].addr;
			break;
		}
	__atomic_store_n(&v->run, run, __ATOMIC_RELEASE);
}

void kvmrc_fdt_mapped(struct kvmrc_vcpu *v, void *addr, size_t len)
{
	for (unsigned int i = 0; i < KVMRC_MAX_MAPS; i++) {
		void *expected = NULL;
		if (__atomic_compare_exchange_n((void **)&v->maps[i].addr, &expected, addr, 0,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			v->maps[i].len = len;
			__atomic_add_fetch(&v->refs, 1, __ATOMIC_ACQ_REL);
			__atomic_add_fetch(&live_maps, 1, __ATOMIC_RELAXED);
			refresh_run(v);
			return;
		}
	}
	/* More mappings than slots: the page is the same, the first suffices
	 * until it goes away. */
	kvmrc_log_once(KVMRC_LOG_INFO, "vCPU %u has more than %d kvm_run mappings; extra ones untracked",
		       v->id, KVMRC_MAX_MAPS);
}

/* Does [addr, addr+len) overlap the kvm_run part of a mapping at m? */
static int covers_run(const uint8_t *m, const uint8_t *addr, size_t len)
{
	return addr < m + KVMRC_RUN_SIZE_S390 && m < addr + len;
}

void kvmrc_fdt_unmapped(void *addr, size_t len)
{
	if (!__atomic_load_n(&live_maps, __ATOMIC_RELAXED))
		return;
	unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; i < high; i++) {
		struct kvmrc_vcpu *v = &vcpu_pool[i];
		if (!__atomic_load_n(&v->in_use, __ATOMIC_ACQUIRE))
			continue;
		for (unsigned int m = 0; m < KVMRC_MAX_MAPS; m++) {
			uint8_t *a = __atomic_load_n(&v->maps[m].addr, __ATOMIC_ACQUIRE);
			if (!a || !covers_run(a, addr, len))
				continue;
			if (!__atomic_compare_exchange_n(&v->maps[m].addr, &a, NULL, 0,
							 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
				continue;
			__atomic_sub_fetch(&live_maps, 1, __ATOMIC_RELAXED);
			refresh_run(v);
			vcpu_put(v);
		}
	}
}

void kvmrc_fdt_remapped(void *old_addr, size_t old_len, void *new_addr, size_t new_len)
{
	(void)old_len;
	if (!__atomic_load_n(&live_maps, __ATOMIC_RELAXED))
		return;
	unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; i < high; i++) {
		struct kvmrc_vcpu *v = &vcpu_pool[i];
		if (!__atomic_load_n(&v->in_use, __ATOMIC_ACQUIRE))
			continue;
		for (unsigned int m = 0; m < KVMRC_MAX_MAPS; m++) {
			if (__atomic_load_n(&v->maps[m].addr, __ATOMIC_ACQUIRE) != old_addr)
				continue;
			v->maps[m].len = new_len;
			__atomic_store_n(&v->maps[m].addr, (uint8_t *)new_addr, __ATOMIC_RELEASE);
			refresh_run(v);
		}
	}
}

void kvmrc_fdt_for_each_vcpu(void (*fn)(const struct kvmrc_vcpu *, void *), void *ctx)
{
	unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < high; i++)
		if (__atomic_load_n(&vcpu_pool[i].in_use, __ATOMIC_ACQUIRE))
			fn(&vcpu_pool[i], ctx);
}

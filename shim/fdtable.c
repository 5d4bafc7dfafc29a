/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdtable.c - fd roles and vCPU objects.
 *
 * The slot table is one anonymous mapping indexed by fd, of a fixed size (1M
 * entries, the kernel's NR_OPEN: untouched pages cost nothing, and no reader
 * can see the table before its size).  VM and
 * vCPU objects come from static pools claimed with compare-and-swap, so
 * nothing here takes a lock or calls malloc, and a fork()ed child inherits a
 * consistent table.  An object returns to its pool when no fd refers to it
 * and no KVM_RUN is in flight on it (fdtable.h: kvmrc_fdt_hold).
 *
 * Each vCPU object owns a mapping of the vCPU's kvm_run page, made when the
 * vCPU is tracked and released with its last fd: the library reads and
 * writes kvm_run there only, so whatever the VMM does with its own mappings
 * (munmap during KVM_RUN, PROT_READ, mremap, MAP_FIXED over it) cannot make
 * it fault or write into unrelated memory.  The mapping holds a reference on
 * the vCPU file, which is why it goes with the last tracked fd.
 */
#include <pthread.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "kvmrun-compat-uapi.h"
#include "config.h"
#include "cookie.h"
#include "engine.h"
#include "exits.h"
#include "fdtable.h"
#include "log.h"
#include "real.h"
#include "caps.h"
#include "sys.h"

uintptr_t *kvmrc_fdt_slots;
uint32_t kvmrc_fdt_limit;

static struct kvmrc_vm vm_pool[KVMRC_MAX_VMS];
static struct kvmrc_vcpu vcpu_pool[KVMRC_MAX_VCPUS];
static unsigned int vcpu_high;      /* pool entries ever used: bounds scans */
static struct kvmrc_vcpu *zombies;  /* last fd closed while a KVM_RUN was in flight */
static struct kvmrc_vm *adopted_vm; /* one VM object for every adopted vCPU */
uint32_t kvmrc_fdt_gen;
int kvmrc_fdt_pid;

/* In a fork()ed child the parent's vCPUs cannot run (KVM_RUN: EIO) and
 * their kvm_run page is shared with the parent: let go of it. */
static void after_fork_child(void)
{
	unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_ACQUIRE);

	kvmrc_fdt_pid = (int)kvmrc_sys(SYS_getpid);
	__atomic_add_fetch(&kvmrc_fdt_gen, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < high; i++) {
		struct kvmrc_vcpu *v = &vcpu_pool[i];
		if (!__atomic_load_n(&v->in_use, __ATOMIC_ACQUIRE) || !v->page)
			continue;
		uint8_t *page = v->page;
		v->sc.slow |= KVMRC_SLOW_NO_PAGE; /* this process is single-threaded here */
		__atomic_store_n(&v->page, NULL, __ATOMIC_RELEASE);
		munmap(page, v->page_len);
	}
}

int kvmrc_fdt_init(void)
{
	const size_t bytes = (size_t)KVMRC_FDT_SLOTS * sizeof(uintptr_t);

	if (__atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&kvmrc_fdt_limit, KVMRC_FDT_SLOTS, __ATOMIC_RELEASE);
		return 0;
	}
	/* raw syscall: this is our own memory, not the VMM's */
	void *p = (void *)kvmrc_sys(SYS_mmap, NULL, bytes, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		kvmrc_log_once(KVMRC_LOG_WARN, "cannot map the fd table; passing KVM through untouched");
		return -1;
	}
	uintptr_t *expected = NULL;
	if (!__atomic_compare_exchange_n(&kvmrc_fdt_slots, &expected, (uintptr_t *)p, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kvmrc_sys(SYS_munmap, p, bytes); /* another thread won */
		__atomic_store_n(&kvmrc_fdt_limit, KVMRC_FDT_SLOTS, __ATOMIC_RELEASE);
		return 0;
	}
	__atomic_store_n(&kvmrc_fdt_limit, KVMRC_FDT_SLOTS, __ATOMIC_RELEASE);
	kvmrc_fdt_pid = (int)kvmrc_sys(SYS_getpid);
	pthread_atfork(NULL, NULL, after_fork_child);
	return 0;
}

void kvmrc_fdt_vm_put(struct kvmrc_vm *vm)
{
	if (vm && __atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		__atomic_store_n(&vm->in_use, 0, __ATOMIC_RELEASE);
}

struct kvmrc_fdt_retired kvmrc_fdt_retired;

static void retire(const struct kvmrc_vcpu *v)
{
	for (unsigned int i = 0; i < KVMRC_MAX_RULES; i++) {
		uint32_t h = __atomic_load_n(&v->hits[i], __ATOMIC_RELAXED);
		if (h)
			__atomic_add_fetch(&kvmrc_fdt_retired.hits[i], h, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&kvmrc_fdt_retired.runs, kvmrc_fdt_runs(v), __ATOMIC_RELAXED);
	__atomic_add_fetch(&kvmrc_fdt_retired.vcpus, 1, __ATOMIC_RELAXED);
	if (kvmrc_abi_on)
		kvmrc_abi_retire(&v->abi);
	if (kvmrc_cfg.poison)
		kvmrc_poison_retire(&v->poison);
}

/* The last reference is gone: unmap, count, return to the pool. */
static void vcpu_free(struct kvmrc_vcpu *v)
{
	struct kvmrc_vm *vm = v->vm;
	uint8_t *page = v->page;

	retire(v);
	v->page = NULL;
	if (page)
		munmap(page, v->page_len); /* not interposed */
	v->vm = NULL;
	kvmrc_fdt_vm_put(vm);
	__atomic_store_n(&v->in_use, 0, __ATOMIC_RELEASE);
}

/*
 * Is a KVM_RUN in flight on v?  Asked after its slot was cleared: a caller
 * that announced itself before that is seen here, one after it sees the
 * slot changed (kvmrc_fdt_hold).  leave is read first, so a call that ends
 * in between still counts as in flight (the answer errs towards waiting).
 */
static int in_flight(const struct kvmrc_vcpu *v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint64_t leave = __atomic_load_n(&v->leave, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&v->enter, __ATOMIC_SEQ_CST) != leave;
}

static void zombie_push(struct kvmrc_vcpu *v)
{
	struct kvmrc_vcpu *head = __atomic_load_n(&zombies, __ATOMIC_RELAXED);
	do
		v->next_zombie = head;
	while (!__atomic_compare_exchange_n(&zombies, &head, v, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* The last fd is gone: freed now, or once the KVM_RUN in flight ended. */
static void vcpu_put(struct kvmrc_vcpu *v)
{
	if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (in_flight(v))
		zombie_push(v);
	else
		vcpu_free(v);
}

void kvmrc_fdt_reap(void)
{
	if (!__atomic_load_n(&zombies, __ATOMIC_RELAXED))
		return;
	struct kvmrc_vcpu *v = __atomic_exchange_n(&zombies, NULL, __ATOMIC_ACQUIRE);
	while (v) {
		struct kvmrc_vcpu *next = v->next_zombie;
		if (in_flight(v))
			zombie_push(v); /* still in KVM_RUN: next time */
		else
			vcpu_free(v);
		v = next;
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
	if (!slots || fd < 0 || (unsigned int)fd >= KVMRC_FDT_SLOTS) {
		if (value && fd >= 0)
			kvmrc_log_once(KVMRC_LOG_WARN, "fd %d is beyond the fd table; it is passed through", fd);
		slot_put(value);
		return;
	}
	slot_put(__atomic_exchange_n(&slots[fd], value, __ATOMIC_SEQ_CST));
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

/* The library's own mapping of page 0 of the vCPU fd: kvm_run. */
static uint8_t *map_run(int fd, size_t *len)
{
	size_t pg = getauxval(AT_PAGESZ);

	if (!pg)
		pg = 4096;
	*len = pg > KVMRC_RUN_SIZE_S390 ? pg : (KVMRC_RUN_SIZE_S390 + pg - 1) / pg * pg;
	/* through the next mmap, not our own wrapper (this fd is not tracked
	 * yet) nor a raw system call (sanitizers must see the mapping come and go) */
	void *p = kvmrc_real_ready() && kvmrc_real.mmap
		? kvmrc_real.mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
		: (void *)kvmrc_sys(SYS_mmap, NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		kvmrc_log(KVMRC_LOG_WARN, "cannot map kvm_run of vCPU fd %d (%s); its exits are passed through",
			  fd, strerror(errno));
		return NULL;
	}
	return p;
}

static struct kvmrc_vcpu *new_vcpu(int fd, struct kvmrc_vm *vm, uint32_t id, int pend_unknown)
{
	/* KVM_RUN of a tracked vCPU calls the next ioctl without checking it */
	if (!kvmrc_real_ready())
		return NULL;
	kvmrc_fdt_reap();
	for (unsigned int i = 0; i < KVMRC_MAX_VCPUS; i++) {
		struct kvmrc_vcpu *v = &vcpu_pool[i];
		uint32_t free_ = 0;
		if (!__atomic_compare_exchange_n(&v->in_use, &free_, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		/* the object is ours alone until it is published in a slot */
		memset((char *)v + offsetof(struct kvmrc_vcpu, id), 0,
		       sizeof(*v) - offsetof(struct kvmrc_vcpu, id));
		v->id = id;
		v->gen = __atomic_load_n(&kvmrc_fdt_gen, __ATOMIC_RELAXED);
		v->page = map_run(fd, &v->page_len);
		if (vm) {
			__atomic_add_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL);
			v->vm = vm;
		}
		kvmrc_scrub_init(&v->sc, kvmrc_cfg.arch, pend_unknown, vm ? &vm->caps : NULL, v->hits);
		memcpy(v->plan, v->sc.plan, sizeof(v->plan));
		v->hdr_keep = kvmrc_scrub_header_keep(&v->sc);
		if (v->sc.uoff != KVMRC_FAST_UOFF)
			v->sc.slow |= KVMRC_SLOW_LAYOUT;
		if (!v->page)
			v->sc.slow |= KVMRC_SLOW_NO_PAGE;
		if (kvmrc_abi_on)
			v->sc.slow |= KVMRC_SLOW_ABI;
		if (kvmrc_cfg.poison)
			v->sc.slow |= KVMRC_SLOW_POISON;
		if (kvmrc_cookie_direct)
			v->sc.slow |= KVMRC_SLOW_COOKIE;
		v->sc.imm_save = v->imm_save;
		unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_RELAXED);
		while (i + 1 > high &&
		       !__atomic_compare_exchange_n(&vcpu_high, &high, i + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		v->runs_base = __atomic_load_n(&v->leave, __ATOMIC_RELAXED);
		__atomic_store_n(&v->refs, 1, __ATOMIC_RELEASE);
		slot_store(fd, (uintptr_t)v | KVMRC_ROLE_VCPU);
		return v;
	}
	kvmrc_log_once(KVMRC_LOG_WARN, "more than %d vCPUs at once; further vCPUs are passed through",
		       KVMRC_MAX_VCPUS);
	return NULL;
}

/* A new vCPU has nothing to complete: the first KVM_RUN scrubs the whole union. */
struct kvmrc_vcpu *kvmrc_fdt_new_vcpu(int fd, struct kvmrc_vm *vm, uint32_t id)
{
	return new_vcpu(fd, vm, id, 0);
}

/* An adopted vCPU may have a completion pending that the library never saw:
 * its first KVM_RUN is not scrubbed.  All adopted vCPUs share one VM object
 * whose capabilities the caller asks of /dev/kvm once. */
struct kvmrc_vcpu *kvmrc_fdt_adopt_vcpu(int fd, uint32_t id)
{
	struct kvmrc_vm *vm = __atomic_load_n(&adopted_vm, __ATOMIC_ACQUIRE);

	if (!vm) {
		struct kvmrc_vm *fresh = kvmrc_fdt_new_vm(-1);
		if (fresh) {
			int sys = (int)kvmrc_sys(SYS_openat, AT_FDCWD, "/dev/kvm", O_RDWR | O_CLOEXEC, 0);
			if (sys >= 0) {
				kvmrc_caps_probe(fresh, sys, sys);
				kvmrc_sys(SYS_close, sys);
			}
			struct kvmrc_vm *none = NULL;
			if (!__atomic_compare_exchange_n(&adopted_vm, &none, fresh, 0, __ATOMIC_ACQ_REL,
							 __ATOMIC_ACQUIRE)) {
				kvmrc_fdt_vm_put(fresh); /* another thread won */
				fresh = none;
			}
		}
		vm = __atomic_load_n(&adopted_vm, __ATOMIC_ACQUIRE);
	}
	return new_vcpu(fd, vm, id, 1);
}

void kvmrc_fdt_forget(int fd)
{
	if (__atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE)) {
		slot_store(fd, 0);
		kvmrc_fdt_reap();
	}
}

void kvmrc_fdt_forget_range(unsigned int first, unsigned int last)
{
	if (!__atomic_load_n(&kvmrc_fdt_slots, __ATOMIC_ACQUIRE))
		return;
	unsigned int n = KVMRC_FDT_SLOTS;
	for (unsigned int fd = first; fd <= last && fd < n; fd++)
		if (__atomic_load_n(&kvmrc_fdt_slots[fd], __ATOMIC_RELAXED))
			slot_store((int)fd, 0);
	kvmrc_fdt_reap();
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

void kvmrc_fdt_for_each_vcpu(void (*fn)(const struct kvmrc_vcpu *, void *), void *ctx)
{
	unsigned int high = __atomic_load_n(&vcpu_high, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < high; i++)
		if (__atomic_load_n(&vcpu_pool[i].in_use, __ATOMIC_ACQUIRE))
			fn(&vcpu_pool[i], ctx);
}

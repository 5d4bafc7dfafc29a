/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shim.h - glue between the libc wrappers and the KVM logic. */
#ifndef KVMRC_SHIM_H
#define KVMRC_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include "fdtable.h"

#define KVMRC_EXPORT __attribute__((visibility("default")))

/* Library state: set up once by the constructor (or the first wrapper). */
void kvmrc_init(void);
extern int kvmrc_initialized;

/* KVM ioctls (kvmioctl.c).  req is the caller's request; nr its low 32 bits. */
int kvmrc_ioctl_run(int fd, IOCTL_REQUEST_TYPE req, void *arg);
int kvmrc_ioctl_kvm(int fd, uint32_t nr, IOCTL_REQUEST_TYPE req, void *arg);

/* Adoption (kvmioctl.c): after a successful mmap of fd at offset. */
void kvmrc_after_mmap(size_t len, int flags, int fd, int64_t offset);

/* Capability probing (caps.c), at KVM_CREATE_VM. */
void kvmrc_caps_probe(struct kvmrc_vm *vm, int vm_fd, int sys_fd);
void kvmrc_caps_enabled(struct kvmrc_vm *vm, unsigned int cap);


/* Stats (stats.c). */
void kvmrc_stats_write(void);
void kvmrc_stats_start_periodic(void); /* STATS_INTERVAL: rewrites from the log drain thread */

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* caps.h - the capabilities of a VM the tables ask about (caps.c). */
#ifndef KVMRC_CAPS_H
#define KVMRC_CAPS_H

#include "fdtable.h"

/* At KVM_CREATE_VM: asks the kernel once for each capability the writes
 * table reads. */
void kvmrc_caps_probe(struct kvmrc_vm *vm, int vm_fd, int sys_fd);
/* KVM_ENABLE_CAP succeeded, or the probe found cap present. */
void kvmrc_caps_enabled(struct kvmrc_vm *vm, unsigned int cap);

#endif

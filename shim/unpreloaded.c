/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unpreloaded.c - the fd table as the link library sees it: empty.
 *
 * Linked into a VMM without the preload object, the library tracks no fd
 * (nothing interposes open/ioctl/close), so kvmrun_compat_fail_entry_reason()
 * answers -EBADF for every fd, as it does for an fd it does not know.  In a
 * process that also preloads libkvmrun-compat-preload.so, the preload's
 * definitions of the API come first in the lookup order and read its table;
 * this one is never consulted.
 *
 * Only libkvmrun-compat.so.0 contains this file (kvmrc_linked_only_sources
 * in shim/local.am); the preload object has shim/fdtable.c instead.
 */
#include <errno.h>
#include <stdint.h>
#include "fdtable.h"
#include "export.h"

uintptr_t *kvmrc_fdt_slots;
uint32_t kvmrc_fdt_limit;

KVMRC_EXPORT int kvmrun_compat_fail_entry_reason(int vcpu_fd)
{
	(void)vcpu_fd;
	return -EBADF;
}

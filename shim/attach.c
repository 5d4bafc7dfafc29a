/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * attach.c - the API functions that read the preload object's state, as the
 * link library answers them.
 *
 * Linked into a VMM without the preload object, the library tracks no fd
 * (nothing interposes open/ioctl/close), so kvmrun_compat_fail_entry_reason()
 * answers -EBADF for every fd, as it does for an fd it does not know.  In a
 * preloaded process the preload object, which links this library, attaches
 * its own answers from its constructor (attach.h): one fd table, whoever
 * calls.
 *
 * Only libkvmrun-compat.so.0 contains this file (kvmrc_linked_only_sources
 * in shim/local.am).
 */
#include <errno.h>
#include "attach.h"
#include "export.h"

static const struct kvmrc_attach_ops *attached;

KVMRC_EXPORT void kvmrun_compat_private_attach(const struct kvmrc_attach_ops *ops)
{
	if (ops && ops->size < offsetof(struct kvmrc_attach_ops, fail_entry_reason) + sizeof(ops->fail_entry_reason))
		return; /* a table older than this library reads: ignore it */
	__atomic_store_n(&attached, ops, __ATOMIC_RELEASE);
}

KVMRC_EXPORT int kvmrun_compat_fail_entry_reason(int vcpu_fd)
{
	const struct kvmrc_attach_ops *ops = __atomic_load_n(&attached, __ATOMIC_ACQUIRE);

	if (!ops || !ops->fail_entry_reason)
		return -EBADF;
	return ops->fail_entry_reason(vcpu_fd);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * attach.h - what the preload object lends the link library.  The preload
 * object (libkvmrun-compat-preload.so) links libkvmrun-compat.so.0 and, from
 * its constructor, hands it the functions of the API that need its fd table;
 * the link library alone answers them as a process without the preload
 * (attach.c).  A private interface between two objects of one package: the
 * size field lets a newer library accept an older table.
 */
#ifndef KVMRC_ATTACH_H
#define KVMRC_ATTACH_H

#include <stddef.h>

struct kvmrc_attach_ops {
	size_t size;                            /* sizeof(struct kvmrc_attach_ops) */
	int (*fail_entry_reason)(int vcpu_fd);  /* kvmrun_compat_fail_entry_reason() */
};

/* In libkvmrun-compat.so.0, node KVMRUN_COMPAT_PRIVATE. */
void kvmrun_compat_private_attach(const struct kvmrc_attach_ops *ops);

#endif

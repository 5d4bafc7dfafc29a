/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rawsys.h - --raw-syscalls, the SIGSYS backstop for inline KVM_RUNs (rawsys.c). */
#ifndef KVMRC_RAWSYS_H
#define KVMRC_RAWSYS_H

#include <signal.h>
#include "cookie.h"

/* From the constructor, after the configuration, before any helper thread:
 * arms the backstop when RAW_SYSCALLS is on (or a filter and its cookie
 * came across exec).  One line when it cannot. */
void kvmrc_rawsys_arm(void);

static inline int kvmrc_rawsys_armed(void)
{
	return __atomic_load_n(&kvmrc_cookie_value, __ATOMIC_RELAXED) != 0;
}

/* The VMM's own SIGSYS disposition, which the shim's handler chains to
 * (interpose-signal.c keeps it when the VMM sets or asks for it). */
void kvmrc_rawsys_vmm_get(struct sigaction *out);
void kvmrc_rawsys_vmm_set(const struct sigaction *in);

/* Inline KVM_RUNs the handler took (for tests and stats). */
extern unsigned long kvmrc_rawsys_trapped;

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-abi.c - --abi=VERSION (KVMRUN_COMPAT_ABI) under the supervisor: the
 * capabilities VERSION did not have are hidden as the preload hides them
 * (shim/kvmioctl.c), from the same table (shim/abi-caps.c).  The helper
 * tells the wrapper at start whether a version is set, and only then does
 * the filter stop these two ioctls (sv-filter.c):
 *   KVM_CHECK_EXTENSION  at its syscall exit, a positive answer for a hidden
 *                        capability becomes 0 (two stops per call);
 *   KVM_ENABLE_CAP       of a hidden capability is skipped at its seccomp
 *                        stop and fails with EINVAL (one stop per call).
 * Neither is on KVM_RUN's path.
 */
#include <errno.h>
#include <sys/ptrace.h>
#include "../../shim/config.h"
#include "abi-caps.h"
#include "sv.h"

int sv_abi_on(void)
{
	return kvmrc_cfg.active && kvmrc_cfg.abi;
}

int sv_abi_enable_refused(pid_t tid, uint64_t argp)
{
	if (!sv_abi_on() || !argp)
		return 0;
	errno = 0;
	/* struct kvm_enable_cap: __u32 cap first (little-endian: the low half) */
	long w = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)argp, 0);
	if (w == -1 && errno)
		return 0; /* the kernel will fail it with EFAULT */
	return kvmrc_abi_caps_hidden((unsigned long)(uint32_t)w);
}

int64_t sv_abi_check_extension(uint64_t cap, int64_t ret)
{
	return ret > 0 && sv_abi_on() && kvmrc_abi_caps_hidden((unsigned long)cap) ? 0 : ret;
}

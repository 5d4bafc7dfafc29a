/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * preload.h - for tests that must run with the shim and the KVM emulator
 * preloaded.  A constructor re-executes the test binary (harness_reexec(),
 * tests/harness.c) with LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" (or only the
 * emulator when the test defines PRELOAD_EMU_ONLY) and the emulator profile
 * and architecture the test names, before criterion starts.
 */
#ifndef KVMRC_TEST_PRELOAD_H
#define KVMRC_TEST_PRELOAD_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#ifndef PRELOAD_PROFILE
#define PRELOAD_PROFILE "arm64-5.10"
#endif
#ifndef PRELOAD_ARCH
#define PRELOAD_ARCH "arm64"
#endif

__attribute__((constructor)) static void preload_reexec(int argc, char **argv)
{
	static const char *const env[] = {
		"KVMEMU_PROFILE", PRELOAD_PROFILE, "KVMRUN_COMPAT_ARCH", PRELOAD_ARCH, NULL,
	};

	(void)argc;
#ifdef PRELOAD_EMU_ONLY
	harness_reexec(argv, HARNESS_EMU, env);
#else
	harness_reexec(argv, HARNESS_SHIM | HARNESS_EMU, env);
#endif
}

/* The preloaded shim's own view of an fd (see kvmrun_compat_fail_entry_reason):
 * >= 0 for a tracked vCPU, -EBADF otherwise. */
static inline int shim_vcpu_state(int fd)
{
	int (*f)(int) = (int (*)(int))dlsym(RTLD_DEFAULT, "kvmrun_compat_fail_entry_reason");
	return f ? f(fd) : -1000;
}

#endif

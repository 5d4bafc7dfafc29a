/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * preload.h - for tests that must run with the shim and the KVM emulator
 * preloaded.  A constructor re-executes the test binary with
 * LD_PRELOAD="$KVMRC_SHIM:$KVMRC_EMU" (or only the emulator when the test
 * defines PRELOAD_EMU_ONLY) and the emulator profile and scenario the test
 * names, before criterion starts.  The variables come from the test harness
 * (AM_TESTS_ENVIRONMENT).
 */
#ifndef KVMRC_TEST_PRELOAD_H
#define KVMRC_TEST_PRELOAD_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PRELOAD_PROFILE
#define PRELOAD_PROFILE "arm64-5.10"
#endif
#ifndef PRELOAD_ARCH
#define PRELOAD_ARCH "arm64"
#endif

__attribute__((constructor)) static void preload_reexec(int argc, char **argv)
{
	(void)argc;
	if (getenv("KVMRC_TEST_PRELOADED"))
		return;
	const char *shim = getenv("KVMRC_SHIM"), *emu = getenv("KVMRC_EMU");
	if (!shim || !emu) {
		fprintf(stderr, "preload.h: KVMRC_SHIM and KVMRC_EMU must name the built libraries\n");
		exit(99);
	}
	char pre[8192];
#ifdef PRELOAD_EMU_ONLY
	snprintf(pre, sizeof(pre), "%s", emu);
#else
	snprintf(pre, sizeof(pre), "%s:%s", shim, emu);
#endif
	setenv("LD_PRELOAD", pre, 1);
	setenv("KVMRC_TEST_PRELOADED", "1", 1);
	setenv("KVMEMU_PROFILE", PRELOAD_PROFILE, 0);
	setenv("KVMRUN_COMPAT_ARCH", PRELOAD_ARCH, 0);
	execv("/proc/self/exe", argv);
	perror("preload.h: re-exec");
	exit(99);
}

/* The preloaded shim's own view of an fd (see kvmrun_compat_fail_entry_reason):
 * >= 0 for a tracked vCPU, -EBADF otherwise. */
static inline int shim_vcpu_state(int fd)
{
	int (*f)(int) = (int (*)(int))dlsym(RTLD_DEFAULT, "kvmrun_compat_fail_entry_reason");
	return f ? f(fd) : -1000;
}

#endif

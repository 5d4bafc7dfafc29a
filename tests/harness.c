/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* harness.c - the test harness's re-exec with the built objects preloaded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define HARNESS_MARK "KVMRC_TEST_REEXEC"

static const char *harness_need(const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		fprintf(stderr, "harness: %s must name a built object (run the test through make check)\n", var);
		exit(99);
	}
	return v;
}

void harness_reexec(char **argv, unsigned int what, const char *const *env)
{
	char pre[8192];
	size_t n = 0;

	if (getenv(HARNESS_MARK))
		return;
	pre[0] = 0;
	if (what & HARNESS_SHIM)
		n += (size_t)snprintf(pre + n, sizeof(pre) - n, "%s", harness_need("KVMRC_SHIM"));
	if ((what & HARNESS_EMU) && n < sizeof(pre))
		n += (size_t)snprintf(pre + n, sizeof(pre) - n, "%s%s", n ? ":" : "", harness_need("KVMRC_EMU"));
	const char *old = getenv("LD_PRELOAD");
	if (old && *old && n < sizeof(pre))
		n += (size_t)snprintf(pre + n, sizeof(pre) - n, "%s%s", n ? ":" : "", old);
	if (n >= sizeof(pre)) {
		fprintf(stderr, "harness: LD_PRELOAD would be too long\n");
		exit(99);
	}
	if (setenv("LD_PRELOAD", pre, 1) || setenv(HARNESS_MARK, "1", 1)) {
		perror("harness: setenv");
		exit(99);
	}
	for (; env && env[0] && env[1]; env += 2)
		setenv(env[0], env[1], 0);
	execv("/proc/self/exe", argv);
	perror("harness: re-exec with LD_PRELOAD");
	exit(99);
}

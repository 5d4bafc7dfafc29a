/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * harness.h - the compiled test harness (tests/libharness.la), linked into
 * every criterion test that must run with built objects preloaded.
 *
 * One re-exec mechanism: a test's constructor calls harness_reexec(), which
 * runs the test binary again (before criterion starts) with LD_PRELOAD
 * naming the built objects and the test's settings in the environment.  The
 * objects' paths come from the test harness's environment (KVMRC_SHIM,
 * KVMRC_EMU: AM_TESTS_ENVIRONMENT), never from the build tree's layout.
 */
#ifndef KVMRC_TEST_HARNESS_H
#define KVMRC_TEST_HARNESS_H

/* What to preload. */
#define HARNESS_EMU  1u /* the KVM emulator ($KVMRC_EMU) */
#define HARNESS_SHIM 2u /* the preload object ($KVMRC_SHIM), before the emulator */

/*
 * In the first run of the binary: puts the objects in `what` first in
 * LD_PRELOAD (entries already there are kept after them), sets each
 * name/value pair of `env` (a NULL-terminated list; a variable already set
 * keeps its value), and executes /proc/self/exe with argv again.  In the
 * re-executed run: returns at once.  Exits 99 (a harness error for
 * automake) when a variable is missing or the exec fails.
 */
void harness_reexec(char **argv, unsigned int what, const char *const *env);

#endif

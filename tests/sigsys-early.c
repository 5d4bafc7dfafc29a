/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sigsys-early - a library whose constructor installs a SIGSYS handler, for
 * tests/test-raw-syscalls.sh: preloaded so that its constructor runs before
 * the shim's (it says whether the shim had armed), it stands for a VMM
 * library that sets SIGSYS up before the shim does.  Its handler says what
 * it got, with write(2).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		return;
}

static void early_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	say(si->si_code == SI_TKILL ? "early handler: raise\n" : "early handler: other\n");
}

__attribute__((constructor)) static void early_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = early_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	say(getenv("KVMRC_RAW_SYSCALLS_COOKIE") ? "early: after the shim\n" : "early: before the shim\n");
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * supervise.c - the wrapper's side of supervisor mode (--supervise, and a
 * statically linked COMMAND): start the supervisor, let it seize this
 * process, load the seccomp filter; the caller then exec()s COMMAND, which
 * keeps this PID (libvirt, systemd and jailers track it) and so returns its
 * exit status to the launcher.
 *
 * The supervisor is this process's grandchild: the child forks it and exits
 * at once, so the VMM never has a child it did not make (nor reaps one).
 * It runs in a session of its own (terminal signals are for the VMM), takes
 * the wrapper's stderr for its lines and nothing else of its stdio.  Yama
 * (ptrace_scope 1) lets only ancestors trace, so the wrapper names the
 * supervisor with PR_SET_PTRACER first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "cli.h"
#include "sv.h"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif

const char *cli_supervisor_path(void)
{
	const char *p = getenv("KVMRUN_COMPAT_SUPERVISOR");
	return p && *p ? p : PKGLIBEXECDIR "/kvmrun-compat-supervise";
}

#ifdef HAVE_SECCOMP
/* The grandchild: wait for the go, then become the supervisor. */
static void grandchild(const char *helper, const char *name, pid_t tracee, int ready, int go)
{
	char c, pid_s[16], fd_s[16], arg0[300];

	setsid();
	if (read(go, &c, 1) != 1)
		_exit(1); /* the wrapper went away */
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
	}
	fcntl(ready, F_SETFD, 0);
	snprintf(pid_s, sizeof(pid_s), "%d", (int)tracee);
	snprintf(fd_s, sizeof(fd_s), "%d", ready);
	/* argv[0] "kvmrun-compat-supervise/NAME": the helper's short program
	 * name (after the last '/'), on which its configuration judges
	 * ONLY_CMDS and SKIP_CMDS, is COMMAND's, as the preload's is there */
	const char *base = strrchr(name, '/');
	snprintf(arg0, sizeof(arg0), "kvmrun-compat-supervise/%s", base ? base + 1 : name);
	execl(helper, arg0, "--tracee", pid_s, "--ready-fd", fd_s, (char *)NULL);
	cli_err("cannot execute the supervisor %s: %s", helper, strerror(errno));
	_exit(127);
}

int cli_supervise_start(const char *cmd, const char *name)
{
	char helper[4096];
	const char *tm = getenv(SV_TEST_ENV);
	int test = tm && !strcmp(tm, "1");
	int rp[2], gp[2], st;
	pid_t b = -1;
	char c;

	snprintf(helper, sizeof(helper), "%s", cli_supervisor_path());
	/* the wrapper's own variable: the supervisor's configuration would call it unknown */
	unsetenv("KVMRUN_COMPAT_SUPERVISOR");
	if (access(helper, X_OK)) {
		cli_err("supervisor mode: %s: %s (package kvmrun-compat; KVMRUN_COMPAT_SUPERVISOR names "
			"another file); %s not run", helper, strerror(errno), cmd);
		return CLI_EXIT_CANNOT;
	}
	if (pipe2(rp, O_CLOEXEC) || pipe2(gp, O_CLOEXEC)) {
		cli_err("supervisor mode: pipe: %s", strerror(errno));
		return CLI_EXIT_CANNOT;
	}
	pid_t me = getpid(), a = fork();
	if (a < 0) {
		cli_err("supervisor mode: fork: %s", strerror(errno));
		return CLI_EXIT_CANNOT;
	}
	if (a == 0) {
		close(rp[0]);
		close(gp[1]);
		b = fork();
		if (b == 0)
			grandchild(helper, name, me, rp[1], gp[0]);
		_exit(b > 0 && write(rp[1], &b, sizeof(b)) == sizeof(b) ? 0 : 1);
	}
	close(gp[0]);
	while (waitpid(a, &st, 0) < 0 && errno == EINTR)
		;
	close(rp[1]);
	if (read(rp[0], &b, sizeof(b)) != sizeof(b)) {
		cli_err("supervisor mode: cannot start the supervisor; %s not run", cmd);
		return CLI_EXIT_CANNOT;
	}
	prctl(PR_SET_PTRACER, (unsigned long)b, 0, 0, 0); /* EINVAL without Yama: nothing to allow */
	if (write(gp[1], "G", 1) != 1 || read(rp[0], &c, 1) != 1) {
		/* the supervisor said why on stderr */
		cli_err("supervisor mode: the supervisor did not start; %s not run", cmd);
		return CLI_EXIT_CANNOT;
	}
	close(gp[1]);
	close(rp[0]);
	const char *why;
	int r = sv_filter_install(test, c == 'A', &why);
	if (r) {
		cli_err("supervisor mode needs seccomp filters (libseccomp): %s: %s; %s not run", why,
			strerror(-r), cmd);
		return CLI_EXIT_CANNOT;
	}
	if (cli_verbose)
		cli_err("supervisor %d traces this process (%d)", (int)b, (int)me);
	return 0;
}
#else
int cli_supervise_start(const char *cmd, const char *name)
{
	(void)name;
	cli_err("supervisor mode is not built in (libseccomp was missing when kvmrun-compat was built); "
		"%s not run", cmd);
	return CLI_EXIT_CANNOT;
}
#endif

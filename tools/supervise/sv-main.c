/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-main.c - kvmrun-compat-supervise, the helper of supervisor mode.
 *
 *   kvmrun-compat-supervise --tracee PID --ready-fd FD
 *
 * Started by the wrapper (tools/cli/supervise.c) as its grandchild, in a
 * session of its own, so that the VMM, which keeps the wrapper's PID, never
 * sees an unexpected child and terminal signals do not reach the helper.  It
 * seizes PID with PTRACE_O_EXITKILL (if the helper dies, the VMM is killed:
 * nothing would scrub its exits any more), writes one byte to FD, and from
 * then on handles, for PID and every thread and child it creates:
 *   the seccomp stops of the wrapper's filter (sv-filter.c): KVM_RUN and
 *     what tracking needs (sv-track.c); only KVM_RUN and the creating
 *     ioctls continue to their syscall-exit stop;
 *   exec: the process's KVM fds that were not close-on-exec stay tracked;
 *   the leader's exit: the stats file is written before the launcher can
 *     see the VMM's exit status;
 *   signals: delivered unchanged; group stops: PTRACE_LISTEN, so that job
 *     control works as without the supervisor.
 * It ends when no traced process is left.  The configuration, the log and
 * the stats are the preload's (its objects are linked in: the environment
 * the wrapper set is read the same way).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "../../shim/config.h" /* the preload's (not autoconf's) */
#include "fdtable.h"
#include "log.h"
#include "record.h"
#include "stats.h"
#include "sv.h"

static pid_t root;

/* The stats speak of the VMM: its pid and (Prometheus label) its name. */
static void name_vmm(void)
{
	extern char *program_invocation_short_name;
	static char comm[32];
	char path[40];

	kvmrc_stats_pid = root;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)root);
	FILE *f = fopen(path, "re");
	if (f && fgets(comm, sizeof(comm), f)) {
		comm[strcspn(comm, "\n")] = 0;
		program_invocation_short_name = comm;
	}
	if (f)
		fclose(f);
}

static void resume(pid_t tid, int how, int sig)
{
	ptrace(how, tid, 0, (void *)(long)sig); /* ESRCH: killed meanwhile, its exit follows */
}

static void on_seccomp(struct sv_thread *t, pid_t tid)
{
	struct __ptrace_syscall_info info;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info);

	if (n <= 0 || info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
		resume(tid, PTRACE_CONT, 0);
		return;
	}
	unsigned int ev = info.seccomp.ret_data;
	if (ev == SV_EV_PTRACE) {
		kvmrc_log_once(KVMRC_LOG_WARN, "supervisor: process %d called ptrace(2): a supervised VMM cannot "
			       "trace (its tracees would escape the supervisor); the call fails with EPERM",
			       (int)sv_thread_tgid(t));
		sv_regs_skip(tid, -EPERM);
		resume(tid, PTRACE_CONT, 0);
		return;
	}
	if (ev == SV_EV_TEST_RESULT) {
		if (sv_test_mode && sv_track_pending(t))
			sv_regs_skip(tid, (long)sv_track_exit(t, (int64_t)info.seccomp.args[2]));
		resume(tid, PTRACE_CONT, 0);
		return;
	}
	uint64_t args[6];
	memcpy(args, info.seccomp.args, sizeof(args));
	int need_exit = sv_track_enter(t, ev, args);
	/* test mode: an emulated KVM ioctl's result comes as an SV_TEST_RESULT
	 * call, not at this call's exit (mmap's and dup's are real ones) */
	resume(tid, need_exit && (!sv_test_mode || ev == SV_EV_MMAP || ev == SV_EV_DUP || ev == SV_EV_FDUP)
			     ? PTRACE_SYSCALL : PTRACE_CONT, 0);
}

static void on_syscall_exit(struct sv_thread *t, pid_t tid)
{
	struct __ptrace_syscall_info info;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info);

	if (n > 0 && info.op == PTRACE_SYSCALL_INFO_EXIT && sv_track_pending(t)) {
		int64_t fin = sv_track_exit(t, info.exit.rval);
		if (fin != info.exit.rval)
			sv_regs_set_return(tid, (long)fin);
	}
	resume(tid, PTRACE_CONT, 0);
}

static void on_stop(pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	struct sv_thread *t = sv_thread_get(tid);
	unsigned long msg = 0;

	if (!t) {
		kvmrc_log_once(KVMRC_LOG_WARN, "supervisor: too many threads; thread %d runs unsupervised", (int)tid);
		resume(tid, PTRACE_CONT, event ? 0 : sig);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp(t, tid);
		return;
	case 0:
		if (sig == (SIGTRAP | 0x80))
			on_syscall_exit(t, tid);
		else
			resume(tid, PTRACE_CONT, sig); /* signal-delivery stop: the signal goes on unchanged */
		return;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			resume(tid, PTRACE_LISTEN, 0); /* group stop: stays stopped, as without us */
		else
			resume(tid, PTRACE_CONT, 0);   /* a new tracee's first stop */
		return;
	case PTRACE_EVENT_EXEC:
		/* a thread that is not the leader exec()s under the leader's tid */
		if (!ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) && (pid_t)msg != tid)
			sv_thread_gone((pid_t)msg);
		sv_fds_exec(tid);
		if (tid == root)
			name_vmm();
		resume(tid, PTRACE_CONT, 0);
		return;
	case PTRACE_EVENT_EXIT:
		/* the launcher waits for this pid: the stats and the recording
		 * are complete before it returns */
		if (tid == root)
			kvmrc_record_flush();
		if (tid == root && kvmrc_cfg.stats_path[0] && kvmrc_fdt_ready())
			kvmrc_stats_write();
		if (tid == root)
			kvmrc_log_flush();
		resume(tid, PTRACE_CONT, 0);
		return;
	default: /* CLONE, FORK, VFORK: the child is auto-attached */
		resume(tid, PTRACE_CONT, 0);
		return;
	}
}

int main(int argc, char **argv)
{
	int ready = -1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--tracee"))
			root = (pid_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--ready-fd"))
			ready = atoi(argv[i + 1]);
	}
	if (root <= 0 || ready < 0) {
		fprintf(stderr, "usage: kvmrun-compat-supervise --tracee PID --ready-fd FD "
				"(started by kvmrun-compat --supervise)\n");
		return 2;
	}
	const char *tm = getenv(SV_TEST_ENV);
	sv_test_mode = tm && !strcmp(tm, "1");
	sv_remote_test_deny(); /* KVMRC_SUPERVISE_TEST_DENY: the process_vm path on a kernel with pidfd_getfd */
	signal(SIGPIPE, SIG_IGN);
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
		    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SEIZE, root, 0, (void *)opts)) {
		fprintf(stderr, "kvmrun-compat: supervisor: cannot trace process %d: %s (supervisor mode needs "
				"ptrace permission over the VMM: same user and no Yama restriction, or CAP_SYS_PTRACE)\n",
			(int)root, strerror(errno));
		return 1;
	}
	/* 'A': --abi is set, the wrapper's filter stops the capability ioctls too */
	if (write(ready, sv_abi_on() ? "A" : "R", 1) != 1)
		return 1;
	close(ready);
	for (;;) {
		int status;
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing traced any more */
		}
		if (WIFSTOPPED(status)) {
			on_stop(tid, status);
			continue;
		}
		struct sv_thread *t = sv_thread_get(tid);
		int leader = t && sv_thread_tgid(t) == tid;
		sv_thread_gone(tid);
		if (leader)
			sv_fds_forget_process(tid);
	}
	return 0;
}

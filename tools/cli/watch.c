/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * watch.c - did ld.so really load the library?  ld.so runs a program whose
 * preload failed after one message that is easy to miss, so the wrapper
 * checks from outside.  The wrapper keeps its PID (it exec()s the command,
 * so signals, job control and the exit status stay the command's own); a
 * detached grandchild does the watching:
 *
 *   - it holds /proc/<pid> open, so a reused PID can never fool it;
 *   - a close-on-exec pipe tells it when the exec happened;
 *   - it reads /proc/<pid>/maps until the decision is possible: ld.so maps
 *     LD_PRELOAD objects in order before anything else, and our library is
 *     first, so any file mapped besides the program and its interpreter means
 *     the preload phase is over.  Library mapped then: silent.  Not: one
 *     line (and in strict mode the command is killed).  Process gone, or a
 *     different program than expected (binfmt emulators): silent.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

struct cli_watch {
	int pipe_w;
};

struct ident {
	dev_t dev;
	ino_t ino;
	int ok;
};

static struct ident ident_of(int dirfd, const char *path)
{
	struct stat st;
	struct ident id = { 0, 0, 0 };

	if (fstatat(dirfd, path, &st, 0) == 0)
		id = (struct ident){ st.st_dev, st.st_ino, 1 };
	return id;
}

static int same(const struct ident *a, unsigned int maj, unsigned int min, unsigned long ino)
{
	return a->ok && major(a->dev) == maj && minor(a->dev) == min && a->ino == (ino_t)ino;
}

enum verdict { PENDING, LOADED, MISSING, UNKNOWN };

/* A zombie (exited, not yet reaped) has no mappings and never will. */
static int exited(int procfd)
{
	char buf[512];
	int fd = openat(procfd, "stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* "pid (comm) S ..." */
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

static enum verdict look(int procfd, const struct ident *lib, const struct ident *interp,
			 const struct ident *exe)
{
	char buf[8192], line[1024];
	size_t ll = 0;
	int others = 0, lines = 0, seen = 0;
	int fd = openat(procfd, "maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return UNKNOWN;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			close(fd);
			return UNKNOWN;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = 0;
			ll = 0;
			lines++;
			unsigned int maj, min;
			unsigned long ino;
			if (sscanf(line, "%*s %*s %*s %x:%x %lu", &maj, &min, &ino) != 3 || ino == 0)
				continue;
			if (same(lib, maj, min, ino))
				seen = 1;
			else if (!same(interp, maj, min, ino) && !same(exe, maj, min, ino))
				others = 1;
		}
	}
	close(fd);
	if (!lines) /* just after exec (not mapped yet), or exited */
		return exited(procfd) ? UNKNOWN : PENDING;
	/* decide only once ld.so is past the preloads: it maps a file it then
	 * rejects (a PIE, say) before rejecting it */
	return !others ? PENDING : seen ? LOADED : MISSING;
}

static void pause_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static void watcher(int procfd, int pipe_r, pid_t pid, const char *libpath, struct ident lib,
		    struct ident interp, struct ident want_exe, int strict)
{
	char c;

	if (read(pipe_r, &c, 1) != 0)
		return;         /* exec failed; the wrapper reports it */
	struct ident exe = ident_of(procfd, "exe");
	if (!exe.ok || exe.dev != want_exe.dev || exe.ino != want_exe.ino)
		return;         /* not the program we examined (binfmt emulator, race) */
	long us = 100;
	for (long waited = 0; waited < 10 * 1000000L; waited += us, us = us < 20000 ? us * 2 : us) {
		switch (look(procfd, &lib, &interp, &exe)) {
		case PENDING:
			pause_us(us);
			continue;
		case MISSING:
			if (strict && kill(pid, SIGKILL) == 0)
				cli_err("%s was not loaded into process %ld; strict mode: process killed",
					libpath, (long)pid);
			else
				cli_err("%s was not loaded into process %ld: the command runs without the "
					"shim (see the dynamic loader's message above)", libpath, (long)pid);
			return;
		case LOADED:
		case UNKNOWN:
			return;
		}
	}
}

struct cli_watch *cli_watch_start(const char *libpath, const struct cli_elf *elf, int strict)
{
	static struct cli_watch w;
	char procdir[64];
	int p[2];

	struct ident lib = ident_of(AT_FDCWD, libpath);
	struct ident interp = ident_of(AT_FDCWD, elf->interp);
	struct ident exe = ident_of(AT_FDCWD, elf->path);
	if (!lib.ok || !interp.ok || !exe.ok)
		return NULL;
	pid_t self = getpid();
	snprintf(procdir, sizeof(procdir), "/proc/%ld", (long)self);
	int procfd = open(procdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return NULL;
	if (pipe2(p, O_CLOEXEC)) {
		close(procfd);
		return NULL;
	}
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		close(procfd), close(p[0]), close(p[1]);
		return NULL;
	}
	if (child == 0) {
		/* double fork: the grandchild is nobody's child the command knows */
		if (fork() != 0)
			_exit(0);
		close(p[1]);
		if (chdir("/")) {
			/* keep going: only the mount stays pinned */
		}
		int keep[] = { 2, procfd, p[0] };
		for (int fd = 0; fd < 1024; fd++)
			if (fd != keep[0] && fd != keep[1] && fd != keep[2])
				close(fd);
		signal(SIGPIPE, SIG_IGN);
		watcher(procfd, p[0], self, libpath, lib, interp, exe, strict);
		_exit(0);
	}
	close(procfd);
	close(p[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	w.pipe_w = p[1];
	return &w;
}

void cli_watch_cancel(struct cli_watch *w)
{
	if (!w)
		return;
	ssize_t n = write(w->pipe_w, "x", 1);
	(void)n;
	close(w->pipe_w);
}

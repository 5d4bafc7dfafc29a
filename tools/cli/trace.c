/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trace.c - kvmrun-compat trace, decode and --record.
 *
 *   trace [-o FILE] [--vcpu N] [--] [OPTIONS --] COMMAND: runs COMMAND under
 *     the shim (this same program, as the wrapper, with the wrapper's
 *     OPTIONS) with KVMRUN_COMPAT_RECORD naming
 *     a FIFO, and decodes what comes out of it as it comes (decode.c);
 *   decode [-o FILE] [--vcpu N] FILE: the same lines from a recording;
 *   --record FILE (wrapper option): the recording itself, FILE truncated.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "decode.h"

struct tr_opts {
	const char *out;
	long vcpu;
};

static int tr_parse(int argc, char **argv, struct tr_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "vcpu", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->out = NULL;
	o->vcpu = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			errno = 0;
			o->vcpu = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || o->vcpu < 0 || o->vcpu > 0xffffffffl) {
				cli_err("bad value '%s' for --vcpu (a vCPU id)", optarg);
				return -1;
			}
			break;
		case 'h':
			printf("Usage: kvmrun-compat trace [-o FILE] [--vcpu N] [--] [OPTIONS --] COMMAND [ARG...]\n"
			       "       kvmrun-compat decode [-o FILE] [--vcpu N] RECORDING\n"
			       "One line per KVM exit: time, vCPU, KVM_RUN's result, the exit, its fields\n"
			       "and what the shim did.  See kvmrun-compat(1).\n");
			exit(0);
		default:
			cli_err("try 'kvmrun-compat %s --help'", argv[0]);
			return -1;
		}
	}
	return 0;
}

static FILE *tr_output(const char *path)
{
	if (!path)
		return stdout;
	FILE *f = fopen(path, "we");
	if (!f)
		cli_err("cannot write %s: %s", path, strerror(errno));
	return f;
}

int cli_decode(int argc, char **argv)
{
	struct tr_opts o;
	char msg[256];

	if (tr_parse(argc, argv, &o))
		return CLI_EXIT_USAGE;
	if (optind != argc - 1) {
		cli_err("decode takes one recording; try 'kvmrun-compat decode --help'");
		return CLI_EXIT_USAGE;
	}
	const char *file = argv[optind];
	FILE *in = fopen(file, "re");
	if (!in) {
		cli_err("%s: %s", file, strerror(errno));
		return 1;
	}
	/* checked whole first: a bad file prints one line and nothing else */
	struct rec_decoder *check = rec_decoder_new(NULL, -1);
	uint8_t buf[65536];
	size_t n;
	int bad = !check;
	while (!bad && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad = rec_decoder_feed(check, buf, n, msg, sizeof(msg)) != 0;
	if (!bad && ferror(in))
		bad = snprintf(msg, sizeof(msg), "%s", strerror(errno)) > 0;
	if (!bad)
		bad = rec_decoder_end(check, msg, sizeof(msg)) != 0;
	rec_decoder_free(check);
	if (bad) {
		cli_err("%s: %s", file, msg);
		fclose(in);
		return 1;
	}
	FILE *out = tr_output(o.out);
	if (!out) {
		fclose(in);
		return CLI_EXIT_USAGE;
	}
	struct rec_decoder *d = rec_decoder_new(out, o.vcpu);
	rewind(in);
	while (d && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		rec_decoder_feed(d, buf, n, msg, sizeof(msg));
	if (d)
		rec_decoder_end(d, msg, sizeof(msg));
	rec_decoder_free(d);
	fclose(in);
	return fclose(out) == 0 || out == stdout ? 0 : 1;
}

int cli_trace(int argc, char **argv, const char *self)
{
	struct tr_opts o;
	char dir[] = "/tmp/kvmrun-compat-trace.XXXXXX", fifo[64], msg[256];

	if (tr_parse(argc, argv, &o))
		return CLI_EXIT_USAGE;
	if (optind >= argc) {
		cli_err("trace: no COMMAND given; try 'kvmrun-compat trace --help'");
		return CLI_EXIT_USAGE;
	}
	FILE *out = tr_output(o.out);
	if (!out)
		return CLI_EXIT_USAGE;
	if (!mkdtemp(dir)) {
		cli_err("trace: cannot make a directory in /tmp: %s", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	snprintf(fifo, sizeof(fifo), "%s/exits", dir);
	if (mkfifo(fifo, 0600)) {
		cli_err("trace: cannot make %s: %s", fifo, strerror(errno));
		rmdir(dir);
		return CLI_EXIT_USAGE;
	}
	/* read and write: the shim's writer opens and closes it for each batch */
	int fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || setenv("KVMRUN_COMPAT_RECORD", fifo, 1)) {
		cli_err("trace: cannot open %s: %s", fifo, strerror(errno));
		unlink(fifo);
		rmdir(dir);
		return CLI_EXIT_USAGE;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		cli_err("trace: fork: %s", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if (pid == 0) {
		/* the wrapper proper: this program with the rest, so that the
		 * wrapper's options may come before COMMAND */
		char **av = calloc((size_t)(argc - optind) + 2, sizeof(*av));
		if (!av)
			_exit(CLI_EXIT_USAGE);
		av[0] = (char *)"kvmrun-compat";
		for (int i = optind; i < argc; i++)
			av[1 + i - optind] = argv[i];
		execv(self, av);
		cli_err("trace: cannot execute %s: %s", self, strerror(errno));
		_exit(CLI_EXIT_CANNOT);
	}
	signal(SIGINT, SIG_IGN); /* the command gets it and ends; its last records still come */
	struct rec_decoder *d = rec_decoder_new(out, o.vcpu);
	int status = 0, done = 0, bad = !d, got = 0;
	uint8_t buf[65536];
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, done ? 0 : 100);
		ssize_t n = pr > 0 ? read(fd, buf, sizeof(buf)) : 0;
		if (n > 0) {
			got = 1;
			if (!bad && rec_decoder_feed(d, buf, (size_t)n, msg, sizeof(msg))) {
				cli_err("trace: %s", msg);
				bad = 1;
			}
			fflush(out);
			continue;
		}
		if (done)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = 1; /* one more pass: what the destructor wrote */
	}
	if (!bad && got && rec_decoder_end(d, msg, sizeof(msg))) {
		cli_err("trace: %s", msg);
		bad = 1;
	}
	if (!got)
		cli_err("trace: no exit was recorded (no vCPU ran under the shim)");
	rec_decoder_free(d);
	close(fd);
	unlink(fifo);
	rmdir(dir);
	if (out != stdout)
		fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvmrun-compat - run a command with libkvmrun-compat preloaded.
 *
 *   kvmrun-compat [OPTIONS] [--] COMMAND [ARG...]
 *   kvmrun-compat --probe [--json] [--arch ARCH] [--kernel X.Y]
 *   kvmrun-compat --rules [--json] [--arch ARCH]
 *
 * Options become KVMRUN_COMPAT_* variables, the library goes first in
 * LD_PRELOAD, and the wrapper exec()s the command, which keeps the wrapper's
 * PID and returns its own exit status.  Exit codes of the wrapper itself:
 * 125 usage or configuration error, 126 COMMAND cannot run under the shim,
 * 127 COMMAND not found (as env(1) and timeout(1)).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: kvmrun-compat [OPTIONS] [--] COMMAND [ARG...]\n"
"       kvmrun-compat --probe [--json] [--arch ARCH] [--kernel X.Y]\n"
"       kvmrun-compat --rules [--json] [--arch ARCH]\n"
"       kvmrun-compat trace [-o FILE] [--vcpu N] [--] [OPTIONS --] COMMAND [ARG...]\n"
"       kvmrun-compat decode [-o FILE] [--vcpu N] RECORDING\n"
"\n"
"Run COMMAND (a VMM) with libkvmrun-compat preloaded, so that the struct kvm_run\n"
"fields the running kernel did not write read as the KVM ABI says.\n"
"\n"
"  -m, --mode=on|off          apply the rules (on, default) or pass through\n"
"  -s, --strict               refuse to run on a configuration problem, or when\n"
"                             the library did not load, instead of failing open\n"
"  -a, --arch=ARCH            kvm_run layout of the kernel: x86_64, arm64, ...\n"
"  -f, --fail-entry=POLICY    on KVM_EXIT_FAIL_ENTRY: pass, abort or exit\n"
"  -l, --log=TARGET           stderr (default), syslog or an absolute file name\n"
"  -L, --log-level=LEVEL      none, error, warn (default), info or debug\n"
"  -S, --stats=FILE           write per-rule and per-vCPU counters as JSON at exit\n"
"      --stats-format=FORMAT  json (default) or prometheus (textfile collector)\n"
"      --stats-interval=SECS  also rewrite the stats file every SECS seconds\n"
"      --record=FILE          record every exit to FILE (kvmrun-compat decode FILE)\n"
"      --poison[=BYTE]        fill exit bytes the kernel did not write with BYTE (0xa5)\n"
"                             instead of zero: careless reads fail in VMM CI\n"
"      --raw-syscalls         also scrub KVM_RUNs the VMM issues as inline system calls\n"
"                             (a seccomp trap and a SIGSYS handler; dynamic VMMs)\n"
"      --abi=VERSION          show kernel VERSION's exit ABI (e.g. 5.10): newer capabilities\n"
"                             read 0 and cannot be enabled, newer flag bits read 0, fields\n"
"                             VERSION never wrote read the poison byte, exits it could not\n"
"                             produce are logged once; with --probe: list them\n"
"      --abi-stale            with --abi: those fields keep the previous exit's bytes,\n"
"                             as VERSION leaves them\n"
"      --only-cmds=NAME,...   act only in programs with these names\n"
"      --skip-cmds=NAME,...   leave programs with these names alone\n"
"  -c, --config=FILE          read FILE instead of %s/kvmrun-compat.conf\n"
"      --no-check             do not check that the library loaded\n"
"      --supervise            reach COMMAND from a tracing supervisor instead of\n"
"                             LD_PRELOAD (seccomp + ptrace; automatic for a\n"
"                             statically linked COMMAND)\n"
"  -v, --verbose              say what is preloaded and executed\n"
"      --probe                report this host's KVM and which rules act on it\n"
"      --rules                list the rule table\n"
"      --json                 --probe and --rules: print JSON\n"
"      --kernel=X.Y           --probe: judge rules for this kernel version\n"
"  -h, --help                 this help\n"
"  -V, --version              versions of the command and of the library\n"
"\n"
"Exit status: that of COMMAND; 125 usage or configuration error; 126 COMMAND\n"
"cannot run under the shim (set-user-ID, other ELF machine, supervisor failed)\n"
"or is not executable; 127 COMMAND not found.  --probe: 1 when /dev/kvm is\n"
"absent or not permitted.\n"
"Environment: KVMRUN_COMPAT_LIBRARY names the file to preload instead of\n"
"%s/" CLI_PRELOAD_NAME ".\n"
"See kvmrun-compat(1) and kvmrun-compat(7).\n", SYSCONFDIR, PKGLIBDIR);
}

static int one_of(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (!strcasecmp(v, *list))
			return 1;
	return 0;
}

static int bad(const char *opt, const char *v, const char *allowed)
{
	cli_err("bad value '%s' for --%s (%s)", v, opt, allowed);
	return CLI_EXIT_USAGE;
}

/* KVMRUN_COMPAT_<key>=value, with a relative file name made absolute. */
static int set_path(const char *key, const char *opt, const char *v)
{
	char buf[PATH_MAX], name[64];

	if (!*v)
		return bad(opt, v, "a file name");
	if (v[0] != '/') {
		if (!getcwd(buf, sizeof(buf)) || strlen(buf) + strlen(v) + 2 > sizeof(buf))
			return bad(opt, v, "cannot make the file name absolute");
		strcat(buf, "/");
		strcat(buf, v);
		v = buf;
	}
	if (strlen(v) >= 256)
		return bad(opt, v, "an absolute file name shorter than 256 bytes");
	snprintf(name, sizeof(name), "KVMRUN_COMPAT_%s", key);
	return setenv(name, v, 1) ? CLI_EXIT_USAGE : 0;
}

static int set_opt(int c, const char *v, int *strict)
{
	static const char *const modes[] = { "on", "off", NULL };
	static const char *const arches[] = { "x86_64", "arm64", "riscv64", "s390x", "aarch64", "amd64", NULL };
	static const char *const policies[] = { "pass", "abort", "exit", NULL };
	static const char *const levels[] = { "none", "error", "warn", "warning", "info", "debug", NULL };
	const char *key;

	switch (c) {
	case 'm':
		if (!one_of(v, modes))
			return bad("mode", v, "on or off");
		key = "MODE";
		break;
	case 's':
		*strict = 1;
		key = "STRICT", v = "1";
		break;
	case 'N':
		*strict = 0;
		key = "STRICT", v = "0";
		break;
	case 'a':
		if (!one_of(v, arches))
			return bad("arch", v, "x86_64, arm64, riscv64 or s390x");
		key = "ARCH";
		break;
	case 'f':
		if (!one_of(v, policies))
			return bad("fail-entry", v, "pass, abort or exit");
		key = "FAIL_ENTRY";
		break;
	case 'l':
		if (!strcasecmp(v, "stderr") || !strcasecmp(v, "syslog")) {
			key = "LOG";
			break;
		}
		return set_path("LOG", "log", v);
	case 'L':
		if (!one_of(v, levels))
			return bad("log-level", v, "none, error, warn, info or debug");
		key = "LOG_LEVEL";
		break;
	case 'S':
		return set_path("STATS", "stats", v);
	case 'c':
		return set_path("CONFIG", "config", v);
	case 'D': {
		/* a fresh file: the shim appends to it (trace.c decodes it) */
		int fd = open(v, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			cli_err("cannot create the recording %s: %s", v, strerror(errno));
			return CLI_EXIT_USAGE;
		}
		close(fd);
		return set_path("RECORD", "record", v);
	}
	case 'F': {
		static const char *const formats[] = { "json", "prometheus", NULL };
		if (!one_of(v, formats))
			return bad("stats-format", v, "json or prometheus");
		key = "STATS_FORMAT";
		break;
	}
	case 'P': {
		char *end;
		unsigned long n = strtoul(v, &end, 0);
		if (!*v || *end || v[0] == '-' || n > 255)
			return bad("poison", v, "a byte, 0 to 255 (0xa5 when given without a value)");
		key = "POISON";
		break;
	}
	case 'T':
		key = "ABI_STALE", v = "1";
		break;
	case 'R':
		key = "RAW_SYSCALLS", v = "1";
		break;
	case 'B':
		/* the library judges the version (one line; refusal in strict mode) */
		if (!*v)
			return bad("abi", v, "a kernel release such as 5.10");
		key = "ABI";
		break;
	case 'I':
		if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 5 || atoi(v) > 86400)
			return bad("stats-interval", v, "seconds, 0 to 86400");
		key = "STATS_INTERVAL";
		break;
	case 'O':
	case 'K':
		if (!*v || strchr(v, '/') || strchr(v, ' '))
			return bad(c == 'O' ? "only-cmds" : "skip-cmds", v, "program names separated by commas");
		key = c == 'O' ? "ONLY_CMDS" : "SKIP_CMDS";
		break;
	default:
		return CLI_EXIT_USAGE;
	}
	char name[64];
	snprintf(name, sizeof(name), "KVMRUN_COMPAT_%s", key);
	return setenv(name, v, 1) ? CLI_EXIT_USAGE : 0;
}

static int version(void)
{
	struct cli_api api;
	const char *name = cli_library_preload_name();

	printf("kvmrun-compat %s\n", PACKAGE_VERSION);
	fflush(stdout);
	if (cli_api_open(&api))
		return 1;
	printf("library: %s %s (LD_PRELOAD=%s)\n", cli_library_path(), api.version(), name);
	return 0;
}

static int env_true(const char *name)
{
	const char *v = getenv(name);
	return v && (!strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
		     !strcasecmp(v, "true"));
}

/* Is the wrapper's own notice level on (KVMRUN_COMPAT_LOG_LEVEL warn or more)? */
static int notices(void)
{
	const char *l = getenv("KVMRUN_COMPAT_LOG_LEVEL");
	return !l || (strcasecmp(l, "none") && strcasecmp(l, "error"));
}

static int run(char **argv, int strict, int check, int supervise)
{
	struct cli_elf lib, elf;
	const char *libpath = cli_library_path();
	int r = cli_elf_read(libpath, &lib);

	if (r) {
		cli_err("cannot use the library %s: %s (package libkvmrun-compat0; KVMRUN_COMPAT_LIBRARY "
			"names another file)", libpath, strerror(-r));
		return CLI_EXIT_USAGE;
	}
	char *cmd = cli_find_command(argv[0]);
	if (!cmd) {
		if (errno == ENOENT) {
			cli_err("%s: command not found", argv[0]);
			return CLI_EXIT_NOTFOUND;
		}
		cli_err("%s: %s", argv[0], strerror(errno));
		return CLI_EXIT_CANNOT;
	}
	r = cli_check_command(cmd, &lib, &elf, 1);
	if (r)
		return r;
	/* the wrapper's own variable: the library would call it an unknown setting */
	unsetenv("KVMRUN_COMPAT_LIBRARY");
	if (!supervise && !elf.dynamic && notices())
		cli_err("%s is statically linked: LD_PRELOAD cannot reach it; running it under the supervisor "
			"(each KVM_RUN costs two ptrace stops; see SUPERVISOR MODE in kvmrun-compat(1))", cmd);
	if (supervise || !elf.dynamic) {
		r = cli_supervise_start(cmd, argv[0]);
		if (r)
			return r;
		check = 0;
	} else if (cli_preload_prepend(cli_library_preload_name())) {
		cli_err("cannot set LD_PRELOAD: %s", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if (cli_verbose) {
		extern char **environ;
		for (char **e = environ; *e; e++)
			if (!strncmp(*e, "KVMRUN_COMPAT_", 14) || !strncmp(*e, "LD_PRELOAD=", 11))
				cli_err("%s", *e);
		cli_err("exec %s", cmd);
	}
	struct cli_watch *w = check ? cli_watch_start(libpath, &elf, strict) : NULL;
	execv(cmd, argv);
	int e = errno;
	if (e == ENOEXEC) {
		/* as execvp(): a file without "#!" is a shell script */
		int n = 0;
		while (argv[n])
			n++;
		char **sh = calloc((size_t)n + 2, sizeof(*sh));
		if (sh) {
			sh[0] = (char *)"/bin/sh";
			sh[1] = cmd;
			for (int i = 1; i <= n; i++)
				sh[i + 1] = argv[i];
			execv("/bin/sh", sh);
			e = errno;
		}
	}
	cli_watch_cancel(w);
	cli_err("cannot execute %s: %s", cmd, strerror(e));
	return e == ENOENT ? CLI_EXIT_NOTFOUND : CLI_EXIT_CANNOT;
}

int main(int argc, char **argv)
{
	enum { OPT_PROBE = 256, OPT_RULES, OPT_JSON, OPT_KERNEL, OPT_NO_CHECK, OPT_SUPERVISE };
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "strict", no_argument, NULL, 's' },
		{ "no-strict", no_argument, NULL, 'N' },
		{ "arch", required_argument, NULL, 'a' },
		{ "fail-entry", required_argument, NULL, 'f' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "stats", required_argument, NULL, 'S' },
		{ "stats-format", required_argument, NULL, 'F' },
		{ "stats-interval", required_argument, NULL, 'I' },
		{ "record", required_argument, NULL, 'D' },
		{ "poison", optional_argument, NULL, 'P' },
		{ "abi", required_argument, NULL, 'B' },
		{ "raw-syscalls", no_argument, NULL, 'R' },
		{ "abi-stale", no_argument, NULL, 'T' },
		{ "only-cmds", required_argument, NULL, 'O' },
		{ "skip-cmds", required_argument, NULL, 'K' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-check", no_argument, NULL, OPT_NO_CHECK },
		{ "supervise", no_argument, NULL, OPT_SUPERVISE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "rules", no_argument, NULL, OPT_RULES },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	int action = 0, check = 1, supervise = 0, c, r;
	int strict = env_true("KVMRUN_COMPAT_STRICT");

	/* exits, one line each: trace a command, or decode a recording (trace.c) */
	if (argc > 1 && !strcmp(argv[1], "decode"))
		return cli_decode(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "trace")) {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0) {
			cli_err("trace: cannot find this program (/proc/self/exe): %s", strerror(errno));
			return CLI_EXIT_USAGE;
		}
		self[n] = 0;
		return cli_trace(argc - 1, argv + 1, self);
	}
	/* "kvmrun-compat probe" and "kvmrun-compat rules" as subcommands */
	if (argc > 1 && (!strcmp(argv[1], "probe") || !strcmp(argv[1], "rules"))) {
		action = argv[1][0] == 'p' ? OPT_PROBE : OPT_RULES;
		argv[1] = argv[0];
		argv++, argc--;
	}
	while ((c = getopt_long(argc, argv, "+m:sa:f:l:L:S:c:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			return version();
		case 'v':
			cli_verbose = 1;
			break;
		case OPT_PROBE:
		case OPT_RULES:
			action = c;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_KERNEL:
			o.kernel = optarg;
			break;
		case OPT_NO_CHECK:
			check = 0;
			break;
		case OPT_SUPERVISE:
			supervise = 1;
			break;
		case '?':
			/* getopt said what was wrong */
			cli_err("try 'kvmrun-compat --help'");
			return CLI_EXIT_USAGE;
		default:
			if (c == 'a')
				o.arch = optarg;
			if (c == 'B')
				o.abi = optarg;
			r = set_opt(c, c == 'P' && !optarg ? "0xa5" : optarg, &strict);
			if (r)
				return r;
		}
	}
	if (action == OPT_PROBE || action == OPT_RULES) {
		if (optind < argc) {
			cli_err("--%s takes no COMMAND ('%s')", action == OPT_PROBE ? "probe" : "rules", argv[optind]);
			return CLI_EXIT_USAGE;
		}
		return action == OPT_PROBE ? cli_probe(&o) : cli_rules(&o);
	}
	if (o.json || o.kernel) {
		cli_err("--json and --kernel go with --probe or --rules");
		return CLI_EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_err("no COMMAND given; try 'kvmrun-compat --help'");
		return CLI_EXIT_USAGE;
	}
	return run(argv + optind, strict, check, supervise);
}

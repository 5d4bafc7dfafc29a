/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h - the parts of the kvmrun-compat command.  One file per concern:
 *   exec.c     find COMMAND, look at its ELF headers, refuse what cannot work
 *   preload.c  which library to preload and how to name it in LD_PRELOAD
 *   watch.c    after exec: check that ld.so really loaded the library
 *   api.c      the library's public API, opened with dlopen()
 *   rules.c    --rules
 *   probe.c    --probe
 *   out.c      tables and JSON
 *   supervise.c  supervisor mode: start the supervisor, load the filter
 */
#ifndef KVMRC_CLI_H
#define KVMRC_CLI_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "kvmrun-compat.h"

/* Exit codes of the wrapper itself (as env(1), nice(1), timeout(1)). */
#define CLI_EXIT_USAGE     125 /* bad option or value, library missing */
#define CLI_EXIT_CANNOT    126 /* COMMAND found but cannot run under the shim */
#define CLI_EXIT_NOTFOUND  127 /* COMMAND not found */
#define CLI_EXIT_NOKVM     1   /* --probe: /dev/kvm absent or not permitted */

/* The object to preload (the link library, libkvmrun-compat.so.0, interposes
 * nothing); installed in PKGLIBDIR. */
#define CLI_PRELOAD_NAME "libkvmrun-compat-preload.so"

/* Prints "kvmrun-compat: " + message + "\n" to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int cli_verbose;

/* ---- exec.c ---- */
struct cli_elf {
	int elf_class;          /* ELFCLASS32 / ELFCLASS64, 0 if not ELF */
	int machine;            /* e_machine */
	int dynamic;            /* has PT_INTERP */
	char path[256];         /* the file (set by cli_check_command) */
	char interp[256];       /* PT_INTERP */
};

/* Reads the ELF header and program headers of path.  Returns 0, or -errno
 * (-ENOEXEC when the file is not a readable ELF object). */
int cli_elf_read(const char *path, struct cli_elf *out);
const char *cli_elf_machine_name(int machine);

/* Where execvp() would find name: a malloc()ed path, or NULL with errno
 * (ENOENT: nowhere on PATH; EACCES: found, but not executable). */
char *cli_find_command(const char *name);

/*
 * Decides whether cmd (a path) can run with lib preloaded: follows "#!"
 * interpreters, and refuses static (unless supervise: then elf->dynamic
 * says), set-user-ID/capability and foreign-ELF programs with one clear line.  On success fills *elf with the ELF that
 * ld.so will run (the final interpreter of a script).  Returns 0 or an exit
 * code (CLI_EXIT_CANNOT, CLI_EXIT_NOTFOUND).
 */
int cli_check_command(const char *cmd, const struct cli_elf *lib, struct cli_elf *elf, int supervise);

/* ---- supervise.c ---- */
/* The helper program: $KVMRUN_COMPAT_SUPERVISOR, else
 * PKGLIBEXECDIR/kvmrun-compat-supervise. */
const char *cli_supervisor_path(void);
/* Starts the supervisor, lets it seize this process and loads the seccomp
 * filter; the caller exec()s cmd next.  Returns 0, or an exit code after one
 * line saying why. */
/* name: COMMAND's argv[0], whose base name --only-cmds/--skip-cmds judge */
int cli_supervise_start(const char *cmd, const char *name);

/* ---- preload.c ---- */
/* The file to preload: $KVMRUN_COMPAT_LIBRARY, else
 * PKGLIBDIR/libkvmrun-compat-preload.so.  Never NULL. */
const char *cli_library_path(void);
/* The same library as LD_PRELOAD should name it: "/usr/$LIB/..." when the
 * installed path is the dynamic loader's $LIB directory, else the path. */
const char *cli_library_preload_name(void);
/* Puts name first in LD_PRELOAD (removing other copies). 0 or -errno. */
int cli_preload_prepend(const char *name);

/* ---- watch.c ---- */
struct cli_watch;
/* Before exec: start a detached watcher that, once this process has
 * exec()ed, waits for ld.so to finish preloading and says so in one line if
 * the library is not mapped.  strict: kill the command then.  Returns NULL
 * when the check cannot be made (no /proc); never fails the run. */
struct cli_watch *cli_watch_start(const char *lib, const struct cli_elf *elf, int strict);
/* exec() failed: tell the watcher to go away. */
void cli_watch_cancel(struct cli_watch *w);

/* ---- api.c ---- */
struct cli_api {
	const char *(*version)(void);
	const char *(*arch_name)(enum kvmrun_compat_arch);
	enum kvmrun_compat_arch (*arch_from_name)(const char *);
	enum kvmrun_compat_arch (*host_arch)(void);
	size_t (*rule_count)(void);
	int (*rule_get)(size_t, struct kvmrun_compat_rule_info *);
	int (*rule_vouch)(size_t, struct kvmrun_compat_vouch *);
};
/* Opens the library at cli_library_path() with its configuration switched
 * off (so it neither reads nor reports the caller's settings).  Returns 0, or
 * prints why not and returns CLI_EXIT_USAGE. */
int cli_api_open(struct cli_api *api);

/* ---- out.c ---- */
void json_str(FILE *f, const char *s);
const char *cli_exit_name(unsigned int exit_reason);

/* ---- rules.c / probe.c ---- */
struct cli_opts {
	int json;
	const char *arch;       /* --arch, or NULL */
	const char *kernel;     /* --kernel X.Y for --probe, or NULL */
	const char *abi;        /* --abi VERSION: --probe lists the capabilities it hides */
};
int cli_rules(const struct cli_opts *o);
/* ---- trace.c: argv[0] is "trace" / "decode"; self: this program ---- */
int cli_trace(int argc, char **argv, const char *self);
int cli_decode(int argc, char **argv);
int cli_probe(const struct cli_opts *o);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * preload.c - which file to preload and how to write it in LD_PRELOAD.
 *
 * Installed, the preload object is PKGLIBDIR/libkvmrun-compat-preload.so,
 * PKGLIBDIR being LIBDIR/kvmrun-compat.  When LIBDIR is the directory the
 * dynamic loader calls $LIB (Debian: lib/x86_64-linux-gnu, found here as the
 * directory of our own libc), LD_PRELOAD names it
 * "/usr/$LIB/kvmrun-compat/libkvmrun-compat-preload.so", as faketime does:
 * ld.so then picks the copy of each program's own architecture in a
 * multiarch system.  KVMRUN_COMPAT_LIBRARY names another file (a build
 * tree: .libs/libkvmrun-compat-preload.so) literally.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#ifndef LIBDIR
#define LIBDIR "/usr/local/lib"
#endif
#ifndef PKGLIBDIR
#define PKGLIBDIR LIBDIR "/kvmrun-compat"
#endif

static char lib_path[PATH_MAX];
static char preload_name[PATH_MAX];
static int lib_from_env;

const char *cli_library_path(void)
{
	if (!lib_path[0]) {
		const char *env = getenv("KVMRUN_COMPAT_LIBRARY");
		lib_from_env = env && *env;
		if (lib_from_env)
			snprintf(lib_path, sizeof(lib_path), "%s", env);
		else
			snprintf(lib_path, sizeof(lib_path), "%s/%s", PKGLIBDIR, CLI_PRELOAD_NAME);
	}
	return lib_path;
}

/* "lib/x86_64-linux-gnu": where this process's libc lives, from the root
 * (or from /usr on a merged-/usr system). */
static int loader_lib_dir(char *buf, size_t len)
{
	Dl_info info;

	if (!dladdr((void *)&fprintf, &info) || !info.dli_fname || info.dli_fname[0] != '/')
		return -1;
	const char *f = info.dli_fname;
	const char *slash = strrchr(f, '/');
	if (!strncmp(f, "/usr/", 5))
		f += 4;
	size_t n = (size_t)(slash - f);
	if (n < 2 || n >= len)
		return -1;
	memcpy(buf, f + 1, n - 1);
	buf[n - 1] = 0;
	return 0;
}

const char *cli_library_preload_name(void)
{
	char dir[128];

	if (preload_name[0])
		return preload_name;
	const char *path = cli_library_path();
	snprintf(preload_name, sizeof(preload_name), "%s", path);
	if (lib_from_env || loader_lib_dir(dir, sizeof(dir)))
		return preload_name;
	/* LIBDIR = <root>/<dir>, PKGLIBDIR = LIBDIR<sub>: "<root>/$LIB<sub>/NAME" */
	size_t ll = strlen(LIBDIR), dl = strlen(dir);
	const char *sub = PKGLIBDIR + ll;
	if (ll > dl && LIBDIR[ll - dl - 1] == '/' && !strcmp(LIBDIR + ll - dl, dir) &&
	    !strncmp(PKGLIBDIR, LIBDIR, ll) && (*sub == '/' || !*sub))
		snprintf(preload_name, sizeof(preload_name), "%.*s$LIB%s/%s", (int)(ll - dl), LIBDIR, sub,
			 CLI_PRELOAD_NAME);
	return preload_name;
}

int cli_preload_prepend(const char *name)
{
	const char *old = getenv("LD_PRELOAD");
	size_t cap = strlen(name) + (old ? strlen(old) : 0) + 2;
	char *val = malloc(cap);

	if (!val)
		return -ENOMEM;
	strcpy(val, name);
	if (old) {
		/* ld.so splits LD_PRELOAD at spaces and colons */
		char *copy = strdup(old), *save = NULL;
		if (!copy) {
			free(val);
			return -ENOMEM;
		}
		for (char *t = strtok_r(copy, " :", &save); t; t = strtok_r(NULL, " :", &save)) {
			if (!strcmp(t, name) || !strcmp(t, cli_library_path()))
				continue;
			strcat(val, ":");
			strcat(val, t);
		}
		free(copy);
	}
	int r = setenv("LD_PRELOAD", val, 1) ? -errno : 0;
	free(val);
	return r;
}

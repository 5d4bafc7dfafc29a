/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api.c - the library's public API for --rules, --probe and --version.
 *
 * The wrapper is not linked with the library: a linked copy would run its
 * constructor in the wrapper with the caller's KVMRUN_COMPAT_* settings
 * (reporting them twice, refusing in strict mode, writing a stats file) and
 * would interpose the probe's own ioctl() calls.  Opening the very file the
 * command will preload also proves that file is loadable and says which
 * version it is.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

extern char **environ;

/* No exec follows these modes, so the settings can simply be dropped. */
static void quiet_library_settings(void)
{
	for (;;) {
		char name[128];
		char **e;
		for (e = environ; e && *e; e++)
			if (!strncmp(*e, "KVMRUN_COMPAT_", 14))
				break;
		if (!e || !*e)
			break;
		size_t n = strcspn(*e, "=");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, *e, n);
		name[n] = 0;
		if (unsetenv(name))
			break;
	}
	setenv("KVMRUN_COMPAT_CONFIG", "/dev/null", 1);
	setenv("KVMRUN_COMPAT_LOG_LEVEL", "none", 1);
	setenv("KVMRUN_COMPAT_MODE", "off", 1);
}

int cli_api_open(struct cli_api *api)
{
	const char *path = cli_library_path();

	(void)cli_library_preload_name(); /* reads KVMRUN_COMPAT_LIBRARY before it goes */
	quiet_library_settings();
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		cli_err("cannot load the preload object: %s (package libkvmrun-compat0; "
			"KVMRUN_COMPAT_LIBRARY names another file)", dlerror());
		return CLI_EXIT_USAGE;
	}
#define SYM(field, name)                                                        \
	do {                                                                    \
		*(void **)&api->field = dlsym(h, name);                         \
		if (!api->field) {                                              \
			cli_err("%s: symbol %s missing: not a libkvmrun-compat", path, name); \
			return CLI_EXIT_USAGE;                                  \
		}                                                               \
	} while (0)
	SYM(version, "kvmrun_compat_version");
	SYM(arch_name, "kvmrun_compat_arch_name");
	SYM(arch_from_name, "kvmrun_compat_arch_from_name");
	SYM(host_arch, "kvmrun_compat_host_arch");
	SYM(rule_count, "kvmrun_compat_rule_count");
	SYM(rule_get, "kvmrun_compat_rule_get");
	SYM(rule_vouch, "kvmrun_compat_rule_vouch");
#undef SYM
	return 0;
}

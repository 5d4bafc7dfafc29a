/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.c - one place for every setting.  Environment variables are
 * KVMRUN_COMPAT_<KEY>; the file /etc/kvmrun-compat.conf (or
 * $KVMRUN_COMPAT_CONFIG) holds "key = value" lines with the same keys.
 * Runs once in the constructor; reads with raw system calls and a stack
 * buffer, so it allocates nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "config.h"

struct kvmrc_config kvmrc_cfg;
extern char *program_invocation_short_name;

#define ENV_PREFIX "KVMRUN_COMPAT_"
#define DEFAULT_CONFIG_FILE SYSCONFDIR "/kvmrun-compat.conf"

void kvmrc_config_defaults(struct kvmrc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->active = 1;
	cfg->arch = kvmrun_compat_host_arch();
	cfg->fail_entry = KVMRC_FAIL_ENTRY_PASS;
	cfg->log_level = KVMRC_LOG_WARN;
	cfg->log_target = KVMRC_LOG_TO_STDERR;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcasecmp(v, "true"))
		*out = 1;
	else if (!strcasecmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcasecmp(v, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* Is name in the comma-separated list? */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int kvmrc_config_set(struct kvmrc_config *cfg, const char *key, const char *v,
		     char *err, unsigned int errlen)
{
	const char *prog = program_invocation_short_name ? program_invocation_short_name : "";

	if (!strcasecmp(key, "MODE")) {
		if (!strcasecmp(v, "on"))
			cfg->active = 1;
		else if (!strcasecmp(v, "off"))
			cfg->active = 0;
		else
			goto bad;
	} else if (!strcasecmp(key, "STRICT")) {
		if (parse_bool(v, &cfg->strict))
			goto bad;
	} else if (!strcasecmp(key, "ARCH")) {
		enum kvmrun_compat_arch a = kvmrun_compat_arch_from_name(v);
		if (a == KVMRUN_COMPAT_ARCH_UNKNOWN)
			goto bad;
		cfg->arch = a;
	} else if (!strcasecmp(key, "FAIL_ENTRY")) {
		if (!strcasecmp(v, "pass"))
			cfg->fail_entry = KVMRC_FAIL_ENTRY_PASS;
		else if (!strcasecmp(v, "abort"))
			cfg->fail_entry = KVMRC_FAIL_ENTRY_ABORT;
		else if (!strcasecmp(v, "exit"))
			cfg->fail_entry = KVMRC_FAIL_ENTRY_EXIT;
		else
			goto bad;
	} else if (!strcasecmp(key, "LOG")) {
		if (!strcasecmp(v, "stderr"))
			cfg->log_target = KVMRC_LOG_TO_STDERR;
		else if (!strcasecmp(v, "syslog"))
			cfg->log_target = KVMRC_LOG_TO_SYSLOG;
		else if (v[0] == '/' && strlen(v) < sizeof(cfg->log_path)) {
			cfg->log_target = KVMRC_LOG_TO_FILE;
			strcpy(cfg->log_path, v);
		} else
			goto bad;
	} else if (!strcasecmp(key, "LOG_LEVEL")) {
		static const char *const lv[] = { "none", "error", "warn", "info", "debug" };
		unsigned int i;
		for (i = 0; i < 5 && strcasecmp(v, lv[i]); i++)
			;
		if (i == 5 && !strcasecmp(v, "warning"))
			i = KVMRC_LOG_WARN;
		if (i == 5)
			goto bad;
		cfg->log_level = (enum kvmrc_log_level)i;
	} else if (!strcasecmp(key, "STATS")) {
		if (v[0] != '/' || strlen(v) >= sizeof(cfg->stats_path))
			goto bad;
		strcpy(cfg->stats_path, v);
	} else if (!strcasecmp(key, "ONLY_CMDS")) {
		if (!in_list(v, prog))
			cfg->excluded = 1;
	} else if (!strcasecmp(key, "SKIP_CMDS")) {
		if (in_list(v, prog))
			cfg->excluded = 1;
	} else if (!strcasecmp(key, "CONFIG")) {
		/* names the file; read before the environment */
	} else if (!strcasecmp(key, "LIBRARY")) {
		/* the wrapper's: which library to preload */
	} else {
		snprintf(err, errlen, "unknown setting %s%s", ENV_PREFIX, key);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value '%.64s' for %s%s", v, ENV_PREFIX, key);
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static int load_file(const char *path, int must_exist)
{
	char buf[4096], err[160];
	int problems = 0, line = 0;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0) {
		if (must_exist || errno != ENOENT) {
			kvmrc_log(KVMRC_LOG_WARN, "cannot read config file %s: %s; using defaults",
				  path, strerror(errno));
			return 1;
		}
		return 0;
	}
	ssize_t n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n < 0)
		return 1;
	buf[n] = 0;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		line++;
		char *s = trim(l);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			kvmrc_log(KVMRC_LOG_WARN, "%s: line %d: expected 'key = value'; ignored", path, line);
			problems++;
			continue;
		}
		*eq = 0;
		if (kvmrc_config_set(&kvmrc_cfg, trim(s), trim(eq + 1), err, sizeof(err))) {
			kvmrc_log(KVMRC_LOG_WARN, "%s: line %d: %s; default kept", path, line, err);
			problems++;
		}
	}
	return problems;
}

int kvmrc_config_load(void)
{
	char err[160], key[64];
	int problems = 0;

	kvmrc_config_defaults(&kvmrc_cfg);
	if (getauxval(AT_SECURE))
		return 0; /* setuid/setcap: take nothing from the caller */

	const char *file = getenv(ENV_PREFIX "CONFIG");
	problems += load_file(file && *file ? file : DEFAULT_CONFIG_FILE, file && *file);

	extern char **environ;
	for (char **e = environ; e && *e; e++) {
		if (strncmp(*e, ENV_PREFIX, sizeof(ENV_PREFIX) - 1))
			continue;
		const char *k = *e + sizeof(ENV_PREFIX) - 1;
		const char *eq = strchr(k, '=');
		if (!eq || (size_t)(eq - k) >= sizeof(key))
			continue;
		memcpy(key, k, (size_t)(eq - k));
		key[eq - k] = 0;
		if (kvmrc_config_set(&kvmrc_cfg, key, eq + 1, err, sizeof(err))) {
			kvmrc_log(KVMRC_LOG_WARN, "%s; default kept", err);
			problems++;
		}
	}
	if (kvmrc_cfg.excluded)
		kvmrc_cfg.active = 0;
	return problems;
}

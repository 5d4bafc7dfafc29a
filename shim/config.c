/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.c - one place for every setting.  Environment variables are
 * KVMRUN_COMPAT_<KEY>; the file /etc/kvmrun-compat.conf (or
 * $KVMRUN_COMPAT_CONFIG) holds "key = value" lines with the same keys.
 * Runs once in the constructor; reads with raw system calls into a static
 * buffer, so it allocates nothing.  The file is read whole or not at all
 * (KVMRC_CONFIG_FILE_MAX): a setting is never applied cut short.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "abi-caps.h"
#include "abi-run.h"
#include "config.h"
#include "kver.h"
#include "sys.h"

struct kvmrc_config kvmrc_cfg;
extern char *program_invocation_short_name;

#define ENV_PREFIX "KVMRUN_COMPAT_"
#define DEFAULT_CONFIG_FILE SYSCONFDIR "/kvmrun-compat.conf"

static char first_problem[192];   /* what strict mode names when it refuses */

const char *kvmrc_config_first_problem(void)
{
	return first_problem;
}

/* One line per problem; the first is kept for strict mode's refusal. */
__attribute__((format(printf, 1, 2))) static void problem(const char *fmt, ...)
{
	char msg[KVMRC_LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!first_problem[0]) {
		size_t n = strnlen(msg, sizeof(first_problem) - 1);
		memcpy(first_problem, msg, n);
		first_problem[n] = 0;
	}
	kvmrc_log(KVMRC_LOG_WARN, "%s", msg);
}

/* A path setting: absolute, and short enough to be kept whole. */
static int set_path(char *dst, size_t size, const char *v, const char *key, char *err, unsigned int errlen)
{
	size_t len = strlen(v);

	if (len >= size) {
		snprintf(err, errlen, "value for %s%s is too long (%zu bytes, at most %zu)", ENV_PREFIX, key,
			 len, size - 1);
		return -1;
	}
	if (v[0] != '/') {
		snprintf(err, errlen, "bad value '%.64s%s' for %s%s (an absolute path is needed)", v,
			 len > 64 ? "..." : "", ENV_PREFIX, key);
		return -1;
	}
	memcpy(dst, v, len + 1);
	return 0;
}

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
	} else if (!strcasecmp(key, "RAW_SYSCALLS")) {
		if (parse_bool(v, &cfg->raw_syscalls))
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
		else if (set_path(cfg->log_path, sizeof(cfg->log_path), v, key, err, errlen))
			return -1;
		else
			cfg->log_target = KVMRC_LOG_TO_FILE;
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
		if (set_path(cfg->stats_path, sizeof(cfg->stats_path), v, key, err, errlen))
			return -1;
	} else if (!strcasecmp(key, "RECORD")) {
		/* every exit of every vCPU, appended to this file (record.c) */
		if (set_path(cfg->record_path, sizeof(cfg->record_path), v, key, err, errlen))
			return -1;
	} else if (!strcasecmp(key, "STATS_FORMAT")) {
		if (!strcasecmp(v, "json"))
			cfg->stats_format = KVMRC_STATS_JSON;
		else if (!strcasecmp(v, "prometheus"))
			cfg->stats_format = KVMRC_STATS_PROMETHEUS;
		else
			goto bad;
	} else if (!strcasecmp(key, "POISON")) {
		/* 1/on: 0xa5; a byte value; 0/off: zeros (the default) */
		char *end;
		unsigned long n;
		int on;
		if (!parse_bool(v, &on)) {
			cfg->poison = on ? 0xa5 : 0;
		} else {
			n = strtoul(v, &end, 0);
			if (!*v || *end || v[0] == '-' || n > 255)
				goto bad;
			cfg->poison = (int)n;
		}
	} else if (!strcasecmp(key, "ABI")) {
		/* a mainline release the capability table knows (abi-caps.c) */
		uint32_t kv = kvmrc_kver_parse(v, NULL);
		if (!kv || !kvmrc_abi_caps_known(kv)) {
			snprintf(err, errlen, "bad value '%.64s%s' for %sABI (a kernel release from 5.4 to 7.1, "
				 "such as 5.10)", v, strlen(v) > 64 ? "..." : "", ENV_PREFIX);
			return -1;
		}
		cfg->abi = kv & ~(uint32_t)0xff;
	} else if (!strcasecmp(key, "ABI_STALE")) {
		if (parse_bool(v, &cfg->abi_stale))
			goto bad;
	} else if (!strcasecmp(key, "STATS_INTERVAL")) {
		char *end;
		int saved = errno, range;
		errno = 0;
		unsigned long n = strtoul(v, &end, 10);
		range = errno;
		errno = saved;
		if (!*v || *end || range || v[0] == '-' || v[0] == '+' || n > KVMRC_STATS_INTERVAL_MAX)
			goto bad;
		cfg->stats_interval = (unsigned int)n;
	} else if (!strcasecmp(key, "ONLY_CMDS")) {
		if (!in_list(v, prog))
			cfg->excluded = 1;
	} else if (!strcasecmp(key, "SKIP_CMDS")) {
		if (in_list(v, prog))
			cfg->excluded = 1;
	} else if (!strcasecmp(key, "CONFIG")) {
		/* names the file; read before the environment */
	} else if (!strcasecmp(key, "LIBRARY") || !strcasecmp(key, "SUPERVISOR")) {
		/* the wrapper's: which library to preload, which helper
		 * supervises; it passes them on to COMMAND */
	} else if (!strcasecmp(key, "KERNEL")) {
		/* the kernel release whose fixes apply (an emulator's); kver.c */
		if (!kvmrc_kver_parse(v, NULL))
			goto bad;
	} else {
		snprintf(err, errlen, "unknown setting %s%s", ENV_PREFIX, key);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value '%.64s%s' for %s%s", v, strlen(v) > 64 ? "..." : "", ENV_PREFIX, key);
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

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
	       S_ISCHR(m) || S_ISBLK(m) ? "a device" : "not a regular file";
}

/* Reads the whole file into buf (NUL-terminated).  Returns its length, -1
 * after one line saying why nothing of it is applied, -2 when an optional
 * file is absent. */
static ssize_t read_whole(const char *path, int must_exist, char *buf, size_t size)
{
	/* O_NONBLOCK: a FIFO never blocks the open; it is then refused unread.
	 * No O_NOFOLLOW: a configuration managed as a symlink (NixOS /etc,
	 * alternatives) is read like any file. */
	int fd = (int)kvmrc_sys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
	struct stat st;
	size_t len = 0;

	if (fd < 0) {
		if (!must_exist && errno == ENOENT)
			return -2; /* the default file is optional */
		problem("cannot read config file %s: %s; using defaults", path, strerror(errno));
		return -1;
	}
	if (kvmrc_sys(SYS_fstat, fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		problem("config file %s is %s; not read, using defaults", path, file_kind(st.st_mode));
		kvmrc_sys(SYS_close, fd);
		return -1;
	}
	for (;;) {
		ssize_t n = kvmrc_sys(SYS_read, fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			problem("cannot read config file %s: %s; using defaults", path, strerror(errno));
			kvmrc_sys(SYS_close, fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size) {
			problem("config file %s is larger than %d bytes; not applied, using defaults", path,
				KVMRC_CONFIG_FILE_MAX);
			kvmrc_sys(SYS_close, fd);
			return -1;
		}
	}
	kvmrc_sys(SYS_close, fd);
	buf[len] = 0;
	return (ssize_t)len;
}

static int load_file(const char *path, int must_exist)
{
	/* static: the first caller may be a thread with a small stack */
	static char buf[KVMRC_CONFIG_FILE_MAX + 2];
	char err[KVMRC_LOG_LINE_MAX - 64];
	int problems = 0, line = 0;
	ssize_t len = read_whole(path, must_exist, buf, KVMRC_CONFIG_FILE_MAX + 1);

	if (len < 0)
		return len == -1;
	if (memchr(buf, 0, (size_t)len)) {
		problem("config file %s contains a NUL byte; not applied, using defaults", path);
		return 1;
	}
	for (char *l = buf, *next; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		line++;
		char *s = trim(l);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			problem("%s: line %d: expected 'key = value'; ignored", path, line);
			problems++;
			continue;
		}
		*eq = 0;
		if (kvmrc_config_set(&kvmrc_cfg, trim(s), trim(eq + 1), err, sizeof(err))) {
			problem("%s: line %d: %s; default kept", path, line, err);
			problems++;
		}
	}
	return problems;
}

int kvmrc_config_load(void)
{
	char err[KVMRC_LOG_LINE_MAX - 64], key[64];
	int problems = 0;

	kvmrc_config_defaults(&kvmrc_cfg);
	first_problem[0] = 0;
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
		if (!eq)
			continue;
		if ((size_t)(eq - k) >= sizeof(key)) {
			problem("unknown setting %s%.40s...; default kept", ENV_PREFIX, k);
			problems++;
			continue;
		}
		memcpy(key, k, (size_t)(eq - k));
		key[eq - k] = 0;
		if (kvmrc_config_set(&kvmrc_cfg, key, eq + 1, err, sizeof(err))) {
			problem("%s; default kept", err);
			problems++;
		}
	}
	if (kvmrc_cfg.abi && kvmrc_kver && kvmrc_cfg.abi > (kvmrc_kver & ~(uint32_t)0xff)) {
		problem("%sABI=%u.%u is newer than the running kernel %u.%u; default kept", ENV_PREFIX,
			kvmrc_cfg.abi >> 16, (kvmrc_cfg.abi >> 8) & 0xff, kvmrc_kver >> 16, (kvmrc_kver >> 8) & 0xff);
		kvmrc_cfg.abi = 0;
		problems++;
	}
	kvmrc_abi_caps_configure(kvmrc_cfg.abi, kvmrc_cfg.arch);
	kvmrc_abi_run_configure(kvmrc_cfg.abi, kvmrc_cfg.arch, kvmrc_cfg.abi_stale);
	if (kvmrc_cfg.excluded)
		kvmrc_cfg.active = 0;
	return problems;
}

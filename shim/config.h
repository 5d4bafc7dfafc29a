/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.h - settings from KVMRUN_COMPAT_* and /etc/kvmrun-compat.conf. */
#ifndef KVMRC_CONFIG_H
#define KVMRC_CONFIG_H

#include "kvmrun-compat.h"
#include "log.h"

enum kvmrc_fail_entry_policy {
	KVMRC_FAIL_ENTRY_PASS = 0,   /* return the kernel's result unchanged */
	KVMRC_FAIL_ENTRY_ABORT,      /* abort the process with the explanation */
	KVMRC_FAIL_ENTRY_EXIT,       /* report the FAIL_ENTRY exit again instead of ENOEXEC */
};

enum kvmrc_stats_format {
	KVMRC_STATS_JSON = 0,
	KVMRC_STATS_PROMETHEUS,          /* text format, for node_exporter's textfile collector */
};

#define KVMRC_STATS_INTERVAL_MAX 86400

struct kvmrc_config {
	int active;                        /* 0: pass everything through untouched */
	int strict;                        /* refuse to run instead of failing open */
	int excluded;                      /* ONLY_CMDS/SKIP_CMDS leave this program alone */
	int raw_syscalls;                  /* RAW_SYSCALLS: trap inline KVM_RUNs (rawsys.c) */
	int poison;                        /* byte for unwritten exit bytes (POISON), 0: zero */
	uint32_t abi;                      /* ABI: KVMRC_KV of the kernel whose capabilities the
					      VMM sees (abi-caps.c), 0: the running kernel's */
	int abi_stale;                     /* ABI_STALE: fields ABI never wrote keep the previous
					      exit's bytes instead of the poison (abi-run.c) */
	enum kvmrun_compat_arch arch;      /* whose kvm_run layout the kernel speaks */
	enum kvmrc_fail_entry_policy fail_entry;
	enum kvmrc_log_level log_level;
	enum kvmrc_log_target log_target;
	char log_path[256];
	char stats_path[256];
	char record_path[256];             /* RECORD: append every exit here (record.c), "": off */
	enum kvmrc_stats_format stats_format;
	unsigned int stats_interval;       /* seconds between rewrites; 0: at exit only */
};

extern struct kvmrc_config kvmrc_cfg;

/* A config file longer than this is not applied at all (one line says so). */
#define KVMRC_CONFIG_FILE_MAX 65536

/* The first problem kvmrc_config_load reported ("" when none): strict mode
 * names it when it refuses to run. */
const char *kvmrc_config_first_problem(void);

/*
 * Reads the config file, then the environment (which wins).  Ignored in
 * secure-execution mode.  Each unknown key or bad value is reported in one
 * line and the default kept; in strict mode the process is stopped instead.
 * Returns the number of problems found.
 */
int kvmrc_config_load(void);

/* Parses one KEY=VALUE setting (KEY without the KVMRUN_COMPAT_ prefix, any
 * case).  Returns 0, or -1 with a message in err. */
int kvmrc_config_set(struct kvmrc_config *cfg, const char *key, const char *value,
		     char *err, unsigned int errlen);

void kvmrc_config_defaults(struct kvmrc_config *cfg);

#endif

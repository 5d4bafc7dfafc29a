/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * init.c - library start and end.  The constructor only resolves the real
 * functions, reads the configuration and indexes the rules: no fd is opened
 * and nothing is printed unless the configuration is wrong.  The fd table
 * is mapped when the first KVM fd appears.  Lines queued before the
 * configuration is known go out once it is (to the configured target).
 */
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "engine.h"
#include "rawsys.h"
#include "real.h"
#include "record.h"
#include "scrub.h"
#include "attach.h"
#include "failentry.h"
#include "fdtable.h"
#include "stats.h"

static int kvmrc_initialized;

static int is_emulator(struct dl_phdr_info *info, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	const char *slash = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
	const char *base = slash ? slash + 1 : info->dlpi_name;
	return base && !strncmp(base, "libkvmrun-emu.", 14);
}

/* Another architecture's rules are meant for the project's KVM emulator,
 * which speaks that layout; against a real kernel they zero real fields. */
static void init_check_arch(void)
{
	if (kvmrc_cfg.arch == kvmrun_compat_host_arch())
		return;
	if (dl_iterate_phdr(is_emulator, NULL)) {
		kvmrc_log(KVMRC_LOG_INFO, "applying %s rules on a %s build (KVMRUN_COMPAT_ARCH, emulator loaded)",
			  kvmrun_compat_arch_name(kvmrc_cfg.arch),
			  kvmrun_compat_arch_name(kvmrun_compat_host_arch()));
		return;
	}
	kvmrc_log(KVMRC_LOG_WARN, "KVMRUN_COMPAT_ARCH=%s on a %s build: a %s kernel's exits will be "
		  "rewritten with %s rules (meant for an emulator)",
		  kvmrun_compat_arch_name(kvmrc_cfg.arch), kvmrun_compat_arch_name(kvmrun_compat_host_arch()),
		  kvmrun_compat_arch_name(kvmrun_compat_host_arch()), kvmrun_compat_arch_name(kvmrc_cfg.arch));
}

static void kvmrc_init(void)
{
	if (__atomic_load_n(&kvmrc_initialized, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_exchange_n(&kvmrc_initialized, 1, __ATOMIC_ACQ_REL))
		return; /* another thread (or a recursive call) got here first */
	kvmrc_real_resolve();
	kvmrc_engine_init();
	int problems = kvmrc_config_load();
	kvmrc_scrub_set_fill((uint8_t)kvmrc_cfg.poison); /* before any vCPU exists */
	kvmrc_log_setup(kvmrc_cfg.log_target, kvmrc_cfg.log_path, kvmrc_cfg.log_level);
	kvmrc_log_flush();
	if (problems && kvmrc_cfg.strict) {
		kvmrc_log(KVMRC_LOG_ERROR, "%d configuration problem(s) and strict mode is on; refusing to run "
			  "(first: %s)", problems, kvmrc_config_first_problem());
		kvmrc_log_flush();
		_exit(127);
	}
	init_check_arch();
	kvmrc_rawsys_arm(); /* before any thread of ours */
	kvmrc_stats_start_periodic();
	kvmrc_record_setup();
	kvmrc_log(KVMRC_LOG_DEBUG, "loaded: %s, %u rules, arch %s", kvmrc_cfg.active ? "active" : "inactive",
		  kvmrc_rule_count, kvmrun_compat_arch_name(kvmrc_cfg.arch));
}

/* The API functions of the link library that need the fd table. */
static const struct kvmrc_attach_ops attach_ops = {
	.size = sizeof(struct kvmrc_attach_ops),
	.fail_entry_reason = kvmrc_fail_entry_reason,
};

__attribute__((constructor)) static void kvmrc_constructor(void)
{
	kvmrun_compat_private_attach(&attach_ops);
	kvmrc_init();
}

__attribute__((destructor)) static void kvmrc_destructor(void)
{
	/* Only a process that tracked a KVM fd has stats: a shell that ran the
	 * VMM (sh -c 'vmm; true') must not replace the VMM's with zeros. */
	if (kvmrc_cfg.stats_path[0] && kvmrc_fdt_ready())
		kvmrc_stats_write();
	kvmrc_record_flush();
	kvmrc_log_flush();
}

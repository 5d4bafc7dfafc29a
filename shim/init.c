/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * init.c - library start and end.  The constructor only resolves the real
 * functions, reads the configuration and indexes the rules: no fd is opened
 * and nothing is printed unless the configuration is wrong.  The fd table
 * is mapped when the first KVM fd appears.
 */
#include <stdlib.h>
#include <unistd.h>
#include "config.h"
#include "engine.h"
#include "real.h"
#include "shim.h"

int kvmrc_initialized;

void kvmrc_init(void)
{
	if (__atomic_load_n(&kvmrc_initialized, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_exchange_n(&kvmrc_initialized, 1, __ATOMIC_ACQ_REL))
		return; /* another thread (or a recursive call) got here first */
	kvmrc_real_resolve();
	kvmrc_engine_init();
	int problems = kvmrc_config_load();
	kvmrc_log_setup(kvmrc_cfg.log_target, kvmrc_cfg.log_path, kvmrc_cfg.log_level);
	if (problems && kvmrc_cfg.strict) {
		kvmrc_log(KVMRC_LOG_ERROR, "%d configuration problem(s) and strict mode is on; refusing to run",
			  problems);
		_exit(127);
	}
	if (kvmrc_cfg.arch != kvmrun_compat_host_arch())
		kvmrc_log(KVMRC_LOG_INFO, "applying %s rules on a %s build (KVMRUN_COMPAT_ARCH)",
			  kvmrun_compat_arch_name(kvmrc_cfg.arch),
			  kvmrun_compat_arch_name(kvmrun_compat_host_arch()));
	kvmrc_log(KVMRC_LOG_DEBUG, "loaded: %s, %u rules, arch %s", kvmrc_cfg.active ? "active" : "inactive",
		  kvmrc_rule_count, kvmrun_compat_arch_name(kvmrc_cfg.arch));
}

__attribute__((constructor)) static void kvmrc_constructor(void)
{
	kvmrc_init();
}

__attribute__((destructor)) static void kvmrc_destructor(void)
{
	if (kvmrc_cfg.stats_path[0])
		kvmrc_stats_write();
}

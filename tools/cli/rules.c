/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rules.c - kvmrun-compat --rules: the rule table, from the library itself. */
#include <stdio.h>
#include "cli.h"

int cli_rules(const struct cli_opts *o)
{
	struct cli_api api;
	enum kvmrun_compat_arch only = KVMRUN_COMPAT_ARCH_UNKNOWN;
	int r = cli_api_open(&api);

	if (r)
		return r;
	if (o->arch) {
		only = api.arch_from_name(o->arch);
		if (only == KVMRUN_COMPAT_ARCH_UNKNOWN) {
			cli_err("unknown architecture '%s' (x86_64, arm64, riscv64, s390x)", o->arch);
			return CLI_EXIT_USAGE;
		}
	}
	size_t n = api.rule_count(), shown = 0;
	if (o->json)
		printf("{\n  \"version\": \"%s\",\n  \"rules\": [", api.version());
	else
		printf("%-38s %-7s %-16s %4s %4s  %-20s %-17s %-6s %-6s %s\n", "NAME", "ARCH", "EXIT",
		       "OFF", "SIZE", "VOUCHED BY", "ACTION", "SINCE", "LEDGER", "SOURCE");
	for (size_t i = 0; i < n; i++) {
		struct kvmrun_compat_rule_info ri;
		if (api.rule_get(i, &ri))
			continue;
		if (only && ri.arch != only)
			continue;
		if (o->json) {
			printf("%s\n    {\"name\": ", shown ? "," : "");
			json_str(stdout, ri.name);
			printf(", \"arch\": \"%s\", \"exit_reason\": %u, \"exit\": ", api.arch_name(ri.arch),
			       ri.exit_reason);
			json_str(stdout, cli_exit_name(ri.exit_reason));
			printf(", \"offset\": %u, \"size\": %u, \"vouch\": ", ri.offset, ri.size);
			json_str(stdout, ri.vouch);
			printf(", \"action\": ");
			json_str(stdout, ri.action);
			printf(", \"since\": ");
			json_str(stdout, ri.since);
			printf(", \"source\": ");
			json_str(stdout, ri.source);
			printf(", \"ledger\": ");
			json_str(stdout, ri.ledger);
			printf("}");
		} else {
			printf("%-38s %-7s %-16s %4u %4u  %-20s %-17s %-6s %-6s %s\n", ri.name,
			       api.arch_name(ri.arch), cli_exit_name(ri.exit_reason), ri.offset, ri.size,
			       ri.vouch, ri.action, ri.since, ri.ledger, ri.source);
		}
		shown++;
	}
	if (o->json)
		printf("\n  ]\n}\n");
	else
		printf("%zu rule%s; ledger rows: docs/abi-ledger.md; meaning: kvmrun-compat(7)\n", shown,
		       shown == 1 ? "" : "s");
	return ferror(stdout) ? 1 : 0;
}

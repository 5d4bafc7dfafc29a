/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe.c - kvmrun-compat --probe: what this host's KVM says, and which
 * rules would act on it.  Opens /dev/kvm itself (the library is not
 * preloaded here), so it also works under the user-space KVM emulator.
 *
 * A rule acts here when its architecture is the one probed: "yes" (always,
 * on its exit), "when-not-flagged" (the kernel writes a marker on the exits
 * where the field is valid, kvmrun_compat_rule_vouch()), "no" (another
 * architecture's rule).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "abi-caps.h"
#include "abi-fields.h"
#include "cli.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define X86 KVMRUN_COMPAT_ARCH_X86_64
#define ARM KVMRUN_COMPAT_ARCH_ARM64

/* The capabilities that change what kvm_run holds (numbers from the uapi
 * header, spelled out so older headers build the same table). */
static const struct capdef {
	unsigned int nr;
	const char *name;
	enum kvmrun_compat_arch arch; /* UNKNOWN: every architecture */
	const char *means;
} capdefs[] = {
	{ 23, "KVM_CAP_SET_GUEST_DEBUG", 0, "KVM_EXIT_DEBUG can be requested" },
	{ 40, "KVM_CAP_INTERNAL_ERROR_DATA", 0, "internal.ndata/data[] are filled" },
	{ 105, "KVM_CAP_CHECK_EXTENSION_VM", 0, "capabilities are asked per VM" },
	{ 136, "KVM_CAP_IMMEDIATE_EXIT", 0, "kvm_run.immediate_exit is honoured" },
	{ 177, "KVM_CAP_ARM_NISV_TO_USER", ARM, "KVM_EXIT_ARM_NISV on unsupported MMIO" },
	{ 188, "KVM_CAP_X86_USER_SPACE_MSR", X86, "KVM_EXIT_X86_RDMSR/WRMSR" },
	{ 193, "KVM_CAP_X86_BUS_LOCK_EXIT", X86, "KVM_EXIT_X86_BUS_LOCK" },
	{ 201, "KVM_CAP_EXIT_HYPERCALL", X86, "KVM_EXIT_HYPERCALL (value: valid hypercalls)" },
	{ 204, "KVM_CAP_EXIT_ON_EMULATION_FAILURE", X86, "instruction bytes in internal.data" },
	{ 215, "KVM_CAP_SYSTEM_EVENT_DATA", 0, "system_event.ndata/data[] are valid" },
	{ 216, "KVM_CAP_ARM_SYSTEM_SUSPEND", ARM, "KVM_SYSTEM_EVENT_SUSPEND" },
	{ 219, "KVM_CAP_X86_NOTIFY_VMEXIT", X86, "KVM_EXIT_NOTIFY" },
	{ 232, "KVM_CAP_MEMORY_FAULT_INFO", 0, "KVM_EXIT_MEMORY_FAULT with KVM_RUN -EFAULT" },
};
#define NCAPS (sizeof(capdefs) / sizeof(capdefs[0]))

struct probe {
	struct utsname uts;
	int kver;                        /* major * 1000 + minor, 0 unknown */
	enum kvmrun_compat_arch arch;
	const char *arch_from;           /* "host", "--arch", "KVMRUN_COMPAT_ARCH" */
	int kvm_ok;
	char kvm_error[256];
	int api_version;
	const char *caps_from;           /* "vm" or "system" */
	long cap_value[NCAPS];
	uint32_t abi;                    /* --abi: list what it hides */
	unsigned int nhidden;
	unsigned int hidden[128];        /* capabilities after abi that this host answers */
};

static int parse_kver(const char *s)
{
	int maj = 0, min = 0;
	return s && sscanf(s, "%d.%d", &maj, &min) == 2 ? maj * 1000 + min : 0;
}

static void open_kvm(struct probe *p)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(p->kvm_error, sizeof(p->kvm_error),
				 "no /dev/kvm: KVM is not available on this host (module not loaded or no virtualization)");
		else if (e == EACCES || e == EPERM)
			snprintf(p->kvm_error, sizeof(p->kvm_error),
				 "/dev/kvm: permission denied: add the user to the group that owns it "
				 "(usually 'kvm': adduser $USER kvm, then log in again) or run as root");
		else if (e == ENXIO || e == ENODEV)
			snprintf(p->kvm_error, sizeof(p->kvm_error),
				 "/dev/kvm: %s: the kvm module is not loaded (modprobe kvm_intel, kvm_amd or kvm)",
				 strerror(e));
		else
			snprintf(p->kvm_error, sizeof(p->kvm_error), "/dev/kvm: %s", strerror(e));
		return;
	}
	p->kvm_ok = 1;
	p->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
	int q = fd, vm = -1;
	p->caps_from = "system";
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) > 0) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		if (vm >= 0)
			q = vm, p->caps_from = "vm";
	}
	for (size_t i = 0; i < NCAPS; i++) {
		int r = ioctl(q, KVM_CHECK_EXTENSION, capdefs[i].nr);
		p->cap_value[i] = r > 0 ? r : 0;
	}
	for (unsigned int i = 0; p->abi && i < kvmrc_abi_caps_count && p->nhidden < 128; i++) {
		unsigned int c = kvmrc_abi_caps_table[i].cap;
		if (kvmrc_abi_caps_hidden_by(p->abi, p->arch, c) && ioctl(q, KVM_CHECK_EXTENSION, c) > 0)
			p->hidden[p->nhidden++] = c;
	}
	if (vm >= 0)
		close(vm);
	close(fd);
}

static void print_abi_hidden(const struct probe *p, int json)
{
	for (unsigned int i = 0; i < p->nhidden; i++) {
		const struct kvmrc_abi_cap *c = kvmrc_abi_caps_find(p->hidden[i]);
		if (json)
			printf("%s{\"nr\": %u, \"name\": \"%s\", \"since\": \"%u.%u\"}", i ? ", " : "", c->cap,
			       c->name, c->since >> 16, (c->since >> 8) & 0xff);
		else
			printf("%-34s %4u  hidden   appeared in %u.%u\n", c->name, c->cap, c->since >> 16,
			       (c->since >> 8) & 0xff);
	}
}

/* --abi: the rows of the exit ABI table VERSION predates on this arch
 * (abi-fields.c): flag bits, fields and exits, as text or JSON. */
static void print_abi_rows(const struct probe *p, int json)
{
	static const char *const heads[] = {
		[KVMRC_ABI_FLAG] = "flags bits %s did not define (read 0)",
		[KVMRC_ABI_UNWRITTEN] = "fields %s never wrote (the poison byte; --abi-stale: the previous exit's)",
		[KVMRC_ABI_ZEROED] = "fields %s cleared (read 0)",
		[KVMRC_ABI_EXIT] = "exits %s cannot produce (logged the first time one happens)",
	};
	int first = 1;

	for (unsigned int kind = KVMRC_ABI_FLAG; kind <= KVMRC_ABI_EXIT; kind++) {
		int head = 0;
		for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
			const struct kvmrc_abi_row *r = &kvmrc_abi_rows[i];
			if (r->kind != kind || !kvmrc_abi_row_applies(r, p->abi, p->arch))
				continue;
			char what[48];
			if (kind == KVMRC_ABI_FLAG)
				snprintf(what, sizeof(what), "flags & 0x%x", r->bits);
			else if (kind == KVMRC_ABI_EXIT)
				snprintf(what, sizeof(what), "%s (%u)", cli_exit_name(r->exit_reason), r->exit_reason);
			else
				snprintf(what, sizeof(what), "%s bytes %u-%u", cli_exit_name(r->exit_reason), r->off,
					 r->off + r->len - 1);
			if (json) {
				printf("%s{\"row\": \"%s\", \"kind\": \"%s\", \"what\": \"%s\", \"since\": \"%u.%u\", "
				       "\"ledger\": \"%s\"}", first ? "" : ", ", r->name,
				       kind == KVMRC_ABI_FLAG ? "flag" : kind == KVMRC_ABI_EXIT ? "exit" :
				       kind == KVMRC_ABI_ZEROED ? "zeroed" : "unwritten", what, r->since >> 16,
				       (r->since >> 8) & 0xff, r->ledger);
				first = 0;
				continue;
			}
			if (!head) {
				char v[16], line[128];
				snprintf(v, sizeof(v), "%u.%u", p->abi >> 16, (p->abi >> 8) & 0xff);
				const char *h = heads[kind], *pct = strstr(h, "%s");
				snprintf(line, sizeof(line), "%.*s%s%s", (int)(pct - h), h, v, pct + 2);
				printf("\n%s:\n", line);
				head = 1;
			}
			printf("%-34s %-34s from %u.%u (ledger %s)\n", r->name, what, r->since >> 16,
			       (r->since >> 8) & 0xff, r->ledger);
		}
	}
}

static const char *acts_here(const struct probe *p, const struct cli_api *api, size_t i,
			     const struct kvmrun_compat_rule_info *ri)
{
	struct kvmrun_compat_vouch v;

	if (ri->arch != p->arch)
		return "no";
	if (api->rule_vouch(i, &v) || v.kind == KVMRUN_COMPAT_VOUCH_NONE)
		return "yes";
	return "when-not-flagged"; /* the kernel marks the exits where the field is its own */
}

static void print_text(const struct probe *p, const struct cli_api *api)
{
	printf("kernel:        %s %s (%s)\n", p->uts.sysname, p->uts.release, p->uts.machine);
	printf("architecture:  %s (rules of %s; from %s)\n", api->arch_name(p->arch),
	       api->arch_name(p->arch), p->arch_from);
	printf("library:       %s %s\n", cli_library_path(), api->version());
	printf("config file:   %s (%s)\n", SYSCONFDIR "/kvmrun-compat.conf",
	       access(SYSCONFDIR "/kvmrun-compat.conf", R_OK) == 0 ? "present" : "absent");
	if (!p->kvm_ok) {
		printf("/dev/kvm:      unavailable\n");
		return;
	}
	printf("/dev/kvm:      opened; KVM API version %d; capabilities asked on the %s fd\n",
	       p->api_version, p->caps_from);
	printf("\n%-34s %4s  %-8s %s\n", "CAPABILITY", "NR", "VALUE", "MEANS");
	for (size_t i = 0; i < NCAPS; i++) {
		if (capdefs[i].arch && capdefs[i].arch != p->arch)
			continue;
		char v[24];
		snprintf(v, sizeof(v), "%ld", p->cap_value[i]);
		printf("%-34s %4u  %-8s %s\n", capdefs[i].name, capdefs[i].nr,
		       p->cap_value[i] ? v : "no", capdefs[i].means);
	}
	if (p->abi) {
		printf("\n--abi=%u.%u hides %u capabilit%s this host has:\n", p->abi >> 16, (p->abi >> 8) & 0xff,
		       p->nhidden, p->nhidden == 1 ? "y" : "ies");
		print_abi_hidden(p, 0);
		print_abi_rows(p, 0);
	}
	printf("\n%-34s %-17s %-16s %s\n", "RULE", "ACTS HERE", "EXIT", "VOUCHED BY");
	size_t n = api->rule_count(), acting = 0, other = 0;
	for (size_t i = 0; i < n; i++) {
		struct kvmrun_compat_rule_info ri;
		if (api->rule_get(i, &ri))
			continue;
		if (ri.arch != p->arch) {
			other++;
			continue;
		}
		const char *a = acts_here(p, api, i, &ri);
		acting += strcmp(a, "no") != 0;
		printf("%-34s %-17s %-16s %s\n", ri.name, a, cli_exit_name(ri.exit_reason), ri.vouch);
	}
	printf("%zu rule%s may act here; %zu rule%s of other architectures never do\n", acting,
	       acting == 1 ? "" : "s", other, other == 1 ? "" : "s");
}

static void print_json(const struct probe *p, const struct cli_api *api)
{
	printf("{\n  \"version\": \"%s\",\n  \"library\": ", api->version());
	json_str(stdout, cli_library_path());
	printf(",\n  \"kernel\": {\"release\": ");
	json_str(stdout, p->uts.release);
	printf(", \"machine\": ");
	json_str(stdout, p->uts.machine);
	printf("},\n  \"arch\": \"%s\",\n  \"arch_from\": \"%s\",\n", api->arch_name(p->arch), p->arch_from);
	printf("  \"kvm\": {\"available\": %s", p->kvm_ok ? "true" : "false");
	if (!p->kvm_ok) {
		printf(", \"error\": ");
		json_str(stdout, p->kvm_error);
		printf("}\n}\n");
		return;
	}
	printf(", \"api_version\": %d, \"caps_from\": \"%s\"},\n  \"caps\": {", p->api_version, p->caps_from);
	int first = 1;
	for (size_t i = 0; i < NCAPS; i++) {
		if (capdefs[i].arch && capdefs[i].arch != p->arch)
			continue;
		printf("%s\n    \"%s\": {\"nr\": %u, \"value\": %ld}", first ? "" : ",", capdefs[i].name,
		       capdefs[i].nr, p->cap_value[i]);
		first = 0;
	}
	printf("\n  },\n  \"abi_hidden\": [");
	print_abi_hidden(p, 1);
	printf("],\n  \"abi_rows\": [");
	print_abi_rows(p, 1);
	printf("],\n  \"rules\": [");
	first = 1;
	for (size_t i = 0, n = api->rule_count(); i < n; i++) {
		struct kvmrun_compat_rule_info ri;
		if (api->rule_get(i, &ri) || ri.arch != p->arch)
			continue;
		printf("%s\n    {\"name\": ", first ? "" : ",");
		json_str(stdout, ri.name);
		printf(", \"acts\": \"%s\", \"vouch\": ", acts_here(p, api, i, &ri));
		json_str(stdout, ri.vouch);
		printf("}");
		first = 0;
	}
	printf("\n  ]\n}\n");
}

int cli_probe(const struct cli_opts *o)
{
	struct probe p;
	struct cli_api api;
	const char *env_arch = getenv("KVMRUN_COMPAT_ARCH");
	char env_copy[32] = "";

	memset(&p, 0, sizeof(p));
	if (env_arch)
		snprintf(env_copy, sizeof(env_copy), "%s", env_arch);
	int r = cli_api_open(&api); /* drops the KVMRUN_COMPAT_* settings */
	if (r)
		return r;
	uname(&p.uts);
	p.kver = parse_kver(o->kernel ? o->kernel : p.uts.release);
	if (o->kernel && !p.kver) {
		cli_err("bad value '%s' for --kernel (expected MAJOR.MINOR)", o->kernel);
		return CLI_EXIT_USAGE;
	}
	const char *an = o->arch ? o->arch : env_copy[0] ? env_copy : p.uts.machine;
	p.arch_from = o->arch ? "--arch" : env_copy[0] ? "KVMRUN_COMPAT_ARCH" : "host";
	p.arch = api.arch_from_name(an);
	if (p.arch == KVMRUN_COMPAT_ARCH_UNKNOWN) {
		if (o->arch || env_copy[0]) {
			cli_err("unknown architecture '%s' (x86_64, arm64, riscv64, s390x)", an);
			return CLI_EXIT_USAGE;
		}
		p.arch = api.host_arch();
	}
	if (o->abi) {
		int a = parse_kver(o->abi);
		uint32_t host = p.kver ? KVMRC_KV(p.kver / 1000, p.kver % 1000, 0) : 0;
		p.abi = a && a / 1000 < 256 && a % 1000 < 256 ? KVMRC_KV(a / 1000, a % 1000, 0) : 0;
		if (!p.abi || !kvmrc_abi_caps_known(p.abi) || (host && p.abi > host)) {
			cli_err("bad value '%s' for --abi (a kernel release from 5.4 to 7.1, not newer than %s)",
				o->abi, o->kernel ? o->kernel : p.uts.release);
			return CLI_EXIT_USAGE;
		}
	}
	open_kvm(&p);
	if (o->json)
		print_json(&p, &api);
	else
		print_text(&p, &api);
	fflush(stdout);
	if (!p.kvm_ok) {
		cli_err("%s", p.kvm_error);
		return CLI_EXIT_NOKVM;
	}
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-scenario.c - parser of KVMEMU_SCENARIO: what the "guest" does, one
 * exit per step.  Fixed-size storage, bounded input, never aborts: a bad
 * scenario prints one line on stderr and makes KVM_RUN fail with EINVAL.
 *
 * Syntax: steps separated by newlines or ';', '#' starts a comment that
 * runs to the end of the step, each step is "<kind> key=value ...".
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "emu.h"

#define MAX_TOKENS 16

struct pctx {
	const char *origin;
	int inline_text;
	unsigned line;
};

static int perr(const struct pctx *c, const char *what, const char *tok)
{
	if (c->inline_text)
		fprintf(stderr, "kvmemu: KVMEMU_SCENARIO inline step %u: %s '%.64s'\n",
			c->line, what, tok);
	else
		fprintf(stderr, "kvmemu: KVMEMU_SCENARIO file %s line %u: %s '%.64s'\n",
			c->origin, c->line, what, tok);
	return -1;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int set_key(const struct pctx *c, struct emu_step *st, const char *key,
		   const char *val)
{
	uint64_t v = 0;

	/* enumerated values first */
	if (strcmp(key, "ec") == 0) {
		static const struct { const char *n; uint32_t ec; } ecs[] = {
			{ "brk", KVMRC_ESR_EC_BRK64 }, { "bkpt", KVMRC_ESR_EC_BKPT32 },
			{ "softstep", KVMRC_ESR_EC_SOFTSTP_LOW },
			{ "hwbp", KVMRC_ESR_EC_BREAKPT_LOW },
			{ "watchpt", KVMRC_ESR_EC_WATCHPT_LOW },
		};
		for (size_t i = 0; i < sizeof(ecs) / sizeof(ecs[0]); i++)
			if (strcmp(val, ecs[i].n) == 0) {
				st->ec = ecs[i].ec;
				return 0;
			}
		return perr(c, "bad ec (brk|bkpt|softstep|hwbp|watchpt)", val);
	}
	if (strcmp(key, "type") == 0) {
		if (strcmp(val, "shutdown") == 0)
			st->type = KVM_SYSTEM_EVENT_SHUTDOWN;
		else if (strcmp(val, "reset") == 0)
			st->type = KVM_SYSTEM_EVENT_RESET;
		else if (strcmp(val, "crash") == 0)
			st->type = KVM_SYSTEM_EVENT_CRASH;
		else
			return perr(c, "bad type (shutdown|reset|crash)", val);
		return 0;
	}
	if (strcmp(key, "dir") == 0) {
		if (strcmp(val, "in") == 0)
			st->in = 1;
		else if (strcmp(val, "out") == 0)
			st->in = 0;
		else
			return perr(c, "bad dir (in|out)", val);
		return 0;
	}
	if (parse_u64(val, &v))
		return perr(c, "bad number", val);

	const struct emu_step_key *k = emu_step_key_find(key);
	if (!k)
		return perr(c, "unknown key", key);
	if (v < k->lo || v > k->hi || ((k->how & EMU_KEY_POW2) && (v & (v - 1))))
		return perr(c, k->why, val);
	if (k->how & EMU_KEY_BOOL)
		v = v != 0;
	if (k->how & EMU_KEY_HAS_DATA)
		st->has_data = 1;
	if (k->width == 4) {
		uint32_t v32 = (uint32_t)v;
		memcpy((char *)st + k->off, &v32, sizeof(v32));
	} else {
		memcpy((char *)st + k->off, &v, sizeof(v));
	}
	return 0;
}

/* Parse one step (already stripped of comments), tokens in buf (modified). */
static int parse_step(const struct pctx *c, struct emu_scenario *sc, char *buf,
		      const struct emu_profile *p)
{
	char *tok[MAX_TOKENS];
	int ntok = 0;
	char *save = NULL;

	for (char *t = strtok_r(buf, " \t\r\v\f", &save); t;
	     t = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (ntok == MAX_TOKENS)
			return perr(c, "too many tokens near", t);
		tok[ntok++] = t;
	}
	if (ntok == 0)
		return 0;

	const struct emu_step_kind *k = emu_step_kind_find(tok[0]);
	if (!k)
		return perr(c, "unknown step kind", tok[0]);
	if (k->arch != -1 && k->arch != (int)p->arch)
		return perr(c, "step kind not produced by this architecture's kernels:", tok[0]);
	if (p->kver < k->since)
		return perr(c, "step kind not produced by this kernel version:", tok[0]);
	if (sc->nsteps == EMU_MAX_STEPS)
		return perr(c, "more than 256 steps at", tok[0]);

	struct emu_step st;
	memset(&st, 0, sizeof(st));
	st.kind = k->kind;
	st.len = 4;
	st.size = 1;
	st.count = 1;
	st.longmode = 1;
	st.nr = 12;		/* KVM_HC_MAP_GPA_RANGE */
	st.type = (uint32_t)-1;
	st.ec = (uint32_t)-1;
	if (k->kind == EK_FAIL_ENTRY)
		st.reason = 0x80000021;	/* VMX: entry failed, invalid guest state */
	if (k->kind == EK_INTERNAL_ERROR)
		st.reason = 48;		/* VMX EXIT_REASON_EPT_VIOLATION */
	if (k->kind == EK_RDMSR || k->kind == EK_WRMSR)
		st.reason = 2;		/* KVM_MSR_EXIT_REASON_UNKNOWN */
	st.bytes = EMU_PAGE;
	int have_addr = 0, have_port = 0, have_dir = 0;

	for (int i = 1; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		if (!eq || eq == tok[i])
			return perr(c, "expected key=value, got", tok[i]);
		*eq = '\0';
		char keypat[40];
		if (strlen(tok[i]) > 30) {
			*eq = '=';
			return perr(c, "unknown key in", tok[i]);
		}
		snprintf(keypat, sizeof(keypat), " %s ", tok[i]);
		if (!strstr(k->keys, keypat))
			return perr(c, "unknown key for this step kind", tok[i]);
		if (set_key(c, &st, tok[i], eq + 1))
			return -1;
		have_addr |= !strcmp(tok[i], "addr");
		have_port |= !strcmp(tok[i], "port");
		have_dir |= !strcmp(tok[i], "dir");
	}
	if (k->kind == EK_MMIO && !have_addr)
		return perr(c, "mmio needs", "addr=");
	if (k->kind == EK_IO && (!have_port || !have_dir))
		return perr(c, "io needs", "port= dir=");
	if (k->kind == EK_DEBUG && st.ec == (uint32_t)-1)
		return perr(c, "debug needs", "ec=");
	if (k->kind == EK_SYSTEM_EVENT) {
		if (st.type == (uint32_t)-1)
			return perr(c, "system_event needs", "type=");
		/* arm64 PSCI only makes SHUTDOWN and RESET (psci.c); x86
		 * makes CRASH and RESET from Hyper-V MSRs (x86.c). */
		if (p->arch == EMU_ARM64 && st.type == KVM_SYSTEM_EVENT_CRASH)
			return perr(c, "arm64 kernels never report system_event type", "crash");
		/* riscv vcpu_sbi_replace.c SRST: SHUTDOWN and RESET only */
		if (p->arch == EMU_RISCV64 && st.type == KVM_SYSTEM_EVENT_CRASH)
			return perr(c, "riscv kernels never report system_event type", "crash");
		if (p->arch == EMU_X86_64 && st.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			return perr(c, "x86 kernels report shutdown as KVM_EXIT_SHUTDOWN, not system_event type", "shutdown");
	}
	/* arch/riscv/kvm and arch/s390/kvm have no KVM_EXIT_INTERNAL_ERROR writer */
	if (k->kind == EK_INTERNAL_ERROR && p->arch == EMU_RISCV64)
		return perr(c, "riscv kernels never report", "internal_error");
	if (k->kind == EK_HYPERCALL && st.nr != 12)
		return perr(c, "only KVM_HC_MAP_GPA_RANGE (12) exits to userspace; nr", "!= 12");
	if (k->kind == EK_IO && (uint64_t)st.size * st.count > EMU_PAGE)
		return perr(c, "size*count exceeds the pio page", "count");
	sc->step[sc->nsteps++] = st;
	return 0;
}

int emu_scenario_parse_text(struct emu_scenario *sc, const char *text,
			    const char *origin, int inline_text,
			    const struct emu_profile *p)
{
	struct pctx c = { origin, inline_text, 1 };
	char buf[512];
	size_t n = 0;
	int in_comment = 0;

	sc->nsteps = 0;
	sc->bad = 0;
	for (const char *s = text;; s++) {
		char ch = *s;
		int end_step = ch == '\0' || ch == '\n' || ch == ';';

		if (end_step) {
			buf[n] = '\0';
			if (parse_step(&c, sc, buf, p)) {
				sc->bad = 1;
				return -1;
			}
			n = 0;
			in_comment = 0;
			if (ch == '\0')
				break;
			if (ch == '\n' || inline_text)
				c.line++;
			continue;
		}
		if (ch == '#')
			in_comment = 1;
		if (in_comment)
			continue;
		if (n + 1 >= sizeof(buf)) {
			buf[n] = '\0';
			perr(&c, "step longer than 511 bytes", buf);
			sc->bad = 1;
			return -1;
		}
		buf[n++] = ch;
	}
	return 0;
}

int emu_scenario_load(struct emu_scenario *sc, const char *spec,
		      const struct emu_profile *p)
{
	struct stat st;

	memset(sc, 0, sizeof(*sc));
	if (!spec || !*spec)
		return 0;

	/* A readable regular file is a file; anything else is inline text.
	 * (emu_real: never through our own or a stacked wrapper.) */
	int fd = emu_real.open(spec, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 && (emu_real.fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		emu_real.close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		if (st.st_size >= EMU_MAX_SCENARIO_TEXT) {
			fprintf(stderr, "kvmemu: KVMEMU_SCENARIO file %s: larger than %u bytes\n",
				spec, EMU_MAX_SCENARIO_TEXT - 1);
			emu_real.close(fd);
			sc->bad = 1;
			return -1;
		}
		char *text = malloc(EMU_MAX_SCENARIO_TEXT);
		size_t got = 0;
		ssize_t r = 0;
		while (text && got < EMU_MAX_SCENARIO_TEXT - 1 &&
		       (r = read(fd, text + got, EMU_MAX_SCENARIO_TEXT - 1 - got)) > 0)
			got += (size_t)r;
		emu_real.close(fd);
		if (!text || r < 0) {
			fprintf(stderr, "kvmemu: KVMEMU_SCENARIO file %s: cannot read\n", spec);
			free(text);
			sc->bad = 1;
			return -1;
		}
		text[got] = '\0';
		if (memchr(text, '\0', got)) {
			fprintf(stderr, "kvmemu: KVMEMU_SCENARIO file %s: contains a NUL byte\n", spec);
			free(text);
			sc->bad = 1;
			return -1;
		}
		int ret = emu_scenario_parse_text(sc, text, spec, 0, p);
		free(text);
		return ret;
	}
	if (strlen(spec) >= EMU_MAX_SCENARIO_TEXT) {
		fprintf(stderr, "kvmemu: KVMEMU_SCENARIO inline text longer than %u bytes\n",
			EMU_MAX_SCENARIO_TEXT - 1);
		sc->bad = 1;
		return -1;
	}
	return emu_scenario_parse_text(sc, spec, "inline", 1, p);
}

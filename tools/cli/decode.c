/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * decode.c - prints a recording (decode.h).  Each field is named and read
 * from the field table (shim/fields.c); what the shim did is told from the
 * two images of the exit and the tables that made it do so: a byte the
 * kernel wrote that the shim changed names the rule (shim/rules.c) or the
 * kept input it zeroed; a field that reads 0 now but held another value
 * before this KVM_RUN (in the image the VMM last saw) is "stale" when the
 * write table (shim/exits.c) says this exit does not write it, and
 * "cleared before KVM_RUN" when the tables cannot tell.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "kvmrun-compat-uapi.h"
#include "decode.h"
#include "exits.h"
#include "fields.h"
#include "kver.h"
#include "layout.h"
#include "recread.h"
#include "rules.h"

#define MAX_PREV 256     /* vCPUs whose last image is kept for "stale" (the latest ones) */

struct prev {
	uint32_t vcpu;               /* instance (record byte 40): which vCPU of the process */
	uint8_t used;
	uint8_t s[KVMRC_REC_IMAGE_MAX];
};

struct rec_decoder {
	FILE *out;
	long vcpu;
	int failed;
	struct rec_chunk hdr;        /* the header in force */
	int have_hdr;
	uint64_t c0, n0, c1, n1;     /* last two clock pairs */
	uint64_t exits, dropped;
	struct prev prev[MAX_PREV];
	uint8_t *buf;                /* bytes not yet parsed */
	size_t len, cap;
	size_t offset;               /* file offset of buf[0] */
};

struct rec_decoder *rec_decoder_new(FILE *out, long vcpu)
{
	struct rec_decoder *d = calloc(1, sizeof(*d));
	if (d) {
		d->out = out;
		d->vcpu = vcpu;
	}
	return d;
}

void rec_decoder_free(struct rec_decoder *d)
{
	if (d)
		free(d->buf);
	free(d);
}

static uint64_t get(const uint8_t *img, unsigned int off, unsigned int size)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < size && i < 8; i++)
		v |= (uint64_t)img[off + i] << (8 * i);
	return v;
}

static const char *arch_name(unsigned int a)
{
	static const char *const n[] = { "unknown", "x86_64", "arm64", "riscv64", "s390x" };
	return a < 5 ? n[a] : "unknown";
}

static const char *err_name(int e)
{
	const char *n = e > 0 ? strerrorname_np(e) : NULL;
	return n ? n : "errno?";
}

/* ---- what the tables say ---------------------------------------------- */

enum wstate { W_UNKNOWN, W_WRITTEN, W_UNWRITTEN };

/* Did this exit write byte b?  From kvmrc_writes (exits.c). */
static enum wstate written(const struct rec_decoder *d, unsigned int reason, const uint8_t *k, unsigned int b)
{
	int rows = 0;
	for (unsigned int i = 0; i < kvmrc_write_count; i++) {
		const struct kvmrc_write *w = &kvmrc_writes[i];
		if (w->arch != d->hdr.arch || w->exit_reason != reason)
			continue;
		rows = 1;
		if (b < w->off || b >= (unsigned int)w->off + w->len)
			continue;
		int yes;
		switch (w->cond) {
		case KVMRC_W_ALWAYS: return W_WRITTEN;
		case KVMRC_W_MAYBE: return W_UNKNOWN;
		case KVMRC_W_MMIO_DATA: yes = k[L_MMIO_IS_WRITE] && b - w->off < get(k, L_MMIO_LEN, 4); break;
		case KVMRC_W_NDATA: yes = (b - w->off) / 8 < get(k, w->at, 4); break;
		case KVMRC_W_ESR_EC: yes = KVMRC_ESR_EC(get(k, w->at, 4)) == w->arg; break;
		case KVMRC_W_U64_EQ: yes = get(k, w->at, 8) == w->arg; break;
		case KVMRC_W_FLAG: yes = (get(k, KVMRC_RUN_FLAGS_OFFSET, 2) & w->arg) != 0; break;
		case KVMRC_W_CAP: yes = w->arg < 256 && (d->hdr.caps[w->arg / 64] >> (w->arg % 64)) & 1; break;
		case KVMRC_W_FACT: yes = kvmrc_kver_has(d->hdr.kver, (enum kvmrc_fact)w->arg); break;
		default: return W_UNKNOWN;
		}
		if (yes)
			return W_WRITTEN;
		/* a later row of the same exit may still cover it */
	}
	return rows ? W_UNWRITTEN : W_UNKNOWN;
}

/* The rule of rules.c acting on [off, off + size) of this exit, or NULL. */
static const struct kvmrc_rule *rule_on(unsigned int arch, unsigned int reason, unsigned int off, unsigned int size)
{
	for (unsigned int i = 0; i < kvmrc_rule_count; i++) {
		const struct kvmrc_rule *r = &kvmrc_rules[i];
		if (r->arch != arch || (r->exit_reason != reason && r->exit_reason != KVMRC_EXIT_ANY))
			continue;
		if (off < (unsigned int)r->offset + r->size && r->offset < off + size)
			return r;
	}
	return NULL;
}

/* ---- printing ---------------------------------------------------------- */

struct line {
	char text[4096];
	size_t len;
	char notes[2048];
	size_t nlen;
};

__attribute__((format(printf, 2, 3))) static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->text + l->len, sizeof(l->text) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len = l->len + (size_t)n < sizeof(l->text) ? l->len + (size_t)n : sizeof(l->text) - 1;
}

__attribute__((format(printf, 2, 3))) static void note(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->nlen && l->nlen + 2 < sizeof(l->notes)) {
		memcpy(l->notes + l->nlen, "; ", 3);
		l->nlen += 2;
	}
	va_start(ap, fmt);
	int n = vsnprintf(l->notes + l->nlen, sizeof(l->notes) - l->nlen, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->nlen = l->nlen + (size_t)n < sizeof(l->notes) ? l->nlen + (size_t)n : sizeof(l->notes) - 1;
}

static void value(struct line *l, const struct kvmrc_field *f, uint64_t v)
{
	const char *n;
	switch (f->kind) {
	case KVMRC_FK_DEC:
		add(l, "%llu", (unsigned long long)v);
		break;
	case KVMRC_FK_ESR:
		n = kvmrc_esr_class_name(KVMRC_ESR_EC(v));
		add(l, "0x%0*llx (EC 0x%02x %s)", (int)f->size * 2, (unsigned long long)v, KVMRC_ESR_EC(v), n ? n : "?");
		break;
	case KVMRC_FK_IO_DIR:
		add(l, "%llu (%s)", (unsigned long long)v, v == 0 ? "in" : v == 1 ? "out" : "?");
		break;
	case KVMRC_FK_SYSEV:
		n = kvmrc_system_event_name((unsigned int)v);
		add(l, "%llu (%s)", (unsigned long long)v, n ? n : "?");
		break;
	case KVMRC_FK_WRITE:
		add(l, "%llu (%s)", (unsigned long long)v, v ? "write" : "read");
		break;
	case KVMRC_FK_X86_VECTOR:
		n = kvmrc_x86_vector_name((unsigned int)v);
		add(l, "%llu (#%s)", (unsigned long long)v, n ? n : "?");
		break;
	case KVMRC_FK_HYPERV_TYPE:
	case KVMRC_FK_XEN_TYPE:
		n = kvmrc_field_value_name(f->kind, v);
		add(l, "%llu (%s)", (unsigned long long)v, n ? n : "?");
		break;
	case KVMRC_FK_TDX_NR:
		n = kvmrc_field_value_name(f->kind, v);
		add(l, "0x%llx (%s)", (unsigned long long)v, n ? n : "?");
		break;
	case KVMRC_FK_ARM64_FLAGS:
		add(l, "0x%04llx%s", (unsigned long long)v, v & KVMRC_ARM64_DEBUG_ARCH_HSR_HIGH_VALID ? " (HSR_HIGH_VALID)" : "");
		break;
	default:
		add(l, "0x%0*llx", (int)f->size * 2, (unsigned long long)v);
	}
}

/* One field, or one u64 entry of an array field: value and what the shim did. */
static void one(struct rec_decoder *d, struct line *l, unsigned int reason, const struct kvmrc_field *f,
		const char *name, unsigned int off, unsigned int size, const uint8_t *k, const uint8_t *s,
		const uint8_t *prev)
{
	uint64_t kv = get(k, off, size), sv = get(s, off, size);
	int w = size * 2;

	struct kvmrc_field one_f = *f;
	one_f.size = (uint16_t)size; /* an entry of an array field */
	add(l, " %s=", name);
	value(l, &one_f, sv);
	const struct kvmrc_rule *r = rule_on(d->hdr.arch, reason, off, size);
	if (kv != sv) {
		if (r)
			note(l, "%s: 0x%0*llx \u2192 0x%0*llx (%s)", name, w, (unsigned long long)kv, w,
			     (unsigned long long)sv, r->name);
		else
			note(l, "%s: 0x%0*llx \u2192 0x%0*llx (kept input, not written by this exit)", name, w,
			     (unsigned long long)kv, w, (unsigned long long)sv);
		return;
	}
	if (r && sv && r->vouch != KVMRUN_COMPAT_VOUCH_NONE) {
		const char *ec = r->vouch == KVMRUN_COMPAT_VOUCH_ESR_EC ? kvmrc_esr_class_name(r->vouch_arg) : NULL;
		note(l, "%s: %s%skept (%s)", name, ec ? ec : "", ec ? ", " : "", r->name);
		return;
	}
	uint64_t fill = 0x0101010101010101ull * d->hdr.fill;
	if (size < 8)
		fill &= (1ull << (8 * size)) - 1;
	if (!prev || sv != fill)
		return;
	uint64_t pv = get(prev, off, size);
	if (pv == sv)
		return;
	if (r && r->exit_reason == KVMRC_EXIT_ANY) {
		note(l, "%s: 0x%0*llx before KVM_RUN \u2192 0x%0*llx (%s)", name, w, (unsigned long long)pv, w,
		     (unsigned long long)sv, r->name);
		return;
	}
	enum wstate ws = written(d, reason, k, off);
	if (ws == W_UNWRITTEN)
		note(l, "%s: stale 0x%0*llx \u2192 0x%0*llx", name, w, (unsigned long long)pv, w, (unsigned long long)sv);
	else if (ws == W_UNKNOWN)
		note(l, "%s: 0x%0*llx before KVM_RUN \u2192 0x%0*llx (cleared, not rewritten)", name, w,
		     (unsigned long long)pv, w, (unsigned long long)sv);
}

/* The slot of vCPU instance n: the latest MAX_PREV instances are kept. */
static struct prev *prev_of(struct rec_decoder *d, uint32_t n)
{
	struct prev *p = &d->prev[n % MAX_PREV];
	if (!p->used || p->vcpu != n) {
		p->used = 1;
		p->vcpu = n;
	}
	return p;
}

static double seconds(const struct rec_decoder *d, uint64_t c)
{
	double ns;
	if (d->c1 == d->c0)
		ns = (double)d->n1;
	else
		ns = (double)d->n0 + ((double)c - (double)d->c0) * ((double)d->n1 - (double)d->n0) /
					     ((double)d->c1 - (double)d->c0);
	return (ns - (double)d->hdr.ns) / 1e9;
}

static void print_exit(struct rec_decoder *d, const struct rec_chunk *c)
{
	unsigned int image = d->hdr.image, uoff = image - KVMRC_UNION_SIZE;
	uint8_t k[KVMRC_REC_IMAGE_MAX], s[KVMRC_REC_IMAGE_MAX];
	struct prev *p = prev_of(d, c->instance);
	int had_prev = p && p->used == 2;
	static struct line l;

	rec_images(c, image, k, s);
	l.len = l.nlen = 0;
	l.notes[0] = 0;
	unsigned int reason = (unsigned int)get(k, KVMRC_RUN_EXIT_REASON_OFFSET, 4);
	add(&l, "%11.6f vcpu %u", seconds(d, c->counter), c->vcpu);
	if (c->instance != c->vcpu) /* ids repeat across VMs: which vCPU of the process */
		add(&l, " [#%u]", c->instance);
	add(&l, " ret %d", c->ret);
	if (c->ret)
		add(&l, " %s", err_name(c->err));
	if (c->ret && had_prev && get(p->s, KVMRC_RUN_EXIT_REASON_OFFSET, 4) == reason) {
		add(&l, " (no new exit: exit_reason still %s)", kvmrc_exit_name(reason));
	} else {
		add(&l, " %s", kvmrc_exit_name(reason));
		int named = 0;
		for (unsigned int i = 0; i < kvmrc_field_count; i++) {
			const struct kvmrc_field *f = &kvmrc_fields[i];
			if (!kvmrc_field_applies(f, d->hdr.arch, reason) || !kvmrc_field_selected(f, s))
				continue;
			named += f->exit_reason != KVMRC_FIELD_EXIT_ANY;
			if (f->kind != KVMRC_FK_NDATA) {
				one(d, &l, reason, f, f->name, f->off, f->size, k, s, had_prev ? p->s : NULL);
				continue;
			}
			uint64_t nd = get(s, f->at, 4);
			for (unsigned int j = 0; j < nd && j < 16; j++) {
				char name[48];
				snprintf(name, sizeof(name), "%s[%u]", f->name, j);
				one(d, &l, reason, f, name, f->off + 8 * j, 8, k, s, had_prev ? p->s : NULL);
			}
		}
		if (!named) { /* no field table for this exit: its bytes */
			unsigned int n = KVMRC_UNION_SIZE;
			while (n && !s[uoff + n - 1])
				n--;
			if (n)
				add(&l, " bytes=");
			for (unsigned int i = 0; i < n; i++)
				add(&l, "%02x", s[uoff + i]);
			for (unsigned int i = 0; i < KVMRC_UNION_SIZE; i++)
				if (k[uoff + i] != s[uoff + i]) {
					note(&l, "byte %u: 0x%02x \u2192 0x%02x", uoff + i, k[uoff + i], s[uoff + i]);
					break;
				}
		}
	}
	if (c->sret != c->ret || (c->ret && c->serr != c->err))
		note(&l, "KVM_RUN returns %d%s%s instead", c->sret, c->sret ? " " : "", c->sret ? err_name(c->serr) : "");
	if (p) {
		memcpy(p->s, s, image);
		p->used = 2;
	}
	if (d->out && (d->vcpu < 0 || (uint32_t)d->vcpu == c->vcpu))
		fprintf(d->out, "%s%s%s\n", l.text, l.nlen ? " | shim: " : "", l.notes);
}

static void print_header(struct rec_decoder *d, const struct rec_chunk *c)
{
	if (!d->out)
		return;
	fprintf(d->out, "# kvmrun-compat recording v%u: arch %s, kernel %s", c->version, arch_name(c->arch),
		c->release[0] ? c->release : "?");
	if (c->kver)
		fprintf(d->out, " (fixes of %u.%u.%u)", c->kver >> 16, (c->kver >> 8) & 0xff, c->kver & 0xff);
	fprintf(d->out, ", pid %u, shim %s, fill 0x%02x, capabilities:", c->pid,
		c->flags & KVMRC_REC_HDR_ACTIVE ? "on" : "off", c->fill);
	int any = 0;
	for (unsigned int i = 0; i < 256; i++)
		if ((c->caps[i / 64] >> (i % 64)) & 1) {
			fprintf(d->out, " %u", i);
			any = 1;
		}
	fprintf(d->out, "%s\n", any ? "" : " none asked");
}

static int take(struct rec_decoder *d, const struct rec_chunk *c)
{
	switch (c->type) {
	case KVMRC_REC_T_HEADER:
		d->hdr = *c;
		d->have_hdr = 1;
		d->c0 = d->c1 = c->counter;
		d->n0 = d->n1 = c->ns;
		memset(d->prev, 0, sizeof(d->prev)); /* another process */
		print_header(d, c);
		break;
	case KVMRC_REC_T_CLOCK:
		d->c0 = d->c1;
		d->n0 = d->n1;
		d->c1 = c->counter;
		d->n1 = c->ns;
		break;
	case KVMRC_REC_T_DROPPED:
		if (d->out && (d->vcpu < 0 || (uint32_t)d->vcpu == c->vcpu))
			fprintf(d->out, "# vcpu %u: %llu record(s) dropped so far (ring full)\n", c->vcpu,
				(unsigned long long)c->dropped);
		d->dropped += c->dropped; /* per vCPU running totals: the summary adds the last of each */
		break;
	case KVMRC_REC_T_EXIT:
		d->exits++;
		print_exit(d, c);
		break;
	}
	return 0;
}

int rec_decoder_feed(struct rec_decoder *d, const uint8_t *p, size_t n, char *msg, size_t msglen)
{
	if (d->failed) {
		snprintf(msg, msglen, "earlier error");
		return -1;
	}
	if (d->len + n > d->cap) {
		size_t cap = (d->len + n) * 2 + 4096;
		uint8_t *b = realloc(d->buf, cap);
		if (!b) {
			snprintf(msg, msglen, "out of memory");
			return d->failed = 1, -1;
		}
		d->buf = b;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	size_t at = 0;
	for (;;) {
		struct rec_chunk c;
		size_t need;
		char m[160];
		long r = rec_parse(d->buf + at, d->len - at, d->have_hdr ? d->hdr.image : 0, &c, &need, m, sizeof(m));
		if (r < 0) {
			snprintf(msg, msglen, "%s (byte %zu)", m, d->offset + at);
			return d->failed = 1, -1;
		}
		if (r == 0)
			break;
		take(d, &c);
		at += (size_t)r;
	}
	memmove(d->buf, d->buf + at, d->len - at);
	d->len -= at;
	d->offset += at;
	return 0;
}

int rec_decoder_end(struct rec_decoder *d, char *msg, size_t msglen)
{
	if (d->failed) {
		snprintf(msg, msglen, "earlier error");
		return -1;
	}
	if (d->len) {
		struct rec_chunk c;
		size_t need;
		char m[160];
		rec_parse(d->buf, d->len, d->have_hdr ? d->hdr.image : 0, &c, &need, m, sizeof(m));
		if (need)
			snprintf(msg, msglen, "truncated: the record at byte %zu needs %zu bytes, the data ends after %zu",
				 d->offset, need, d->len);
		else
			snprintf(msg, msglen, "truncated: the data ends inside the record at byte %zu", d->offset);
		return -1;
	}
	if (!d->have_hdr) {
		snprintf(msg, msglen, "empty: no recording (no KVMRCREC header)");
		return -1;
	}
	if (d->out)
		fprintf(d->out, "# %llu exit(s)\n", (unsigned long long)d->exits);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-run.c - --abi=VERSION after each KVM_RUN (abi-run.h).  The rows of
 * abi-fields.c that VERSION predates are indexed once, by exit reason, when
 * the configuration is read; a KVM_RUN then costs the flag mask and the
 * rows of its exit.  No lock, no allocation, no system call: the one log
 * line goes through the log ring.
 */
#include <string.h>
#include "kvmrun-compat-uapi.h"
#include "abi-run.h"
#include "exits.h"
#include "log.h"
#include "scrub.h"

#define FIELDS_PER_EXIT 4

uint8_t kvmrc_abi_on;
static uint32_t abi_version;
static int stale;
static unsigned int uoff;
static uint16_t flag_mask;
static uint8_t flag_rows[8], nflag;
static uint8_t field_rows[KVMRC_MAX_EXIT][FIELDS_PER_EXIT], nfield[KVMRC_MAX_EXIT];
static uint8_t exit_row[KVMRC_MAX_EXIT];    /* row + 1 of an exit VERSION cannot produce, or 0 */
static uint64_t logged;                     /* exits already logged */
static uint64_t retired[KVMRC_ABI_ROWS_MAX];

void kvmrc_abi_run_configure(uint32_t abi, enum kvmrun_compat_arch arch, int stale_)
{
	kvmrc_abi_on = 0;
	abi_version = abi;
	stale = stale_;
	uoff = kvmrc_union_off(arch);
	flag_mask = 0;
	nflag = 0;
	memset(nfield, 0, sizeof(nfield));
	memset(exit_row, 0, sizeof(exit_row));
	int any = 0;
	for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
		const struct kvmrc_abi_row *r = &kvmrc_abi_rows[i];
		if (!kvmrc_abi_row_applies(r, abi, arch))
			continue;
		if (r->kind == KVMRC_ABI_FLAG && nflag < sizeof(flag_rows)) {
			flag_mask |= (uint16_t)r->bits;
			flag_rows[nflag++] = (uint8_t)i;
		} else if (r->kind == KVMRC_ABI_EXIT && r->exit_reason < KVMRC_MAX_EXIT) {
			exit_row[r->exit_reason] = (uint8_t)(i + 1);
		} else if ((r->kind == KVMRC_ABI_UNWRITTEN || r->kind == KVMRC_ABI_ZEROED) &&
			   r->exit_reason < KVMRC_MAX_EXIT && nfield[r->exit_reason] < FIELDS_PER_EXIT &&
			   r->off >= uoff && r->off + r->len <= uoff + KVMRC_UNION_SIZE) {
			field_rows[r->exit_reason][nfield[r->exit_reason]++] = (uint8_t)i;
		} else {
			continue;
		}
		any = 1;
	}
	kvmrc_abi_on = (uint8_t)any;
}

static inline void count(struct kvmrc_abi_vcpu *a, unsigned int row, uint32_t n)
{
	__atomic_store_n(&a->bytes[row], __atomic_load_n(&a->bytes[row], __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

void kvmrc_abi_after_run(struct kvmrc_abi_vcpu *a, uint8_t *page, int r, uint32_t before)
{
	uint16_t flags;
	uint32_t reason;

	/* flags: written by x86 on every KVM_RUN, by arm64 5.19+ on every
	 * exit; bits VERSION did not define read 0 whatever the exit */
	memcpy(&flags, page + KVMRC_RUN_FLAGS_OFFSET, 2);
	if (flags & flag_mask) {
		for (unsigned int i = 0; i < nflag; i++)
			if (flags & kvmrc_abi_rows[flag_rows[i]].bits)
				count(a, flag_rows[i], 1);
		flags &= (uint16_t)~flag_mask;
		memcpy(page + KVMRC_RUN_FLAGS_OFFSET, &flags, 2);
	}
	memcpy(&reason, page + KVMRC_RUN_EXIT_REASON_OFFSET, 4);
	if ((r != 0 && reason == before) || reason >= KVMRC_MAX_EXIT)
		return; /* no new exit (the union is the scrub's), or one no table knows */
	if (__builtin_expect(exit_row[reason] != 0, 0)) {
		unsigned int row = exit_row[reason] - 1u;
		count(a, row, 1);
		if (!(__atomic_fetch_or(&logged, 1ull << reason, __ATOMIC_RELAXED) & (1ull << reason)))
			kvmrc_log_hot(KVMRC_LOG_WARN, "--abi=%u.%u: exit %u (%s) happened, which Linux %u.%u cannot "
				      "produce (from %u.%u, ledger %s); passed on as the running kernel wrote it",
				      abi_version >> 16, (abi_version >> 8) & 0xffu, reason, kvmrc_abi_rows[row].name,
				      abi_version >> 16, (abi_version >> 8) & 0xffu, kvmrc_abi_rows[row].since >> 16,
				      (kvmrc_abi_rows[row].since >> 8) & 0xffu, kvmrc_abi_rows[row].ledger);
	}
	uint8_t fill = kvmrc_scrub_fill;
	for (unsigned int i = 0; i < nfield[reason]; i++) {
		const struct kvmrc_abi_row *w = &kvmrc_abi_rows[field_rows[reason][i]];
		uint8_t *p = page + w->off;
		if (w->kind == KVMRC_ABI_ZEROED)
			memset(p, 0, w->len);
		else if (stale)
			memcpy(p, a->prev + (w->off - uoff), w->len);
		else
			memset(p, fill, w->len);
		count(a, field_rows[reason][i], w->len);
	}
	if (stale)
		memcpy(a->prev, page + uoff, KVMRC_UNION_SIZE);
}

void kvmrc_abi_retire(const struct kvmrc_abi_vcpu *a)
{
	for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
		uint32_t n = __atomic_load_n(&a->bytes[i], __ATOMIC_RELAXED);
		if (n)
			__atomic_add_fetch(&retired[i], n, __ATOMIC_RELAXED);
	}
}

uint64_t kvmrc_abi_retired(unsigned int row)
{
	return row < KVMRC_ABI_ROWS_MAX ? __atomic_load_n(&retired[row], __ATOMIC_RELAXED) : 0;
}

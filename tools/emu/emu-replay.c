/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-replay.c - KVMEMU_REPLAY=FILE: KVM_RUN plays a recording's exits
 * (kvmrun-compat --record, docs/record-format.md) instead of the scenario.
 * Each vCPU id takes the records of that id in the file's order, across
 * VMs (a VMM that makes a new VM per test, each with vCPU 0, replays its
 * sequence) and across the writer processes of the file; each KVM_RUN writes the
 * kernel's image of the record (bytes 8 to the end of the exit union: the
 * kernel's output, as the recorded kernel left kvm_run, before the shim)
 * and returns the kernel's result.  A KVM_RUN that failed without a new
 * exit (exit_reason unchanged, as after EINTR) writes nothing.  Bytes 0-7
 * (request_interrupt_window, immediate_exit) are the VMM's and stay.  The
 * profile (KVMEMU_PROFILE) must be of the recording's architecture; the
 * recorded kernel's fixes are its release (header), for the shim's
 * KVMRUN_COMPAT_KERNEL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emu.h"
#include "kvmrun-compat.h"
#include "recread.h"

struct replay_exit {
	uint32_t vcpu;
	int32_t ret, err;
	uint8_t k[KVMRC_REC_IMAGE_MAX];
};

static struct {
	int state;              /* 0 not asked, 1 replaying, -1 refused (KVM_RUN fails with EINVAL) */
	unsigned int image;
	size_t n;
	struct replay_exit *e;
} rp;
static pthread_once_t rp_once = PTHREAD_ONCE_INIT;
#define RP_IDS 512                      /* KVM_MAX_VCPU_IDS of the modelled kernels */
static size_t rp_next[RP_IDS];          /* per vCPU id: next record to look at, across VMs */
static const struct replay_exit *rp_last[RP_IDS]; /* per vCPU id: the record played last */
static const struct emu_profile *rp_prof;

static int arch_of(const struct emu_profile *p)
{
	return p->arch == EMU_X86_64 ? KVMRUN_COMPAT_ARCH_X86_64 :
	       p->arch == EMU_ARM64 ? KVMRUN_COMPAT_ARCH_ARM64 : KVMRUN_COMPAT_ARCH_RISCV64;
}

static int load(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "kvmemu: KVMEMU_REPLAY %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t len = 0, cap = 0;
	uint8_t *buf = NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			uint8_t *b = realloc(buf, cap);
			if (!b)
				break;
			buf = b;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		if (!got)
			break;
		len += got;
	}
	fclose(f);
	char msg[200];
	size_t at = 0, need;
	unsigned int image = 0;
	while (buf && at < len) {
		struct rec_chunk c;
		long r = rec_parse(buf + at, len - at, image, &c, &need, msg, sizeof(msg));
		if (r <= 0) {
			if (r == 0)
				snprintf(msg, sizeof(msg), "truncated at byte %zu", at);
			fprintf(stderr, "kvmemu: KVMEMU_REPLAY %s: %s\n", path, msg);
			free(buf);
			return -1;
		}
		at += (size_t)r;
		if (c.type == KVMRC_REC_T_HEADER) {
			if (c.arch != arch_of(rp_prof)) {
				fprintf(stderr, "kvmemu: KVMEMU_REPLAY %s: a recording of architecture %u, "
					"not of the profile %s\n", path, c.arch, rp_prof->name);
				free(buf);
				return -1;
			}
			image = c.image;
			continue;
		}
		if (c.type != KVMRC_REC_T_EXIT)
			continue;
		struct replay_exit *e = realloc(rp.e, (rp.n + 1) * sizeof(*e));
		if (!e)
			break;
		rp.e = e;
		e += rp.n++;
		uint8_t s[KVMRC_REC_IMAGE_MAX];
		rec_images(&c, image, e->k, s);
		e->vcpu = c.vcpu;
		e->ret = c.ret;
		e->err = c.err;
	}
	free(buf);
	if (!image) {
		fprintf(stderr, "kvmemu: KVMEMU_REPLAY %s: no recording in it\n", path);
		return -1;
	}
	rp.image = image;
	return 0;
}

static void rp_init(void)
{
	const char *path = getenv("KVMEMU_REPLAY");
	if (!path || !*path)
		return;
	rp.state = load(path) ? -1 : 1;
}

/* At open("/dev/kvm"), before a VMM's vCPU threads install seccomp filters
 * (pthread_once ends with a futex call). */
void emu_replay_init(const struct emu_profile *p)
{
	if (!rp_prof)
		rp_prof = p;
	pthread_once(&rp_once, rp_init);
}

int emu_replay_on(void)
{
	return rp.state;
}

/* KVM_RUN of vCPU o from the recording.  One thread runs a vCPU id at a
 * time (a VMM that ran one id from two threads at once would interleave
 * its records). */
int emu_replay_run(struct emu_obj *o)
{
	struct emu_vcpu *v = &o->vcpu;

	if (rp.state < 0 || v->id >= RP_IDS)
		return emu_err(EINVAL);
	pthread_mutex_lock(&v->lock);
	size_t i = __atomic_load_n(&rp_next[v->id], __ATOMIC_ACQUIRE);
	while (i < rp.n && rp.e[i].vcpu != v->id)
		i++;
	if (i >= rp.n) {
		pthread_mutex_unlock(&v->lock);
		emu_log(o->sys, "replay: vCPU %u has no more recorded exits: EIO", v->id);
		return emu_err(EIO);
	}
	const struct replay_exit *e = &rp.e[i], *last = rp_last[v->id];
	__atomic_store_n(&rp_next[v->id], i + 1, __ATOMIC_RELEASE);
	rp_last[v->id] = e;
	/* failed without a new exit (EINTR, a check before entry): nothing written */
	if (!(e->ret != 0 && last && !memcmp(last->k + KVMRC_RUN_EXIT_REASON_OFFSET,
					     e->k + KVMRC_RUN_EXIT_REASON_OFFSET, 4)))
		memcpy(v->run + 8, e->k + 8, rp.image - 8);
	pthread_mutex_unlock(&v->lock);
	return e->ret ? emu_err(e->err) : 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* recread.c - the chunk parser of the recording format (recread.h). */
#include <stdio.h>
#include <string.h>
#include "recread.h"

#define KVMRC_ARCH_MAX 4 /* enum kvmrun_compat_arch: x86_64 1 .. s390x 4 */

#define BAD(...) (snprintf(msg, msglen, __VA_ARGS__), -1L)

static int image_ok(unsigned int arch, unsigned int image)
{
	return image == (arch == 4 ? 48u : 32u) + 256u;
}

long rec_parse(const uint8_t *p, size_t n, unsigned int image, struct rec_chunk *c, size_t *need,
	       char *msg, size_t msglen)
{
	*need = 0;
	memset(c, 0, sizeof(*c));
	if (n == 0)
		return 0;
	c->type = p[0];
	if (!image && c->type != KVMRC_REC_T_HEADER)
		return BAD("not a kvmrun-compat recording (no KVMRCREC header)");
	if (n < 4)
		return 0;
	size_t size = kvmrc_rec_get16(p + 2);
	switch (c->type) {
	case KVMRC_REC_T_HEADER:
		if (n < 12)
			return 0;
		if (memcmp(p, KVMRC_REC_MAGIC, 8))
			return BAD("not a kvmrun-compat recording (no KVMRCREC header)");
		c->version = kvmrc_rec_get16(p + 8);
		if (c->version != KVMRC_REC_VERSION)
			return BAD("recording format version %u; this reader knows version 1", c->version);
		size = kvmrc_rec_get16(p + 10);
		if (size < KVMRC_REC_HDR_FIXED + 32)
			return BAD("header of %zu bytes is too short", size);
		break;
	case KVMRC_REC_T_EXIT:
		if (size < KVMRC_REC_EXIT_FIXED)
			return BAD("exit record of %zu bytes is too short", size);
		break;
	case KVMRC_REC_T_CLOCK:
		if (size != KVMRC_REC_CLOCK_SIZE)
			return BAD("clock record of %zu bytes (24 expected)", size);
		break;
	case KVMRC_REC_T_DROPPED:
		if (size != KVMRC_REC_DROPPED_SIZE)
			return BAD("dropped-records record of %zu bytes (16 expected)", size);
		break;
	default:
		return BAD("unknown record type 0x%02x (corrupt, or a newer format)", c->type);
	}
	if (n < size) {
		*need = size;
		return 0;
	}
	c->size = size;
	switch (c->type) {
	case KVMRC_REC_T_HEADER: {
		c->arch = p[12];
		c->flags = p[13];
		c->image = kvmrc_rec_get16(p + 14);
		c->pid = kvmrc_rec_get32(p + 16);
		c->fill = p[20];
		size_t rl = p[21];
		c->counter = kvmrc_rec_get64(p + 24);
		c->ns = kvmrc_rec_get64(p + 32);
		c->kver = kvmrc_rec_get32(p + 40);
		if (c->arch < 1 || c->arch > KVMRC_ARCH_MAX)
			return BAD("unknown architecture %u in the header", c->arch);
		if (!image_ok(c->arch, c->image))
			return BAD("image size %u does not match the architecture", c->image);
		if (rl > KVMRC_REC_RELEASE_MAX || size != KVMRC_REC_HDR_FIXED + rl + 32)
			return BAD("header size %zu does not match its release string", size);
		memcpy(c->release, p + KVMRC_REC_HDR_FIXED, rl);
		c->release[rl] = 0;
		for (size_t i = 0; i < rl; i++)
			if (c->release[i] < 0x21 || c->release[i] > 0x7e)
				c->release[i] = '?';
		for (unsigned int i = 0; i < 4; i++)
			c->caps[i] = kvmrc_rec_get64(p + KVMRC_REC_HDR_FIXED + rl + 8 * i);
		break;
	}
	case KVMRC_REC_T_EXIT:
		c->vcpu = kvmrc_rec_get32(p + 4);
		c->ret = (int32_t)kvmrc_rec_get32(p + 8);
		c->err = (int32_t)kvmrc_rec_get32(p + 12);
		c->sret = (int32_t)kvmrc_rec_get32(p + 16);
		c->serr = (int32_t)kvmrc_rec_get32(p + 20);
		c->counter = kvmrc_rec_get64(p + 24);
		c->seq = kvmrc_rec_get32(p + 32);
		c->k_len = kvmrc_rec_get16(p + 36);
		c->d_len = kvmrc_rec_get16(p + 38);
		c->instance = kvmrc_rec_get32(p + 40);
		if (c->k_len > image || c->d_len > image ||
		    size != KVMRC_REC_EXIT_FIXED + (size_t)c->k_len + c->d_len)
			return BAD("exit record of %zu bytes does not match its image lengths", size);
		c->k = p + KVMRC_REC_EXIT_FIXED;
		c->d = c->k + c->k_len;
		break;
	case KVMRC_REC_T_CLOCK:
		c->counter = kvmrc_rec_get64(p + 8);
		c->ns = kvmrc_rec_get64(p + 16);
		break;
	case KVMRC_REC_T_DROPPED:
		c->vcpu = kvmrc_rec_get32(p + 4);
		c->dropped = kvmrc_rec_get64(p + 8);
		break;
	}
	return (long)size;
}

void rec_images(const struct rec_chunk *c, unsigned int image, uint8_t *k, uint8_t *s)
{
	memset(k, 0, image);
	memcpy(k, c->k, c->k_len);
	memcpy(s, k, image);
	for (unsigned int i = 0; i < c->d_len; i++)
		s[i] ^= c->d[i];
}

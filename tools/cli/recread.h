/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recread.h - reading a recording (docs/record-format.md) chunk by chunk.
 * Shared by kvmrun-compat decode / trace (decode.c), the emulator's replay
 * (tools/emu/emu-replay.c) and the fuzz target (tests/fuzz/fuzz-record.c).
 */
#ifndef KVMRC_RECREAD_H
#define KVMRC_RECREAD_H

#include <stddef.h>
#include <stdint.h>
#include "recfmt.h"

struct rec_chunk {
	uint8_t type;                   /* KVMRC_REC_T_* */
	size_t size;
	/* header */
	uint16_t version, image;
	uint8_t arch, flags, fill;
	uint32_t pid, kver;
	char release[KVMRC_REC_RELEASE_MAX + 1];
	uint64_t caps[4];
	/* header, clock, exit */
	uint64_t counter, ns;
	/* exit, dropped */
	uint32_t vcpu, seq, instance;
	int32_t ret, err, sret, serr;
	uint16_t k_len, d_len;
	const uint8_t *k, *d;
	uint64_t dropped;
};

/*
 * Parses the chunk at p (n bytes available).  image: the image size of the
 * header in force (0 before the first header, when only a header is valid).
 * Returns the chunk's size; 0 when p holds only the start of a chunk (*need
 * then says how many bytes it takes, 0 if unknown yet); -1 on a malformed
 * chunk, with one line in msg.
 */
long rec_parse(const uint8_t *p, size_t n, unsigned int image, struct rec_chunk *c, size_t *need,
	       char *msg, size_t msglen);

/* The kernel's and the shim's images of an exit chunk, image bytes each. */
void rec_images(const struct rec_chunk *c, unsigned int image, uint8_t *k, uint8_t *s);

#endif

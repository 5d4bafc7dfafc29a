/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-record.c - libFuzzer target for the recording reader and decoder
 * (tools/cli/recread.c, decode.c), as kvmrun-compat decode and trace use
 * them.  The input is a file; its first byte chooses the piece size in which
 * it is fed (trace reads a FIFO in whatever pieces come).  Asserted (abort()
 * on violation, which libFuzzer reports), besides ASan/UBSan's own checks:
 *   1. a rejection always comes with a message;
 *   2. the verdict (accepted or the message) is the same fed whole or in
 *      pieces;
 *   3. the text printed is the same fed whole or in pieces.
 * Inputs start from a valid header 3/4 of the time, so the fuzzer spends its
 * effort on the records rather than on the magic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "recfmt.h"

static int run(const uint8_t *p, size_t n, size_t piece, char *msg, size_t msglen, char **text, size_t *tlen)
{
	FILE *out = open_memstream(text, tlen);
	struct rec_decoder *d = rec_decoder_new(out, -1);
	int r = 0;
	msg[0] = 0;
	if (!d || !out)
		abort();
	for (size_t at = 0; at < n && !r; at += piece)
		r = rec_decoder_feed(d, p + at, n - at < piece ? n - at : piece, msg, msglen);
	if (!r)
		r = rec_decoder_end(d, msg, msglen);
	rec_decoder_free(d);
	fclose(out);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 16];
	if (size < 1 || size > sizeof(buf) - 96)
		return 0;
	size_t piece = (size_t)(data[0] % 64) + 1, n = 0;
	if (data[0] & 0xc0) { /* a valid x86_64 header with an empty release */
		memset(buf, 0, 80);
		memcpy(buf, KVMRC_REC_MAGIC, 8);
		kvmrc_rec_put16(buf + 8, KVMRC_REC_VERSION);
		kvmrc_rec_put16(buf + 10, KVMRC_REC_HDR_FIXED + 32);
		buf[12] = 1 + (data[0] >> 6) % 3; /* x86_64, arm64, riscv64 */
		kvmrc_rec_put16(buf + 14, 288);
		n = KVMRC_REC_HDR_FIXED + 32;
	}
	memcpy(buf + n, data + 1, size - 1);
	n += size - 1;

	char m1[256], m2[256], *t1 = NULL, *t2 = NULL;
	size_t l1 = 0, l2 = 0;
	int r1 = run(buf, n, n ? n : 1, m1, sizeof(m1), &t1, &l1);
	int r2 = run(buf, n, piece, m2, sizeof(m2), &t2, &l2);
	if (r1 && !m1[0])
		abort();
	if (r1 != r2 || (r1 && strcmp(m1, m2)) || l1 != l2 || memcmp(t1, t2, l1)) {
		fprintf(stderr, "fuzz-record: verdict or text depends on the piece size %zu: '%s' / '%s'\n", piece, m1, m2);
		abort();
	}
	free(t1);
	free(t2);
	return 0;
}

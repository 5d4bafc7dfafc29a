/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * decode.h - a recording as text: one line per exit, per vCPU, in the
 * order of the file (kvmrun-compat decode FILE; kvmrun-compat trace prints
 * the same lines from the stream as it comes).
 */
#ifndef KVMRC_DECODE_H
#define KVMRC_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rec_decoder;

/* out NULL: check only.  vcpu < 0: every vCPU. */
struct rec_decoder *rec_decoder_new(FILE *out, long vcpu);
void rec_decoder_free(struct rec_decoder *d);
/* Takes n more bytes.  0, or -1 with one line in msg (the data is not a
 * valid recording; nothing more is taken). */
int rec_decoder_feed(struct rec_decoder *d, const uint8_t *p, size_t n, char *msg, size_t msglen);
/* The data ended: -1 with msg if it ends inside a record or holds no
 * header; else prints the summary line and returns 0. */
int rec_decoder_end(struct rec_decoder *d, char *msg, size_t msglen);

#endif

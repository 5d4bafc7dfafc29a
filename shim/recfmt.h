/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recfmt.h - the recording format (docs/record-format.md), shared by the
 * writer (record.c), the reader (tools/cli/recread.c) and the emulator's
 * replay.  A file is a sequence of chunks; every integer is little-endian.
 * Each chunk starts with a type byte and a u16 size that covers the whole
 * chunk, so a reader can skip nothing silently: every type is known.
 */
#ifndef KVMRC_RECFMT_H
#define KVMRC_RECFMT_H

#include <stdint.h>

#define KVMRC_REC_MAGIC      "KVMRCREC"  /* 8 bytes: the header chunk ('K' is its type) */
#define KVMRC_REC_VERSION    1
#define KVMRC_REC_IMAGE_MAX  304         /* bytes of kvm_run per image: exit union end (s390x) */
#define KVMRC_REC_RELEASE_MAX 64

/* Chunk types (byte 0). */
#define KVMRC_REC_T_HEADER   'K'         /* starts the file and each writer process's part */
#define KVMRC_REC_T_EXIT     'E'         /* one KVM_RUN */
#define KVMRC_REC_T_CLOCK    'T'         /* counter and CLOCK_MONOTONIC, at each write */
#define KVMRC_REC_T_DROPPED  'D'         /* records a vCPU's ring could not hold */

/* Header: fixed part, then the release string, then the capability bits. */
#define KVMRC_REC_HDR_FIXED  48
/*  0 magic[8] | 8 u16 version | 10 u16 size | 12 u8 arch | 13 u8 flags | 14 u16 image size
 * 16 u32 pid | 20 u8 fill | 21 u8 release length | 22 u16 0 | 24 u64 counter | 32 u64 ns
 * 40 u32 kernel facts' release (KVMRC_KV, kver.h) | 44 u32 0 | 48 release | then 32 bytes: capability bits 0-255 of the first VM */
#define KVMRC_REC_HDR_ACTIVE 1           /* flags: the shim was active (after images are its output) */

/* Exit: fixed part, then k_len bytes of the kernel's image (bytes 0.. of
 * kvm_run as KVM_RUN returned, the rest zero), then d_len bytes of the
 * shim's image XOR the kernel's (the rest equal). */
#define KVMRC_REC_EXIT_FIXED 44
/*  0 u8 'E' | 1 u8 0 | 2 u16 size | 4 u32 vcpu | 8 i32 ret | 12 i32 errno | 16 i32 shim ret
 * 20 i32 shim errno | 24 u64 counter | 32 u32 sequence (per vCPU) | 36 u16 k_len | 38 u16 d_len
 * 40 u32 instance: the vCPU's number in the process, in order of creation */

#define KVMRC_REC_CLOCK_SIZE 24          /* 'T' 0 u16 size u32 0 | u64 counter | u64 ns */
#define KVMRC_REC_DROPPED_SIZE 16        /* 'D' 0 u16 size u32 vcpu | u64 dropped so far */

/* Little-endian stores: one move on a little-endian host, bytes elsewhere. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline void kvmrc_rec_put16(uint8_t *p, uint16_t v) { __builtin_memcpy(p, &v, 2); }
static inline void kvmrc_rec_put32(uint8_t *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }
static inline void kvmrc_rec_put64(uint8_t *p, uint64_t v) { __builtin_memcpy(p, &v, 8); }
#else
static inline void kvmrc_rec_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void kvmrc_rec_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void kvmrc_rec_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
#endif
static inline uint16_t kvmrc_rec_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t kvmrc_rec_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t kvmrc_rec_get64(const uint8_t *p)
{
	return (uint64_t)kvmrc_rec_get32(p) | (uint64_t)kvmrc_rec_get32(p + 4) << 32;
}

#endif

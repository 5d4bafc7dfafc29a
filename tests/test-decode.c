/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-decode.c - kvmrun-compat decode's line for exits no emulator profile
 * produces: hand-made recordings (docs/record-format.md) of x86_64 Hyper-V,
 * Xen, TDX and SNP certificate exits, the arm64 LD/ST64B exit and the
 * s390x exits, each decoded with its fields by name (the field table,
 * shim/fields.c), the union member its selector names.  Control: an exit
 * with no field of its own (LoongArch's IOCSR) prints its bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <linux/kvm.h>
#include "kvmrun-compat.h"
#include "kvmrun-compat-uapi.h"
#include "decode.h"
#include "recfmt.h"

static uint8_t file[16384];
static size_t len;

static void header(unsigned int arch)
{
	static const char rel[] = "7.1.0";
	uint8_t *h = file;
	size_t size = KVMRC_REC_HDR_FIXED + sizeof(rel) - 1 + 32;

	memset(h, 0, size);
	memcpy(h, KVMRC_REC_MAGIC, 8);
	kvmrc_rec_put16(h + 8, KVMRC_REC_VERSION);
	kvmrc_rec_put16(h + 10, (uint16_t)size);
	h[12] = (uint8_t)arch;
	h[13] = KVMRC_REC_HDR_ACTIVE;
	kvmrc_rec_put16(h + 14, arch == KVMRUN_COMPAT_ARCH_S390X ? 304 : 288);
	h[21] = sizeof(rel) - 1;
	memcpy(h + KVMRC_REC_HDR_FIXED, rel, sizeof(rel) - 1);
	len = size;
}

/* One exit whose kernel image is img (the shim changed nothing). */
static void exit_(const uint8_t *img, unsigned int image)
{
	uint8_t *e = file + len;
	size_t size = KVMRC_REC_EXIT_FIXED + image;

	memset(e, 0, KVMRC_REC_EXIT_FIXED);
	e[0] = KVMRC_REC_T_EXIT;
	kvmrc_rec_put16(e + 2, (uint16_t)size);
	kvmrc_rec_put16(e + 36, (uint16_t)image);
	memcpy(e + KVMRC_REC_EXIT_FIXED, img, image);
	len += size;
}

static void put32(uint8_t *img, unsigned int off, uint32_t v) { kvmrc_rec_put32(img + off, v); }
static void put64(uint8_t *img, unsigned int off, uint64_t v) { kvmrc_rec_put64(img + off, v); }

/* The decoded text of the file built so far. */
static char *decode(void)
{
	char *text = NULL, msg[256];
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);
	struct rec_decoder *d = rec_decoder_new(out, -1);

	cr_assert(d);
	cr_assert_eq(rec_decoder_feed(d, file, len, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_eq(rec_decoder_end(d, msg, sizeof(msg)), 0, "%s", msg);
	rec_decoder_free(d);
	fclose(out);
	return text;
}

#define HAS(text, s) cr_expect(strstr(text, s), "no \"%s\" in:\n%s", s, text)

Test(decode, x86_hyperv_xen_tdx_snp)
{
	uint8_t img[288];
	header(KVMRUN_COMPAT_ARCH_X86_64);
	memset(img, 0, sizeof(img));
	put32(img, 8, KVM_EXIT_HYPERV);
	put32(img, 32, KVM_EXIT_HYPERV_SYNIC);
	put32(img, 40, 0x40000090);
	put64(img, 48, 0x1);
	put64(img, 56, 0x7000);
	put64(img, 64, 0x8000);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put32(img, 32, KVM_EXIT_HYPERV_HCALL);
	put64(img, 40, 0x10008);
	put64(img, 48, 0x2);
	put64(img, 56, 0x1111);
	put64(img, 64, 0x2222);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put32(img, 32, KVM_EXIT_HYPERV_SYNDBG);
	put32(img, 40, 0x400000f1);
	put64(img, 72, 0x9000); /* recv_page */
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put32(img, 8, KVM_EXIT_XEN);
	put32(img, 32, KVM_EXIT_XEN_HCALL);
	put32(img, 40, 1);
	put32(img, 44, 3);
	put64(img, 48, 24);
	put64(img, 64, 0xa);
	put64(img, 104, 0xf);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put32(img, 8, KVM_EXIT_TDX);
	put64(img, 40, KVMRC_TDVMCALL_GET_QUOTE);
	put64(img, 48, 0x8000000000000001ull);
	put64(img, 56, 0x5000);
	put64(img, 64, 0x1000);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put64(img, 40, KVMRC_TDVMCALL_GET_TD_VM_CALL_INFO);
	put64(img, 56, 1);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put64(img, 40, KVMRC_TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT);
	put64(img, 56, 0x30);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put64(img, 40, 0x10099);
	put64(img, 56, 0xd0);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put32(img, 8, KVM_EXIT_SNP_REQ_CERTS);
	put64(img, 32, 0x6000);
	put64(img, 40, 4);
	exit_(img, 288);
	memset(img + 32, 0, 256);
	put32(img, 8, KVM_EXIT_LOONGARCH_IOCSR); /* control: no fields on x86_64 */
	put32(img, 32, 0xabcd);
	exit_(img, 288);

	char *t = decode();
	HAS(t, " HYPERV flags=0x0000 type=1 (SYNIC) synic.msr=0x40000090 synic.control=0x0000000000000001 "
	       "synic.evt_page=0x0000000000007000 synic.msg_page=0x0000000000008000\n");
	HAS(t, " HYPERV flags=0x0000 type=2 (HCALL) hcall.input=0x0000000000010008 hcall.result=0x0000000000000002 "
	       "hcall.params[0]=0x0000000000001111 hcall.params[1]=0x0000000000002222\n");
	HAS(t, " HYPERV flags=0x0000 type=3 (SYNDBG) syndbg.msr=0x400000f1 syndbg.control=0x0000000000000000 "
	       "syndbg.status=0x0000000000000000 syndbg.send_page=0x0000000000000000 "
	       "syndbg.recv_page=0x0000000000009000 syndbg.pending_page=0x0000000000000000");
	HAS(t, " XEN flags=0x0000 type=1 (HCALL) hcall.longmode=1 hcall.cpl=3 hcall.input=0x0000000000000018 "
	       "hcall.result=0x0000000000000000 hcall.params[0]=0x000000000000000a");
	HAS(t, "hcall.params[5]=0x000000000000000f\n");
	HAS(t, " TDX flags=0x0000 flags=0x0000000000000000 nr=0x10002 (GET_QUOTE) ret=0x8000000000000001 "
	       "get_quote.gpa=0x0000000000005000 get_quote.size=0x0000000000001000\n");
	HAS(t, " TDX flags=0x0000 flags=0x0000000000000000 nr=0x10000 (GET_TD_VM_CALL_INFO) ret=0x0000000000000000 "
	       "get_tdvmcall_info.leaf=0x0000000000000001 get_tdvmcall_info.r11=0x0000000000000000");
	HAS(t, "nr=0x10004 (SETUP_EVENT_NOTIFY_INTERRUPT) ret=0x0000000000000000 setup_event_notify.vector=0x0000000000000030\n");
	HAS(t, "nr=0x10099 (?) ret=0x0000000000000000 unknown.data[0]=0x00000000000000d0 unknown.data[1]=");
	HAS(t, " SNP_REQ_CERTS flags=0x0000 gpa=0x0000000000006000 npages=4 ret=0x0000000000000000\n");
	HAS(t, " LOONGARCH_IOCSR flags=0x0000 bytes=cdab\n");
	free(t);
}

Test(decode, arm64_ldst64b)
{
	uint8_t img[288] = { 0 };
	header(KVMRUN_COMPAT_ARCH_ARM64);
	put32(img, 8, KVM_EXIT_ARM_LDST64B);
	put64(img, 32, 0x93c08000);
	put64(img, 40, 0x9000000);
	exit_(img, 288);
	char *t = decode();
	HAS(t, " ARM_LDST64B flags=0x0000 esr_iss=0x0000000093c08000 fault_ipa=0x0000000009000000\n");
	free(t);
}

Test(decode, s390x)
{
	uint8_t img[304] = { 0 };
	header(KVMRUN_COMPAT_ARCH_S390X);
	put64(img, 32, 0x0705000180000000ull);
	put64(img, 40, 0x10000);
	put32(img, 8, KVM_EXIT_S390_SIEIC);
	img[48] = 0x04;
	img[50] = 0x83;
	img[51] = 0x00; /* ipa 0x0083 little-endian in the image as the host wrote it */
	put32(img, 52, 0x500);
	exit_(img, 304);
	memset(img + 48, 0, 256);
	put32(img, 8, KVM_EXIT_S390_RESET);
	put64(img, 48, 3);
	exit_(img, 304);
	memset(img + 48, 0, 256);
	put32(img, 8, KVM_EXIT_S390_UCONTROL);
	put64(img, 48, 0x2000);
	put32(img, 56, 0x10);
	exit_(img, 304);
	memset(img + 48, 0, 256);
	put32(img, 8, KVM_EXIT_S390_TSCH);
	img[48] = 1;
	img[50] = 2;
	put32(img, 52, 0x33);
	put32(img, 56, 0x44);
	put32(img, 60, 0x55);
	img[64] = 1;
	exit_(img, 304);
	memset(img + 48, 0, 256);
	put32(img, 8, KVM_EXIT_S390_STSI);
	put64(img, 48, 0x7000);
	img[56] = 2;
	img[58] = 3;
	img[59] = 2;
	img[60] = 2;
	exit_(img, 304);
	memset(img + 48, 0, 256);
	put32(img, 8, KVM_EXIT_DEBUG);
	put64(img, 48, 0x4000);
	img[56] = 1;
	exit_(img, 304);
	memset(img + 48, 0, 256);
	put32(img, 8, KVM_EXIT_INTERNAL_ERROR);
	put32(img, 48, 1);
	put32(img, 52, 1);
	put64(img, 56, 0xee);
	exit_(img, 304);

	char *t = decode();
	HAS(t, " S390_SIEIC flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 icptcode=0x04 "
	       "ipa=0x0083 ipb=0x00000500\n");
	HAS(t, " S390_RESET flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 "
	       "s390_reset_flags=0x0000000000000003\n");
	HAS(t, " S390_UCONTROL flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 "
	       "trans_exc_code=0x0000000000002000 pgm_code=0x00000010\n");
	HAS(t, " S390_TSCH flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 subchannel_id=0x0001 "
	       "subchannel_nr=0x0002 io_int_parm=0x00000033 io_int_word=0x00000044 ipb=0x00000055 dequeued=1\n");
	HAS(t, " S390_STSI flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 addr=0x0000000000007000 "
	       "ar=2 reserved=0x00 fc=3 sel1=2 sel2=2\n");
	HAS(t, " DEBUG flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 addr=0x0000000000004000 type=1\n");
	HAS(t, " INTERNAL_ERROR flags=0x0000 psw_mask=0x0705000180000000 psw_addr=0x0000000000010000 suberror=1 ndata=1 "
	       "data[0]=0x00000000000000ee\n");
	free(t);
}

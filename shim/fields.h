/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fields.h - names: of each exit reason, and of each field of each exit's
 * struct per architecture with its bytes in kvm_run (layout.h offsets,
 * proven in abi-check.c) and how to read its value.  One table, used by
 * the trace decoder (kvmrun-compat trace / decode), --rules and --probe,
 * and checked against the rule and exit tables in tests/test-fields.c.
 */
#ifndef KVMRC_FIELDS_H
#define KVMRC_FIELDS_H

#include <stddef.h>
#include <stdint.h>

enum kvmrc_field_kind {
	KVMRC_FK_HEX = 0,    /* unsigned, little-endian, printed in hex */
	KVMRC_FK_DEC,        /* unsigned, printed in decimal */
	KVMRC_FK_ESR,        /* arm64 ESR (u32 hsr): exception class named */
	KVMRC_FK_IO_DIR,     /* KVM_EXIT_IO_IN / _OUT */
	KVMRC_FK_SYSEV,      /* KVM_SYSTEM_EVENT_* */
	KVMRC_FK_WRITE,      /* is_write: read / write */
	KVMRC_FK_X86_VECTOR, /* x86 exception vector (#DB, #BP, ...) */
	KVMRC_FK_ARM64_FLAGS,/* kvm_run.flags on arm64 */
	KVMRC_FK_NDATA,      /* u64 array: entries [0, u32 at `at`) shown, at most 16 */
	KVMRC_FK_HYPERV_TYPE,/* KVM_EXIT_HYPERV_SYNIC, _HCALL, _SYNDBG */
	KVMRC_FK_XEN_TYPE,   /* KVM_EXIT_XEN_HCALL */
	KVMRC_FK_TDX_NR,     /* TDVMCALL leaf (GET_QUOTE, ...) */
};

/* Which member of an exit's union a row belongs to (struct kvmrc_field.sel):
 * every row, or only when the selector (the u32 or u64 at sel_at, of
 * sel_size bytes) equals sel_value, or only when it equals none of the
 * values of the exit's KVMRC_SEL_EQ rows (the "unknown" member). */
enum kvmrc_field_sel {
	KVMRC_SEL_ALL = 0,
	KVMRC_SEL_EQ,
	KVMRC_SEL_OTHER,
};

#define KVMRC_FIELD_ALL_LP64 0xff /* arch: every architecture with the union at 32 */
#define KVMRC_FIELD_EXIT_ANY 0xffff
#define KVMRC_FIELD_MAX 192 /* rows the table may hold (per-row counters, poison.h) */

struct kvmrc_field {
	uint8_t arch;        /* enum kvmrun_compat_arch, or KVMRC_FIELD_ALL_LP64 */
	uint16_t exit_reason;/* KVM_EXIT_*, or KVMRC_FIELD_EXIT_ANY (header fields) */
	const char *name;    /* as in the uapi: "hsr_high", "phys_addr", "data" */
	uint16_t off, size;  /* bytes of kvm_run */
	uint8_t kind;        /* enum kvmrc_field_kind */
	uint16_t at;         /* KVMRC_FK_NDATA: offset of the u32 count */
	uint8_t sel;         /* enum kvmrc_field_sel: the member this row is part of */
	uint8_t sel_size;    /* 4 or 8 */
	uint16_t sel_at;     /* offset of the selector (hyperv.type, tdx.nr) */
	uint64_t sel_value;
};

extern const struct kvmrc_field kvmrc_fields[];
extern const unsigned int kvmrc_field_count;

/* "MMIO", "DEBUG", ... ("?" for a reason the table does not name). */
const char *kvmrc_exit_name(unsigned int exit_reason);
/* arm64 ESR exception class ("BRK64", "WATCHPT_LOW", ...), or NULL. */
const char *kvmrc_esr_class_name(unsigned int ec);
/* KVM_SYSTEM_EVENT_* ("SHUTDOWN", "RESET", ...), or NULL. */
const char *kvmrc_system_event_name(unsigned int type);
/* x86 exception vector ("DB", "BP", ...), or NULL. */
const char *kvmrc_x86_vector_name(unsigned int vector);

/* Does row f describe a field of exit_reason on arch? */
int kvmrc_field_applies(const struct kvmrc_field *f, unsigned int arch, unsigned int exit_reason);
/* And, for a row of a union member, is that member the one page (bytes of
 * kvm_run of that exit) holds?  1 for a row of every member. */
int kvmrc_field_selected(const struct kvmrc_field *f, const uint8_t *page);
/* The name of value v of a field of kind (ESR class, system event type,
 * hyperv type, ...), or NULL: none known, or a kind without names. */
const char *kvmrc_field_value_name(unsigned int kind, uint64_t v);

#endif

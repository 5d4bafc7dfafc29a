/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* out.c - messages, JSON strings and KVM exit names for the command. */
#include <stdarg.h>
#include <stdio.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "cli.h"

int cli_verbose;

void cli_err(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one write, so a line is never split by another process's output */
	fprintf(stderr, "kvmrun-compat: %s\n", line);
	fflush(stderr);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

const char *cli_exit_name(unsigned int r)
{
	switch (r) {
	case 0xffff: return "(before KVM_RUN)";
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_HYPERCALL: return "HYPERCALL";
	case KVM_EXIT_DEBUG: return "DEBUG";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT: return "SYSTEM_EVENT";
	case KVM_EXIT_ARM_NISV: return "ARM_NISV";
	case KVM_EXIT_X86_RDMSR: return "X86_RDMSR";
	case KVM_EXIT_X86_WRMSR: return "X86_WRMSR";
	case KVM_EXIT_X86_BUS_LOCK: return "X86_BUS_LOCK";
	case KVM_EXIT_RISCV_SBI: return "RISCV_SBI";
	case KVM_EXIT_NOTIFY: return "NOTIFY";
	case KVM_EXIT_S390_SIEIC: return "S390_SIEIC";
	case KVM_EXIT_S390_RESET: return "S390_RESET";
	case KVM_EXIT_S390_UCONTROL: return "S390_UCONTROL";
	case KVM_EXIT_S390_TSCH: return "S390_TSCH";
	case KVM_EXIT_S390_STSI: return "S390_STSI";
	case KVM_EXIT_HYPERV: return "HYPERV";
	case KVM_EXIT_XEN: return "XEN";
	case KVM_EXIT_RISCV_CSR: return "RISCV_CSR";
	case KVM_EXIT_DIRTY_RING_FULL: return "DIRTY_RING_FULL";
	case KVM_EXIT_LOONGARCH_IOCSR: return "LOONGARCH_IOCSR";
	case KVM_EXIT_MEMORY_FAULT: return "MEMORY_FAULT";
	case KVM_EXIT_TDX: return "TDX";
	case KVM_EXIT_ARM_SEA: return "ARM_SEA";
	case KVM_EXIT_ARM_LDST64B: return "ARM_LDST64B";
	case KVM_EXIT_SNP_REQ_CERTS: return "SNP_REQ_CERTS";
	default: return "?";
	}
}

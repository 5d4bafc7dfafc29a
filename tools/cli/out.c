/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* out.c - messages, JSON strings and KVM exit names for the command. */
#include <stdarg.h>
#include <stdio.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"
#include "cli.h"
#include "fields.h"

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
	return r == 0xffff ? "(before KVM_RUN)" : kvmrc_exit_name(r); /* the one table: shim/fields.c */
}

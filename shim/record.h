/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* record.h - writing the vCPU rings (trace.h) to KVMRUN_COMPAT_RECORD. */
#ifndef KVMRC_RECORD_H
#define KVMRC_RECORD_H

/* At start-up, after the configuration: turns recording on when RECORD is
 * set (the log drain thread then writes every 10 ms). */
void kvmrc_record_setup(void);
/* Writes what the rings hold now (destructor). */
void kvmrc_record_flush(void);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* record.h - writing the vCPU rings (trace.h) to KVMRUN_COMPAT_RECORD. */
#ifndef KVMRC_RECORD_H
#define KVMRC_RECORD_H

/* At start-up, after the configuration: turns recording on when RECORD is
 * set (the log drain thread then writes every 10 ms). */
void kvmrc_record_setup(void);
/* Writes what the rings hold now (destructor), after the drain thread's
 * write in progress if there is one. */
void kvmrc_record_flush(void);
/* Before the process image goes (_exit, _Exit, exec): returns once every
 * record published before the call is in the file, waiting for the drain
 * thread's next wake (at most 10 ms, and a second at worst) without a system
 * call of its own (a VMM's per-thread seccomp filter may forbid them; the
 * clock is read through the vDSO), which is async-signal-safe, as _exit is;
 * with no drain thread (it could not be started), writes them itself. */
void kvmrc_record_sync(void);

#endif

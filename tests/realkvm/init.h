/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* init.h - what the parts of the realkvm /init share (init.c, init-bench.c) */
#ifndef REALKVM_INIT_H
#define REALKVM_INIT_H

/* one line to the serial console (cut at 512 bytes) */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* supervisor mode's cost per KVM_RUN: REALKVM-BENCH lines (init-bench.c) */
void init_bench(void);

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stats.h - the statistics file (stats.c). */
#ifndef KVMRC_STATS_H
#define KVMRC_STATS_H

void kvmrc_stats_write(void);
/* The VMM's pid when it is not this process (the supervisor's); 0: getpid(). */
extern int kvmrc_stats_pid;
/* STATS_INTERVAL: rewrites from the log drain thread */
void kvmrc_stats_start_periodic(void);

#endif

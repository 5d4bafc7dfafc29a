/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stats.h - the statistics file (stats.c). */
#ifndef KVMRC_STATS_H
#define KVMRC_STATS_H

void kvmrc_stats_write(void);
/* STATS_INTERVAL: rewrites from the log drain thread */
void kvmrc_stats_start_periodic(void);

#endif

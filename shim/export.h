/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* export.h - marks the symbols the libraries export (the rest is hidden by
 * -fvisibility=hidden and the version map). */
#ifndef KVMRC_EXPORT_H
#define KVMRC_EXPORT_H

#define KVMRC_EXPORT __attribute__((visibility("default")))

#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kvmioctl.h - the KVM ioctls the libc wrappers hand over (kvmioctl.c). */
#ifndef KVMRC_KVMIOCTL_H
#define KVMRC_KVMIOCTL_H

#include <stddef.h>
#include <stdint.h>

/* req is the caller's request; nr its low 32 bits (what the kernel compares). */
int kvmrc_ioctl_run(int fd, IOCTL_REQUEST_TYPE req, void *arg) __attribute__((visibility("hidden")));
int kvmrc_ioctl_kvm(int fd, uint32_t nr, IOCTL_REQUEST_TYPE req, void *arg);
/* What is recorded after KVM ioctl nr on fd succeeded with r: a new VM
 * (r = its fd; fd /dev/kvm), a new vCPU (r; fd its VM), capabilities
 * enabled, a vCPU initialised.  Also the supervisor's, on its own copies of
 * a traced process's fds (tools/supervise/sv-track.c). */
void kvmrc_ioctl_kvm_done(int fd, uint32_t nr, void *arg, int r);

/* The before- and after-run steps of a vCPU held for one KVM_RUN
 * (kvmrc_fdt_hold), in full: what KVM_RUN does when its straight path does
 * not apply, for any caller that runs a vCPU itself.  kvmrc_run_after
 * returns r, possibly changed (FAIL_ENTRY policy), and sets *err with it. */
struct kvmrc_vcpu;
void kvmrc_run_before(struct kvmrc_vcpu *v, uint8_t *page);
int kvmrc_run_after(struct kvmrc_vcpu *v, uint8_t *page, int r, int *err);

/* Adoption: after a successful mmap of fd at offset. */
void kvmrc_after_mmap(size_t len, int flags, int fd, int64_t offset);

#endif

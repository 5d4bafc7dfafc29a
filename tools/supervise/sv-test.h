/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-test.h - the test-mode protocol between the supervisor and the
 * user-space KVM emulator (tools/emu/emu-supervised.c).  Off unless both are
 * told: KVMRC_SUPERVISE_TEST=1 for the wrapper and the supervisor,
 * KVMEMU_SUPERVISED=1 for the emulator.
 *
 * The emulator's KVM ioctls are no system calls, so the supervisor would see
 * nothing.  In this mode the emulator issues each emulated KVM_CREATE_VM,
 * KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT and KVM_RUN also as a raw ioctl on its
 * memfd (the supervisor's filter stops it: the before half), emulates it,
 * and issues ioctl(fd, SV_TEST_RESULT, result or -errno): the supervisor
 * takes that as the syscall exit of the first (the after half) and makes it
 * return the result the VMM is to see.  The emulator's vCPU fds are memfds
 * whose page 0 is kvm_run; the supervisor accepts them only in this mode.
 */
#ifndef KVMRC_SV_TEST_H
#define KVMRC_SV_TEST_H

#define SV_TEST_RESULT 0x5ca1ab1eu
#define SV_TEST_ENV "KVMRC_SUPERVISE_TEST"

#endif

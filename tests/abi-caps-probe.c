/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-caps-probe CAP - what a VMM sees of one capability: KVM_CHECK_EXTENSION
 * on /dev/kvm, on a VM and on a vCPU, and KVM_ENABLE_CAP of it on the VM.
 * Prints "sys=N vm=N vcpu=N enable=R errno=NAME"; exit 0, or 2 when KVM
 * itself cannot be opened.  Used by tests/test-abi.sh under the emulator.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return fprintf(stderr, "usage: abi-caps-probe CAP\n"), 2;
	unsigned long cap = strtoul(argv[1], NULL, 0);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return perror("/dev/kvm"), 2;
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return perror("KVM_CREATE_VM"), 2;
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return perror("KVM_CREATE_VCPU"), 2;
	int sys_v = ioctl(kvm, KVM_CHECK_EXTENSION, cap);
	int vm_v = ioctl(vm, KVM_CHECK_EXTENSION, cap);
	int vcpu_v = ioctl(vcpu, KVM_CHECK_EXTENSION, cap);
	struct kvm_enable_cap ec;
	memset(&ec, 0, sizeof(ec));
	ec.cap = (__u32)cap;
	errno = 0;
	int en = ioctl(vm, KVM_ENABLE_CAP, &ec);
	int e = errno;
	printf("sys=%d vm=%d vcpu=%d enable=%d errno=%s\n", sys_v, vm_v, vcpu_v, en,
	       en ? (e == EINVAL ? "EINVAL" : strerror(e)) : "0");
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * race-close.c - vCPU A's fd is closed while A's KVM_RUN is in flight, and
 * vCPU B takes the same fd number then (tests/fake-kvmrun.c runs that inside
 * the call, and runs B once there too).  A's call then ends and B runs
 * twice more.  The library must keep A's object until A's call ended: B
 * gets an object of its own, and each counts its own runs (the stats file
 * shows id 0 with 1 run and id 1 with 3).  With "late" as argument the
 * close and B come after A's call instead (the control: A's object is
 * free then and B may take it).
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "kvmrun-compat-uapi.h"

static int kvm;

static int new_vcpu(int id)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, id);
	struct kvmrc_arm64_vcpu_init init = { 0 };
	ioctl(vm, KVMRC_ARM_PREFERRED_TARGET, &init);
	ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init);
	size_t size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm < 0 || vcpu < 0 || mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0) == MAP_FAILED)
		return -1;
	return vcpu;
}

static int failed;

/* A's fd closed, B created and moved to A's number, B run once. */
static void replace(int fd)
{
	close(fd);
	int b = new_vcpu(1);
	if (b < 0 || dup2(b, fd) != fd || close(b) || ioctl(fd, KVM_RUN, 0))
		failed = 1;
}

int main(int argc, char **argv)
{
	int late = argc > 1 && strcmp(argv[1], "late") == 0;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int a = new_vcpu(0);
	void (**hook)(int) = (void (**)(int))dlsym(RTLD_DEFAULT, "fake_kvmrun_hook");

	if (kvm < 0 || a < 0 || !hook) {
		fprintf(stderr, "race-close: set-up failed (fake-kvmrun preloaded?)\n");
		return 2;
	}
	if (!late)
		*hook = replace;
	int r = ioctl(a, KVM_RUN, 0);
	if (late)
		replace(a);
	if (r || failed || *hook || ioctl(a, KVM_RUN, 0) || ioctl(a, KVM_RUN, 0)) {
		fprintf(stderr, "race-close: a KVM_RUN failed\n");
		return 2;
	}
	printf("ran A once and B three times on fd %d (%s)\n", a, late ? "B after A's call" : "B inside A's call");
	return 0;
}

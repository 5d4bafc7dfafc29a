/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi-caps-probe CAP - what a VMM sees of one capability: KVM_CHECK_EXTENSION
 * on /dev/kvm, on a VM and on a vCPU, and KVM_ENABLE_CAP of it on the VM.
 * Prints "sys=N vm=N vcpu=N enable=R errno=NAME"; exit 0, or 2 when KVM
 * itself cannot be opened.  Used by tests/test-abi.sh under the emulator.
 *
 * abi-caps-probe --table: the shim's table (shim/abi-caps.c), one row a line,
 * "CAP NAME X.Y ARCHES" (ARCHES: letters x a r s p, or -), for comparison
 * with the ledger's "Capabilities by version".
 *
 * abi-caps-probe --exits: the exit ABI table (shim/abi-fields.c), one row a
 * line, "ROW NAME KIND EXIT BYTES|BITS X.Y", for the ledger's "Exit ABI by
 * version".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "abi-caps.h"
#include "abi-fields.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return fprintf(stderr, "usage: abi-caps-probe CAP | --table | --exits\n"), 2;
	if (!strcmp(argv[1], "--exits")) { /* shim/abi-fields.c: "ROW NAME KIND EXIT OFF-END|BITS X.Y" */
		static const char *const kinds[] = { "", "flag", "unwritten", "zeroed", "exit" };
		for (unsigned int i = 0; i < kvmrc_abi_row_count; i++) {
			const struct kvmrc_abi_row *r = &kvmrc_abi_rows[i];
			char what[32];
			if (r->kind == KVMRC_ABI_FLAG)
				snprintf(what, sizeof(what), "0x%x", r->bits);
			else if (r->kind == KVMRC_ABI_EXIT)
				snprintf(what, sizeof(what), "-");
			else
				snprintf(what, sizeof(what), "%u-%u", r->off, r->off + r->len - 1);
			printf("%s %s %s %d %s %u.%u\n", r->ledger, r->name, kinds[r->kind],
			       r->exit_reason == 0xffff ? -1 : (int)r->exit_reason, what, r->since >> 16,
			       (r->since >> 8) & 0xff);
		}
		return 0;
	}
	if (!strcmp(argv[1], "--table")) {
		static const char letters[] = "xarsp";
		for (unsigned int i = 0; i < kvmrc_abi_caps_count; i++) {
			const struct kvmrc_abi_cap *c = &kvmrc_abi_caps_table[i];
			char a[8] = "", *e = a;
			for (unsigned int b = 0; b < 5; b++)
				if (c->arches & (1u << b))
					*e++ = letters[b];
			printf("%u %s %u.%u %s\n", c->cap, c->name, c->since >> 16, (c->since >> 8) & 0xff,
			       a[0] ? a : "-");
		}
		return 0;
	}
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

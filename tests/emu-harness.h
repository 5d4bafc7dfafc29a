/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-harness.h - shared set-up for the emulator's own tests (test-emu*.c).
 *
 * The binary re-executes itself with the emulator ($KVMRC_EMU) first in
 * LD_PRELOAD (harness_reexec(), tests/harness.c), so every open/ioctl goes
 * through the emulator.
 */
#ifndef KVMRC_EMU_HARNESS_H
#define KVMRC_EMU_HARNESS_H
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <criterion/criterion.h>
#include "kvmrun-compat-uapi.h"
#include "harness.h"

__attribute__((constructor)) static void preload_self(int argc, char **argv)
{
	(void)argc;
	harness_reexec(argv, HARNESS_EMU, NULL);
}

struct vm {
	int kvm, vm, vcpu;
	size_t size;
	struct kvm_run *run;
	unsigned char *b;	/* run as bytes */
	char log[64];
};

static uint32_t u32at(const struct vm *v, size_t off)
{
	uint32_t x;
	memcpy(&x, v->b + off, sizeof(x));
	return x;
}

static uint64_t u64at(const struct vm *v, size_t off)
{
	uint64_t x;
	memcpy(&x, v->b + off, sizeof(x));
	return x;
}

static void put64(struct vm *v, size_t off, uint64_t x)
{
	memcpy(v->b + off, &x, sizeof(x));
}

static void put16(struct vm *v, size_t off, uint16_t x)
{
	memcpy(v->b + off, &x, sizeof(x));
}

static void arm_init(int vcpu)
{
	struct kvmrc_arm64_vcpu_init init;
	memset(&init, 0, sizeof(init));
	init.target = 5;	/* KVM_ARM_TARGET_GENERIC_V8 */
	cr_assert_eq(ioctl(vcpu, KVMRC_ARM_VCPU_INIT, &init), 0, "VCPU_INIT: %s", strerror(errno));
}

static char log_path[64];

static void unlink_log(void)
{
	unlink(log_path);
}

static void setup(struct vm *v, const char *profile, const char *scenario)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->log, sizeof(v->log), "/tmp/kvmemu-test-%d.log", (int)getpid());
	if (!log_path[0]) {
		snprintf(log_path, sizeof(log_path), "%s", v->log);
		atexit(unlink_log);
	}
	unlink(v->log);
	setenv("KVMEMU_PROFILE", profile, 1);
	setenv("KVMEMU_SCENARIO", scenario, 1);
	setenv("KVMEMU_LOG", v->log, 1);
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cr_assert_geq(v->kvm, 0, "open /dev/kvm: %s", strerror(errno));
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	cr_assert_geq(v->vm, 0);
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	cr_assert_geq(v->vcpu, 0);
	int sz = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	cr_assert_gt(sz, 0);
	v->size = (size_t)sz;
	v->run = mmap(NULL, v->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	cr_assert_neq(v->run, MAP_FAILED);
	v->b = (unsigned char *)v->run;
	if (strncmp(profile, "arm64", 5) == 0) {
		struct kvmrc_arm64_vcpu_init pref;
		cr_assert_eq(ioctl(v->vm, KVMRC_ARM_PREFERRED_TARGET, &pref), 0);
		cr_assert_eq(pref.target, 5u);
		arm_init(v->vcpu);
	}
}

static int run(struct vm *v)
{
	return ioctl(v->vcpu, KVM_RUN, 0);
}

static void run_ok(struct vm *v, uint32_t exit_reason)
{
	cr_assert_eq(run(v), 0, "KVM_RUN: %s", strerror(errno));
	cr_assert_eq(v->run->exit_reason, exit_reason, "exit_reason %u, want %u",
		     v->run->exit_reason, exit_reason);
}

static int log_has(const struct vm *v, const char *needle)
{
	char buf[8192] = "";
	FILE *f = fopen(v->log, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, needle) != NULL;
}

/* Capture what the emulator prints on stderr while fn runs. */
static void capture_stderr(char *out, size_t len, void (*fn)(void *), void *arg)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/kvmemu-stderr-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	int saved = dup(2);
	fflush(stderr);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

/* ------------------------------------------------------------ device */

/* A scenario that must fail: KVM_RUN's result and errno. */
struct bad { const char *scenario; int ret, err; };

static __attribute__((unused)) void run_bad(void *arg)
{
	struct bad *b = arg;
	struct vm v;
	setup(&v, "arm64-6.1", b->scenario);
	b->ret = run(&v);
	b->err = errno;
}

#endif

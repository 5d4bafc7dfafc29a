/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sv-remote.c - the other way to reach a traced VMM's kvm_run, when the
 * supervisor cannot take its own copy of the vCPU fd: pidfd_getfd fails with
 * ENOSYS (Linux before 5.6) or EPERM.  The page is then read and written in
 * the VMM's memory, at the address the VMM mmap()ed page 0 of the vCPU fd
 * (its mmap is seen by the filter: sv-filter.c), with process_vm_readv and
 * process_vm_writev.  The engine works on a shadow of the page, a one-page
 * memfd the supervisor maps as the vCPU's kvm_run (the preload's own vCPU
 * record maps it like any vCPU fd), so the before-run and after-run steps
 * are the same code; only the bytes they changed are written back, so a
 * byte another VMM thread writes meanwhile (immediate_exit of a kick) is
 * not overwritten with an older value.
 *
 * process_vm_readv needs the same permission as pidfd_getfd
 * (PTRACE_MODE_ATTACH_REALCREDS): a VMM that is not dumpable refuses both to
 * a supervisor without CAP_SYS_PTRACE, and its vCPUs are passed through
 * (one line).
 *
 * Test knob (not for production): KVMRC_SUPERVISE_TEST_DENY=ENOSYS|EPERM|
 * EPERM-ALL makes the supervisor load a seccomp filter into itself at start
 * under which pidfd_getfd fails with that errno (EPERM-ALL: also
 * process_vm_readv/writev fail with EPERM), so that the tests run this path
 * on a kernel that has pidfd_getfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "../../shim/config.h"
#include "engine.h"
#include "kvmioctl.h"
#include "log.h"
#include "sv.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* the page as read, to find the bytes the engine changed (one stop at a time) */
static uint8_t snap[KVMRC_RUN_SIZE_S390 > KVMRC_RUN_SIZE ? KVMRC_RUN_SIZE_S390 : KVMRC_RUN_SIZE];

static size_t run_len(void)
{
	size_t n = kvmrc_run_size(kvmrc_cfg.arch);
	return n && n <= sizeof(snap) ? n : 0;
}

int sv_remote_shadow(void)
{
	int fd = (int)syscall(SYS_memfd_create, "kvmrc-sv-run", MFD_CLOEXEC);
	long p = sysconf(_SC_PAGESIZE);
	size_t pg = (size_t)(p > 0 ? p : 4096);
	/* the length the vCPU record maps (fdtable.c map_run) */
	size_t len = pg > KVMRC_RUN_SIZE_S390 ? pg : (KVMRC_RUN_SIZE_S390 + pg - 1) / pg * pg;

	if (fd >= 0 && ftruncate(fd, (off_t)len) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int sv_remote_read(pid_t tgid, uint64_t addr, uint8_t *page)
{
	size_t n = run_len();
	struct iovec l = { page, n }, r = { (void *)(uintptr_t)addr, n };

	if (!n)
		return -EINVAL;
	ssize_t got = syscall(SYS_process_vm_readv, tgid, &l, 1, &r, 1, 0);
	if (got != (ssize_t)n)
		return got < 0 ? -errno : -EFAULT;
	memcpy(snap, page, n);
	return 0;
}

int sv_remote_write(pid_t tgid, uint64_t addr, const uint8_t *page)
{
	struct iovec l[64], r[64];
	size_t n = run_len(), i = 0, total = 0;
	int k = 0;

	while (i < n) {
		if (page[i] == snap[i]) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < n && page[i] != snap[i])
			i++;
		if (k == 64) { /* too scattered: one range to the end of the last */
			r[k - 1].iov_len = i - (size_t)((uint8_t *)l[k - 1].iov_base - page);
			l[k - 1].iov_len = r[k - 1].iov_len;
			continue;
		}
		l[k] = (struct iovec){ (void *)(page + s), i - s };
		r[k] = (struct iovec){ (void *)(uintptr_t)(addr + s), i - s };
		k++;
	}
	for (int j = 0; j < k; j++)
		total += l[j].iov_len;
	if (!k)
		return 0;
	ssize_t put = syscall(SYS_process_vm_writev, tgid, l, (unsigned long)k, r, (unsigned long)k, 0);
	if (put != (ssize_t)total)
		return put < 0 ? -errno : -EFAULT;
	return 0;
}

/* The path a vCPU's kvm_run takes, said once each at info level. */
void sv_remote_say_path(int err)
{
	if (!err)
		kvmrc_log_once(KVMRC_LOG_INFO, "supervisor: kvm_run pages through pidfd_getfd and a mapping of "
			       "the supervisor's own");
	else
		kvmrc_log_once(KVMRC_LOG_INFO, "supervisor: pidfd_getfd: %s (%s): kvm_run pages are read and "
			       "written with process_vm_readv/process_vm_writev", strerror(err),
			       err == ENOSYS ? "Linux 5.6+ has it" : "refused");
}

/* process_vm path: the VM's record, its capabilities asked of /dev/kvm (as
 * for a vCPU the preload adopts): a copy of the supervisor's own /dev/kvm fd
 * stands for the VM, or -1 */
int sv_remote_own_vm(uint64_t type)
{
	static int sys = -1;

	if (sys < 0)
		sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = sys < 0 ? -1 : fcntl(sys, F_DUPFD_CLOEXEC, 0);
	if (vm < 0) {
		kvmrc_log_once(KVMRC_LOG_WARN, "supervisor: cannot open /dev/kvm for the capabilities (%s); the "
			       "VMM's VMs are passed through", strerror(errno));
		return -1;
	}
	kvmrc_ioctl_kvm_done(sys, KVM_CREATE_VM, (void *)(uintptr_t)type, vm);
	return vm;
}

void sv_remote_refused(int fd, pid_t tgid, int e)
{
	if (e == -EPERM)
		kvmrc_log_once(KVMRC_LOG_WARN, "supervisor: cannot reach kvm_run of vCPU fd %d of process %d: "
			       "pidfd_getfd and process_vm_readv fail with EPERM (the VMM is not dumpable or changed "
			       "credentials before creating it; run the supervisor as root, i.e. with "
			       "CAP_SYS_PTRACE); its KVM_RUNs are passed through", fd, (int)tgid);
	else
		kvmrc_log_once(KVMRC_LOG_WARN, "supervisor: cannot read kvm_run of vCPU fd %d of process %d with "
			       "process_vm_readv: %s; its KVM_RUNs are passed through", fd, (int)tgid, strerror(-e));
}

void sv_remote_test_deny(void)
{
	const char *v = getenv(SV_TEST_DENY_ENV);
	int e;

	if (!v || !*v)
		return;
	if (!strcmp(v, "ENOSYS"))
		e = ENOSYS;
	else if (!strcmp(v, "EPERM") || !strcmp(v, "EPERM-ALL"))
		e = EPERM;
	else
		return;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r = ctx ? seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e), SYS_pidfd_getfd, 0) : -ENOMEM;
	if (!r && !strcmp(v, "EPERM-ALL"))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(process_vm_readv), 0) ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(process_vm_writev), 0);
	if (!r)
		r = seccomp_load(ctx);
	if (r)
		kvmrc_log(KVMRC_LOG_ERROR, "supervisor: test knob %s=%s: cannot load its filter", SV_TEST_DENY_ENV, v);
	if (ctx)
		seccomp_release(ctx);
}

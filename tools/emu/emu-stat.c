/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-stat.c - the stat family, access and readlink wrappers: the emulated
 * /dev/kvm (by path, or any fd whose memfd inode is an emulated /dev/kvm)
 * reads as the misc character device 10:232, mode 0666; /proc/self/fd/N of
 * emulated objects reads like the kernel's anon inodes.
 */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "emu.h"

#define KVM_PATH "/dev/kvm"
#define NEXT(var, name) (*(void **)&(var) = dlsym(RTLD_NEXT, name))
#define NEED(fp) do { emu_real_init(); if (!(fp)) return emu_err(ENOSYS); } while (0)

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "LP64 stat == stat64");

static int (*r_stat)(const char *, struct stat *);
static int (*r_lstat)(const char *, struct stat *);
static int (*r_fstatat)(int, const char *, struct stat *, int);
static int (*r___fxstat)(int, int, struct stat *);
static int (*r___xstat)(int, const char *, struct stat *);
static int (*r___lxstat)(int, const char *, struct stat *);
static int (*r___fxstatat)(int, int, const char *, struct stat *, int);
static int (*r_statx)(int, const char *, int, unsigned int, struct statx *);
static int (*r_access)(const char *, int);
static int (*r_faccessat)(int, const char *, int, int);
static int (*r_euidaccess)(const char *, int);
static ssize_t (*r_readlink)(const char *, char *, size_t);
static ssize_t (*r_readlinkat)(int, const char *, char *, size_t);

void emu_stat_init(void)
{
	NEXT(r_stat, "stat");
	NEXT(r_lstat, "lstat");
	NEXT(r_fstatat, "fstatat");
	NEXT(r___fxstat, "__fxstat");
	NEXT(r___xstat, "__xstat");
	NEXT(r___lxstat, "__lxstat");
	NEXT(r___fxstatat, "__fxstatat");
	NEXT(r_statx, "statx");
	NEXT(r_access, "access");
	NEXT(r_faccessat, "faccessat");
	NEXT(r_euidaccess, "euidaccess");
	NEXT(r_readlink, "readlink");
	NEXT(r_readlinkat, "readlinkat");
}

static int is_kvm_path(const char *path)
{
	return path && strcmp(path, KVM_PATH) == 0;
}

/* "" with AT_EMPTY_PATH: the call is about dirfd itself */
static int empty_path(const char *path, int flags)
{
	return path && !*path && (flags & AT_EMPTY_PATH);
}

/* Does the emulated /dev/kvm exist?  Not with an unknown profile. */
static int kvm_exists(void)
{
	const char *pn = getenv("KVMEMU_PROFILE");
	return !pn || !*pn || emu_profile_find(pn) != NULL;
}

static int fake_path_stat(struct stat *st)
{
	if (!kvm_exists())
		return emu_err(ENOENT);
	emu_fill_stat(st);
	return 0;
}

/* After a successful real fstat-like call: is it one of our /dev/kvm fds? */
static void fix_stat(struct stat *st)
{
	struct emu_obj *o = emu_obj_find(st->st_dev, st->st_ino);
	if (o && o->kind == EO_SYSTEM)
		emu_fill_stat(st);
}

/* ---------------------------------------------------------------- stat */

EMU_API int fstat(int fd, struct stat *st)
{
	NEED(emu_real.fstat);
	int r = emu_real.fstat(fd, st);
	if (r == 0 && emu_supervised())
		emu_fd_lookup(fd); /* another process's emulated /dev/kvm is one too */
	if (r == 0)
		fix_stat(st);
	return r;
}

EMU_API int fstat64(int fd, struct stat64 *st)
{
	return fstat(fd, (struct stat *)st);
}

EMU_API int stat(const char *path, struct stat *st)
{
	if (is_kvm_path(path))
		return fake_path_stat(st);
	NEED(r_stat);
	return r_stat(path, st);
}

EMU_API int stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

EMU_API int lstat(const char *path, struct stat *st)
{
	if (is_kvm_path(path))
		return fake_path_stat(st);
	NEED(r_lstat);
	return r_lstat(path, st);
}

EMU_API int lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

EMU_API int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (is_kvm_path(path))
		return fake_path_stat(st);
	NEED(r_fstatat);
	int r = r_fstatat(dirfd, path, st, flags);
	if (r == 0 && empty_path(path, flags))
		fix_stat(st);
	return r;
}

EMU_API int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return fstatat(dirfd, path, (struct stat *)st, flags);
}

/* Pre-2.33 glibc binaries call the versioned __xstat family. */
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

EMU_API int __fxstat(int ver, int fd, struct stat *st)
{
	NEED(r___fxstat);
	int r = r___fxstat(ver, fd, st);
	if (r == 0)
		fix_stat(st);
	return r;
}

EMU_API int __fxstat64(int ver, int fd, struct stat64 *st)
{
	return __fxstat(ver, fd, (struct stat *)st);
}

EMU_API int __xstat(int ver, const char *path, struct stat *st)
{
	if (is_kvm_path(path))
		return fake_path_stat(st);
	NEED(r___xstat);
	return r___xstat(ver, path, st);
}

EMU_API int __xstat64(int ver, const char *path, struct stat64 *st)
{
	return __xstat(ver, path, (struct stat *)st);
}

EMU_API int __lxstat(int ver, const char *path, struct stat *st)
{
	if (is_kvm_path(path))
		return fake_path_stat(st);
	NEED(r___lxstat);
	return r___lxstat(ver, path, st);
}

EMU_API int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	return __lxstat(ver, path, (struct stat *)st);
}

EMU_API int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	if (is_kvm_path(path))
		return fake_path_stat(st);
	NEED(r___fxstatat);
	int r = r___fxstatat(ver, dirfd, path, st, flags);
	if (r == 0 && empty_path(path, flags))
		fix_stat(st);
	return r;
}

EMU_API int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
	return __fxstatat(ver, dirfd, path, (struct stat *)st, flags);
}

static void fill_statx(struct statx *sx)
{
	struct stat st;

	emu_fill_stat(&st);
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st.st_blksize;
	sx->stx_nlink = (uint32_t)st.st_nlink;
	sx->stx_mode = (uint16_t)st.st_mode;
	sx->stx_ino = st.st_ino;
	sx->stx_rdev_major = major(st.st_rdev);
	sx->stx_rdev_minor = minor(st.st_rdev);
	sx->stx_dev_major = major(st.st_dev);
	sx->stx_dev_minor = minor(st.st_dev);
}

EMU_API int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	if (is_kvm_path(path)) {
		if (!kvm_exists())
			return emu_err(ENOENT);
		fill_statx(sx);
		return 0;
	}
	NEED(r_statx);
	int r = r_statx(dirfd, path, flags, mask, sx);
	if (r == 0 && empty_path(path, flags)) {
		struct emu_obj *o = emu_obj_find(makedev(sx->stx_dev_major, sx->stx_dev_minor),
						 sx->stx_ino);
		if (o && o->kind == EO_SYSTEM)
			fill_statx(sx);
	}
	return r;
}

/* -------------------------------------------------------------- access */

static int fake_access(void)
{
	return kvm_exists() ? 0 : emu_err(ENOENT);
}

EMU_API int access(const char *path, int mode)
{
	if (is_kvm_path(path))
		return fake_access();
	NEED(r_access);
	return r_access(path, mode);
}

EMU_API int faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (is_kvm_path(path))
		return fake_access();
	NEED(r_faccessat);
	return r_faccessat(dirfd, path, mode, flags);
}

EMU_API int euidaccess(const char *path, int mode)
{
	if (is_kvm_path(path))
		return fake_access();
	NEED(r_euidaccess);
	return r_euidaccess(path, mode);
}

EMU_API int eaccess(const char *path, int mode)
{
	return euidaccess(path, mode);
}

/* ------------------------------------------------------------ readlink */

/* /proc/self/fd/N of an emulated object reads like the kernel's:
 * "/dev/kvm", "anon_inode:kvm-vm", "anon_inode:kvm-vcpu:ID". */
static ssize_t fake_link(const char *path, char *buf, size_t len)
{
	static const char self[] = "/proc/self/fd/";
	char pid[40];
	const char *num = NULL;
	char target[64];

	if (!path || !len)
		return -2;
	if (strncmp(path, self, sizeof(self) - 1) == 0) {
		num = path + sizeof(self) - 1;
	} else {
		int n = snprintf(pid, sizeof(pid), "/proc/%d/fd/", (int)getpid());
		if (n > 0 && strncmp(path, pid, (size_t)n) == 0)
			num = path + n;
	}
	if (!num || !*num)
		return -2;
	char *end;
	long fd = strtol(num, &end, 10);
	if (*end || fd < 0 || fd > 65535)
		return -2;
	struct emu_obj *o = emu_fd_get((int)fd);
	if (!o)
		return -2;
	if (o->kind == EO_SYSTEM)
		snprintf(target, sizeof(target), "%s", KVM_PATH);
	else if (o->kind == EO_VM)
		snprintf(target, sizeof(target), "anon_inode:kvm-vm");
	else
		snprintf(target, sizeof(target), "anon_inode:kvm-vcpu:%u", o->vcpu.id);
	size_t n = strlen(target);
	if (n > len)
		n = len;
	memcpy(buf, target, n);
	return (ssize_t)n;
}

EMU_API ssize_t readlink(const char *path, char *buf, size_t len)
{
	ssize_t r = fake_link(path, buf, len);
	if (r != -2)
		return r;
	NEED(r_readlink);
	return r_readlink(path, buf, len);
}

EMU_API ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t r = fake_link(path, buf, len);
	if (r != -2)
		return r;
	NEED(r_readlinkat);
	return r_readlinkat(dirfd, path, buf, len);
}

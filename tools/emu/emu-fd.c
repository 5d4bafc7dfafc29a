/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-fd.c - fd number -> emulated object (system, VM, vCPU).
 *
 * Every emulated object is backed by a memfd, so its fds are real, can be
 * dup'ed, passed and closed by paths we never see.  The table maps fd
 * numbers we saw being created; an fd we do not know that receives a KVM
 * ioctl is matched by (st_dev, st_ino) against our memfds.
 * Objects are never freed (a VMM that closes a vCPU fd while another thread
 * runs it must not crash us); they are small.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "emu.h"

#define EMU_FD_MAX 65536
#define EMU_OBJ_MAX 4096

static struct emu_obj *_Atomic fdtab[EMU_FD_MAX];
static struct emu_obj *objs[EMU_OBJ_MAX];
static unsigned nobjs;
static pthread_mutex_t objs_lock = PTHREAD_MUTEX_INITIALIZER;

struct emu_obj *emu_fd_get(int fd)
{
	if (fd < 0 || fd >= EMU_FD_MAX)
		return NULL;
	return atomic_load_explicit(&fdtab[fd], memory_order_acquire);
}

int emu_fd_set(int fd, struct emu_obj *o)
{
	if (fd < 0 || fd >= EMU_FD_MAX)
		return 0;	/* still reachable through the inode fallback */
	pthread_mutex_lock(&objs_lock);
	struct emu_obj *old = atomic_exchange(&fdtab[fd], o);
	if (old)
		old->refs--;
	if (o)
		o->refs++;
	pthread_mutex_unlock(&objs_lock);
	return 0;
}

void emu_fd_drop(int fd)
{
	if (fd < 0 || fd >= EMU_FD_MAX || !atomic_load(&fdtab[fd]))
		return;
	emu_fd_set(fd, NULL);
}

void emu_fd_dup(int oldfd, int newfd)
{
	if (oldfd == newfd)
		return;
	struct emu_obj *o = emu_fd_get(oldfd);
	/* newfd was closed by dup2/dup3 if it was open: forget it either way */
	emu_fd_set(newfd, o);
}

struct emu_obj *emu_obj_find(dev_t dev, ino_t ino)
{
	struct emu_obj *o = NULL;

	pthread_mutex_lock(&objs_lock);
	for (unsigned i = 0; i < nobjs; i++)
		if (objs[i]->ino == ino && objs[i]->dev == dev) {
			o = objs[i];
			break;
		}
	pthread_mutex_unlock(&objs_lock);
	return o;
}

struct emu_obj *emu_fd_lookup(int fd)
{
	struct emu_obj *o = emu_fd_get(fd);
	struct stat st;

	if (o)
		return o;
	if (fd < 0 || !emu_real.fstat || emu_real.fstat(fd, &st) != 0)
		return NULL;
	o = emu_obj_find(st.st_dev, st.st_ino);
	if (o)
		emu_fd_set(fd, o);
	else if (emu_supervised())
		o = emu_supervised_adopt(fd);
	return o;
}

struct emu_obj *emu_obj_new(enum emu_obj_kind kind, int memfd)
{
	struct stat st;
	struct emu_obj *o;

	if (emu_real.fstat(memfd, &st) != 0)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->kind = kind;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	pthread_mutex_init(&o->vcpu.lock, NULL);
	pthread_mutex_lock(&objs_lock);
	if (nobjs < EMU_OBJ_MAX)
		objs[nobjs++] = o;
	pthread_mutex_unlock(&objs_lock);
	return o;
}

/* What stat(2) says about a real /dev/kvm (misc device 10:232, 0666 on
 * distributions with the kvm udev rule). */
void emu_fill_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(0, 5);
	st->st_ino = 232;
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_rdev = makedev(10, 232);
	st->st_blksize = 4096;
}

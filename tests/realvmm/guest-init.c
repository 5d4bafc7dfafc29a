/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guest-init.c - static /init of the L2 guest that QEMU boots on real KVM
 * inside a realvmm L1 kernel.  Everything it prints is deterministic, so the
 * console transcript of a boot without the shim and a boot with the shim can
 * be compared byte for byte:
 *
 *   - user-space MMIO through /dev/mem: reads (and one write) of the
 *     virtio-mmio transports' registers, before any driver claims them;
 *   - x86_64: user-space port I/O (ioperm + outb/inb) to the CMOS RTC's
 *     status register D (microvm,rtc=on);
 *   - the virtio drivers (modules listed in /modules/order): one line written
 *     to the virtio console /dev/hvc0 (QEMU writes it to a file), and the
 *     text block of the read-only virtio-blk disk /dev/vda;
 *   - the number of online CPUs;
 *   - then power off (x86_64: ACPI, arm64: PSCI SYSTEM_OFF).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <sys/io.h>
#define GUEST_ARCH "x86_64"
#define VIRTIO_MMIO_BASE 0xfeb00000UL /* QEMU microvm: 512 bytes apart */
#define VIRTIO_MMIO_COUNT 32
#else
#define GUEST_ARCH "arm64"
#define VIRTIO_MMIO_BASE 0x0a000000UL /* QEMU virt: 32 transports, 512 bytes apart */
#define VIRTIO_MMIO_COUNT 32
#endif

static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, buf, (size_t)n) < 0)
		return;
}

/* Registers of each virtio-mmio transport: magic, version, device id,
 * vendor, and device features word 0 after a write of DeviceFeaturesSel. */
static void guest_mmio(void)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		say("L2-MMIO open /dev/mem: errno=%d\n", errno);
		return;
	}
	size_t len = 0x200 * VIRTIO_MMIO_COUNT;
	volatile uint32_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, VIRTIO_MMIO_BASE);
	if (m == MAP_FAILED) {
		say("L2-MMIO mmap 0x%lx: errno=%d\n", VIRTIO_MMIO_BASE, errno);
		close(fd);
		return;
	}
	unsigned present = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_COUNT; i++) {
		volatile uint32_t *t = m + i * 0x200 / 4;
		uint32_t magic = t[0], version = t[1], dev = t[2], vendor = t[3];
		if (dev == 0)
			continue;
		t[0x14 / 4] = 0; /* DeviceFeaturesSel = 0 */
		uint32_t feat = t[0x10 / 4];
		present++;
		say("L2-MMIO transport %u magic=0x%08x version=%u device=%u vendor=0x%08x features0=0x%08x\n",
		    i, magic, version, dev, vendor, feat);
	}
	say("L2-MMIO %u device(s) on %u transports, transport 0 magic 0x%08x\n", present,
	    VIRTIO_MMIO_COUNT, m[0]);
	munmap((void *)m, len);
	close(fd);
}

static void guest_pio(void)
{
#if defined(__x86_64__)
	if (ioperm(0x70, 2, 1) != 0) {
		say("L2-PIO ioperm: errno=%d\n", errno);
		return;
	}
	outb(0x0d, 0x70); /* CMOS status register D: bit 7 = valid RAM and time */
	unsigned d = inb(0x71);
	outb(0x0b, 0x70); /* status register B: the format bits QEMU sets */
	unsigned b = inb(0x71);
	say("L2-PIO cmos regD=0x%02x regB=0x%02x\n", d, b & 0x06);
	ioperm(0x70, 2, 0);
#endif
}

static void load_modules(void)
{
	FILE *f = fopen("/modules/order", "r");
	char line[256];
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!*line)
			continue;
		char path[300];
		snprintf(path, sizeof path, "/modules/%s", line);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		long r = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", 0);
		if (r != 0 && errno != EEXIST)
			say("L2-MODULE %s failed errno=%d\n", line, errno);
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

static int wait_for(const char *path)
{
	for (int i = 0; i < 100; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

static void guest_virtio(const char *release)
{
	if (wait_for("/dev/hvc0") != 0) {
		say("L2-HVC no /dev/hvc0\n");
	} else {
		int fd = -1, err = 0;
		char buf[256];
		int n = snprintf(buf, sizeof buf, "REALVMM-HVC hello from %s over the virtio console\n", release);
		ssize_t w = -1;
		/* the device node can appear before the port is ready: retry */
		for (int i = 0; i < 40 && w < 0; i++) {
			if (fd < 0)
				fd = open("/dev/hvc0", O_WRONLY | O_NOCTTY | O_CLOEXEC);
			w = fd < 0 ? -1 : write(fd, buf, (size_t)n);
			err = errno;
			if (w < 0)
				usleep(50000);
		}
		if (w < 0)
			say("L2-HVC write failed errno=%d\n", err);
		else
			say("L2-HVC wrote %zd bytes\n", w);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	if (wait_for("/dev/vda") != 0) {
		say("L2-BLK no /dev/vda\n");
		return;
	}
	char blk[512];
	int fd = open("/dev/vda", O_RDONLY | O_CLOEXEC);
	ssize_t r = fd < 0 ? -1 : read(fd, blk, sizeof blk);
	if (fd >= 0)
		close(fd);
	if (r <= 0) {
		say("L2-BLK read /dev/vda: %zd errno=%d\n", r, errno);
		return;
	}
	blk[r - 1] = 0;
	blk[strcspn(blk, "\n")] = 0;
	say("L2-BLK %s\n", blk);
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	struct utsname u;
	uname(&u);
	say("REALVMM-L2-BEGIN kernel=%s arch=%s\n", u.release, GUEST_ARCH);
	guest_mmio();
	guest_pio();
	load_modules();
	guest_virtio(u.release);
	say("L2-CPUS online=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	say("REALVMM-L2-END kernel=%s\n", u.release);
	sync();
	reboot(RB_POWER_OFF);
	say("L2-POWEROFF failed errno=%d\n", errno);
	for (;;)
		pause();
}

// SPDX-License-Identifier: LGPL-2.1-or-later

// The Go test VMM of tests/realkvm (issue 11): a VMM that makes its KVM
// calls as raw system calls of Go's runtime, which no LD_PRELOAD sees, run
// under kvmrun-compat --supervise inside the QEMU guests.  It runs a subset
// of the C VMM's scenarios (vmm-arm64.c, vmm-x86.c) with the same guest
// code, ioctls and VMM writes, and prints the same lines; govmm.awk checks
// that they are the dynamic C VMM's lines under the preload, byte for byte.
//
//	vmm-go <cpu>
//
// The first line, SCENARIOS, names the scenarios it runs (the awk takes the
// C VMM's lines of these).  The vCPU work runs on a goroutine locked to a
// thread of its own, not the process's first thread, as in a Go VMM.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"unsafe"
)

// cstr: a NUL-terminated utsname field
func cstr(p unsafe.Pointer) string {
	b := (*[65]byte)(p)
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	return string(b[:n])
}

// kver: x.y.z with Debian's patch level from uname -v ("Debian x.y.z-n"),
// as vmm.c prints it
func kver(version string) string {
	i := strings.Index(version, "Debian ")
	if i < 0 {
		return gKernel
	}
	var a, b, c uint
	if n, _ := fmt.Sscanf(version[i+7:], "%d.%d.%d", &a, &b, &c); n != 3 {
		return gKernel
	}
	return fmt.Sprintf("%d.%d.%d", a, b, c)
}

func vmm() int {
	var e syscall.Errno
	gMmapSize, e = ioctlInt(gKVM, kvmGetVcpuMmapSize, 0)
	if e != 0 {
		gMmapSize = -1
	}
	api, _ := ioctlInt(gKVM, kvmGetAPIVersion, 0)
	cap, _ := ioctlInt(gKVM, kvmCheckExtension, capSystemEventData)
	out("INFO %s api=%d mmap_size=%d cap_system_event_data=%d", hdr(), api, gMmapSize, cap)
	for _, s := range scenarios {
		runScenario(s.fn, s.name)
	}
	out("VMMDONE %s failures=%d", hdr(), gFailures)
	if gFailures > 0 {
		return 1
	}
	return 0
}

func main() {
	runtime.LockOSThread() // the first thread stays here: the vCPU runs on another
	var u syscall.Utsname
	syscall.Uname(&u)
	gArch = arch
	gKernel = cstr(unsafe.Pointer(&u.Release))
	if len(os.Args) > 1 {
		gCPU = os.Args[1]
	}
	if os.Getenv("LD_PRELOAD") != "" {
		gShim = "on"
	}
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	out("SCENARIOS kernel=%s arch=%s cpu=%s scenarios=%s", gKernel, gArch, gCPU, strings.Join(names, ","))
	out("UNAME %s kver=%s", hdr(), kver(cstr(unsafe.Pointer(&u.Version))))
	fd, err := syscall.Open("/dev/kvm", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		fail("setup", "open /dev/kvm", err.(syscall.Errno))
		os.Exit(2)
	}
	gKVM = fd
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		done <- vmm()
	}()
	rc := <-done
	if gRetries > 0 {
		fmt.Fprintf(os.Stderr, "vmm-go: %d KVM_RUN(s) interrupted by a signal (EINTR) and made again\n", gRetries)
	}
	os.Exit(rc)
}

// SPDX-License-Identifier: LGPL-2.1-or-later

// kvm.go - the KVM calls of the Go test VMM, all raw system calls of Go's
// syscall package (no libc, no cgo: LD_PRELOAD cannot see them, only
// supervisor mode can), and the VM life cycle of the C VMM's vmm-common.c:
// the same ioctls in the same order, the page as it was just before each
// KVM_RUN kept for the RAW lines, the previous exit recorded when its
// KVM_RUN returned, and the fill pass sparing the pending completion inputs.
package main

import (
	"encoding/binary"
	"syscall"
	"unsafe"
)

// _IOC of asm-generic/ioctl.h (x86_64 and arm64 alike)
func ioc(dir, nr, size uintptr) uintptr { return dir<<30 | size<<16 | 0xae<<8 | nr }
func io(nr uintptr) uintptr             { return ioc(0, nr, 0) }
func iow(nr, size uintptr) uintptr      { return ioc(1, nr, size) }
func ior(nr, size uintptr) uintptr      { return ioc(2, nr, size) }

var (
	kvmGetAPIVersion       = io(0x00)
	kvmCreateVM            = io(0x01)
	kvmCheckExtension      = io(0x03)
	kvmGetVcpuMmapSize     = io(0x04)
	kvmCreateVcpu          = io(0x41)
	kvmSetUserMemoryRegion = iow(0x46, 32)
	kvmRun                 = io(0x80)
	kvmSetGuestDebug       = iow(0x9b, guestDebugSize) // the size is per arch
)

const (
	exitIO          = 2
	exitHypercall   = 3
	exitDebug       = 4
	exitMMIO        = 6
	exitSystemEvent = 24
	exitX86Rdmsr    = 29
	exitX86Wrmsr    = 30

	guestDbgEnable     = 1
	junk8              = 0xdeadbeefcafef00d // what the VMM "reads" from an MMIO device
	capSystemEventData = 215
)

var (
	gKVM      = -1
	gMmapSize int
	gRetries  int // KVM_RUNs interrupted by a signal (Go's runtime) and made again
)

// ioctl: the raw system call (entersyscall: the runtime does not preempt a
// thread blocked in it with SIGURG)
func ioctl(fd int, req uintptr, arg unsafe.Pointer) (int, syscall.Errno) {
	r, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
	if e != 0 {
		return -1, e
	}
	return int(r), 0
}

func ioctlInt(fd int, req, arg uintptr) (int, syscall.Errno) {
	r, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, arg)
	if e != 0 {
		return -1, e
	}
	return int(r), 0
}

type vm struct {
	kvm, fd, vcpu int
	run, mem      []byte
	before        [dumpLen]byte
	// the previous exit, recorded when its KVM_RUN returned
	lastReason, lastLen uint32
	lastWrite           uint8
}

// setupIoctl: a set-up ioctl; every one must succeed on a real kernel
func setupIoctl(scen, name string, fd int, req uintptr, arg unsafe.Pointer) bool {
	if _, e := ioctl(fd, req, arg); e != 0 {
		return fail(scen, name, e)
	}
	return true
}

// vmCreate: a VM, guest memory at gpa, vCPU 0 and its kvm_run mapped
func vmCreate(v *vm, scen string, gpa uint64, memsz int) bool {
	*v = vm{kvm: gKVM, fd: -1, vcpu: -1}
	var e syscall.Errno
	if v.fd, e = ioctlInt(gKVM, kvmCreateVM, 0); e != 0 {
		return fail(scen, "KVM_CREATE_VM", e)
	}
	mem, err := syscall.Mmap(-1, 0, memsz, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		return fail(scen, "mmap guest memory", err.(syscall.Errno))
	}
	v.mem = mem
	var r [32]byte // struct kvm_userspace_memory_region: slot 0, flags 0
	binary.LittleEndian.PutUint64(r[8:], gpa)
	binary.LittleEndian.PutUint64(r[16:], uint64(memsz))
	binary.LittleEndian.PutUint64(r[24:], uint64(uintptr(unsafe.Pointer(&mem[0]))))
	if !setupIoctl(scen, "KVM_SET_USER_MEMORY_REGION", v.fd, kvmSetUserMemoryRegion, unsafe.Pointer(&r[0])) {
		return false
	}
	if v.vcpu, e = ioctlInt(v.fd, kvmCreateVcpu, 0); e != 0 {
		return fail(scen, "KVM_CREATE_VCPU", e)
	}
	run, err := syscall.Mmap(v.vcpu, 0, gMmapSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return fail(scen, "mmap kvm_run", err.(syscall.Errno))
	}
	v.run = run
	return true
}

func vmDestroy(v *vm) {
	if v.run != nil {
		syscall.Munmap(v.run)
	}
	if v.mem != nil {
		syscall.Munmap(v.mem)
	}
	if v.vcpu >= 0 {
		syscall.Close(v.vcpu)
	}
	if v.fd >= 0 {
		syscall.Close(v.fd)
	}
}

// putCode: byte stores into guest memory (the C VMM's put_code)
func putCode(dst, code []byte) {
	for i := range code {
		dst[i] = code[i]
	}
}

func u32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

// vmRun: KVM_RUN once, keeping the page as it was just before.  A signal of
// Go's runtime can make it fail with EINTR (KVM_EXIT_INTR): the page is put
// back as it was and the call made again, as a VMM loops; the lines are
// those of an uninterrupted run, the count goes to stderr at the end.
func vmRun(v *vm, scen string) bool {
	copy(v.before[:], v.run[:dumpLen])
	for {
		_, e := ioctlInt(v.vcpu, kvmRun, 0)
		if e == syscall.EINTR {
			gRetries++
			copy(v.run[:dumpLen], v.before[:])
			continue
		}
		if e != 0 {
			return fail(scen, "KVM_RUN", e)
		}
		break
	}
	v.lastReason = u32(v.run, 8)
	v.lastWrite = v.run[52]
	v.lastLen = u32(v.run, 48)
	return true
}

// pendingInputs: the completion inputs of the pending exit, [lo, hi) ranges
// (vmm-common.c pending_inputs), decided from the recorded exit
func pendingInputs(v *vm) [][2]int {
	switch v.lastReason {
	case exitMMIO:
		if v.lastWrite != 0 || v.lastLen > 8 {
			return nil
		}
		return [][2]int{{40, 40 + int(v.lastLen)}}
	}
	if gArch != "x86_64" {
		return nil
	}
	switch v.lastReason {
	case exitHypercall:
		return [][2]int{{88, 96}}
	case exitX86Rdmsr:
		return [][2]int{{32, 33}, {48, 56}}
	case exitX86Wrmsr:
		return [][2]int{{32, 33}}
	}
	return nil
}

// fill: 0xa5 over bytes 32..167 except the pending inputs, and the FILL line
func fill(v *vm, scen string) {
	in := pendingInputs(v)
	for b := fillLo; b < fillHi; b++ {
		input := false
		for _, r := range in {
			input = input || (b >= r[0] && b < r[1])
		}
		if !input {
			v.run[b] = fillByte
		}
	}
	spared := "none"
	for i, r := range in {
		if i == 0 {
			spared = ""
		} else {
			spared += ","
		}
		spared += itoa(r[0]) + "-" + itoa(r[1]-1)
	}
	out("FILL %s scenario=%s/fill lo=%d hi=%d inputs=%s", hdr(), scen, fillLo, fillHi-1, spared)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// finalRun: the KVM_RUN of an exit the scenario reports, filled in the fill pass
func finalRun(v *vm, scen string) bool {
	if gFill {
		fill(v, scen)
	}
	return vmRun(v, scen)
}

func expectExit(v *vm, scen string, reason uint32) bool {
	if got := u32(v.run, 8); got != reason {
		out("ERROR %s scenario=%s what=exit_reason got=%d want=%d", hdr(), scen, got, reason)
		raw(scen, "after", v.run)
		gFailures++
		return false
	}
	return true
}

func runExpect(v *vm, scen string, reason uint32) bool {
	return vmRun(v, scen) && expectExit(v, scen, reason)
}

func finalExpect(v *vm, scen string, reason uint32) bool {
	return finalRun(v, scen) && expectExit(v, scen, reason)
}

// answerJunk8: the MMIO read answer, junk8 in all 8 data bytes
func answerJunk8(v *vm) {
	binary.LittleEndian.PutUint64(v.run[40:], junk8)
}

func setGuestDebug(v *vm, scen string, control uint32) {
	var d [guestDebugSize]byte
	binary.LittleEndian.PutUint32(d[0:], control)
	setupIoctl(scen, "KVM_SET_GUEST_DEBUG", v.vcpu, kvmSetGuestDebug, unsafe.Pointer(&d[0]))
}

// checkMMIO: the exit is an MMIO write or read of n bytes at addr
// (mask: the address bits compared)
func checkMMIO(v *vm, scen string, write bool, n uint32, addr, mask uint64) bool {
	w := uint8(0)
	if write {
		w = 1
	}
	pa := binary.LittleEndian.Uint64(v.run[32:])
	if v.run[52] != w || u32(v.run, 48) != n || pa&mask != addr {
		dir := "read"
		if write {
			dir = "write"
		}
		out("ERROR %s scenario=%s what=mmio-%s len=%d addr=0x%x", hdr(), scen, dir, u32(v.run, 48), pa)
		gFailures++
		return false
	}
	return true
}

func poke(b []byte, off, n int, c byte) {
	for i := off; i < off+n; i++ {
		b[i] = c
	}
}

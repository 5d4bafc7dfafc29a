// SPDX-License-Identifier: LGPL-2.1-or-later

// scen_amd64.go - the x86_64 scenarios of the Go test VMM: those of
// vmm-x86.c named in scenarios, with its guest code (real mode at 0x1100;
// fs base = the MMIO device at 0xd0000000, bx = 0x40, si = a RAM buffer of
// 0x5a bytes, cx = 0x55, dx = port 0x10) and its VMM writes.
package main

import (
	"encoding/binary"
	"unsafe"
)

const (
	arch           = "x86_64"
	guestDebugSize = 8 + 8*8 // struct kvm_guest_debug: control, pad, debugreg[8]

	ramSize  = 0x10000
	codeGPA  = 0x1100
	srcGPA   = 0x2000
	mmioBase = 0xd0000000

	capHyperV = 44
)

var (
	kvmGetSregs  = ior(0x83, 312) // struct kvm_sregs
	kvmSetSregs  = iow(0x84, 312)
	kvmSetRegs   = iow(0x82, 144) // struct kvm_regs
	kvmSetCpuid2 = iow(0x90, 8)   // struct kvm_cpuid2 (its header)
)

// mov eax,fs:[bx]: the MMIO read
var mmioRd = []byte{0x64, 0x66, 0x8b, 0x07}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// in the order of vmm-x86.c run_x86_64
var scenarios = []scenario{
	{"hv-crash-after-io", scenHvCrash},
	{"mmio-write4-after-read", scenWriteAfterRead},
	{"mmio-read-after-io", scenReadAfterIO},
	{"io-out-after-read", scenIOOutAfterRead},
}

// the guest code of each scenario, at 0x1100 (vmm.c guests[])
var guests = map[string][]byte{
	"hv-crash-after-io": {
		0xf3, 0x6c, // rep insb
		0x66, 0xb9, 0x05, 0x01, 0x00, 0x40, // mov ecx,0x40000105
		0x66, 0xba, 0x00, 0x00, 0x00, 0x80, // mov edx,1<<31
		0x66, 0x31, 0xc0, // xor eax,eax
		0x0f, 0x30, // wrmsr
		0xf4},
	"mmio-write4-after-read": cat(mmioRd, []byte{
		0x66, 0xf7, 0xd0, // not eax: not the bytes read
		0x64, 0x66, 0x89, 0x07, // mov fs:[bx],eax
		0xf4}),
	"mmio-read-after-io": cat([]byte{0xf3, 0x6c /* rep insb */}, mmioRd, []byte{0xf4}),
	"io-out-after-read":  cat(mmioRd, []byte{0xee /* out dx,al */, 0xf4}),
}

// setup: vmm-x86.c x86_setup
func setup(v *vm, scen string) bool {
	if !vmCreate(v, scen, 0, ramSize) {
		return false
	}
	putCode(v.mem[codeGPA:], guests[scen])
	poke(v.mem, srcGPA, 0x100, 0x5a)
	var s [312]byte
	if !setupIoctl(scen, "KVM_GET_SREGS", v.vcpu, kvmGetSregs, unsafe.Pointer(&s[0])) {
		return false
	}
	// struct kvm_segment (24 bytes): base at 0, selector at 12; cs, ds, es, fs
	for i, base := range []uint64{0, 0, 0, mmioBase} {
		binary.LittleEndian.PutUint64(s[24*i:], base)
		binary.LittleEndian.PutUint16(s[24*i+12:], 0)
	}
	if !setupIoctl(scen, "KVM_SET_SREGS", v.vcpu, kvmSetSregs, unsafe.Pointer(&s[0])) {
		return false
	}
	// struct kvm_regs: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags
	var r [18]uint64
	r[1], r[2], r[3], r[4], r[5], r[6] = 0x40, 0x55, 0x10, srcGPA, 0x3000, 0x8000
	r[16], r[17] = codeGPA, 0x2
	return setupIoctl(scen, "KVM_SET_REGS", v.vcpu, kvmSetRegs, unsafe.Pointer(&r[0]))
}

// runPastIO: KVM_RUN until an exit other than an IO exit (at most 300)
func runPastIO(v *vm, scen string) bool {
	for ios := 0; ; {
		if !finalRun(v, scen) {
			return false
		}
		if u32(v.run, 8) != exitIO {
			return true
		}
		if ios++; ios >= 300 {
			return true
		}
	}
}

func x86Cap(v *vm, scen string, c uintptr, reason string) bool {
	have, _ := ioctlInt(v.kvm, kvmCheckExtension, c)
	if have > 0 {
		return true
	}
	skip(scen, reason)
	return false
}

// Hyper-V crash notification (HV_X64_MSR_CRASH_CTL) after an IO exit
func scenHvCrash(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen) || !x86Cap(&v, scen, capHyperV, "no-KVM_CAP_HYPERV") {
		return
	}
	var c [8 + 4*40]byte // struct kvm_cpuid2, 4 entries of struct kvm_cpuid_entry2
	ent := func(i int, function, eax, ebx, ecx, edx uint32) {
		o := 8 + 40*i
		for j, x := range []uint32{function, 0, 0, eax, ebx, ecx, edx} {
			binary.LittleEndian.PutUint32(c[o+4*j:], x)
		}
	}
	binary.LittleEndian.PutUint32(c[0:], 4)
	ent(0, 0x40000000, 0x40000005, 0x7263694d, 0x666f736f, 0x76482074) // "Microsoft Hv"
	ent(1, 0x40000001, 0x31237648, 0, 0, 0)                            // "Hv#1"
	ent(2, 0x40000003, 0, 0, 0, 1<<10)                                 // crash MSRs
	ent(3, 0, 1, 0, 0, 0)
	if !setupIoctl(scen, "KVM_SET_CPUID2", v.vcpu, kvmSetCpuid2, unsafe.Pointer(&c[0])) ||
		!runExpect(&v, scen, exitIO) {
		return
	}
	poke(v.run, 48, 8, 0xa5) // junk past the old system_event
	if !runPastIO(&v, scen) || !expectExit(&v, scen, exitSystemEvent) {
		return
	}
	report(scen, &v, systemEventFields)
}

func checkX86MMIO(v *vm, scen string, write bool, n uint32) bool {
	return checkMMIO(v, scen, write, n, mmioBase+0x40, ^uint64(0))
}

// the MMIO read (answered with junk8), then the MMIO write of 4 bytes
func scenWriteAfterRead(scen string) {
	var v vm
	defer vmDestroy(&v)
	n := uint32(scen[10] - '0') // "mmio-writeN-after-read"
	if !setup(&v, scen) || !runExpect(&v, scen, exitMMIO) || !checkX86MMIO(&v, scen, false, 4) {
		return
	}
	answerJunk8(&v)
	if !finalExpect(&v, scen, exitMMIO) || !checkX86MMIO(&v, scen, true, n) {
		return
	}
	report(scen, &v, nil)
}

// rep insb (an IO exit in), then the MMIO read
func scenReadAfterIO(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen) || !runExpect(&v, scen, exitIO) {
		return
	}
	if !finalExpect(&v, scen, exitMMIO) || !checkX86MMIO(&v, scen, false, 4) {
		return
	}
	report(scen, &v, nil)
}

// the MMIO read (answered), then out dx,al
func scenIOOutAfterRead(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen) || !runExpect(&v, scen, exitMMIO) || !checkX86MMIO(&v, scen, false, 4) {
		return
	}
	answerJunk8(&v)
	if !finalExpect(&v, scen, exitIO) {
		return
	}
	report(scen, &v, nil)
}

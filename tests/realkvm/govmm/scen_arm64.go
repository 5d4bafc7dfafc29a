// SPDX-License-Identifier: LGPL-2.1-or-later

// scen_arm64.go - the arm64 scenarios of the Go test VMM: those of
// vmm-arm64.c named in scenarios, with its guest code (at 0x40000000:
// str w1,[x5]; ldr x2,[x5,#8]; <insn>; b .  with x1 = 0x11223344 and x5 =
// the MMIO device at 0xab_cdef_0000) and its vCPU set-up (KVM_ARM_VCPU_INIT
// with the preferred target and PSCI 0.2).
package main

import (
	"encoding/binary"
	"syscall"
	"unsafe"
)

const (
	arch           = "arm64"
	guestDebugSize = 8 + 4*16*8 // struct kvm_guest_debug: control, pad, dbg_{bcr,bvr,wcr,wvr}[16]

	ramGPA   = 0x40000000
	ramSize  = 0x10000
	mmioGPA  = 0xabcdef0000 // upper 32 bits non-zero: 0xab
	watchGPA = ramGPA + 0x800

	guestDbgUseSwBp = 1 << 16
	vcpuPSCI02      = 2 // KVM_ARM_VCPU_PSCI_0_2

	iStr   = 0xb90000a1 // str w1,[x5]
	iLdr   = 0xf94004a2 // ldr x2,[x5,#8]
	iBrk   = 0xd4200000
	iHvc   = 0xd4000002
	iNop   = 0xd503201f
	iBSelf = 0x14000000
)

var (
	kvmArmPreferredTarget = ior(0xaf, 32) // struct kvm_vcpu_init
	kvmArmVcpuInit        = iow(0xae, 32)
	kvmSetOneReg          = iow(0xac, 16) // struct kvm_one_reg
)

// in the order of vmm-arm64.c run_arm64
var scenarios = []scenario{
	{"brk-after-mmio", scenBrkAfterMMIO},
	{"psci-reset-after-mmio", scenPsciReset},
	{"mmio-write4-after-read", scenWriteAfterRead},
	{"mmio-read-after-write", scenReadAfterWrite},
}

// the instruction at 8 of each scenario (vmm.c guests[])
var insn = map[string]uint32{
	"brk-after-mmio":         iBrk,
	"psci-reset-after-mmio":  iHvc,
	"mmio-write4-after-read": 0xb90000a1, // str w1,[x5]
	"mmio-read-after-write":  iNop,
}

// coreReg: KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | the
// offset in struct kvm_regs in 32-bit words
func coreReg(off uint64) uint64 { return 0x6000000000000000 | 0x0030000000000000 | 0x0010<<16 | off/4 }

// regVal: the value of KVM_SET_ONE_REG, which the kernel reads through the
// address in struct kvm_one_reg: a package variable, which never moves
// (a local could move with its goroutine's stack)
var regVal uint64

func setReg(v *vm, id, val uint64) syscall.Errno {
	var r [16]byte
	regVal = val
	binary.LittleEndian.PutUint64(r[0:], id)
	binary.LittleEndian.PutUint64(r[8:], uint64(uintptr(unsafe.Pointer(&regVal))))
	_, e := ioctl(v.vcpu, kvmSetOneReg, unsafe.Pointer(&r[0]))
	return e
}

// setup: vmm-arm64.c arm_setup with vmm.c arm_regs: pc, x0, x1, x5, x6, pstate
func setup(v *vm, scen string, startOff, x0 uint64) bool {
	if !vmCreate(v, scen, ramGPA, ramSize) {
		return false
	}
	var code [16]byte
	for i, w := range []uint32{iStr, iLdr, insn[scen], iBSelf} {
		binary.LittleEndian.PutUint32(code[4*i:], w)
	}
	putCode(v.mem, code[:])
	var init [32]byte // struct kvm_vcpu_init: target, features[7]
	if _, e := ioctl(v.fd, kvmArmPreferredTarget, unsafe.Pointer(&init[0])); e != 0 {
		return fail(scen, "KVM_ARM_PREFERRED_TARGET", e)
	}
	binary.LittleEndian.PutUint32(init[4:], binary.LittleEndian.Uint32(init[4:])|1<<vcpuPSCI02)
	if _, e := ioctl(v.vcpu, kvmArmVcpuInit, unsafe.Pointer(&init[0])); e != 0 {
		return fail(scen, "KVM_ARM_VCPU_INIT", e)
	}
	// struct kvm_regs: regs[31] at 0, sp at 248, pc at 256, pstate at 264
	regs := [][2]uint64{{256, ramGPA + startOff}, {0, x0}, {8, 0x11223344}, {40, mmioGPA},
		{48, watchGPA}, {264, 0x3c5 /* EL1h, DAIF masked */}}
	for _, r := range regs {
		if e := setReg(v, coreReg(r[0]), r[1]); e != 0 {
			return fail(scen, "KVM_SET_ONE_REG", e)
		}
	}
	return true
}

func checkArmMMIO(v *vm, scen string, write bool, n uint32) bool {
	return checkMMIO(v, scen, write, n, mmioGPA, ^uint64(0xf))
}

// the ldr (MMIO read of 8 bytes), answered with junk8
func mmioRead(v *vm, scen string) bool {
	if !runExpect(v, scen, exitMMIO) || !checkArmMMIO(v, scen, false, 8) {
		return false
	}
	answerJunk8(v)
	return true
}

// the str (MMIO write of 4 bytes) and the ldr
func mmioPrologue(v *vm, scen string) bool {
	return runExpect(v, scen, exitMMIO) && checkArmMMIO(v, scen, true, 4) && mmioRead(v, scen)
}

var debugFields = []fld{{"flags", 14, 2}, {"hsr", 32, 4}, {"hsr_high", 36, 4}, {"far", 40, 8}}

// MMIO write and read, then brk #0 with KVM_GUESTDBG_USE_SW_BP
func scenBrkAfterMMIO(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen, 0, 0) || !mmioPrologue(&v, scen) {
		return
	}
	setGuestDebug(&v, scen, guestDbgEnable|guestDbgUseSwBp)
	if !finalExpect(&v, scen, exitDebug) {
		return
	}
	report(scen, &v, debugFields)
}

// MMIO write and read, then hvc #0 PSCI SYSTEM_RESET
func scenPsciReset(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen, 0, 0x84000009) || !mmioPrologue(&v, scen) ||
		!finalExpect(&v, scen, exitSystemEvent) {
		return
	}
	report(scen, &v, systemEventFields)
}

// started at 4: the MMIO read, then the write of 4 bytes
func scenWriteAfterRead(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen, 4, 0) || !mmioRead(&v, scen) ||
		!finalExpect(&v, scen, exitMMIO) || !checkArmMMIO(&v, scen, true, 4) {
		return
	}
	report(scen, &v, nil)
}

// the MMIO write of 4 bytes, then the MMIO read of 8
func scenReadAfterWrite(scen string) {
	var v vm
	defer vmDestroy(&v)
	if !setup(&v, scen, 0, 0) || !runExpect(&v, scen, exitMMIO) || !checkArmMMIO(&v, scen, true, 4) ||
		!finalExpect(&v, scen, exitMMIO) || !checkArmMMIO(&v, scen, false, 8) {
		return
	}
	report(scen, &v, nil)
}

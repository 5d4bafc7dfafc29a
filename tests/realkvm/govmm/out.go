// SPDX-License-Identifier: LGPL-2.1-or-later

// out.go - the console lines of the Go test VMM, in exactly the format of
// the C VMM's vmm-common.c (out, fail, field, raw, the FILL line), so that
// govmm.awk compares them with the dynamic C VMM's lines byte for byte.
package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"
)

var (
	gKernel, gArch, gCPU = "", "", "unknown"
	gShim                = "off"
	gFailures            int
	gFill                bool
)

const (
	fillLo   = 32
	fillHi   = 168
	fillByte = 0xa5
	dumpLen  = 288 // RAW dumps: bytes 0..287, the header and the whole union
)

// hdr: the header of every line (vmm-common.h HDR)
func hdr() string {
	return fmt.Sprintf("kernel=%s arch=%s cpu=%s shim=%s", gKernel, gArch, gCPU, gShim)
}

// out: one write(2) per line, as the C VMM (the console must not interleave);
// cut at 1023 bytes like its buffer
func out(format string, a ...interface{}) {
	s := fmt.Sprintf(format, a...)
	if len(s) > 1022 {
		s = s[:1022]
	}
	b := []byte(s + "\n")
	for len(b) > 0 {
		n, err := syscall.Write(1, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			syscall.Exit(3)
		}
		b = b[n:]
	}
}

func skip(scen, why string) {
	if !gFill {
		out("SKIP %s scenario=%s reason=%s", hdr(), scen, why)
	}
}

// strerror: glibc's wording is Go's with a capital letter, for the common errors
func strerror(e syscall.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fail: an ERROR line for a failed call (errno e); returns false
func fail(scen, what string, e syscall.Errno) bool {
	out("ERROR %s scenario=%s what=%s errno=%d(%s)", hdr(), scen, what, int(e), strerror(e))
	gFailures++
	return false
}

func rd(b []byte, off, n int) uint64 {
	var v [8]byte
	copy(v[:], b[off:off+n])
	return binary.LittleEndian.Uint64(v[:])
}

// field: bytes [off, off+n) of kvm_run after the exit and before its KVM_RUN
func field(scen, name string, run, before []byte, off, n int) {
	if gFill {
		return
	}
	out("RESULT %s scenario=%s field=%s off=%d len=%d value=0x%0*x before=0x%0*x", hdr(), scen, name,
		off, n, 2*n, rd(run, off, n), 2*n, rd(before, off, n))
}

func raw(scen, tag string, run []byte) {
	suffix := ""
	if gFill {
		suffix = "/fill"
	}
	out("RAW %s scenario=%s%s %s=%x", hdr(), scen, suffix, tag, run[:dumpLen])
}

// fld: a field list entry, as vmm-common.h struct fld
type fld struct {
	name    string
	off, ln int
}

// report: RESULT lines of the fields (clean pass only), then RAW before/after
func report(scen string, vm *vm, f []fld) {
	for _, x := range f {
		field(scen, x.name, vm.run, vm.before[:], x.off, x.ln)
	}
	raw(scen, "before", vm.before[:])
	raw(scen, "after", vm.run)
}

var systemEventFields = []fld{
	{"flags", 14, 2}, {"type", 32, 4}, {"ndata", 36, 4}, {"data0", 40, 8}, {"data1", 48, 8},
}

type scenario struct {
	name string
	fn   func(string)
}

// runScenario: fn in the clean pass, then in the fill pass
func runScenario(fn func(string), scen string) {
	gFill = false
	fn(scen)
	gFill = true
	fn(scen)
	gFill = false
}

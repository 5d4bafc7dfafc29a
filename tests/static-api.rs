// SPDX-License-Identifier: LGPL-2.1-or-later
// static-api.rs - the Rust FFI recipe of the README, checked: the extern "C"
// declarations a Rust VMM copies, linked against libkvmrun-compat.a, driving
// the same scripted "kernel" as tests/static-api.c (whose output this must
// match byte for byte; tests/test-static.sh compares them).  Built with
// rustc alone (no crates):
//   rustc --edition 2021 -O tests/static-api.rs -L native=DIR -l static=kvmrun-compat
use std::os::raw::{c_int, c_void};

// --- the declarations of the recipe (include/kvmrun-compat.h) ---
pub const KVMRUN_COMPAT_ARCH_X86_64: c_int = 1;
pub const KVMRUN_COMPAT_ARCH_ARM64: c_int = 2;

#[repr(C)]
pub struct KvmrunCompatCaps {
    pub bits: [u64; 4],
}

#[repr(C)]
pub struct KvmrunCompatExit {
    pub ret: c_int, // KVM_RUN's return value: 0 or -1
    pub err: c_int, // errno when ret == -1
}

#[repr(C, align(8))]
pub struct KvmrunCompatVcpu {
    pub opaque: [u64; 16],
}

extern "C" {
    pub fn kvmrun_compat_vcpu_init(
        vcpu: *mut KvmrunCompatVcpu,
        arch: c_int,
        caps: *const KvmrunCompatCaps,
        adopted: c_int,
    ) -> c_int;
    pub fn kvmrun_compat_before_run(vcpu: *mut KvmrunCompatVcpu, run: *mut c_void, run_size: usize) -> c_int;
    pub fn kvmrun_compat_after_run(
        vcpu: *mut KvmrunCompatVcpu,
        run: *mut c_void,
        run_size: usize,
        exit: *const KvmrunCompatExit,
    ) -> c_int;
}
// --- end of the declarations ---

const RUN_SIZE: usize = 2352; // sizeof(struct kvm_run) on arm64

fn dump(what: &str, page: &[u8]) {
    print!("{}", what);
    for (i, b) in page[..304].iter().enumerate() {
        if i % 32 == 0 {
            print!("\n  ");
        }
        print!("{:02x}", b);
    }
    println!();
}

fn main() {
    let api = std::env::args().nth(1).as_deref() != Some("--no-api");
    let mut page = vec![0u8; 4096];
    let mut v = KvmrunCompatVcpu { opaque: [0; 16] };
    let ok = KvmrunCompatExit { ret: 0, err: 0 };
    let run = page.as_mut_ptr() as *mut c_void;
    let _ = KVMRUN_COMPAT_ARCH_X86_64;
    unsafe {
        if api && kvmrun_compat_vcpu_init(&mut v, KVMRUN_COMPAT_ARCH_ARM64, std::ptr::null(), 0) != 0 {
            std::process::exit(2);
        }
        // exit 1: MMIO write, 4 bytes of 0x11223344 at 0xab_cdef_0000
        if api {
            kvmrun_compat_before_run(&mut v, run, RUN_SIZE);
        }
    }
    page[8..12].copy_from_slice(&6u32.to_le_bytes());
    page[32..40].copy_from_slice(&0xab_cdef_0000u64.to_le_bytes());
    page[40..48].copy_from_slice(&0x1122_3344u64.to_le_bytes());
    page[48..52].copy_from_slice(&4u32.to_le_bytes());
    page[52] = 1;
    unsafe {
        if api {
            kvmrun_compat_after_run(&mut v, run, RUN_SIZE, &ok);
        }
    }
    dump("mmio:", &page);
    unsafe {
        if api {
            kvmrun_compat_before_run(&mut v, run, RUN_SIZE);
        }
    }
    // exit 2: BRK; a 5.10 kernel writes exit_reason and hsr only
    page[8..12].copy_from_slice(&4u32.to_le_bytes());
    page[32..36].copy_from_slice(&0xf200_0000u32.to_le_bytes());
    unsafe {
        if api {
            kvmrun_compat_after_run(&mut v, run, RUN_SIZE, &ok);
        }
    }
    dump("brk:", &page);
    let hsr_high = u32::from_le_bytes(page[36..40].try_into().unwrap());
    println!("hsr_high=0x{:08x}", hsr_high);
}

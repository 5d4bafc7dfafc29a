#!/bin/sh
# guest.sh IMAGE - write the deployment tests' guest: a 1 MiB raw disk whose
# boot sector prints one line on the first serial port and halts.  SeaBIOS
# loads it at 0:7c00 in real mode:
#
#   7c00  fa           cli
#   7c01  fc           cld
#   7c02  31 c0        xor  ax, ax
#   7c04  8e d8        mov  ds, ax
#   7c06  ba f8 03     mov  dx, 0x3f8        ; COM1 data register
#   7c09  be 17 7c     mov  si, msg          ; 0x7c17
#   7c0c  ac           next: lodsb
#   7c0d  84 c0        test al, al
#   7c0f  74 03        jz   halt             ; 0x7c14
#   7c11  ee           out  dx, al
#   7c12  eb f8        jmp  next             ; 0x7c0c
#   7c14  f4           halt: hlt
#   7c15  eb fd        jmp  halt
#   7c17  msg: "KVMRC-GUEST-BOOTED\r\n", 0
#   7dfe  55 aa        boot signature
#
# The line proves the firmware ran and handed over to the disk: a QEMU that
# started but never executed guest code would leave the serial log empty.
set -eu
img=$1
msg='KVMRC-GUEST-BOOTED'
{
	printf '\372\374\061\300\216\330\272\370\003\276\027\174\254\204\300\164\003\356\353\370\364\353\375'
	printf '%s\r\n\000' "$msg"
} >"$img.tmp"
size=$(wc -c <"$img.tmp")
# pad to 510 bytes, then the boot signature
head -c $((510 - size)) /dev/zero >>"$img.tmp"
printf '\125\252' >>"$img.tmp"
truncate -s 1M "$img.tmp"
mv -f "$img.tmp" "$img"

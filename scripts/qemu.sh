#!/usr/bin/env bash
# Boots a board in QEMU with the project's kernel, the board DTB with the rpi-wdt and rpi-rtc overlays
# applied, the board's devices (board/<board>/board.env: the DS1338 RTC on I2C1), and an initramfs,
# with the serial console on this terminal (Ctrl-A X quits).
# It never hangs a terminal: power-off inside the guest ends QEMU, a guest reset ends it too (-no-reboot,
# unless QEMU_ALLOW_REBOOT=1), and after QEMU_TIMEOUT seconds (default 900) it is stopped with a message.
# Usage: qemu.sh BOARD INITRAMFS [extra kernel arguments...]
#        qemu.sh --which     print the QEMU binary that would run, and its version
# Environment: QEMU_SYSTEM (the qemu-system-aarch64 to run; default: the patched watchdog model if
# 'make qemu-build' built it, else Debian's), QEMU_TIMEOUT, QEMU_ALLOW_REBOOT, QEMU_EXTRA_ARGS,
# QEMU_NO_BOARD_DEVICES (1: without the board's I2C RTC), QEMU_SERIAL (the console's -serial backend in
# place of this terminal, e.g. chardev:ID with the chardev in QEMU_EXTRA_ARGS).
# To boot an SD image's root filesystem instead of an initramfs (INITRAMFS is then "-"):
#   QEMU_SD_IMAGE (raw image, power-of-two size), QEMU_KERNEL, QEMU_DTB, QEMU_APPEND (the whole command
#   line), QEMU_CONSOLE=aux (the console on the mini UART, QEMU's second serial port, as on a board).
source "$(dirname "$0")/lib.sh"

QEMU_SYSTEM=${QEMU_SYSTEM:-$(bash "$PROJECT_ROOT/scripts/qemu-build.sh" path)}
QEMU_SYSTEM=${QEMU_SYSTEM:-qemu-system-aarch64}
if [ "${1:-}" = --which ]; then
	command -v "$QEMU_SYSTEM" || die "$QEMU_SYSTEM not found: run 'make setup'"
	"$QEMU_SYSTEM" --version | head -n1
	exit 0
fi

board=${1:?usage: $0 BOARD INITRAMFS [kernel args...]}
initramfs=${2:?usage: $0 BOARD INITRAMFS [kernel args...]}
shift 2
source "$PROJECT_ROOT/scripts/board.sh"
load_board "$board"
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
image=${QEMU_KERNEL:-$kbuild/arch/arm64/boot/Image}
[ -e "$image" ] || die "no kernel Image: run 'make kernel' first"
dtb=${QEMU_DTB:-$(bash "$PROJECT_ROOT/scripts/dtb.sh" board "$board")}
command -v "$QEMU_SYSTEM" >/dev/null || die "$QEMU_SYSTEM not found: run 'make setup'"

timeout_s=${QEMU_TIMEOUT:-900}
serial=stdio
[ -t 0 ] && serial=mon:stdio
serial=${QEMU_SERIAL:-$serial}
args=(-M "$QEMU_MACHINE" -kernel "$image" -dtb "$dtb" -display none -monitor none)
if [ -n "${QEMU_SD_IMAGE:-}" ]; then
	args+=(-drive "if=sd,format=raw,file=$QEMU_SD_IMAGE" -append "${QEMU_APPEND:?QEMU_APPEND is needed with QEMU_SD_IMAGE} $*")
else
	args+=(-initrd "$initramfs" -append "$KERNEL_CMDLINE rdinit=/init $*")
fi
if [ "${QEMU_CONSOLE:-}" = aux ]; then
	args+=(-serial null -serial "$serial")
else
	args+=(-serial "$serial")
fi
[ "${QEMU_ALLOW_REBOOT:-0}" = 1 ] || args+=(-no-reboot)
# The board's devices beyond the machine's own (the RTC); QEMU_NO_BOARD_DEVICES=1 leaves them out, as
# a board with the overlay but no chip fitted.
# shellcheck disable=SC2206
[ "${QEMU_NO_BOARD_DEVICES:-0}" = 1 ] || args+=(${QEMU_BOARD_DEVICES:-})
# shellcheck disable=SC2206
args+=(${QEMU_EXTRA_ARGS:-})

if [ -t 0 ]; then
	log "booting $board ($QEMU_MACHINE) with $("$QEMU_SYSTEM" --version | head -n1)"
	log "quit with Ctrl-A X, or 'poweroff' in the guest"
fi
status=0
timeout --foreground "$timeout_s" "$QEMU_SYSTEM" "${args[@]}" || status=$?
if [ "$status" = 124 ]; then
	warn "QEMU still running after ${timeout_s} s: stopped it (set QEMU_TIMEOUT to allow longer)"
fi
exit "$status"

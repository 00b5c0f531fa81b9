#!/usr/bin/env bash
# Boots a board in QEMU with the project's kernel, the board DTB with the rpi-wdt overlay applied, and an
# initramfs, with the serial console on this terminal (Ctrl-A X quits).
# It never hangs a terminal: power-off inside the guest ends QEMU, a guest reset ends it too (-no-reboot,
# unless QEMU_ALLOW_REBOOT=1), and after QEMU_TIMEOUT seconds (default 900) it is stopped with a message.
# Usage: qemu.sh BOARD INITRAMFS [extra kernel arguments...]
# Environment: QEMU_SYSTEM (the qemu-system-aarch64 to run), QEMU_TIMEOUT, QEMU_ALLOW_REBOOT, QEMU_EXTRA_ARGS.
source "$(dirname "$0")/lib.sh"

board=${1:?usage: $0 BOARD INITRAMFS [kernel args...]}
initramfs=${2:?usage: $0 BOARD INITRAMFS [kernel args...]}
shift 2
conf="$PROJECT_ROOT/board/$board/qemu.env"
[ -e "$conf" ] || die "unknown board '$board': expected board/$board/qemu.env (boards: rpi3, rpi4)"
# shellcheck disable=SC1090
source "$conf"
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
image="$kbuild/arch/arm64/boot/Image"
[ -e "$image" ] || die "no kernel Image: run 'make kernel' first"
dtb=$(bash "$PROJECT_ROOT/scripts/dtb.sh" board "$board")
command -v "$QEMU_SYSTEM" >/dev/null || die "$QEMU_SYSTEM not found: run 'make setup'"

timeout_s=${QEMU_TIMEOUT:-900}
serial=stdio
[ -t 0 ] && serial=mon:stdio
args=(-M "$QEMU_MACHINE" -kernel "$image" -dtb "$dtb" -initrd "$initramfs"
	-append "$KERNEL_CMDLINE rdinit=/init $*" -display none -serial "$serial" -monitor none)
[ "${QEMU_ALLOW_REBOOT:-0}" = 1 ] || args+=(-no-reboot)
# shellcheck disable=SC2206
args+=(${QEMU_EXTRA_ARGS:-})

[ -t 0 ] && log "booting $board ($QEMU_MACHINE); quit with Ctrl-A X, or 'poweroff' in the guest"
status=0
timeout --foreground "$timeout_s" "$QEMU_SYSTEM" "${args[@]}" || status=$?
if [ "$status" = 124 ]; then
	warn "QEMU still running after ${timeout_s} s: stopped it (set QEMU_TIMEOUT to allow longer)"
fi
exit "$status"

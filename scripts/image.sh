#!/usr/bin/env bash
# Builds a flashable SD card image for a board, offline, from the same board files and genimage
# configuration as the Buildroot external tree (buildroot-external/board/): it lays out the images
# directory as Buildroot would, then runs that tree's post-image.sh, which runs genimage.
#   boot (FAT):  the Pi firmware from Debian's raspi-firmware package, config.txt (dtoverlay=rpi-wdt and
#                dtoverlay=rpi-rtc),
#                cmdline.txt, the kernel Image, the board's mainline DTBs, overlays/rpi-wdt.dtbo and rpi-rtc.dtbo
#   root (ext4): the project's root filesystem (scripts/rootfs.sh): busybox, the kernel's modules and
#                rpi_wdt with depmod's indexes, wdtctl and the test tools, dropbear for SSH
# Usage: image.sh BOARD [EXTRA_BINARY...]      (prints the image's path)
# Environment: SSH_KEY, a public key file for root's authorized_keys (default: the HIL runner's key).
source "$(dirname "$0")/lib.sh"

board=${1:?usage: $0 BOARD [EXTRA_BINARY...]}
shift
source "$PROJECT_ROOT/scripts/board.sh"
load_board "$board"
external="$PROJECT_ROOT/buildroot-external"
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
firmware="$RPI_WDT_CACHE/raspi-firmware/usr/lib/raspi-firmware"
[ -e "$firmware/start.elf" ] || die "no Raspberry Pi firmware in $firmware: run 'make setup'"
[ -e "$kbuild/.rpi-wdt-built" ] || die "no kernel build: run 'make kernel'"

work="$PROJECT_ROOT/out/image/$board"
images="$work/images"
rm -rf "$work"
mkdir -p "$images/rpi-firmware/overlays" "$work/build"

log "boot partition: firmware, config.txt, cmdline.txt, Image, DTBs, overlays/rpi-wdt.dtbo and rpi-rtc.dtbo"
cp "$firmware"/bootcode.bin "$firmware"/start*.elf "$firmware"/fixup*.dat "$images/rpi-firmware/"
cp "$external/board/$BR_BOARD/config.txt" "$images/rpi-firmware/config.txt"
cp "$external/board/common/cmdline.txt" "$images/rpi-firmware/cmdline.txt"
for overlay in rpi-wdt rpi-rtc; do
	cp "$(bash "$PROJECT_ROOT/scripts/dtb.sh" overlay "$overlay")" "$images/rpi-firmware/overlays/$overlay.dtbo"
done
cp "$kbuild/arch/arm64/boot/Image" "$images/Image"
for dtb in $BOARD_DTBS; do
	cp "$kbuild/arch/arm64/boot/dts/$dtb.dtb" "$images/"
done

log "root partition: the project's root filesystem"
rootfs="$work/rootfs"
bash "$PROJECT_ROOT/scripts/rootfs.sh" "$rootfs" "$@" >/dev/null
mkdir -p "$rootfs/etc/rpi-wdt"
: > "$rootfs/etc/rpi-wdt/network"     # rcS: DHCP on eth0 and dropbear at boot
if [ -n "${SSH_KEY:-}" ]; then
	[ -r "$SSH_KEY" ] || die "SSH_KEY=$SSH_KEY is not a readable public key file"
	cp "$SSH_KEY" "$rootfs/root/.ssh/authorized_keys"
fi
size_mb=$(( $(du -sm "$rootfs" | cut -f1) + 64 ))
mkfs.ext4 -q -F -L rootfs -E root_owner=0:0 -d "$rootfs" "$images/rootfs.ext4" "${size_mb}M" ||
	die "mkfs.ext4 failed"

log "genimage, through buildroot-external/board/common/post-image.sh"
BINARIES_DIR="$images" BUILD_DIR="$work/build" bash "$external/board/common/post-image.sh" "$images" >/dev/null ||
	die "post-image.sh failed"
output="$PROJECT_ROOT/out/rpi-wdt-$board-sdcard.img"
mv "$images/sdcard.img" "$output"
echo "$output"

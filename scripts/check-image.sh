#!/usr/bin/env bash
# Checks an SD image from 'make image' the way a board's firmware and kernel will see it, and prepares
# its QEMU boot: prints one TAP line per check.
#   partition table: a bootable FAT partition and a Linux one
#   boot files: firmware, config.txt with dtoverlay=rpi-wdt and rpi-rtc, cmdline.txt, Image, DTBs, the
#   overlays
#   the overlays apply to the board's DTB with fdtoverlay (as the firmware applies dtoverlay=)
#   root filesystem: init, wdtctl, rpi_wdt.ko and its modules.alias entry, maxim_rtc.ko
# Then writes out/image/BOARD/qemu/: a copy of the image resized to a power of two (QEMU's SD model
# needs it), and the kernel, the DTB with the overlay applied and cmdline.txt taken from the image.
# Usage: check-image.sh BOARD IMAGE
source "$(dirname "$0")/lib.sh"
set +e

board=${1:?usage: $0 BOARD IMAGE}
image=${2:?usage: $0 BOARD IMAGE}
source "$PROJECT_ROOT/scripts/board.sh"
load_board "$board"
dtb=$(basename "$BOARD_DTB")
firmware_files=$FIRMWARE_FILES
qemu_dir="$PROJECT_ROOT/out/image/$board/qemu"
rm -rf "$qemu_dir"
mkdir -p "$qemu_dir"
result() { tap_check "$1" "image/${board}_$2" "${3:-}"; } # result STATUS NAME [DETAIL]

table=$(sfdisk -d "$image" 2>&1)
boot_start=$(sed -n 's/.*1 : start= *\([0-9]*\),.*type=c, bootable.*/\1/p' <<<"$table")
root_start=$(sed -n 's/.*2 : start= *\([0-9]*\),.*type=83.*/\1/p' <<<"$table")
[ -n "$boot_start" ] && [ -n "$root_start" ]; result $? partition_table_boot_fat_and_linux_root "$table"
boot="$image@@$((boot_start * 512))"

listing=$(mdir -/ -b -i "$boot" :: 2>&1)
missing=""
for f in $firmware_files config.txt cmdline.txt Image "$dtb" overlays/rpi-wdt.dtbo overlays/rpi-rtc.dtbo; do
	grep -q "/$f\$" <<<"$listing" || missing="$missing $f"
done
[ -z "$missing" ]; result $? boot_files_present "missing:$missing
$listing"

mtype -i "$boot" ::config.txt > "$qemu_dir/config.txt" 2>&1
grep -qx 'dtoverlay=rpi-wdt' "$qemu_dir/config.txt"; result $? config_txt_loads_the_overlay "$(cat "$qemu_dir/config.txt")"
grep -qx 'dtoverlay=rpi-rtc' "$qemu_dir/config.txt"; result $? config_txt_loads_the_rtc_overlay "$(cat "$qemu_dir/config.txt")"
grep -qx 'arm_64bit=1' "$qemu_dir/config.txt" && grep -qx 'kernel=Image' "$qemu_dir/config.txt"
result $? config_txt_boots_the_64bit_Image

mcopy -n -i "$boot" ::Image "$qemu_dir/Image" && mcopy -n -i "$boot" "::$dtb" "$qemu_dir/board.dtb" &&
	mcopy -n -i "$boot" ::overlays/rpi-wdt.dtbo "$qemu_dir/rpi-wdt.dtbo" && mcopy -n -i "$boot" ::cmdline.txt "$qemu_dir/cmdline.txt" &&
	mcopy -n -i "$boot" ::overlays/rpi-rtc.dtbo "$qemu_dir/rpi-rtc.dtbo"
result $? boot_files_readable
out=$(fdtoverlay -i "$qemu_dir/board.dtb" -o "$qemu_dir/applied.dtb" "$qemu_dir/rpi-wdt.dtbo" 2>&1) &&
	compat=$(fdtget "$qemu_dir/applied.dtb" /soc/watchdog@7e10001c compatible 2>&1) &&
	[ "$compat" = rpi-rust-wdt,bcm2835-pm-wdt ]
result $? overlay_applies_to_the_board_dtb "$out $compat"
out=$(fdtoverlay -i "$qemu_dir/board.dtb" -o "$qemu_dir/applied-rtc.dtb" "$qemu_dir/rpi-rtc.dtbo" 2>&1) &&
	compat=$(fdtget "$qemu_dir/applied-rtc.dtb" /soc/i2c@7e804000/rtc@68 compatible 2>&1) &&
	[ "$compat" = maxim,ds3231 ]
result $? rtc_overlay_applies_to_the_board_dtb "$out $compat"
grep -q 'root=/dev/mmcblk0p2' "$qemu_dir/cmdline.txt"; result $? cmdline_mounts_the_sd_root "$(cat "$qemu_dir/cmdline.txt")"

dd if="$image" of="$qemu_dir/root.ext4" bs=512 skip="$root_start" status=none
root_listing=$(debugfs -R 'ls -p /usr/bin' "$qemu_dir/root.ext4" 2>/dev/null)
grep -q '/wdtctl/' <<<"$root_listing"; result $? rootfs_has_wdtctl
release=$(debugfs -R 'ls -p /lib/modules' "$qemu_dir/root.ext4" 2>/dev/null | awk -F/ '$6 ~ /rpi/ { print $6 }' | head -n1)
debugfs -R "stat /lib/modules/$release/updates/rpi_wdt.ko" "$qemu_dir/root.ext4" 2>/dev/null | grep -q 'Type: regular'
result $? rootfs_has_rpi_wdt_module "release: $release"
debugfs -R "cat /lib/modules/$release/modules.alias" "$qemu_dir/root.ext4" 2>/dev/null | grep -q 'of:N\*T\*Crpi-rust-wdt,bcm2835-pm-wdt'
result $? rootfs_modules_alias_has_the_compatible
debugfs -R "stat /lib/modules/$release/updates/maxim_rtc.ko" "$qemu_dir/root.ext4" 2>/dev/null | grep -q 'Type: regular'
result $? rootfs_has_maxim_rtc_module "release: $release"
debugfs -R 'stat /sbin/init' "$qemu_dir/root.ext4" 2>/dev/null | grep -q 'Type: symlink'; result $? rootfs_has_init
rm -f "$qemu_dir/root.ext4"

cp "$image" "$qemu_dir/sd.img"
size=$(stat -c %s "$qemu_dir/sd.img")
pow=1; while [ "$pow" -lt "$size" ]; do pow=$((pow * 2)); done
truncate -s "$pow" "$qemu_dir/sd.img"
echo "# image $(basename "$image"): $((size / 1048576)) MiB; QEMU copy $((pow / 1048576)) MiB"
tap_summary "image checks"

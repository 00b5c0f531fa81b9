#!/usr/bin/env bash
# Post-image script of the rpi-rust-wdt Buildroot configurations
# (BR2_ROOTFS_POST_IMAGE_SCRIPT). Builds ${BINARIES_DIR}/sdcard.img with
# genimage, from genimage.cfg.in next to this script:
#   boot (FAT): the rpi-firmware files, config.txt, cmdline.txt,
#               overlays/rpi-wdt.dtbo and rpi-rtc.dtbo, the kernel named by config.txt's
#               kernel= line and the mainline DTBs;
#   rootfs:     rootfs.ext4.
# Buildroot runs it with the images directory as $1 and BINARIES_DIR,
# BUILD_DIR in the environment.

set -euo pipefail

BOARD_DIR=$(cd "$(dirname "$0")" && pwd)
BINARIES_DIR=${BINARIES_DIR:-$1}
FIRMWARE_DIR="${BINARIES_DIR}/rpi-firmware"
GENIMAGE_CFG="${BINARIES_DIR}/genimage.cfg"
GENIMAGE_TMP="${BUILD_DIR}/genimage.tmp"

die() {
	echo "post-image.sh: $*" >&2
	exit 1
}

# What the board cannot boot without, or boots without the watchdog.
for f in config.txt cmdline.txt overlays/rpi-wdt.dtbo overlays/rpi-rtc.dtbo; do
	[ -e "${FIRMWARE_DIR}/${f}" ] || die "missing ${FIRMWARE_DIR}/${f}"
done
for overlay in rpi-wdt rpi-rtc; do
	grep -q "^dtoverlay=${overlay}" "${FIRMWARE_DIR}/config.txt" ||
		die "${FIRMWARE_DIR}/config.txt does not load the ${overlay} overlay"
done

KERNEL=$(sed -n 's/^kernel=//p' "${FIRMWARE_DIR}/config.txt")
[ -n "${KERNEL}" ] || die "no kernel= line in ${FIRMWARE_DIR}/config.txt"
[ -e "${BINARIES_DIR}/${KERNEL}" ] || die "missing ${BINARIES_DIR}/${KERNEL}"

# Paths relative to BINARIES_DIR, genimage's input path. The directory
# rpi-firmware/overlays is copied as a whole and becomes overlays/.
FILES=("${KERNEL}")
for f in "${BINARIES_DIR}"/*.dtb "${FIRMWARE_DIR}"/*; do
	[ -e "${f}" ] || continue
	FILES+=("${f#"${BINARIES_DIR}"/}")
done
ls "${BINARIES_DIR}"/*.dtb >/dev/null 2>&1 || die "no DTB in ${BINARIES_DIR}"

BOOT_FILES=$(printf '\\t\\t\\t"%s",\\n' "${FILES[@]}")
sed "s|#BOOT_FILES#|${BOOT_FILES}|" "${BOARD_DIR}/genimage.cfg.in" \
	>"${GENIMAGE_CFG}"

# genimage copies --rootpath into its temporary directory; the root
# filesystem image is already built, so give it an empty one.
ROOTPATH_TMP=$(mktemp -d)
trap 'rm -rf "${ROOTPATH_TMP}"' EXIT

rm -rf "${GENIMAGE_TMP}"

genimage \
	--rootpath "${ROOTPATH_TMP}" \
	--tmppath "${GENIMAGE_TMP}" \
	--inputpath "${BINARIES_DIR}" \
	--outputpath "${BINARIES_DIR}" \
	--config "${GENIMAGE_CFG}"

# shellcheck shell=bash
# Sourced by the initramfs builders (initramfs.sh, systemd-rootfs.sh), after lib.sh.
#
# The initramfs is an uncompressed newc cpio: QEMU loads it into guest RAM, and the kernel only copies
# it into its rootfs. Under emulation gzip's inflate costs seconds at every boot (about 3 s for the
# 14 MiB test initramfs on raspi3b), far more than the larger file costs to load.

# Packs the tree STAGING into the cpio archive OUTPUT, files sorted and owned by root so that the same
# tree gives the same bytes; OUTPUT appears only when complete.
pack_initramfs() { # STAGING OUTPUT
	(cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}

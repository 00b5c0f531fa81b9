#!/usr/bin/env bash
# Builds the QEMU root filesystem as a gzip'd cpio initramfs:
#   busybox-static (arm64, from Debian) as init and shell, board/qemu/rootfs/ (inittab, rcS, mdev.conf),
#   the kernel's modules and rpi_wdt installed under /lib/modules with depmod's indexes (modules.alias
#   carries of:N*T*C<compatible>, which is how coldplug finds rpi_wdt), and the project's guest programs
#   (wdtctl and the test programs, when built) in /usr/bin, and the guest test scripts in
#   /usr/libexec/rpi-wdt-tests.
# Usage: initramfs.sh OUTPUT [EXTRA_BINARY...]
source "$(dirname "$0")/lib.sh"

output=$(realpath -m "${1:?usage: $0 OUTPUT [EXTRA_BINARY...]}")
shift
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
release=$(cat "$kbuild/include/config/kernel.release")
busybox="$RPI_WDT_CACHE/busybox-arm64/bin/busybox"
[ -x "$busybox" ] || die "no arm64 busybox at $busybox: run 'make setup'"

staging="$output.staging"
rm -rf "$staging"
mkdir -p "$staging"/{bin,sbin,usr/bin,usr/sbin,lib/modules,dev,proc,sys,tmp,run,root}
cp "$busybox" "$staging/bin/busybox"
# Enough applets for init to start; rcS installs the rest with busybox --install.
for applet in sh mount mkdir; do ln -s busybox "$staging/bin/$applet"; done
ln -s bin/busybox "$staging/init"
cp -a "$PROJECT_ROOT/board/qemu/rootfs/." "$staging/"
mkdir -p "$staging/usr/libexec/rpi-wdt-tests"
cp "$PROJECT_ROOT"/tests/guest/scripts/*.sh "$staging/usr/libexec/rpi-wdt-tests/"

cp -a "$kbuild/modules-install/lib/modules/$release" "$staging/lib/modules/"
rm -f "$staging/lib/modules/$release"/{build,source}
bash "$PROJECT_ROOT/scripts/driver.sh" install "$staging" >/dev/null
depmod -b "$staging" "$release" || die "depmod failed for $release"
grep -q 'rpi_wdt' "$staging/lib/modules/$release/modules.alias" ||
	die "modules.alias has no rpi_wdt entry: coldplug could not load the driver"

for binary in "$@"; do
	[ -x "$binary" ] || die "missing guest binary $binary"
	cp "$binary" "$staging/usr/bin/"
done

(cd "$staging" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -6 > "$output.tmp"
mv "$output.tmp" "$output"
rm -rf "$staging"
echo "$output"

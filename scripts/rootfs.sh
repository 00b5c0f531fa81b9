#!/usr/bin/env bash
# Assembles the guest root filesystem tree that both the QEMU initramfs and the SD image's root
# partition are made of:
#   busybox-static (arm64, from Debian) as init and shell, board/common/rootfs/ (inittab, rcS, mdev.conf,
#   accounts), the kernel's modules and rpi_wdt under /lib/modules with depmod's indexes (modules.alias
#   carries of:N*T*C<compatible>, which is how coldplug finds rpi_wdt), the in-tree C bcm2835_wdt and
#   rtc-ds1307 (with regmap-i2c) built from the same tree in /usr/lib/rpi-wdt/reference/ (for the
#   differential test and make bench; never autoloaded),
#   dropbear with the libraries it links and the HIL key for root, the project's guest programs (wdtctl,
#   test programs) in /usr/bin, and the guest test scripts in /usr/libexec/rpi-wdt-tests.
# Usage: rootfs.sh DIR [EXTRA_BINARY...]   (DIR is replaced)
source "$(dirname "$0")/lib.sh"

staging=$(realpath -m "${1:?usage: $0 DIR [EXTRA_BINARY...]}")
shift
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
release=$(cat "$kbuild/include/config/kernel.release")
busybox="$RPI_WDT_CACHE/busybox-arm64/bin/busybox"
[ -x "$busybox" ] || die "no arm64 busybox at $busybox: run 'make setup'"

rm -rf "$staging"
mkdir -p "$staging"/{bin,sbin,usr/bin,usr/sbin,lib/modules,dev,proc,sys,tmp,run,root}
cp "$busybox" "$staging/bin/busybox"
# Enough applets for init to start; rcS installs the rest with busybox --install.
for applet in sh mount mkdir; do ln -s busybox "$staging/bin/$applet"; done
ln -s bin/busybox "$staging/init"          # the initramfs's rdinit=/init
ln -s ../bin/busybox "$staging/sbin/init"  # the kernel's default init on a real root (the SD image)
cp -a "$PROJECT_ROOT/board/common/rootfs/." "$staging/"
chmod 600 "$staging/etc/shadow"   # git keeps only the executable bit
mkdir -p "$staging/usr/libexec/rpi-wdt-tests"
cp "$PROJECT_ROOT"/tests/guest/scripts/*.sh "$staging/usr/libexec/rpi-wdt-tests/"

cp -a "$kbuild/modules-install/lib/modules/$release" "$staging/lib/modules/"
rm -f "$staging/lib/modules/$release"/{build,source}
bash "$PROJECT_ROOT/scripts/driver.sh" install "$staging" >/dev/null
# The in-tree C drivers, for comparisons only: outside /lib/modules, so nothing loads them by modalias
# (bcm2835_wdt binds to the PM block's own "bcm2835-wdt" device and must never run beside rpi_wdt;
# rtc-ds1307 matches the same compatibles as maxim_rtc).
mkdir -p "$staging/usr/lib/rpi-wdt/reference"
paths=$(bash "$PROJECT_ROOT/scripts/driver.sh" reference) || die "the C reference drivers' build failed"
mapfile -t references <<<"$paths"
cp "${references[@]}" "$staging/usr/lib/rpi-wdt/reference/"
depmod -b "$staging" "$release" || die "depmod failed for $release"
grep -q 'rpi_wdt' "$staging/lib/modules/$release/modules.alias" ||
	die "modules.alias has no rpi_wdt entry: coldplug could not load the driver"

# SSH for the HIL runner: dropbear with exactly the libraries it links (read from its ELF headers), and
# the runner's public key for root.
install_with_libs() {
	local root=$1 binary=$2 lib dir
	mkdir -p "$staging$(dirname "$binary")"
	cp "$root$binary" "$staging$binary"
	for lib in $(aarch64-linux-gnu-readelf -d "$root$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		for dir in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
			if [ -e "$root$dir/$lib" ] && [ ! -e "$staging$dir/$lib" ]; then
				install_with_libs "$root" "$dir/$lib"
			fi
		done
	done
}
dropbear_root="$RPI_WDT_CACHE/dropbear-arm64/root"
[ -x "$dropbear_root/usr/sbin/dropbear" ] || die "no arm64 dropbear in $dropbear_root: run 'make setup'"
install_with_libs "$dropbear_root" /usr/sbin/dropbear
install_with_libs "$dropbear_root" /lib/ld-linux-aarch64.so.1
mkdir -p "$staging/root/.ssh" "$staging/etc/dropbear"
cp "$RPI_WDT_CACHE/hil/id_ed25519.pub" "$staging/root/.ssh/authorized_keys"
chmod 700 "$staging/root" "$staging/root/.ssh"
chmod 600 "$staging/root/.ssh/authorized_keys"

for binary in "$@"; do
	[ -x "$binary" ] || die "missing guest binary $binary"
	cp "$binary" "$staging/usr/bin/"
done


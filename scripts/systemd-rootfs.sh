#!/usr/bin/env bash
# Builds the systemd guest as a cpio initramfs (scripts/cpio.sh), offline: Debian 12's systemd as PID 1 (with udevd,
# journald and kmod), for tests of what systemd does with the watchdog when /etc/systemd/system.conf says
# only RuntimeWatchdogSec=30s. It is made of:
#   - the arm64 packages 'make setup' downloaded and extracted with their dependency closure
#     ($RPI_WDT_CACHE/systemd-arm64/root; the list is in packages.txt there), less documentation, locales,
#     glibc's iconv modules and the udev hardware database sources (nothing here uses them);
#   - Debian's dash as /bin/sh and root's shell, and busybox-static for the shell tools (ls, grep, dmesg, stty,
#     ...: the busybox guest's tools, linked at boot by rpi-wdt-busybox.service, never over a Debian file).
#     Not busybox's ash: it runs its own applets before what PATH finds, so 'poweroff' would be busybox's
#     (a signal that systemd takes as "dump your state") instead of systemd's;
#   - the kernel's modules and rpi_wdt under /lib/modules with depmod's indexes, as scripts/rootfs.sh
#     installs them: udevd loads rpi_wdt by its modalias (of:N*T*Crpi-rust-wdt,bcm2835-pm-wdt);
#   - board/common/rootfs's accounts and /etc/profile (the prompt), board/systemd/rootfs/ (hostname, an
#     empty /etc/machine-id that systemd fills at boot, system.conf, the console shell), the guest test
#     scripts, and the guest programs given as arguments in /usr/bin.
# PID 1 is /init, a link to /lib/systemd/systemd (scripts/qemu.sh boots initramfs guests with rdinit=/init;
# rdinit=/sbin/init, systemd-sysv's link, works too). There is no /etc/initrd-release: systemd runs the
# initramfs as the real root, not as an initrd. What the console prints and what to type: board/systemd/
# rootfs/etc/rpi-wdt/console.
# Usage: systemd-rootfs.sh OUTPUT [EXTRA_BINARY...]   (e.g. out/initramfs-systemd.cpio)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cpio.sh"

output=$(realpath -m "${1:?usage: $0 OUTPUT [EXTRA_BINARY...]}")
shift
staging="$output.staging"
debian="$RPI_WDT_CACHE/systemd-arm64/root"
busybox="$RPI_WDT_CACHE/busybox-arm64/bin/busybox"
# The serial console the shell runs on: console=ttyAMA0 on both boards (board/*/board.env).
console_tty=ttyAMA0

# Units that cannot work in this guest, masked (a link to /dev/null in /etc/systemd/system). Nothing
# watchdog-related is here. Debian's systemd-networkd(-wait-online), timesyncd (not even in the closure) and
# getty@tty1 need no mask: no package maintainer script ran, so nothing enabled them.
MASKED_UNITS=(
	# Needs D-Bus, which this guest does not have (systemd itself does not: systemctl talks to PID 1 over
	# /run/systemd/private). Nobody logs in: the console shell is a service.
	systemd-logind.service
	# Debian's fallback that starts agetty on tty2..tty6 when there is no D-Bus: this guest has no agetty
	# (util-linux) and QEMU's raspi3b no display; the kernel's VT layer still makes /dev/tty0..63.
	getty-static.service
)
# Generators that cannot work in this guest, masked the same way (in /etc/systemd/system-generators).
MASKED_GENERATORS=(
	# Adds serial-getty@ttyAMA0.service (agetty) for console=ttyAMA0; rpi-wdt-console@ttyAMA0 has that tty.
	systemd-getty-generator
)

[ -x "$debian/lib/systemd/systemd" ] || die "no extracted systemd guest packages in $debian: run 'make setup'"
[ -x "$busybox" ] || die "no arm64 busybox at $busybox: run 'make setup'"
kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
[ -e "$kbuild/.rpi-wdt-built" ] || die "no kernel build at $kbuild: run 'make kernel' first"
release=$(cat "$kbuild/include/config/kernel.release")
for binary in "$@"; do
	[ -x "$binary" ] || die "missing guest binary $binary"
done

start=$(date +%s)
log "assembling the systemd guest in $staging"
rm -rf "$staging"
mkdir -p "$(dirname "$output")"
cp -a "$debian" "$staging"
rm -rf "$staging"/usr/share/{doc,man,info,locale,lintian,bug} "$staging/usr/lib/aarch64-linux-gnu/gconv" \
	"$staging/lib/udev/hwdb.d"

# What the packages' maintainer scripts would have done, where this guest needs it: /var/run and /var/lock
# as links into /run (base-files), and no links to files that only a maintainer script creates
# (/etc/modules from kmod, /etc/sysctl.conf from procps): systemd-modules-load and systemd-sysctl would
# fail on them.
rm -rf "$staging/var/run" "$staging/var/lock"
ln -s ../run "$staging/var/run"
ln -s ../run/lock "$staging/var/lock"
while IFS= read -r -d '' link; do
	target=$(readlink "$link")
	case "$target" in
	/*) resolved="$staging$target" ;;
	*) resolved="$(dirname "$link")/$target" ;;
	esac
	if [ ! -e "$resolved" ]; then
		log "removing dangling link ${link#"$staging"} -> $target (made by a maintainer script on a real install)"
		rm "$link"
	fi
done < <(find "$staging/etc" -type l -print0)

mkdir -p "$staging"/{dev,proc,sys,run,tmp,root,usr/bin} "$staging/usr/libexec/rpi-wdt-tests"
chmod 1777 "$staging/tmp"
chmod 700 "$staging/root"
[ "$(readlink "$staging/bin/sh")" = dash ] ||
	die "the Debian tree's /bin/sh is not dash: SYSTEMD_GUEST_PACKAGES in scripts/setup.sh must have dash (then 'make setup')"
cp "$busybox" "$staging/bin/busybox"
ln -s lib/systemd/systemd "$staging/init"

for f in passwd group shadow shells profile rpi-wdt/welcome; do
	mkdir -p "$(dirname "$staging/etc/$f")"
	cp "$PROJECT_ROOT/board/common/rootfs/etc/$f" "$staging/etc/$f"
done
chmod 600 "$staging/etc/shadow"   # git keeps only the executable bit
cp -a "$PROJECT_ROOT/board/systemd/rootfs/." "$staging/"
cp "$PROJECT_ROOT"/tests/guest/scripts/*.sh "$staging/usr/libexec/rpi-wdt-tests/"

# The premise of the watchdog tests: systemd is told nothing but RuntimeWatchdogSec=30s.
[ -e "$staging/etc/initrd-release" ] && die "$staging/etc/initrd-release exists: systemd would run as an initrd"
settings=$(grep -Ev '^[[:space:]]*(#|;|$)' "$staging/etc/systemd/system.conf")
[ "$settings" = $'[Manager]\nRuntimeWatchdogSec=30s' ] ||
	die "/etc/systemd/system.conf must set only RuntimeWatchdogSec=30s, it has: $settings"
for d in etc/systemd/system.conf.d run/systemd/system.conf.d lib/systemd/system.conf.d usr/lib/systemd/system.conf.d \
	usr/local/lib/systemd/system.conf.d; do
	[ -z "$(ls -A "$staging/$d" 2>/dev/null)" ] || die "$d in the guest has drop-ins: system.conf would not be the only setting"
done

units="$staging/etc/systemd/system"
mkdir -p "$units/multi-user.target.wants" "$units/sysinit.target.wants" "$staging/etc/systemd/system-generators"
ln -s ../rpi-wdt-console@.service "$units/multi-user.target.wants/rpi-wdt-console@$console_tty.service"
ln -s ../rpi-wdt-busybox.service "$units/sysinit.target.wants/rpi-wdt-busybox.service"
for unit in "${MASKED_UNITS[@]}"; do
	[ -e "$staging/lib/systemd/system/$unit" ] || die "masked unit $unit is not in the Debian tree (renamed?): update MASKED_UNITS"
	ln -s /dev/null "$units/$unit"
done
for generator in "${MASKED_GENERATORS[@]}"; do
	[ -e "$staging/lib/systemd/system-generators/$generator" ] ||
		die "masked generator $generator is not in the Debian tree (renamed?): update MASKED_GENERATORS"
	ln -s /dev/null "$staging/etc/systemd/system-generators/$generator"
done

# The kernel's modules and rpi_wdt, as scripts/rootfs.sh installs them.
mkdir -p "$staging/lib/modules"
cp -a "$kbuild/modules-install/lib/modules/$release" "$staging/lib/modules/"
rm -f "$staging/lib/modules/$release"/{build,source}
bash "$PROJECT_ROOT/scripts/driver.sh" install "$staging" >/dev/null
depmod -b "$staging" "$release" || die "depmod failed for $release"
grep -q 'rpi_wdt' "$staging/lib/modules/$release/modules.alias" ||
	die "modules.alias has no rpi_wdt entry: udev could not load the driver"

for binary in "$@"; do
	cp "$binary" "$staging/usr/bin/"
done

# Every ELF's program interpreter and NEEDED libraries must be in the tree, searched as ld.so does without
# an ld.so.cache: the object's RUNPATH (with $ORIGIN), then the multiarch and plain library directories. A
# library beside the object also counts: systemd's private libraries are loaded by their parent's RUNPATH.
missing=()
while IFS= read -r -d '' f; do
	[ "$(head -c4 "$f")" = $'\x7fELF' ] || continue
	headers=$(aarch64-linux-gnu-readelf -dlW "$f" 2>/dev/null) || continue
	interp=$(sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p' <<<"$headers")
	if [ -n "$interp" ] && [ ! -e "$staging$interp" ]; then missing+=("${f#"$staging"}: interpreter $interp"); fi
	origin=$(dirname "${f#"$staging"}")
	runpath=$(sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]$/\2/p' <<<"$headers" | sed "s|\\\$ORIGIN|$origin|g; s|:| |g")
	while IFS= read -r lib; do
		found=
		for dir in $runpath "$origin" /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib /usr/lib; do
			if [ -e "$staging$dir/$lib" ]; then found=1; break; fi
		done
		[ -n "$found" ] || missing+=("${f#"$staging"}: $lib")
	done < <(sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' <<<"$headers")
done < <(find "$staging" -type f -not -path "$staging/lib/modules/*" \( -perm -u+x -o -name '*.so*' \) -print0)
[ "${#missing[@]}" = 0 ] ||
	die "libraries missing from the guest: ${missing[*]} (link that program statically, or add the package that ships the library to SYSTEMD_GUEST_PACKAGES in scripts/setup.sh)"

log "packing $output"
pack_initramfs "$staging" "$output"
log "systemd guest: $(du -sm "$staging" | cut -f1) MiB unpacked, $(( $(stat -c %s "$output") / 1048576 )) MiB packed, in $(( $(date +%s) - start )) s"
rm -rf "$staging"
echo "$output"

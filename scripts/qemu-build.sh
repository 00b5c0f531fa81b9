#!/usr/bin/env bash
# Builds qemu-system-aarch64 with the project's model patches (board/qemu/patches/: the PM watchdog's
# countdown and its qtest, the DS1338's write, clock halt and battery, raspi4b's I2C interrupt), from
# Debian's own source package of the QEMU version installed from bookworm-backports, cached outside the
# clone and keyed by that version, the patches and the device list. Only the aarch64 system target, the
# raspi machines' devices (board/qemu/rpi-wdt-devices.mak) and the features the tests need (user-mode
# networking for usb-net, FDT) are built, and the model's qtest, which must pass.
#   qemu-build.sh build   build if needed, print the binary
#   qemu-build.sh path    print the binary if it is built (nothing otherwise)
#   qemu-build.sh check   run the model's qtest and QEMU's checkpatch on each patch (TAP)
source "$(dirname "$0")/lib.sh"

MESON_VERSION=1.5.0
# The devices built (the raspi machines, the DS1338, usb-net), in place of every board's.
DEVICES=$PROJECT_ROOT/board/qemu/rpi-wdt-devices.mak

qemu_version() {
	dpkg-query -W -f='${Version}' qemu-system-arm 2>/dev/null || die "qemu-system-arm is not installed: run 'make setup'"
}

build_dir() {
	local key
	key=$( { qemu_version; cat "$PROJECT_ROOT"/board/qemu/patches/*.patch "$DEVICES"; echo "$MESON_VERSION"; } | sha256sum | cut -c1-12)
	echo "$RPI_WDT_CACHE/qemu-model/$(qemu_version | tr ':~+' '___')-$key"
}

# The model's qtest (patch 0002), run at build time so that a broken model never reaches the tests.
QTEST=tests/qtest/bcm2835-powermgt-test

run_qtest() { # DIR: prints the qtest's TAP
	(cd "$1/build" && QTEST_QEMU_BINARY=./qemu-system-aarch64 "./$QTEST" --tap -k)
}

# make test's view of the model: its qtest again, and each patch clean under QEMU's checkpatch.pl.
check() {
	local dir n=0 failed=0 patch out
	dir=$(build_dir)
	[ -e "$dir/.built" ] || die "the watchdog model is not built: run 'make qemu-build'"
	result() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - qemu-model/$2"; else echo "not ok $n - qemu-model/$2"; failed=$((failed + 1)); sed 's/^/#   /' <<<"$3"; fi; }
	out=$(run_qtest "$dir" 2>&1)
	result $? qtest_bcm2835_powermgt "$out"
	grep -E '^(not )?ok ' <<<"$out" | sed 's/^/#   /'
	for patch in "$PROJECT_ROOT"/board/qemu/patches/*.patch; do
		out=$(cd "$dir/src" && perl scripts/checkpatch.pl --no-tree "$patch" 2>&1)
		grep -q 'total: 0 errors, 0 warnings' <<<"$out"
		result $? "checkpatch_clean/$(basename "$patch" .patch | cut -c1-4)" "$out"
	done
	echo "# qemu-model: $((n - failed)) passed, $failed failed"
	[ "$failed" = 0 ]
}

binary() {
	echo "$(build_dir)/build/qemu-system-aarch64"
}

build() {
	local dir version upstream tarball src start
	dir=$(build_dir)
	if [ -x "$dir/build/qemu-system-aarch64" ] && [ -e "$dir/.built" ]; then
		log "patched QEMU: reusing $dir"
		binary
		return
	fi
	version=$(qemu_version)
	upstream=${version#*:}; upstream=${upstream%%-*}
	start=$(date +%s)
	mkdir -p "$DOWNLOADS"
	tarball="$DOWNLOADS/qemu_${upstream}.orig.tar.xz"
	if [ ! -e "$tarball" ]; then
		log "downloading Debian's QEMU source $version (orig tarball, hash-checked by apt against bookworm-backports)"
		(cd "$DOWNLOADS" && apt-get source -qq --download-only --tar-only "qemu=$version") ||
			die "could not download the source of qemu=$version: is deb-src for bookworm-backports configured? run 'make setup'"
	fi

	local venv="$RPI_WDT_CACHE/qemu-build-venv"
	if ! "$venv/bin/python3" -c "import mesonbuild, sys; from mesonbuild import coredata; sys.exit(coredata.version != '$MESON_VERSION')" 2>/dev/null; then
		log "installing meson $MESON_VERSION for QEMU's build (Debian 12's meson is too old)"
		rm -rf "$venv"
		python3 -m venv "$venv" || die "python3 -m venv failed"
		"$venv/bin/pip" install -q "meson==$MESON_VERSION" pycotap || die "pip install meson==$MESON_VERSION failed"
	fi

	rm -rf "$dir"
	mkdir -p "$dir"
	log "extracting and patching QEMU $upstream"
	tar -C "$dir" -xf "$tarball"
	src=$(ls -d "$dir"/qemu-*/)
	mv "$src" "$dir/src"
	for patch in "$PROJECT_ROOT"/board/qemu/patches/*.patch; do
		patch -d "$dir/src" -p1 --quiet < "$patch" || die "$(basename "$patch") does not apply to QEMU $upstream"
	done
	# Debian's +ds tarball drops the firmware blobs; do not try to unpack them (not a QEMU change: a
	# consequence of building from the repacked tarball).
	sed -i 's/^\( *\)unpack_edk2_blobs = bzip2.found()/\1unpack_edk2_blobs = false/' "$dir/src/meson.build"
	grep -q 'unpack_edk2_blobs = bzip2.found()' "$dir/src/meson.build" && die "could not turn off the edk2 blob unpacking in meson.build"

	cp "$DEVICES" "$dir/src/configs/devices/aarch64-softmmu/rpi-wdt.mak"

	log "configuring (aarch64 system emulator, raspi machines only) and building with ninja (about 4-5 minutes on 2 cores)"
	mkdir -p "$dir/build"
	(cd "$dir/build" && "$dir/src/configure" --python="$venv/bin/python3" --target-list=aarch64-softmmu \
		--without-default-features --without-default-devices --with-devices-aarch64=rpi-wdt \
		--enable-slirp --enable-fdt=system --enable-tcg \
		--disable-docs --disable-tools --disable-user --disable-werror --disable-install-blobs \
		--disable-download --with-pkgversion=rpi-wdt-model >"$dir/configure.log" 2>&1) ||
		{ tail -n 30 "$dir/configure.log" >&2; die "QEMU configure failed (log: $dir/configure.log)"; }
	ninja -C "$dir/build" -j"$(jobs_for_make)" qemu-system-aarch64 >"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log" >&2; die "QEMU build failed (log: $dir/build.log)"; }
	"$dir/build/qemu-system-aarch64" --version | grep -q rpi-wdt-model || die "the built QEMU does not identify as rpi-wdt-model"
	log "building and running the watchdog model's qtest ($QTEST)"
	ninja -C "$dir/build" -j"$(jobs_for_make)" "$QTEST" >>"$dir/build.log" 2>&1 ||
		{ tail -n 30 "$dir/build.log" >&2; die "the qtest's build failed (log: $dir/build.log)"; }
	run_qtest "$dir" >"$dir/qtest.log" 2>&1 ||
		{ cat "$dir/qtest.log" >&2; die "the watchdog model fails its qtest (above): fix board/qemu/patches/ before any test uses it"; }
	echo $(( $(date +%s) - start )) > "$dir/.build-seconds"
	touch "$dir/.built"
	log "patched QEMU built in $(cat "$dir/.build-seconds") s"
	binary
}

case "${1:-}" in
build) build ;;
path) [ -e "$(build_dir)/.built" ] && binary || true ;;
check) check ;;
*) die "usage: $0 build | path | check" ;;
esac

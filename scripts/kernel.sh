#!/usr/bin/env bash
# Builds the arm64 kernel (Image, modules, DTBs) from allnoconfig plus the board fragments, with the
# project's kernel patch series (board/linux/patches/, the Rust watchdog abstraction) applied, in a build
# tree cached outside the clone and keyed by kernel version, patches, fragments and toolchain versions: a
# second run with the same inputs reuses the tree and does nothing.
#   kernel.sh build       configure (if new) and build
#   kernel.sh dir         print the build tree for the current inputs (it may not exist yet)
#   kernel.sh source      print the patched source tree (made from the extracted source if missing)
# Two configurations, chosen by RPI_WDT_KERNEL, each in its own cached tree:
#   test (the default)  linux.fragment + linux-test.fragment: the one kernel every QEMU test boots, with
#                       the debug options built in; the reliability suite turns the costly ones on from
#                       the command line
#   bench               linux.fragment + linux-bench.fragment: the product configuration (as Buildroot
#                       builds it) plus what make bench's C comparisons need; only make bench builds it,
#                       so that its sizes, latencies and boot time are a product kernel's
source "$(dirname "$0")/lib.sh"

case "${RPI_WDT_KERNEL:-test}" in
test) FRAGMENTS=("$PROJECT_ROOT/board/common/linux.fragment" "$PROJECT_ROOT/board/common/linux-test.fragment") ;;
bench) FRAGMENTS=("$PROJECT_ROOT/board/common/linux.fragment" "$PROJECT_ROOT/board/common/linux-bench.fragment") ;;
*) die "RPI_WDT_KERNEL is '$RPI_WDT_KERNEL': it names the kernel configuration, 'test' (the default) or 'bench'" ;;
esac
[ -z "${KERNEL_VARIANT:-}" ] || die "KERNEL_VARIANT is gone: the one test kernel has the debug options" \
	"(board/common/linux-test.fragment); the reliability suite turns them on at boot"

PATCHES=("$PROJECT_ROOT"/board/linux/patches/*.patch)

patches_key() {
	cat "${PATCHES[@]}" | sha256sum | cut -c1-12
}

kernel_build_dir() {
	local src version key
	src=$(kernel_src_dir)
	version=$(basename "$src")
	key=$( { cat "${FRAGMENTS[@]}"; echo "$version"; patches_key; "$KERNEL_RUSTC" --version;
		"$BINDGEN" --version 2>&1; "${CROSS_COMPILE}gcc" --version | head -n1; } | sha256sum | cut -c1-12)
	echo "$RPI_WDT_CACHE/kernel-build/$version-$key"
}

# The extracted source with the patch series applied, in its own tree keyed by the series: a hard-linked
# copy of the pristine tree in which every file a patch touches is first replaced by a real copy, so the
# pristine tree (which other scripts read) never changes. Older patched trees are removed.
patched_src_dir() {
	local src dir tmp patch file
	src=$(kernel_src_dir)
	dir="$src-patched-$(patches_key)"
	if [ -e "$dir/.rpi-wdt-patched" ]; then
		echo "$dir"
		return
	fi
	log "applying the kernel patch series (${#PATCHES[@]} patches from board/linux/patches/) to a copy of $(basename "$src")"
	tmp="$dir.tmp-$$"
	rm -rf "$src"-patched-*
	cp -al "$src" "$tmp"
	for patch in "${PATCHES[@]}"; do
		for file in $(sed -n 's|^+++ b/||p' "$patch"); do
			if [ -f "$tmp/$file" ]; then cp "$tmp/$file" "$tmp/$file.unlink" && mv "$tmp/$file.unlink" "$tmp/$file"; fi
		done
		patch -d "$tmp" -p1 --batch --forward --quiet < "$patch" >&2 ||
			die "kernel patch $(basename "$patch") does not apply to $(basename "$src"): refresh it against this kernel version"
	done
	touch "$tmp/.rpi-wdt-patched"
	mv "$tmp" "$dir"
	echo "$dir"
}

configure() {
	local out=$1 src=$2
	log "configuring: allnoconfig + ${FRAGMENTS[*]##*/}"
	# shellcheck disable=SC2046
	make -s -C "$src" O="$out" $(kernel_make_args) allnoconfig
	(cd "$out" && KCONFIG_CONFIG=.config "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${FRAGMENTS[@]}" >/dev/null)
	# shellcheck disable=SC2046
	make -s -C "$src" O="$out" $(kernel_make_args) olddefconfig
	# Every option the fragments set must be in the final .config exactly as requested.
	if ! "$PROJECT_ROOT/board/linux/check-fragments.sh" "$out/.config" "${FRAGMENTS[@]}" 2>"$out/config-mismatch.txt"; then
		cat "$out/config-mismatch.txt" >&2
		grep -q CONFIG_RUST "$out/config-mismatch.txt" &&
			warn "CONFIG_RUST was dropped: the kernel did not find a usable Rust toolchain; run 'make setup' and read its 'make rustavailable' output"
		die "requested kernel options did not survive olddefconfig (listed above; full config: $out/.config)"
	fi
	log "configuration verified: every fragment option survived"
}

build() {
	local src out start
	src=$(patched_src_dir)
	out=$(kernel_build_dir)
	if [ -e "$out/.rpi-wdt-built" ]; then
		log "kernel: reusing cached build $out"
		return
	fi
	mkdir -p "$out"
	[ -e "$out/.config" ] && "$PROJECT_ROOT/board/linux/check-fragments.sh" "$out/.config" "${FRAGMENTS[@]}" 2>/dev/null ||
		configure "$out" "$src"
	start=$(date +%s)
	log "building Image, modules and DTBs with -j$(jobs_for_make) in $out (about 11 minutes on 2 cores the first time)"
	# shellcheck disable=SC2046
	make -s -C "$src" O="$out" $(kernel_make_args) -j"$(jobs_for_make)" Image modules dtbs ||
		die "kernel build failed (log above; build tree $out)"
	rm -rf "$out/modules-install"
	# shellcheck disable=SC2046
	make -s -C "$src" O="$out" $(kernel_make_args) INSTALL_MOD_PATH="$out/modules-install" modules_install
	echo $(( $(date +%s) - start )) > "$out/.rpi-wdt-build-seconds"
	touch "$out/.rpi-wdt-built"
	log "kernel built in $(cat "$out/.rpi-wdt-build-seconds") s: $out/arch/arm64/boot/Image"
}

case "${1:-}" in
build) build ;;
dir) kernel_build_dir ;;
source) patched_src_dir ;;
*) die "usage: $0 build|dir|source" ;;
esac

#!/usr/bin/env bash
# Builds the project's kernel modules, one folder each under driver/ (rpi_wdt, maxim_rtc), against
# the project's kernel build tree.
#   driver.sh build [MODULE...]   build (incrementally) and print each .ko path (default: all)
#   driver.sh install DIR         install them all under DIR/lib/modules/<release>/updates/
#   driver.sh reference           build the in-tree C drivers the Rust ones are compared with, as
#                                 external modules from the same (patched) tree, and print their
#                                 paths: drivers/watchdog/bcm2835_wdt.c, drivers/rtc/rtc-ds1307.c,
#                                 and drivers/base/regmap/regmap-i2c.c, which rtc-ds1307 needs (the
#                                 kernel has regmap's core, REGMAP_BUILD in linux-test.fragment, but
#                                 nothing in it selects regmap-i2c). The differential test and
#                                 make bench use them.
# The modules' objects live inside that kernel build tree (make MO=), so a different kernel build
# never reuses them: a module built against another kernel configuration loads with a wrong struct
# module layout (seen as "[permanent]" in lsmod, rmmod failing with EBUSY).
source "$(dirname "$0")/lib.sh"

MODULES=(rpi_wdt maxim_rtc)

kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
[ -e "$kbuild/.rpi-wdt-built" ] || die "no kernel build at $kbuild: run 'make kernel' first"

module_make() { # module make-args...
	local out="$kbuild/project-modules/$1"
	mkdir -p "$out"
	# shellcheck disable=SC2046
	make -s -C "$kbuild" $(kernel_make_args) M="$PROJECT_ROOT/driver/$1" MO="$out" "${@:2}"
}

case "${1:-}" in
build)
	shift
	for module in "${@:-${MODULES[@]}}"; do
		[ -d "$PROJECT_ROOT/driver/$module" ] || die "no module '$module': the modules are ${MODULES[*]}"
		module_make "$module" modules || die "$module build failed (errors above)"
		echo "$kbuild/project-modules/$module/$module.ko"
	done
	;;
install)
	[ -n "${2:-}" ] || die "usage: $0 install DIR"
	for module in "${MODULES[@]}"; do
		module_make "$module" INSTALL_MOD_PATH="$2" modules_install
	done
	;;
reference)
	ref="$kbuild/c-reference"
	src=$(bash "$PROJECT_ROOT/scripts/kernel.sh" source)
	mkdir -p "$ref"
	cp "$src/drivers/watchdog/bcm2835_wdt.c" "$src/drivers/rtc/rtc-ds1307.c" \
		"$src/drivers/base/regmap/regmap-i2c.c" "$src/drivers/base/regmap/internal.h" "$ref/"
	echo 'obj-m := bcm2835_wdt.o rtc-ds1307.o regmap-i2c.o' > "$ref/Kbuild"
	# shellcheck disable=SC2046
	make -s -C "$kbuild" $(kernel_make_args) M="$ref" modules || die "the C reference drivers' build failed (errors above)"
	for ko in bcm2835_wdt rtc-ds1307 regmap-i2c; do echo "$ref/$ko.ko"; done
	;;
*) die "usage: $0 build [MODULE...] | install DIR | reference" ;;
esac

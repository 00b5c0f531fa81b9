#!/usr/bin/env bash
# Builds the rpi_wdt module against the project's kernel build tree.
#   driver.sh build            build (incrementally) and print the .ko path
#   driver.sh install DIR      install it under DIR/lib/modules/<release>/updates/
#   driver.sh reference        build the in-tree C driver drivers/watchdog/bcm2835_wdt.c as an external
#                              module from the same (patched) tree and print its path: the reference
#                              the differential test and make bench compare rpi_wdt with
# The module's objects live inside that kernel build tree (make MO=), so a different kernel build never
# reuses them: a module built against another kernel configuration loads with a wrong struct module
# layout (seen as "[permanent]" in lsmod, rmmod failing with EBUSY).
source "$(dirname "$0")/lib.sh"

kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
[ -e "$kbuild/.rpi-wdt-built" ] || die "no kernel build at $kbuild: run 'make kernel' first"
out="$kbuild/rpi-wdt-module"

module_make() {
	# shellcheck disable=SC2046
	make -s -C "$kbuild" $(kernel_make_args) M="$PROJECT_ROOT/driver" MO="$out" "$@"
}

case "${1:-}" in
build)
	mkdir -p "$out"
	module_make modules || die "rpi_wdt build failed (errors above)"
	echo "$out/rpi_wdt.ko"
	;;
install)
	[ -n "${2:-}" ] || die "usage: $0 install DIR"
	module_make INSTALL_MOD_PATH="$2" modules_install
	;;
reference)
	ref="$kbuild/bcm2835-wdt-reference"
	mkdir -p "$ref"
	cp "$(bash "$PROJECT_ROOT/scripts/kernel.sh" source)/drivers/watchdog/bcm2835_wdt.c" "$ref/"
	echo 'obj-m := bcm2835_wdt.o' > "$ref/Kbuild"
	# shellcheck disable=SC2046
	make -s -C "$kbuild" $(kernel_make_args) M="$ref" modules || die "bcm2835_wdt.c build failed (errors above)"
	echo "$ref/bcm2835_wdt.ko"
	;;
*) die "usage: $0 build | install DIR | reference" ;;
esac

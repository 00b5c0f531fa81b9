#!/usr/bin/env bash
# Builds the overlays and the DTB QEMU boots for a board:
#   1. dts/rpi-wdt.dtso and dts/rpi-rtc.dtso -> out/*.dtbo (dtc -@, as the Pi firmware expects overlays);
#   2. the board's mainline DTB from the kernel build, copied; on raspi4b the nodes QEMU cannot model
#      are disabled in the copy (board/<board>/board.env lists their compatibles);
#   3. the overlays applied with fdtoverlay, as the firmware applies dtoverlay= on a board, and the
#      RTC's compatible set to the chip QEMU models (board.env's RTC_COMPATIBLE, the overlay's parameter).
# Usage: dtb.sh overlay [NAME] | dtb.sh board BOARD | dtb.sh bare BOARD  (prints the output path)
#   bare: step 2 only, without the overlay: the board as the in-tree drivers see it (the differential
#   test boots it to run the C bcm2835_wdt on the PM block's own watchdog device)
#   twice: the overlay's node and a second one over the same registers, without power-off (the test
#   that two instances register side by side, as watchdog0 and watchdog1)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/board.sh"

OUT="$PROJECT_ROOT/out"

# The project's overlays, each applied to every board.
OVERLAYS=(rpi-wdt rpi-rtc)

# Every output is written to a temporary file of its own beside it and renamed over it when complete:
# each boot runs this script, guests boot at once (make test's lanes, two `make qemu`), and a DTB or
# overlay rewritten in place could be read half-written, or its temporary taken by another run.
scratch() { # FILE: prints a new temporary path beside FILE
	mktemp "$(dirname "$1")/.$(basename "$1").XXXXXX"
}
publish() { # TMP FILE
	chmod 0644 "$1"
	mv -f "$1" "$2"
}

build_overlay() { # [name]
	local name=${1:-rpi-wdt}
	[ -e "$PROJECT_ROOT/dts/$name.dtso" ] || die "no overlay dts/$name.dtso (overlays: ${OVERLAYS[*]})"
	local tmp
	mkdir -p "$OUT"
	tmp=$(scratch "$OUT/$name.dtbo")
	dtc -q -@ -I dts -O dtb -o "$tmp" "$PROJECT_ROOT/dts/$name.dtso" || { rm -f "$tmp"; die "dtc failed on dts/$name.dtso"; }
	publish "$tmp" "$OUT/$name.dtbo"
	echo "$OUT/$name.dtbo"
}

# Disables every node whose compatible matches one of the glob patterns.
disable_nodes() {
	local dtb=$1 patterns=$2 node compat pattern disabled=0
	while IFS= read -r node; do
		compat=$(fdtget -t s "$dtb" "$node" compatible 2>/dev/null) || continue
		for pattern in $patterns; do
			# shellcheck disable=SC2053
			for c in $compat; do
				if [[ $c == $pattern ]]; then
					fdtput -t s "$dtb" "$node" status disabled
					disabled=$((disabled + 1))
					continue 3
				fi
			done
		done
	done < <(list_nodes "$dtb" /)
	log "disabled $disabled nodes QEMU does not model"
}

list_nodes() {
	local dtb=$1 path=$2 child
	echo "$path"
	for child in $(fdtget -l "$dtb" "$path" 2>/dev/null); do
		list_nodes "$dtb" "${path%/}/$child"
	done
}

build_board() {
	local board=$1 overlay=${2:-yes} kbuild src out tmp applied
	load_board "$board"
	kbuild=$(bash "$PROJECT_ROOT/scripts/kernel.sh" dir)
	src="$kbuild/arch/arm64/boot/dts/$BOARD_DTB"
	[ -e "$src" ] || die "no $src: run 'make kernel' first"
	mkdir -p "$OUT/$board"
	out="$OUT/$board/$(basename "$BOARD_DTB" .dtb)-qemu.dtb"
	[ "$overlay" = yes ] || out="${out%.dtb}-bare.dtb"
	tmp=$(scratch "$out")
	cp "$src" "$tmp"
	[ -z "$DTB_DISABLE_COMPATIBLES" ] || disable_nodes "$tmp" "$DTB_DISABLE_COMPATIBLES"
	if [ "$overlay" = yes ]; then
		local dtbos=() name
		for name in "${OVERLAYS[@]}"; do dtbos+=("$(build_overlay "$name")"); done
		applied=$(scratch "$out")
		fdtoverlay -i "$tmp" -o "$applied" "${dtbos[@]}" ||
			{ rm -f "$tmp" "$applied"; die "fdtoverlay could not apply ${OVERLAYS[*]} to $src"; }
		rm -f "$tmp"
		tmp=$applied
		# The firmware's dtoverlay=rpi-rtc,<chip>: the chip QEMU models.
		fdtput -t s "$tmp" /soc/i2c@7e804000/rtc@68 compatible "$RTC_COMPATIBLE"
	fi
	publish "$tmp" "$out"
	echo "$out"
}

case "${1:-}" in
overlay) build_overlay "${2:-}" ;;
board) build_board "${2:?usage: $0 board BOARD}" ;;
bare) build_board "${2:?usage: $0 bare BOARD}" no ;;
twice)
	one=$(build_board "${2:?usage: $0 twice BOARD}")
	two="${one%.dtb}-twice.dtb"
	tmp=$(scratch "$two")
	cp "$one" "$tmp"
	node=/soc/watchdog-second@7e10001c
	fdtput -c "$tmp" "$node"
	fdtput -t s "$tmp" "$node" compatible rpi-rust-wdt,bcm2835-pm-wdt
	fdtput -t x "$tmp" "$node" reg 7e10001c c
	publish "$tmp" "$two"
	echo "$two"
	;;
*) die "usage: $0 overlay [NAME] | board BOARD | bare BOARD | twice BOARD" ;;
esac

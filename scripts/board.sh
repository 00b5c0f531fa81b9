# shellcheck shell=bash
# Sourced after lib.sh: load_board BOARD reads board/BOARD/board.env, the one place a board's DTBs,
# firmware files, Buildroot names and QEMU machine are named, or dies naming the boards there are.

# The boards there are, one per board/*/board.env.
known_boards() {
	local envs=("$PROJECT_ROOT"/board/*/board.env) env
	for env in "${envs[@]}"; do basename "$(dirname "$env")"; done | paste -sd' '
}

load_board() {
	local board=${1:-} env="$PROJECT_ROOT/board/${1:-}/board.env"
	[ -n "$board" ] && [ -e "$env" ] || die "unknown board '$board' (boards: $(known_boards))"
	# shellcheck disable=SC1090
	source "$env"
	local var
	for var in BOARD_DTBS BOARD_DTB FIRMWARE_FILES BR_BOARD BR_DEFCONFIG QEMU_MACHINE KERNEL_CMDLINE; do
		[ -n "${!var:-}" ] || die "$env does not set $var"
	done
}

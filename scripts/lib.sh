# shellcheck shell=bash
# Shared settings for the build scripts: where things live, which versions are used, how to log.
# Sourced, never run. Every path that outlives a clone lives under $RPI_WDT_CACHE.

set -euo pipefail

PROJECT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RPI_WDT_CACHE=${RPI_WDT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rpi-rust-wdt}

# Toolchain pins. Debian 12's rustc-web is the only rustc here with library sources (rust-web-src);
# rustup's rustc comes first on PATH and must never reach the kernel build.
KERNEL_SERIES=7.3
BINDGEN_VERSION=0.73.2
KERNEL_RUSTC=/usr/bin/rustc
LIBCLANG_PATH=/usr/lib/llvm-19/lib
CROSS_COMPILE=aarch64-linux-gnu-
BINDGEN="$RPI_WDT_CACHE/bindgen-$BINDGEN_VERSION/bin/bindgen"

# labgrid for the HIL runner's labgrid: targets and the local board-farm test: a virtual environment per
# version of the pinned requirements (setup_labgrid in scripts/setup.sh).
LABGRID_REQUIREMENTS="$PROJECT_ROOT/tests/hil/labgrid/requirements.txt"
LABGRID_VENV="$RPI_WDT_CACHE/labgrid-venv-$(sha256sum "$LABGRID_REQUIREMENTS" | cut -c1-12)"

KERNEL_SRC_ROOT="$RPI_WDT_CACHE/linux-source"
DOWNLOADS="$RPI_WDT_CACHE/downloads"

export LIBCLANG_PATH

log()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The kernel source tree that setup extracted (one directory per Debian package version).
kernel_src_dir() {
	local current="$KERNEL_SRC_ROOT/current"
	[ -e "$current/Makefile" ] || die "no kernel source under $current: run 'make setup' first"
	readlink -f "$current"
}

# Arguments every kernel make invocation needs (config, build, M= module builds).
kernel_make_args() {
	printf '%s\n' ARCH=arm64 "CROSS_COMPILE=$CROSS_COMPILE" "RUSTC=$KERNEL_RUSTC" \
		"RUSTDOC=${KERNEL_RUSTC%/*}/rustdoc" "BINDGEN=$BINDGEN" "HOSTRUSTC=$KERNEL_RUSTC"
}

jobs_for_make() {
	echo $(( $(nproc) + 1 ))
}

# Waits up to SECONDS for a line matching PATTERN (a grep regex) in FILE, which may not exist yet. With
# PID, stops waiting as soon as that process has exited. Returns 1 if the line did not come.
await_line() { # FILE PATTERN SECONDS [PID]
	local deadline=$((SECONDS + $3))
	until grep -q -- "$2" "$1" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		[ -z "${4:-}" ] || kill -0 "$4" 2>/dev/null || { grep -q -- "$2" "$1" 2>/dev/null; return; }
		sleep 0.1
	done
}

sha256_of() {
	cat "$@" | sha256sum | cut -c1-16
}

# TAP output of the shell check scripts (check-binding, check-image, check-br-external), which test.sh
# counts: tap_check STATUS NAME [DETAIL] prints "ok N - NAME" when STATUS is 0, otherwise "not ok N - NAME"
# and DETAIL as comment lines; tap_summary LABEL prints the counts and fails if any check failed.
tap_n=0 tap_failed=0
tap_check() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
		[ -z "${3:-}" ] || sed '/^$/d; s/^/#   /' <<<"$3"
	fi
}
tap_summary() {
	echo "# $1: $((tap_n - tap_failed)) passed, $tap_failed failed"
	[ "$tap_failed" = 0 ]
}

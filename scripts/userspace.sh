#!/usr/bin/env bash
# Cross-builds wdtctl as a static aarch64 binary (crt-static: .cargo/config.toml) with Debian's rustc and
# its aarch64 std (libstd-rust-web-dev:arm64), and collects what the build generated:
#   out/wdtctl/wdtctl                       the binary (for the QEMU rootfs, the SD image, scp to a board)
#   out/wdtctl/completions/{wdtctl.bash,_wdtctl,wdtctl.fish}
#   out/wdtctl/man/wdtctl.1
# Prints the binary's path.
source "$(dirname "$0")/lib.sh"

target=aarch64-unknown-linux-gnu
target_dir="$PROJECT_ROOT/target/cross"
out="$PROJECT_ROOT/out/wdtctl"
[ -d "/usr/lib/rustlib/$target" ] || die "no aarch64 Rust std for $KERNEL_RUSTC: run 'make setup' (libstd-rust-web-dev:arm64)"

(cd "$PROJECT_ROOT" && RUSTC="$KERNEL_RUSTC" \
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
	cargo build --quiet --release --locked -p wdtctl --target "$target" --target-dir "$target_dir") ||
	die "wdtctl cross build failed (errors above)"

binary="$target_dir/$target/release/wdtctl"
file "$binary" | grep -q 'ARM aarch64.*statically linked' || die "$binary is not a static aarch64 executable"
generated=$(ls -td "$target_dir/$target/release/build"/wdtctl-*/out | head -n1)
rm -rf "$out"
mkdir -p "$out"
cp "$binary" "$out/wdtctl"
cp -r "$generated/completions" "$generated/man" "$out/"
echo "$out/wdtctl"

#!/usr/bin/env bash
# Builds the QEMU root filesystem (scripts/rootfs.sh) as a cpio initramfs (scripts/cpio.sh).
# Usage: initramfs.sh OUTPUT [EXTRA_BINARY...]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cpio.sh"

output=$(realpath -m "${1:?usage: $0 OUTPUT [EXTRA_BINARY...]}")
shift
staging="$output.staging"
bash "$PROJECT_ROOT/scripts/rootfs.sh" "$staging" "$@"
pack_initramfs "$staging" "$output"
rm -rf "$staging"
echo "$output"

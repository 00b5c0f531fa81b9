#!/usr/bin/env bash
# Builds the QEMU root filesystem (scripts/rootfs.sh) as a gzip'd cpio initramfs.
# Usage: initramfs.sh OUTPUT [EXTRA_BINARY...]
source "$(dirname "$0")/lib.sh"

output=$(realpath -m "${1:?usage: $0 OUTPUT [EXTRA_BINARY...]}")
shift
staging="$output.staging"
bash "$PROJECT_ROOT/scripts/rootfs.sh" "$staging" "$@"
(cd "$staging" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner=0:0 --quiet) | gzip -6 > "$output.tmp"
mv "$output.tmp" "$output"
rm -rf "$staging"
echo "$output"

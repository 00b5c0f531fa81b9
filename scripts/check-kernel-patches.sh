#!/usr/bin/env bash
# Checks the project's kernel patch series (board/linux/patches/) by the kernel's own rules, offline.
# Prints one TAP line per check:
#   every patch is clean under the kernel's scripts/checkpatch.pl --strict (0 errors, warnings, checks)
#   every patch carries a subject, a commit message and a Signed-off-by line
#   every Rust file the series adds or changes is formatted with the kernel's .rustfmt.toml
#   every unsafe block the series adds has a SAFETY comment right above it (checkpatch checks the same
#     for C-style "// SAFETY:"; this counts them for the Rust files as a whole)
# The series is applied by scripts/kernel.sh source (the same tree the kernel is built from).
source "$(dirname "$0")/lib.sh"
set +e  # every check runs and reports

src=$(bash "$PROJECT_ROOT/scripts/kernel.sh" source) || die "could not apply the kernel patch series"

for patch in "$PROJECT_ROOT"/board/linux/patches/*.patch; do
	name=$(basename "$patch" .patch)
	# Debian's python3 first: checkpatch runs scripts/spdxcheck.py, which needs python3-ply.
	out=$(cd "$src" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --no-tree --quiet "$patch" 2>&1)
	[ -z "$out" ]; tap_check $? "kernel-patches/$name/checkpatch_strict_clean" "$out"

	message=$(sed -n '/^Subject:/,/^---$/p' "$patch")
	lines=$(grep -cv '^\(Subject:\|---\|Signed-off-by:\|\s*\)$' <<<"$message")
	grep -q '^Signed-off-by: .* <.*@.*>$' <<<"$message" && [ "$lines" -ge 3 ]
	tap_check $? "kernel-patches/$name/message_and_sign_off" "subject, at least two lines of message and a Signed-off-by are needed"
done

rust_files=$(sed -n 's|^+++ b/\(.*\.rs\)$|\1|p' "$PROJECT_ROOT"/board/linux/patches/*.patch | sort -u)
unformatted=""
for file in $rust_files; do
	rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" "$src/$file" >/dev/null 2>&1 ||
		unformatted+="$file: run rustfmt --config-path .rustfmt.toml $file in the kernel tree"$'\n'
done
[ -n "$rust_files" ] && [ -z "$unformatted" ]
tap_check $? "kernel-patches/rust_files_formatted_with_the_kernel_rustfmt_toml" "${unformatted:-no Rust file in the series}"

missing=""
for file in $rust_files; do
	# Every line opening an unsafe block or impl needs a "// SAFETY:" comment in the lines above it,
	# after the previous statement.
	missing+=$(awk -v f="$file" '
		/\/\/ SAFETY:/ { safety = NR }
		/^[[:space:]]*\/\/\// { next }
		/unsafe \{|unsafe impl/ {
			if (safety == 0 || NR - safety > 12) printf "%s:%d: unsafe without a SAFETY comment\n", f, NR
			safety = 0
		}' "$src/$file")
done
[ -z "$missing" ]; tap_check $? "kernel-patches/every_unsafe_block_has_a_safety_comment" "$missing"

tap_summary kernel-patches

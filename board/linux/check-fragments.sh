#!/bin/sh
# Checks that every option the kernel configuration fragments set survived the configuration:
# olddefconfig silently drops an option whose dependencies are not met (CONFIG_RUST, when the kernel
# finds no usable Rust toolchain, is the usual one). The one check for scripts/kernel.sh and for the
# Buildroot tree's fragment-check hook (buildroot-external/linux/linux-ext-fragment-check.mk).
#
#   check-fragments.sh CONFIG FRAGMENT...
#
# Prints each option that did not survive, as "FRAGMENT: CONFIG_X=y: got '...'", and exits 1 if there
# is one; exits 2 on a usage or file error.
set -u

[ $# -ge 2 ] || { echo "usage: $0 CONFIG FRAGMENT..." >&2; exit 2; }
config=$1
shift
[ -r "$config" ] || { echo "$0: cannot read the configuration $config" >&2; exit 2; }

bad=0
# An option requested off must not be y or m.
check_off() {
	if grep -Eq "^$2=(y|m)$" "$config"; then
		echo "$1: $2 is requested off, but the configuration has $(grep "^$2=" "$config")" >&2
		bad=1
	fi
}

for frag in "$@"; do
	[ -r "$frag" ] || { echo "$0: cannot read the fragment $frag" >&2; exit 2; }
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		CONFIG_*=n)
			check_off "$frag" "${line%%=*}" ;;
		"# CONFIG_"*" is not set")
			name=${line#\# }
			check_off "$frag" "${name%% *}" ;;
		CONFIG_*=*)
			if ! grep -qxF -- "$line" "$config"; then
				name=${line%%=*}
				got=$(grep -E "^(# )?$name[= ]" "$config" || echo absent)
				echo "$frag: $line did not survive: got '$got'" >&2
				bad=1
			fi ;;
		esac
	done < "$frag"
done
exit $bad

#!/usr/bin/env bash
# Checks that the Buildroot external tree holds together, without Buildroot (CI cannot fetch it; its
# own utils/check-package checks style, see buildroot-external/README.md). Prints one TAP line per check:
#   each defconfig forces hash checks, names only files that exist, enables the project's packages,
#     boots with dtoverlay=rpi-wdt, and its kernel tarball has a sha256 line in patches/linux/linux.hash
#   that tarball is the version of the kernel the project builds and tests
#   the license hashes in linux.hash match that kernel's source
#   its kernel gets the project's kernel patch series (board/linux/patches/, the Rust watchdog
#     abstraction), the same files scripts/kernel.sh applies, through BR2_LINUX_KERNEL_PATCH, and no
#     patch in the global patch directory shadows them
#   every package's Config.in is sourced from the tree's Config.in, every package has its .mk; a package
#     that downloads has a .hash file
#   each board's board/BOARD/board.env names a defconfig and board directory the tree has, with the
#     same DTBs
#   the kernel's fragment-check hook runs board/linux/check-fragments.sh (the check scripts/kernel.sh
#     runs too), and that script passes a kept configuration and names each dropped option
source "$(dirname "$0")/lib.sh"
set +e  # every check runs and reports, whatever the previous one did

tree="$PROJECT_ROOT/buildroot-external"
hashes="$tree/patches/linux/linux.hash"

result() { tap_check "$1" "br-external/$2" "${3:-}"; } # result STATUS NAME [DETAIL]

# The value of SYMBOL in a defconfig, without quotes.
value() { sed -n "s/^$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p" "$1"; }

# The kernel tarball a defconfig downloads, as Buildroot names it.
kernel_tarball() {
	local location version
	location=$(value "$1" BR2_LINUX_KERNEL_CUSTOM_TARBALL_LOCATION)
	version=$(value "$1" BR2_LINUX_KERNEL_CUSTOM_VERSION_VALUE)
	if [ -n "$location" ]; then basename "$location"; elif [ -n "$version" ]; then echo "linux-$version.tar.xz"; fi
}

src=$(kernel_src_dir)
kernel_version=$(make -s -C "$src" kernelversion 2>/dev/null)

# Each board's board.env names its defconfig and board directory, and the DTBs the image carries.
source "$PROJECT_ROOT/scripts/board.sh"
for board in $(known_boards); do
	(
		load_board "$board"
		defconfig="$tree/configs/$BR_DEFCONFIG"
		[ -e "$defconfig" ] && [ -d "$tree/board/$BR_BOARD" ] || exit 1
		[ "$(value "$defconfig" BR2_LINUX_KERNEL_INTREE_DTS_NAME)" = "$BOARD_DTBS" ] || exit 2
		case " $BOARD_DTBS " in *" ${BOARD_DTB%.dtb} "*) ;; *) exit 3 ;; esac
		grep -q "/board/$BR_BOARD/config.txt\"$" "$defconfig" || exit 4
	)
	case $? in
	0) result 0 "$board/board_env_matches_the_defconfig" ;;
	1) result 1 "$board/board_env_matches_the_defconfig" "board/$board/board.env names a defconfig or board directory the tree lacks" ;;
	2) result 1 "$board/board_env_matches_the_defconfig" "board/$board/board.env's BOARD_DTBS differ from its defconfig's BR2_LINUX_KERNEL_INTREE_DTS_NAME" ;;
	3) result 1 "$board/board_env_matches_the_defconfig" "board/$board/board.env's BOARD_DTB is not one of its BOARD_DTBS" ;;
	*) result 1 "$board/board_env_matches_the_defconfig" "the defconfig does not take config.txt from the board directory board/BOARD/board.env names" ;;
	esac
done

for defconfig in "$tree"/configs/*_defconfig; do
	name=$(basename "$defconfig" _defconfig)

	grep -qx 'BR2_DOWNLOAD_FORCE_CHECK_HASHES=y' "$defconfig"; result $? "$name/hash_checks_forced"

	missing=""
	for path in $(grep -o '\$(BR2_EXTERNAL_RPI_WDT_PATH)[^" ]*' "$defconfig" | sort -u); do
		[ -e "$tree${path#'$(BR2_EXTERNAL_RPI_WDT_PATH)'}" ] || missing+="$path does not exist"$'\n'
	done
	[ -z "$missing" ]; result $? "$name/named_files_exist" "$missing"

	absent=""
	for symbol in $(sed -n 's/^config \(BR2_PACKAGE_[A-Z0-9_]*\)$/\1/p' "$tree"/package/*/Config.in); do
		grep -qx "$symbol=y" "$defconfig" || absent+="$symbol is not enabled"$'\n'
	done
	[ -z "$absent" ]; result $? "$name/project_packages_enabled" "$absent"

	config_txt=$(value "$defconfig" BR2_PACKAGE_RPI_FIRMWARE_CONFIG_FILE)
	config_txt="$tree${config_txt#'$(BR2_EXTERNAL_RPI_WDT_PATH)'}"
	grep -qx 'dtoverlay=rpi-wdt' "$config_txt" 2>/dev/null; result $? "$name/config_txt_loads_the_overlay" "no 'dtoverlay=rpi-wdt' line in $config_txt"
	grep -Eqx 'dtoverlay=rpi-rtc(,ds3231|,ds1338|,ds1307)?' "$config_txt" 2>/dev/null
	result $? "$name/config_txt_loads_the_rtc_overlay" "no 'dtoverlay=rpi-rtc[,chip]' line in $config_txt"

	patch_dir=$(value "$defconfig" BR2_LINUX_KERNEL_PATCH)
	patch_dir=$(realpath -m "$tree${patch_dir#'$(BR2_EXTERNAL_RPI_WDT_PATH)'}")
	series=("$PROJECT_ROOT"/board/linux/patches/*.patch)
	[ "$patch_dir" = "$(realpath "$PROJECT_ROOT/board/linux/patches")" ] && [ -e "${series[0]}" ] &&
		! ls "$tree"/patches/linux/*.patch >/dev/null 2>&1
	result $? "$name/kernel_gets_the_patch_series" \
		"BR2_LINUX_KERNEL_PATCH is '$patch_dir'; expected the series scripts/kernel.sh applies, $PROJECT_ROOT/board/linux/patches (${#series[@]} patches), and no *.patch in patches/linux/"

	tarball=$(kernel_tarball "$defconfig")
	grep -Eq "^sha256 +[0-9a-f]{64} +${tarball//./\\.}$" "$hashes"
	result $? "$name/kernel_tarball_has_a_hash" "no 'sha256 <hash> ${tarball:-?}' line in $hashes"

	tarball_version=$(sed -n 's/^linux[-_]\([0-9][0-9.]*[0-9]\)\(\.orig\)\{0,1\}\.tar\..*/\1/p' <<<"$tarball")
	[ -n "$kernel_version" ] && [ "$tarball_version" = "$kernel_version" ]
	result $? "$name/kernel_is_the_tested_version" \
		"the defconfig builds '${tarball_version:-?}', the project builds and tests '${kernel_version:-?}'"
done

mismatch=""
while read -r algo hash file; do
	case "$file" in linux[-_]*.tar.*) continue ;; esac
	actual=$(sha256sum "$src/$file" 2>/dev/null | cut -d' ' -f1)
	[ "$algo" = sha256 ] && [ "$actual" = "$hash" ] || mismatch+="$file: listed $hash, the kernel source has ${actual:-no such file}"$'\n'
done < <(grep -E '^sha256 ' "$hashes")
[ -z "$mismatch" ]; result $? "linux_license_hashes_match_the_kernel_source" "$mismatch"

problems=""
for dir in "$tree"/package/*/; do
	pkg=$(basename "$dir")
	# A host package pulled in only as a dependency (rust-src) has no Config.in of its own.
	if [ -f "$dir/Config.in" ] && ! grep -q "package/$pkg/Config.in\"" "$tree/Config.in"; then
		problems+="$pkg: its Config.in is not sourced from the tree's Config.in"$'\n'
	fi
	[ -f "$dir/$pkg.mk" ] || problems+="$pkg: no $pkg.mk"$'\n'
	if ! grep -q '_SITE_METHOD = local' "$dir/$pkg.mk" 2>/dev/null && [ ! -f "$dir/$pkg.hash" ]; then
		problems+="$pkg: downloads its source but has no $pkg.hash"$'\n'
	fi
done
[ -z "$problems" ]; result $? "packages_complete" "$problems"

# The fragment check: the kernel hook runs the project's script, and the script catches what
# olddefconfig drops. It is tried on a configuration where one option survived, one was dropped, one
# requested off is on, and one requested off is off.
hook="$tree/linux/linux-ext-fragment-check.mk"
grep -q '$(BR2_EXTERNAL_RPI_WDT_PATH)/../board/linux/check-fragments.sh' "$hook"
result $? "fragment_check_is_the_projects_script" "$hook does not run board/linux/check-fragments.sh"
check="$PROJECT_ROOT/board/linux/check-fragments.sh"
work=$(mktemp -d)
printf 'CONFIG_RUST=y\nCONFIG_KUNIT=y\n# CONFIG_MODVERSIONS is not set\n' > "$work/kept.fragment"
printf 'CONFIG_RUST=y\nCONFIG_HWMON=y\nCONFIG_SWAP=n\n' > "$work/dropped.fragment"
printf 'CONFIG_RUST=y\nCONFIG_KUNIT=y\n# CONFIG_HWMON is not set\nCONFIG_SWAP=y\n' > "$work/.config"
"$check" "$work/.config" "$work/kept.fragment" 2>"$work/kept.err"
result $? "fragment_check_passes_a_kept_configuration" "$(cat "$work/kept.err")"
"$check" "$work/.config" "$work/kept.fragment" "$work/dropped.fragment" 2>"$work/dropped.err"
[ $? = 1 ] && grep -q "dropped.fragment: CONFIG_HWMON=y did not survive: got '# CONFIG_HWMON is not set'" "$work/dropped.err" &&
	grep -q "dropped.fragment: CONFIG_SWAP is requested off, but the configuration has CONFIG_SWAP=y" "$work/dropped.err" &&
	[ "$(wc -l < "$work/dropped.err")" = 2 ]
result $? "fragment_check_names_each_dropped_option" "expected two lines (CONFIG_HWMON, CONFIG_SWAP), got: $(cat "$work/dropped.err")"
"$check" "$work/missing-config" "$work/kept.fragment" 2>/dev/null
[ $? = 2 ]; result $? "fragment_check_refuses_a_missing_configuration"
rm -rf "$work"

tap_summary br-external

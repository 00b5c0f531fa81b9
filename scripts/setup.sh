#!/usr/bin/env bash
# Installs and prepares everything the build needs, idempotently:
#   1. Debian 12 packages (cross compilers, Debian's rustc-web with its library sources, libclang 19, dtc,
#      QEMU 10 from bookworm-backports and what building it from source needs, the arm64 Rust std for
#      userspace cross builds);
#   2. the Linux source from Debian's trixie-backports linux-source-7.3 package: downloaded and extracted
#      through a private apt state, never installed (nothing from that suite touches this host's apt);
#   3. busybox-static for arm64 (downloaded, extracted: it is the guest's shell, not the host's), and for the
#      systemd guest Debian's systemd, udev, kmod and dash for arm64 with their dependency closure (same);
#   4. bindgen-cli, pinned, with cargo install --locked, into the cache;
#   5. labgrid, pinned with its hashes (tests/hil/labgrid/requirements.txt), into a virtual environment in
#      the cache, for the HIL runner's labgrid: targets and the local board-farm test;
#   6. the kernel's own `make rustavailable`, the proof that the kernel accepts this Rust toolchain.
# Each step prints what it does; a failure stops with the name of the missing piece.
source "$(dirname "$0")/lib.sh"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root to run: $* (install sudo or run 'make setup' as root)"
	fi
}

BUILD_PACKAGES=(
	make gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
	flex bison bc libssl-dev libelf-dev cpio kmod xz-utils zstd file
	device-tree-compiler rustc-web rust-web-src libclang1-19
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross python3-venv
	ninja-build pkg-config libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev
	openssh-client lld-19 genimage mtools dosfstools e2fsprogs fdisk patch python3-ply python3-git
)
ARM64_PACKAGES=(libstd-rust-web-dev:arm64)
BACKPORTS_PACKAGES=(qemu-system-arm)
BACKPORTS_LIST=/etc/apt/sources.list.d/rpi-rust-wdt-bookworm-backports.sources

missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

setup_apt() {
	. /etc/os-release
	[ "${VERSION_CODENAME:-}" = bookworm ] ||
		warn "this project is verified on Debian 12 (bookworm); this host is ${PRETTY_NAME:-unknown}"

	local need_update=0
	if [ ! -e "$BACKPORTS_LIST" ]; then
		log "adding apt suite bookworm-backports (for QEMU 10 with raspi3b/raspi4b): $BACKPORTS_LIST"
		as_root tee "$BACKPORTS_LIST" >/dev/null <<-LIST
		Types: deb deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm-backports
		Components: main non-free-firmware
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		LIST
		need_update=1
	fi
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "adding dpkg architecture arm64 (for the aarch64 Rust std used by userspace cross builds)"
		as_root dpkg --add-architecture arm64
		need_update=1
	fi

	local missing missing_bpo
	missing=$(missing_packages "${BUILD_PACKAGES[@]}" "${ARM64_PACKAGES[@]}")
	missing_bpo=$(missing_packages "${BACKPORTS_PACKAGES[@]}")
	if [ -z "$missing$missing_bpo" ]; then
		log "Debian packages: all present"
		return
	fi
	if [ "$need_update" = 1 ] || [ -n "$missing$missing_bpo" ]; then
		log "apt-get update"
		as_root apt-get update -qq || die "apt-get update failed: check network access to deb.debian.org"
	fi
	if [ -n "$missing" ]; then
		log "installing:" $missing
		# shellcheck disable=SC2086
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing ||
			die "apt-get install failed for: $missing"
	fi
	if [ -n "$missing_bpo" ]; then
		log "installing from bookworm-backports:" $missing_bpo
		# shellcheck disable=SC2086
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-t bookworm-backports $missing_bpo ||
			die "apt-get install -t bookworm-backports failed for: $missing_bpo"
	fi
}

# apt-get with a private state directory that knows only one suite and component. Used to download,
# never install: the host's apt never sees it.
private_apt() {
	local suite=$1 component=$2 dir="$RPI_WDT_CACHE/apt/$1-$2"; shift 2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	cat > "$dir/sources.list" <<-LIST
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite $component
	LIST
	apt-get -q -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o APT::Sandbox::User=root "$@"
}

setup_kernel_source() {
	if [ -e "$KERNEL_SRC_ROOT/current/Makefile" ]; then
		log "kernel source: $(readlink -f "$KERNEL_SRC_ROOT/current")"
		return
	fi
	local pkg="linux-source-$KERNEL_SERIES"
	log "downloading $pkg from trixie-backports (private apt state; not installed)"
	mkdir -p "$DOWNLOADS"
	private_apt trixie-backports main update -qq >/dev/null ||
		die "could not read the trixie-backports index: check network access to deb.debian.org"
	(cd "$DOWNLOADS" && private_apt trixie-backports main download "$pkg") ||
		die "could not download $pkg from trixie-backports"
	local deb version tmp
	deb=$(ls -t "$DOWNLOADS/${pkg}"_*.deb | head -n1)
	version=$(dpkg-deb -f "$deb" Version)
	tmp="$KERNEL_SRC_ROOT/.extract-$$"
	rm -rf "$tmp"; mkdir -p "$tmp"
	log "extracting $pkg $version"
	dpkg-deb -x "$deb" "$tmp/deb"
	tar -C "$tmp" -xf "$tmp/deb/usr/src/$pkg.tar.xz" || die "could not unpack $pkg.tar.xz"
	[ -e "$tmp/$pkg/Makefile" ] || die "unexpected layout in $deb: no $pkg/Makefile"
	rm -rf "${KERNEL_SRC_ROOT:?}/${version:?}"
	mv "$tmp/$pkg" "$KERNEL_SRC_ROOT/$version"
	rm -rf "$tmp"
	ln -sfn "$version" "$KERNEL_SRC_ROOT/current"
	log "kernel source: $KERNEL_SRC_ROOT/$version"
}

setup_busybox() {
	local dir="$RPI_WDT_CACHE/busybox-arm64"
	if [ -x "$dir/bin/busybox" ]; then
		log "busybox (arm64): $dir/bin/busybox"
		return
	fi
	log "downloading busybox-static:arm64 (guest shell; not installed on the host)"
	mkdir -p "$DOWNLOADS"
	(cd "$DOWNLOADS" && apt-get -q -o APT::Sandbox::User=root download busybox-static:arm64) ||
		die "could not download busybox-static:arm64 (is the arm64 architecture added? run 'make setup')"
	rm -rf "$dir.tmp"
	dpkg-deb -x "$(ls -t "$DOWNLOADS"/busybox-static_*_arm64.deb | head -n1)" "$dir.tmp"
	file "$dir.tmp/bin/busybox" | grep -q 'aarch64.*statically linked' ||
		die "busybox-static:arm64 is not a static aarch64 binary"
	rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

# The guest's SSH server for the HIL runner in QEMU: Debian's dropbear and the arm64 libraries it links,
# downloaded and extracted (not installed on the host); the rootfs build copies what the binary needs.
DROPBEAR_PACKAGES=(dropbear-bin libc6 libcrypt1 libtomcrypt1 libtommath1 libgmp10 zlib1g)

setup_dropbear() {
	local dir="$RPI_WDT_CACHE/dropbear-arm64" p
	if [ -x "$dir/root/usr/sbin/dropbear" ]; then
		log "dropbear (arm64): $dir"
		return
	fi
	log "downloading dropbear and its libraries for arm64 (the guest's SSH server; not installed on the host)"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/debs"
	(cd "$dir.tmp/debs" && apt-get -q -o APT::Sandbox::User=root download "${DROPBEAR_PACKAGES[@]/%/:arm64}") ||
		die "could not download ${DROPBEAR_PACKAGES[*]} for arm64"
	for p in "$dir.tmp"/debs/*.deb; do dpkg-deb -x "$p" "$dir.tmp/root"; done
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

# The Raspberry Pi boot firmware for the offline SD image (make image): Debian's raspi-firmware, from
# bookworm's non-free-firmware component, downloaded and extracted (not installed on the host).
setup_raspi_firmware() {
	local dir="$RPI_WDT_CACHE/raspi-firmware"
	if [ -e "$dir/usr/lib/raspi-firmware/start4.elf" ]; then
		log "raspi-firmware: $dir"
		return
	fi
	log "downloading raspi-firmware from bookworm non-free-firmware (private apt state; not installed)"
	mkdir -p "$DOWNLOADS"
	private_apt bookworm non-free-firmware update -qq >/dev/null ||
		die "could not read bookworm's non-free-firmware index: check network access to deb.debian.org"
	(cd "$DOWNLOADS" && private_apt bookworm non-free-firmware -o APT::Sandbox::User=root download raspi-firmware) ||
		die "could not download raspi-firmware"
	rm -rf "$dir.tmp"
	dpkg-deb -x "$(ls -t "$DOWNLOADS"/raspi-firmware_*_all.deb | head -n1)" "$dir.tmp"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

# The systemd guest (scripts/systemd-rootfs.sh): Debian 12's systemd as PID 1 (systemd-sysv gives /sbin/init
# and the poweroff/reboot links), udev (module autoload by modalias, through libkmod), kmod, dash (Debian's
# /bin/sh, the console's shell: busybox's ash would run its own poweroff, reboot and modprobe applets instead
# of systemd's and kmod's) and base-files (os-release, the directory skeleton), for arm64, with their whole
# dependency closure.
SYSTEMD_GUEST_PACKAGES=(systemd systemd-sysv udev kmod dash base-files)

# apt-get for an arm64 Debian 12 system that does not exist yet: a private state that knows only bookworm,
# bookworm-updates and bookworm-security for arm64, and an empty dpkg status. apt's own resolver then
# computes the full dependency closure of what is asked for (alternatives and virtual packages resolved
# once, as on a real install; Essential packages are not added unless something depends on them), and
# downloads it hash-checked. Used to download, never to install: the host's apt and dpkg never see it.
guest_apt() {
	local dir="$RPI_WDT_CACHE/apt/bookworm-arm64-guest"
	mkdir -p "$dir/lists/partial" "$dir/cache" "$dir/dpkg"
	: > "$dir/dpkg/status"
	cat > "$dir/sources.list" <<-LIST
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
	LIST
	apt-get -q -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Dir::State::status="$dir/dpkg/status" -o Dir::State::extended_states="$dir/extended_states" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o APT::Architecture=arm64 -o APT::Architectures=arm64 \
		-o APT::Install-Recommends=false -o APT::Install-Suggests=false \
		-o APT::Sandbox::User=root "$@"
}

setup_systemd_guest() {
	local dir="$RPI_WDT_CACHE/systemd-arm64" tmp start deb count debs_kb root_kb
	if [ -x "$dir/root/lib/systemd/systemd" ] && [ "$(cat "$dir/request" 2>/dev/null)" = "${SYSTEMD_GUEST_PACKAGES[*]}" ]; then
		log "systemd guest (arm64): $dir/root ($(wc -l < "$dir/packages.txt") packages)"
		return
	fi
	start=$(date +%s)
	log "downloading ${SYSTEMD_GUEST_PACKAGES[*]} for arm64 with their dependency closure (private apt state, empty dpkg status; not installed on the host)"
	guest_apt update -qq --error-on=any >/dev/null ||
		die "could not read the bookworm, bookworm-updates and bookworm-security arm64 indexes: check network access to deb.debian.org (apt's proxy settings in /etc/apt/apt.conf.d apply)"
	tmp="$dir.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp/debs/partial"
	guest_apt -o Dir::Cache::archives="$tmp/debs/" install --download-only -y -qq "${SYSTEMD_GUEST_PACKAGES[@]}" >/dev/null ||
		die "could not download the arm64 closure of ${SYSTEMD_GUEST_PACKAGES[*]} (apt's message above): check network access to deb.debian.org; 'unmet dependencies' or 'unable to locate' means a name in SYSTEMD_GUEST_PACKAGES (scripts/setup.sh) is wrong for bookworm"
	rm -rf "$tmp/debs/partial" "$tmp/debs/lock"
	count=0
	for deb in "$tmp"/debs/*.deb; do
		[ -e "$deb" ] || die "apt downloaded no packages into $tmp/debs"
		dpkg-deb -x "$deb" "$tmp/root" || die "could not extract $deb"
		printf '%s %s %s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
			"$(dpkg-deb -f "$deb" Architecture)" "$(stat -c %s "$deb")" >> "$tmp/packages.txt"
		count=$((count + 1))
	done
	file -L "$tmp/root/lib/systemd/systemd" | grep -q 'ARM aarch64' ||
		die "the extracted tree has no aarch64 /lib/systemd/systemd: check $tmp/packages.txt"
	echo "${SYSTEMD_GUEST_PACKAGES[*]}" > "$tmp/request"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	debs_kb=$(du -sk "$dir/debs" | cut -f1)
	root_kb=$(du -sk "$dir/root" | cut -f1)
	log "systemd guest (arm64): $count packages, $((debs_kb / 1024)) MiB of .debs, $((root_kb / 1024)) MiB extracted in $dir/root, in $(( $(date +%s) - start )) s (list: $dir/packages.txt)"
}

# The key the HIL runner logs in to QEMU guests with (their /root/.ssh/authorized_keys).
setup_hil_key() {
	local key="$RPI_WDT_CACHE/hil/id_ed25519"
	[ -e "$key" ] && return
	mkdir -p "$(dirname "$key")"
	ssh-keygen -q -t ed25519 -N '' -C rpi-wdt-hil -f "$key" || die "ssh-keygen failed"
	log "HIL ssh key for QEMU guests: $key"
}

setup_bindgen() {
	if [ -x "$BINDGEN" ] && "$BINDGEN" --version | grep -q "$BINDGEN_VERSION"; then
		log "bindgen: $("$BINDGEN" --version)"
		return
	fi
	log "installing bindgen-cli $BINDGEN_VERSION with cargo install --locked (about 2 minutes)"
	cargo install --quiet --locked --version "=$BINDGEN_VERSION" --root "$(dirname "$(dirname "$BINDGEN")")" \
		bindgen-cli || die "cargo install bindgen-cli $BINDGEN_VERSION failed"
}

DTSCHEMA_VERSION=2026.9

setup_dtschema() {
	local venv="$RPI_WDT_CACHE/dtschema-venv"
	if "$venv/bin/python" -c "import dtschema, sys; sys.exit(dtschema.__version__ != '$DTSCHEMA_VERSION')" 2>/dev/null; then
		log "dtschema: $DTSCHEMA_VERSION"
		return
	fi
	log "installing dtschema $DTSCHEMA_VERSION from PyPI into $venv (validates the overlay binding)"
	rm -rf "$venv"
	python3 -m venv "$venv" || die "python3 -m venv failed (is python3-venv installed?)"
	"$venv/bin/pip" install -q "dtschema==$DTSCHEMA_VERSION" || die "pip install dtschema==$DTSCHEMA_VERSION failed"
}

setup_labgrid() {
	if [ -e "$LABGRID_VENV/.installed" ]; then
		log "labgrid: $("$LABGRID_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("labgrid"))') in $LABGRID_VENV"
		return
	fi
	log "installing labgrid from $LABGRID_REQUIREMENTS (pinned, with hashes) into $LABGRID_VENV"
	rm -rf "$LABGRID_VENV"
	python3 -m venv "$LABGRID_VENV" || die "python3 -m venv failed (is python3-venv installed?)"
	"$LABGRID_VENV/bin/pip" install -q --disable-pip-version-check --require-hashes --only-binary=:all: \
		-r "$LABGRID_REQUIREMENTS" ||
		die "pip install of labgrid failed: check network access to PyPI; a hash or 'no matching distribution' error means this host is not CPython 3.11 on x86_64 (see $LABGRID_REQUIREMENTS)"
	touch "$LABGRID_VENV/.installed"
}

check_rustavailable() {
	local src
	src=$(kernel_src_dir)
	log "checking the kernel accepts this Rust toolchain: make rustavailable"
	[ -d /usr/lib/rustlib/src/rust/library ] || [ -d "$("$KERNEL_RUSTC" --print sysroot)/lib/rustlib/src/rust/library" ] ||
		die "Rust library sources missing: install rust-web-src (apt-get install rust-web-src)"
	# shellcheck disable=SC2046
	make -s -C "$src" $(kernel_make_args) O="$RPI_WDT_CACHE/rustavailable-check" rustavailable ||
		die "the kernel rejects the Rust toolchain (rustc $KERNEL_RUSTC, bindgen $BINDGEN, libclang $LIBCLANG_PATH): see the message above"
}

mkdir -p "$RPI_WDT_CACHE"
log "cache: $RPI_WDT_CACHE"
setup_apt
setup_kernel_source
setup_busybox
setup_dropbear
setup_raspi_firmware
setup_systemd_guest
setup_hil_key
setup_bindgen
setup_dtschema
setup_labgrid
check_rustavailable
log "setup complete"

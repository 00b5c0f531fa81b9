# rpi-rust-wdt: a Rust watchdog driver for the Raspberry Pi 3 and 4, its overlay, tools and tests.
#
#   make run     boot the emulated Pi 3 with the driver and show it working (the main job)
#   make test    run every test: host, binding, and QEMU system tests on Pi 3 and Pi 4
#
# Everything a target needs is built first; `make setup` (run implicitly, once) installs the toolchain.
# Heavy artefacts (kernel source and build, bindgen, dtschema) are cached in $(RPI_WDT_CACHE).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
BOARD ?= rpi3
RPI_WDT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rpi-rust-wdt
export RPI_WDT_CACHE

OUT := out
INITRAMFS := $(OUT)/initramfs.cpio
SETUP_STAMP := $(RPI_WDT_CACHE)/stamps/setup-$(shell cat scripts/setup.sh scripts/lib.sh tests/hil/labgrid/requirements.txt | sha256sum | cut -c1-16)
GUEST_BINS = $(OUT)/wdtctl/wdtctl $(OUT)/guest/rpi-wdt-abi-check $(OUT)/guest/rpi-wdt-abi-check32 \
	$(OUT)/guest/rpi-wdt-run-as $(OUT)/guest/watchdog-test $(OUT)/guest/rpi-wdt-reliability $(OUT)/guest/rpi-wdt-bench \
	$(OUT)/guest/rpi-rtc-check $(OUT)/guest/rpi-rtc-fuzz

.PHONY: help setup kernel driver overlay dtbs guest userspace qemu-build fixture rootfs systemd-rootfs image images qemu run hil bench test test-host systest clean distclean

help:
	@sed -n 's/^#   //p' Makefile
	@echo "other targets: setup kernel driver overlay dtbs guest userspace qemu-build fixture rootfs systemd-rootfs"
	@echo "               image BOARD=rpi3|rpi4 [SSH_KEY=~/.ssh/id_ed25519.pub] (out/rpi-wdt-BOARD-sdcard.img)"
	@echo "               qemu BOARD=rpi3|rpi4, hil TARGET=qemu:rpi3|qemu:rpi4|ssh://[user@]host[:port]|labgrid:PLACE [HIL_ARGS=...]"
	@echo "               bench, test-host, clean, distclean"

setup: $(SETUP_STAMP)
$(SETUP_STAMP): scripts/setup.sh scripts/lib.sh tests/hil/labgrid/requirements.txt
	bash scripts/setup.sh
	mkdir -p $(dir $@) && touch $@

kernel: setup
	bash scripts/kernel.sh build

driver: kernel
	bash scripts/driver.sh build

overlay: setup
	bash scripts/dtb.sh overlay

dtbs: kernel
	bash scripts/dtb.sh board rpi3
	bash scripts/dtb.sh board rpi4

guest: setup
	bash scripts/guest.sh

userspace: setup
	bash scripts/userspace.sh

qemu-build: setup
	bash scripts/qemu-build.sh build

rootfs: driver guest userspace
	bash scripts/initramfs.sh $(INITRAMFS) $(GUEST_BINS)

# The systemd guest (Debian 12's systemd as PID 1, RuntimeWatchdogSec=30s), for the systemd suite.
systemd-rootfs: driver guest userspace
	bash scripts/systemd-rootfs.sh $(OUT)/initramfs-systemd.cpio $(GUEST_BINS)

image: driver guest userspace
	bash scripts/image.sh $(BOARD) $(GUEST_BINS)

images: driver guest userspace
	bash scripts/image.sh rpi3 $(GUEST_BINS)
	bash scripts/image.sh rpi4 $(GUEST_BINS)

qemu: rootfs
	bash scripts/qemu.sh $(BOARD) $(INITRAMFS)

run:
	$(MAKE) --no-print-directory qemu BOARD=rpi3

systest: setup
	cargo build --release --quiet -p rpi-wdt-systest -p rpi-wdt-hil -p wdtctl

TARGET ?= qemu:rpi3
hil: rootfs systest
	./target/release/rpi-wdt-hil --target $(TARGET) $(HIL_ARGS)

fixture: setup
	bash scripts/fixture.sh

bench: systest qemu-build
	bash scripts/bench.sh

test: rootfs systemd-rootfs dtbs systest qemu-build fixture images
	bash scripts/test.sh

test-host: setup
	cargo test --workspace

clean:
	rm -rf $(OUT) target
	@[ ! -d "$$(bash scripts/kernel.sh dir 2>/dev/null)" ] || rm -rf "$$(bash scripts/kernel.sh dir)/rpi-wdt-module"

distclean: clean
	@echo "the kernel, toolchain and download cache stays in $(RPI_WDT_CACHE); remove it by hand to start over"

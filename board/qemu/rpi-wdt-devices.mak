# The devices the project's qemu-system-aarch64 is built with (configure --without-default-devices
# --with-devices-aarch64=rpi-wdt; scripts/qemu-build.sh copies this file to
# configs/devices/aarch64-softmmu/rpi-wdt.mak). Only what the tests and make run use: building every
# board QEMU knows takes about twice as long.
#
# raspi3b and raspi4b (RASPI selects the SoC peripherals: the PM block and its watchdog, PL011, SDHCI
# and the SD card, DWC2 USB, the BSC I2C controllers).
CONFIG_RASPI=y
# The SoCs also create or-irq gates, unimplemented-device regions and (BCM2711) a GIC-400, but QEMU
# 10.0's RASPI does not select them (every default build has them from other boards): without these
# the machines fail with "unknown type".
CONFIG_OR_IRQ=y
CONFIG_UNIMP=y
CONFIG_ARM_GIC=y
# The RTC on I2C1: -device ds1338,bus=i2c-bus.1,address=0x68 (board/*/board.env).
CONFIG_DS1338=y
# raspi3b's network for the HIL runner's SSH: -device usb-net with user-mode networking.
CONFIG_USB_NETWORK=y

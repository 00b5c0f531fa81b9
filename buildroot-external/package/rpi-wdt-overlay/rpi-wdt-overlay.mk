################################################################################
#
# rpi-wdt-overlay
#
################################################################################

RPI_WDT_OVERLAY_SITE = $(BR2_EXTERNAL_RPI_WDT_PATH)/../dts
RPI_WDT_OVERLAY_SITE_METHOD = local
RPI_WDT_OVERLAY_LICENSE = GPL-2.0 or BSD-2-Clause
RPI_WDT_OVERLAY_LICENSE_FILES = rpi-wdt.dtso
RPI_WDT_OVERLAY_DEPENDENCIES = host-dtc
RPI_WDT_OVERLAY_INSTALL_TARGET = NO
RPI_WDT_OVERLAY_INSTALL_IMAGES = YES

# -@ keeps the overlay's labels (__symbols__), as the Raspberry Pi firmware
# expects from overlays.
define RPI_WDT_OVERLAY_BUILD_CMDS
	$(HOST_DIR)/bin/dtc -@ -I dts -O dtb \
		-o $(@D)/rpi-wdt.dtbo $(@D)/rpi-wdt.dtso
endef

# The firmware loads overlays from overlays/ on the boot partition;
# board/common/post-image.sh puts rpi-firmware/overlays there.
define RPI_WDT_OVERLAY_INSTALL_IMAGES_CMDS
	$(INSTALL) -D -m 0644 $(@D)/rpi-wdt.dtbo \
		$(BINARIES_DIR)/rpi-firmware/overlays/rpi-wdt.dtbo
endef

$(eval $(generic-package))

################################################################################
#
# rpi-rtc-overlay
#
################################################################################

RPI_RTC_OVERLAY_SITE = $(BR2_EXTERNAL_RPI_WDT_PATH)/../dts
RPI_RTC_OVERLAY_SITE_METHOD = local
RPI_RTC_OVERLAY_LICENSE = GPL-2.0 or BSD-2-Clause
RPI_RTC_OVERLAY_LICENSE_FILES = rpi-rtc.dtso
RPI_RTC_OVERLAY_DEPENDENCIES = host-dtc
RPI_RTC_OVERLAY_INSTALL_TARGET = NO
RPI_RTC_OVERLAY_INSTALL_IMAGES = YES

# -@ keeps the overlay's labels (__symbols__), as the Raspberry Pi firmware
# expects from overlays, and its parameters refer to them.
define RPI_RTC_OVERLAY_BUILD_CMDS
	$(HOST_DIR)/bin/dtc -@ -I dts -O dtb \
		-o $(@D)/rpi-rtc.dtbo $(@D)/rpi-rtc.dtso
endef

define RPI_RTC_OVERLAY_INSTALL_IMAGES_CMDS
	$(INSTALL) -D -m 0644 $(@D)/rpi-rtc.dtbo \
		$(BINARIES_DIR)/rpi-firmware/overlays/rpi-rtc.dtbo
endef

$(eval $(generic-package))

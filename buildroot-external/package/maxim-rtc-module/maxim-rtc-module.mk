################################################################################
#
# maxim-rtc-module
#
################################################################################

# The driver sources live in the project next to this br2-external tree:
# Kbuild, the crate root maxim_rtc.rs and core/src, which maxim_rtc.rs
# includes with #[path] attributes.
MAXIM_RTC_MODULE_SITE = $(BR2_EXTERNAL_RPI_WDT_PATH)/../driver/maxim_rtc
MAXIM_RTC_MODULE_SITE_METHOD = local
MAXIM_RTC_MODULE_LICENSE = GPL-2.0
MAXIM_RTC_MODULE_LICENSE_FILES = maxim_rtc.rs

# rustc compiles the module (against the Rust crates of the kernel build).
MAXIM_RTC_MODULE_DEPENDENCIES = host-rustc

# The kernel's Rust tool variables, as linux-ext-rust.mk defines them.
MAXIM_RTC_MODULE_MODULE_MAKE_OPTS = $(RUST_KERNEL_MAKE_OPTS)

$(eval $(kernel-module))
$(eval $(generic-package))

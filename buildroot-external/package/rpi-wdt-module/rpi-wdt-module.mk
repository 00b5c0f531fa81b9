################################################################################
#
# rpi-wdt-module
#
################################################################################

# The driver sources live in the project next to this br2-external tree:
# Kbuild, the crate root rpi_wdt.rs and core/src, which rpi_wdt.rs
# includes with #[path] attributes.
RPI_WDT_MODULE_SITE = $(BR2_EXTERNAL_RPI_WDT_PATH)/../driver/rpi_wdt
RPI_WDT_MODULE_SITE_METHOD = local
RPI_WDT_MODULE_LICENSE = GPL-2.0
RPI_WDT_MODULE_LICENSE_FILES = rpi_wdt.rs

# rustc compiles the module (against the Rust crates of the kernel build).
RPI_WDT_MODULE_DEPENDENCIES = host-rustc

# The kernel's Rust tool variables, as linux-ext-rust.mk defines them. The
# kernel-module infrastructure already passes LINUX_MAKE_FLAGS, which
# contain them; they are repeated here so that the module build states what
# it needs.
RPI_WDT_MODULE_MODULE_MAKE_OPTS = $(RUST_KERNEL_MAKE_OPTS)

$(eval $(kernel-module))
$(eval $(generic-package))

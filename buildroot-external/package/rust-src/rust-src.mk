################################################################################
#
# rust-src
#
################################################################################

# The Rust standard library sources (the official "rust-src" component),
# which Rust for Linux compiles "core" from. Neither host-rust-bin nor
# host-rust installs them, so this installs the component of the same
# version as the host rustc into $(HOST_DIR)/lib/rustlib/src/rust, where
# that rustc's sysroot expects them.
ifeq ($(BR2_PACKAGE_HOST_RUST),y)
RUST_SRC_VERSION = $(RUST_VERSION)
else
RUST_SRC_VERSION = $(RUST_BIN_VERSION)
endif
RUST_SRC_SOURCE = rust-src-$(RUST_SRC_VERSION).tar.xz
RUST_SRC_SITE = https://static.rust-lang.org/dist
RUST_SRC_LICENSE = Apache-2.0 or MIT
RUST_SRC_LICENSE_FILES = LICENSE-APACHE LICENSE-MIT

define HOST_RUST_SRC_INSTALL_CMDS
	rm -rf $(HOST_DIR)/lib/rustlib/src/rust
	mkdir -p $(HOST_DIR)/lib/rustlib/src
	cp -dpfr $(@D)/rust-src/lib/rustlib/src/rust \
		$(HOST_DIR)/lib/rustlib/src/rust
endef

$(eval $(host-generic-package))

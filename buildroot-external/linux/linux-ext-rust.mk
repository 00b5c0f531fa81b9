################################################################################
#
# rust
#
################################################################################

# Rust support for the Linux kernel (CONFIG_RUST).
#
# The kernel's Kconfig evaluates RUST_IS_AVAILABLE by running
# scripts/rust_is_available.sh, which needs rustc, the Rust library sources
# matching that rustc ($(rustc --print sysroot)/lib/rustlib/src/rust/library),
# bindgen and libclang. If any of them is missing when Kconfig runs,
# olddefconfig drops CONFIG_RUST without an error. So these tools must be
# kconfig dependencies of the kernel, and the make variables that name them
# must reach the Kconfig invocations too.
#
# Why a linux extension: files matching linux/linux-ext-*.mk in a br2-external
# tree are included by linux/linux.mk itself, before it instantiates the
# kernel package. That is the only place where the kernel's
# LINUX_KCONFIG_DEPENDENCIES can still be extended; external.mk is included
# after linux.mk, too late.
#
# This extension is deliberately not added to LINUX_EXTENSIONS: that list
# names packages the kernel's patch step depends on and whose
# <NAME>_PREPARE_KERNEL hook patches the kernel tree. There is no target
# package called "rust" and nothing to patch.
#
# The LINUX_* assignments below set the linux package's variables from this
# file, which check-package reports as TypoInPackageVariable; the exception
# is recorded in the tree's .checkpackageignore.

ifeq ($(BR2_LINUX_KERNEL_EXT_RUST),y)

LINUX_KCONFIG_DEPENDENCIES += host-rustc host-rust-src host-rust-bindgen

# Make variables for every kernel make invocation: Kconfig, the build, and
# out-of-tree module builds (the kernel-module infrastructure passes
# LINUX_MAKE_FLAGS; rpi-wdt-module also passes these explicitly).
RUST_KERNEL_MAKE_OPTS = \
	RUSTC=$(HOST_DIR)/bin/rustc \
	HOSTRUSTC=$(HOST_DIR)/bin/rustc \
	BINDGEN=$(HOST_DIR)/bin/bindgen

LINUX_MAKE_FLAGS += $(RUST_KERNEL_MAKE_OPTS)

# bindgen loads libclang.so at run time; host-clang installs it there.
LINUX_MAKE_ENV += LIBCLANG_PATH=$(HOST_DIR)/lib

# Ask for CONFIG_RUST even if no configuration fragment does. The fixup
# commands are followed by olddefconfig, which keeps it only if the kernel
# accepts the toolchain above.
define RUST_KERNEL_ENABLE_CONFIG
	$(call KCONFIG_ENABLE_OPT,CONFIG_RUST)
endef
LINUX_KCONFIG_FIXUP_CMDS += $(sep)$(RUST_KERNEL_ENABLE_CONFIG)

define RUST_KERNEL_CHECK_CONFIG
	$(Q)if ! grep -q '^CONFIG_RUST=y$$' $(LINUX_DIR)/.config; then \
		echo "CONFIG_RUST=y did not survive the kernel configuration" \
			"($(LINUX_DIR)/.config): the kernel rejected the Rust" \
			"toolchain. 'make rustavailable' reports:" >&2; \
		$(LINUX_MAKE_ENV) $(BR2_MAKE) $(LINUX_MAKE_FLAGS) \
			-C $(LINUX_DIR) rustavailable >&2 || true; \
		exit 1; \
	fi
endef
LINUX_POST_CONFIGURE_HOOKS += RUST_KERNEL_CHECK_CONFIG

endif

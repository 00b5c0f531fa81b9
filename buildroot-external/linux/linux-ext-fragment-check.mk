################################################################################
#
# fragment-check
#
################################################################################

# Check that every option the kernel configuration fragments
# (BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES) set survived the configuration:
# olddefconfig silently drops options whose dependencies are not met. The
# check is the project's board/linux/check-fragments.sh, which
# scripts/kernel.sh runs on the kernels it builds, found next to this tree
# as the kernel patches and the fragment are.
#
# Like linux-ext-rust.mk, this only hooks into the kernel package (it is not
# in LINUX_EXTENSIONS and patches nothing); the LINUX_* assignment is recorded
# in the tree's .checkpackageignore (TypoInPackageVariable).
#
# It runs as a pre-build hook, after the configure step, so that the more
# specific CONFIG_RUST check of linux-ext-rust.mk (a post-configure hook)
# reports first.

ifeq ($(BR2_LINUX_KERNEL_EXT_FRAGMENT_CHECK),y)

define FRAGMENT_CHECK_KERNEL_CONFIG
	$(Q)$(BR2_EXTERNAL_RPI_WDT_PATH)/../board/linux/check-fragments.sh \
		$(LINUX_DIR)/.config $(LINUX_KCONFIG_FRAGMENT_FILES) || { \
		echo "Kernel configuration check failed (see above);" \
			"full configuration: $(LINUX_DIR)/.config" >&2; \
		exit 1; }
endef
LINUX_PRE_BUILD_HOOKS += FRAGMENT_CHECK_KERNEL_CONFIG

endif

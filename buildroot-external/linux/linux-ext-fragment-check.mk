################################################################################
#
# fragment-check
#
################################################################################

# Check that every option the kernel configuration fragments
# (BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES) set survived the configuration:
# olddefconfig silently drops options whose dependencies are not met.
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
	$(Q)bad=0; \
	for frag in $(LINUX_KCONFIG_FRAGMENT_FILES); do \
		while IFS= read -r line; do \
			case "$$line" in \
			CONFIG_*=n|"# CONFIG_"*" is not set") \
				name=$${line#\# }; name=$${name%%[= ]*}; \
				if grep -Eq "^$$name=(y|m)$$" $(LINUX_DIR)/.config; then \
					echo "$$frag: $$name is requested off but is on" >&2; \
					bad=1; \
				fi ;; \
			CONFIG_*=*) \
				if ! grep -qxF -- "$$line" $(LINUX_DIR)/.config; then \
					echo "$$frag: $$line did not survive the configuration" >&2; \
					bad=1; \
				fi ;; \
			esac; \
		done < "$$frag"; \
	done; \
	if [ $$bad -ne 0 ]; then \
		echo "Kernel configuration check failed (see above);" \
			"full configuration: $(LINUX_DIR)/.config" >&2; \
		exit 1; \
	fi
endef
LINUX_PRE_BUILD_HOOKS += FRAGMENT_CHECK_KERNEL_CONFIG

endif

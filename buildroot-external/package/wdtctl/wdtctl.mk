################################################################################
#
# wdtctl
#
################################################################################

# wdtctl is a member of the project's cargo workspace, whose Cargo.toml and
# Cargo.lock are at the project root, one level above this br2-external
# tree. The whole workspace is synced (cargo reads every member's manifest);
# the cargo infrastructure then builds and installs from userspace/, which
# builds the wdtctl package only.
WDTCTL_SITE = $(BR2_EXTERNAL_RPI_WDT_PATH)/..
WDTCTL_SITE_METHOD = local
WDTCTL_SUBDIR = userspace
WDTCTL_LICENSE = GPL-2.0
WDTCTL_LICENSE_FILES = userspace/Cargo.toml

# Not sources: the project's own build outputs, this br2-external tree, and
# Buildroot's output and download directories if they are inside the
# project (copying the output directory into itself would never end).
WDTCTL_PROJECT_DIR = $(realpath $(BR2_EXTERNAL_RPI_WDT_PATH)/..)
WDTCTL_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude /target --exclude /out --exclude /buildroot-external \
	$(patsubst $(WDTCTL_PROJECT_DIR)/%,--exclude /%, \
		$(filter $(WDTCTL_PROJECT_DIR)/%,$(BASE_DIR) $(DL_DIR)))

# A local package has no download step, so the cargo infrastructure's
# vendoring (a download post-process) never runs for it, and its
# "cargo build --offline" would find no crates. Vendor here instead, the way
# support/download/cargo-post-process does: "cargo vendor --locked" into
# VENDOR/ and the source replacement it prints into .cargo/config.toml.
# The crates are fetched into CARGO_HOME=$(BR_CARGO_HOME), inside DL_DIR:
# the first attempt works from that cache without network (offline builds,
# see the README), the second one downloads what is missing.
WDTCTL_VENDOR = \
	$(TARGET_MAKE_ENV) CARGO_HOME=$(BR_CARGO_HOME) \
	flock $(BR_CARGO_HOME)/.br-lock \
	cargo vendor --locked --manifest-path $(WDTCTL_SUBDIR)/Cargo.toml VENDOR

define WDTCTL_CONFIGURE_CMDS
	mkdir -p $(@D)/.cargo $(BR_CARGO_HOME)
	cd $(@D) && \
	if ! $(WDTCTL_VENDOR) --offline >.cargo/config.toml 2>/dev/null; then \
		$(WDTCTL_VENDOR) >.cargo/config.toml; \
	fi
endef

# build.rs renders completions (and a man page) into its OUT_DIR. The man
# page is not installed: target-finalize removes /usr/share/man.
define WDTCTL_INSTALL_COMPLETIONS
	out=$$(ls -td $(@D)/target/$(RUSTC_TARGET_NAME)/*/build/wdtctl-*/out \
		2>/dev/null | head -n 1); \
	if [ -z "$$out" ]; then \
		echo "wdtctl: no build script output found" >&2; \
		exit 1; \
	fi; \
	$(INSTALL) -D -m 0644 $$out/completions/wdtctl.bash \
		$(TARGET_DIR)/usr/share/bash-completion/completions/wdtctl && \
	$(INSTALL) -D -m 0644 $$out/completions/_wdtctl \
		$(TARGET_DIR)/usr/share/zsh/site-functions/_wdtctl
endef
WDTCTL_POST_INSTALL_TARGET_HOOKS += WDTCTL_INSTALL_COMPLETIONS

$(eval $(cargo-package))

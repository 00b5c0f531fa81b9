// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-abi-check: exercises the rpi_wdt device nodes from inside the guest, including the error paths
 * a well-behaved tool never takes (bad pointers, unknown ioctls, out-of-range values), and prints one
 * TAP line per check for the host harness. Built statically twice: for aarch64, and for 32-bit ARM to
 * prove the compat path (the ABI structs have one layout for both).
 *
 * Usage: rpi-wdt-abi-check ctl             control node checks; never arms the watchdog
 *        rpi-wdt-abi-check unbind DEVICE   an open control file after unbind gets ENODEV, then rebind
 *        rpi-wdt-abi-check start           START through the control node (stock QEMU resets at once)
 *
 * The control ABI comes from rpi_wdt_abi.h, generated from the Rust definitions (driver/core/src/abi.rs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/watchdog.h>

#include "rpi_wdt_abi.h"

static int checks, failures;

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (ok) {
		printf("ok %d - %s\n", checks, name);
		return;
	}
	failures++;
	printf("not ok %d - %s: ", checks, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Runs an ioctl and returns 0 or the errno it failed with. */
static int ioctl_errno(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) == 0 ? 0 : errno;
}

static int open_ctl(void)
{
	int fd = open(RPI_WDT_CTL_NODE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! cannot open %s: %s\n", RPI_WDT_CTL_NODE, strerror(errno));
		exit(2);
	}
	return fd;
}

static uint32_t current_timeout(int fd)
{
	struct rpi_wdt_state st;

	return ioctl(fd, RPI_WDT_IOC_STATE, &st) == 0 ? st.timeout_s : 0;
}

static void ctl_checks(void)
{
	struct rpi_wdt_info info;
	struct rpi_wdt_state st;
	struct rpi_wdt_boot_status boot;
	uint32_t t, before;
	int fd = open_ctl(), fd2 = open_ctl(), err;
	char *ro;

	check(fd2 >= 0, "ctl_open_twice", "second open failed");
	close(fd2);

	memset(&info, 0, sizeof(info));
	err = ioctl_errno(fd, RPI_WDT_IOC_INFO, &info);
	check(err == 0 && info.abi_version == RPI_WDT_ABI_VERSION, "ctl_info_version", "err %d version %u", err,
	      info.abi_version);
	check(info.options == RPI_WDT_SUPPORTED_OPTIONS, "ctl_info_options", "options %#x", info.options);
	check(info.min_timeout_s == 1 && info.max_timeout_s == 15, "ctl_info_timeout_range", "%u..%u",
	      info.min_timeout_s, info.max_timeout_s);
	check(info.ticks_per_second == 65536, "ctl_info_ticks", "%u", info.ticks_per_second);
	check(memchr(info.identity, 0, sizeof(info.identity)) && strstr((char *)info.identity, "rpi_wdt"),
	      "ctl_info_identity", "'%.32s'", info.identity);

	err = ioctl_errno(fd, RPI_WDT_IOC_STATE, &st);
	check(err == 0 && !(st.flags & RPI_WDT_STATE_RUNNING), "ctl_state_stopped", "err %d flags %#x", err, st.flags);
	check(st.timeleft_ms == 0 && st.reserved == 0, "ctl_state_fields", "timeleft %u reserved %u", st.timeleft_ms,
	      st.reserved);

	err = ioctl_errno(fd, RPI_WDT_IOC_BOOT_STATUS, &boot);
	check(err == 0 && boot.cause <= RPI_WDT_CAUSE_WATCHDOG_OR_REBOOT, "ctl_boot_status", "err %d cause %u rsts %#x",
	      err, boot.cause, boot.rsts);
	check(((boot.wdiof_flags & WDIOF_CARDRESET) != 0) == (boot.cause == RPI_WDT_CAUSE_WATCHDOG_OR_REBOOT),
	      "ctl_boot_status_cardreset_consistent", "flags %#x cause %u", boot.wdiof_flags, boot.cause);

	before = current_timeout(fd);
	t = 7;
	err = ioctl_errno(fd, RPI_WDT_IOC_SET_TIMEOUT, &t);
	check(err == 0 && t == 7 && current_timeout(fd) == 7, "ctl_set_timeout", "err %d t %u", err, t);
	{
		static const uint32_t bad[] = { 0, 16, 1000, 0xffffffffu };
		unsigned i;

		char name[64];

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			t = bad[i];
			err = ioctl_errno(fd, RPI_WDT_IOC_SET_TIMEOUT, &t);
			snprintf(name, sizeof(name), "ctl_set_timeout_%u_einval", bad[i]);
			check(err == EINVAL && current_timeout(fd) == 7, name, "err %d, timeout now %u", err,
			      current_timeout(fd));
		}
	}
	check(current_timeout(fd) == 7, "ctl_state_intact_after_einval", "timeout %u", current_timeout(fd));

	err = ioctl_errno(fd, RPI_WDT_IOC_PING, NULL);
	check(err == EINVAL, "ctl_ping_stopped_einval", "err %d", err);
	err = ioctl_errno(fd, RPI_WDT_IOC_STOP, NULL);
	check(err == 0, "ctl_stop_stopped_ok", "err %d", err);
	ioctl(fd, RPI_WDT_IOC_STATE, &st);
	check(!(st.flags & RPI_WDT_STATE_RUNNING), "ctl_still_stopped", "flags %#x", st.flags);

	err = ioctl_errno(fd, _IO(RPI_WDT_IOCTL_BASE, 0x7f), NULL);
	check(err == ENOTTY, "ctl_unknown_ioctl_enotty", "err %d", err);
	err = ioctl_errno(fd, WDIOC_GETTIMEOUT, &t);
	check(err == ENOTTY, "ctl_standard_ioctl_enotty", "err %d", err);

	err = ioctl_errno(fd, RPI_WDT_IOC_INFO, NULL);
	check(err == EFAULT, "ctl_info_null_efault", "err %d", err);
	err = ioctl_errno(fd, RPI_WDT_IOC_STATE, (void *)1);
	check(err == EFAULT, "ctl_state_bad_pointer_efault", "err %d", err);
	err = ioctl_errno(fd, RPI_WDT_IOC_SET_TIMEOUT, NULL);
	check(err == EFAULT && current_timeout(fd) == 7, "ctl_set_timeout_null_efault", "err %d timeout %u", err,
	      current_timeout(fd));

	/* Readable but not writable: the reply cannot be written, so nothing may change. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro != MAP_FAILED) {
		*(uint32_t *)ro = 5;
		mprotect(ro, 4096, PROT_READ);
		err = ioctl_errno(fd, RPI_WDT_IOC_SET_TIMEOUT, ro);
		check(err == EFAULT && current_timeout(fd) == 7, "ctl_set_timeout_readonly_reply_efault_intact",
		      "err %d timeout %u", err, current_timeout(fd));
		munmap(ro, 4096);
	}

	errno = 0;
	check(write(fd, "V", 1) < 0 && errno == EINVAL, "ctl_write_einval", "errno %d", errno);

	t = before ? before : 15;
	ioctl(fd, RPI_WDT_IOC_SET_TIMEOUT, &t);
	close(fd);
}

static int write_sysfs(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -EIO;
}

static void unbind_checks(const char *device)
{
	struct rpi_wdt_state st;
	int fd = open_ctl(), err;

	check(write_sysfs("/sys/bus/platform/drivers/rpi_wdt/unbind", device) == 0, "unbind_while_open",
	      "could not unbind %s", device);
	err = ioctl_errno(fd, RPI_WDT_IOC_STATE, &st);
	check(err == ENODEV, "ioctl_after_unbind_enodev", "err %d", err);
	check(access(RPI_WDT_CTL_NODE, F_OK) != 0, "node_gone_after_unbind", "%s still exists", RPI_WDT_CTL_NODE);
	close(fd);
	check(write_sysfs("/sys/bus/platform/drivers/rpi_wdt/bind", device) == 0, "rebind", "could not bind %s",
	      device);
	fd = open_ctl();
	check(ioctl_errno(fd, RPI_WDT_IOC_STATE, &st) == 0, "ioctl_after_rebind", "state failed");
	close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	printf("# rpi-wdt-abi-check %s (%zu-bit)\n", mode, sizeof(long) * 8);
	if (!strcmp(mode, "ctl")) {
		ctl_checks();
	} else if (!strcmp(mode, "unbind") && argc > 2) {
		unbind_checks(argv[2]);
	} else if (!strcmp(mode, "start")) {
		int fd = open_ctl();

		fflush(stdout);
		check(ioctl_errno(fd, RPI_WDT_IOC_START, NULL) == 0, "ctl_start", "start failed");
		close(fd);
	} else {
		fprintf(stderr, "usage: %s ctl | unbind DEVICE | start\n", argv[0]);
		return 2;
	}
	printf("1..%d\n# %d passed, %d failed\n", checks, checks - failures, failures);
	return failures ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-abi-check: exercises the rpi_wdt device nodes from inside the guest, including the error paths
 * a well-behaved tool never takes (bad pointers, unknown ioctls, out-of-range values), and prints one
 * TAP line per check for the host harness. Built statically twice: for aarch64, and for 32-bit ARM to
 * prove the compat path (the ABI structs have one layout for both).
 *
 * Usage: rpi-wdt-abi-check ctl             control node checks; never arms the watchdog
 *        rpi-wdt-abi-check std             standard node checks; arms the watchdog and stops it again
 *                                          (needs a countdown that counts: a board or the patched QEMU)
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
#include <time.h>
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

static uint32_t ctl_flags(void)
{
	struct rpi_wdt_state st;
	int fd = open_ctl();
	uint32_t flags = ioctl(fd, RPI_WDT_IOC_STATE, &st) == 0 ? st.flags : 0xffffffffu;

	close(fd);
	return flags;
}

static uint64_t ctl_pings(void)
{
	struct rpi_wdt_state st;
	int fd = open_ctl();
	uint64_t pings = ioctl(fd, RPI_WDT_IOC_STATE, &st) == 0 ? st.ping_count : 0;

	close(fd);
	return pings;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	/* A kernel without the time syscalls 32-bit programs use fails here: say so, do not go on. */
	if (nanosleep(&ts, NULL) != 0) {
		printf("Bail out! nanosleep: %s\n", strerror(errno));
		exit(2);
	}
}

/* The standard ABI end to end, leaving the watchdog stopped. Timeout 3 s; nothing waits that long. */
static void std_checks(void)
{
	struct watchdog_info info;
	int fd, fd2, err, v, left, flags;
	uint64_t pings;
	char *ro;

	fd = open(RPI_WDT_NODE, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("Bail out! cannot open %s: %s\n", RPI_WDT_NODE, strerror(errno));
		exit(2);
	}
	check(ctl_flags() & RPI_WDT_STATE_RUNNING, "std_open_arms", "flags %#x", ctl_flags());
	check(ctl_flags() & RPI_WDT_STATE_OPEN, "std_open_flag", "flags %#x", ctl_flags());
	fd2 = open(RPI_WDT_NODE, O_WRONLY | O_CLOEXEC);
	check(fd2 < 0 && errno == EBUSY, "std_second_open_ebusy", "fd %d errno %d", fd2, errno);
	if (fd2 >= 0)
		close(fd2);

	err = ioctl_errno(fd, WDIOC_GETSUPPORT, &info);
	check(err == 0 && info.options == RPI_WDT_SUPPORTED_OPTIONS, "std_getsupport_options", "err %d options %#x",
	      err, info.options);
	check(strstr((char *)info.identity, "rpi_wdt") != NULL, "std_getsupport_identity", "'%.32s'", info.identity);

	v = 3;
	err = ioctl_errno(fd, WDIOC_SETTIMEOUT, &v);
	check(err == 0 && v == 3, "std_settimeout_returns_value_set", "err %d v %d", err, v);
	v = 0;
	err = ioctl_errno(fd, WDIOC_GETTIMEOUT, &v);
	check(err == 0 && v == 3, "std_gettimeout", "err %d v %d", err, v);
	{
		static const int bad[] = { 0, -1, 16, 3600 };
		char name[64];
		unsigned i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			v = bad[i];
			err = ioctl_errno(fd, WDIOC_SETTIMEOUT, &v);
			v = 0;
			ioctl(fd, WDIOC_GETTIMEOUT, &v);
			snprintf(name, sizeof(name), "std_settimeout_%d_einval_intact", bad[i]);
			check(err == EINVAL && v == 3, name, "err %d timeout now %d", err, v);
		}
	}

	left = -1;
	ioctl(fd, WDIOC_KEEPALIVE, NULL);
	err = ioctl_errno(fd, WDIOC_GETTIMELEFT, &left);
	check(err == 0 && left >= 2 && left <= 3, "std_timeleft_after_ping", "err %d left %d", err, left);
	sleep_ms(1500);
	err = ioctl_errno(fd, WDIOC_GETTIMELEFT, &left);
	check(err == 0 && left >= 0 && left <= 1, "std_timeleft_decreases", "err %d left %d after 1.5 s", err, left);
	pings = ctl_pings();
	err = ioctl_errno(fd, WDIOC_KEEPALIVE, &v);
	ioctl(fd, WDIOC_GETTIMELEFT, &left);
	check(err == 0 && left >= 2 && ctl_pings() == pings + 1, "std_keepalive_restarts_countdown",
	      "err %d left %d pings %llu", err, left, (unsigned long long)(ctl_pings() - pings));
	flags = 0;
	ioctl(fd, WDIOC_GETSTATUS, &flags);
	check(flags & WDIOF_KEEPALIVEPING, "std_getstatus_keepaliveping", "flags %#x", flags);
	ioctl(fd, WDIOC_GETSTATUS, &flags);
	check(!(flags & WDIOF_KEEPALIVEPING), "std_getstatus_keepaliveping_clears", "flags %#x", flags);

	pings = ctl_pings();
	check(write(fd, "x", 1) == 1 && ctl_pings() == pings + 1, "std_write_pings", "pings %llu",
	      (unsigned long long)(ctl_pings() - pings));
	errno = 0;
	{
		/* An unmapped address the compiler cannot see through. */
		static const void *volatile bad_buffer = (const void *)8;

		check(write(fd, bad_buffer, 4) < 0 && errno == EFAULT, "std_write_bad_buffer_efault", "errno %d", errno);
	}

	v = WDIOS_DISABLECARD;
	err = ioctl_errno(fd, WDIOC_SETOPTIONS, &v);
	check(err == 0 && !(ctl_flags() & RPI_WDT_STATE_RUNNING), "std_disablecard_stops", "err %d", err);
	v = WDIOS_ENABLECARD;
	err = ioctl_errno(fd, WDIOC_SETOPTIONS, &v);
	check(err == 0 && (ctl_flags() & RPI_WDT_STATE_RUNNING), "std_enablecard_starts", "err %d", err);
	v = WDIOS_TEMPPANIC;
	err = ioctl_errno(fd, WDIOC_SETOPTIONS, &v);
	check(err == EINVAL && (ctl_flags() & RPI_WDT_STATE_RUNNING), "std_setoptions_unknown_einval", "err %d", err);

	v = -1;
	err = ioctl_errno(fd, WDIOC_GETPRETIMEOUT, &v);
	check(err == 0 && v == 0, "std_getpretimeout_zero", "err %d v %d", err, v);
	v = 1;
	err = ioctl_errno(fd, WDIOC_SETPRETIMEOUT, &v);
	check(err == EOPNOTSUPP, "std_setpretimeout_eopnotsupp", "err %d", err);
	err = ioctl_errno(fd, WDIOC_GETTEMP, &v);
	check(err == ENOTTY, "std_gettemp_enotty", "err %d", err);
	err = ioctl_errno(fd, _IO('W', 0x3f), NULL);
	check(err == ENOTTY, "std_unknown_ioctl_enotty", "err %d", err);
	err = ioctl_errno(fd, WDIOC_GETSUPPORT, NULL);
	check(err == EFAULT, "std_getsupport_null_efault", "err %d", err);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro != MAP_FAILED) {
		*(int *)ro = 5;
		mprotect(ro, 4096, PROT_READ);
		err = ioctl_errno(fd, WDIOC_SETTIMEOUT, ro);
		v = 0;
		ioctl(fd, WDIOC_GETTIMEOUT, &v);
		check(err == EFAULT && v == 3, "std_settimeout_readonly_reply_efault_intact", "err %d timeout %d", err, v);
		munmap(ro, 4096);
	}
	{
		struct rpi_wdt_boot_status boot;
		int ctl = open_ctl();

		ioctl(ctl, RPI_WDT_IOC_BOOT_STATUS, &boot);
		close(ctl);
		v = -1;
		err = ioctl_errno(fd, WDIOC_GETBOOTSTATUS, &v);
		check(err == 0 && (uint32_t)v == boot.wdiof_flags, "std_getbootstatus_matches_control_node",
		      "err %d std %#x ctl %#x", err, v, boot.wdiof_flags);
	}

	check(write(fd, "V", 1) == 1, "std_write_magic", "errno %d", errno);
	flags = 0;
	ioctl(fd, WDIOC_GETSTATUS, &flags);
	check(flags & WDIOF_MAGICCLOSE, "std_getstatus_magicclose_armed", "flags %#x", flags);
	close(fd);
	check(!(ctl_flags() & (RPI_WDT_STATE_RUNNING | RPI_WDT_STATE_OPEN)), "std_magic_close_stops",
	      "flags %#x", ctl_flags());
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
	} else if (!strcmp(mode, "std")) {
		std_checks();
	} else if (!strcmp(mode, "unbind") && argc > 2) {
		unbind_checks(argv[2]);
	} else if (!strcmp(mode, "start")) {
		int fd = open_ctl();

		fflush(stdout);
		check(ioctl_errno(fd, RPI_WDT_IOC_START, NULL) == 0, "ctl_start", "start failed");
		close(fd);
	} else {
		fprintf(stderr, "usage: %s ctl | std | unbind DEVICE | start\n", argv[0]);
		return 2;
	}
	printf("1..%d\n# %d passed, %d failed\n", checks, checks - failures, failures);
	return failures ? 1 : 0;
}

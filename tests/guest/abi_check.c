// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-abi-check: exercises a watchdog node through the standard Linux watchdog ABI
 * (include/uapi/linux/watchdog.h) from inside the guest, including the error paths a well-behaved tool
 * never takes (bad pointers, unknown ioctls, out-of-range values), and prints one TAP line per check
 * for the host harness. The watchdog's state is read from /sys/class/watchdog/<name>/, which the
 * watchdog core keeps. Built statically twice: for aarch64, and for 32-bit ARM to prove the compat path.
 *
 * It is driver-neutral: the same checks run against rpi_wdt and against the in-tree C bcm2835_wdt, and
 * the harness compares the two runs. Values that may legitimately differ are printed as
 * "# value NAME=VALUE" lines rather than checked.
 *
 * Usage: rpi-wdt-abi-check std DEV            the whole ABI; arms the watchdog and stops it again
 *                                             (needs a countdown that counts: a board or the patched QEMU)
 *        rpi-wdt-abi-check unbind DEV DRIVER PDEV   an open file after unbinding PDEV from DRIVER gets
 *                                             ENODEV; then binds it again
 *        rpi-wdt-abi-check start DEV          opens DEV (arms it) and exits without magic close
 *
 * DEV is a node such as /dev/watchdog0; its sysfs directory is found from its device number.
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/watchdog.h>

/* What rpi_wdt and bcm2835_wdt both support; rpi_wdt adds WDIOF_CARDRESET. */
#define COMMON_OPTIONS (WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING)

static int checks, failures;
static char sysfs_dir[128];

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

static void value(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("# value %s=", name);
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

/* Finds /sys/class/watchdog/watchdogN for a node from its character device number. */
static void find_sysfs(const char *dev)
{
	struct stat st;
	char path[160], want[32], have[32];
	int n;

	if (stat(dev, &st) != 0 || !S_ISCHR(st.st_mode)) {
		printf("Bail out! %s is not a character device: %s\n", dev, strerror(errno));
		exit(2);
	}
	snprintf(want, sizeof(want), "%u:%u\n", major(st.st_rdev), minor(st.st_rdev));
	for (n = 0; n < 32; n++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/watchdog/watchdog%d/dev", n);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(have, sizeof(have), f) && !strcmp(have, want)) {
			fclose(f);
			snprintf(sysfs_dir, sizeof(sysfs_dir), "/sys/class/watchdog/watchdog%d", n);
			return;
		}
		fclose(f);
	}
	/* The legacy /dev/watchdog (misc minor 130) is watchdog0's. */
	if (major(st.st_rdev) == 10 && minor(st.st_rdev) == 130) {
		snprintf(sysfs_dir, sizeof(sysfs_dir), "/sys/class/watchdog/watchdog0");
		return;
	}
	printf("Bail out! no /sys/class/watchdog entry for %s (%s): is CONFIG_WATCHDOG_SYSFS on?\n", dev, want);
	exit(2);
}

/* Reads one line of a sysfs attribute of the watchdog, without its newline ("" if it is missing). */
static const char *attr(const char *name)
{
	static char buf[128];
	char path[192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name);
	buf[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return buf;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static int active(void)
{
	return !strcmp(attr("state"), "active");
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

static int open_node(const char *dev)
{
	int fd = open(dev, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! cannot open %s: %s\n", dev, strerror(errno));
		exit(2);
	}
	return fd;
}

/* The standard ABI end to end, leaving the watchdog stopped. Timeout 3 s; nothing waits that long. */
static void std_checks(const char *dev)
{
	struct watchdog_info info;
	int fd, fd2, err, v, left, flags;
	char *ro;

	check(!active(), "std_stopped_before_open", "state %s", attr("state"));
	value("sysfs_identity", "%s", attr("identity"));
	value("sysfs_bootstatus", "%s", attr("bootstatus"));
	value("sysfs_min_timeout", "%s", attr("min_timeout"));
	value("sysfs_max_timeout", "%s", attr("max_timeout"));
	value("sysfs_timeleft_stopped", "%s", attr("timeleft"));

	fd = open_node(dev);
	check(active(), "std_open_arms", "state %s", attr("state"));
	fd2 = open(dev, O_WRONLY | O_CLOEXEC);
	check(fd2 < 0 && errno == EBUSY, "std_second_open_ebusy", "fd %d errno %d", fd2, errno);
	if (fd2 >= 0)
		close(fd2);

	memset(&info, 0, sizeof(info));
	err = ioctl_errno(fd, WDIOC_GETSUPPORT, &info);
	check(err == 0 && (info.options & COMMON_OPTIONS) == COMMON_OPTIONS, "std_getsupport_options",
	      "err %d options %#x", err, info.options);
	check(memchr(info.identity, 0, sizeof(info.identity)) && !strcmp((char *)info.identity, attr("identity")),
	      "std_getsupport_identity_matches_sysfs", "'%.32s' vs '%s'", info.identity, attr("identity"));
	value("options", "%#x", info.options);
	value("identity", "%s", (char *)info.identity);

	v = 3;
	err = ioctl_errno(fd, WDIOC_SETTIMEOUT, &v);
	check(err == 0 && v == 3, "std_settimeout_returns_value_set", "err %d v %d", err, v);
	v = 0;
	err = ioctl_errno(fd, WDIOC_GETTIMEOUT, &v);
	check(err == 0 && v == 3 && !strcmp(attr("timeout"), "3"), "std_gettimeout_and_sysfs", "err %d v %d sysfs %s",
	      err, v, attr("timeout"));
	{
		/* The core accepts 1..UINT_MAX/1000 s; 0 and larger are out of range. */
		static const int bad[] = { 0, -1, 4294968 };
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
	err = ioctl_errno(fd, WDIOC_KEEPALIVE, &v);
	ioctl(fd, WDIOC_GETTIMELEFT, &left);
	check(err == 0 && left >= 2, "std_keepalive_restarts_countdown", "err %d left %d", err, left);
	flags = 0;
	ioctl(fd, WDIOC_GETSTATUS, &flags);
	value("getstatus", "%#x", flags);

	sleep_ms(1500);
	check(write(fd, "x", 1) == 1, "std_write_accepted", "errno %d", errno);
	ioctl(fd, WDIOC_GETTIMELEFT, &left);
	check(left >= 2, "std_write_pings", "left %d", left);
	errno = 0;
	{
		/* An unmapped address the compiler cannot see through. */
		static const void *volatile bad_buffer = (const void *)8;

		check(write(fd, bad_buffer, 4) < 0 && errno == EFAULT, "std_write_bad_buffer_efault", "errno %d", errno);
	}

	v = WDIOS_DISABLECARD;
	err = ioctl_errno(fd, WDIOC_SETOPTIONS, &v);
	check(err == 0 && !active(), "std_disablecard_stops", "err %d state %s", err, attr("state"));
	left = -1;
	ioctl(fd, WDIOC_GETTIMELEFT, &left);
	value("timeleft_stopped", "%d", left);
	v = WDIOS_ENABLECARD;
	err = ioctl_errno(fd, WDIOC_SETOPTIONS, &v);
	check(err == 0 && active(), "std_enablecard_starts", "err %d state %s", err, attr("state"));
	v = WDIOS_TEMPPANIC;
	err = ioctl_errno(fd, WDIOC_SETOPTIONS, &v);
	/* The core answers an option it does not know with ENOTTY (its -ENOIOCTLCMD fallthrough). */
	check(err == ENOTTY && active(), "std_setoptions_unknown_refused", "err %d", err);

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
		/* The core sets the timeout, then cannot write the reply back: EFAULT with the new value set. */
		check(err == EFAULT, "std_settimeout_readonly_reply_efault", "err %d", err);
		value("timeout_after_readonly_reply", "%d", v);
		munmap(ro, 4096);
		v = 3;
		ioctl(fd, WDIOC_SETTIMEOUT, &v);
	}
	v = -1;
	err = ioctl_errno(fd, WDIOC_GETBOOTSTATUS, &v);
	check(err == 0 && v >= 0 && (unsigned)v == strtoul(attr("bootstatus"), NULL, 10),
	      "std_getbootstatus_matches_sysfs", "err %d ioctl %d sysfs %s", err, v, attr("bootstatus"));

	/* A timeout over the 16 s one load of WDOG holds: the counter must get the whole load, never
	 * the wrapped (timeout << 16) & 0xfffff (4 s for 20 s). Stopped again at once. */
	v = 20;
	err = ioctl_errno(fd, WDIOC_SETTIMEOUT, &v);
	check(err == 0 && v == 20, "std_settimeout_20_accepted", "err %d v %d", err, v);
	left = -1;
	ioctl(fd, WDIOC_GETTIMELEFT, &left);
	value("timeleft_after_settimeout_20", "%d", left);
	check(left >= 14, "std_settimeout_20_loads_a_full_counter", "time left %d s: the hardware got a wrapped load",
	      left);
	v = 3;
	ioctl(fd, WDIOC_SETTIMEOUT, &v);

	check(write(fd, "V", 1) == 1, "std_write_magic", "errno %d", errno);
	close(fd);
	check(!active(), "std_magic_close_stops", "state %s", attr("state"));
}

static int write_sysfs(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -EIO;
}

static void unbind_checks(const char *dev, const char *driver, const char *pdev)
{
	char unbind[128], bind[128];
	int fd, err, v = 0;

	snprintf(unbind, sizeof(unbind), "/sys/bus/platform/drivers/%s/unbind", driver);
	snprintf(bind, sizeof(bind), "/sys/bus/platform/drivers/%s/bind", driver);
	fd = open_node(dev);
	check(write_sysfs(unbind, pdev) == 0, "unbind_while_open", "could not unbind %s", pdev);
	err = ioctl_errno(fd, WDIOC_GETTIMEOUT, &v);
	check(err == ENODEV, "ioctl_after_unbind_enodev", "err %d", err);
	check(write(fd, "V", 1) < 0 && errno == ENODEV, "write_after_unbind_enodev", "errno %d", errno);
	check(access(dev, F_OK) != 0, "node_gone_after_unbind", "%s still exists", dev);
	close(fd);
	check(write_sysfs(bind, pdev) == 0, "rebind", "could not bind %s", pdev);
	fd = open_node(dev);
	check(ioctl_errno(fd, WDIOC_GETTIMEOUT, &v) == 0, "ioctl_after_rebind", "timeout failed");
	check(write(fd, "V", 1) == 1, "magic_close_after_rebind", "errno %d", errno);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (argc < 3) {
		fprintf(stderr, "usage: %s std DEV | unbind DEV DRIVER PDEV | start DEV\n", argv[0]);
		return 2;
	}
	printf("# rpi-wdt-abi-check %s %s (%zu-bit)\n", mode, argv[2], sizeof(long) * 8);
	find_sysfs(argv[2]);
	if (!strcmp(mode, "std")) {
		std_checks(argv[2]);
	} else if (!strcmp(mode, "unbind") && argc > 4) {
		unbind_checks(argv[2], argv[3], argv[4]);
	} else if (!strcmp(mode, "start")) {
		fflush(stdout);
		check(open(argv[2], O_WRONLY) >= 0, "start_open", "errno %d", errno);
	} else {
		fprintf(stderr, "usage: %s std DEV | unbind DEV DRIVER PDEV | start DEV\n", argv[0]);
		return 2;
	}
	printf("1..%d\n# %d passed, %d failed\n", checks, checks - failures, failures);
	return failures ? 1 : 0;
}

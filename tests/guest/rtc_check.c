// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-rtc-check: exercises a real-time clock through the RTC class's ABI (include/uapi/linux/rtc.h)
 * from inside the guest, and prints one TAP line per check for the host harness, with
 * "# value NAME=VALUE" lines for what the harness compares with the host.
 *
 * Usage: rpi-rtc-check read DEV           RTC_RD_TIME; prints "# value seconds=N" (UTC seconds)
 *        rpi-rtc-check set DEV SECONDS    RTC_SET_TIME to that UTC time, then reads it back
 *        rpi-rtc-check invalid DEV        every malformed or out-of-range time is refused (EINVAL,
 *                                         or ERANGE for a year the chip cannot hold), and the clock
 *                                         keeps its time
 *
 * Exit status: 0 when every check passed, 1 otherwise, 2 for a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtc.h>

#include "rtc_time.h"

static int checks, failures;

static void check(int ok, const char *name, const char *detail)
{
	checks++;
	if (!ok)
		failures++;
	printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", checks, name, detail ? ": " : "", detail ? detail : "");
}

static int open_rtc(const char *dev)
{
	int fd = open(dev, O_RDONLY);

	if (fd < 0) {
		printf("not ok 1 - open %s: %s\n", dev, strerror(errno));
		exit(1);
	}
	return fd;
}

/* The RTC's time in UTC seconds, or -1 with errno set. */
static long long read_seconds(int fd)
{
	struct rtc_time tm;

	memset(&tm, 0, sizeof(tm));
	if (ioctl(fd, RTC_RD_TIME, &tm) < 0)
		return -1;
	return rtc_time_to_seconds(&tm);
}

static int set_seconds(int fd, long long seconds)
{
	struct rtc_time tm;

	rtc_time_from_seconds(seconds, &tm);
	return ioctl(fd, RTC_SET_TIME, &tm);
}

static int cmd_read(const char *dev)
{
	int fd = open_rtc(dev);
	long long s = read_seconds(fd);
	char detail[64];

	int err = errno;

	snprintf(detail, sizeof(detail), "%s", strerror(err));
	check(s >= 0, "rtc_rd_time", s < 0 ? detail : NULL);
	if (s >= 0)
		printf("# value seconds=%lld\n", s);
	else
		printf("# value errno=%d\n", err);
	close(fd);
	return failures ? 1 : 0;
}

static int cmd_set(const char *dev, const char *arg)
{
	int fd = open_rtc(dev);
	long long want = strtoll(arg, NULL, 10), got;
	char detail[96];
	int ret;

	ret = set_seconds(fd, want);
	check(ret == 0, "rtc_set_time", ret ? strerror(errno) : NULL);
	got = read_seconds(fd);
	snprintf(detail, sizeof(detail), "set %lld, read %lld", want, got);
	/* The clock runs on: allow the two seconds a slow emulated bus may take. */
	check(got >= want && got <= want + 2, "rtc_set_time_reads_back", detail);
	close(fd);
	return failures ? 1 : 0;
}

struct bad_time {
	const char *name;
	struct rtc_time tm;
	int err;
};

static int cmd_invalid(const char *dev)
{
	/* tm_year counts from 1900, tm_mon from 0. */
	static const struct bad_time bad[] = {
		{ "month_13", { .tm_mday = 1, .tm_mon = 12, .tm_year = 126 }, EINVAL },
		{ "february_30", { .tm_mday = 30, .tm_mon = 1, .tm_year = 126 }, EINVAL },
		{ "february_29_2027", { .tm_mday = 29, .tm_mon = 1, .tm_year = 127 }, EINVAL },
		{ "day_0", { .tm_mday = 0, .tm_mon = 0, .tm_year = 126 }, EINVAL },
		{ "hour_24", { .tm_hour = 24, .tm_mday = 1, .tm_year = 126 }, EINVAL },
		{ "minute_60", { .tm_min = 60, .tm_mday = 1, .tm_year = 126 }, EINVAL },
		{ "second_60", { .tm_sec = 60, .tm_mday = 1, .tm_year = 126 }, EINVAL },
		{ "negative_second", { .tm_sec = -1, .tm_mday = 1, .tm_year = 126 }, EINVAL },
		{ "year_1969", { .tm_mday = 31, .tm_mon = 11, .tm_year = 69 }, EINVAL },
		{ "year_1999_before_the_chip", { .tm_mday = 31, .tm_mon = 11, .tm_year = 99 }, ERANGE },
		{ "year_2200_after_the_chip", { .tm_mday = 1, .tm_mon = 0, .tm_year = 300 }, ERANGE },
	};
	int fd = open_rtc(dev);
	long long before = read_seconds(fd), after;
	char detail[128];
	size_t i;

	check(before >= 0, "rtc_rd_time_before", before < 0 ? strerror(errno) : NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rtc_time tm = bad[i].tm;
		int ret = ioctl(fd, RTC_SET_TIME, &tm), err = errno;

		snprintf(detail, sizeof(detail), "returned %d (%s), expected %s", ret, ret ? strerror(err) : "success",
			 strerror(bad[i].err));
		check(ret < 0 && err == bad[i].err, bad[i].name, detail);
	}
	after = read_seconds(fd);
	snprintf(detail, sizeof(detail), "read %lld before, %lld after", before, after);
	check(after >= before && after <= before + 5, "rtc_time_unchanged", detail);
	close(fd);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "read"))
		return cmd_read(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "set"))
		return cmd_set(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "invalid"))
		return cmd_invalid(argv[2]);
	fprintf(stderr, "usage: %s read DEV | set DEV SECONDS | invalid DEV\n", argv[0]);
	return 2;
}

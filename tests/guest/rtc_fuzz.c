// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-rtc-fuzz: abuse for an RTC driver through the RTC class's character device, run on the debug
 * kernel by the reliability suite.
 *
 *   rpi-rtc-fuzz DEV CALLS SEED
 *       DEV is /dev/rtcN and must be maxim_rtc's (checked in sysfs). CALLS ioctls with random commands
 *       (every RTC_* one, the same with wrong sizes, directions and types, their neighbours, and random
 *       numbers) and random arguments (NULL, small integers, kernel addresses, unmapped, read-only,
 *       straddling and valid buffers; in valid buffers times with every field at and around its edges,
 *       and RTC_PARAM_* parameters). One call in 16 is followed by a non-blocking read, a poll or a
 *       read of a sysfs file of the RTC.
 *
 * What must hold, besides the kernel log the harness checks:
 *   - RTC_SET_TIME of a well-formed time the chip holds (2000 to 2099) succeeds, and the clock reads
 *     it back; of a malformed time fails with EINVAL, and of a well-formed time outside the chip's
 *     range with ERANGE;
 *   - RTC_RD_TIME always succeeds and gives a well-formed time in the chip's range;
 *   - the only errnos are EFAULT, EINVAL, ENOTTY, ERANGE, EOPNOTSUPP and, for a read, EAGAIN.
 * At the end the alarm and update interrupts are off again and the RTC is set back to the system
 * clock. Prints one line with the counts and "ok", or "FAIL: reason"; exits 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include <linux/rtc.h>

#include "fuzz.h"
#include "rtc_time.h"

#define DRIVER "maxim_rtc"
#define NERRNO 512
/* The years the chips hold: a two-digit BCD year from 2000 (rtc_time counts years from 1900). */
#define YEAR_MIN 100
#define YEAR_MAX 199

static const unsigned long known_cmds[] = {
	RTC_RD_TIME,   RTC_SET_TIME,   RTC_ALM_READ,   RTC_ALM_SET,	RTC_WKALM_RD, RTC_WKALM_SET,
	RTC_AIE_ON,    RTC_AIE_OFF,    RTC_UIE_ON,     RTC_UIE_OFF,	RTC_PIE_ON,   RTC_PIE_OFF,
	RTC_WIE_ON,    RTC_WIE_OFF,    RTC_IRQP_READ,  RTC_IRQP_SET,	RTC_EPOCH_READ, RTC_EPOCH_SET,
	RTC_VL_READ,   RTC_VL_CLR,     RTC_PARAM_GET,  RTC_PARAM_SET,
};
#define NKNOWN (sizeof(known_cmds) / sizeof(known_cmds[0]))

static unsigned long random_cmd(void)
{
	unsigned long cmd = known_cmds[rnd() % NKNOWN];
	unsigned int how = rnd() % (3 + MANGLINGS);

	return how < 3 ? cmd : mangle_cmd(cmd, how - 3);
}

/* A field's value: one of its edges, a neighbour of one, or anything. */
static int edge(int lo, int hi)
{
	switch (rnd() % 8) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return lo - 1;
	case 3:
		return hi + 1;
	case 4:
		return (int)(uint32_t)rnd();
	default:
		return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
	}
}

static void random_time(struct rtc_time *tm)
{
	memset(tm, 0, sizeof(*tm));
	tm->tm_sec = edge(0, 59);
	tm->tm_min = edge(0, 59);
	tm->tm_hour = edge(0, 23);
	tm->tm_mday = edge(1, 31);
	tm->tm_mon = edge(0, 11);
	/* Around the chip's range, and the RTC class's (1970 on). */
	tm->tm_year = rnd() % 4 ? edge(YEAR_MIN, YEAR_MAX) : edge(70, 8099);
	tm->tm_wday = edge(0, 6);
	tm->tm_yday = edge(0, 365);
	tm->tm_isdst = (int)(rnd() % 3) - 1;
}

static void *random_arg(void)
{
	void *arg = bad_pointer_or_random_valid();

	if (arg != valid)
		return arg;
	/* The valid buffer: a time, an alarm, a parameter, or random bytes. */
	switch (rnd() % 4) {
	case 0:
	case 1:
		random_time((struct rtc_time *)valid);
		break;
	case 2: {
		struct rtc_wkalrm *alarm = (struct rtc_wkalrm *)valid;

		alarm->enabled = rnd() % 3;
		random_time(&alarm->time);
		break;
	}
	default: {
		struct rtc_param *param = (struct rtc_param *)valid;

		memset(param, 0, sizeof(*param));
		param->param = rnd() % 6;
		param->uvalue = rnd() % 4 ? (uint64_t)(int64_t)edge(-1000000, 1000000) : rnd();
		param->index = rnd() % 4 ? 0 : (uint32_t)rnd();
		break;
	}
	}
	return valid;
}

static int days_in_month(int mon, int year)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = year + 1900;

	return days[mon] + (mon == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* The RTC class's rtc_valid_tm(): a time it takes at all. */
static int well_formed(const struct rtc_time *tm)
{
	return tm->tm_year >= 70 && tm->tm_year <= 0x7fffffff - 1900 && tm->tm_mon >= 0 && tm->tm_mon < 12 &&
	       tm->tm_mday >= 1 && tm->tm_mday <= days_in_month(tm->tm_mon, tm->tm_year) && tm->tm_hour >= 0 &&
	       tm->tm_hour < 24 && tm->tm_min >= 0 && tm->tm_min < 60 && tm->tm_sec >= 0 && tm->tm_sec < 60;
}

static int in_range(const struct rtc_time *tm)
{
	return well_formed(tm) && tm->tm_year >= YEAR_MIN && tm->tm_year <= YEAR_MAX;
}

static int expected_errno(int e)
{
	return e == EFAULT || e == EINVAL || e == ENOTTY || e == ERANGE || e == EOPNOTSUPP;
}

/* The RTC's sysfs directory, from the node's device number; 0 if it is maxim_rtc's. */
static int check_node(const char *dev, char *dir, size_t size)
{
	struct stat st;
	char path[160], name[64] = "";
	FILE *f;

	if (stat(dev, &st) != 0 || !S_ISCHR(st.st_mode))
		return printf("FAIL: %s is not a character device\n", dev), 1;
	snprintf(dir, size, "/sys/class/rtc/%s", strrchr(dev, '/') + 1);
	snprintf(path, sizeof(path), "%s/name", dir);
	f = fopen(path, "r");
	if (!f || !fgets(name, sizeof(name), f))
		return printf("FAIL: cannot read %s\n", path), 1;
	fclose(f);
	if (!strstr(name, DRIVER))
		return printf("FAIL: %s belongs to %s, not %s: fuzz only the driver under test\n", dev,
			      strtok(name, "\n"), DRIVER),
		       1;
	return 0;
}

static const char *const sysfs_files[] = { "date", "time", "since_epoch", "name", "hctosys", "max_user_freq", "offset" };
#define NSYSFS (sizeof(sysfs_files) / sizeof(sysfs_files[0]))

/* Reads a sysfs file of the RTC; 0, or the errno of a read that failed other than as expected. */
static int read_sysfs(const char *dir, const char *name)
{
	char path[160], buf[128];
	int fd, e = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno; /* offset exists only where the driver has it */
	if (read(fd, buf, sizeof(buf)) < 0 && !expected_errno(errno))
		e = errno;
	close(fd);
	return e;
}

static int set_from_system_clock(int fd)
{
	struct timespec ts;
	struct rtc_time tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	rtc_time_from_seconds(ts.tv_sec, &tm);
	return ioctl(fd, RTC_SET_TIME, &tm);
}

static int fuzz(const char *dev, long calls, uint64_t seed)
{
	long ok = 0, failed = 0, sets = 0, sets_ok = 0, reads = 0, sysfs = 0, hist[NERRNO] = { 0 }, other = 0;
	unsigned long other_cmd = 0;
	int fd, first_other = 0;
	char failure[200] = "", dir[64];
	struct timespec t0, t1;

	if (check_node(dev, dir, sizeof(dir)) != 0)
		return 1;
	rng_state = seed ? seed : 1;
	if (map_argument_pages(NULL, 0) != 0)
		return printf("FAIL: mmap\n"), 1;

	fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return printf("FAIL: open %s: %s\n", dev, strerror(errno)), 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < calls && !failure[0]; i++) {
		unsigned long cmd = random_cmd();
		void *arg = random_arg();
		/* What RTC_SET_TIME of this buffer must do, decided before the call. */
		int is_set = cmd == RTC_SET_TIME && arg == valid;
		struct rtc_time want = *(struct rtc_time *)valid;
		int ret = ioctl(fd, cmd, arg), e = errno;

		if (ret == 0) {
			ok++;
		} else {
			failed++;
			hist[e < NERRNO ? e : 0]++;
			if (!expected_errno(e) && !other++) {
				first_other = e;
				other_cmd = cmd;
			}
		}
		if (is_set) {
			sets++;
			sets_ok += ret == 0;
			if (in_range(&want) && ret != 0)
				snprintf(failure, sizeof(failure), "RTC_SET_TIME of %lld (in range) failed: %s",
					 rtc_time_to_seconds(&want), strerror(e));
			else if (!in_range(&want) && ret == 0)
				snprintf(failure, sizeof(failure),
					 "RTC_SET_TIME accepted %d-%02d-%02d %02d:%02d:%02d, which the chip cannot hold",
					 want.tm_year + 1900, want.tm_mon + 1, want.tm_mday, want.tm_hour, want.tm_min,
					 want.tm_sec);
			else if (ret != 0 && e != (well_formed(&want) ? ERANGE : EINVAL))
				snprintf(failure, sizeof(failure), "RTC_SET_TIME of a %s time failed with %s",
					 well_formed(&want) ? "well-formed, out-of-range" : "malformed", strerror(e));
		}
		if (is_set || cmd == RTC_RD_TIME || (rnd() % 64) == 0) {
			/* The clock reads, a well-formed time in range, and the set one after a set. */
			struct rtc_time now;

			memset(&now, 0, sizeof(now));
			if (ioctl(fd, RTC_RD_TIME, &now) != 0)
				snprintf(failure, sizeof(failure), "RTC_RD_TIME failed: %s", strerror(errno));
			else if (!in_range(&now))
				snprintf(failure, sizeof(failure), "RTC_RD_TIME gave %d-%d-%d %d:%d:%d",
					 now.tm_year + 1900, now.tm_mon + 1, now.tm_mday, now.tm_hour, now.tm_min,
					 now.tm_sec);
			else if (is_set && ret == 0 &&
				 (rtc_time_to_seconds(&now) < rtc_time_to_seconds(&want) || rtc_time_to_seconds(&now) > rtc_time_to_seconds(&want) + 2))
				snprintf(failure, sizeof(failure), "set %lld, read %lld", rtc_time_to_seconds(&want),
					 rtc_time_to_seconds(&now));
		}
		if ((rnd() % 16) == 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			unsigned long data;
			int err = 0;

			switch (rnd() % 3) {
			case 0:
				if (read(fd, rnd() & 1 ? (void *)&data : random_arg(), rnd() % 16) < 0 &&
				    errno != EAGAIN && !expected_errno(errno))
					err = errno;
				reads++;
				break;
			case 1:
				if (poll(&p, 1, 0) < 0)
					err = errno;
				reads++;
				break;
			default:
				err = read_sysfs(dir, sysfs_files[rnd() % NSYSFS]);
				sysfs++;
				break;
			}
			if (err && !other++) {
				first_other = err;
				other_cmd = 0;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Leave the RTC as the suite found it: no interrupts asked for, the system's time. */
	ioctl(fd, RTC_AIE_OFF, 0);
	ioctl(fd, RTC_UIE_OFF, 0);
	ioctl(fd, RTC_PIE_OFF, 0);
	if (set_from_system_clock(fd) != 0 && !failure[0])
		snprintf(failure, sizeof(failure), "could not set the RTC back to the system clock: %s",
			 strerror(errno));
	close(fd);
	printf("fuzz %s: %ld calls (seed %#llx) in %.1f s: %ld succeeded, %ld failed: EFAULT %ld EINVAL %ld "
	       "ENOTTY %ld ERANGE %ld EOPNOTSUPP %ld; RTC_SET_TIME of a buffer %ld, %ld of them taken; "
	       "%ld reads and polls, %ld sysfs reads; other errnos %ld\n",
	       dev, calls, (unsigned long long)seed,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ok, failed, hist[EFAULT], hist[EINVAL],
	       hist[ENOTTY], hist[ERANGE], hist[EOPNOTSUPP], sets, sets_ok, reads, sysfs, other);
	if (other)
		return printf("FAIL: %ld unexpected errnos, the first %d (%s) from %s %#lx\n", other, first_other,
			      strerror(first_other), other_cmd ? "ioctl" : "a read, poll or sysfs read", other_cmd),
		       1;
	if (failure[0])
		return printf("FAIL: %s\n", failure), 1;
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4)
		return fuzz(argv[1], atol(argv[2]), strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: %s DEV CALLS SEED\n", argv[0]);
	return 2;
}

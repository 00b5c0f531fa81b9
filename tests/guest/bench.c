// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-bench: ioctl round-trip latency of the project's Rust drivers against C drivers behind the
 * same kernel framework, measured in one boot so that ratios hold.
 *
 * rpi-wdt-bench watchdog CALLS: rpi_wdt's watchdog (Rust) and softdog's (C), both through the kernel's
 * watchdog core:
 *   rpi_wdt_gettimeout, softdog_gettimeout   WDIOC_GETTIMEOUT: answered by the core from its own state,
 *                                            so it reaches neither driver (the headline figure: the cost
 *                                            of the node and the core in front of the driver)
 *   rpi_wdt_keepalive, softdog_keepalive     WDIOC_KEEPALIVE, a watchdog daemon's ping: reaches the
 *                                            driver (rpi_wdt: its start operation, two register writes
 *                                            under its lock, which QEMU emulates; softdog: an hrtimer)
 * Each watchdog is found by its sysfs identity ("rpi_wdt BCM2835 PM watchdog", "Software Watchdog"),
 * not by its number; load softdog with soft_noboot=1 first. Opening arms a watchdog, so rpi_wdt's needs
 * a countdown that counts (a board or the QEMU model); both are pinged between rounds and closed with
 * the magic character before anything is printed.
 *
 * rpi-wdt-bench rtc CALLS: maxim_rtc's clock (Rust) and rtc-ds1307's (C), both through the RTC class,
 * on two chips of the same kind on the same bus:
 *   maxim_rtc_rd_time, rtc_ds1307_rd_time   RTC_RD_TIME, hwclock's read: in both drivers, one block
 *                                            read of the seven time registers and one read of the
 *                                            stop flag over I2C
 * Each clock is found by the driver in its sysfs name ("maxim_rtc 1-0068", "rtc-ds1307 1-0069"), not
 * by its number.
 *
 * Each figure is CALLS calls, each timed with CLOCK_MONOTONIC, interleaved in rounds across the figures;
 * prints one JSON object per line with the node, the median and the 99th percentile in nanoseconds. A
 * device that cannot be found or opened prints {"name":..,"error":..} for each of its figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtc.h>
#include <linux/watchdog.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Calls are made in ROUNDS rounds that visit the figures in turn, so that a burst of host noise (QEMU on
 * a busy machine) lands on every figure alike and the ratios hold. */
#define ROUNDS 20

/* A device under test: /dev/<class>N whose /sys/class/<class>/<class>N/<attr> starts with identity. */
struct device {
	const char *class, *attr, *identity;
	int watchdog; /* armed while open: fed between rounds and closed with the magic character */
	char path[32];
	int fd, failed;
	const char *error;
};

struct figure {
	const char *name;
	struct device *dev;
	unsigned long cmd;
	uint64_t *t;
};

static void open_device(struct device *d)
{
	char path[96], buf[96];

	d->fd = -1;
	for (int i = 0; i < 32 && !d->path[0]; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/%s/%s%d/%s", d->class, d->class, i, d->attr);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && !strncmp(buf, d->identity, strlen(d->identity)))
			snprintf(d->path, sizeof(d->path), "/dev/%s%d", d->class, i);
		fclose(f);
	}
	if (!d->path[0]) {
		d->error = "no device with this identity in sysfs";
		return;
	}
	d->fd = open(d->path, (d->watchdog ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (d->fd < 0)
		d->error = strerror(errno);
}

static void time_calls(struct figure *f, long from, long to)
{
	/* Room for any of the figures' results (an int, a struct rtc_time). */
	union {
		int timeout;
		struct rtc_time tm;
	} arg;

	/* Keep an armed watchdog fed between rounds (outside the timed calls). */
	if (f->dev->watchdog)
		f->dev->failed |= ioctl(f->dev->fd, WDIOC_KEEPALIVE, 0) != 0;
	for (long i = from; i < to; i++) {
		uint64_t start = now_ns();

		f->dev->failed |= ioctl(f->dev->fd, f->cmd, &arg) != 0;
		f->t[i] = now_ns() - start;
	}
}

static void report(struct figure *f, long calls)
{
	qsort(f->t, calls, sizeof(*f->t), cmp);
	printf("{\"name\":\"%s\",\"node\":\"%s\",\"calls\":%ld,\"median_ns\":%llu,\"p99_ns\":%llu,"
	       "\"min_ns\":%llu,\"failed\":%s}\n",
	       f->name, f->dev->path, calls, (unsigned long long)f->t[calls / 2],
	       (unsigned long long)f->t[calls * 99 / 100], (unsigned long long)f->t[0],
	       f->dev->failed ? "true" : "false");
}

static struct device rpi_wdt = {
	.class = "watchdog", .attr = "identity", .identity = "rpi_wdt BCM2835 PM watchdog", .watchdog = 1
};
static struct device softdog = { .class = "watchdog", .attr = "identity", .identity = "Software Watchdog", .watchdog = 1 };
static struct device maxim_rtc = { .class = "rtc", .attr = "name", .identity = "maxim_rtc " };
static struct device rtc_ds1307 = { .class = "rtc", .attr = "name", .identity = "rtc-ds1307 " };

static struct figure watchdog_figures[] = {
	{ .name = "rpi_wdt_gettimeout", .dev = &rpi_wdt, .cmd = WDIOC_GETTIMEOUT },
	{ .name = "softdog_gettimeout", .dev = &softdog, .cmd = WDIOC_GETTIMEOUT },
	{ .name = "rpi_wdt_keepalive", .dev = &rpi_wdt, .cmd = WDIOC_KEEPALIVE },
	{ .name = "softdog_keepalive", .dev = &softdog, .cmd = WDIOC_KEEPALIVE },
};

static struct figure rtc_figures[] = {
	{ .name = "maxim_rtc_rd_time", .dev = &maxim_rtc, .cmd = RTC_RD_TIME },
	{ .name = "rtc_ds1307_rd_time", .dev = &rtc_ds1307, .cmd = RTC_RD_TIME },
};

int main(int argc, char **argv)
{
	long calls = argc == 3 ? atol(argv[2]) : 0;
	struct device *devices[2];
	struct figure *figures;
	int nfig;

	if (argc == 3 && !strcmp(argv[1], "watchdog")) {
		figures = watchdog_figures;
		nfig = sizeof(watchdog_figures) / sizeof(watchdog_figures[0]);
		devices[0] = &rpi_wdt;
		devices[1] = &softdog;
	} else if (argc == 3 && !strcmp(argv[1], "rtc")) {
		figures = rtc_figures;
		nfig = sizeof(rtc_figures) / sizeof(rtc_figures[0]);
		devices[0] = &maxim_rtc;
		devices[1] = &rtc_ds1307;
	} else {
		calls = 0;
	}
	if (calls < 100 || calls % ROUNDS) {
		fprintf(stderr, "usage: %s watchdog|rtc CALLS (at least 100, a multiple of %d)\n", argv[0], ROUNDS);
		return 2;
	}
	for (int i = 0; i < 2; i++)
		open_device(devices[i]);
	for (int i = 0; i < nfig; i++) {
		figures[i].t = calloc(calls, sizeof(*figures[i].t));
		if (!figures[i].t)
			return fprintf(stderr, "out of memory\n"), 1;
	}
	for (long round = 0; round < ROUNDS; round++)
		for (int i = 0; i < nfig; i++)
			if (figures[i].dev->fd >= 0)
				time_calls(&figures[i], round * calls / ROUNDS, (round + 1) * calls / ROUNDS);
	for (int i = 0; i < 2; i++)
		if (devices[i]->fd >= 0) {
			if (devices[i]->watchdog)
				devices[i]->failed |= write(devices[i]->fd, "V", 1) != 1;
			close(devices[i]->fd);
		}
	for (int i = 0; i < nfig; i++) {
		if (figures[i].dev->fd >= 0)
			report(&figures[i], calls);
		else
			printf("{\"name\":\"%s\",\"error\":\"%s: %s\"}\n", figures[i].name,
			       figures[i].dev->path[0] ? figures[i].dev->path : figures[i].dev->identity,
			       figures[i].dev->error);
		free(figures[i].t);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-bench CALLS: ioctl round-trip latency on rpi_wdt's watchdog (Rust driver) and on softdog's (C
 * driver), both through the kernel's watchdog core, measured in one boot so that ratios hold:
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
 * Each figure is CALLS calls, each timed with CLOCK_MONOTONIC, interleaved in rounds across the figures;
 * prints one JSON object per line with the node, the median and the 99th percentile in nanoseconds. A
 * watchdog that cannot be found or opened prints {"name":..,"error":..} for each of its figures.
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

struct watchdog {
	const char *identity;
	char path[32];
	int fd, failed;
	const char *error;
};

struct figure {
	const char *name;
	struct watchdog *wdt;
	unsigned long cmd;
	uint64_t *t;
};

/* Finds and opens (arms) the watchdog whose sysfs identity is w->identity: /dev/watchdogN. */
static void open_watchdog(struct watchdog *w)
{
	char path[64], buf[64];

	w->fd = -1;
	for (int i = 0; i < 32 && !w->path[0]; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/watchdog/watchdog%d/identity", i);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			if (!strcmp(buf, w->identity))
				snprintf(w->path, sizeof(w->path), "/dev/watchdog%d", i);
		}
		fclose(f);
	}
	if (!w->path[0]) {
		w->error = "no watchdog with this identity in /sys/class/watchdog";
		return;
	}
	w->fd = open(w->path, O_WRONLY | O_CLOEXEC);
	if (w->fd < 0)
		w->error = strerror(errno);
}

static void time_calls(struct figure *f, long from, long to)
{
	int arg;

	/* Keep the armed watchdog fed between rounds (outside the timed calls). */
	f->wdt->failed |= ioctl(f->wdt->fd, WDIOC_KEEPALIVE, 0) != 0;
	for (long i = from; i < to; i++) {
		uint64_t start = now_ns();

		f->wdt->failed |= ioctl(f->wdt->fd, f->cmd, &arg) != 0;
		f->t[i] = now_ns() - start;
	}
}

static void report(struct figure *f, long calls)
{
	qsort(f->t, calls, sizeof(*f->t), cmp);
	printf("{\"name\":\"%s\",\"node\":\"%s\",\"calls\":%ld,\"median_ns\":%llu,\"p99_ns\":%llu,"
	       "\"min_ns\":%llu,\"failed\":%s}\n",
	       f->name, f->wdt->path, calls, (unsigned long long)f->t[calls / 2],
	       (unsigned long long)f->t[calls * 99 / 100], (unsigned long long)f->t[0],
	       f->wdt->failed ? "true" : "false");
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 10000;
	struct watchdog rpi_wdt = { .identity = "rpi_wdt BCM2835 PM watchdog" };
	struct watchdog softdog = { .identity = "Software Watchdog" };
	struct watchdog *watchdogs[] = { &rpi_wdt, &softdog };
	struct figure figures[] = {
		{ .name = "rpi_wdt_gettimeout", .wdt = &rpi_wdt, .cmd = WDIOC_GETTIMEOUT },
		{ .name = "softdog_gettimeout", .wdt = &softdog, .cmd = WDIOC_GETTIMEOUT },
		{ .name = "rpi_wdt_keepalive", .wdt = &rpi_wdt, .cmd = WDIOC_KEEPALIVE },
		{ .name = "softdog_keepalive", .wdt = &softdog, .cmd = WDIOC_KEEPALIVE },
	};
	const int nwdt = sizeof(watchdogs) / sizeof(watchdogs[0]);
	const int nfig = sizeof(figures) / sizeof(figures[0]);

	if (calls < 100 || calls % ROUNDS) {
		fprintf(stderr, "usage: %s CALLS (at least 100, a multiple of %d)\n", argv[0], ROUNDS);
		return 2;
	}
	for (int i = 0; i < nwdt; i++)
		open_watchdog(watchdogs[i]);
	for (int i = 0; i < nfig; i++) {
		figures[i].t = calloc(calls, sizeof(*figures[i].t));
		if (!figures[i].t)
			return fprintf(stderr, "out of memory\n"), 1;
	}
	for (long round = 0; round < ROUNDS; round++)
		for (int i = 0; i < nfig; i++)
			if (figures[i].wdt->fd >= 0)
				time_calls(&figures[i], round * calls / ROUNDS, (round + 1) * calls / ROUNDS);
	for (int i = 0; i < nwdt; i++)
		if (watchdogs[i]->fd >= 0) {
			watchdogs[i]->failed |= write(watchdogs[i]->fd, "V", 1) != 1;
			close(watchdogs[i]->fd);
		}
	for (int i = 0; i < nfig; i++) {
		if (figures[i].wdt->fd >= 0)
			report(&figures[i], calls);
		else
			printf("{\"name\":\"%s\",\"error\":\"%s: %s\"}\n", figures[i].name,
			       figures[i].wdt->path[0] ? figures[i].wdt->path : figures[i].wdt->identity,
			       figures[i].wdt->error);
		free(figures[i].t);
	}
	return 0;
}

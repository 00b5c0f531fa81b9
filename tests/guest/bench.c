// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-bench CALLS: ioctl round-trip latency, measured in one boot so that ratios hold:
 *   ctl_state        RPI_WDT_IOC_STATE on /dev/rpi-wdt-ctl (Rust, control node)
 *   rpi_wdt_gettimeout   WDIOC_GETTIMEOUT on /dev/rpi-wdt (Rust; opening arms the watchdog, so this needs
 *                    a countdown that counts: a board or the QEMU model; closed with magic close)
 *   softdog_gettimeout   WDIOC_GETTIMEOUT on /dev/watchdog0 (softdog: C, through the watchdog core;
 *                    load it with soft_noboot=1 first)
 * Each is CALLS calls, each timed with CLOCK_MONOTONIC; prints one JSON object per line with the median
 * and the 99th percentile in nanoseconds. A node that cannot be opened prints {"name":..,"error":..}.
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

#include "rpi_wdt_abi.h"

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

static void measure(const char *name, const char *path, int flags, unsigned long cmd, long calls, int magic_close)
{
	uint64_t *t = calloc(calls, sizeof(*t));
	unsigned char arg[64];
	int fd = open(path, flags), failed = 0;

	if (fd < 0 || !t) {
		printf("{\"name\":\"%s\",\"error\":\"%s: %s\"}\n", name, path, strerror(errno));
		free(t);
		return;
	}
	for (long i = 0; i < calls; i++) {
		uint64_t start = now_ns();

		failed |= ioctl(fd, cmd, arg) != 0;
		t[i] = now_ns() - start;
	}
	if (magic_close && write(fd, "V", 1) != 1)
		failed = 1;
	close(fd);
	qsort(t, calls, sizeof(*t), cmp);
	printf("{\"name\":\"%s\",\"calls\":%ld,\"median_ns\":%llu,\"p99_ns\":%llu,\"min_ns\":%llu,\"failed\":%s}\n",
	       name, calls, (unsigned long long)t[calls / 2], (unsigned long long)t[calls * 99 / 100],
	       (unsigned long long)t[0], failed ? "true" : "false");
	free(t);
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 10000;

	if (calls < 100) {
		fprintf(stderr, "usage: %s CALLS (at least 100)\n", argv[0]);
		return 2;
	}
	measure("ctl_state", RPI_WDT_CTL_NODE, O_RDWR, RPI_WDT_IOC_STATE, calls, 0);
	measure("rpi_wdt_gettimeout", RPI_WDT_NODE, O_WRONLY, WDIOC_GETTIMEOUT, calls, 1);
	measure("softdog_gettimeout", "/dev/watchdog0", O_WRONLY, WDIOC_GETTIMEOUT, calls, 1);
	return 0;
}

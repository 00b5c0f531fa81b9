// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-bench CALLS: ioctl round-trip latency, measured in one boot so that ratios hold:
 *   ctl_state        RPI_WDT_IOC_STATE on /dev/rpi-wdt-ctl (Rust, control node)
 *   rpi_wdt_gettimeout   WDIOC_GETTIMEOUT on /dev/rpi-wdt (Rust; opening arms the watchdog, so this needs
 *                    a countdown that counts: a board or the QEMU model; closed with magic close)
 *   softdog_gettimeout   WDIOC_GETTIMEOUT on /dev/watchdog0 (softdog: C, through the watchdog core;
 *                    load it with soft_noboot=1 first)
 * Each is CALLS calls, each timed with CLOCK_MONOTONIC, interleaved in rounds across the nodes; prints one JSON object per line with the median
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

/* Calls are made in ROUNDS rounds that visit the nodes in turn, so that a burst of host noise (QEMU on a
 * busy machine) lands on every node alike and the ratios hold. */
#define ROUNDS 20

struct node {
	const char *name, *path;
	int flags, magic_close;
	unsigned long cmd;
	int fd, failed;
	uint64_t *t;
};

static int open_node(struct node *n, long calls)
{
	n->t = calloc(calls, sizeof(*n->t));
	n->fd = open(n->path, n->flags);
	if (n->fd < 0 || !n->t) {
		printf("{\"name\":\"%s\",\"error\":\"%s: %s\"}\n", n->name, n->path, strerror(errno));
		if (n->fd >= 0)
			close(n->fd);
		n->fd = -1;
		return -1;
	}
	return 0;
}

static void time_calls(struct node *n, long from, long to)
{
	unsigned char arg[64];

	/* Keep an armed watchdog fed between rounds (outside the timed calls). */
	if (n->magic_close)
		n->failed |= ioctl(n->fd, WDIOC_KEEPALIVE, 0) != 0;
	for (long i = from; i < to; i++) {
		uint64_t start = now_ns();

		n->failed |= ioctl(n->fd, n->cmd, arg) != 0;
		n->t[i] = now_ns() - start;
	}
}

static void report(struct node *n, long calls)
{
	if (n->magic_close && write(n->fd, "V", 1) != 1)
		n->failed = 1;
	close(n->fd);
	qsort(n->t, calls, sizeof(*n->t), cmp);
	printf("{\"name\":\"%s\",\"calls\":%ld,\"median_ns\":%llu,\"p99_ns\":%llu,\"min_ns\":%llu,\"failed\":%s}\n",
	       n->name, calls, (unsigned long long)n->t[calls / 2], (unsigned long long)n->t[calls * 99 / 100],
	       (unsigned long long)n->t[0], n->failed ? "true" : "false");
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 10000;
	struct node nodes[] = {
		{ .name = "ctl_state", .path = RPI_WDT_CTL_NODE, .flags = O_RDWR, .cmd = RPI_WDT_IOC_STATE },
		{ .name = "rpi_wdt_gettimeout", .path = RPI_WDT_NODE, .flags = O_WRONLY, .magic_close = 1,
		  .cmd = WDIOC_GETTIMEOUT },
		{ .name = "softdog_gettimeout", .path = "/dev/watchdog0", .flags = O_WRONLY, .magic_close = 1,
		  .cmd = WDIOC_GETTIMEOUT },
	};
	const int count = sizeof(nodes) / sizeof(nodes[0]);
	int ok[sizeof(nodes) / sizeof(nodes[0])];

	if (calls < 100 || calls % ROUNDS) {
		fprintf(stderr, "usage: %s CALLS (at least 100, a multiple of %d)\n", argv[0], ROUNDS);
		return 2;
	}
	for (int i = 0; i < count; i++)
		ok[i] = open_node(&nodes[i], calls) == 0;
	for (long round = 0; round < ROUNDS; round++)
		for (int i = 0; i < count; i++)
			if (ok[i])
				time_calls(&nodes[i], round * calls / ROUNDS, (round + 1) * calls / ROUNDS);
	for (int i = 0; i < count; i++) {
		if (ok[i])
			report(&nodes[i], calls);
		free(nodes[i].t);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-reliability: abuse for the rpi_wdt device nodes, run on the debug kernel.
 *
 *   rpi-wdt-reliability fuzz ctl|std CALLS SEED
 *       CALLS ioctls with random commands (known ones, their neighbours with wrong sizes or directions,
 *       and random numbers) and random arguments (NULL, small integers, kernel addresses, unmapped,
 *       read-only and valid buffers). On the standard node (which arms the watchdog) every call is
 *       followed by a keepalive, and the node is closed with the magic character. Only errnos are
 *       expected back; the kernel log is checked by the harness.
 *   rpi-wdt-reliability stress SECONDS THREADS
 *       THREADS threads for SECONDS seconds, each mixing open and close of both nodes, control ioctls,
 *       standard ioctls and writes (the standard node answers EBUSY to all but one holder at a time).
 *
 * Prints one line per mode with its counts and ends with "ok" or "FAIL: reason".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed printed in the log. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static const unsigned long known_cmds[] = {
	RPI_WDT_IOC_INFO, RPI_WDT_IOC_STATE, RPI_WDT_IOC_BOOT_STATUS, RPI_WDT_IOC_SET_TIMEOUT,
	RPI_WDT_IOC_START, RPI_WDT_IOC_STOP, RPI_WDT_IOC_PING,
	WDIOC_GETSUPPORT, WDIOC_GETSTATUS, WDIOC_GETBOOTSTATUS, WDIOC_GETTEMP, WDIOC_SETOPTIONS,
	WDIOC_KEEPALIVE, WDIOC_SETTIMEOUT, WDIOC_GETTIMEOUT, WDIOC_SETPRETIMEOUT, WDIOC_GETPRETIMEOUT,
	WDIOC_GETTIMELEFT,
};
#define NKNOWN (sizeof(known_cmds) / sizeof(known_cmds[0]))

static char *valid, *readonly;

static unsigned long random_cmd_any(int std_node)
{
	unsigned long cmd = known_cmds[rnd() % NKNOWN];

	switch (rnd() % 6) {
	case 0:
		return cmd;
	case 1: /* wrong size */
		return (cmd & ~(0x3fffUL << 16)) | ((rnd() % 0x4000) << 16);
	case 2: /* wrong direction */
		return (cmd & ~(3UL << 30)) | ((rnd() % 4) << 30);
	case 3: /* neighbouring number */
		return (cmd & ~0xffUL) | (rnd() & 0xff);
	case 4:
		return (uint32_t)rnd();
	default:
		return std_node ? WDIOC_KEEPALIVE : RPI_WDT_IOC_STATE;
	}
}

static unsigned long random_cmd(int std_node)
{
	unsigned long cmd = random_cmd_any(std_node);

	/*
	 * START through the control node would arm the watchdog with whatever timeout the fuzzer set and
	 * nothing would ping it: the machine would reset. Everything else may run.
	 */
	return cmd == RPI_WDT_IOC_START ? RPI_WDT_IOC_STATE : cmd;
}

static void *random_arg(void)
{
	switch (rnd() % 8) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(rnd() % 4096);
	case 2:
		return (void *)(uintptr_t)0xffff000000000000ULL;
	case 3:
		return (void *)(uintptr_t)(rnd() | 0x8000000000000000ULL);
	case 4:
		return readonly + (rnd() % 4000);
	case 5:
		return valid + 4096 - 1 - (rnd() % 8); /* straddles into the guard page */
	default:
		/* A valid buffer with random content, including timeouts and options. */
		for (int i = 0; i < 64; i++)
			valid[i] = (char)rnd();
		*(int *)valid = (int)(rnd() % 20) - 2;
		return valid;
	}
}

static int fuzz(const char *which, long calls, uint64_t seed)
{
	int std_node = !strcmp(which, "std");
	const char *path = std_node ? RPI_WDT_NODE : RPI_WDT_CTL_NODE;
	long errors = 0, ok = 0, hist[256] = { 0 };
	int fd, t = 15;
	char *pages;

	rng_state = seed ? seed : 1;
	pages = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		return printf("FAIL: mmap\n"), 1;
	valid = pages;
	readonly = pages + 2 * 4096;
	mprotect(pages + 4096, 4096, PROT_NONE);
	mprotect(readonly, 4096, PROT_READ);

	fd = open(path, std_node ? O_WRONLY : O_RDWR);
	if (fd < 0)
		return printf("FAIL: open %s: %s\n", path, strerror(errno)), 1;
	if (std_node)
		ioctl(fd, WDIOC_SETTIMEOUT, &t);
	for (long i = 0; i < calls; i++) {
		if (ioctl(fd, random_cmd(std_node), random_arg()) == 0)
			ok++;
		else {
			errors++;
			hist[errno & 0xff]++;
		}
		if (std_node) {
			/* Keep the countdown far from zero whatever the fuzzer set. */
			t = 15;
			ioctl(fd, WDIOC_SETTIMEOUT, &t);
		}
	}
	if (std_node && (write(fd, "V", 1) != 1))
		printf("FAIL: magic close write: %s\n", strerror(errno));
	close(fd);
	printf("fuzz %s: %ld calls (seed %llu): %ld succeeded, %ld failed: EFAULT %ld EINVAL %ld ENOTTY %ld EBUSY %ld "
	       "EOPNOTSUPP %ld\n",
	       which, calls, (unsigned long long)seed, ok, errors, hist[EFAULT], hist[EINVAL], hist[ENOTTY], hist[EBUSY],
	       hist[EOPNOTSUPP & 0xff]);
	return 0;
}

struct worker {
	int id;
	double seconds;
	long ops, busy;
	const char *failure;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *stress_worker(void *arg)
{
	struct worker *w = arg;
	double end = now_s() + w->seconds;
	struct rpi_wdt_state st;
	struct watchdog_info info;
	int v;

	while (now_s() < end && !w->failure) {
		int ctl = open(RPI_WDT_CTL_NODE, O_RDWR);
		int std = open(RPI_WDT_NODE, O_WRONLY);

		if (ctl < 0) {
			w->failure = "control node open failed";
			break;
		}
		if (std < 0 && errno != EBUSY) {
			w->failure = "standard node open failed with something other than EBUSY";
			break;
		}
		if (std < 0)
			w->busy++;
		for (int i = 0; i < 20; i++) {
			ioctl(ctl, RPI_WDT_IOC_STATE, &st);
			ioctl(ctl, RPI_WDT_IOC_INFO, &info);
			if (std >= 0) {
				v = 15;
				ioctl(std, WDIOC_SETTIMEOUT, &v);
				ioctl(std, WDIOC_KEEPALIVE, NULL);
				ioctl(std, WDIOC_GETTIMELEFT, &v);
				if (write(std, "x", 1) != 1)
					w->failure = "write to the standard node failed";
			}
			w->ops += std >= 0 ? 6 : 2;
		}
		if (std >= 0) {
			if (write(std, "V", 1) != 1)
				w->failure = "magic close write failed";
			close(std);
		}
		close(ctl);
	}
	return NULL;
}

static int stress(double seconds, int threads)
{
	pthread_t tid[64];
	struct worker w[64];
	long ops = 0, busy = 0;
	const char *failure = NULL;

	if (threads < 1 || threads > 64)
		return printf("FAIL: 1..64 threads\n"), 1;
	for (int i = 0; i < threads; i++) {
		w[i] = (struct worker){ .id = i, .seconds = seconds };
		pthread_create(&tid[i], NULL, stress_worker, &w[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		ops += w[i].ops;
		busy += w[i].busy;
		if (w[i].failure)
			failure = w[i].failure;
	}
	printf("stress: %d threads for %.0f s: %ld operations, %ld standard-node opens answered EBUSY\n", threads,
	       seconds, ops, busy);
	if (failure)
		return printf("FAIL: %s\n", failure), 1;
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "fuzz"))
		rc = fuzz(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0));
	else if (argc == 4 && !strcmp(argv[1], "stress"))
		rc = stress(atof(argv[2]), atoi(argv[3]));
	else {
		fprintf(stderr, "usage: %s fuzz ctl|std CALLS SEED | stress SECONDS THREADS\n", argv[0]);
		return 2;
	}
	printf(rc ? "" : "ok\n");
	return rc;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-reliability: abuse for rpi_wdt's watchdog nodes (the kernel's watchdog core on top of the
 * driver), run with the kernel's debug options on. Both nodes arm the watchdog when opened: run it
 * only where the watchdog counts (a board, or QEMU with the project's watchdog model).
 *
 *   rpi-wdt-reliability fuzz NODE CALLS SEED
 *       NODE is /dev/watchdogN or the legacy /dev/watchdog, and must be rpi_wdt's (checked in sysfs).
 *       CALLS ioctls with random commands (the WDIOC_* ones, the same with wrong sizes, directions and
 *       types, their neighbours, and random numbers) and random arguments (NULL, small integers, kernel
 *       addresses, unmapped, read-only, straddling and valid buffers; in valid buffers timeouts from 0 to
 *       UINT_MAX and random options). After every call a safe timeout (15 s) is set again, which also
 *       pings, so no fuzzed timeout (1 s is valid) can reset the machine; one call in 16 is followed by
 *       a write of random bytes (bad pointers included). The node is always closed with the magic
 *       character, also on a fatal signal. The only errnos expected back are EFAULT, EINVAL, ENOTTY and
 *       EOPNOTSUPP; any other (EBUSY and ENODEV included) fails. The kernel log is checked by the harness.
 *   rpi-wdt-reliability stress SECONDS THREADS
 *       THREADS threads for SECONDS seconds mixing: opens of /dev/watchdog0 and /dev/watchdog (single
 *       open across both: all but one holder get EBUSY), the holder's ioctls (safe timeouts, some above
 *       the hardware's 16 s so the core's worker pings, keepalive, time left, status, stop and start),
 *       writes (including 'V' followed by more writes, which cancel it), the holder sharing its file
 *       with the other threads for concurrent ioctls on one file, magic close, and reads of every sysfs
 *       file of the watchdog.
 *
 * Prints one line per mode with its counts and ends with "ok" or "FAIL: reason"; exits 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

#include "fuzz.h"

#define IDENTITY "rpi_wdt BCM2835 PM watchdog"
/* Within one load of the hardware's 20-bit counter (16 s): the safest timeout there is. */
#define SAFE_TIMEOUT 15
#define NERRNO 512

/* The files of /sys/class/watchdog/watchdogN/ for rpi_wdt: the core's and the driver's two. */
static const char *const sysfs_files[] = {
	"identity", "state",	"options", "timeout",	 "min_timeout",	 "max_timeout", "timeleft",
	"bootstatus", "status", "nowayout", "fw_version", "reset_reason", "rsts",
};
#define NSYSFS (sizeof(sysfs_files) / sizeof(sysfs_files[0]))

/* ---- safety: every open watchdog file gets the magic character, even when the program dies ---- */

#define MAX_HELD 64
static volatile int held[MAX_HELD];

static void hold(int slot, int fd)
{
	held[slot] = fd + 1;
}

static void magic_close(int slot, int fd, const char **failure)
{
	if (write(fd, "V", 1) != 1 && failure && !*failure)
		*failure = "the magic close write failed";
	held[slot] = 0;
	close(fd);
}

static void on_fatal_signal(int sig)
{
	static const char msg[] = "FAIL: fatal signal: wrote the magic character to every open watchdog file\n";

	for (int i = 0; i < MAX_HELD; i++)
		if (held[i] > 0) {
			if (write(held[i] - 1, "V", 1) < 0) {
				/* Nothing more to do in a signal handler. */
			}
			close(held[i] - 1);
		}
	if (write(1, msg, sizeof(msg) - 1) < 0) {
		/* As above. */
	}
	_exit(128 + sig);
}

static void install_signal_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTERM, SIGINT, SIGHUP, SIGPIPE };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- sysfs ---- */

/* Finds /sys/class/watchdog/watchdogN of a node from its device number; 0 on success. */
static int sysfs_dir_of(const char *node, char *dir, size_t size)
{
	struct stat st;
	char path[96], want[32], have[32];

	if (stat(node, &st) != 0 || !S_ISCHR(st.st_mode))
		return -1;
	/* The legacy /dev/watchdog (misc 10:130) is always watchdog0's. */
	if (major(st.st_rdev) == 10 && minor(st.st_rdev) == 130) {
		snprintf(dir, size, "/sys/class/watchdog/watchdog0");
		return 0;
	}
	snprintf(want, sizeof(want), "%u:%u\n", major(st.st_rdev), minor(st.st_rdev));
	for (int n = 0; n < 32; n++) {
		FILE *f;
		int match;

		snprintf(path, sizeof(path), "/sys/class/watchdog/watchdog%d/dev", n);
		f = fopen(path, "r");
		if (!f)
			continue;
		match = fgets(have, sizeof(have), f) && !strcmp(have, want);
		fclose(f);
		if (match) {
			snprintf(dir, size, "/sys/class/watchdog/watchdog%d", n);
			return 0;
		}
	}
	return -1;
}

/* Reads a sysfs file into buf without its newline; the errno on failure, else 0. */
static int read_sysfs(const char *dir, const char *name, char *buf, size_t size)
{
	char path[160];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, buf, size - 1);
	err = n < 0 ? errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* The node must be rpi_wdt's and stopped: fuzzing another watchdog, or one something else holds, is
 * not what this program is for. */
static int check_node(const char *node, char *dir, size_t size)
{
	char buf[64];

	if (sysfs_dir_of(node, dir, size) != 0)
		return printf("FAIL: %s: no /sys/class/watchdog entry (is it a watchdog node?)\n", node), -1;
	if (read_sysfs(dir, "identity", buf, sizeof(buf)) != 0 || strcmp(buf, IDENTITY))
		return printf("FAIL: %s (%s) is \"%s\", not rpi_wdt\n", node, dir, buf), -1;
	if (read_sysfs(dir, "state", buf, sizeof(buf)) != 0 || strcmp(buf, "inactive"))
		return printf("FAIL: %s (%s) is %s before the run: something holds it\n", node, dir, buf), -1;
	return 0;
}

/* ---- fuzz ---- */

static const unsigned long known_cmds[] = {
	WDIOC_GETSUPPORT,    WDIOC_GETSTATUS,	 WDIOC_GETBOOTSTATUS, WDIOC_GETTEMP,
	WDIOC_SETOPTIONS,    WDIOC_KEEPALIVE,	 WDIOC_SETTIMEOUT,    WDIOC_GETTIMEOUT,
	WDIOC_SETPRETIMEOUT, WDIOC_GETPRETIMEOUT, WDIOC_GETTIMELEFT,
};
#define NKNOWN (sizeof(known_cmds) / sizeof(known_cmds[0]))

/* Timeouts worth trying: the edges of the core's range (1..UINT_MAX/1000), of one hardware load (16 s),
 * and the nonsense around them. */
static const int32_t timeouts[] = {
	0, 1, 2, 3, 15, 16, 17, 30, 255, 256, 65535, 65536, 4294967, 4294968, 0x7fffffff, -1, -2, INT32_MIN,
};
#define NTIMEOUTS (sizeof(timeouts) / sizeof(timeouts[0]))

static unsigned long random_cmd(void)
{
	unsigned long cmd = known_cmds[rnd() % NKNOWN];
	unsigned int how = rnd() % (2 + MANGLINGS);

	return how < 2 ? cmd : mangle_cmd(cmd, how - 2);
}

static void *random_arg(void)
{
	void *arg = bad_pointer_or_random_valid();

	if (arg != valid)
		return arg;
	/* The valid buffer with random content, its first word a timeout or options worth trying. */
	switch (rnd() % 3) {
	case 0:
		*(int32_t *)valid = timeouts[rnd() % NTIMEOUTS];
		break;
	case 1:
		*(int32_t *)valid = (int32_t)(rnd() % 8); /* WDIOS_DISABLECARD, ENABLECARD, TEMPPANIC */
		break;
	default:
		break;
	}
	return valid;
}

static int expected_errno(int e)
{
	return e == EFAULT || e == EINVAL || e == ENOTTY || e == EOPNOTSUPP;
}

static int fuzz(const char *node, long calls, uint64_t seed)
{
	long ok = 0, failed = 0, writes = 0, write_efault = 0, hist[NERRNO] = { 0 }, other = 0;
	int fd, t, first_other = 0;
	const char *failure = NULL;
	char dir[64], buf[64];
	double start;
	struct timespec ts;

	if (check_node(node, dir, sizeof(dir)) != 0)
		return 1;
	rng_state = seed ? seed : 1;
	/* A read-only timeout that is valid: the core sets it, then cannot reply (EFAULT). */
	if (map_argument_pages(&(int32_t){ 3 }, sizeof(int32_t)) != 0)
		return printf("FAIL: mmap\n"), 1;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = ts.tv_sec + ts.tv_nsec / 1e9;
	fd = open(node, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return printf("FAIL: open %s: %s\n", node, strerror(errno)), 1;
	hold(0, fd);
	t = SAFE_TIMEOUT;
	if (ioctl(fd, WDIOC_SETTIMEOUT, &t) != 0)
		failure = "could not set the safe timeout after open";
	for (long i = 0; i < calls && !failure; i++) {
		if (ioctl(fd, random_cmd(), random_arg()) == 0) {
			ok++;
		} else {
			int e = errno;

			failed++;
			hist[e < NERRNO ? e : 0]++;
			if (!expected_errno(e) && !other++)
				first_other = e;
		}
		if ((rnd() % 16) == 0) {
			/* Random bytes (a 'V' among them only matters at close, and the magic close
			 * below writes its own), lengths and pointers. */
			size_t len = rnd() % 16;

			if (write(fd, rnd() & 1 ? (void *)valid : random_arg(), len) < 0) {
				if (errno == EFAULT)
					write_efault++;
				else if (!other++)
					first_other = errno;
			}
			writes++;
		}
		/* Keep the countdown far from zero whatever the fuzzer set; this also pings. A stopped
		 * watchdog (WDIOS_DISABLECARD) stays stopped. */
		t = SAFE_TIMEOUT;
		if (ioctl(fd, WDIOC_SETTIMEOUT, &t) != 0 || t != SAFE_TIMEOUT)
			failure = "could not set the safe timeout again";
		if ((i & 4095) == 4095 && !failure) {
			t = 0;
			if (ioctl(fd, WDIOC_GETTIMEOUT, &t) != 0 || t != SAFE_TIMEOUT)
				failure = "GETTIMEOUT does not read back the safe timeout";
			else if (read_sysfs(dir, "timeout", buf, sizeof(buf)) != 0 || atoi(buf) != SAFE_TIMEOUT)
				failure = "sysfs timeout does not read back the safe timeout";
		}
	}
	magic_close(0, fd, &failure);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!failure && (read_sysfs(dir, "state", buf, sizeof(buf)) != 0 || strcmp(buf, "inactive")))
		failure = "the watchdog still runs after magic close";
	printf("fuzz %s (%s): %ld calls (seed %#llx) in %.1f s: %ld succeeded, %ld failed: EFAULT %ld EINVAL %ld "
	       "ENOTTY %ld EOPNOTSUPP %ld EBUSY %ld ENODEV %ld; %ld writes, %ld of them EFAULT; other errnos %ld\n",
	       node, strrchr(dir, '/') + 1, calls, (unsigned long long)seed, ts.tv_sec + ts.tv_nsec / 1e9 - start, ok,
	       failed, hist[EFAULT], hist[EINVAL], hist[ENOTTY], hist[EOPNOTSUPP], hist[EBUSY], hist[ENODEV], writes,
	       write_efault, other);
	if (other)
		return printf("FAIL: %ld unexpected errnos, the first %d (%s)\n", other, first_other,
			      strerror(first_other)),
		       1;
	if (failure)
		return printf("FAIL: %s\n", failure), 1;
	return 0;
}

/* ---- stress ---- */

static const char *const nodes[] = { "/dev/watchdog0", "/dev/watchdog" };
static char stress_dir[64];
/* The holder's file, shared with the other threads while published; the write lock is taken to
 * unpublish it, so nobody writes to it between the magic character and the close. */
static pthread_rwlock_t shared_lock;
static int shared_fd = -1;

struct worker {
	int id;
	double seconds;
	uint64_t rng;
	long ops, opens[2], busy[2], shared_ops, sysfs_reads, errs[NERRNO];
	int sysfs_fd[NSYSFS];
	const char *failure;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t wrnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

static void fail(struct worker *w, const char *why)
{
	if (!w->failure)
		w->failure = why;
}

/* One ioctl that must succeed; counts it. */
static void must(struct worker *w, int fd, unsigned long cmd, void *arg, const char *why)
{
	w->ops++;
	if (ioctl(fd, cmd, arg) != 0) {
		w->errs[errno < NERRNO ? errno : 0]++;
		fail(w, why);
	}
}

/* A few operations on an open rpi_wdt file; safe whoever else uses it at the same time. */
static void file_ops(struct worker *w, int fd)
{
	/* All at least 10 s; above 16 s the core's worker pings the hardware meanwhile. */
	static const int safe[] = { 10, 15, 16, 17, 30, 120 };
	struct watchdog_info info;
	int v;

	switch (wrnd(w) % 10) {
	case 0:
		v = safe[wrnd(w) % (sizeof(safe) / sizeof(safe[0]))];
		must(w, fd, WDIOC_SETTIMEOUT, &v, "SETTIMEOUT of a safe value failed");
		break;
	case 1:
		must(w, fd, WDIOC_KEEPALIVE, NULL, "KEEPALIVE failed");
		break;
	case 2:
		must(w, fd, WDIOC_GETTIMELEFT, &v, "GETTIMELEFT failed");
		break;
	case 3:
		must(w, fd, WDIOC_GETTIMEOUT, &v, "GETTIMEOUT failed");
		if (v < 10)
			fail(w, "GETTIMEOUT read a timeout nobody set");
		break;
	case 4:
		must(w, fd, WDIOC_GETSTATUS, &v, "GETSTATUS failed");
		must(w, fd, WDIOC_GETBOOTSTATUS, &v, "GETBOOTSTATUS failed");
		break;
	case 5:
		must(w, fd, WDIOC_GETSUPPORT, &info, "GETSUPPORT failed");
		if (strcmp((char *)info.identity, IDENTITY))
			fail(w, "GETSUPPORT identity is not rpi_wdt's");
		break;
	case 6: /* stop and start again */
		v = WDIOS_DISABLECARD;
		must(w, fd, WDIOC_SETOPTIONS, &v, "SETOPTIONS DISABLECARD failed");
		v = WDIOS_ENABLECARD;
		must(w, fd, WDIOC_SETOPTIONS, &v, "SETOPTIONS ENABLECARD failed");
		break;
	case 7:
		w->ops++;
		v = 1;
		if (ioctl(fd, WDIOC_SETPRETIMEOUT, &v) == 0 || errno != EOPNOTSUPP)
			fail(w, "SETPRETIMEOUT did not answer EOPNOTSUPP");
		must(w, fd, WDIOC_GETPRETIMEOUT, &v, "GETPRETIMEOUT failed");
		break;
	case 8: /* 'V' then more: the later write cancels the magic close */
		w->ops += 2;
		if (write(fd, "xV", 2) != 2 || write(fd, "x", 1) != 1)
			fail(w, "a write to the node failed");
		break;
	default:
		w->ops++;
		if (write(fd, "ping", 4) != 4)
			fail(w, "a write to the node failed");
		break;
	}
}

/* Reads one sysfs file of the watchdog: mostly again through a file the thread keeps open (the show
 * callback runs on every read from offset 0), one read in eight through a fresh open. */
static void read_sysfs_file(struct worker *w)
{
	unsigned i = wrnd(w) % NSYSFS;
	char buf[128];
	ssize_t n;
	int e = 0;

	w->sysfs_reads++;
	if ((wrnd(w) & 7) == 0 || w->sysfs_fd[i] < 0) {
		e = read_sysfs(stress_dir, sysfs_files[i], buf, sizeof(buf));
	} else {
		n = pread(w->sysfs_fd[i], buf, sizeof(buf) - 1, 0);
		if (n < 0)
			e = errno;
		else {
			buf[n] = 0;
			buf[strcspn(buf, "\n")] = 0;
		}
	}
	if (e) {
		w->errs[e < NERRNO ? e : 0]++;
		fail(w, "a sysfs read failed");
	} else if (i == 0 && strcmp(buf, IDENTITY)) {
		fail(w, "sysfs identity changed");
	} else if (i == 1 && strcmp(buf, "active") && strcmp(buf, "inactive")) {
		fail(w, "sysfs state is neither active nor inactive");
	}
}

static void *stress_worker(void *arg)
{
	struct worker *w = arg;
	double end = now_s() + w->seconds;
	char path[160];

	for (unsigned i = 0; i < NSYSFS; i++) {
		snprintf(path, sizeof(path), "%s/%s", stress_dir, sysfs_files[i]);
		w->sysfs_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	while (now_s() < end && !w->failure) {
		int which = wrnd(w) & 1;
		int fd = open(nodes[which], O_WRONLY | O_CLOEXEC);

		if (fd < 0) {
			if (errno != EBUSY) {
				w->errs[errno < NERRNO ? errno : 0]++;
				fail(w, "opening a node failed with something other than EBUSY");
				break;
			}
			w->busy[which]++;
			/* Someone holds it: use the holder's file if it is shared, and read sysfs. */
			if (pthread_rwlock_tryrdlock(&shared_lock) == 0) {
				if (shared_fd >= 0)
					for (int i = 0; i < 5; i++, w->shared_ops++)
						file_ops(w, shared_fd);
				pthread_rwlock_unlock(&shared_lock);
			}
			read_sysfs_file(w);
			continue;
		}
		hold(1 + w->id, fd);
		w->opens[which]++;
		{
			int share = wrnd(w) & 1, rounds = 1 + wrnd(w) % 24;

			if (share) {
				pthread_rwlock_wrlock(&shared_lock);
				shared_fd = fd;
				pthread_rwlock_unlock(&shared_lock);
			}
			for (int i = 0; i < rounds && !w->failure; i++) {
				if (share)
					pthread_rwlock_rdlock(&shared_lock);
				file_ops(w, fd);
				if (share)
					pthread_rwlock_unlock(&shared_lock);
				if ((wrnd(w) & 3) == 0)
					read_sysfs_file(w);
			}
			pthread_rwlock_wrlock(&shared_lock);
			if (shared_fd == fd)
				shared_fd = -1;
			/* A last safe timeout before the magic close, in case a sharer left it high. */
			{
				int v = SAFE_TIMEOUT;

				must(w, fd, WDIOC_SETTIMEOUT, &v, "SETTIMEOUT before close failed");
			}
			magic_close(1 + w->id, fd, &w->failure);
			pthread_rwlock_unlock(&shared_lock);
		}
	}
	for (unsigned i = 0; i < NSYSFS; i++)
		if (w->sysfs_fd[i] >= 0)
			close(w->sysfs_fd[i]);
	return NULL;
}

static int stress(double seconds, int threads)
{
	pthread_t tid[MAX_HELD - 1];
	static struct worker w[MAX_HELD - 1];
	long ops = 0, opens[2] = { 0 }, busy[2] = { 0 }, shared = 0, reads = 0, errs[NERRNO] = { 0 };
	const char *failure = NULL;
	char dir2[64], buf[64];

	if (threads < 1 || threads > MAX_HELD - 1)
		return printf("FAIL: 1..%d threads\n", MAX_HELD - 1), 1;
	for (int i = 0; i < 2; i++)
		if (check_node(nodes[i], i ? dir2 : stress_dir, sizeof(stress_dir)) != 0)
			return 1;
	if (strcmp(stress_dir, dir2))
		return printf("FAIL: %s is %s but %s is %s: rpi_wdt must be watchdog0\n", nodes[0], stress_dir, nodes[1],
			      dir2),
		       1;
	{
		/* Writer first: sharers must not keep the holder from closing its file. */
		pthread_rwlockattr_t attr;

		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&shared_lock, &attr);
	}
	for (int i = 0; i < threads; i++) {
		w[i] = (struct worker){ .id = i, .seconds = seconds, .rng = 0x5eed0000ULL + (uint64_t)i * 7919 };
		pthread_create(&tid[i], NULL, stress_worker, &w[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		ops += w[i].ops;
		shared += w[i].shared_ops;
		reads += w[i].sysfs_reads;
		for (int n = 0; n < 2; n++) {
			opens[n] += w[i].opens[n];
			busy[n] += w[i].busy[n];
		}
		for (int e = 0; e < NERRNO; e++)
			errs[e] += w[i].errs[e];
		if (w[i].failure && !failure)
			failure = w[i].failure;
	}
	if (!failure && (read_sysfs(stress_dir, "state", buf, sizeof(buf)) != 0 || strcmp(buf, "inactive")))
		failure = "the watchdog still runs after the last magic close";
	printf("stress: %d threads for %.0f s: %ld operations (%ld on a shared file), %ld sysfs reads; opens: "
	       "%s %ld + %s %ld, EBUSY %ld + %ld; unexpected errors: EFAULT %ld EINVAL %ld ENOTTY %ld EOPNOTSUPP %ld "
	       "EBUSY %ld ENODEV %ld\n",
	       threads, seconds, ops, shared, reads, nodes[0], opens[0], nodes[1], opens[1], busy[0], busy[1],
	       errs[EFAULT], errs[EINVAL], errs[ENOTTY], errs[EOPNOTSUPP], errs[EBUSY], errs[ENODEV]);
	if (!opens[0] || !opens[1] || (threads > 1 && (!busy[0] || !busy[1])))
		failure = failure ? failure : "a node was never opened, or never found busy: the mix did not happen";
	if (failure)
		return printf("FAIL: %s\n", failure), 1;
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	install_signal_handlers();
	if (argc == 5 && !strcmp(argv[1], "fuzz"))
		rc = fuzz(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0));
	else if (argc == 4 && !strcmp(argv[1], "stress"))
		rc = stress(atof(argv[2]), atoi(argv[3]));
	else {
		fprintf(stderr, "usage: %s fuzz NODE CALLS SEED | stress SECONDS THREADS\n", argv[0]);
		return 2;
	}
	printf(rc ? "" : "ok\n");
	return rc;
}

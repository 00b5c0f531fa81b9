// SPDX-License-Identifier: GPL-2.0
/*
 * rpi-wdt-run-as UID COMMAND [ARGS...]: runs COMMAND as an unprivileged user (uid and gid UID, no
 * supplementary groups). The guest's busybox has no su or chpst; the tests need a non-root caller to
 * check that the device nodes refuse it.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "usage: %s UID COMMAND [ARGS...]\n", argv[0]);
		return 2;
	}
	id = (uid_t)strtoul(argv[1], NULL, 10);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("rpi-wdt-run-as: cannot drop privileges");
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror("rpi-wdt-run-as: exec");
	return 127;
}

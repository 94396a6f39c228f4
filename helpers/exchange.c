/*
 * exchange.c: swap two names again and again, for a test of races.
 *
 *     exchange A B SECONDS
 *
 * For SECONDS, A and B trade places with renameat2(2) and
 * RENAME_EXCHANGE, each swap atomic: whoever looks up A finds one of
 * the two, never neither. With A a directory and B a symbolic link, a
 * program that checks A and then uses it by its path can check the
 * directory and use the link: the race of runc's CVE-2021-30465, which
 * tests/stages.bats runs against container.c's volumes. Host side
 * only; the rootfs gets a copy with the other helpers, unused there.
 *
 * Exit status: 0 when the time is up, 1 when a swap failed, 2 for a
 * usage error. Linux 3.15 on.
 */

#define _GNU_SOURCE            /* renameat2(), RENAME_EXCHANGE */
#include <fcntl.h>             /* AT_FDCWD */
#include <stdio.h>             /* fprintf(), perror() */
#include <stdlib.h>            /* strtol() */
#include <time.h>              /* time() */

int main(int argc, char *argv[])
{
	long seconds;
	time_t end;
	char *rest;

	if (argc != 4 || (seconds = strtol(argv[3], &rest, 10)) <= 0 ||
	    *rest != '\0') {
		fprintf(stderr, "usage: exchange A B SECONDS\n");
		return 2;
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end)
		for (int i = 0; i < 1000; i++)
			if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2],
				      RENAME_EXCHANGE) < 0) {
				perror("exchange: renameat2");
				return 1;
			}
	return 0;
}

/*
 * memory-hog.c: take memory a mebibyte at a time and touch every page,
 * so that it is really used, until it holds the amount asked for.
 *
 *     memory-hog MIB
 *
 * It prints a line every 16 MiB, so a learner sees how far it got
 * before the kernel's OOM killer ended it at the container's
 * --memory limit (stage 6). Exits 0 when it got all MIB mebibytes,
 * 1 when malloc(3) said no (a limit that fails allocations instead
 * of killing, such as a ulimit), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024 * 1024)

int main(int argc, char **argv)
{
	char *end;
	long want = argc == 2 ? strtol(argv[1], &end, 10) : 0;

	if (argc != 2 || *end != '\0' || want <= 0) {
		fprintf(stderr, "usage: memory-hog MIB\n");
		return 2;
	}
	for (long got = 1; got <= want; got++) {
		char *block = malloc(MIB);

		if (block == NULL) {
			printf("memory-hog: malloc failed after %ld MiB\n",
			       got - 1);
			return 1;
		}
		memset(block, 1, MIB);   /* touch it: now it counts */
		if (got % 16 == 0)
			printf("memory-hog: %ld MiB\n", got);
		fflush(stdout);
	}
	printf("memory-hog: got all %ld MiB\n", want);
	return 0;
}

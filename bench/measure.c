/*
 * measure.c: run a command once and print how long it took, start to
 * exit, and the peak resident memory of its processes:
 *
 *     measure COMMAND [ARG...]    prints "MICROSECONDS KIB STATUS"
 *
 * For bench/runtimes.sh, which times container runtimes side by side.
 * A shell cannot do it well: `date` in a pipeline costs a fork and an
 * exec of its own, and bash's `time` reports no memory. Here the clock
 * is read just before fork(2) and just after wait4(2) returns, and
 * wait4 hands back the command's resource usage (getrusage(2)): its
 * ru_maxrss is the largest resident set of the command's process and
 * of the processes it waited for itself, in kibibytes.
 *
 * The command's output goes to /dev/null, so that only the numbers
 * reach the caller. STATUS is the command's exit status, or 128+N when
 * signal N ended it.
 *
 * Build: cc -O2 -Wall -Wextra -Werror -o build/bench/measure bench/measure.c
 */

#define _GNU_SOURCE
#include <fcntl.h>        /* open() of /dev/null */
#include <stdio.h>        /* printf() */
#include <sys/resource.h> /* struct rusage */
#include <sys/wait.h>     /* wait4() */
#include <time.h>         /* clock_gettime(), CLOCK_MONOTONIC */
#include <unistd.h>       /* fork(), execvp(), dup2() */

/* Microseconds on a clock that never jumps. */
static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

/* The child: output to /dev/null, then become the command. */
static void run_command(char **argv)
{
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	execvp(argv[0], argv);
	_exit(127);
}

int main(int argc, char **argv)
{
	struct rusage usage;
	long long start;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: measure COMMAND [ARG...]\n");
		return 2;
	}
	start = now_us();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0)
		run_command(argv + 1);
	if (wait4(pid, &status, 0, &usage) < 0) {
		perror("measure: wait4");
		return 2;
	}
	printf("%lld %ld %d\n", now_us() - start, usage.ru_maxrss,
	       WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
	       WEXITSTATUS(status));
	return 0;
}

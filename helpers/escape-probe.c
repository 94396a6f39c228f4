/*
 * escape-probe.c: try the classic ways out of a container, or around
 * its limits, one at a time, and say in one line how each one went.
 *
 *     escape-probe ATTEMPT [ARG...]     inside a container
 *     escape-probe list                 the attempts, one a line
 *     escape-probe handle PATH          on the host, for open-by-handle
 *
 * Why this program exists
 * -----------------------
 * A container is a process the kernel has been asked to lie to, and
 * each stage of container.c asks for one more lie. Which lie stops
 * which attack is easy to state and easy to get wrong. So a lab runs
 * every attempt below in a container of every stage, 0 to 8, and
 * prints a table: a row per attempt, a column per stage, in each cell
 * the verdict and the error that stopped it. Where a row turns from
 * ESCAPED to BLOCKED, some isolation closed that door; the error says
 * which.
 *
 * Harmless, even when it escapes
 * ------------------------------
 * The early stages run as real root on the host, with nothing between
 * this program and the kernel. So every attempt proves an ability
 * without using it, and undoes what it did before it reports:
 *
 *   - it mounts read-only where it can, and unmounts at once; it opens
 *     the kernel's files for writing and writes nothing;
 *   - it sets the clock's tick and the Ctrl-Alt-Del switch to the
 *     values they already have;
 *   - it signals with signal 0, which checks the permission and
 *     delivers nothing (kill(2)), and lets a traced process go at once;
 *   - its fork and memory bombs are bounded, and end their children
 *     and give their memory back before the verdict;
 *   - what changes the process itself (its root directory, its
 *     namespaces) happens in a child process, so the probe stays put;
 *   - its temporary directories, device node and key are removed on
 *     every path.
 *
 * Output
 * ------
 * Exactly one line on stdout, and an exit status that repeats it:
 *
 *     ESCAPED: <what it could do>                        exit 0
 *     BLOCKED: <the call that failed>: <ENAME>: <text>   exit 1
 *     N/A: <why this machine cannot tell>                exit 2
 *
 * A usage error is one line on stderr and exit 3. A cleanup that
 * fails is reported on stderr as well, so stdout stays one line.
 *
 * The attempts, in the order `escape-probe list` prints them
 * ----------------------------------------------------------
 *     chroot MARKER              climb out of a chroot, look for MARKER
 *     proc-root MARKER           look for MARKER via /proc/PID/root
 *     proc-ns HOSTPID MARKER     join HOSTPID's mount namespace
 *     mount-disk MAJ:MIN FSTYPE  mount the host's disk
 *     remount-sys                make /sys writable
 *     open-by-handle HANDLE      open a host file by its file handle
 *     write-proc                 open sysrq-trigger, core_pattern
 *     read-kernel-info           read /proc/interrupts, /proc/kcore...
 *     module                     ask the kernel to load a module
 *     clock                      set the system clock
 *     reboot                     use reboot(2)
 *     kill-host HOSTPID          signal and trace a host process
 *     raw-socket IFNAME          capture every frame on an interface
 *     fork-bomb [N]              make N processes (1000)
 *     memory-bomb [MIB]          take MIB mebibytes (256)
 *     userns                     make a user namespace, mount in it
 *     keyring                    add a key to the kernel's keyrings
 *     terminal [--high-bits] [TEXT]  push TEXT into its terminal's input
 *     device-node NODE           open a device node for writing
 *
 * MARKER is an absolute path that exists on the host and not in the
 * container's rootfs; HOSTPID a process on the host (the lab starts a
 * sleep(1)); MAJ:MIN and FSTYPE the device and type of the host's root
 * filesystem; HANDLE what `escape-probe handle PATH` printed on the
 * host; IFNAME an interface the lab made on the host for the test.
 * The header of each attempt's function says what an attacker would
 * do next with the ability, and which isolation takes it away.
 *
 * Exit status: 0 escaped, 1 blocked, 2 cannot tell, 3 usage error.
 * `handle` exits 0 when it printed the handle, 2 when the filesystem
 * has no file handles, 3 when PATH will not do.
 *
 * Build: cc -static -O2 -Wall -Wextra -Wundef -Werror \
 *            -o build/helpers/escape-probe helpers/escape-probe.c
 * Static, so it runs in a rootfs with no C library at all. It needs
 * only the C library and the kernel's headers; a system call missing
 * from an architecture's headers makes its attempt N/A, not a failed
 * build.
 */

#define _GNU_SOURCE            /* setns(), strerrorname_np(), handles */
#include <arpa/inet.h>         /* htons(): the protocol, network order */
#include <ctype.h>             /* isprint(): a file's first line */
#include <dirent.h>            /* opendir(), readdir(): /proc and /dev */
#include <errno.h>             /* errno and its values */
#include <fcntl.h>             /* open(), O_*, open_by_handle_at() */
#include <limits.h>            /* INT_MAX, INT_MIN */
#include <linux/if_ether.h>    /* ETH_P_ALL: frames of every protocol */
#include <linux/keyctl.h>      /* KEY_SPEC_PROCESS_KEYRING, KEYCTL_* */
#include <linux/magic.h>       /* PROC_SUPER_MAGIC, SYSFS_MAGIC */
#include <linux/reboot.h>      /* LINUX_REBOOT_MAGIC1, ..._CMD_CAD_ON */
#include <net/if.h>            /* if_nametoindex() */
#include <netpacket/packet.h>  /* struct sockaddr_ll: packet sockets */
#include <sched.h>             /* setns(), unshare(), CLONE_NEW* */
#include <signal.h>            /* kill(), signal() */
#include <stdarg.h>            /* va_list: printf-like reporting */
#include <stdio.h>             /* printf(), snprintf(), getline() */
#include <stdlib.h>            /* malloc(), mkdtemp(), strtol() */
#include <string.h>            /* strerror(), strerrorname_np() */
#include <sys/ioctl.h>         /* ioctl(), TIOCSTI: the terminal */
#include <sys/mman.h>          /* mmap(): a counter a child can update */
#include <sys/mount.h>         /* mount(), umount2(), MS_*, MNT_DETACH */
#include <sys/ptrace.h>        /* ptrace(), PTRACE_SEIZE, ..._INTERRUPT */
#include <sys/socket.h>        /* socket(), bind() */
#include <sys/stat.h>          /* stat(), mknod(), S_IFBLK */
#include <sys/statfs.h>        /* statfs(): which filesystem a file is on */
#include <sys/statvfs.h>       /* statvfs(), ST_RDONLY, ST_NOSUID... */
#include <sys/syscall.h>       /* SYS_*: calls glibc does not wrap */
#include <sys/sysmacros.h>     /* makedev() */
#include <sys/timex.h>         /* adjtimex(), struct timex, ADJ_TICK */
#include <sys/wait.h>          /* waitpid(), WIFEXITED(), __WALL */
#include <unistd.h>            /* fork(), chroot(), syscall(), pipe() */

/* The verdicts, as exit statuses: see "Output" above. */
#define EXIT_ESCAPED 0
#define EXIT_BLOCKED 1
#define EXIT_UNKNOWN 2          /* printed as N/A */
#define EXIT_USAGE 3

/*
 * Upper bound on the chroot climb. It stops as soon as ".." leads
 * nowhere new, so this only matters if it never did; deeper than any
 * real directory tree.
 */
#define MAX_CLIMB_STEPS 1024

/* Temporary directories: in /tmp, which a read-only rootfs still has. */
#define TEMP_DIR_TEMPLATE "/tmp/escape-probe.XXXXXX"

/* The block device node mount-disk makes when /dev has none. */
#define DISK_NODE "/dev/.escape-probe-disk"

/* The bombs: how much by default, and at most. */
#define FORK_BOMB_DEFAULT 1000
#define FORK_BOMB_MAX 100000
#define MEMORY_BOMB_DEFAULT_MIB 256
#define MEMORY_BOMB_MAX_MIB (1024 * 1024)
#define MIB_BYTES (1024 * 1024)

/* How much of a file read-kernel-info and open-by-handle read. */
#define KERNEL_FILE_READ_BYTES 4096
#define HANDLE_FILE_READ_BYTES 64

/* A struct file_handle with room for the largest handle the kernel
 * makes; open_by_handle_at(2). */
union handle_space {
	struct file_handle handle;
	unsigned char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* ------------------------------------------------------------------ */
/* Reporting                                                          */
/* ------------------------------------------------------------------ */

/*
 * The symbolic name of an error number: "EPERM" for EPERM. Some numbers
 * differ between architectures, the names do not, and the man pages
 * use them. strerrorname_np(3) is a GNU extension (glibc 2.32).
 */
static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

/*
 * Print the verdict line, "ESCAPED: ", "BLOCKED: " or "N/A: " and the
 * text, and return VERDICT for the caller to return as the exit status.
 * Flushed at once: a child may be the one printing, and it leaves by
 * _exit(2), which does not flush.
 */
static __attribute__((format(printf, 2, 3)))
int report(int verdict, const char *format, ...)
{
	static const char *const prefixes[] = { "ESCAPED", "BLOCKED", "N/A" };
	va_list args;

	printf("%s: ", prefixes[verdict]);
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	printf("\n");
	fflush(stdout);
	return verdict;
}

/*
 * report() for a failed call: "<what>: <ENAME>: <strerror>". ERR is
 * passed in, not read from errno, so cleanup may run in between.
 */
static __attribute__((format(printf, 3, 4)))
int report_errno(int verdict, int err, const char *format, ...)
{
	char what[256];
	va_list args;

	va_start(args, format);
	vsnprintf(what, sizeof(what), format, args);
	va_end(args);
	return report(verdict, "%s: %s: %s", what, errno_name(err),
		      strerror(err));
}

/* One line on stderr, "escape-probe: ..."; returns EXIT_USAGE. */
static __attribute__((format(printf, 1, 2)))
int usage_error(const char *format, ...)
{
	va_list args;

	fprintf(stderr, "escape-probe: ");
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

/*
 * A cleanup step failed: say so on stderr, with the current errno, so
 * that stdout keeps its one verdict line.
 */
static void warn_cleanup(const char *what, const char *path)
{
	int err = errno;

	fprintf(stderr, "escape-probe: warning: cannot %s %s: %s: %s\n",
		what, path, errno_name(err), strerror(err));
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/*
 * Parse TEXT as a whole decimal number from MIN to MAX into *VALUE.
 * Returns 0, or -1 when it is not one (nothing is printed).
 */
static int parse_long(const char *text, long min, long max, long *value)
{
	char *end;

	errno = 0;
	*value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0')
		return -1;
	return *value >= min && *value <= max ? 0 : -1;
}

/* Succeed when TEXT is a PID, as the names of /proc's process entries
 * are: digits and nothing else. */
static int is_number(const char *text)
{
	if (*text == '\0')
		return 0;
	for (; *text != '\0'; text++)
		if (*text < '0' || *text > '9')
			return 0;
	return 1;
}

/* Succeed when two stat results name the same file: same device and
 * same inode. Names cannot tell: "." and ".." at the top of the tree,
 * or the ns files of two processes in one namespace. */
static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Read at most SIZE - 1 bytes of the small file PATH into TEXT, as a
 * string. Returns the length, or -1 with errno set. For /proc files of
 * one number, which come whole in one read(2).
 */
static ssize_t read_small_file(const char *path, char *text, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t length;
	int err;

	if (fd < 0)
		return -1;
	length = read(fd, text, size - 1);
	err = errno;
	close(fd);
	if (length < 0) {
		errno = err;
		return -1;
	}
	text[length] = '\0';
	return length;
}

/* Write TEXT to the file PATH in one write(2), as /proc files need.
 * Returns 0, or -1 with errno set. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t length = strlen(text);
	ssize_t written;
	int err;

	if (fd < 0)
		return -1;
	written = write(fd, text, length);
	err = errno;
	close(fd);
	errno = err;
	return written == (ssize_t)length ? 0 : -1;
}

/*
 * Make a fresh directory under /tmp; its name goes into PATH, which
 * holds sizeof(TEMP_DIR_TEMPLATE) bytes. Returns 0, or -1 with errno
 * set. mkdtemp(3) picks a name nobody else has.
 */
static int make_temp_dir(char *path)
{
	memcpy(path, TEMP_DIR_TEMPLATE, sizeof(TEMP_DIR_TEMPLATE));
	return mkdtemp(path) ? 0 : -1;
}

/* Remove a directory make_temp_dir() made; a failure is only told. */
static void remove_temp_dir(const char *path)
{
	if (rmdir(path) < 0)
		warn_cleanup("remove", path);
}

/*
 * Run FN(ARG) in a child process and return its verdict. An attempt
 * that changes the process itself (its root, its namespaces) runs this
 * way, and the probe stays as it was. The child prints the verdict
 * line and exits with it; when the child dies before it can, the
 * parent prints one instead.
 */
static int run_in_child(int (*fn)(void *arg), void *arg)
{
	pid_t pid;
	int status;

	fflush(stdout);      /* else the child prints our buffer twice */
	pid = fork();
	if (pid < 0)
		return report_errno(EXIT_UNKNOWN, errno, "fork");
	if (pid == 0)
		_exit(fn(arg));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return report_errno(EXIT_UNKNOWN, errno, "waitpid");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return report(EXIT_UNKNOWN, "the probe's child died of SIG%s",
		      sigabbrev_np(WTERMSIG(status)));
}

/* ------------------------------------------------------------------ */
/* Filesystem: chroot, /proc/PID/root, setns                           */
/* ------------------------------------------------------------------ */

/* What the chroot climb needs: the directory to chroot into (made by
 * the parent), and the host path to look for at the end. */
struct chroot_climb {
	char dir[sizeof(TEMP_DIR_TEMPLATE)];
	const char *marker;
};

/*
 * Walk up with chdir("..") until "." and ".." are the same directory,
 * which happens only at the top of the mount tree: the climb never
 * meets the process's root, which lies off to one side of it. Returns
 * 0 at the top (or after MAX_CLIMB_STEPS), -1 with errno set.
 */
static int climb_to_top(void)
{
	struct stat here, above;
	int step;

	for (step = 0; step < MAX_CLIMB_STEPS; step++) {
		if (stat(".", &here) < 0 || stat("..", &above) < 0)
			return -1;
		if (same_inode(&here, &above))
			return 0;
		if (chdir("..") < 0)
			return -1;
	}
	return 0;
}

/*
 * The child's part of `chroot`, the climb chroot-escape.c explains
 * step by step: start at "/", chroot into a directory below it without
 * going there, climb with "..", chroot(".") at the top, look around.
 */
static int climb_out_of_chroot(void *arg)
{
	const struct chroot_climb *climb = arg;
	struct stat st;

	if (chdir("/") < 0)
		return report_errno(EXIT_UNKNOWN, errno, "chdir /");
	/* No chdir() into it: the current directory must stay outside. */
	if (chroot(climb->dir) < 0)
		return report_errno(EXIT_BLOCKED, errno, "chroot");
	if (climb_to_top() < 0)
		return report_errno(EXIT_BLOCKED, errno, "chdir ..");
	if (chroot(".") < 0)
		return report_errno(EXIT_BLOCKED, errno, "chroot .");
	if (stat(climb->marker, &st) < 0)
		return report(EXIT_BLOCKED, "climbed to the container's own "
			      "top: %s is not there", climb->marker);
	return report(EXIT_ESCAPED, "reached the host's files: %s",
		      climb->marker);
}

/*
 * chroot MARKER: the double-chroot climb (path_resolution(7)).
 *
 * Next, an attacker with the host's root as its own runs a shell there
 * and reads or changes any file: /etc/shadow, root's SSH keys, the
 * container runtime itself. Taken away by pivot_root(2) into the rootfs
 * in a mount namespace of its own, with the old root unmounted: then
 * nothing lies above the container's top, and the climb ends there.
 * Also by taking CAP_SYS_CHROOT away, since chroot(2) needs it. A user
 * namespace alone does not help: its root holds CAP_SYS_CHROOT in it,
 * and that is all chroot(2) asks for.
 *
 * The parent makes and removes the directory: its own root never
 * changes, so the path stays good (a directory that is some process's
 * root cannot be removed, EBUSY; the child is gone by then).
 */
static int try_chroot(char **args)
{
	struct chroot_climb climb = { .marker = args[0] };
	int verdict;

	if (climb.marker[0] != '/')
		return usage_error("MARKER must be an absolute path: %s",
				   climb.marker);
	if (make_temp_dir(climb.dir) < 0)
		return report_errno(EXIT_UNKNOWN, errno, "mkdtemp in /tmp");
	verdict = run_in_child(climb_out_of_chroot, &climb);
	remove_temp_dir(climb.dir);
	return verdict;
}

/*
 * Is process PID (a name in /proc) one of the probe's own processes?
 * Their command line starts with a path to escape-probe. A process's
 * own root is no door out: proc-root looks past them.
 */
static int is_probe(const char *pid)
{
	char path[300], command[256] = "";
	const char *name;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if (read_small_file(path, command, sizeof(command)) <= 0)
		return 0;
	name = strrchr(command, '/');
	return strcmp(name ? name + 1 : command, "escape-probe") == 0;
}

/*
 * proc-root MARKER: look for MARKER below /proc/PID/root of every
 * process this /proc shows but the probe itself. That link is a
 * process's root directory, and following it goes there whatever the
 * caller's own root is.
 *
 * Next, an attacker uses /proc/1/root/ as a door into the host's whole
 * filesystem, to read or write anything. Taken away by a PID namespace
 * with a /proc mounted for it, where no host process has an entry, but
 * only once the host's /proc is out of the mount tree (stage 4's
 * pivot_root): until then root inside may unmount the new one, and the
 * lab tries that too (try_beneath_proc). Following the link also needs
 * ptrace access to its process (proc_pid_root(5); proc(5) on older
 * man pages), which root in a user namespace lacks over the host's
 * processes.
 */
static int try_proc_root(char **args)
{
	const char *marker = args[0];
	char path[512];
	struct dirent *entry;
	long pid = 0;
	struct stat st;
	DIR *proc;

	if (marker[0] != '/')
		return usage_error("MARKER must be an absolute path: %s",
				   marker);
	proc = opendir("/proc");
	if (proc == NULL)
		return report_errno(EXIT_BLOCKED, errno, "opendir /proc");
	while (pid == 0 && (entry = readdir(proc)) != NULL) {
		if (!is_number(entry->d_name) || is_probe(entry->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "/proc/%s/root%s",
				     entry->d_name, marker) >= sizeof(path))
			continue;
		if (stat(path, &st) == 0)
			pid = strtol(entry->d_name, NULL, 10);
	}
	closedir(proc);
	if (pid != 0)
		return report(EXIT_ESCAPED, "/proc/%ld/root leads to the "
			      "host's files", pid);
	return report(EXIT_BLOCKED, "no /proc/PID/root leads to %s",
		      marker);
}

/* An attempt, for a second try under the container's /proc. */
struct under_proc {
	int (*attempt)(char **args);
	char **args;
};

/* The first try: the attempt as it is. */
static int try_as_is(void *arg)
{
	const struct under_proc *u = arg;

	return u->attempt(u->args);
}

/*
 * The second try: a mount namespace of the child's own, its mounts
 * made private first (so nothing it does reaches the container's, let
 * alone the host's), /proc unmounted there, and the attempt again.
 * What the container's /proc was mounted over shows: at stage 3, the
 * host's /proc, which a fresh procfs on top only covers; from stage 4
 * on, the rootfs's empty directory.
 */
static int try_under_proc(void *arg)
{
	const struct under_proc *u = arg;

	if (unshare(CLONE_NEWNS) < 0)
		return report_errno(EXIT_BLOCKED, errno, "unshare CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return report_errno(EXIT_BLOCKED, errno, "make the mounts "
				    "private");
	if (umount2("/proc", MNT_DETACH) < 0)
		return report_errno(EXIT_BLOCKED, errno, "umount /proc");
	return u->attempt(u->args);
}

/* Run FN(ARG) in a child whose verdict line goes into LINE (SIZE
 * bytes) rather than to stdout; returns the verdict. */
static int run_quietly(int (*fn)(void *arg), void *arg, char *line,
		       size_t size)
{
	int out[2], verdict;
	size_t used = 0;
	ssize_t n;

	line[0] = '\0';
	fflush(stdout);
	if (pipe(out) < 0)
		return report_errno(EXIT_UNKNOWN, errno, "pipe");
	if (fork() == 0) {
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		_exit(run_in_child(fn, arg));
	}
	close(out[1]);
	while (used < size - 1 &&
	       (n = read(out[0], line + used, size - 1 - used)) > 0)
		used += (size_t)n;
	line[used] = '\0';
	close(out[0]);
	while (wait(&verdict) < 0 && errno == EINTR)
		;
	return WIFEXITED(verdict) ? WEXITSTATUS(verdict) : EXIT_UNKNOWN;
}

/*
 * Try ATTEMPT; when it is blocked, try again under the container's
 * /proc (try_under_proc): a fresh /proc on top of the host's only
 * covers it, and root inside may unmount it. One line, as ever: the
 * second try's if it escaped, else the first's.
 */
static int try_beneath_proc(int (*attempt)(char **args), char **args)
{
	struct under_proc u = { attempt, args };
	char first[512], second[512];
	int verdict = run_quietly(try_as_is, &u, first, sizeof(first));

	if (verdict == EXIT_BLOCKED &&
	    run_quietly(try_under_proc, &u, second, sizeof(second)) ==
	    EXIT_ESCAPED) {
		printf("ESCAPED: umount /proc, and then: %s",
		       second + strlen("ESCAPED: "));
		return EXIT_ESCAPED;
	}
	fputs(first, stdout);
	return verdict;
}

/* What joining a mount namespace needs: the ns file, and the host
 * path to look for once in. */
struct ns_join {
	char path[64];
	const char *marker;
};

/*
 * The child's part of `proc-ns`: setns(2) into the namespace, then
 * look. setns() into a mount namespace also moves the root and the
 * current directory to that namespace's root.
 */
static int join_mount_ns(void *arg)
{
	const struct ns_join *join = arg;
	int fd = open(join->path, O_RDONLY | O_CLOEXEC), err;
	struct stat st;

	if (fd < 0)
		return report_errno(EXIT_BLOCKED, errno, "open %s",
				    join->path);
	if (setns(fd, CLONE_NEWNS) < 0) {
		err = errno;
		close(fd);
		return report_errno(EXIT_BLOCKED, err, "setns %s",
				    join->path);
	}
	close(fd);
	if (stat(join->marker, &st) < 0)
		return report(EXIT_UNKNOWN, "joined %s, but %s is not there",
			      join->path, join->marker);
	return report(EXIT_ESCAPED, "joined the host's mount namespace "
		      "through %s", join->path);
}

/*
 * proc-ns HOSTPID MARKER: join the mount namespace of a host process
 * through its /proc/PID/ns/mnt, as nsenter(1) does.
 *
 * Next, an attacker in the host's mount namespace sees the host's
 * mounts and files as if no container were around it, and can join
 * the host's other namespaces the same way. Taken away by a PID
 * namespace with its own /proc, where the host process has no entry,
 * once the host's /proc is gone from the mount tree (stage 4), as for
 * proc-root; opening the file needs ptrace access to the process; and
 * setns(2)
 * into a mount namespace needs CAP_SYS_ADMIN in the user namespace
 * that owns it, plus CAP_SYS_CHROOT and CAP_SYS_ADMIN in the caller's
 * own: a user namespace, or dropping those capabilities, stops it.
 */
static int try_proc_ns(char **args)
{
	struct ns_join join = { .marker = args[1] };
	struct stat theirs, ours;
	long pid;

	if (parse_long(args[0], 1, INT_MAX, &pid) < 0)
		return usage_error("HOSTPID must be a process ID: %s",
				   args[0]);
	if (join.marker[0] != '/')
		return usage_error("MARKER must be an absolute path: %s",
				   join.marker);
	snprintf(join.path, sizeof(join.path), "/proc/%ld/ns/mnt", pid);
	if (stat(join.path, &theirs) < 0) {
		if (errno == ENOENT)
			return report(EXIT_BLOCKED, "no process %ld in this "
				      "/proc", pid);
		return report_errno(EXIT_BLOCKED, errno, "stat %s",
				    join.path);
	}
	if (stat("/proc/self/ns/mnt", &ours) < 0)
		return report_errno(EXIT_UNKNOWN, errno,
				    "stat /proc/self/ns/mnt");
	/* A namespace file's inode is the namespace: namespaces(7). */
	if (same_inode(&theirs, &ours))
		return report(EXIT_ESCAPED, "already in the host's mount "
			      "namespace");
	return run_in_child(join_mount_ns, &join);
}

/* proc-root and proc-ns as the lab runs them: beneath the container's
 * /proc too, if it is blocked at first (try_beneath_proc). */
static int try_proc_root_beneath(char **args)
{
	return try_beneath_proc(try_proc_root, args);
}

static int try_proc_ns_beneath(char **args)
{
	return try_beneath_proc(try_proc_ns, args);
}

/* ------------------------------------------------------------------ */
/* Devices and mounts: the host's disk, /sys                          */
/* ------------------------------------------------------------------ */

/*
 * Look in the top of /dev for a block device node for DEV; on success
 * its path goes into NODE (SIZE bytes) and 0 is returned, else -1.
 * Symbolic links are not followed: a node is what counts.
 */
static int find_block_node(dev_t dev, char *node, size_t size)
{
	DIR *dir = opendir("/dev");
	struct dirent *entry;
	struct stat st;
	int found = -1;

	if (dir == NULL)
		return -1;
	while (found < 0 && (entry = readdir(dir)) != NULL) {
		if (fstatat(dirfd(dir), entry->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISBLK(st.st_mode) && st.st_rdev == dev &&
		    (size_t)snprintf(node, size, "/dev/%s",
				     entry->d_name) < size)
			found = 0;
	}
	closedir(dir);
	return found;
}

/*
 * Mount NODE on DIR read-only, with no setuid, devices or programs.
 * Returns 0 or an errno value; *SHARED tells which way it worked.
 *
 * A filesystem the kernel has mounted read-write already, as the
 * host's root is, cannot be mounted read-only as well: that would
 * change its state, and the kernel says EBUSY ("Can't mount, would
 * change RO state"). Mounting it again as it is changes nothing, not
 * even on the disk: the kernel attaches the filesystem it already has.
 * So on EBUSY the mount is tried once more without MS_RDONLY. EBUSY's
 * other cause, a disk held by something else (a filesystem of another
 * type, a RAID set), refuses the second try the same way; so no disk
 * the kernel did not have mounted is ever mounted read-write here.
 */
static int mount_disk(const char *node, const char *dir,
		      const char *fstype, int *shared)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	*shared = 0;
	if (mount(node, dir, fstype, flags | MS_RDONLY, NULL) == 0)
		return 0;
	if (errno != EBUSY)
		return errno;
	*shared = 1;
	return mount(node, dir, fstype, flags, NULL) == 0 ? 0 : errno;
}

/*
 * mount-disk MAJ:MIN FSTYPE: mount the disk that holds the host's
 * root, through a node in /dev or one made with mknod(2).
 *
 * Next, an attacker mounts it read-write and changes the host: a key
 * in root's authorized_keys, a cron job, a setuid shell. Taken away by
 * a /dev of the container's own with no disks in it, and no way to
 * make one: mknod(2) of a device needs CAP_MKNOD in the initial user
 * namespace, so a user namespace stops it; by a cgroup's device
 * rules, where a runtime sets them (Docker does; cgroup v2 has no
 * device files to write: its rules are a BPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, and container.c attaches none); and
 * by mount(2): a
 * disk filesystem such as ext4 mounts only for CAP_SYS_ADMIN in the
 * initial user namespace. The mount is gone before the verdict.
 */
static int try_mount_disk(char **args)
{
	unsigned int major, minor;
	char node[300], dir[sizeof(TEMP_DIR_TEMPLATE)], tail;
	int made_node = 0, shared, err, verdict;
	dev_t dev;

	if (sscanf(args[0], "%u:%u%c", &major, &minor, &tail) != 2)
		return usage_error("MAJ:MIN must be like 8:1: %s", args[0]);
	dev = makedev(major, minor);
	if (find_block_node(dev, node, sizeof(node)) < 0) {
		if (mknod(DISK_NODE, S_IFBLK | 0600, dev) < 0)
			return report_errno(EXIT_BLOCKED, errno,
					    "mknod " DISK_NODE);
		made_node = 1;
		snprintf(node, sizeof(node), "%s", DISK_NODE);
	}
	if (make_temp_dir(dir) < 0) {
		verdict = report_errno(EXIT_UNKNOWN, errno,
				       "mkdtemp in /tmp");
		goto out_remove_node;
	}
	err = mount_disk(node, dir, args[1], &shared);
	/* MNT_DETACH: gone at once, even if something looked inside. */
	if (err == 0 && umount2(dir, MNT_DETACH) < 0)
		warn_cleanup("unmount", dir);
	remove_temp_dir(dir);
	if (err != 0)
		verdict = report_errno(EXIT_BLOCKED, err, "mount %s", node);
	else if (shared)
		verdict = report(EXIT_ESCAPED, "mounted the host's disk "
				 "%u:%u (read-write, as the host has it)",
				 major, minor);
	else
		verdict = report(EXIT_ESCAPED, "mounted the host's disk "
				 "%u:%u read-only", major, minor);
out_remove_node:
	if (made_node && unlink(DISK_NODE) < 0)
		warn_cleanup("remove", DISK_NODE);
	return verdict;
}

/* Whether /sys is read-only, as a mount and as a filesystem (its
 * superblock): a remount must put both back as they were. */
struct sys_state {
	int mount_ro;           /* this mount of it is read-only */
	int super_ro;           /* the sysfs itself is read-only */
	unsigned long keep;     /* MS_NOSUID, MS_NODEV, MS_NOEXEC it has */
};

/* Succeed when a mount option list starts with "ro". */
static int starts_read_only(const char *options)
{
	return strncmp(options, "ro", 2) == 0 &&
	       (options[2] == ',' || options[2] == '\0');
}

/*
 * Fill STATE->mount_ro and ->super_ro from the last line about /sys in
 * /proc/self/mountinfo (proc_pid_mountinfo(5)): the 6th field has the mount's
 * options, the 3rd after " - " the superblock's. Returns 0, or -1 when
 * /sys is not found there.
 */
static int read_sys_state(struct sys_state *state)
{
	FILE *file = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, point[256], options[256], super[256];
	size_t capacity = 0;
	const char *rest;
	int found = -1;

	if (file == NULL)
		return -1;
	while (getline(&line, &capacity, file) > 0) {
		if (sscanf(line, "%*s %*s %*s %*s %255s %255s", point,
			   options) != 2 || strcmp(point, "/sys") != 0)
			continue;
		rest = strstr(line, " - ");
		if (rest == NULL ||
		    sscanf(rest, " - %*s %*s %255s", super) != 1)
			continue;
		state->mount_ro = starts_read_only(options);
		state->super_ro = starts_read_only(super);
		found = 0;
	}
	free(line);
	fclose(file);
	return found;
}

/*
 * Remount /sys. MS_BIND changes this mount only; without it, the
 * sysfs superblock changes too, and with it every mount of it. A
 * sysfs belongs to a network namespace: in the host's, that is the
 * host's own /sys. The nosuid, nodev and noexec /sys has are passed
 * again, since a remount without one of them means to clear it, and a
 * locked one cannot be cleared (mount_namespaces(7)). Returns 0 or an
 * errno value.
 */
static int remount_sys(const struct sys_state *state, int bind, int ro)
{
	unsigned long flags = MS_REMOUNT | state->keep;

	if (bind)
		flags |= MS_BIND;
	if (ro)
		flags |= MS_RDONLY;
	return mount(NULL, "/sys", NULL, flags, NULL) == 0 ? 0 : errno;
}

/*
 * Put /sys back as STATE says it was, after remount_sys() made it
 * writable: the superblock read-only again if it was (which makes this
 * mount read-only too), then this mount as it was.
 */
static void restore_sys(const struct sys_state *state)
{
	if (state->super_ro && remount_sys(state, 0, 1) != 0)
		warn_cleanup("remount read-only", "/sys");
	if (state->super_ro && !state->mount_ro &&
	    remount_sys(state, 1, 0) != 0)
		warn_cleanup("remount read-write (as it was)", "/sys");
	if (!state->super_ro && remount_sys(state, 1, 1) != 0)
		warn_cleanup("remount read-only", "/sys");
}

/*
 * remount-sys: make /sys writable, then read-only again at once.
 *
 * Next, an attacker turns the knobs sysfs(5) holds for the whole host:
 * unbinds drivers, changes power settings and, where the kernel still
 * has /sys/kernel/uevent_helper, names a program the kernel then runs
 * as root on the host at the next device event. Taken away by a
 * read-only /sys and no CAP_SYS_ADMIN to remount it; in a user
 * namespace, by the owner of the superblock: every sysfs belongs to
 * the initial user namespace (fs/sysfs/mount.c marks it global), and
 * a remount of a superblock needs CAP_SYS_ADMIN there. (Root of a
 * user namespace may clear the read-only flag of its own bind mount;
 * the superblock stays read-only.) And most sysfs files belong to the
 * host's root, which the container's root is not.
 */
static int try_remount_sys(char **args)
{
	struct sys_state state;
	struct statvfs vfs;
	struct statfs fs;
	int err;

	(void)args;
	if (statfs("/sys", &fs) < 0 || fs.f_type != SYSFS_MAGIC)
		return report(EXIT_UNKNOWN, "no sysfs mounted on /sys");
	if (statvfs("/sys", &vfs) < 0)
		return report_errno(EXIT_UNKNOWN, errno, "statvfs /sys");
	/* ST_RDONLY: the mount or its superblock is read-only. */
	if (!(vfs.f_flag & ST_RDONLY))
		return report(EXIT_ESCAPED, "/sys is mounted read-write "
			      "already");
	if (read_sys_state(&state) < 0)
		return report(EXIT_UNKNOWN, "no /sys in /proc/self/mountinfo");
	state.keep = (vfs.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
		     (vfs.f_flag & ST_NODEV ? MS_NODEV : 0) |
		     (vfs.f_flag & ST_NOEXEC ? MS_NOEXEC : 0);
	/* Change the superblock only if it is what keeps /sys read-only. */
	err = remount_sys(&state, !state.super_ro, 0);
	if (err != 0)
		return report_errno(EXIT_BLOCKED, err,
				    "remount /sys read-write");
	restore_sys(&state);
	return report(EXIT_ESCAPED, "remounted /sys read-write");
}

/* ------------------------------------------------------------------ */
/* Files by handle                                                    */
/* ------------------------------------------------------------------ */

/*
 * Parse "TYPE:HEXBYTES", as print_handle() writes it, into HANDLE.
 * Returns 0, or -1 when TEXT is not one.
 */
static int parse_handle(const char *text, struct file_handle *handle)
{
	const char *hex = strchr(text, ':');
	size_t length, i;
	unsigned int byte;
	char *end;
	long type;

	if (hex == NULL)
		return -1;
	errno = 0;
	type = strtol(text, &end, 10);
	if (errno != 0 || end != hex || type < INT_MIN || type > INT_MAX)
		return -1;
	hex++;
	length = strlen(hex);
	if (length == 0 || length % 2 != 0 || length / 2 > MAX_HANDLE_SZ)
		return -1;
	for (i = 0; i < length / 2; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		handle->f_handle[i] = (unsigned char)byte;
	}
	handle->handle_type = (int)type;
	handle->handle_bytes = (unsigned int)(length / 2);
	return 0;
}

/*
 * Put the first line of the open file FD into TEXT (SIZE bytes), with
 * every unprintable byte as '.'. Only a regular file is read: reading
 * a device or a FIFO could block, or do something.
 */
static void read_first_line(int fd, char *text, size_t size)
{
	char buffer[HANDLE_FILE_READ_BYTES];
	struct stat st;
	ssize_t length;
	size_t i;

	snprintf(text, size, "(not a regular file)");
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	length = read(fd, buffer, sizeof(buffer));
	if (length <= 0) {
		snprintf(text, size, "%s", length < 0 ? "(unreadable)" :
			 "(empty)");
		return;
	}
	for (i = 0; i < (size_t)length && i < size - 1; i++) {
		if (buffer[i] == '\n')
			break;
		text[i] = isprint((unsigned char)buffer[i]) ? buffer[i] : '.';
	}
	text[i] = '\0';
}

/*
 * open-by-handle TYPE:HEXBYTES: open a host file by the handle that
 * `escape-probe handle PATH` printed on the host. A handle names an
 * inode directly: no path, so no root directory and no permission
 * check of the directories above it. The kernel only needs a file
 * descriptor on the same filesystem: the container's "/" will do when
 * the rootfs is a directory on the host's disk.
 *
 * Next, an attacker does what the "shocker" exploit did to Docker in
 * 2014: from the handle of the filesystem's root directory, guess
 * handles until any file opens, /etc/shadow first. Taken away by
 * dropping CAP_DAC_READ_SEARCH, which open_by_handle_at(2) needs, in
 * the initial user namespace, to open a file this way: a user
 * namespace takes it away as well. Also by the seccomp filter, and by
 * a rootfs on a filesystem of its own, where the host's handles mean
 * nothing.
 */
static int try_open_by_handle(char **args)
{
	union handle_space space;
	char first_line[HANDLE_FILE_READ_BYTES + 1];
	int root_fd, fd, err;

	if (parse_handle(args[0], &space.handle) < 0)
		return usage_error("HANDLE must be TYPE:HEXBYTES, as "
				   "`escape-probe handle PATH` prints it");
	root_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return report_errno(EXIT_UNKNOWN, errno, "open /");
	/* O_NONBLOCK, O_NOCTTY: should it name a FIFO or a terminal. */
	fd = open_by_handle_at(root_fd, &space.handle, O_RDONLY |
			       O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	err = errno;
	close(root_fd);
	if (fd < 0 && err == ESTALE)
		return report(EXIT_UNKNOWN, "not on the same filesystem as "
			      "the rootfs");
	if (fd < 0 && err == EOPNOTSUPP)
		return report(EXIT_UNKNOWN, "the rootfs's filesystem has no "
			      "file handles");
	if (fd < 0)
		return report_errno(EXIT_BLOCKED, err, "open_by_handle_at");
	read_first_line(fd, first_line, sizeof(first_line));
	close(fd);
	return report(EXIT_ESCAPED, "read a host file by its handle: %s",
		      first_line);
}

/*
 * handle PATH, run by the lab on the host: print PATH's file handle as
 * one token, "TYPE:HEXBYTES", for open-by-handle to use inside. Not an
 * attempt, so no verdict line: the token, or a line on stderr.
 */
static int print_handle(char **args)
{
	union handle_space space;
	unsigned int i;
	int mount_id, err;

	space.handle.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, args[0], &space.handle,
			      &mount_id, 0) < 0) {
		err = errno;
		usage_error("name_to_handle_at %s: %s: %s", args[0],
			    errno_name(err), strerror(err));
		return err == EOPNOTSUPP ? EXIT_UNKNOWN : EXIT_USAGE;
	}
	printf("%d:", space.handle.handle_type);
	for (i = 0; i < space.handle.handle_bytes; i++)
		printf("%02x", space.handle.f_handle[i]);
	printf("\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The kernel's files in /proc                                        */
/* ------------------------------------------------------------------ */

/*
 * Open PATH for writing and close it at once: nothing is written.
 * Returns 0 when the real /proc file opened; an errno value when the
 * open failed; -1 when something else is bound over it (/dev/null,
 * as masked paths are), which opens but reaches no kernel knob.
 */
static int open_proc_for_writing(const char *path)
{
	struct statfs fs;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int result;

	if (fd < 0)
		return errno;
	result = fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC ?
		 0 : -1;
	close(fd);
	return result;
}

/*
 * write-proc: open /proc/sysrq-trigger and /proc/sys/kernel/
 * core_pattern for writing, and write nothing.
 *
 * Next, an attacker writes one byte to /proc/sysrq-trigger: 'b'
 * reboots the host at once, 'c' crashes it; the kernel's sysrq.rst
 * says the file works whatever kernel.sysrq says. Or it writes
 * "|/path/to/program" to core_pattern, a setting of the whole kernel:
 * the next crash of any process on the host runs that program, as the
 * host's root. Taken away by binding both read-only over themselves
 * (EROFS); and, in a user namespace, both belong to the host's root,
 * which the container's root is not (EACCES).
 */
static int try_write_proc(char **args)
{
	static const char *const paths[] = {
		"/proc/sysrq-trigger", "/proc/sys/kernel/core_pattern",
	};
	char opened[128] = "", refused[160] = "";
	size_t i, missing = 0, used = 0, used_refused = 0;
	int result;

	(void)args;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		result = open_proc_for_writing(paths[i]);
		if (result == 0)
			used += snprintf(opened + used, sizeof(opened) - used,
					 "%s%s", used ? " and " : "", paths[i]);
		else
			used_refused += snprintf(refused + used_refused,
				sizeof(refused) - used_refused, "%s%s: %s",
				i ? "; " : "open ", paths[i], result < 0 ?
				"masked" : errno_name(result));
		missing += result == ENOENT;
	}
	if (opened[0] != '\0')
		return report(EXIT_ESCAPED, "could write %s (nothing was "
			      "written)", opened);
	if (missing == sizeof(paths) / sizeof(paths[0]))
		return report(EXIT_UNKNOWN, "this kernel has neither file");
	return report(EXIT_BLOCKED, "%s", refused);
}

/*
 * read-kernel-info: read the /proc files that show the kernel's own
 * state, which no namespace divides; a file leaks when it opens and
 * gives at least one byte. /proc/kcore gives only one: its ELF header.
 *
 * Next, an attacker watches the host through them: interrupt counts
 * and timer lists show what the host and other containers are doing
 * (side channels), /proc/keys lists the keys the caller may look at,
 * and /proc/kcore is the kernel's memory as an ELF core file, secrets
 * and all. Taken away by masking them: /dev/null or an empty directory
 * bound over each, so they read empty. /proc/kcore also needs
 * CAP_SYS_RAWIO, and /proc/timer_list is readable by root only.
 */
static int try_read_kernel_info(char **args)
{
	static const struct {
		const char *path;
		size_t bytes;
	} files[] = {
		{ "/proc/interrupts", KERNEL_FILE_READ_BYTES },
		{ "/proc/timer_list", KERNEL_FILE_READ_BYTES },
		{ "/proc/sched_debug", KERNEL_FILE_READ_BYTES },
		{ "/proc/keys", KERNEL_FILE_READ_BYTES },
		{ "/proc/kcore", 1 },
	};
	char buffer[KERNEL_FILE_READ_BYTES], leaked[160] = "";
	size_t i, used = 0;
	ssize_t length;
	int fd;

	(void)args;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fd = open(files[i].path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		length = read(fd, buffer, files[i].bytes);
		close(fd);
		if (length > 0)
			used += snprintf(leaked + used, sizeof(leaked) - used,
					 " %s", files[i].path);
	}
	if (leaked[0] != '\0')
		return report(EXIT_ESCAPED, "read the host kernel's%s",
			      leaked);
	return report(EXIT_BLOCKED, "nothing: each is missing, empty or "
		      "refused");
}

/* ------------------------------------------------------------------ */
/* The kernel's powers: modules, the clock, reboot                    */
/* ------------------------------------------------------------------ */

/*
 * module: ask the kernel to load a module from /dev/null, which is no
 * module at all (finit_module(2)). The kernel checks the caller's
 * right to load modules first, and only then looks at the file: EPERM
 * means no right; any other error means the right was there and only
 * this "module" was refused. Nothing is loaded.
 *
 * Next, an attacker loads a module of its own: code running in the
 * kernel can do anything to the host and to every container at once.
 * Taken away by dropping CAP_SYS_MODULE, which counts only in the
 * initial user namespace (init_module(2)), so a user namespace takes
 * it away too; by the seccomp filter; and by modules_disabled=1 on the
 * host, for everyone.
 */
static int try_module(char **args)
{
	char text[16];
	long result = -1;
	int fd, err = ENOSYS;

	(void)args;
	if (read_small_file("/proc/sys/kernel/modules_disabled", text,
			    sizeof(text)) > 0 && text[0] == '1')
		return report(EXIT_UNKNOWN, "module loading is switched off "
			      "on this host (modules_disabled)");
	/* No /dev/null: fd -1 does as well, the kernel says EBADF. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
#ifdef SYS_finit_module
	result = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
#endif
	if (fd >= 0)
		close(fd);
	if (result == 0 || (err != EPERM && err != ENOSYS))
		return report(EXIT_ESCAPED, "the kernel would load a module: "
			      "it refused only this empty one (%s)",
			      result == 0 ? "no error" : errno_name(err));
	/* ENOSYS from a kernel with modules is a filter's answer. */
	if (err == ENOSYS && access("/proc/modules", F_OK) < 0)
		return report(EXIT_UNKNOWN, "this kernel has no module "
			      "support");
	return report_errno(EXIT_BLOCKED, err, "finit_module");
}

/*
 * clock: read the kernel clock's tick with adjtimex(2), then set it to
 * the value it has. Setting anything at all needs the right to set the
 * clock; this one setting changes nothing.
 *
 * Next, an attacker sets the host's time, for every process on it:
 * certificates look expired or not yet valid, logs lie, timed jobs run
 * twice or never. Taken away by dropping CAP_SYS_TIME, which counts
 * only in the initial user namespace, so a user namespace takes it
 * away too; and by the seccomp filter. A time namespace
 * (time_namespaces(7)) offsets the monotonic and boot-time clocks, not
 * the time of day, which no namespace divides.
 */
static int try_clock(char **args)
{
	struct timex clock;

	(void)args;
	memset(&clock, 0, sizeof(clock));
	/* modes 0: read only, allowed to anyone. */
	if (adjtimex(&clock) < 0)
		return report_errno(EXIT_UNKNOWN, errno, "adjtimex (read)");
	/* clock.tick holds the current tick: set it to itself. */
	clock.modes = ADJ_TICK;
	if (adjtimex(&clock) < 0)
		return report_errno(EXIT_BLOCKED, errno, "adjtimex ADJ_TICK");
	return report(EXIT_ESCAPED, "could set the host's clock (set its "
		      "tick to the value it had)");
}

/*
 * reboot: set what Ctrl-Alt-Del does to what it already does: the one
 * reboot(2) command that changes nothing when it repeats the current
 * setting. No other command is ever given.
 *
 * Next, an attacker gives LINUX_REBOOT_CMD_RESTART, and the host and
 * everything on it goes down. Taken away by a PID namespace of its own
 * (pid_namespaces(7)): there reboot(2) ends only that namespace, by
 * killing its init, and refuses the other commands with EINVAL. Also
 * by dropping CAP_SYS_BOOT, and by the seccomp filter.
 */
static int try_reboot(char **args)
{
	unsigned int command;
	char text[16];

	(void)args;
	if (read_small_file("/proc/sys/kernel/ctrl-alt-del", text,
			    sizeof(text)) < 0)
		return report_errno(EXIT_UNKNOWN, errno,
				    "read /proc/sys/kernel/ctrl-alt-del");
	if (strcmp(text, "1\n") == 0)
		command = LINUX_REBOOT_CMD_CAD_ON;
	else if (strcmp(text, "0\n") == 0)
		command = LINUX_REBOOT_CMD_CAD_OFF;
	else
		return report(EXIT_UNKNOWN, "ctrl-alt-del is neither 0 nor 1");
#ifdef SYS_reboot
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		    command, NULL) == 0)
		return report(EXIT_ESCAPED, "could reboot the host (set "
			      "Ctrl-Alt-Del to what it was)");
	if (errno == EINVAL)
		return report(EXIT_BLOCKED, "in a PID namespace of its own, "
			      "reboot(2) would end only the container: "
			      "EINVAL");
	return report_errno(EXIT_BLOCKED, errno, "reboot");
#else
	(void)command;
	return report(EXIT_UNKNOWN, "no reboot(2) in this build");
#endif
}

/* ------------------------------------------------------------------ */
/* Other processes, the network                                       */
/* ------------------------------------------------------------------ */

/*
 * Attach to process PID with ptrace(2) and let it go again at once.
 * PTRACE_SEIZE, unlike PTRACE_ATTACH, sends no SIGSTOP; PTRACE_DETACH
 * needs the tracee stopped, so PTRACE_INTERRUPT stops it for a moment.
 * Returns 0 when the seize worked, -1 when refused. Should the probe
 * die in between, the kernel detaches and restarts the tracee.
 */
static int trace_and_release(pid_t pid)
{
	char name[32];
	int status;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
		return -1;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0)
		while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
			;
	/* data NULL: resume it with no signal. */
	if (ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0) {
		snprintf(name, sizeof(name), "process %d", (int)pid);
		warn_cleanup("detach from", name);
	}
	return 0;
}

/*
 * kill-host HOSTPID: send signal 0 to a host process, which checks the
 * right to signal it and delivers nothing; then trace it, and let go.
 *
 * Next, an attacker kills the host's daemons (sshd, the runtime), or
 * with ptrace writes code into a root process on the host and runs as
 * it: a full escape. Taken away by a PID namespace, where the host's
 * processes have no number (ESRCH); by a user namespace, whose root
 * has no CAP_KILL or CAP_SYS_PTRACE over the host's processes (EPERM);
 * by dropping CAP_SYS_PTRACE; and by the seccomp filter.
 */
static int try_kill_host(char **args)
{
	long pid;

	if (parse_long(args[0], 1, INT_MAX, &pid) < 0)
		return usage_error("HOSTPID must be a process ID: %s",
				   args[0]);
	if (kill((pid_t)pid, 0) < 0)
		return report_errno(EXIT_BLOCKED, errno, "kill %ld", pid);
	if (trace_and_release((pid_t)pid) == 0)
		return report(EXIT_ESCAPED, "could signal (and trace) host "
			      "process %ld", pid);
	return report(EXIT_ESCAPED, "could signal host process %ld", pid);
}

/*
 * raw-socket IFNAME: open a packet socket (packet(7)) and bind it to
 * the host's interface IFNAME for frames of every protocol. Nothing is
 * sent or read; closing the socket drops whatever it caught. It is
 * made with protocol 0, which catches nothing until the bind, where
 * ETH_P_ALL asks for everything; the checks are the same either way.
 *
 * Next, an attacker reads every frame on the host's network (clear
 * text passwords, other containers' traffic) and sends forged ones
 * (ARP spoofing). Taken away by a network namespace of its own, where
 * the host's interfaces are not; and by dropping CAP_NET_RAW.
 */
static int try_raw_socket(char **args)
{
	struct sockaddr_ll address;
	unsigned int index;
	int fd, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return report_errno(EXIT_BLOCKED, errno, "socket AF_PACKET");
	index = if_nametoindex(args[0]);
	if (index == 0) {
		close(fd);
		return report(EXIT_BLOCKED, "no %s in this network namespace",
			      args[0]);
	}
	memset(&address, 0, sizeof(address));
	address.sll_family = AF_PACKET;
	address.sll_protocol = htons(ETH_P_ALL);
	address.sll_ifindex = (int)index;
	err = bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0 ?
	      errno : 0;
	close(fd);
	if (err != 0)
		return report_errno(EXIT_BLOCKED, err, "bind to %s", args[0]);
	return report(EXIT_ESCAPED, "could read every frame on the host's "
		      "%s", args[0]);
}

/* ------------------------------------------------------------------ */
/* Resources: processes, memory                                       */
/* ------------------------------------------------------------------ */

/*
 * Wait for COUNT children to end; they are the probe's only ones.
 * EINTR is no reason to stop; ECHILD means none are left.
 */
static void reap_children(long count)
{
	while (count > 0) {
		if (waitpid(-1, NULL, 0) > 0)
			count--;
		else if (errno != EINTR)
			return;
	}
}

/*
 * fork-bomb [N]: make N processes, each asleep in read(2) on a pipe
 * whose write end only the probe holds. Closing it wakes them all with
 * end-of-file, and they exit; should the probe die instead, the kernel
 * closes it just the same. Nothing is left behind either way.
 *
 * Next, an attacker forks without end: the host runs out of PIDs and
 * of memory for their kernel stacks, and nothing on it can start a
 * process any more, sshd's logins included. Taken away by the pids
 * controller of a cgroup (pids.max), which fails fork(2) with EAGAIN.
 * RLIMIT_NPROC does not stop a root with CAP_SYS_ADMIN or
 * CAP_SYS_RESOURCE (setrlimit(2)).
 */
static int try_fork_bomb(char **args)
{
	long want = FORK_BOMB_DEFAULT, made;
	int gate[2], err = 0;
	pid_t pid;
	char byte;

	if (args[0] && parse_long(args[0], 1, FORK_BOMB_MAX, &want) < 0)
		return usage_error("N must be from 1 to %d: %s",
				   FORK_BOMB_MAX, args[0]);
	if (pipe2(gate, O_CLOEXEC) < 0)
		return report_errno(EXIT_UNKNOWN, errno, "pipe");
	fflush(stdout);
	for (made = 0; made < want; made++) {
		pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			close(gate[1]);
			/* Returns 0 (end-of-file) once the probe closes. */
			while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close(gate[1]);
	close(gate[0]);
	reap_children(made);
	if (err != 0)
		return report_errno(EXIT_BLOCKED, err, "fork failed after "
				    "%ld processes", made);
	return report(EXIT_ESCAPED, "made %ld processes: nothing stopped it",
		      made);
}

/*
 * The child's part of the memory bomb: take WANT MiB, 1 MiB at a time,
 * and write to every byte, since untouched memory costs nothing
 * (malloc(3) only reserves it). *DONE counts the MiB taken, for the
 * parent to read even after a SIGKILL. Exits 0 with all of it, 1 when
 * malloc() fails.
 */
static _Noreturn void take_memory(long want, volatile long *done)
{
	char *block;

	for (*done = 0; *done < want; (*done)++) {
		block = malloc(MIB_BYTES);
		if (block == NULL)
			_exit(1);
		memset(block, 1, MIB_BYTES);
	}
	_exit(0);
}

/*
 * memory-bomb [MIB]: take MIB mebibytes in a child process and report
 * how that ended. The memory goes back to the system when the child
 * ends, killed or not.
 *
 * Next, an attacker takes all of the host's memory: the host slows to
 * a crawl, and the OOM killer picks victims across it, perhaps its
 * database or sshd. Taken away by the memory controller of a cgroup
 * (memory.max): the OOM killer then acts inside that cgroup alone.
 */
static int try_memory_bomb(char **args)
{
	long want = MEMORY_BOMB_DEFAULT_MIB;
	volatile long *done;
	int status;
	pid_t pid;

	if (args[0] && parse_long(args[0], 1, MEMORY_BOMB_MAX_MIB,
				  &want) < 0)
		return usage_error("MIB must be from 1 to %d: %s",
				   MEMORY_BOMB_MAX_MIB, args[0]);
	/* MAP_SHARED: the child's count shows here too. */
	done = mmap(NULL, sizeof(*done), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (done == MAP_FAILED)
		return report_errno(EXIT_UNKNOWN, errno, "mmap");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return report_errno(EXIT_UNKNOWN, errno, "fork");
	if (pid == 0)
		take_memory(want, done);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return report_errno(EXIT_UNKNOWN, errno, "waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return report(EXIT_ESCAPED, "took %ld MiB: nothing stopped it",
			      want);
	if (WIFEXITED(status))
		return report(EXIT_BLOCKED, "malloc failed after %ld MiB",
			      *done);
	if (WTERMSIG(status) == SIGKILL)
		return report(EXIT_BLOCKED, "killed by SIGKILL after %ld MiB, "
			      "at the limit (the OOM killer)", *done);
	return report(EXIT_UNKNOWN, "the probe's child died of SIG%s",
		      sigabbrev_np(WTERMSIG(status)));
}

/* ------------------------------------------------------------------ */
/* Namespaces and keys                                                */
/* ------------------------------------------------------------------ */

/*
 * Make root in the new user namespace the user the probe was outside,
 * as user_namespaces(7) allows any process for itself: setgroups(2)
 * denied first, or gid_map may not be written. A failure is ignored:
 * without a map the process is nobody there, and still holds every
 * capability in it.
 */
static void map_to_root(uid_t uid, gid_t gid)
{
	char map[64];

	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	write_file("/proc/self/gid_map", map);
}

/*
 * The child's part of `userns`: a new user namespace and a new mount
 * namespace owned by it, then a tmpfs mounted on DIR and unmounted.
 * The mount namespace ends with the child, and the mount cannot leak
 * out before: shared mounts copied into a mount namespace owned by a
 * less privileged user namespace become slaves, which receive the
 * host's mount events and send none back (mount_namespaces(7)).
 */
static int mount_in_user_ns(void *arg)
{
	const char *dir = arg;
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return report_errno(EXIT_BLOCKED, errno,
				    "unshare CLONE_NEWUSER|CLONE_NEWNS");
	map_to_root(uid, gid);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k") < 0)
		return report(EXIT_ESCAPED, "made a user namespace (its mount "
			      "failed: %s)", errno_name(errno));
	if (umount2(dir, MNT_DETACH) < 0)
		warn_cleanup("unmount", dir);
	return report(EXIT_ESCAPED, "made a user namespace and mounted in "
		      "it: root there, and more of the kernel to attack");
}

/*
 * userns: make a user namespace, and use the capabilities it gives.
 *
 * Next, an attacker inside holds every capability over the new
 * namespaces' own objects, and so reaches kernel code an ordinary user
 * cannot: filesystems to mount (tmpfs, overlayfs, FUSE), netfilter,
 * and more. Many local privilege escalations started this way. Taken
 * away by the seccomp filter, refusing unshare(2) and clone(2) their
 * new namespaces, or by the sysctl user.max_user_namespaces set to 0
 * (namespaces(7), "The /proc/sys/user directory").
 */
static int try_userns(char **args)
{
	char dir[sizeof(TEMP_DIR_TEMPLATE)];
	int verdict;

	(void)args;
	/* Made and removed out here, as the user the probe is. */
	if (make_temp_dir(dir) < 0)
		return report_errno(EXIT_UNKNOWN, errno, "mkdtemp in /tmp");
	verdict = run_in_child(mount_in_user_ns, dir);
	remove_temp_dir(dir);
	return verdict;
}

/*
 * keyring: add a key to this process's keyring with add_key(2), then
 * invalidate it. The process keyring ends with the probe anyway.
 *
 * Next, an attacker uses keyrings(7), which the kernel keeps per user
 * ID and not per container: a container's root without a user
 * namespace is the host's root there, and can fill the root user's
 * key quota for the whole host, or look for keys the host's root
 * keeps. Taken away by the seccomp filter (Docker's refuses add_key,
 * keyctl and request_key); a user namespace mapping the container's
 * root to a host user of its own gives it that user's keys and quota.
 */
static int try_keyring(char **args)
{
	long key = -1;
	int err = ENOSYS;

	(void)args;
#if defined(SYS_add_key) && defined(SYS_keyctl)
	key = syscall(SYS_add_key, "user", "escape-probe", "x", (size_t)1,
		      KEY_SPEC_PROCESS_KEYRING);
	err = errno;
	/* KEYCTL_INVALIDATE (Linux 3.5) is gone at once; else revoke. */
	if (key >= 0 && syscall(SYS_keyctl, KEYCTL_INVALIDATE, key) < 0 &&
	    syscall(SYS_keyctl, KEYCTL_REVOKE, key) < 0)
		warn_cleanup("invalidate", "the key escape-probe");
#endif
	if (key >= 0)
		return report(EXIT_ESCAPED, "added a key to the kernel's "
			      "keyrings, which are per user, not per "
			      "container");
	/* ENOSYS from a kernel with keys is a filter's answer. */
	if (err == ENOSYS && access("/proc/keys", F_OK) < 0)
		return report(EXIT_UNKNOWN, "this kernel has no keyrings");
	return report_errno(EXIT_BLOCKED, err, "add_key");
}

/*
 * terminal [--high-bits] [TEXT]: push TEXT (by default a shell
 * comment, which a shell that read it would ignore) into the input of
 * the terminal on standard input, one byte at a time, with
 * ioctl(TIOCSTI), as if it had been typed there. When that terminal is
 * the caller's, the shell that started the container reads the bytes
 * once the container ends, and runs them, as the caller: a command
 * pushed this way runs outside (bubblewrap's CVE-2017-5226). From
 * inside, the probe cannot see whose terminal it is: the escape lab
 * runs it at a terminal of its own and looks whether the line reached
 * the shell that started the container. Taken away by a terminal of
 * the container's own (stage 4: the bytes reach only it) and by the
 * seccomp filter (stage 8). With --high-bits the request carries a bit
 * above the 32 the kernel reads: the same request to the kernel, but
 * another number to a filter that compares all 64 (flatpak's
 * CVE-2019-10063).
 */
static int try_terminal(char **args)
{
	unsigned long request = TIOCSTI;
	const char *text = "# escape-probe: typed by the container\n";

	if (args[0] != NULL && strcmp(args[0], "--high-bits") == 0) {
		request |= (unsigned long)1 << 32;
		args++;
	}
	if (args[0] != NULL)
		text = args[0];
	if (!isatty(STDIN_FILENO))
		return report(EXIT_UNKNOWN, "standard input is not a terminal");
	for (const char *p = text; *p != '\0'; p++)
		if (ioctl(STDIN_FILENO, request, p) < 0)
			return report_errno(EXIT_BLOCKED, errno, "ioctl TIOCSTI");
	return report(EXIT_ESCAPED, "pushed %zu bytes into the input of its "
		      "terminal", strlen(text));
}

/*
 * device-node NODE: open NODE, a device node that came with the root
 * filesystem, for writing, and write nothing. Whoever may open a node
 * reaches the device, wherever the node lies: an image that holds a
 * node of a host device, with a mode that lets anyone open it, hands
 * that device to the container, past every check on the host's own
 * /dev. The lab makes a node of /dev/kmsg, the kernel's log, where a
 * line written shows in the host's dmesg as if the kernel wrote it; a
 * disk's node would do worse. Taken away by mounting the root
 * filesystem nodev (stage 4), so that no node on it opens; the
 * container's devices are the few the runtime binds into its /dev.
 */
static int try_device_node(char **args)
{
	int fd = open(args[0], O_WRONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return report_errno(EXIT_BLOCKED, errno, "open %s", args[0]);
	if (fstat(fd, &st) < 0 || !(S_ISCHR(st.st_mode) ||
				   S_ISBLK(st.st_mode))) {
		close(fd);
		return report(EXIT_UNKNOWN, "%s is no device node", args[0]);
	}
	close(fd);
	return report(EXIT_ESCAPED, "opened the device %u:%u for writing "
		      "through the node %s in the rootfs", major(st.st_rdev),
		      minor(st.st_rdev), args[0]);
}

/* ------------------------------------------------------------------ */
/* The command line                                                   */
/* ------------------------------------------------------------------ */

/* One subcommand: its name, its arguments (as usage shows them, and
 * how many), what it tries, and the function that does it. */
struct attempt {
	const char *name;
	const char *args;
	int min_args, max_args;
	const char *summary;
	int (*run)(char **args);
};

static int list_attempts(char **args);

/* Every subcommand; `list` prints the names up to "device-node". */
static const struct attempt attempts[] = {
	{ "chroot", "MARKER", 1, 1,
	  "climb out of a chroot, look for MARKER", try_chroot },
	{ "proc-root", "MARKER", 1, 1,
	  "look for MARKER via /proc/PID/root", try_proc_root_beneath },
	{ "proc-ns", "HOSTPID MARKER", 2, 2,
	  "join HOSTPID's mount namespace", try_proc_ns_beneath },
	{ "mount-disk", "MAJ:MIN FSTYPE", 2, 2,
	  "mount the host's disk", try_mount_disk },
	{ "remount-sys", "", 0, 0,
	  "make /sys writable", try_remount_sys },
	{ "open-by-handle", "HANDLE", 1, 1,
	  "open a host file by its file handle", try_open_by_handle },
	{ "write-proc", "", 0, 0,
	  "open /proc/sysrq-trigger to write", try_write_proc },
	{ "read-kernel-info", "", 0, 0,
	  "read /proc/interrupts, /proc/kcore...", try_read_kernel_info },
	{ "module", "", 0, 0,
	  "ask the kernel to load a module", try_module },
	{ "clock", "", 0, 0,
	  "set the system clock", try_clock },
	{ "reboot", "", 0, 0,
	  "use reboot(2)", try_reboot },
	{ "kill-host", "HOSTPID", 1, 1,
	  "signal and trace a host process", try_kill_host },
	{ "raw-socket", "IFNAME", 1, 1,
	  "capture every frame on an interface", try_raw_socket },
	{ "fork-bomb", "[N]", 0, 1,
	  "make N processes (1000)", try_fork_bomb },
	{ "memory-bomb", "[MIB]", 0, 1,
	  "take MIB mebibytes (256)", try_memory_bomb },
	{ "userns", "", 0, 0,
	  "make a user namespace, mount in it", try_userns },
	{ "keyring", "", 0, 0,
	  "add a key to the kernel's keyrings", try_keyring },
	{ "terminal", "[--high-bits] [TEXT]", 0, 2,
	  "push TEXT into its terminal's input", try_terminal },
	{ "device-node", "NODE", 1, 1,
	  "open a device node for writing", try_device_node },
	{ "handle", "PATH", 1, 1,
	  "on the host: print PATH's handle", print_handle },
	{ "list", "", 0, 0,
	  "print the attempts' names", list_attempts },
};
#define ATTEMPT_COUNT (sizeof(attempts) / sizeof(attempts[0]))
#define LISTED_COUNT (ATTEMPT_COUNT - 2)      /* all but handle, list */

/* list: the attempts' names, one a line, for the lab to loop over. */
static int list_attempts(char **args)
{
	size_t i;

	(void)args;
	for (i = 0; i < LISTED_COUNT; i++)
		printf("%s\n", attempts[i].name);
	return 0;
}

/* --help: the usage, built from the table so it cannot fall behind. */
static int print_usage(void)
{
	char call[48];
	size_t i;

	printf("usage: escape-probe ATTEMPT [ARG...]\n\n"
	       "Tries one classic container escape, harmlessly, and "
	       "prints one line:\n"
	       "ESCAPED (exit 0), BLOCKED (exit 1) or N/A (exit 2).\n\n");
	for (i = 0; i < ATTEMPT_COUNT; i++) {
		snprintf(call, sizeof(call), "%s %s", attempts[i].name,
			 attempts[i].args);
		printf("  %-28s %s\n", call, attempts[i].summary);
	}
	return 0;
}

/* The attempt called NAME, or NULL. */
static const struct attempt *find_attempt(const char *name)
{
	size_t i;

	for (i = 0; i < ATTEMPT_COUNT; i++)
		if (strcmp(attempts[i].name, name) == 0)
			return &attempts[i];
	return NULL;
}

/*
 * Find the attempt, check how many arguments it got, run it. Each
 * attempt checks its arguments' form itself, before it does anything.
 */
int main(int argc, char *argv[])
{
	const struct attempt *attempt;
	int count;

	if (argc < 2)
		return usage_error("usage: escape-probe ATTEMPT [ARG...] "
				   "(see --help)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return print_usage();
	attempt = find_attempt(argv[1]);
	if (attempt == NULL)
		return usage_error("no attempt called %s (see "
				   "escape-probe list)", argv[1]);
	count = argc - 2;
	if (count < attempt->min_args || count > attempt->max_args)
		return usage_error("usage: escape-probe %s%s%s",
				   attempt->name, attempt->args[0] ? " " : "",
				   attempt->args);
	/* An inherited SIG_IGN would have the kernel reap our children
	 * itself, and waitpid() could not tell how they ended. */
	signal(SIGCHLD, SIG_DFL);
	return attempt->run(argv + 2);
}

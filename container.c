/*
 * container.c - a container runtime you can read from top to bottom.
 *
 * A container is not a thing the kernel knows about. It is an ordinary
 * process that the kernel has been asked to lie to: about which other
 * processes exist, what the machine is called, which files are there.
 * This file asks, one request at a time, and each request is a stage.
 *
 * Build one stage and run it (as root; see the safety note below):
 *
 *     cc -DSTAGE=3 -o container-3 container.c
 *     sudo ./container-3 run rootfs/ sh
 *
 * `make` builds every stage as build/container-N and the finished
 * program as build/container; `make stages` writes the code of each
 * stage alone, and the diff from one stage to the next, to build/stages.
 *
 *   stage  name             adds                          observe inside
 *   -----  ---------------  ----------------------------  ----------------
 *     0    a process        clone(), wait, exit status;   `exit 3` -> 3
 *                           signals passed on; it dies
 *                           with the runtime
 *     1    namespaces       uts pid mnt ipc net cgroup;   `echo $$` -> 1,
 *                           --init, a tiny PID 1          but `ps` still
 *                                                         shows the host!
 *     2    hostname         sethostname in the uts ns     `hostname`
 *     3    /proc            private mounts, new procfs    `ps` shows only
 *                                                         the container
 *     4    root filesystem  pivot_root, /dev, /sys, env,  `ls /` is ROOTFS
 *                           a terminal of its own
 *     5    user namespace   uid/gid maps: root inside is  `id` -> 0, but
 *                           nobody outside; rootless      the host sees
 *                                                         uid 100000
 *     6    cgroup limits    a cgroup v2 of its own, with  a memory hog
 *                           memory, cpu, pids, io limits  is killed at
 *                                                         --memory
 *     7    network          a veth pair to the bridge     `ip addr`: eth0,
 *                           container0, by rtnetlink;     172.30.0.N;
 *                           an address each               `ping 172.30.0.1`
 *     8    hardening        a short list of capabilities, `mount` and
 *                           no_new_privs, a seccomp       `unshare -U`
 *                           filter, masked /proc files,   are refused;
 *                           no inherited descriptors      grep Cap /proc/
 *                                                         self/status
 *     9    lifecycle        a state file per container;   `container ps`,
 *                           ps, exec, stop, kill,         `container exec
 *                           cleanup                       NAME sh`
 *
 * Reading guide. Start at the child's sequence (child_main) and the
 * parent's (run_container) near the end of the file: they list every
 * step in the order the kernel needs them. Each step is a small
 * function in a section of its own, in the order of the stages. Lines
 * between `#if STAGE >= N` and its `#endif` belong to stage N.
 *
 * Safety note. Stages 0 to 4 run as root on the host and the kernel
 * trusts them: a mistake in a mount can hide or change the host's
 * files. From stage 5 on, root inside is an unprivileged user outside,
 * and an ordinary user can run the container without sudo. Run the
 * early stages in a virtual machine you do not mind breaking (`sudo
 * make vm` boots the lab VM), not on your laptop. Stage 6's limits
 * need cgroup v2 alone, not the v1/v2 hybrid many hosts still run:
 * the lab VM has it.
 *
 * The parent (this program) and the child (the container to be) talk
 * over a socketpair, the channel:
 *
 *     parent: container run                 child: the container
 *     -------------------------             ----------------------
 *     lock its name, write its state file
 *       (stage 9)
 *     make its cgroup, write the limits
 *       (stage 6)
 *     make the channel
 *     clone() ----------------------------> starts in new namespaces
 *       (stage 6: clone3(), into the        (and in its cgroup)
 *        cgroup)                            waits for "go"
 *     set up what needs the child's pid:
 *       its uid and gid maps (stage 5),
 *       the veth into its net ns (stage 7)
 *     send "go" --------------------------> sets up its world:
 *                                           cgroup namespace,
 *                                           lo and eth0 (stage 7),
 *                                           hostname, mounts, root
 *     take its terminal's master <--------- a terminal of its own
 *       (stage 4, over a second channel)     (stage 4)
 *                                           hardening (stage 8)
 *                                           execvp(COMMAND)
 *     wait for the report <---------------- an exit code if set-up
 *       (EOF: the exec happened,             or exec failed; the
 *        the channel closed on exec)         channel closes on exec
 *     publish the child's pid for ps and
 *       exec (stage 9)
 *     relay the terminal (stage 4)
 *     wait for the child to end
 *     remove the veth, read memory.events,
 *     remove the cgroup, give the name back
 *       (stage 9)
 *     exit with its status (or 125/126/127)
 */

/* ------------------------------------------------------------------ */
/* Stage selection: the finished program unless told otherwise.       */
/* ------------------------------------------------------------------ */

#ifndef STAGE
#define STAGE 10
#endif
#if STAGE < 0 || STAGE > 10
#error "STAGE must be between 0 and 10: use -DSTAGE=N"
#endif

/* ------------------------------------------------------------------ */
/* Headers                                                            */
/* ------------------------------------------------------------------ */

#define _GNU_SOURCE          /* clone(), strerrorname_np(), execvpe() */
#include <arpa/inet.h>       /* inet_pton(): stage 7's addresses */
#include <ctype.h>           /* isdigit(): stage 6 parses sizes */
#include <errno.h>           /* errno and its names */
#include <fcntl.h>           /* open() flags; stage 4 creates files */
#include <ftw.h>             /* nftw(): stage 6 removes cgroup trees */
#include <getopt.h>          /* getopt_long() for the command line */
#include <grp.h>             /* setgroups(): stage 5 */
#include <inttypes.h>        /* PRId64: stage 10's 64-bit numbers */
#include <limits.h>          /* PATH_MAX, HOST_NAME_MAX */
#include <linux/audit.h>     /* AUDIT_ARCH_*: stage 8's seccomp */
#include <linux/capability.h> /* CAP_*, capset(2)'s structs: stage 8 */
#include <linux/filter.h>    /* BPF_STMT(): stage 8's seccomp filter */
#include <linux/if_link.h>   /* IFLA_*: links, stage 7 */
#include <linux/magic.h>     /* CGROUP2_SUPER_MAGIC: stage 6 */
#include <linux/rtnetlink.h> /* RTM_*: rtnetlink, stage 7 */
#include <linux/sched.h>     /* clone3()'s struct clone_args: stage 6 */
#include <linux/seccomp.h>   /* SECCOMP_RET_*: stage 8 */
#include <linux/veth.h>      /* VETH_INFO_PEER: stage 7 */
#include <net/if.h>          /* if_nametoindex(), IFNAMSIZ: stage 7 */
#include <sched.h>           /* clone() and the CLONE_NEW* flags */
#include <poll.h>            /* poll(): is the runtime still there? */
#include <signal.h>          /* forwarding signals to the child */
#include <stdarg.h>          /* die() takes printf-style arguments */
#include <stdbool.h>         /* bool */
#include <stddef.h>          /* offsetof(): stage 8's seccomp filter */
#include <stdio.h>           /* messages */
#include <stdint.h>          /* UINT32_MAX: the largest id, stage 5 */
#include <stdlib.h>          /* exit(), realpath(), clearenv() */
#include <string.h>          /* strcmp(), strerror() */
#include <dirent.h>          /* opendir(): stage 9's ps, cleanup */
#include <sys/file.h>        /* flock(): an address, a name, held */
#include <sys/ioctl.h>       /* ioctl(): stage 4's terminal */
#include <sys/mman.h>        /* memfd_create(): stage 10's hooks */
#include <sys/mount.h>       /* mount(), umount2(), mount_setattr() */
#include <sys/pidfd.h>       /* pidfd_open(): stage 9's exec, stop */
#include <sys/prctl.h>       /* prctl(): die with the runtime */
#include <sys/random.h>      /* getrandom() for generated names */
#include <sys/resource.h>    /* setrlimit(): stage 10's rlimits */
#include <sys/socket.h>      /* socketpair(): the channel */
#include <sys/stat.h>        /* stat(), mkdir() */
#include <sys/statfs.h>      /* statfs(): which filesystem, stage 6 */
#include <sys/statvfs.h>     /* statvfs(): a mount's flags, stage 4 */
#include <sys/syscall.h>     /* SYS_pivot_root: stage 4 */
#include <sys/sysmacros.h>   /* major(), minor(): stage 6 */
#include <sys/wait.h>        /* waitpid() and the status macros */
#include <termios.h>         /* the terminal, given back as it was */
#include <time.h>            /* clock_gettime(): a second signal */
#include <unistd.h>          /* execvp(), sethostname(), close() */
#if STAGE >= 10
#include <linux/bpf.h>       /* bpf(2): the device program */
#include <linux/keyctl.h>    /* a session keyring of its own */
#include <linux/openat2.h>   /* openat2(2): a terminal's ptmx */
#include <sys/sendfile.h>    /* sendfile(): create's sealed copy */
#include <sys/un.h>          /* sockaddr_un: the console socket */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U             /* linux/memfd.h, Linux 6.3 */
#endif
#endif

/* ------------------------------------------------------------------ */
/* Constants and the configuration                                    */
/* ------------------------------------------------------------------ */

#define CHILD_STACK_BYTES (1024 * 1024) /* clone() needs a stack */
#define NAME_MAX_CHARS 63               /* --name, like a DNS label */
#define MESSAGE_BYTES 512               /* one error line */
#if STAGE >= 4
#define MAX_VOLUMES 16                  /* --volume may repeat */
#define FD_NAME_BYTES 32                /* "/proc/self/fd/N" */
#endif
#if STAGE >= 5
#define MAX_ID_MAP_LINES 340            /* the kernel's limit, 4.15 on */
#define MAP_TEXT_MAX_BYTES 4096         /* and a map is under a page */
#define DEFAULT_ID_BASE 100000          /* host ids when subuid has none */
#define DEFAULT_ID_COUNT 65536          /* ids 0..65535 inside */
#endif
#if STAGE >= 6
#define CGROUP_PARENT "container.c"     /* every container's cgroup is in it */
#define CGROUP_PARENT_BYTES 128         /* ROOT/container.c */
#define CGROUP_PATH_BYTES 256           /* and /NAME */
#define CPU_PERIOD_US 100000UL          /* cpu.max's period: 0.1 s */
#define MIN_MEMORY_BYTES (6ULL << 20)   /* Docker's smallest --memory */
#define MAX_PIDS 4194304UL              /* the kernel's PID_MAX_LIMIT */
#define MAX_DEVICES 8                   /* disks with --device-* limits */
#endif
#if STAGE >= 7
#define STATE_DIR "/run/container.c"    /* address locks, state files */
#define BRIDGE_NAME "container0"        /* the project's bridge */
#define LINK_GROUP 0x636f6e74          /* its links' group: "cont" */
#define SUBNET_PREFIX "172.30.0."       /* its subnet: the bridge is .1 */
#define SUBNET_BITS 24                  /* 172.30.0.0/24 */
#endif
#if STAGE >= 8
#define MAX_FILTER_STEPS 256            /* the seccomp program's length */
#endif
#if STAGE >= 9
#define STATE_LINE_BYTES (PATH_MAX + 64) /* a state file: a path, numbers */
#endif
#if STAGE >= 10
#define CONFIG_MAX_BYTES (4 << 20)      /* config.json, seccomp and all */
#define JSON_MAX_DEPTH 32               /* far deeper than config.json */
#define JSON_ERROR_BYTES 512            /* one line naming where, and why */
#define MAX_DEVICE_RULES 128            /* linux.resources.devices */
#define MAX_DEVICE_NODES 256            /* linux.devices: each is checked
					   against each before it */
#define MAX_MAJOR 4095                  /* a device's numbers in the kernel: */
#define MAX_MINOR 1048575               /*   12 and 20 bits (MINORBITS) */
#define SYSCALL_SLOTS 512               /* x86_64's calls are under 512 */
#define MAX_CPU_QUOTA_US 17592186044415ULL /* 2^44 - 1: max_cfs_runtime */
#endif

/* Docker's exit codes for failures that are not the command's own. */
#define EXIT_RUNTIME_ERROR 125  /* the container could not be made */
#define EXIT_CANNOT_EXECUTE 126 /* COMMAND exists but cannot run */
#define EXIT_NOT_FOUND 127      /* COMMAND is not there */
#define SECOND_SIGNAL_NS 200000000L /* 0.2 s: a signal after it insists */
#define DEFAULT_STOP_TIMEOUT_S 10   /* Docker's, before SIGKILL */

#if STAGE >= 4
/* One --volume HOST:CONTAINER[:ro]. */
struct volume {
	char host[PATH_MAX];      /* resolved, absolute host path */
	const char *target;       /* absolute path inside the rootfs */
	bool read_only;           /* ":ro" was given */
	bool is_file;             /* HOST is a file, not a directory */
};
#endif /* STAGE >= 4 */

#if STAGE >= 5
/* One line of a uid_map or gid_map: COUNT ids from INSIDE on are the
 * host's ids from OUTSIDE on. user_namespaces(7) "User and group ID
 * mappings". */
struct id_range {
	unsigned int inside, outside, count;
};

/* All the lines of one map. */
struct id_map {
	struct id_range lines[MAX_ID_MAP_LINES];
	int count;
};
#endif /* STAGE >= 5 */

#if STAGE >= 6
/* The io.max line of one disk. */
struct device_limit {
	unsigned int major, minor;   /* the disk's numbers, from stat(2) */
	char rate[4][24];            /* rbps, wbps, riops, wiops, or "max" */
};

/* What --memory, --memory-swap, --cpus, --pids-limit and --device-*
 * asked for; 0 means "no limit". */
struct limits {
	bool any;                          /* one of them was given */
	const char *memory_option;         /* --memory as given */
	unsigned long long memory_bytes;   /* memory.max */
	unsigned long long memory_swap_bytes; /* --memory-swap: memory+swap */
	bool swap_unlimited;               /* --memory-swap -1 */
	unsigned long long swap_bytes;     /* memory.swap.max */
	unsigned long cpu_quota_us;        /* cpu.max, per CPU_PERIOD_US */
	unsigned long pids;                /* pids.max */
	struct device_limit devices[MAX_DEVICES]; /* io.max */
	int device_count;
#if STAGE >= 10
	unsigned long cpu_weight;          /* cpu.weight, from cpu.shares */
	const char *cpuset_cpus;           /* cpuset.cpus, or NULL */
	const char *cpuset_mems;           /* cpuset.mems, or NULL */
#endif
};
#endif /* STAGE >= 6 */

/* Everything the command line asked for. */
struct config {
	char **argv;              /* COMMAND and its arguments */
	char rootfs[PATH_MAX];    /* ROOTFS, resolved to an absolute path */
	char name[NAME_MAX_CHARS + 1]; /* --name, or a generated one */
	int channel;              /* the child's end of the socketpair */
	int parents_end;          /* the other end, which the child closes */
#if STAGE >= 1
	bool init;                /* --init: a tiny init is PID 1 */
#endif
#if STAGE >= 2
	const char *hostname;     /* --hostname; defaults to the name */
#endif
#if STAGE >= 4
	struct volume volumes[MAX_VOLUMES]; /* --volume, in order */
	int volume_count;
	int terminal_fds;         /* of 0, 1, 2 those that are the caller's
				     terminal: bit N for descriptor N */
	int terminal_socket;      /* the child's end of the channel for its
				     terminal's master; -1 for none */
#endif
#if STAGE >= 5
	struct id_map uids;       /* --uidmap, or the default */
	struct id_map gids;       /* --gidmap, or the same as the uids */
#endif
#if STAGE >= 6
	struct limits limits;     /* --memory, --cpus and the rest */
	char cgroup_parent[CGROUP_PARENT_BYTES]; /* ROOT/container.c */
	char cgroup[CGROUP_PATH_BYTES]; /* its cgroup, once ours; or "" */
	int cgroup_fd;            /* open on it, locked, for clone3() */
	bool born_in_cgroup;      /* clone3() put the child there */
	bool delegated;           /* the cgroup belongs to root inside */
#endif
#if STAGE >= 7
	bool network;             /* --network bridge (root's default) */
	struct in_addr address;   /* --ip, or the first free address */
	char address_lock[128];   /* STATE_DIR/+ADDRESS, locked */
	int address_fd;           /* open on it, holding the lock */
	char veth[IFNAMSIZ];      /* the host's end of the veth pair */
	bool veth_made;           /* and it exists */
#endif
#if STAGE >= 8
	uint64_t capabilities;    /* the ones it keeps: bit N is CAP N */
	bool seccomp;             /* the filter, unless unconfined */
#endif
#if STAGE >= 9
	char state[PATH_MAX];     /* state_dir()/NAME, locked while we run */
	int state_fd;             /* open on it, holding the lock */
	int plugging_fd;          /* STATE_DIR, locked while the veth is
				     plugged in (lock_state_dir()); or 0 */
#endif
};

/* Set by --verbose: print each step with the shell command it equals. */
static bool verbose;

/* The child's pid, for the signal handler; 0 inside the child. */
static pid_t child_pid;

/* --stop-timeout: seconds from a signal passed on to SIGKILL. */
static unsigned int stop_timeout_s = DEFAULT_STOP_TIMEOUT_S;

#if STAGE >= 6
/* The container's cgroup.kill, open for the signal handlers; or -1. */
static int cgroup_kill_fd = -1;
#endif

/* How many elements the array A has (an array, not a pointer). */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Helpers: reporting errors and steps                                */
/* ------------------------------------------------------------------ */

/* A hint for an error learners meet often, added to its one line:
 * the operation (how the message starts) and errno select it. */
struct hint {
	const char *operation;
	int error;
	const char *text;
};

static const struct hint hints[] = {
	{ "exec", ENOENT, "is COMMAND in the PATH of the container? "
	  "A script also needs its interpreter (#!) there" },
	{ "exec", EACCES, "is COMMAND a file with execute permission?" },
	{ "rootfs", ENOENT, "build one with ./rootfs-builder.sh ROOTFS" },
#if STAGE >= 1
	{ "clone", EPERM, "new namespaces need root: run with sudo" },
	{ "clone", EINVAL, "does this kernel have every namespace? "
	  "run `container check`" },
#endif
#if STAGE >= 3
	{ "mount", EPERM, "mounting needs root in the mount namespace: "
	  "run with sudo" },
	{ "mount --make-rprivate", EINVAL, "/ is not a mount point: are "
	  "you in a chroot? run from a real root" },
#endif
#if STAGE >= 4
	{ "pivot_root", EINVAL, "the new root must be a mount point and "
	  "/ must not be a chroot: run from a real root, not a chroot" },
	{ "pivot_root", EBUSY, "ROOTFS is already the root: give a "
	  "directory that holds a root filesystem" },
	{ "symlink", EEXIST, "something already exists at that path in "
	  "the rootfs" },
	{ "mount point", ELOOP, "a part of that path is a symbolic link "
	  "(or ..) in the rootfs, and none is followed: give the path it "
	  "leads to" },
	{ "mount point", ENOTDIR, "a part of that path is a file in the "
	  "rootfs, not a directory" },
	{ "mount_setattr", ENOSYS, "read-only volumes need Linux 5.12 or "
	  "later" },
#endif
#if STAGE >= 5
	{ "write /proc/", EINVAL, "the kernel refused this map: ranges "
	  "overlap, or the writer may not map these ids" },
	{ "write /proc/", EPERM, "only root may map ids other than its "
	  "own (run with sudo, or map only your own id), and a gid_map "
	  "of one's own needs \"deny\" in setgroups first" },
	{ "clone", ENOSPC, "too many user namespaces: see "
	  "/proc/sys/user/max_user_namespaces" },
	{ "clone", EPERM, "this machine forbids user namespaces to "
	  "you: `container check` says why" },
	{ "mount point", EACCES, "you may not write in ROOTFS: make the "
	  "directory there beforehand, or use a rootfs of your own" },
	{ "mount --rbind", EACCES, "root inside is a plain uid outside: "
	  "each directory above a volume must let it pass (chmod o+x)" },
#endif
#if STAGE >= 6
	{ "mount cgroup2", EPERM, "a cgroup2 mount needs a cgroup "
	  "namespace that root inside owns: unshare(CLONE_NEWCGROUP) in "
	  "the child first" },
	{ "mkdir /sys/fs/cgroup", EACCES, "this cgroup tree is not "
	  "ours to write: inside a container? run on the host" },
	{ "mkdir /sys/fs/cgroup", EROFS, "/sys/fs/cgroup is read-only: "
	  "inside a container? run on the host or in the lab VM" },
	{ "enable the", EBUSY, "a cgroup with processes of its own cannot "
	  "give controllers to its children (no internal processes)" },
	{ "enable the", ENOENT, "the controller is missing from this "
	  "cgroup's cgroup.controllers: is it enabled in the parent?" },
	{ "write /sys/fs/cgroup", ENOENT, "no such file: its controller "
	  "is not enabled in the parent's cgroup.subtree_control" },
	{ "write /sys/fs/cgroup", EINVAL, "the kernel refused this value "
	  "for this file: see cgroup-v2.rst for its format" },
#endif
#if STAGE >= 9
	{ "pidfd_open", ENOSYS, "exec, stop and kill need Linux 5.3 on "
	  "(and exec 5.8, for setns on a pidfd)" },
#endif
#if STAGE >= 10
	{ "setns /", EINVAL, "setns(2) wants a namespace of the type "
	  "given (readlink the path to see it), and no pid namespace "
	  "above the runtime's own" },
	{ "write /proc/self/timens_offsets", ERANGE, "an offset may not "
	  "take its clock below 0, nor past about 146 years: "
	  "see time_namespaces(7)" },
	{ "unshare CLONE_NEWTIME", EINVAL, "this kernel has no time "
	  "namespaces (Linux 5.8 on, CONFIG_TIME_NS)" },
	{ "open /proc/self/timens_offsets", EACCES, "a runtime run as "
	  "another user than root writes them only with a user namespace "
	  "of the container's own, and no pid namespace joined" },
#endif
};

/* Add " (hint: ...)" to the message when a hint fits, so that the
 * error stays one line. The last that fits wins: a later stage's hint
 * knows more than an earlier one's. */
static void add_hint(char *message, size_t size, int error)
{
	size_t used = strlen(message);
	const char *text = NULL;

	for (size_t i = 0; i < ARRAY_LEN(hints); i++)
		if (hints[i].error == error &&
		    strncmp(message, hints[i].operation,
			    strlen(hints[i].operation)) == 0)
			text = hints[i].text;
	if (text != NULL)
		snprintf(message + used, size - used, " (hint: %s)", text);
}

#if STAGE >= 10
static void log_error(const char *message);  /* stage 10's --log */
#endif

/* Print "container: <what>: <ENAME>: <message>" as one line, with
 * errno saved by the caller (0 for bad input: no errno part then).
 * strerrorname_np() gives the name learners can grep the man pages
 * for (EPERM), strerror() the words. */
static void print_error(int error, const char *fmt, va_list ap)
{
	char message[MESSAGE_BYTES];
	int n = vsnprintf(message, sizeof(message), fmt, ap);

	if (error != 0 && n >= 0 && (size_t)n < sizeof(message)) {
		const char *name = strerrorname_np(error);

		snprintf(message + n, sizeof(message) - n, ": %s: %s",
			 name ? name : "E?", strerror(error));
		add_hint(message, sizeof(message), error);
	}
	fprintf(stderr, "container: %s\n", message);
#if STAGE >= 10
	log_error(message);           /* and to --log's file */
#endif
}

/* Set first thing by child_main() (its --init command inherits it)
 * and by exec's child: die() in a child must end it with _exit(2),
 * never run the runtime's exit handler. */
static bool in_child;

/* End with 125, the line printed. The runtime ends through exit(3),
 * so that its one exit handler undoes the set-up (undo_set_up()); a
 * child of ours through _exit(2), which runs no handler and flushes no
 * copy of the runtime's buffers. */
__attribute__((noreturn))
static void exit_runtime_error(void)
{
	if (in_child)
		_exit(EXIT_RUNTIME_ERROR);
	exit(EXIT_RUNTIME_ERROR);
}

/* Three ways to fail, named so that no caller touches errno: die()
 * after a system call failed (errno says why), die_with() with an
 * error code a call returned (netlink's answer), refuse() for input or
 * a state we will not go on with (no error code: the words say why).
 * For the parent: the child reports through child_die(). */
__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	int error = errno;
	va_list ap;

	va_start(ap, fmt);
	print_error(error, fmt, ap);
	va_end(ap);
	exit_runtime_error();
}

/* A call returned its error code instead of setting errno: netlink
 * answers with -errno (nl_talk()), write_cgroup_file() returns one. */
__attribute__((noreturn, format(printf, 2, 3)))
static void die_with(int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(error, fmt, ap);
	va_end(ap);
	exit_runtime_error();
}

/* Input we cannot use, or a state we will not go on from (a name in
 * use, a stage too old): there is no error code, the words say why. */
__attribute__((noreturn, format(printf, 1, 2)))
static void refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(0, fmt, ap);
	va_end(ap);
	exit_runtime_error();
}

/* With --verbose, print a step as the shell command that would do the
 * same, so a room can follow along (and try it by hand). */
__attribute__((format(printf, 1, 2)))
static void show_step(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("+ ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Stage 0: the channel between parent and child                      */
/* ------------------------------------------------------------------ */

/* #region channel */
/* Make the channel: a pair of connected sockets, close-on-exec.
 * SOCK_SEQPACKET keeps each message whole; close-on-exec means the
 * child's end closes by itself the moment execve() succeeds, so the
 * parent reads EOF exactly then. socketpair(2), unix(7). */
static void make_channel(int ends[2])
{
	int type = SOCK_SEQPACKET | SOCK_CLOEXEC;

	if (socketpair(AF_UNIX, type, 0, ends) < 0)
		die("socketpair");
}

/* Parent: let the child go on. The child waits for this byte so the
 * parent can first do what needs the child's pid (stages 5 to 7). A
 * child that is gone already (a signal ended it) closed its end:
 * EPIPE, and its exit status will tell why. */
static void send_go(int channel)
{
	char go = 'g';

	if (write(channel, &go, 1) != 1 && errno != EPIPE)
		die("write go to the child");
}

/* Child: wait for the parent's go. EOF means the parent died. */
static void wait_for_go(int channel)
{
	char go;

	if (read(channel, &go, 1) != 1)
		_exit(EXIT_RUNTIME_ERROR);
}

/* Parent: wait until the child has exec'd (EOF, returns 0) or has
 * reported the exit code of a failure (125, 126 or 127). */
static int wait_for_exec(int channel)
{
	int code = 0;
	ssize_t n;

	do
		n = read(channel, &code, sizeof(code));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(code))
		return code;
	return 0;
}
/* #endregion channel */

/* Child, its line printed (stderr is the terminal's, shared with the
 * parent): send the exit code CODE to the parent and exit. The child
 * never returns into the parent's code: that is why it uses _exit()
 * and not exit(). */
__attribute__((noreturn))
static void child_exit(const struct config *cfg, int code)
{
	ssize_t sent = write(cfg->channel, &code, sizeof(code));

	(void)sent;                   /* none if the parent is gone */
	_exit(code);
}

/* Child: a call failed (errno says why); end with CODE. */
__attribute__((noreturn, format(printf, 3, 4)))
static void child_fail(const struct config *cfg, int code,
		       const char *fmt, ...)
{
	int error = errno;
	va_list ap;

	va_start(ap, fmt);
	print_error(error, fmt, ap);
	va_end(ap);
	child_exit(cfg, code);
}

#if STAGE >= 3
/* Child: a call returned the error code ERROR; end with 125. */
__attribute__((noreturn, format(printf, 3, 4)))
static void child_die_with(const struct config *cfg, int error,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_error(error, fmt, ap);
	va_end(ap);
	child_exit(cfg, EXIT_RUNTIME_ERROR);
}
#endif

/* The child's die(): a set-up step failed. */
#define child_die(cfg, ...) child_fail(cfg, EXIT_RUNTIME_ERROR, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Stage 0: running the command                                       */
/* ------------------------------------------------------------------ */

/* Child, last step: become COMMAND. execvp() searches PATH like a
 * shell does; it returns only on failure, and then Docker's codes
 * apply: 127 when there is no such file, 126 when it cannot run.
 * execve(2), exec(3). */
static void exec_command(const struct config *cfg)
{
	show_step("exec %s", cfg->argv[0]);
	signal(SIGPIPE, SIG_DFL);     /* the runtime's parent ignored it */
	execvp(cfg->argv[0], cfg->argv);
	if (errno == ENOENT || errno == ENOTDIR)
		child_fail(cfg, EXIT_NOT_FOUND, "exec %s", cfg->argv[0]);
	child_fail(cfg, EXIT_CANNOT_EXECUTE, "exec %s", cfg->argv[0]);
}

/* ------------------------------------------------------------------ */
/* Stage 0: signals and the exit status                               */
/* ------------------------------------------------------------------ */

/* Parent: end the container at once: SIGKILL to the child and, from
 * stage 6 on, to every process in its cgroup (cgroup.kill), not only
 * to those that die with its pid namespace. For signal handlers: only
 * async-signal-safe calls. */
static void kill_container(void)
{
#if STAGE >= 6
	if (cgroup_kill_fd >= 0 && write(cgroup_kill_fd, "1", 1) == 1)
		return;
#endif
	kill(child_pid, SIGKILL);
}

/* The signals passed on to the child: those that ask a program to end. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* A signal that came while there was no child to pass it on to. */
static volatile sig_atomic_t early_signal;

/* Parent: pass a signal on to the child. A signal from the terminal
 * (Ctrl-C) already reached the whole foreground process group, child
 * included, and comes from the kernel (SI_KERNEL): passing it on again
 * would deliver it twice. A container's PID 1 ignores the signals it
 * has no handler for (pid_namespaces(7)), so a request to end may go
 * unheard: a second signal sent to us, a while after the first, is
 * passed on as SIGKILL, and so is the first after --stop-timeout
 * seconds (alarm(2)). Two at once are one request: timeout(1), for
 * one, signals us and then our process group. One that comes before
 * there is a child, from the terminal too, is kept and passed on once
 * there is (release_signals()). It puts errno back as it found it,
 * as a handler that makes calls must. signal(7), signal-safety(7). */
static void forward_signal(int sig, siginfo_t *info, void *context)
{
	static long long first_ns;
	int saved_errno = errno;      /* the code we interrupt may read it */
	struct timespec now;
	long long now_ns;

	(void)context;
	if (child_pid <= 0) {
		early_signal = sig;   /* no child yet: see release_signals() */
		return;
	}
	if (info->si_code == SI_KERNEL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);  /* async-signal-safe */
	now_ns = now.tv_sec * 1000000000LL + now.tv_nsec;
	if (first_ns == 0) {
		first_ns = now_ns;
		if (stop_timeout_s == 0)
			sig = SIGKILL;
		alarm(stop_timeout_s);
	} else if (now_ns - first_ns > SECOND_SIGNAL_NS) {
		sig = SIGKILL;
	}
	if (sig == SIGKILL)
		kill_container();
	else
		kill(child_pid, sig);
	errno = saved_errno;
}

/* Parent: --stop-timeout seconds have passed since a signal was
 * passed on, and the child is still there. */
static void stop_timeout_expired(int sig)
{
	int saved_errno = errno;

	(void)sig;
	if (child_pid > 0)
		kill_container();
	errno = saved_errno;
}

/* Parent: forward the signals that ask a program to end, from the
 * start of the set-up on. sigaction(2). */
static void forward_signals(void)
{
	struct sigaction action = { 0 };

	action.sa_sigaction = forward_signal;
	action.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(forwarded); i++)
		if (sigaction(forwarded[i], &action, NULL) < 0)
			die("sigaction %s", sigabbrev_np(forwarded[i]));
	if (signal(SIGALRM, stop_timeout_expired) == SIG_ERR)
		die("signal SIGALRM");
}

/* Parent, around clone() or fork(): hold the forwarded signals back
 * (sigprocmask(2)). The child starts with our handlers, which would
 * swallow a signal meant for it; it sets the defaults back first thing
 * (take_default_signals()), and one sent to it meanwhile waits until
 * then. OLD keeps our mask. */
static void hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_LEN(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Parent, once child_pid is known: let the held signals in, and pass
 * on the one that came before there was a child to pass it to. */
static void release_signals(const sigset_t *old)
{
	int early = early_signal;

	sigprocmask(SIG_SETMASK, old, NULL);
	early_signal = 0;
	if (early != 0 && child_pid > 0)
		raise(early);         /* forward_signal() passes it on */
}

/* Child, first thing: the forwarded signals back to their defaults,
 * then let in; one held since clone() or fork() takes effect now. */
static void take_default_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_LEN(forwarded); i++) {
		signal(forwarded[i], SIG_DFL);
		sigaddset(&set, forwarded[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Child: ask the kernel to kill this process when the runtime dies,
 * even of a SIGKILL, which leaves the runtime no time to end it: a
 * container must not outlive the program that answers for it. The
 * wish is forgotten when the child's credentials change (stage 5's
 * become_root), so it is made again then; and if the runtime died
 * just before, its end of the channel is closed already. The kernel
 * watches the thread that made the child, not the whole process:
 * the runtime has one thread, and a runtime with more must clone
 * from the one that lives longest. prctl(2) "PR_SET_PDEATHSIG",
 * poll(2). */
static void die_with_parent(const struct config *cfg)
{
	struct pollfd runtime = { cfg->channel, POLLRDHUP, 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_die(cfg, "prctl PR_SET_PDEATHSIG");
	if (poll(&runtime, 1, 0) > 0 &&
	    (runtime.revents & (POLLRDHUP | POLLHUP)))
		_exit(EXIT_RUNTIME_ERROR);
}

/* Parent: the terminal's settings before the container ran, if
 * standard input is a terminal and we are its foreground: a runtime
 * started in the background (`&`) must not take the terminal back. */
static struct termios saved_terminal;
static bool have_terminal;

/* Parent: remember the terminal's settings: a program in the
 * container may change them (a shell does) and die before it can put
 * them back. tcgetattr(3). */
static void save_terminal(void)
{
	have_terminal = tcgetpgrp(STDIN_FILENO) == getpgrp() &&
			tcgetattr(STDIN_FILENO, &saved_terminal) == 0;
}

/* Parent, after the child has ended: give the terminal back as it
 * was. A shell in the container with job control made its own process
 * group the terminal's foreground one; ours must be that again before
 * it may set the terminal without being stopped (SIGTTOU), which is
 * ignored meanwhile. credentials(7) "Process groups", tcsetpgrp(3). */
static void restore_terminal(void)
{
	void (*old)(int);

	if (!have_terminal)
		return;
	old = signal(SIGTTOU, SIG_IGN);
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) == 0)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_terminal);
	signal(SIGTTOU, old);
}

/* Parent: wait for the child to end and turn its status into an exit
 * code as a shell does: its own code, or 128 + N when signal N killed
 * it. waitpid(2), wait(2) "WIFSIGNALED". */
static int wait_for_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid %d", pid);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

#if STAGE >= 1
/* ------------------------------------------------------------------ */
/* Stage 1: namespaces                                                */
/* ------------------------------------------------------------------ */

/* A namespace wraps one kind of the machine's global resources, so that
 * the processes in it see an instance of their own (namespaces(7)).
 * Stage 1 asks clone(2) for six kinds at once, a CLONE_NEW* flag each:
 * UTS (the host name), PID (process ids: the child is PID 1 of a new
 * tree), mount (the table of mounts), IPC (System V IPC and POSIX
 * message queues), network (devices, addresses, routes, ports) and
 * cgroup (the view of the cgroup tree). Each kind is a membership of
 * its own: a process can share one kind with the host and not another.
 * Only pid and user namespaces nest, each within its own kind.
 *
 * New namespaces start as copies (the mounts, the host name) or empty
 * (the network namespace has only lo, down), and nothing is hidden yet:
 * `ps` still lists the host's processes, as it reads /proc, mounted
 * for the host's pid namespace (stage 3 mounts a fresh one), and the
 * files are the host's (stage 4).
 *
 * PID 1 of a pid namespace is special (pid_namespaces(7)): the kernel
 * delivers it only the signals it has a handler for (from an ancestor
 * namespace, SIGKILL and SIGSTOP too), orphans of the namespace are
 * given to it to reap, and when it ends the kernel kills every other
 * process there. Hence --init: a tiny PID 1 that handles the signals
 * and reaps, as `docker run --init` gives one. */

/* With --verbose, show clone()'s flags as the unshare(1) command that
 * makes the same namespaces. */
static void show_unshare(int flags, const struct config *cfg)
{
	static const struct {
		int flag;
		const char *option;
	} namespaces[] = {
		{ CLONE_NEWUTS, "--uts" },       /* hostname */
		{ CLONE_NEWPID, "--pid" },       /* process ids */
		{ CLONE_NEWNS, "--mount" },      /* the mount table */
		{ CLONE_NEWIPC, "--ipc" },       /* SysV IPC, mqueues */
		{ CLONE_NEWNET, "--net" },       /* network devices */
		{ CLONE_NEWCGROUP, "--cgroup" }, /* the cgroup root */
#if STAGE >= 5
		{ CLONE_NEWUSER, "--user" },     /* uids, gids, capabilities */
#endif
	};
	char options[256] = "";

	for (size_t i = 0; i < ARRAY_LEN(namespaces); i++)
		if (flags & namespaces[i].flag) {
			strcat(options, " ");
			strcat(options, namespaces[i].option);
		}
	show_step("unshare --fork%s -- %s", options, cfg->argv[0]);
}

/* The command's pid, for the init's signal handler. */
static pid_t command_pid;

/* Init: pass a signal the runtime passed on to the command. Those from
 * the terminal (SI_KERNEL) reached the command already. */
static void pass_to_command(int sig, siginfo_t *info, void *context)
{
	int saved_errno = errno;

	(void)context;
	if (command_pid > 0 && info->si_code != SI_KERNEL)
		kill(command_pid, sig);
	errno = saved_errno;
}

/* Child, with --init: split in two. The new process goes on to become
 * the command (this function returns in it only); this one stays PID
 * 1 as a tiny init. PID 1 has two duties a command does not expect:
 * signals without a handler never reach it, and every orphan in the
 * namespace becomes its child, to be waited for or left a zombie. The
 * init has handlers that pass signals on, waits for every child, and
 * ends as the command ended. pid_namespaces(7), wait(2). */
static void become_init(const struct config *cfg)
{
	static const int signals[] = {
		SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
	};
	struct sigaction action = { 0 };
	int status = 0;
	pid_t pid;

	action.sa_sigaction = pass_to_command;
	action.sa_flags = SA_SIGINFO | SA_RESTART;
	for (size_t i = 0; i < ARRAY_LEN(signals); i++)
		sigaction(signals[i], &action, NULL);
	show_step("fork: PID 1 stays an init, PID 2 runs %s", cfg->argv[0]);
	command_pid = fork();
	if (command_pid < 0)
		child_die(cfg, "fork the command");
	if (command_pid == 0)
		return;               /* the command: exec reports for it */
	close(cfg->channel);          /* so EOF comes with its exec */
	do
		pid = wait(&status);
	while (pid != command_pid && (pid > 0 || errno == EINTR));
	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}
#endif /* STAGE >= 1 */

#if STAGE >= 2
/* ------------------------------------------------------------------ */
/* Stage 2: the hostname                                              */
/* ------------------------------------------------------------------ */

/* The first namespace to show itself. A UTS namespace holds two
 * strings, the host name and the NIS domain name (uts_namespaces(7)),
 * and the child, alone in a new one since stage 1, may change them
 * with the host none the wiser. It does so after "go", the first of
 * its set-up steps, with --hostname's name, or else the container's.
 * Unlike Docker, whose containers are named after the first 12 hex
 * digits of their id even with --name. */

/* Child: name the machine. Only this uts namespace sees the new name;
 * the host keeps its own. uts_namespaces(7), sethostname(2). */
static void set_hostname(const struct config *cfg)
{
	show_step("hostname %s", cfg->hostname);
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		child_die(cfg, "sethostname %s", cfg->hostname);
}
#endif /* STAGE >= 2 */

#if STAGE >= 3
/* ------------------------------------------------------------------ */
/* Stage 3: private mounts and a fresh /proc                          */
/* ------------------------------------------------------------------ */

/* `ps` and `top` read /proc, and a procfs shows the processes of one
 * pid namespace: that of the process that mounted it
 * (pid_namespaces(7), "/proc and PID namespaces"). The container of
 * stage 1 has a pid namespace of its own but the host's /proc, so it
 * still lists every process of the host. Two steps fix that, in this
 * order:
 *
 * 1. make every mount of the new mount namespace private, so that no
 *    mount event crosses to the host or back (mount_namespaces(7),
 *    "Shared subtrees"): the namespace starts as a copy of the host's
 *    mounts, and where / is shared, as systemd makes it, a mount made
 *    in the copy would also appear in the host;
 * 2. mount a fresh procfs on /proc, over the host's, from inside: it
 *    shows the child's pid namespace, where the child is PID 1.
 *
 * The other way round, the new /proc would cover the host's own. */

/* Child: write ROOT followed by PATH ("/" counts as "") into
 * out, or fail when the result is longer than any path may be. */
static void path_in(const struct config *cfg, char out[PATH_MAX],
		    const char *root, const char *path)
{
	int n;

	if (strcmp(root, "/") == 0)
		root = "";
	n = snprintf(out, PATH_MAX, "%s%s", root, path);
	if (n < 0 || n >= PATH_MAX)
		child_die_with(cfg, ENAMETOOLONG, "path %s%s", root, path);
}

/* Child: stop mount events from crossing to the host. The new mount
 * namespace starts as a copy of the host's, and on most hosts (systemd
 * makes / "shared") a mount made in a copy would appear in the host
 * too. MS_PRIVATE on every mount (MS_REC) cuts that link, and must come
 * before any mount of ours. mount_namespaces(7) "Shared subtrees". */
static void make_mounts_private(const struct config *cfg)
{
	show_step("mount --make-rprivate /");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_die(cfg, "mount --make-rprivate /");
}

/* Where the container's "/" is while the child builds it: the host's
 * own at stage 3; from stage 4 on, ROOTFS, until pivot_root. */
static const char *setup_root(const struct config *cfg)
{
#if STAGE >= 4
	return cfg->rootfs;
#else
	(void)cfg;
	return "/";
#endif
}

/* Child: mount a new procfs on /proc. It shows the processes of the
 * pid namespace of the process that mounts it, so `ps` inside now
 * lists only the container's. nosuid, nodev, noexec: nothing in /proc
 * needs them. proc(5), pid_namespaces(7) "/proc and PID namespaces".
 * From stage 5 on it must be mounted before pivot_root, while the
 * host's /proc is still in this mount namespace: the kernel lets a
 * user namespace mount a procfs only if one is fully visible somewhere
 * in its mount namespace, at any path (mnt_already_visible() in
 * fs/namespace.c). */
static void mount_proc(const struct config *cfg)
{
	char target[PATH_MAX];
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	path_in(cfg, target, setup_root(cfg), "/proc");
	show_step("mount -t proc -o nosuid,nodev,noexec proc %s", target);
	if (mount("proc", target, "proc", flags, NULL) < 0)
		child_die(cfg, "mount proc on %s", target);
}
#endif /* STAGE >= 3 */

#if STAGE >= 4
/* ------------------------------------------------------------------ */
/* Stage 4: a root filesystem of its own                              */
/* ------------------------------------------------------------------ */

/* Until now the container sees the host's files. Stage 4 gives it a
 * tree of its own, ROOTFS, as its /, and takes the host's away.
 * chroot(2) would not do: it changes where paths that start with "/"
 * begin for one process, and root can walk out of it (chroot into a
 * subdirectory, then climb with ".."; the rootfs's chroot-escape
 * shows it), while the host's mounts stay in the namespace.
 * pivot_root(2) moves the namespace's root mount itself: the old root
 * is stacked on top of the new one (pivot_root(".", "."), see
 * pivot_into_rootfs()), then unmounted, and gone.
 *
 * pivot_root's rules (pivot_root(2)) set the order: the new root must
 * be a mount point, hence ROOTFS bind-mounted onto itself, and the
 * mounts involved may not be shared, hence stage 3's private mounts.
 * What the container needs of the host's is mounted into ROOTFS before
 * the pivot, while the host's paths can still be named: a fresh /proc,
 * a small /dev on a tmpfs whose few devices are bound from the host's,
 * a read-only /sys, and the volumes. After the pivot: a clean
 * environment, and a terminal of its own (the next section). Paths in
 * ROOTFS are walked one part at a time and never through a link: a
 * rootfs is the container's to change, and a link planted there must
 * not lead a mount of the runtime (root, on the host) out of it. */

/* Child or exec: make the bind mount at TARGET also FLAG (MS_NODEV,
 * MS_RDONLY), shown as NAME. A remount sets every flag anew, so the
 * ones the mount already has (read-only, nosuid, nodev, noexec, atime)
 * are passed again: inside a user namespace (stage 5) the kernel
 * refuses to clear them. statvfs(3) reports them. */
static void remount_bind(const struct config *cfg, const char *target,
			 unsigned long flag, const char *name)
{
	unsigned long keep = ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC |
			     ST_NOATIME | ST_NODIRATIME | ST_RELATIME;
	unsigned long flags = MS_REMOUNT | MS_BIND | flag;
	struct statvfs st;

	if (statvfs(target, &st) < 0)
		child_die(cfg, "statvfs %s", target);
	flags |= st.f_flag & keep;
	show_step("mount -o remount,bind,%s %s", name, target);
	if (mount(NULL, target, NULL, flags, NULL) < 0)
		child_die(cfg, "mount -o remount,%s %s", name, target);
}

/* Child: bind ROOTFS onto itself. pivot_root(2) wants the new root to
 * be a mount point, and a directory need not be one; a bind mount of it
 * onto itself always is. MS_REC keeps the mounts below it. The bind is
 * then made nodev: a device node that came with the image, or that an
 * earlier container left there, opens nothing (the container's devices
 * are the few that make_dev() binds in). mount(2) "MS_NODEV". Unlike
 * Docker, which keeps such nodes shut with its containers' device
 * rules, the cgroup's list of the devices it allows. */
static void bind_rootfs_onto_itself(const struct config *cfg)
{
	const char *rootfs = cfg->rootfs;

	show_step("mount --rbind %s %s", rootfs, rootfs);
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_die(cfg, "mount --rbind %s", rootfs);
	remount_bind(cfg, rootfs, MS_NODEV, "nodev");
}

/* What open_in_rootfs() makes when a part of a path is missing. */
enum make { MAKE_NOTHING, MAKE_DIRECTORY, MAKE_FILE };

/* Parent or child: open the single name PART in the directory DIR,
 * not following a link, as an O_PATH descriptor; make it first, if it
 * is missing, as MAKE says. -1 and errno on failure; ELOOP for a link. */
static int open_part(int dir, const char *part, enum make make)
{
	int fd = openat(dir, part, O_PATH | O_NOFOLLOW | O_CLOEXEC), made = 0;
	struct stat st;

	if (fd < 0 && errno == ENOENT && make == MAKE_FILE &&
	    (made = openat(dir, part, O_WRONLY | O_CREAT | O_EXCL |
			   O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0)
		made = close(made);
	else if (fd < 0 && errno == ENOENT && make == MAKE_DIRECTORY)
		made = mkdirat(dir, part, 0755);
	if (made < 0 && errno != EEXIST)
		return -1;            /* EEXIST: made by another a moment ago */
	if (fd < 0)
		fd = openat(dir, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
		close(fd);
		errno = ELOOP;
		return -1;
	}
	return fd;
}

/* Parent or child: open PATH, a path as the container will see it, in
 * the rootfs ROOT (an open directory), as an O_PATH descriptor: a
 * handle on the file itself, to mount on. Until pivot_root the rootfs
 * is only a directory of the host's, and a plain open() of ROOTFS/PATH
 * follows links the host's way: a link /data -> /etc in the image, or
 * one an earlier container planted, would lead to the host's /etc. So
 * one part at a time, each opened in the directory of the part before
 * (openat(2)) with O_NOFOLLOW: a part that is a link is refused, as is
 * "..". With MAKE, a missing part is made in that directory, the last
 * one as MAKE says, those before it as directories; never through a
 * link, since mkdirat(2) and O_CREAT | O_EXCL refuse a name that is
 * there, even as a link to nowhere. Returns the descriptor, or -1 and
 * errno (ELOOP: a link). path_resolution(7), open(2) "O_PATH". */
static int open_in_rootfs(int root, const char *path, enum make make)
{
	char part[NAME_MAX + 1];
	int dir = fcntl(root, F_DUPFD_CLOEXEC, 0), fd;
	const char *p = path + strspn(path, "/");

	while (dir >= 0 && *p != '\0') {
		size_t n = strcspn(p, "/");
		bool last = p[n + strspn(p + n, "/")] == '\0';

		if (n > NAME_MAX || (n == 2 && strncmp(p, "..", 2) == 0)) {
			close(dir);
			errno = n > NAME_MAX ? ENAMETOOLONG : ELOOP;
			return -1;
		}
		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		fd = open_part(dir, part, last || make == MAKE_NOTHING ? make :
			       MAKE_DIRECTORY);
		close(dir);
		dir = fd;
		p += n + strspn(p + n, "/");
	}
	return dir;
}

/* Child: open PATH in the rootfs as open_in_rootfs() does, or fail. */
static int open_mount_point(const struct config *cfg, const char *path,
			    enum make make)
{
	int root = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = root < 0 ? -1 : open_in_rootfs(root, path, make);

	if (fd < 0)
		child_die(cfg, "mount point %s in %s", path, cfg->rootfs);
	close(root);
	return fd;
}

/* The name under which mount(2), which takes paths, reaches what the
 * descriptor FD is open on: /proc/self/fd/FD. The kernel follows this
 * magic link to that very file, whatever links or renames happened to
 * its path since. proc_pid_fd(5). */
static void name_fd(int fd, char name[FD_NAME_BYTES])
{
	snprintf(name, FD_NAME_BYTES, "/proc/self/fd/%d", fd);
}

/* Child: bind the host's device node /dev/NAME onto NAME in DEV, the
 * container's /dev: a descriptor of the tmpfs the child mounted there
 * a moment ago, so that no link in the rootfs can send the node, or
 * the file made for it, anywhere else. A bind mount of the host's
 * node, not mknod(2): mknod is refused in a user namespace (stage 5),
 * and this way works at every stage. */
static void bind_device(const struct config *cfg, int dev, const char *name)
{
	char host[PATH_MAX], at[FD_NAME_BYTES];
	int target;

	path_in(cfg, host, "/dev/", name);
	target = openat(dev, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			O_CLOEXEC, 0666);
	if (target < 0)
		child_die(cfg, "create %s%s", cfg->rootfs, host);
	name_fd(target, at);
	show_step("mount --bind %s %s%s", host, cfg->rootfs, host);
	if (mount(host, at, NULL, MS_BIND, NULL) < 0)
		child_die(cfg, "mount --bind %s", host);
	close(target);
}

/* Child: make the link NAME -> TARGET in DEV, the container's /dev. */
static void link_device(const struct config *cfg, int dev, const char *name,
			const char *target)
{
	show_step("ln -s %s %s/dev/%s", target, cfg->rootfs, name);
	if (symlinkat(target, dev, name) < 0)
		child_die(cfg, "symlink %s/dev/%s", cfg->rootfs, name);
}

/* The -o of mount(8) for FLAGS and the filesystem's own OPTIONS (or
 * NULL), as --verbose shows a mount: "nosuid,noexec,mode=1777". */
static void spell_mount(char *shown, size_t size, unsigned long flags,
			const char *options)
{
	static const struct {
		unsigned long flag;
		const char *word;
	} words[] = {
		{ MS_RDONLY, "ro" }, { MS_NOSUID, "nosuid" },
		{ MS_NODEV, "nodev" }, { MS_NOEXEC, "noexec" },
		{ MS_STRICTATIME, "strictatime" },
	};
	int n = 0;

	shown[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (flags & words[i].flag)
			n += snprintf(shown + n, size - (size_t)n, "%s%s",
				      n ? "," : "", words[i].word);
	if (options != NULL)
		snprintf(shown + n, size - (size_t)n, "%s%s", n ? "," : "",
			 options);
}

/* Child: mount a filesystem of TYPE at PATH in the rootfs, onto the
 * directory open_in_rootfs() finds there (made if missing), through
 * its descriptor. */
static void mount_in_rootfs(const struct config *cfg, const char *type,
			    const char *path, unsigned long flags,
			    const char *options)
{
	int target = open_mount_point(cfg, path, MAKE_DIRECTORY);
	char at[FD_NAME_BYTES], shown[256];

	spell_mount(shown, sizeof(shown), flags, options);
	name_fd(target, at);
	show_step("mount -t %s%s%s %s %s%s", type, shown[0] ? " -o " : "",
		  shown, type, cfg->rootfs, path);
	if (mount(type, at, type, flags, options) < 0)
		child_die(cfg, "mount %s on %s%s", type, cfg->rootfs, path);
	close(target);
}

/* Child: a minimal /dev. A fresh tmpfs, so none of the host's devices
 * (its disks above all) are there; into it, the six harmless nodes
 * every program expects; a devpts of the container's own, so its
 * terminals are not the host's (newinstance); and the usual links.
 * Each is made in the tmpfs through a descriptor that no link led to.
 * The devpts options leave out gid=5: stage 5 may not map group 5. */
static void make_dev(const struct config *cfg)
{
	static const char *const nodes[] = {
		"null", "zero", "full", "random", "urandom", "tty",
	};
	unsigned long nosuid_noexec = MS_NOSUID | MS_NOEXEC;
	int dev;

	mount_in_rootfs(cfg, "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME,
			"mode=755,size=64k");
	dev = open_mount_point(cfg, "/dev", MAKE_NOTHING);  /* the tmpfs */
	for (size_t i = 0; i < ARRAY_LEN(nodes); i++)
		bind_device(cfg, dev, nodes[i]);
	mount_in_rootfs(cfg, "devpts", "/dev/pts", nosuid_noexec,
			"newinstance,ptmxmode=0666,mode=0620");
	mount_in_rootfs(cfg, "tmpfs", "/dev/shm", nosuid_noexec | MS_NODEV,
			"mode=1777");
	link_device(cfg, dev, "ptmx", "pts/ptmx");
	link_device(cfg, dev, "fd", "/proc/self/fd");
	link_device(cfg, dev, "stdin", "/proc/self/fd/0");
	link_device(cfg, dev, "stdout", "/proc/self/fd/1");
	link_device(cfg, dev, "stderr", "/proc/self/fd/2");
	close(dev);
}

/* Child: /sys, read-only. A sysfs follows the network namespace that
 * mounts it in its network part alone (/sys/class/net); its block
 * devices, PCI and firmware are the host's, as on the host: hence
 * stage 8's masks. Read-only, so the container can look at the
 * kernel's knobs but not turn them. sysfs(5). */
static void mount_sys(const struct config *cfg)
{
	unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;

	mount_in_rootfs(cfg, "sysfs", "/sys", flags, NULL);
}

/* Parent: make the mount points in the rootfs before the child
 * starts: /proc, /dev, /sys and one per volume, each a directory or
 * an empty file like the host path bound onto it. The parent does it
 * because it may write in ROOTFS, and from stage 5 on root in the
 * container, a plain uid on the host, may not. The parent is the
 * host's root here: it makes nothing through a link (open_in_rootfs).
 * A volume under /dev is left to the child, which mounts a tmpfs there
 * first. */
static void make_mount_points(struct config *cfg)
{
	static const char *const dirs[] = { "/proc", "/dev", "/sys" };
	int root = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
	struct stat host;

	if (root < 0)
		die("open %s", cfg->rootfs);
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		if ((fd = open_in_rootfs(root, dirs[i], MAKE_DIRECTORY)) < 0)
			die("mount point %s in %s", dirs[i], cfg->rootfs);
		close(fd);
	}
	for (int i = 0; i < cfg->volume_count; i++) {
		struct volume *v = &cfg->volumes[i];

		if (stat(v->host, &host) < 0)
			die("stat %s", v->host);
		v->is_file = !S_ISDIR(host.st_mode);
		if (strncmp(v->target, "/dev/", 5) == 0)
			continue;
		fd = open_in_rootfs(root, v->target, v->is_file ? MAKE_FILE :
				    MAKE_DIRECTORY);
		if (fd < 0)
			die("mount point %s in %s", v->target, cfg->rootfs);
		close(fd);
	}
	close(root);
}

/* Child: bind HOST onto TARGET (a descriptor), read-only all the way
 * down. A read-only remount of a bind makes its top mount read-only
 * and no other: a filesystem mounted below HOST would stay writable
 * inside. The newer mount API does it in three steps: open_tree(2)
 * copies the tree of mounts at HOST into one that is mounted nowhere;
 * mount_setattr(2) makes each mount of the copy read-only
 * (AT_RECURSIVE); move_mount(2) puts the copy on TARGET. It is never
 * writable anywhere, not for a moment. Linux 5.12 on. */
static void bind_read_only(const struct config *cfg, const char *host,
			   int target)
{
	struct mount_attr read_only = { .attr_set = MOUNT_ATTR_RDONLY };
	unsigned int empty = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
	int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE |
			     OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (tree < 0)
		child_die(cfg, "mount --rbind %s", host);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &read_only,
			  sizeof(read_only)) < 0)
		child_die(cfg, "mount_setattr ro %s", host);
	if (move_mount(tree, "", target, "", empty) < 0)
		child_die(cfg, "move_mount %s", host);
	close(tree);
}

/* Child: bind each --volume HOST:CONTAINER into the rootfs, onto what
 * open_in_rootfs() finds at CONTAINER now, through its descriptor: a
 * link swapped in since the parent made the mount point leads nowhere
 * else (a race of that kind, CVE-2021-30465, let containers mount
 * over paths runc had checked). MS_BIND | MS_REC binds HOST with the
 * mounts below it, writable; ":ro" takes bind_read_only(). mount(2)
 * "Creating a bind mount". */
static void mount_volumes(const struct config *cfg)
{
	char at[FD_NAME_BYTES];

	for (int i = 0; i < cfg->volume_count; i++) {
		const struct volume *v = &cfg->volumes[i];
		int target = open_mount_point(cfg, v->target, v->is_file ?
					      MAKE_FILE : MAKE_DIRECTORY);

		name_fd(target, at);
		show_step("mount --rbind%s %s %s%s", v->read_only ?
			  " -o ro (every mount below too)" : "", v->host,
			  cfg->rootfs, v->target);
		if (v->read_only)
			bind_read_only(cfg, v->host, target);
		else if (mount(v->host, at, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_die(cfg, "mount --rbind %s", v->host);
		close(target);
	}
}

/* pivot_root(2) has no wrapper in glibc. */
static int pivot_root(const char *new_root, const char *put_old)
{
	return syscall(SYS_pivot_root, new_root, put_old);
}

/* Child: make ROOTFS the root and let go of the host's. pivot_root(".",
 * ".") stacks the old root on top of the new one at "/"; unmounting "."
 * with MNT_DETACH then takes the old root away, and with it every path
 * back to the host's files. (chroot(2) would only change where "/"
 * starts; the host's root would still be mounted, and reachable.)
 * pivot_root(2) "NOTES", which describes exactly this sequence. */
static void pivot_into_rootfs(const struct config *cfg)
{
	show_step("cd %s", cfg->rootfs);
	if (chdir(cfg->rootfs) < 0)
		child_die(cfg, "chdir %s", cfg->rootfs);
	show_step("pivot_root . .");
	if (pivot_root(".", ".") < 0)
		child_die(cfg, "pivot_root %s", cfg->rootfs);
	show_step("umount -l .");
	if (umount2(".", MNT_DETACH) < 0)
		child_die(cfg, "umount2 the old root");
	show_step("cd /");
	if (chdir("/") < 0)
		child_die(cfg, "chdir /");
}

/* Child: give COMMAND a clean environment, not the host's: the host's
 * variables name host paths and may hold secrets. TERM is kept so an
 * interactive shell can draw. execvp() searches this new PATH, since
 * it reads PATH from the environment it runs in. environ(7). */
static void set_clean_environment(const struct config *cfg)
{
	const char *term = getenv("TERM");
	char term_copy[64] = "";

	if (term != NULL)
		snprintf(term_copy, sizeof(term_copy), "%s", term);
	show_step("env -i PATH=... HOME=/root TERM=... container=container.c");
	if (clearenv() != 0 ||
	    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
		   "/usr/bin:/sbin:/bin", 1) < 0 ||
	    setenv("HOME", "/root", 1) < 0 ||
	    setenv("container", "container.c", 1) < 0 ||
	    (term_copy[0] != '\0' && setenv("TERM", term_copy, 1) < 0))
		child_die(cfg, "set the environment");
}

/* ------------------------------------------------------------------ */
/* Stage 4: a terminal of its own                                     */
/* ------------------------------------------------------------------ */

/* Until stage 4 the container shares the caller's session, and with it
 * the caller's terminal as its controlling terminal: root inside may
 * push bytes into that terminal's input with ioctl(TIOCSTI), and when
 * the container ends, the caller's shell reads them as typed and runs
 * them, as the caller. bubblewrap had that hole (CVE-2017-5226), as
 * had SELinux's sandbox (CVE-2016-7545). Stage 4 gives the container a
 * /dev of its own, and with it a terminal of its own: a session of its
 * own (setsid), and, when the caller sits at a terminal, a pseudo-
 * terminal made in the container's own devpts, whose other end (the
 * master) the runtime holds and relays to the caller's terminal, as
 * `docker run -t` does. Bytes pushed into it reach only the container.
 * pty(7), credentials(7) "Sessions", ioctl_tty(2) "TIOCSTI". */

/* Parent: will the container get a terminal of its own? Yes when our
 * standard input is a terminal and we are in its foreground (not
 * started with & from an interactive shell, when raw mode would stop
 * us: SIGTTOU). Then the standard descriptors that are the terminal
 * are the ones the pty stands in for; a redirection to a file stays a
 * file. ENDS becomes the channel the pty's master will come back on. */
static void plan_terminal(struct config *cfg, int ends[2])
{
	ends[0] = ends[1] = cfg->terminal_socket = -1;
	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return;
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			cfg->terminal_fds |= 1 << fd;
	make_channel(ends);
	cfg->terminal_socket = ends[1];
}

/* Child: send the descriptor FD over SOCKET: the kernel gives the
 * receiver a copy, as if it had opened the file itself. A descriptor
 * travels as ancillary data of a message (SCM_RIGHTS), with at least
 * one byte of data. unix(7) "Ancillary messages", cmsg(3). */
static int send_descriptor(int socket, int fd)
{
	char byte = 't';
	struct iovec data = { &byte, 1 };
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control = { 0 };
	struct msghdr message = {
		.msg_iov = &data, .msg_iovlen = 1,
		.msg_control = control.space,
		.msg_controllen = sizeof(control.space),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&message);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(socket, &message, 0) == 1 ? 0 : -1;
}

/* Child, once pivot_root made the container's /dev its /dev: a session
 * of its own, so the caller's terminal is no longer its controlling
 * terminal; and when the caller sits at one, a new pty. posix_openpt()
 * opens /dev/ptmx, the container's devpts's; TIOCGPTPEER opens its
 * slave from the master itself, not by a path that might lead to
 * another devpts; TIOCSCTTY makes the slave this session's controlling
 * terminal, as a login does. The slave then stands in for the standard
 * descriptors that were the caller's terminal, and the master goes to
 * the runtime. */
static void take_own_terminal(const struct config *cfg)
{
	int master, slave;

	show_step("setsid");
	if (setsid() < 0)
		child_die(cfg, "setsid");
	if (cfg->terminal_socket < 0)
		return;               /* no terminal: none at all */
	show_step("open /dev/ptmx, its slave the controlling terminal");
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0)
		child_die(cfg, "open /dev/ptmx");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		child_die(cfg, "ioctl TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if ((cfg->terminal_fds & 1 << fd) && dup2(slave, fd) < 0)
			child_die(cfg, "dup2 the terminal to %d", fd);
	if (send_descriptor(cfg->terminal_socket, master) < 0)
		child_die(cfg, "send the terminal to the runtime");
	close(slave);
	close(master);
	close(cfg->terminal_socket);
}

/* Parent: receive the master of the container's pty from SOCKET, or -1
 * when the child ended (set-up failed) before it sent one. */
static int receive_terminal(int socket)
{
	char byte;
	struct iovec data = { &byte, 1 };
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	struct msghdr message = {
		.msg_iov = &data, .msg_iovlen = 1,
		.msg_control = control.space,
		.msg_controllen = sizeof(control.space),
	};
	struct cmsghdr *c;
	int fd = -1;
	ssize_t n;

	if (socket < 0)
		return -1;
	do
		n = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	c = n > 0 ? CMSG_FIRSTHDR(&message) : NULL;
	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	close(socket);
	return fd;
}

/* Set by SIGWINCH: the caller's terminal changed size. */
static volatile sig_atomic_t resized;

/* Parent, the SIGWINCH handler: only note it. relay_terminal() lets
 * SIGWINCH in only during ppoll(2), which then returns EINTR, and
 * copies the size in its loop: a handler that interrupts anything
 * should do no more than set a flag (signal-safety(7)). */
static void note_resize(int sig)
{
	(void)sig;
	resized = 1;
}

/* Parent: give the container's terminal the size of the caller's; the
 * kernel then tells the programs there with a SIGWINCH of their own.
 * ioctl_tty(2) "TIOCGWINSZ". */
static void copy_window_size(int master)
{
	struct winsize size;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
		ioctl(master, TIOCSWINSZ, &size);
	resized = 0;
}

/* Write all N bytes of TEXT to FD, which may take part at a time (a
 * terminal's master; at stage 10 also a hook's memfd), and stop at the
 * first error: the caller sees how far it got, if it needs to. */
static void write_all(int fd, const char *text, ssize_t n)
{
	for (ssize_t done = 0, w; done < n; done += w > 0 ? w : 0)
		if ((w = write(fd, text + done, (size_t)(n - done))) < 0 &&
		    errno != EINTR)
			return;
}

/* Parent: relay between the caller's terminal and the container's
 * until the container's side is closed by all its processes (a read of
 * the master then fails, EIO). The caller's terminal is put in raw
 * mode (termios(3) cfmakeraw): every key, Ctrl-C included, goes to the
 * container's terminal as a byte, and there its line discipline turns
 * it into SIGINT for the container's foreground job. Input is written
 * without blocking and read only once the last is gone, so a container
 * that reads nothing cannot stop its own output. SIGWINCH is let in
 * only while ppoll(2) waits, so none slips between test and wait. */
static void relay_terminal(const struct config *cfg, int master)
{
	int out = cfg->terminal_fds & 2 ? STDOUT_FILENO : STDERR_FILENO;
	struct termios raw = saved_terminal;
	sigset_t winch, waiting;
	char input[4096], output[4096];
	ssize_t pending = 0, n;

	if (master < 0)
		return;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
	fcntl(master, F_SETFL, O_NONBLOCK);
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, &waiting);
	signal(SIGWINCH, note_resize);
	copy_window_size(master);
	for (bool input_open = true;;) {
		int in = input_open && !pending ? STDIN_FILENO : -1;
		struct pollfd p[2] = {
			{ in, POLLIN, 0 },
			{ master, POLLIN | (pending ? POLLOUT : 0), 0 },
		};

		if (ppoll(p, 2, NULL, &waiting) < 0) {
			if (errno != EINTR)
				break;
			if (resized)
				copy_window_size(master);
			continue;     /* a signal, handled */
		}
		if (p[1].revents & POLLIN) {
			if ((n = read(master, output, sizeof(output))) <= 0)
				break;        /* EIO: nothing holds its slave */
			if (cfg->terminal_fds & 6)  /* stdout or stderr */
				write_all(out, output, n);
		} else if (p[1].revents & (POLLHUP | POLLERR)) {
			break;
		}
		if (pending > 0 &&
		    (n = write(master, input, (size_t)pending)) > 0) {
			pending -= n;
			memmove(input, input + n, (size_t)pending);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, input, sizeof(input));
			input_open = n > 0 || (n < 0 && errno == EINTR);
			pending = n > 0 ? n : 0;
		}
	}
	sigprocmask(SIG_SETMASK, &waiting, NULL);
	close(master);
}
#endif /* STAGE >= 4 */

#if STAGE >= 5
/* ------------------------------------------------------------------ */
/* Stage 5: the user namespace                                        */
/* ------------------------------------------------------------------ */

/* Up to stage 4, root inside is root on the host: uid 0, with every
 * capability over everything, so a way out (a device, a kernel module,
 * a write under /proc/sys) is a way to all of the host. A user
 * namespace changes what the ids mean (user_namespaces(7)): its
 * processes have ids of their own, mapped onto a range of the host's
 * by the files /proc/PID/uid_map and gid_map, and capabilities that
 * count only over what the namespace owns. Root inside is then uid
 * 100000 on the host (or, rootless, the caller's own uid), and the
 * kernel checks each access to a file or a process outside as that.
 *
 * When clone() gets CLONE_NEWUSER with the other CLONE_NEW* flags,
 * the user namespace is made first and owns the others
 * (user_namespaces(7)):
 * root inside may name its host, mount a procfs or set up its network
 * without being root on the host. That is also why an ordinary user
 * may run this stage without sudo.
 *
 * The order: the parent writes the maps from outside while the child
 * waits for "go". Only a writer with CAP_SETUID (CAP_SETGID) over the
 * parent namespace may map ids other than its own, and a writer
 * without it must first write "deny" to /proc/PID/setgroups before
 * gid_map. Until its maps are written the child must touch nothing:
 * getuid() says 65534, but the kernel still acts on the credentials it
 * was born with. Once they are, it becomes root of its namespace
 * (setresgid, setresuid). */

/* Parent: write TEXT to the file PATH in one write(2), as the files
 * of /proc/PID that take a map need it, and stage 6's cgroup files;
 * 0 or the errno. */
static int write_text(const char *path, const char *text)
{
	size_t length = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), error = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, length) != (ssize_t)length)
		error = errno;
	close(fd);
	return error;
}

/* Parent: the same, and die naming the file when it fails. */
static void write_file(const char *path, const char *text)
{
	int error = write_text(path, text);

	if (error != 0)
		die_with(error, "write %s", path);
}

/* Parent: write MAP to /proc/PID/FILE (uid_map or gid_map), every
 * line in one write: the kernel takes a map once, whole. */
static void write_id_map(pid_t pid, const char *file,
			 const struct id_map *map)
{
	static char text[MAP_TEXT_MAX_BYTES];
	char path[64];
	size_t used = 0;

	for (int i = 0; i < map->count; i++) {
		const struct id_range *r = &map->lines[i];

		used += snprintf(text + used, sizeof(text) - used,
				 "%u %u %u\n", r->inside, r->outside, r->count);
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	show_step("printf '%.*s' > %s", (int)used - 1, text, path);
	write_file(path, text);
}

/* Parent: tell the kernel which host ids the child's user namespace
 * stands for. Until then getuid() there says 65534 (the overflow uid),
 * yet the kernel knows the child by the runtime's uid: a file it made
 * on the host's disk would be host root's. So it waits for "go".
 * user_namespaces(7) "Unmapped user and group IDs". One order is the
 * kernel's rule: a writer without CAP_SETGID on the host (an ordinary
 * user) must deny setgroups(2) in the child before it may write
 * gid_map; else the child could drop a group that, on the host, keeps
 * it out of a file. gid_map before uid_map is only habit.
 * user_namespaces(7) "The /proc/[pid]/setgroups file". */
static void write_id_maps(const struct config *cfg, pid_t pid)
{
	char path[64];

	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
		show_step("echo deny > %s", path);
		write_file(path, "deny");
	}
	write_id_map(pid, "gid_map", &cfg->gids);
	write_id_map(pid, "uid_map", &cfg->uids);
}

/* Read the first line of PATH into text; 0 or the errno. */
static int read_line(const char *path, char *text, size_t size)
{
	FILE *f = fopen(path, "r");

	text[0] = '\0';
	if (f == NULL)
		return errno;
	if (fgets(text, (int)size, f) == NULL)
		text[0] = '\0';
	fclose(f);
	return 0;
}

/* May the process PID (0: this one) call setgroups(2)? Not where the
 * parent wrote "deny" to /proc/PID/setgroups. */
static bool setgroups_allowed(pid_t pid)
{
	char path[64], text[16];

	snprintf(path, sizeof(path), pid ? "/proc/%d/setgroups" :
		 "/proc/self/setgroups", pid);
	read_line(path, text, sizeof(text));
	return strncmp(text, "allow", 5) == 0;
}

/* Child: become uid 0 and gid 0 of the new user namespace. The child
 * has every capability in it from clone() on, but runs as the unmapped
 * uid until it asks. Groups first is habit here: setresuid to 0 inside
 * keeps every capability, setgroups too; the order matters to a
 * program that drops to a uid other than 0, which loses them. The
 * host's supplementary groups are dropped where the kernel allows it:
 * they would still count on the host's files. credentials(7),
 * capabilities(7) "Effect of user ID changes on capabilities". */
static void become_root(const struct config *cfg)
{
	if (setgroups_allowed(0)) {
		show_step("setgroups: none");
		if (setgroups(0, NULL) < 0)
			child_die(cfg, "setgroups");
	}
	show_step("setresgid 0 0 0; setresuid 0 0 0");
	if (setresgid(0, 0, 0) < 0)
		child_die(cfg, "setresgid 0");
	if (setresuid(0, 0, 0) < 0)
		child_die(cfg, "setresuid 0");
}
#endif /* STAGE >= 5 */

#if STAGE >= 6
/* ------------------------------------------------------------------ */
/* Stage 6: cgroup v2 limits                                          */
/* ------------------------------------------------------------------ */

/* Namespaces decide what a container sees, not how much it may take:
 * a fork bomb or a memory hog inside still starves the host. Control
 * groups do that. A cgroup is a directory of the cgroup2 filesystem
 * (/sys/fs/cgroup); its processes are listed in its cgroup.procs, and
 * each controller (cpu, memory, pids, io) enforces the limits written
 * in its files: cpu.max, memory.max, pids.max, io.max. The rules that
 * set the order are cgroup v2's own (Documentation/admin-guide/
 * cgroup-v2.rst):
 *
 * - top-down: a cgroup may give a controller to its children (write
 *   "+memory" to its cgroup.subtree_control) only if its parent gave
 *   it that controller; so it is enabled at the root, then in
 *   container.c, the parent every container's cgroup is made in;
 * - no internal processes: a cgroup other than the root that gives a
 *   domain controller (memory, io) to its children may not hold
 *   processes itself; so container.c holds none;
 * - a limit holds from the first instruction: the cgroup and its
 *   limits exist before the child, and clone3(2) starts the child in
 *   it (CLONE_INTO_CGROUP);
 * - delegation: who may change a cgroup is a matter of file
 *   permissions. A cgroup is handed over by giving its directory and
 *   its cgroup.procs, cgroup.threads and cgroup.subtree_control files,
 *   never its limit files: those share out the parent's resources and
 *   stay with the parent's owner. With a cgroup namespace rooted at its
 *   own cgroup, root inside may then make cgroups below it, which its
 *   limits bound.
 *
 * Stage 6 needs cgroup v2 alone, as the lab VM has: on a v1/v2 hybrid
 * a controller bound to a v1 hierarchy cannot be used by v2, and the
 * runtime says which. */

/* One controller of cgroup v2, and the option that needs it. */
struct controller {
	const char *name;             /* in cgroup v2's cgroup.controllers */
	const char *v1_name;          /* the same controller in cgroup v1 */
	const char *option;           /* the option of ours that needs it */
};

static const struct controller controllers[] = {
	{ "cpu", "cpu", "--cpus" },
	{ "memory", "memory", "--memory" },
	{ "pids", "pids", "--pids-limit" },
	{ "io", "blkio", "--device-read-bps (and its kin)" },
#if STAGE >= 10
	{ "cpuset", "cpuset", "linux.resources.cpu.cpus or mems" },
#endif
};

/* Does the limits' set of options need controller C? */
static bool wants_controller(const struct limits *l,
			     const struct controller *c)
{
#if STAGE >= 10
	if (strcmp(c->name, "cpu") == 0 && l->cpu_weight != 0)
		return true;
	if (strcmp(c->name, "cpuset") == 0)
		return l->cpuset_cpus != NULL || l->cpuset_mems != NULL;
#endif
	if (strcmp(c->name, "cpu") == 0)
		return l->cpu_quota_us != 0;
	if (strcmp(c->name, "memory") == 0)
		return l->memory_bytes != 0;
	if (strcmp(c->name, "pids") == 0)
		return l->pids != 0;
	return l->device_count != 0;
}

/* Is WORD one of the words of LIST (split by spaces, commas, lines)? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p != '\0'; p += strcspn(p, " ,\n")) {
		p += strspn(p, " ,\n");
		if (strncmp(p, word, n) == 0 && strchr(" ,\n", p[n]) != NULL)
			return true;
	}
	return false;
}

/* Where is cgroup v2 mounted? /sys/fs/cgroup on a machine that runs
 * v2 alone; /sys/fs/cgroup/unified on a hybrid one, where v1 holds
 * the controllers and v2 has few or none. NULL when there is none.
 * statfs(2) tells the filesystems apart; cgroups(7). */
static const char *find_cgroup2(void)
{
	static const char *const places[] = {
		"/sys/fs/cgroup", "/sys/fs/cgroup/unified",
	};
	struct statfs fs;

	for (size_t i = 0; i < ARRAY_LEN(places); i++)
		if (statfs(places[i], &fs) == 0 &&
		    fs.f_type == CGROUP2_SUPER_MAGIC)
			return places[i];
	return NULL;
}

/* Where a controller is bound in cgroup v1, if it is: the mount point
 * of the "cgroup" filesystem whose options name it. A controller
 * serves one version at a time. proc_pid_mountinfo(5) (proc(5) in
 * older man pages). */
static bool find_v1_binding(const char *v1_name, char point[PATH_MAX])
{
	char line[4096], type[64], options[1024];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		const char *dash = strstr(line, " - ");

		found = dash != NULL &&
			sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
			sscanf(dash, " - %63s %*s %1023s", type,
			       options) == 2 &&
			strcmp(type, "cgroup") == 0 &&
			has_word(options, v1_name);
	}
	fclose(f);
	return found;
}

/* Why cgroup v2 cannot give controller C here, as advice for one line;
 * NULL when it can. */
static const char *controller_blocker(const char *root,
				      const struct controller *c)
{
	static char advice[PATH_MAX + 256];
	char path[PATH_MAX], list[256], point[PATH_MAX];

	if (root == NULL)
		return "this machine has no cgroup v2 mounted; the lab VM "
		       "has (sudo make vm)";
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (read_line(path, list, sizeof(list)) == 0 && has_word(list, c->name))
		return NULL;
	if (find_v1_binding(c->v1_name, point))
		snprintf(advice, sizeof(advice), "this machine binds it to "
			 "cgroup v1 at %s (a v1/v2 hybrid); the lab VM has "
			 "pure v2 (sudo make vm)", point);
	else
		snprintf(advice, sizeof(advice), "cgroup v2 at %s does not "
			 "offer it: is the kernel built with it?", root);
	return advice;
}

/* Parent: write TEXT to the file NAME of the cgroup directory DIR, in
 * one write(2), shown as the shell command; 0 or the errno. */
static int write_cgroup_file(const char *dir, const char *name,
			     const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	show_step("echo '%s' > %s", text, path);
	return write_text(path, text);
}

/* Parent: the same, and die naming the file when it fails. */
static void set_cgroup_file(const char *dir, const char *name,
			    const char *text)
{
	int error = write_cgroup_file(dir, name, text);

	if (error != 0)
		die_with(error, "write %s/%s (%s)", dir, name, text);
}

/* Parent: let the children of the cgroup DIR use the controllers the
 * limits need: "+memory" and so on into its cgroup.subtree_control,
 * one at a time so that a refusal names the controller. One enabled
 * already is left alone: a write there takes the cgroup lock and walks
 * the subtree even when it changes nothing. */
static void enable_controllers(const struct limits *l, const char *dir)
{
	char plus[32], path[PATH_MAX], enabled[256] = "";
	int error;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	read_line(path, enabled, sizeof(enabled));
	for (size_t i = 0; i < ARRAY_LEN(controllers); i++) {
		if (!wants_controller(l, &controllers[i]) ||
		    has_word(enabled, controllers[i].name))
			continue;
		snprintf(plus, sizeof(plus), "+%s", controllers[i].name);
		error = write_cgroup_file(dir, "cgroup.subtree_control", plus);
		if (error != 0)
			die_with(error, "enable the %s controller in %s",
				 controllers[i].name, dir);
	}
}

/* The io.max line of the disk MAJOR:MINOR in L, begun ("max" in each
 * column) if it is not there yet; NULL if L has MAX_DEVICES already. */
static struct device_limit *device_limit_of(struct limits *l,
					    unsigned int major,
					    unsigned int minor)
{
	int i;

	for (i = 0; i < l->device_count; i++)
		if (l->devices[i].major == major &&
		    l->devices[i].minor == minor)
			return &l->devices[i];
	if (i == MAX_DEVICES)
		return NULL;
	l->devices[l->device_count++] = (struct device_limit){
		major, minor, { "max", "max", "max", "max" } };
	return &l->devices[i];
}

/* Parent: write each limit asked for into the container's cgroup.
 * The numbers go in as the kernel wants them: memory in bytes, CPU
 * time as a quota per period, both in microseconds, io per device as
 * MAJOR:MINOR. Swap is held at 0 unless --memory-swap says otherwise:
 * cgroup v2 counts swap apart, in memory.swap.max, whose default is
 * no limit. Unlike Docker, whose --memory alone allows as much swap
 * again. Documentation/admin-guide/cgroup-v2.rst, "Controllers". */
static void write_limits(const struct config *cfg)
{
	const struct limits *l = &cfg->limits;
	char text[160];

	/* #region limit_files */
	if (l->memory_bytes != 0) {
		snprintf(text, sizeof(text), "%llu", l->memory_bytes);
		set_cgroup_file(cfg->cgroup, "memory.max", text);
		snprintf(text, sizeof(text), "%llu", l->swap_bytes);
		if (l->swap_unlimited)
			strcpy(text, "max");
		set_cgroup_file(cfg->cgroup, "memory.swap.max", text);
	}
	if (l->cpu_quota_us != 0) {
		snprintf(text, sizeof(text), "%lu %lu", l->cpu_quota_us,
			 CPU_PERIOD_US);
		set_cgroup_file(cfg->cgroup, "cpu.max", text);
	}
	if (l->pids != 0) {
		snprintf(text, sizeof(text), "%lu", l->pids);
		set_cgroup_file(cfg->cgroup, "pids.max", text);
	}
	/* #endregion limit_files */
	for (int i = 0; i < l->device_count; i++) {
		const struct device_limit *d = &l->devices[i];

		snprintf(text, sizeof(text), "%u:%u rbps=%s wbps=%s "
			 "riops=%s wiops=%s", d->major, d->minor, d->rate[0],
			 d->rate[1], d->rate[2], d->rate[3]);
		set_cgroup_file(cfg->cgroup, "io.max", text);
	}
#if STAGE >= 10
	if (l->cpu_weight != 0) {
		snprintf(text, sizeof(text), "%lu", l->cpu_weight);
		set_cgroup_file(cfg->cgroup, "cpu.weight", text);
	}
	if (l->cpuset_cpus != NULL)
		set_cgroup_file(cfg->cgroup, "cpuset.cpus", l->cpuset_cpus);
	if (l->cpuset_mems != NULL)
		set_cgroup_file(cfg->cgroup, "cpuset.mems", l->cpuset_mems);
#endif
}

/* Parent: hand the cgroup to the container's root, as the kernel's
 * "Delegation" section describes: the directory and the files that
 * make and fill sub-cgroups become its own, the limits stay ours. So
 * root inside may build a cgroup tree below, but not raise a limit. */
static void delegate_cgroup(struct config *cfg)
{
	static const char *const files[] = {
		"", "/cgroup.procs", "/cgroup.threads",
		"/cgroup.subtree_control",
	};
	uid_t uid = cfg->uids.lines[0].outside;
	gid_t gid = cfg->gids.lines[0].outside;
	char path[PATH_MAX];

	show_step("chown %u:%u %s %s/cgroup.{procs,threads,subtree_control}",
		  uid, gid, cfg->cgroup, cfg->cgroup);
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(path, sizeof(path), "%s%s", cfg->cgroup, files[i]);
		if (chown(path, uid, gid) < 0)
			die("chown %s", path);
	}
	cfg->delegated = true;
}

/* The container's cgroup is there already. Until stage 9 a cgroup is
 * all that marks a name as taken: another container of that name runs,
 * or a runtime killed with SIGKILL could not remove its own. From stage
 * 9 on, the name is locked first (claim_name()), so a cgroup found here
 * is a leftover, or a runtime of stage 6 to 8 runs with that name
 * (cleanup knows which: a live runtime holds its cgroup's lock). */
static void name_taken(const char *name, const char *path)
{
#if STAGE >= 9
	(void)path;
	refuse("a container named %s runs (of stage 6 to 8) or left its "
	       "cgroup behind: container cleanup %s", name, name);
#else
	refuse("a container named %s is running, or its runtime was killed: "
	       "rmdir %s", name, path);
#endif
}

/* Parent: open the cgroup PATH just made, and lock it for as long as
 * we live (flock(2)), so that `container cleanup` (stage 9) knows it is
 * a live runtime's, even before the child is in it. Only then is it
 * ours (cfg->cgroup names it, and the exit handler removes it). False
 * if it is not: a cleanup removed it before the lock was ours, and
 * perhaps another runtime made one in its place. If the open or the
 * lock fails for any other reason (EMFILE, ENOLCK), the empty cgroup
 * we just made is removed before we die: the exit handler does not
 * know it yet. */
static bool hold_cgroup(struct config *cfg, const char *path)
{
	struct stat held, named;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), locked = -1;

	if (fd < 0 && errno == ENOENT)
		return false;
	if (fd >= 0)
		locked = flock(fd, LOCK_EX | LOCK_NB);
	if (locked < 0 && fd >= 0 && errno == EWOULDBLOCK) {
		close(fd);            /* another runtime's */
		return false;
	}
	if (locked < 0) {
		int error = errno;

		rmdir(path);
		die_with(error, "%s %s", fd < 0 ? "open" : "flock", path);
	}
	if (fstat(fd, &held) < 0 || stat(path, &named) < 0 ||
	    held.st_ino != named.st_ino) {
		close(fd);
		return false;
	}
	cfg->cgroup_fd = fd;
	snprintf(cfg->cgroup, sizeof(cfg->cgroup), "%s", path);
	return true;
}

/* Parent: make the container's cgroup, ROOT/container.c/NAME, and
 * write its limits, all before the child exists. The containers share
 * a parent cgroup that holds no process itself: the kernel lets a
 * cgroup hand controllers to its children only while it has none ("no
 * internal processes"). Without limits to set, an unprivileged user
 * makes no cgroup (only root may write under /sys/fs/cgroup). */
static void make_cgroup(struct config *cfg)
{
	const char *root = find_cgroup2();
	char *parent = cfg->cgroup_parent, path[sizeof(cfg->cgroup)];

	for (size_t i = 0; i < ARRAY_LEN(controllers); i++) {
		const struct controller *c = &controllers[i];
		const char *blocker;

		if (!wants_controller(&cfg->limits, c))
			continue;
		blocker = controller_blocker(root, c);
		if (blocker != NULL)
			refuse("%s needs the %s controller of cgroup v2, "
			       "but %s", c->option, c->name, blocker);
	}
	if (root == NULL || (geteuid() != 0 && !cfg->limits.any))
		return;               /* the container stays in our cgroup */
	if (geteuid() != 0)
		refuse("limits need a cgroup, and only root may make one "
		       "in %s: run with sudo", root);
	snprintf(parent, sizeof(cfg->cgroup_parent), "%s/%s", root,
		 CGROUP_PARENT);
	snprintf(path, sizeof(path), "%s/%s", parent, cfg->name);
	for (int attempt = 1; attempt <= 3; attempt++) {
		show_step("mkdir -p %s", path);
		if (mkdir(parent, 0755) < 0 && errno != EEXIST)
			die("mkdir %s", parent);
		enable_controllers(&cfg->limits, root);
		enable_controllers(&cfg->limits, parent);
		if (mkdir(path, 0755) == 0) {
			if (hold_cgroup(cfg, path))
				break;
		} else if (errno == EEXIST) {
			name_taken(cfg->name, path);
		} else if (errno != ENOENT) {  /* ENOENT: the last one */
			die("mkdir %s", path); /* out removed the parent */
		}
		if (attempt == 3)
			refuse("mkdir %s: a container cleanup removed it three "
			       "times while we made it", path);
	}
	write_limits(cfg);
	if (geteuid() == 0 && cfg->uids.lines[0].inside == 0)
		delegate_cgroup(cfg);  /* root inside is someone on the host */
	cgroup_kill_fd = openat(cfg->cgroup_fd, "cgroup.kill",
				O_WRONLY | O_CLOEXEC);  /* -1 before 5.14 */
}

/* Parent, when clone3() could not place the child: write its pid into
 * cgroup.procs before it is told to go on, so it runs nothing of its
 * own outside. */
static void join_cgroup(const struct config *cfg, pid_t pid)
{
	char text[32];

	if (cfg->cgroup[0] == '\0' || cfg->born_in_cgroup)
		return;
	snprintf(text, sizeof(text), "%d", pid);
	set_cgroup_file(cfg->cgroup, "cgroup.procs", text);
}

static int child_main(void *arg);    /* the child's sequence, below */

/* Parent: start the child already inside its cgroup. clone3(2) with
 * CLONE_INTO_CGROUP takes the cgroup's directory fd, so the child
 * never runs an instruction outside its limits. libc has no wrapper
 * for clone3: through syscall(2) it returns twice, as fork(2) does,
 * and the child needs no stack. Kernels before 5.7 refuse (ENOSYS,
 * EINVAL): then clone() as before, and join_cgroup() places the child
 * before it goes on. CONTAINER_CLONE3=no asks for that older way. */
static pid_t clone_into_cgroup(struct config *cfg, int flags,
			       char *stack)
{
	struct clone_args args = { 0 };
	const char *knob = getenv("CONTAINER_CLONE3");
	pid_t pid = -1;

	/* #region clone3_call */
	args.flags = (unsigned int)(flags & ~CSIGNAL) | CLONE_INTO_CGROUP;
	args.exit_signal = flags & CSIGNAL;  /* SIGCHLD */
	args.cgroup = (unsigned int)cfg->cgroup_fd;
	if (cfg->cgroup[0] != '\0' && !(knob && strcmp(knob, "no") == 0)) {
		show_step("clone3 CLONE_INTO_CGROUP %s", cfg->cgroup);
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0)
			_exit(child_main(cfg));  /* the child, in a copy */
		if (pid < 0 && errno != ENOSYS && errno != EINVAL)
			die("clone3");
	}
	cfg->born_in_cgroup = pid > 0;
	/* #endregion clone3_call */
	if (pid < 0)
		pid = clone(child_main, stack + CHILD_STACK_BYTES, flags, cfg);
	return pid;
}

/* Parent: how many times did the OOM killer kill in the cgroup? The
 * "oom_kill" line of memory.events ("oom" alone counts times the limit
 * was hit, killed or not). */
static long count_oom_kills(const struct config *cfg)
{
	char path[PATH_MAX], key[32];
	long value, kills = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.events", cfg->cgroup);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fscanf(f, "%31s %ld", key, &value) == 2)
		if (strcmp(key, "oom_kill") == 0)
			kills = value;
	fclose(f);
	return kills;
}

/* Parent: rmdir(2) one cgroup, for nftw(3). A cgroup goes only when
 * empty; the last processes may still be on their way out, so EBUSY
 * is retried for a second. */
static int remove_one_cgroup(const char *path, const struct stat *st,
			     int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type != FTW_DP)
		return 0;
	show_step("rmdir %s", path);
	for (int tries = 1; rmdir(path) < 0; tries++) {
		if (errno != EBUSY || tries == 100) {
			fprintf(stderr, "container: rmdir %s: %s\n", path,
				strerrorname_np(errno));
			break;
		}
		usleep(10000);
	}
	return 0;
}

/* End whatever is left in the cgroup DIR (cgroup.kill, Linux 5.14),
 * then remove it: at once when it is empty, the usual case; else with
 * every cgroup made inside it, deepest first (nftw(3) with FTW_DEPTH),
 * waiting for the last processes to go. */
static void remove_cgroup_tree(const char *dir)
{
	write_cgroup_file(dir, "cgroup.kill", "1");
	if (rmdir(dir) == 0)
		show_step("rmdir %s", dir);
	else
		nftw(dir, remove_one_cgroup, 16, FTW_DEPTH | FTW_PHYS);
}

/* Parent: remove the cgroup all containers share if this was its last
 * container (rmdir fails while others are in it). */
static void remove_cgroup_parent(struct config *cfg)
{
	if (cfg->cgroup_parent[0] != '\0' && rmdir(cfg->cgroup_parent) == 0)
		show_step("rmdir %s", cfg->cgroup_parent);
	cfg->cgroup_parent[0] = '\0';
}

/* Parent, after the child has ended, or from exit() when a step failed:
 * say whether the OOM killer struck, make sure the child is gone, and
 * remove the cgroup, then the shared parent if it was the last. */
static void remove_cgroup(struct config *cfg)
{
	long kills;

	if (cfg->cgroup[0] == '\0') {  /* none, or a step failed first */
		remove_cgroup_parent(cfg);
		return;
	}
	kills = count_oom_kills(cfg);
	if (kills > 0)
		fprintf(stderr, "container: out of memory: the kernel's OOM "
			"killer ended %ld process%s at --memory %s (memory.max "
			"%llu; memory.events oom_kill %ld)\n", kills,
			kills > 1 ? "es" : "", cfg->limits.memory_option,
			cfg->limits.memory_bytes, kills);
	if (child_pid > 0) {          /* a step failed: end it first */
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, 0);
	}
	remove_cgroup_tree(cfg->cgroup);
	cfg->cgroup[0] = '\0';
	remove_cgroup_parent(cfg);
}

/* #region cgroup_namespace */
/* Child, once it is in its cgroup: a cgroup namespace rooted there, so
 * the container sees its own cgroup as "/" (/proc/self/cgroup says
 * 0::/) and nothing of the host's tree. Made here and not by clone():
 * clone() would root it where the parent is, outside the container's
 * cgroup. cgroup_namespaces(7). */
static void enter_cgroup_namespace(const struct config *cfg)
{
	show_step("unshare --cgroup");
	if (unshare(CLONE_NEWCGROUP) < 0)
		child_die(cfg, "unshare --cgroup");
}

/* Child: the container's cgroup tree at /sys/fs/cgroup, writable when
 * the cgroup was delegated to it, read-only otherwise. */
static void mount_cgroup2(const struct config *cfg)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (!cfg->delegated)
		flags |= MS_RDONLY;
	mount_in_rootfs(cfg, "cgroup2", "/sys/fs/cgroup", flags, NULL);
}
/* #endregion cgroup_namespace */
#endif /* STAGE >= 6 */

#if STAGE >= 7
/* ------------------------------------------------------------------ */
/* Stage 7: a network of its own, by rtnetlink                        */
/* ------------------------------------------------------------------ */

/* A new network namespace has one device, lo, down (stage 1 showed
 * it): no way in or out. Stage 7 connects it as Docker's default
 * bridge network does: a veth pair, the two ends of one virtual cable
 * (veth(4)); one end stays on the host, plugged into a bridge (a
 * virtual switch), container0, and the other moves into the
 * container's namespace, as eth0. The bridge has SUBNET.1, each
 * container an address of its own from SUBNET.2 on, and a default
 * route through the bridge. Unlike Docker, the runtime adds no NAT
 * rule and turns no forwarding on: a container reaches the host (the
 * bridge's address, and whatever listens on all of the host's) and
 * the other containers; beyond, only if the host forwards for it.
 *
 * The order: the parent makes the bridge (once) and the veth pair, and
 * moves the pair's one end into the child's namespace by the child's
 * pid, while the child waits for "go"; the child then, in its own
 * namespace, sets lo and eth0 up, gives eth0 its address, and adds the
 * route.
 *
 * All of it is said to the kernel over rtnetlink (rtnetlink(7)), the
 * socket `ip` uses: socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE). A
 * request is one buffer laid out so (netlink(7)), each part padded to
 * 4 bytes (NLMSG_ALIGN, RTA_ALIGN):
 *
 *     struct nlmsghdr   the whole length, the type (RTM_NEWLINK, ...),
 *                       flags (NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE),
 *                       a sequence number, a port id
 *     a fixed part      struct ifinfomsg (a link), ifaddrmsg (an
 *                       address) or rtmsg (a route)
 *     attributes        each a struct rtattr (its length and type) and
 *                       its data: IFLA_IFNAME "eth0", IFA_LOCAL, ...;
 *                       one may hold others (IFLA_LINKINFO holds
 *                       IFLA_INFO_KIND "veth" and IFLA_INFO_DATA)
 *
 * With NLM_F_ACK the kernel answers each request with an NLMSG_ERROR
 * message: error 0 for done, else a negative errno. */

/* A request to the kernel's routing socket: a netlink header, one
 * fixed message (which kind depends on the request) and attributes,
 * each a struct rtattr and its data, aligned to 4 bytes. rtnetlink(7),
 * netlink(7). */
struct nl_request {
	struct nlmsghdr header;
	union {
		struct ifinfomsg link;   /* RTM_NEWLINK, RTM_DELLINK */
		struct ifaddrmsg address; /* RTM_NEWADDR */
		struct rtmsg route;      /* RTM_NEWROUTE */
	};
	char attributes[512];
};

/* Start a request of TYPE; FLAGS beyond "request, answer me". */
static void nl_start(struct nl_request *r, unsigned short type,
		     unsigned short flags, size_t fixed)
{
	memset(r, 0, sizeof(*r));
	r->header.nlmsg_len = NLMSG_LENGTH(fixed);
	r->header.nlmsg_type = type;
	r->header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
}

/* Add the attribute TYPE with LENGTH bytes of DATA; returns it, so a
 * nest can be closed later by nl_end(). */
static struct rtattr *nl_add(struct nl_request *r, unsigned short type,
			     const void *data, size_t length)
{
	struct rtattr *a = (struct rtattr *)((char *)r +
					     NLMSG_ALIGN(r->header.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(length);
	if (length > 0)
		memcpy(RTA_DATA(a), data, length);
	r->header.nlmsg_len = NLMSG_ALIGN(r->header.nlmsg_len) +
			      RTA_ALIGN(a->rta_len);
	return a;
}

/* Close the nested attribute NEST: it holds all that was added since. */
static void nl_end(struct nl_request *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)r + r->header.nlmsg_len -
					 (char *)nest);
}

/* A buffer for what the kernel sends back, aligned as its messages are. */
union nl_answer {
	struct nlmsghdr header;
	char bytes[8192];
};

/* Send the request on FD and read the kernel's answer: 0 or -errno.
 * With NLM_F_ACK every request is answered, success included, by an
 * NLMSG_ERROR message (error 0: done). A request for data, such as
 * RTM_GETLINK, gets the data first: the message is copied into REPLY,
 * when it fits. Nothing read is believed before it is checked: it
 * came from the kernel (port 0), it is whole (NLMSG_OK: the length it
 * claims fits in what was read), and it answers this request (its
 * sequence number; an answer to an earlier one is skipped). netlink(7)
 * "Message format", "Address formats". */
static int nl_ask(int fd, struct nl_request *r, union nl_answer *reply)
{
	static unsigned int sequence;
	static union nl_answer answer;
	struct sockaddr_nl from;
	socklen_t length;
	ssize_t n;

	r->header.nlmsg_seq = ++sequence;
	if (send(fd, r, r->header.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		length = sizeof(from);
		n = recvfrom(fd, answer.bytes, sizeof(answer), 0,
			     (struct sockaddr *)&from, &length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPROTO;
		if (from.nl_pid != 0)
			continue;             /* not from the kernel */
		for (struct nlmsghdr *h = &answer.header; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->header.nlmsg_seq)
				continue;     /* an answer to another request */
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))
				       ? -EPROTO : e->error;
			}
			if (reply != NULL)
				memcpy(reply, h, h->nlmsg_len);
		}
	}
}

/* A request that asks for no data: only its answer counts. */
static int nl_talk(int fd, struct nl_request *r)
{
	return nl_ask(fd, r, NULL);
}

/* Open a routing socket of the network namespace we are in. */
static int nl_open(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/* RTM_NEWLINK for the link INDEX: set it up. `ip link set DEV up` */
static int nl_set_up(int fd, int index)
{
	struct nl_request r;

	nl_start(&r, RTM_NEWLINK, 0, sizeof(r.link));
	r.link.ifi_index = index;
	r.link.ifi_flags = IFF_UP;
	r.link.ifi_change = IFF_UP;
	return nl_talk(fd, &r);
}

/* RTM_NEWADDR: ADDRESS/PREFIX on the link INDEX. `ip addr add` */
static int nl_add_address(int fd, int index, struct in_addr address,
			  int prefix)
{
	struct nl_request r;

	nl_start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
		 sizeof(r.address));
	r.address.ifa_family = AF_INET;
	r.address.ifa_prefixlen = (unsigned char)prefix;
	r.address.ifa_index = (unsigned int)index;
	nl_add(&r, IFA_LOCAL, &address, sizeof(address));
	nl_add(&r, IFA_ADDRESS, &address, sizeof(address));
	return nl_talk(fd, &r);
}

/* RTM_NEWLINK with NLM_F_CREATE: a bridge named NAME, in the group
 * LINK_GROUP. `ip link add NAME group LINK_GROUP type bridge` */
static int nl_add_bridge(int fd, const char *name)
{
	struct nl_request r;
	struct rtattr *info;
	unsigned int group = LINK_GROUP;

	nl_start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(r.link));
	nl_add(&r, IFLA_IFNAME, name, strlen(name) + 1);
	nl_add(&r, IFLA_GROUP, &group, sizeof(group));
	info = nl_add(&r, IFLA_LINKINFO, NULL, 0);
	nl_add(&r, IFLA_INFO_KIND, "bridge", sizeof("bridge"));
	nl_end(&r, info);
	return nl_talk(fd, &r);
}

/* RTM_NEWLINK: a veth pair, two links joined like the ends of a cable.
 * HOST_END stays here, on the bridge MASTER; its peer is made directly
 * in the network namespace of process PID and named eth0 there, so no
 * eth0 ever appears on the host. `ip link add HOST_END master BRIDGE
 * type veth peer name eth0 netns PID`. veth(4) */
static int nl_add_veth(int fd, const char *host_end, int master,
		       pid_t pid)
{
	struct nl_request r;
	struct rtattr *info, *data, *peer;
	struct ifinfomsg peer_link = { 0 };
	unsigned int target = (unsigned int)pid, group = LINK_GROUP;

	/* #region veth_message */
	nl_start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(r.link));
	nl_add(&r, IFLA_IFNAME, host_end, strlen(host_end) + 1);
	nl_add(&r, IFLA_GROUP, &group, sizeof(group));
	nl_add(&r, IFLA_MASTER, &master, sizeof(master));
	info = nl_add(&r, IFLA_LINKINFO, NULL, 0);
	nl_add(&r, IFLA_INFO_KIND, "veth", sizeof("veth"));
	data = nl_add(&r, IFLA_INFO_DATA, NULL, 0);
	peer = nl_add(&r, VETH_INFO_PEER, &peer_link, sizeof(peer_link));
	nl_add(&r, IFLA_IFNAME, "eth0", sizeof("eth0"));
	nl_add(&r, IFLA_NET_NS_PID, &target, sizeof(target));
	nl_end(&r, peer);
	nl_end(&r, data);
	nl_end(&r, info);
	/* #endregion veth_message */
	return nl_talk(fd, &r);
}

/* RTM_DELLINK: remove the link NAME; its veth peer goes with it. */
static int nl_delete_link(int fd, const char *name)
{
	struct nl_request r;

	nl_start(&r, RTM_DELLINK, 0, sizeof(r.link));
	nl_add(&r, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(fd, &r);
}

/* RTM_NEWROUTE: the default route, via GATEWAY on the link INDEX.
 * `ip route add default via GATEWAY` */
static int nl_add_default_route(int fd, int index, struct in_addr gateway)
{
	struct nl_request r;

	nl_start(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
		 sizeof(r.route));
	r.route.rtm_family = AF_INET;
	r.route.rtm_table = RT_TABLE_MAIN;
	r.route.rtm_protocol = RTPROT_BOOT;
	r.route.rtm_scope = RT_SCOPE_UNIVERSE;
	r.route.rtm_type = RTN_UNICAST;
	nl_add(&r, RTA_GATEWAY, &gateway, sizeof(gateway));
	nl_add(&r, RTA_OIF, &index, sizeof(index));
	return nl_talk(fd, &r);
}

/* The bridge's address, SUBNET.1, and container N's, SUBNET.N. */
static struct in_addr subnet_address(int n)
{
	struct in_addr a;

	inet_pton(AF_INET, SUBNET_PREFIX "0", &a);
	a.s_addr = htonl(ntohl(a.s_addr) + (uint32_t)n);
	return a;
}

/* Die with the error of a netlink answer (-errno), if it is one. */
static void check_nl(int answer, const char *what, const char *name)
{
	if (answer < 0)
		die_with(-answer, "%s %s", what, name);
}

/* What the kernel says of one link. */
struct link_facts {
	char kind[16];            /* "bridge", "veth", ...; "" for a device */
	unsigned int group;       /* its group: 0, unless one was given */
};

/* RTM_GETLINK: what the link NAME is; 0, or -errno (-ENODEV: there is
 * none). The answer is an RTM_NEWLINK message: an ifinfomsg, then
 * attributes, one of them (IFLA_LINKINFO) a nest that holds the kind.
 * `ip -d link show NAME` */
static int nl_get_link(int fd, const char *name, struct link_facts *facts)
{
	static union nl_answer reply;
	struct nl_request r;
	const struct ifinfomsg *link = NLMSG_DATA(&reply.header);
	int answer, left, inner;

	memset(facts, 0, sizeof(*facts));
	nl_start(&r, RTM_GETLINK, 0, sizeof(r.link));
	nl_add(&r, IFLA_IFNAME, name, strlen(name) + 1);
	reply.header.nlmsg_type = NLMSG_NOOP;
	answer = nl_ask(fd, &r, &reply);
	if (answer < 0)
		return answer;
	if (reply.header.nlmsg_type != RTM_NEWLINK ||
	    reply.header.nlmsg_len < NLMSG_LENGTH(sizeof(*link)))
		return -EPROTO;
	left = (int)IFLA_PAYLOAD(&reply.header);
	for (const struct rtattr *a = IFLA_RTA(link); RTA_OK(a, left);
	     a = RTA_NEXT(a, left)) {
		if (a->rta_type == IFLA_GROUP && RTA_PAYLOAD(a) >= 4)
			memcpy(&facts->group, RTA_DATA(a), 4);
		if (a->rta_type != IFLA_LINKINFO)
			continue;
		inner = (int)RTA_PAYLOAD(a);
		for (const struct rtattr *b = RTA_DATA(a); RTA_OK(b, inner);
		     b = RTA_NEXT(b, inner))
			if (b->rta_type == IFLA_INFO_KIND)  /* a string */
				snprintf(facts->kind, sizeof(facts->kind),
					 "%.*s", (int)RTA_PAYLOAD(b),
					 (const char *)RTA_DATA(b));
	}
	return 0;
}

/* Parent or cleanup: is the link NAME one of ours, of KIND ("bridge"
 * or "veth")? Ours are in the group LINK_GROUP, given in the very
 * request that made them: no moment passes when one of ours has not
 * its mark, even if the runtime is killed. A link of another program
 * may have taken the name of ours (the name is all that ties a state
 * file to a veth): such a link is never to be changed or removed.
 * `ip link show group LINK_GROUP` lists ours. */
static bool link_is_ours(int fd, const char *name, const char *kind)
{
	struct link_facts link;

	return nl_get_link(fd, name, &link) == 0 &&
	       strcmp(link.kind, kind) == 0 && link.group == LINK_GROUP;
}

/* Remove the link NAME if it is one of ours, of KIND: true if it was. */
static bool delete_link_if_ours(int fd, const char *name, const char *kind)
{
	return link_is_ours(fd, name, kind) && nl_delete_link(fd, name) == 0;
}

/* Parent: make the project's bridge, BRIDGE_NAME with SUBNET.1, unless
 * it is there: a virtual switch on the host, which every container's
 * veth is plugged into and which the host reaches the containers
 * through. It stays for the next container (container cleanup removes
 * it). A bridge of that name in another group belongs to someone else,
 * and is left alone. Returns its index. */
static int make_bridge(int fd)
{
	char text[INET_ADDRSTRLEN];
	struct in_addr gateway = subnet_address(1);
	int answer = nl_add_bridge(fd, BRIDGE_NAME), index;

	if (answer != -EEXIST) {
		show_step("ip link add %s group %#x type bridge", BRIDGE_NAME,
			  LINK_GROUP);
		check_nl(answer, "ip link add", BRIDGE_NAME);
	} else if (!link_is_ours(fd, BRIDGE_NAME, "bridge")) {
		refuse("%s exists and is not our bridge (a bridge in the group "
		       "%#x): it is not ours to use; rename or remove it",
		       BRIDGE_NAME, LINK_GROUP);
	}
	index = (int)if_nametoindex(BRIDGE_NAME);
	if (index == 0)
		die("if_nametoindex %s", BRIDGE_NAME);
	answer = nl_add_address(fd, index, gateway, SUBNET_BITS);
	if (answer != -EEXIST) {
		inet_ntop(AF_INET, &gateway, text, sizeof(text));
		show_step("ip addr add %s/%d dev %s", text, SUBNET_BITS,
			  BRIDGE_NAME);
		check_nl(answer, "ip addr add to", BRIDGE_NAME);
	}
	check_nl(nl_set_up(fd, index), "ip link set up", BRIDGE_NAME);
	return index;
}

/* The host's end of the veth: "ve-NAME", or, for a name too long for
 * the 15 characters of an interface name (IFNAMSIZ), its first 7
 * characters and 4 hex digits of a hash of the whole name. */
static void name_veth(struct config *cfg)
{
	uint32_t hash = 2166136261u;         /* FNV-1a */

	if (strlen(cfg->name) + 3 < IFNAMSIZ) {
		snprintf(cfg->veth, sizeof(cfg->veth), "ve-%.12s", cfg->name);
		return;
	}
	for (const char *p = cfg->name; *p != '\0'; p++)
		hash = (hash ^ (unsigned char)*p) * 16777619u;
	snprintf(cfg->veth, sizeof(cfg->veth), "ve-%.7s-%04x", cfg->name,
		 hash & 0xffff);
}

/* Parent: make DIR, where runtimes keep the files they lock, or find
 * it made: STATE_DIR, in /run, which only root may write to. */
static void make_state_dir(const char *dir)
{
#if STAGE >= 9
	struct stat st;

	/* From stage 9 a rootless runtime keeps its own, perhaps under
	 * /tmp, where anyone may make it first: it must be ours, and shut
	 * to others (0700), or they could plant files in it. It is never
	 * removed (stage 9), so that no one else can make it in between;
	 * in sticky /tmp no one else may rename or remove it. */
	bool root = geteuid() == 0;

	if (mkdir(dir, root ? 0755 : 0700) < 0 && errno != EEXIST)
		die("mkdir %s", dir);
	if (lstat(dir, &st) < 0)
		die("stat %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (root ? 022 : 077)) != 0)
		refuse("%s is not a directory of yours that only you may use: "
		       "remove it", dir);
#else
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", dir);
#endif
}

#if STAGE >= 9
/* Parent: lock the directory STATE_DIR itself with flock(2), waiting
 * for it: HOW is LOCK_SH for a runtime while it makes or finds the
 * bridge and plugs its veth in, LOCK_EX for cleanup while it counts
 * the containers that hold an address and removes the bridge if none
 * does. So the bridge never goes between a runtime's finding it and
 * its veth's being on it. The directory is removed only by one who
 * holds its lock (remove_state_dir()), so the one locked is the one at
 * STATE_DIR. The fd, to close when done. (Runtimes of stage 7 and 8
 * take no such lock.) */
static int lock_state_dir(int how)
{
	struct stat locked, named;
	int fd;

	for (;;) {
		make_state_dir(STATE_DIR);
		fd = open(STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;     /* the last one out removed it */
		if (fd < 0 || flock(fd, how) < 0)
			die("lock %s", STATE_DIR);
		if (fstat(fd, &locked) == 0 && stat(STATE_DIR, &named) == 0 &&
		    named.st_ino == locked.st_ino)
			return fd;
		close(fd);
	}
}
#endif

/* Parent: remove STATE_DIR if it is empty: the last one out. From
 * stage 9 on, only while no one holds its lock (lock_state_dir()). */
static void remove_state_dir(void)
{
#if STAGE >= 9
	int fd = open(STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
		rmdir(STATE_DIR);     /* fails while others are in it */
	if (fd >= 0)
		close(fd);
#else
	rmdir(STATE_DIR);             /* fails while others are in it */
#endif
}

/* Parent: open the file PATH in DIR, made if missing, and lock it
 * with flock(2) without waiting: the fd, or -1 when a live runtime
 * holds it. The kernel drops a lock when its holder dies, however it
 * dies, even of SIGKILL: a file whose lock can be taken belongs to no
 * one. Once locked, the file must still be the one at PATH: a runtime
 * that ended may have unlinked it in between. A command that only
 * looks (stage 9's ps, exec, cleanup) takes a free lock for a moment
 * to learn that it is free; so a PATIENT caller, who wants this one
 * file, tries again for a fifth of a second before it gives up. */
static int lock_state_file(const char *dir, const char *path,
			   bool patient)
{
	struct stat locked, named;
	int fd, tries = patient ? 20 : 1;

	for (;;) {
		make_state_dir(dir);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ENOENT)
			continue;     /* the last one out removed DIR */
		if (fd < 0)
			die("open %s", path);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			if (--tries == 0)
				return -1;
			usleep(10000);
			continue;
		}
		if (fstat(fd, &locked) == 0 && stat(path, &named) == 0 &&
		    named.st_ino == locked.st_ino)
			return fd;
		close(fd);
	}
}

/* Parent: claim an address on the bridge: --ip's, or the first free
 * one from SUBNET.2 on. An address is a file STATE_DIR/+ADDRESS,
 * locked while the runtime lives (stage 9 locks names the same way):
 * two running containers never share one, also when many start at
 * once, and an address is free again the moment its runtime ends,
 * however it ends. */
static void claim_address(struct config *cfg)
{
	char text[INET_ADDRSTRLEN], path[sizeof(cfg->address_lock)];
	int first = 2, last = 254, fd;

	if (cfg->address.s_addr != 0) {
		first = last = (int)(ntohl(cfg->address.s_addr) & 0xff);
	}
	for (int n = first; n <= last; n++) {
		cfg->address = subnet_address(n);
		inet_ntop(AF_INET, &cfg->address, text, sizeof(text));
		snprintf(path, sizeof(path), "%s/+%s", STATE_DIR, text);
		fd = lock_state_file(STATE_DIR, path, first == last);
		if (fd >= 0) {        /* ours: the exit handler unlinks it */
			cfg->address_fd = fd;
			memcpy(cfg->address_lock, path, sizeof(path));
			return;
		}
	}
	if (first == last)
		refuse("--ip %s: a running container has it", text);
	refuse("no address left on %s: %d containers run", BRIDGE_NAME,
	       last - first + 1);
}

/* Parent, once the child exists and before it goes on: the bridge,
 * the container's address, and the veth pair between the bridge and
 * the child's network namespace, the host's end up. A network
 * namespace is only as connected as the links put into it. */
static void connect_container(struct config *cfg, pid_t pid)
{
	int fd = nl_open(), bridge, answer, index;

	if (fd < 0)
		die("socket AF_NETLINK");
#if STAGE >= 9
	cfg->plugging_fd = lock_state_dir(LOCK_SH);  /* cleanup waits */
#endif
	bridge = make_bridge(fd);
	show_step("ip link add %s group %#x master %s type veth peer name "
		  "eth0 netns %d", cfg->veth, LINK_GROUP, BRIDGE_NAME, pid);
	answer = nl_add_veth(fd, cfg->veth, bridge, pid);
	if (answer == -EEXIST) {
		refuse("ip link add %s: an interface of that name exists (if "
		       "a dead container's, `ip link del %s` removes it)",
		       cfg->veth, cfg->veth);
	}
	check_nl(answer, "ip link add", cfg->veth);
	cfg->veth_made = true;
#if STAGE >= 9
	close(cfg->plugging_fd);      /* our veth is on the bridge */
	cfg->plugging_fd = 0;
#endif
	show_step("ip link set %s up", cfg->veth);
	index = (int)if_nametoindex(cfg->veth);
	if (index == 0)
		die("if_nametoindex %s", cfg->veth);
	check_nl(nl_set_up(fd, index), "ip link set up", cfg->veth);
	close(fd);
}

/* Parent, at the end: remove the host's end of the veth (with it goes
 * the container's), and give the address back. The kernel would remove
 * the pair itself once the namespace is gone, but later, and not
 * always before the next container wants the name. */
static void disconnect_container(struct config *cfg)
{
	int fd;

#if STAGE >= 9
	if (cfg->plugging_fd > 0)     /* a step failed while plugging in */
		close(cfg->plugging_fd);
	cfg->plugging_fd = 0;
#endif
	if (cfg->veth_made && (fd = nl_open()) >= 0) {
		show_step("ip link del %s", cfg->veth);
		delete_link_if_ours(fd, cfg->veth, "veth"); /* or gone */
		close(fd);
		cfg->veth_made = false;
	}
	if (cfg->address_lock[0] != '\0') {
		unlink(cfg->address_lock);
		close(cfg->address_fd);
		cfg->address_lock[0] = '\0';
		remove_state_dir();
	}
}

/* Child, in its own network namespace: lo up, and with --network
 * bridge, eth0 with the container's address, up, and the default route
 * through the bridge. Root inside holds CAP_NET_ADMIN over this
 * namespace, which its user namespace owns. */
static void configure_network(const struct config *cfg)
{
	char text[INET_ADDRSTRLEN];
	int fd = nl_open(), eth0, answer;

	if (fd < 0)
		child_die(cfg, "socket AF_NETLINK");
	show_step("ip link set lo up");
	answer = nl_set_up(fd, 1);    /* lo is always link 1 */
	if (answer < 0)
		child_die_with(cfg, -answer, "ip link set lo up");
	/* #region eth0_steps */
	if (cfg->network) {
		eth0 = (int)if_nametoindex("eth0");
		if (eth0 == 0)
			child_die(cfg, "if_nametoindex eth0");
		inet_ntop(AF_INET, &cfg->address, text, sizeof(text));
		show_step("ip addr add %s/%d dev eth0", text, SUBNET_BITS);
		answer = nl_add_address(fd, eth0, cfg->address, SUBNET_BITS);
		if (answer < 0)
			child_die_with(cfg, -answer, "ip addr add %s dev eth0",
				       text);
		show_step("ip link set eth0 up");
		answer = nl_set_up(fd, eth0);
		if (answer < 0)
			child_die_with(cfg, -answer, "ip link set eth0 up");
		show_step("ip route add default via %s1", SUBNET_PREFIX);
		answer = nl_add_default_route(fd, eth0, subnet_address(1));
		if (answer < 0)
			child_die_with(cfg, -answer, "ip route add default");
	}
	/* #endregion eth0_steps */
	close(fd);
}
#endif /* STAGE >= 7 */

#if STAGE >= 8
/* ------------------------------------------------------------------ */
/* Stage 8: hardening                                                 */
/* ------------------------------------------------------------------ */

/* Root inside is still root towards the kernel in many ways: from
 * stage 5 on it holds every capability in its user namespace, may
 * make more namespaces, and reaches the whole system call table, all
 * of it code that bugs live in. Stage 8 takes away what a container
 * has no business with, in the order that keeps each step possible:
 * mask kernel files while mounting is still allowed, close inherited
 * descriptors, drop capabilities, forbid new privileges, and last
 * install the seccomp filter, which forbids mount() itself. */

/* The capabilities by number, as capabilities(7) lists them. */
static const char *const capability_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};
#define CAPABILITY_COUNT \
	(int)ARRAY_LEN(capability_names)
_Static_assert(CAPABILITY_COUNT == CAP_CHECKPOINT_RESTORE + 1,
	       "one name per capability");

#define CAP_BIT(cap) (1ULL << (cap))
#define ALL_CAPABILITIES (CAP_BIT(CAPABILITY_COUNT) - 1)

/* #region default_capabilities */
/* What a container keeps: Docker's default list. Enough to be root
 * in a root filesystem of its own (own files, change users, bind low
 * ports, ping); not enough to mount, load modules, set the clock,
 * trace, or reach the hardware. */
static const uint64_t default_capabilities =
	CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FOWNER) |
	CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_KILL) | CAP_BIT(CAP_SETGID) |
	CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETPCAP) |
	CAP_BIT(CAP_NET_BIND_SERVICE) | CAP_BIT(CAP_NET_RAW) |
	CAP_BIT(CAP_SYS_CHROOT) | CAP_BIT(CAP_MKNOD) |
	CAP_BIT(CAP_AUDIT_WRITE) | CAP_BIT(CAP_SETFCAP);
/* #endregion default_capabilities */

/* The number of capability NAME: "net_admin", "NET_ADMIN" and
 * "CAP_NET_ADMIN" alike, as Docker takes them; -1 if none. */
static int find_capability(const char *name)
{
	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	for (int cap = 0; cap < CAPABILITY_COUNT; cap++)
		if (strcasecmp(name, capability_names[cap]) == 0)
			return cap;
	return -1;
}

/* Write the names of the capabilities in SET, comma-separated. */
static void name_capabilities(uint64_t set, char *text, size_t size)
{
	size_t used = 0;

	text[0] = '\0';
	for (int cap = 0; cap < CAPABILITY_COUNT && used < size; cap++)
		if (set & CAP_BIT(cap))
			used += snprintf(text + used, size - used,
					 "%scap_%s", used ? "," : "",
					 capability_names[cap]);
}

/* Child, after pivot_root: hide the /proc and /sys files that tell
 * about the host's kernel and hardware (its keys, timers, interrupts,
 * memory image, firmware), and make the ones that change the kernel
 * read-only (sysctls, sysrq). A file gets /dev/null bound over it, a
 * directory an empty read-only tmpfs. What this kernel lacks is
 * skipped. Done before the capabilities go: it needs CAP_SYS_ADMIN. */
static void mask_kernel_files(const struct config *cfg)
{
	static const char *const hidden[] = {
		"/proc/acpi", "/proc/asound", "/proc/interrupts",
		"/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
		"/proc/timer_stats", "/sys/firmware",
		"/sys/devices/virtual/powercap",
	};
	static const char *const read_only[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
		"/proc/sysrq-trigger",
	};
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct stat st;
	char shown[64];

	/* #region mask_hidden */
	for (size_t i = 0; i < ARRAY_LEN(hidden); i++) {
		if (stat(hidden[i], &st) < 0)
			continue;     /* not in this kernel */
		if (S_ISDIR(st.st_mode)) {
			spell_mount(shown, sizeof(shown), ro, NULL);
			show_step("mount -t tmpfs -o %s tmpfs %s", shown,
				  hidden[i]);
			if (mount("tmpfs", hidden[i], "tmpfs", ro, NULL) < 0)
				child_die(cfg, "mount tmpfs on %s", hidden[i]);
		} else {
			show_step("mount --bind /dev/null %s", hidden[i]);
			if (mount("/dev/null", hidden[i], NULL, MS_BIND,
				  NULL) < 0)
				child_die(cfg, "mount --bind /dev/null %s",
					  hidden[i]);
		}
	}
	/* #endregion mask_hidden */
	for (size_t i = 0; i < ARRAY_LEN(read_only); i++) {
		if (stat(read_only[i], &st) < 0)
			continue;
		show_step("mount --bind %s %s", read_only[i], read_only[i]);
		if (mount(read_only[i], read_only[i], NULL, MS_BIND | MS_REC,
			  NULL) < 0)
			child_die(cfg, "mount --bind %s", read_only[i]);
		remount_bind(cfg, read_only[i], MS_RDONLY, "ro");
	}
}

/* Child or exec: close every descriptor the runtime's caller left
 * open, but the channel, which closes by itself at exec. An open
 * descriptor is a door: one to a host directory leads to the host's
 * files whatever the root is. runc's CVE-2024-21626 was of this kind,
 * with runc's own descriptor, to the host's /sys/fs/cgroup, opened
 * without O_CLOEXEC and reached by a working directory of
 * /proc/self/fd/N; the caller's descriptors are the same door.
 * close_range(2), Linux 5.9 on; before it, one close() per possible
 * descriptor. */
static void close_inherited_fds(const struct config *cfg)
{
	unsigned int channel = (unsigned int)cfg->channel;
	int most = getdtablesize();
	bool closed;

	show_step("close every descriptor from 3 on");
	if (cfg->channel < 3)         /* container exec has no channel */
		closed = close_range(3, ~0U, 0) == 0;
	else
		closed = (channel == 3 || close_range(3, channel - 1, 0) == 0)
			 && close_range(channel + 1, ~0U, 0) == 0;
	for (int fd = 3; !closed && fd < most; fd++)
		if (fd != cfg->channel)
			close(fd);
}

/* Child or exec: keep only the capabilities in cfg->capabilities.
 * Three sets matter (capabilities(7)): the bounding set caps what any
 * later exec may gain, so root's next program gets no more; the
 * permitted and effective sets are what this process holds now; and
 * the inheritable and ambient sets, which pass capabilities through
 * exec to programs that are not root, are emptied. */
static void drop_capabilities(const struct config *cfg)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct now[2], kept[2] = { 0 };
	uint64_t keep = cfg->capabilities;
	char names[1024];

	name_capabilities(~keep & ALL_CAPABILITIES, names, sizeof(names));
	show_step("capsh --drop=%s", names);
	/* PR_CAPBSET_READ fails past the kernel's last capability. */
	for (int cap = 0; cap < 64 &&
	     prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!(keep & CAP_BIT(cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			child_die(cfg, "prctl PR_CAPBSET_DROP %d", cap);
	if (syscall(SYS_capget, &header, now) < 0)
		child_die(cfg, "capget");
	for (int i = 0; i < 2; i++) {       /* capabilities 0-31, 32-63 */
		uint32_t word = (uint32_t)(keep >> (32 * i));

		kept[i].permitted = now[i].permitted & word;
		kept[i].effective = kept[i].permitted;
	}
	if (syscall(SYS_capset, &header, kept) < 0)
		child_die(cfg, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		child_die(cfg, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
}

/* Child or exec: no program this process runs from now on may gain
 * privileges by exec: set-user-ID bits and file capabilities are
 * ignored. It also lets an unprivileged process install a seccomp
 * filter. prctl(2) PR_SET_NO_NEW_PRIVS; it can never be unset. */
static void set_no_new_privs(const struct config *cfg)
{
	show_step("setpriv --no-new-privs");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_die(cfg, "prctl PR_SET_NO_NEW_PRIVS");
}

/* The system call numbers seccomp sees are those of one architecture:
 * the filter checks it first, or a program could reach the calls by
 * another table (32-bit ones on a 64-bit kernel). */
#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#else
#error "stage 8's seccomp filter knows x86_64 and aarch64 only"
#endif

/* A system call the filter refuses, by number and, for --verbose, by
 * name. */
struct refused_call {
	int number;
	const char *name;
};
#define REFUSE(call) { __NR_##call, #call }

/* #region refused_calls */
/* The calls a container has no business making: the kernel's modules,
 * keyrings, clock, swap, reboot and accounting; mounts and namespaces
 * (a new user namespace would give back every capability dropped,
 * inside it); reading and comparing other processes (process_vm_*,
 * kcmp); eBPF, perf and io_uring, wide doors into the kernel; file
 * handles, which ignore the root (open_by_handle_at read host files
 * from containers: the "shocker" exploit). Docker's default seccomp
 * profile refuses most of them too. This list is stricter: Docker
 * allows process_vm_readv and process_vm_writev (and ptrace) on Linux
 * 4.8 on, and name_to_handle_at since 2023; and --cap-add gives none
 * of these back here, where Docker's profile opens some of them to
 * their capability (mount to CAP_SYS_ADMIN, for one). */
static const struct refused_call refused_calls[] = {
	REFUSE(acct), REFUSE(add_key), REFUSE(bpf), REFUSE(clock_settime),
	REFUSE(delete_module), REFUSE(finit_module),
	REFUSE(fsconfig), REFUSE(fsmount), REFUSE(fsopen), REFUSE(fspick),
	REFUSE(get_mempolicy), REFUSE(init_module), REFUSE(io_uring_enter),
	REFUSE(io_uring_register), REFUSE(io_uring_setup), REFUSE(kcmp),
	REFUSE(kexec_file_load), REFUSE(kexec_load), REFUSE(keyctl),
	REFUSE(lookup_dcookie), REFUSE(mbind), REFUSE(migrate_pages),
	REFUSE(mount), REFUSE(mount_setattr), REFUSE(move_mount),
	REFUSE(move_pages), REFUSE(name_to_handle_at),
	REFUSE(open_by_handle_at), REFUSE(open_tree),
	REFUSE(perf_event_open), REFUSE(pivot_root),
	REFUSE(process_vm_readv), REFUSE(process_vm_writev),
	REFUSE(quotactl), REFUSE(quotactl_fd), REFUSE(reboot),
	REFUSE(request_key), REFUSE(set_mempolicy), REFUSE(setns),
	REFUSE(settimeofday), REFUSE(swapoff), REFUSE(swapon),
	REFUSE(syslog), REFUSE(umount2), REFUSE(userfaultfd),
	REFUSE(vhangup),
#if defined(__x86_64__)
	REFUSE(_sysctl), REFUSE(create_module), REFUSE(get_kernel_syms),
	REFUSE(ioperm), REFUSE(iopl), REFUSE(nfsservctl),
	REFUSE(query_module), REFUSE(sysfs), REFUSE(uselib), REFUSE(ustat),
#endif
};
/* #endregion refused_calls */

/* Two steps per refused call, and a few more around them, must fit. */
_Static_assert(2 * ARRAY_LEN(refused_calls) + 32 <=
	       MAX_FILTER_STEPS, "raise MAX_FILTER_STEPS");

/* The namespace flags clone(2) and unshare(2) may not be given. */
#define NEW_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			CLONE_NEWNET | CLONE_NEWTIME)

/* The seccomp program being written, one step at a time. */
struct filter {
	struct sock_filter steps[MAX_FILTER_STEPS];
	unsigned short length;
};

/* Append STEP to the program F. The _Static_assert after
 * refused_calls keeps the whole program within MAX_FILTER_STEPS when
 * it is compiled, so no step is checked here. */
static void add_step(struct filter *f, struct sock_filter step)
{
	f->steps[f->length++] = step;
}

/* Steps that answer call NUMBER with errno ERROR, only when its first
 * argument (the flags) has a bit of FLAGS; with every FLAGS bit,
 * always. A program that takes no jump goes on to the next check. */
static void add_refusal(struct filter *f, int number, unsigned int flags,
			int error)
{
	struct sock_filter answer =
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | error);

	if (flags == ~0U) {
		add_step(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
			 BPF_K, number, 0, 1));
		add_step(f, answer);
		return;
	}
	/* The flags are 64 bits; every namespace flag is in the low
	 * half, which comes first on a little-endian machine. */
	add_step(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		 number, 0, 4));
	add_step(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, args[0])));
	add_step(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
		 flags, 0, 1));
	add_step(f, answer);
	add_step(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		 SECCOMP_RET_ALLOW));
}

/* Steps that refuse two ioctl(2) requests on terminals with EPERM:
 * TIOCSTI, which pushes bytes into a terminal's input as if typed, and
 * TIOCLINUX, whose "paste the selection" does the same on the Linux
 * console. Stage 4 gave the container a terminal of its own; this
 * refuses the two even on a terminal it was given some other way. The
 * request is the second argument, and the kernel reads only its low 32
 * bits (an unsigned int): the filter compares those alone. A filter
 * that compared all 64 let TIOCSTI through with a high bit set
 * (flatpak's CVE-2019-10063). ioctl_tty(2), ioctl_console(2). */
static void add_ioctl_refusals(struct filter *f)
{
	add_step(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		 __NR_ioctl, 0, 5));
	add_step(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, args[1])));  /* low half */
	add_step(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		 TIOCSTI, 2, 0));
	add_step(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		 TIOCLINUX, 1, 0));
	add_step(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		 SECCOMP_RET_ALLOW));
	add_step(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		 SECCOMP_RET_ERRNO | EPERM));
}

/* Child or exec, the very last step before exec: install a seccomp
 * filter, a small program the kernel runs at every system call this
 * process and its children make, before the call does anything. Ours
 * is classic BPF (seccomp(2), Documentation/userspace-api/seccomp_
 * filter.rst): check the architecture, load the call's number, then
 * a refusal per call; anything else is allowed. Refused calls fail
 * with EPERM, as if the capability were missing; clone3(), whose
 * flags a filter cannot read, fails with ENOSYS, so that libc falls
 * back to clone(), whose flags it can.
 *
 * The program, an instruction a line (struct sock_filter: an opcode,
 * a constant, and for a jump two offsets, counted from the next
 * instruction, for true and for false):
 *
 *     load seccomp_data.arch       which calling convention
 *     jeq  SECCOMP_ARCH ? +1 : +0
 *     ret  KILL_PROCESS            another architecture's numbers
 *     load seccomp_data.nr         the system call's number
 *     jeq  __NR_mount ? +0 : +1    a pair of these per refused call
 *     ret  ERRNO | EPERM
 *     ...
 *     ret  ALLOW                   every other call
 *
 * The kernel checks the program once, when it is installed, and runs
 * it on struct seccomp_data: the call's number, the architecture and
 * the arguments as numbers. A filter never reads memory, which is why
 * the flags that clone3() takes in a struct are out of its sight. */
static void install_seccomp_filter(const struct config *cfg)
{
	static struct filter f;
	struct sock_fprog program;
	size_t count = ARRAY_LEN(refused_calls);
	char names[1024];
	size_t used = 0;

	if (!cfg->seccomp)
		return;
	for (size_t i = 0; i < count && used < sizeof(names); i++)
		used += snprintf(names + used, sizeof(names) - used, " %s",
				 refused_calls[i].name);
	show_step("seccomp: refuse with EPERM:%s; clone3 with ENOSYS; "
		  "clone, unshare with CLONE_NEW*; ioctl TIOCSTI, TIOCLINUX",
		  names);
	/* #region seccomp_arch */
	add_step(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, arch)));
	add_step(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		 SECCOMP_ARCH, 1, 0));
	add_step(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		 SECCOMP_RET_KILL_PROCESS));
	add_step(&f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		 offsetof(struct seccomp_data, nr)));
	/* #endregion seccomp_arch */
#if defined(__x86_64__)
	/* x32 programs use the same table with this bit set: refuse. */
	add_step(&f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
		 __X32_SYSCALL_BIT, 0, 1));
	add_step(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		 SECCOMP_RET_ERRNO | EPERM));
#endif
	/* #region seccomp_refusals */
	for (size_t i = 0; i < count; i++)
		add_refusal(&f, refused_calls[i].number, ~0U, EPERM);
	add_refusal(&f, __NR_clone3, ~0U, ENOSYS);
	add_refusal(&f, __NR_clone, NEW_NAMESPACES, EPERM);
	add_refusal(&f, __NR_unshare, NEW_NAMESPACES, EPERM);
	add_ioctl_refusals(&f);
	add_step(&f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		 SECCOMP_RET_ALLOW));
	/* #endregion seccomp_refusals */
	program.len = f.length;
	program.filter = f.steps;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) < 0)
		child_die(cfg, "prctl PR_SET_SECCOMP");
}
#endif /* STAGE >= 8 */

#if STAGE >= 9
/* ------------------------------------------------------------------ */
/* Stage 9: the container's lifecycle                                 */
/* ------------------------------------------------------------------ */

/* Up to stage 8, one process knows the container: the runtime that
 * made it, waiting in waitpid(). Nothing else can find it by name,
 * look inside it, or end it, and when that runtime is killed nothing
 * remembers what it made. A manager (docker, podman, a script) needs
 * more, and this stage adds it:
 *
 * - a name two running containers cannot share;
 * - a record of what each container is: its runtime's pid, its first
 *   process's pid, its cgroup, its address and veth; written where any
 *   later command can read it, a state file per container;
 * - commands that act on a container by name: `ps` lists them, `exec`
 *   joins one, `stop` and `kill` end one, `cleanup` removes what a
 *   runtime killed by SIGKILL left behind.
 *
 * What the kernel gives for it: flock(2), a lock that its holder keeps
 * for as long as it lives and loses however it dies, even by SIGKILL
 * (a lock goes with the last descriptor of its open file, and the
 * runtime's is O_CLOEXEC: no command it runs inherits it),
 * so "is it running?" becomes "is its state file's lock taken?", with
 * no stale pid to trust; and pidfd_open(2), a handle on one process
 * that a later process with the same pid cannot take over, to signal
 * it (pidfd_send_signal(2)) and to join its namespaces (setns(2)).
 * The directory's own lock serves what all containers share, the
 * bridge: cleanup removes it only while no runtime is plugging a veth
 * in (lock_state_dir()).
 *
 * The order, in run_container(): the name is claimed first, before a
 * cgroup or a veth exists, so a second container of the same name
 * stops having made nothing; the first process's pid is published
 * only once its command has started, so `exec` never joins a
 * container that is still being set up (it still holds every
 * capability then); the name is given back last, once everything else
 * is gone. An OCI runtime's create, start, state, kill and delete
 * commands (podman and containerd drive runc with them) rest on the
 * same record. */

/* Where the state files are: STATE_DIR for root. An ordinary user may
 * not write in /run, so a rootless runtime keeps its own: in
 * $XDG_RUNTIME_DIR, the directory a login session gives each user (the
 * XDG Base Directory specification), or else /tmp/container.c-UID. */
static const char *state_dir(void)
{
	static char dir[PATH_MAX];
	const char *runtime_dir = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		return STATE_DIR;
	if (dir[0] != '\0')
		return dir;
	if (runtime_dir != NULL && runtime_dir[0] == '/' &&
	    strlen(runtime_dir) < sizeof(dir) - 16)
		snprintf(dir, sizeof(dir), "%s/container.c", runtime_dir);
	else
		snprintf(dir, sizeof(dir), "/tmp/container.c-%u", geteuid());
	make_state_dir(dir);          /* ours, shut, before any is read */
	return dir;
}

/* The state file of the container NAME, in PATH (PATH_MAX bytes). */
static void state_path(char *path, const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", state_dir(), name);
}

/* Parent: write the state file: our pid, the first process's (0 until
 * its command has started), our stage, the --stop-timeout that `stop`
 * waits by default, the cgroup's path, the address and the host's end
 * of the veth ("-" for none). One line, rewritten in place, then cut
 * to its length (so the file is never empty in between): readers take
 * the whole of it with one pread(). */
static void write_state(const struct config *cfg, pid_t child)
{
	char text[STATE_LINE_BYTES], address[INET_ADDRSTRLEN] = "-";
	int n;

	if (cfg->address_lock[0] != '\0')  /* claimed (stage 7) */
		inet_ntop(AF_INET, &cfg->address, address, sizeof(address));
	n = snprintf(text, sizeof(text), "%d %d %d %u %s %s %s\n", getpid(),
		     child, STAGE, stop_timeout_s,
		     cfg->cgroup[0] ? cfg->cgroup : "-", address,
		     cfg->network ? cfg->veth : "-");
	if (pwrite(cfg->state_fd, text, (size_t)n, 0) != n ||
	    ftruncate(cfg->state_fd, n) < 0)  /* never empty in between */
		die("write %s", cfg->state);
}

/* Parent, first of all: claim the name. The claim is the file NAME in
 * state_dir(), locked for as long as the runtime lives; it says what
 * the container is and holds (write_state()). A lock that cannot be
 * taken means a live runtime holds it: the name is in use. A file whose
 * lock can be taken but that says something was left by a runtime that
 * died: what it names (a cgroup, a veth) may still be there, and only
 * `container cleanup` may take the name back. */
static void claim_name(struct config *cfg)
{
	char path[sizeof(cfg->state)];
	struct stat st;
	int fd;

	/* #region name_lock */
	snprintf(path, sizeof(path), "%s/%s", state_dir(), cfg->name);
	fd = lock_state_file(state_dir(), path, true);
	if (fd < 0)
		refuse("a container named %s is running", cfg->name);
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		/* A runtime killed by SIGKILL wrote it; cleanup needs what
		 * it says, so it is not ours to remove. */
		refuse("a container named %s left its state behind: container "
		       "cleanup %s", cfg->name, cfg->name);
	}
	cfg->state_fd = fd;           /* ours: the exit handler unlinks it */
	memcpy(cfg->state, path, sizeof(path));
	/* #endregion name_lock */
	write_state(cfg, 0);
}

/* Parent, last of all: give the name back: unlink the state file, then
 * unlock it; the directory goes with its last file. */
static void release_name(struct config *cfg)
{
	if (cfg->state[0] != '\0')
		unlink(cfg->state);
	if (cfg->state_fd > 0)
		close(cfg->state_fd);
	cfg->state[0] = '\0';
	cfg->state_fd = 0;
	if (geteuid() == 0)
		remove_state_dir();
}

/* What a state file says (see write_state()). */
struct state {
	int runtime, child, stage;   /* two pids, and the runtime's stage */
	unsigned int stop_timeout;   /* its --stop-timeout, in seconds */
	char cgroup[PATH_MAX];       /* its cgroup, or "-" */
	char address[INET_ADDRSTRLEN]; /* its address, or "-" */
	char veth[IFNAMSIZ];         /* the host's end of its veth, or "-" */
};

/* Read the state file FD into *S; false if it says nothing. */
static bool read_state(int fd, struct state *s)
{
	char text[STATE_LINE_BYTES];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);

	if (n <= 0)
		return false;
	text[n] = '\0';
	return sscanf(text, "%d %d %d %u %4095s %15s %15s", &s->runtime,
		      &s->child, &s->stage, &s->stop_timeout, s->cgroup,
		      s->address, s->veth) == 7;
}

/* What a state file says of its runtime (find_runtime()). */
enum runtime { NO_RUNTIME, RUNTIME_ALIVE, RUNTIME_GONE };

/* Open the state file of the container NAME and try its lock without
 * waiting. NO_RUNTIME: there is no such file (*fd is -1).
 * RUNTIME_ALIVE: a live runtime holds the lock (*fd is the file, to
 * read). RUNTIME_GONE: its runtime died and left it (*fd is the file,
 * locked by us now). The caller closes *fd. */
static enum runtime find_runtime(const char *name, int *fd)
{
	char path[PATH_MAX];

	state_path(path, name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NO_RUNTIME;
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0)
		return RUNTIME_ALIVE;
	return RUNTIME_GONE;
}

/* Cleanup: remove the veth named in the state file FD of a dead
 * runtime (usually gone with its namespace already). */
static void remove_veth_left(int fd, const char *name)
{
	struct state s;
	int nl;

	if (fd < 0 || !read_state(fd, &s) || strcmp(s.veth, "-") == 0 ||
	    (nl = nl_open()) < 0)
		return;
	if (delete_link_if_ours(nl, s.veth, "veth"))
		printf("removed the veth %s of %s\n", s.veth, name);
	close(nl);
}

/* Cleanup, when no container runs: remove the project's bridge. */
static void remove_bridge(void)
{
	int fd = nl_open();

	if (fd < 0)
		return;
	if (delete_link_if_ours(fd, BRIDGE_NAME, "bridge"))
		printf("removed the bridge %s\n", BRIDGE_NAME);
	close(fd);                    /* gone, or not ours: left alone */
}

/* Take the lock on the cgroup DIR, which each runtime holds on its own
 * from the moment it made it (make_cgroup()): the fd, locked, or -1
 * when a live runtime holds it. Kept while the cgroup is removed, so
 * that no runtime can start to use it meanwhile. */
static int lock_cgroup(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Remove the cgroups under ROOT/container.c whose runtime is gone.
 * Only root's containers have cgroups, and only root's state files
 * say which of them run; a runtime of stage 6 to 8 keeps none, but it
 * too holds a lock on its cgroup while it lives. */
static void clean_up_cgroups(const char *only)
{
	const char *root = find_cgroup2();
	char parent[CGROUP_PARENT_BYTES], cgroup[PATH_MAX];
	struct dirent *entry;
	DIR *dir;
	int fd, lock;

	if (root == NULL || geteuid() != 0)
		return;
	snprintf(parent, sizeof(parent), "%s/%s", root, CGROUP_PARENT);
	dir = opendir(parent);
	while (dir != NULL && (entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;

		if (entry->d_type != DT_DIR || name[0] == '.' ||
		    (only && strcmp(name, only) != 0))
			continue;
		snprintf(cgroup, sizeof(cgroup), "%s/%s", parent, name);
		if (find_runtime(name, &fd) != RUNTIME_ALIVE &&
		    (lock = lock_cgroup(cgroup)) >= 0) {  /* no runtime */
			remove_cgroup_tree(cgroup);
			printf("removed the cgroup %s left behind\n", name);
			close(lock);
		}
		if (fd >= 0)
			close(fd);
	}
	if (dir != NULL)
		closedir(dir);
	rmdir(parent);                /* fails while others are in it */
}

/* `container cleanup [NAME]`: remove what the containers whose runtime
 * died left behind: cgroups first, then state files. A runtime killed
 * by SIGKILL cannot clean up, and its container died with it (see
 * die_with_parent()); the kernel dropped the lock on its state file.
 * A running container is left alone: saying so is an error when it
 * was named. */
static int clean_up(const char *only)
{
	DIR *dir = opendir(state_dir());
	struct dirent *entry;
	char path[PATH_MAX];
	int fd = -1, running = 0, lock = -1;
	enum runtime found;

	if (only != NULL && find_runtime(only, &fd) == RUNTIME_ALIVE)
		refuse("%s is running: end it first", only);
	if (fd >= 0)
		close(fd);
	if (only == NULL && geteuid() == 0)  /* see lock_state_dir() */
		lock = lock_state_dir(LOCK_EX);
	clean_up_cgroups(only);
	while (dir != NULL && (entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;

		if (name[0] == '.' || (only && strcmp(name, only) != 0 &&
				       name[0] != '+'))
			continue;     /* an address no one holds goes too */
		/* NO_RUNTIME: the file went since readdir(), with a
		 * runtime that ended and cleaned up; a new one may have
		 * made the name's file again, and that is not ours. */
		found = find_runtime(name, &fd);
		if (found == RUNTIME_ALIVE) {
			running++;    /* a name, or an address of stage 7 on */
		} else if (found == RUNTIME_GONE) {
			remove_veth_left(fd, name);
			state_path(path, name);
			unlink(path);
			printf("removed the state file %s left behind\n",
			       name);
		}
		if (fd >= 0)
			close(fd);
	}
	if (dir != NULL)
		closedir(dir);
	if (lock >= 0 && running == 0)
		remove_bridge();
	if (lock >= 0) {
		rmdir(STATE_DIR);     /* fails while others run */
		close(lock);
	} else if (geteuid() == 0) {
		remove_state_dir();
	}
	return 0;
}

/* Print the first line of the cgroup file NAME of DIR, or "-". */
static void print_cgroup_file(const char *dir, const char *name)
{
	char path[PATH_MAX], text[64] = "-";

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (dir[0] == '/')            /* "-": no cgroup (rootless) */
		read_line(path, text, sizeof(text));
	text[strcspn(text, "\n")] = '\0';
	printf(" %s=%s", name, text[0] ? text : "-");
}

/* `container ps`: one line per running container: its name, its
 * runtime's pid, its cgroup and the limits in it. Each state file's
 * lock is tried, never waited for (find_runtime()): a file a live
 * runtime holds is a running container; one that ps could lock was
 * left by a dead runtime, is not listed, and is cleanup's to remove.
 * That lock of ours lasts until close(), a moment in which a new
 * runtime of that name finds its name held: lock_state_file() waits
 * that moment out. */
static int list_containers(void)
{
	DIR *dir = opendir(state_dir());
	struct dirent *entry;
	struct state s;
	int fd;

	printf("%-16s %-7s %-7s %-5s ", "NAME", "RUNTIME", "PID", "STAGE");
	printf("%-12s CGROUP AND LIMITS\n", "ADDRESS");
	while (dir != NULL && (entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.' || entry->d_name[0] == '+')
			continue;     /* an address lock, of stage 7 on */
		if (find_runtime(entry->d_name, &fd) == RUNTIME_ALIVE &&
		    read_state(fd, &s)) {
			printf("%-16s %-7d %-7d %-5d ", entry->d_name,
			       s.runtime, s.child, s.stage);
			printf("%-12s %s", s.address, s.cgroup);
			print_cgroup_file(s.cgroup, "memory.max");
			print_cgroup_file(s.cgroup, "cpu.max");
			print_cgroup_file(s.cgroup, "pids.max");
			printf("\n");
		}
		if (fd >= 0)
			close(fd);
	}
	if (dir != NULL)
		closedir(dir);
	return 0;
}

/* What exec learns of the container's first process before it joins,
 * from the host's /proc/PID (proc(5)): its parent, and what a process
 * that joins must not have more of. */
struct first_process {
	int parent;                  /* PPid: the runtime, if it is ours */
	bool setgroups;              /* its user namespace allows setgroups */
	struct config cfg;           /* from stage 8: its bounding set and
					whether it has a seccomp filter */
};

/* Exec: read what exec must know of process PID. Stage 8 reads the
 * bounding set (CapBnd) and the filter (Seccomp) too: a process that
 * joins the container gets no more than its first process has. */
static void read_first_process(pid_t pid, struct first_process *p)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	p->parent = -1;
	p->cfg.capabilities = 0;      /* if unreadable: none, filtered */
	p->cfg.seccomp = true;
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long bounding;
		int mode;

		sscanf(line, "PPid: %d", &p->parent);
		if (sscanf(line, "CapBnd: %llx", &bounding) == 1)
			p->cfg.capabilities = bounding;
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			p->cfg.seccomp = mode == SECCOMP_MODE_FILTER;
	}
	fclose(f);
	p->setgroups = setgroups_allowed(pid);
}

/* Exec, stop and kill: open a pidfd (pidfd_open(2)) on the first
 * process of the running container NAME: a handle on that very
 * process, which no other can take over, as one can take over a pid
 * once its process is gone. The pid comes from the state file, and
 * only a container whose command has started is there: before, it
 * still holds every capability and no filter. The pid is checked once
 * the pidfd holds it: the process must be the runtime's child, and
 * still be there after /proc/PID was read (pidfd_send_signal(2) with
 * signal 0), so what was read was its. The state file is closed
 * before anything joins, so nothing of the host's goes in; `stop` asks
 * for it in *STATE_FD instead, to wait on that very file's lock. */
static int open_container(const char *name, struct state *s,
			  struct first_process *first, int *state_fd)
{
	int fd = -1, pidfd;
	bool found = strchr(name, '/') == NULL &&
		     find_runtime(name, &fd) == RUNTIME_ALIVE &&
		     read_state(fd, s);

	if (state_fd != NULL && found)
		*state_fd = fd;
	else if (fd >= 0)
		close(fd);
	if (!found)
		refuse("no container named %s is running (container ps lists "
		       "them)", name);
	if (s->child <= 0)
		refuse("%s is being set up: its command has not started yet; "
		       "try again in a moment", name);
	pidfd = pidfd_open(s->child, 0);
	if (pidfd < 0 && errno != ESRCH)
		die("pidfd_open %d", s->child);
	if (pidfd >= 0)
		read_first_process(s->child, first);
	if (pidfd < 0 || first->parent != s->runtime ||
	    pidfd_send_signal(pidfd, 0, NULL, 0) < 0) {
		refuse("no container named %s is running: its process %d is "
		       "gone", name, s->child);
	}
	return pidfd;
}

/* Parent, in the container's namespaces: fork the process exec runs
 * there, as child_pid, signals passed on to it from the fork on; one
 * that came in between is held until child_pid is known, as run's are
 * around clone() (release_signals()). The child gets 0, and takes its
 * signals back (take_default_signals()). Stage 10's exec forks here
 * too. */
static pid_t fork_forwarding(void)
{
	sigset_t mask;

	forward_signals();
	hold_signals(&mask);
	child_pid = fork();
	if (child_pid < 0)
		die("fork");
	if (child_pid > 0)
		release_signals(&mask);
	return child_pid;
}

/* `container exec NAME COMMAND...`: run COMMAND inside a running
 * container, as `docker exec` does. This process joins the container's
 * cgroup, then all its namespaces with one setns(2) on the pidfd,
 * which moves it into them atomically (Linux 5.8; setns(2)). Then it
 * becomes the container's root, and is made non-dumpable: only then
 * does it fork the child that runs COMMAND, the first of its processes
 * the container can see. A host root there, or a dumpable process of
 * the host's, could be traced from inside, and its /proc/PID/exe (this
 * binary, on the host) opened: runc's CVE-2016-9962 and CVE-2019-5736.
 * A new pid namespace takes only children: hence the fork. COMMAND
 * gets a clean environment; its exit status is ours. Refused: a
 * container of a later stage than this binary, which would join it
 * without the hardening it does not know. */
static int exec_into(const char *name, char **argv)
{
	int all = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
		  CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP;
	static struct first_process first;
	struct config *cfg = &first.cfg;  /* for the child's steps */
	struct state s;
	char text[32];
	int pidfd = open_container(name, &s, &first, NULL);

	if (s.stage > STAGE)
		refuse("%s runs stage %d, and this binary is stage %d: exec "
		       "it with a binary of stage %d or later", name, s.stage,
		       STAGE, s.stage);
	snprintf(text, sizeof(text), "%d", getpid());
	if (s.cgroup[0] == '/')
		set_cgroup_file(s.cgroup, "cgroup.procs", text);
	show_step("nsenter --target %d --user --mount --uts --ipc --net "
		  "--pid --cgroup", s.child);
	if (setns(pidfd, all) < 0)
		die("setns %s", name);
	close(pidfd);
	show_step("setresuid 0 0 0 (in the container), not dumpable");
	if ((first.setgroups && setgroups(0, NULL) < 0) ||
	    setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("become root in %s", name);
	cfg->argv = argv;
	cfg->channel = -1;            /* nobody to report to: print only */
	if (fork_forwarding() == 0) {
		in_child = true;
		take_default_signals();
		if (chdir("/") < 0)
			child_die(cfg, "chdir /");
		set_clean_environment(cfg);
		close_inherited_fds(cfg);
		drop_capabilities(cfg);
		set_no_new_privs(cfg);
		install_seccomp_filter(cfg);
		exec_command(cfg);
	}
	return wait_for_child(child_pid);
}

/* Parse a signal as kill(1) takes one: a name, with or without SIG
 * (TERM, SIGTERM, term), or a number. signal(7) lists them. */
static int parse_signal(const char *text)
{
	const char *name = text;
	char *end;
	long number = strtol(text, &end, 10);

	if (isdigit((unsigned char)*text) && *end == '\0' && number > 0 &&
	    number < NSIG)
		return (int)number;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigabbrev_np(sig) != NULL &&
		    strcasecmp(sigabbrev_np(sig), name) == 0)
			return sig;
	refuse("no signal named %s (signal(7) lists them: TERM, KILL, HUP, "
	       "...; or give its number)", text);
}

/* `container kill [--signal SIGNAL] NAME`: send SIGNAL, SIGKILL unless
 * told, to the container's first process, as `docker kill` does, by
 * its pidfd (pidfd_send_signal(2)). That process is PID 1 of its pid
 * namespace, and the kernel passes it a signal from outside only if it
 * has a handler for it, or the signal is SIGKILL or SIGSTOP: a shell
 * without a trap ignores SIGTERM (pid_namespaces(7)); --init has one
 * for TERM, INT, HUP, QUIT, USR1 and USR2. When PID 1 dies, the kernel
 * kills every other process of its namespace, and its runtime cleans
 * up. */
static int kill_by_name(const char *name, int sig)
{
	struct first_process first;
	struct state s;
	int pidfd = open_container(name, &s, &first, NULL);

	show_step("kill -%d %d", sig, s.child);
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		die("kill %s", name);
	close(pidfd);
	printf("%s\n", name);
	return 0;
}

/* Stop: wait up to SECONDS for the process of PIDFD to end: a pidfd
 * becomes readable when its process ends (pidfd_open(2), poll(2)). */
static bool ended_within(int pidfd, unsigned int seconds)
{
	struct pollfd process = { pidfd, POLLIN, 0 };
	int n;

	do
		n = poll(&process, 1, (int)seconds * 1000);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

/* Stop: wait until the runtime of state file FD has given the name
 * back: its lock is free once it has removed the cgroup and the veth
 * and ended. A runtime only has to clean up by then: a few seconds.
 * Its file is unlinked then (no link left to it); a runtime killed in
 * the middle frees the lock too, and leaves the file. */
static void wait_for_runtime(int fd, const char *name)
{
	struct stat st;

	for (int tries = 0; flock(fd, LOCK_SH | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK)
			die("flock %s", name);
		if (tries == 1000) {
			refuse("%s has ended, but its runtime has not finished "
			       "yet: container ps shows it", name);
		}
		usleep(10000);
	}
	if (fstat(fd, &st) == 0 && st.st_nlink > 0)
		refuse("%s has ended, but its runtime did not clean up: "
		       "container cleanup %s", name, name);
}

/* `container stop [--timeout SECONDS] NAME`: end the container as
 * `docker stop` does: SIGTERM to its first process, and SIGKILL if it
 * is still there SECONDS later: by default, the --stop-timeout it was
 * started with (10 unless told). Then wait for its runtime to clean
 * up, so that the name is free when this returns. */
static int stop_by_name(const char *name, int seconds)
{
	struct first_process first;
	struct state s;
	int fd = -1, pidfd = open_container(name, &s, &first, &fd);

	if (seconds < 0)
		seconds = (int)s.stop_timeout;
	show_step("kill -TERM %d", s.child);
	pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
	if (!ended_within(pidfd, (unsigned int)seconds)) {
		show_step("kill -KILL %d (still there after %d s)", s.child,
			  seconds);
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	}
	close(pidfd);
	if (fd >= 0) {
		wait_for_runtime(fd, name);
		close(fd);
	}
	printf("%s\n", name);
	return 0;
}
#endif /* STAGE >= 9 */
#if STAGE >= 10

/* ------------------------------------------------------------------ */
/* Stage 10: a bundle's config.json, read                             */
/* ------------------------------------------------------------------ */

/*
 * This section is stage 10's base, the reader the rest stands on;
 * tests/json/harness.c drives the reader alone (build/json-harness),
 * and so does a fuzzer (build/json-fuzz), with any bytes at all.
 *
 * podman and containerd do not make containers themselves. They hand
 * a low-level runtime (runc, crun) a bundle: a directory with the
 * container's root filesystem and config.json, which says the rest
 * (the command, its environment, namespaces, mounts, limits,
 * capabilities, seccomp). The Open Container Initiative's
 * runtime-spec defines the file (config.md) and the commands that
 * use it (runtime.md). Stage 10 makes this file such a runtime, and
 * its first need is to read JSON, which libc cannot. In three steps:
 *
 *     json_parse()     the text, by RFC 8259's grammar, into a tree
 *     json_member()    one name at a time down the tree
 *     json_string(), json_boolean(), json_integer(), json_unsigned()
 *                      a value, checked to be what the caller needs
 *
 * Each returns false or NULL on failure and leaves one line in
 * json_error, naming the value's place as a path:
 * "linux.resources.memory.limit: expected a number, found a string".
 *
 * Why strict. config.md ("Extensibility", "Valid values") says a
 * runtime MUST ignore properties it does not know and MUST fail on a
 * value it cannot apply. That rule is only as good as the reader: if
 * the engine that wrote or checked the file and the runtime that
 * applies it read the same bytes two ways, the check means nothing.
 * RFC 8259 leaves some things to each reader; this one refuses them:
 *
 *   - a name twice in one object: section 4 says names SHOULD be
 *     unique, and that readers then differ (many keep the last);
 *   - bytes that are not UTF-8 (section 8.1), and a \u escape of half
 *     a surrogate pair, which is no character at all (section 8.2);
 *   - \u0000, which a C string cannot hold: the name would end early;
 *   - more than CONFIG_MAX_BYTES, nesting past JSON_MAX_DEPTH (section
 *     9 lets a reader limit both; the depth also bounds our recursion).
 *
 * What the engines write always passes. Go's encoding/json, which
 * both are written with, writes valid UTF-8 and escapes <, >, &,
 * U+2028 and U+2029 as \u003c and the like (its Marshal
 * documentation), so \u escapes are common; other writers (Python's
 * json.dumps) escape every character past ASCII, up to surrogate
 * pairs, and those pass too. And numbers stay text
 * until asked for: config-linux.md's limits are int64 and uint64,
 * which a double (what JavaScript makes of every number) cannot hold
 * exactly past 2^53.
 */

/* RFC 8259 section 3: a value is an object, an array, a number, a
 * string, or one of the words false, null and true. The two booleans
 * are one type here, with their truth beside it. */
enum json_type {
	JSON_NULL, JSON_BOOLEAN, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
	JSON_OBJECT
};

/* One value, and its place in the tree. Every value is a node; an
 * array's or object's values hang from its `child`, one after another
 * by `next`, and each points back up by `parent`, so that an error
 * deep down can still say where it is. {"args": ["sh", "-c"]} is:
 *
 *     object ---child---> "args": array ---child---> [0] "sh"
 *                                                       | next
 *                                                       v
 *                                                    [1] "-c"
 *
 * A list, not a hash table: config.json's objects have a few dozen
 * members at most, and the reader keeps their order. */
struct json {
	enum json_type type;
	struct json *parent;    /* NULL for the whole document */
	struct json *child;     /* an array's or object's first value */
	struct json *next;      /* the value after this one, in its parent */
	char *name;             /* its name, if its parent is an object */
	size_t index;           /* its place from 0, if in an array */
	char *text;             /* a string, decoded; a number, as written */
	bool truth;             /* a boolean's value */
};

/* The reader's position in the text. The text is a span, not a C
 * string: a NUL byte in it is one more byte to refuse, not its end.
 * A byte is looked at only below `end`, checked there or known from
 * an earlier check (read_string() finds its closing quote first): no
 * terminator stops a read past it. `start` is only for errors, which
 * count lines and columns from it. */
struct json_reader {
	const char *start, *at, *end;
	int depth;              /* arrays and objects open around `at` */
	struct json *current;   /* the value being read: errors name it */
};

/* The last failure, as one line (as dlerror(3) keeps the last). */
static char json_error[JSON_ERROR_BYTES];

/* Each type as an error names it, article and all: "expected an
 * array, found a string". */
static const char *const json_type_names[] = {
	[JSON_NULL] = "null", [JSON_BOOLEAN] = "a boolean",
	[JSON_NUMBER] = "a number", [JSON_STRING] = "a string",
	[JSON_ARRAY] = "an array", [JSON_OBJECT] = "an object",
};

/* If S ends in part of a UTF-8 character (a string cut short to fit
 * its buffer), end it before that character. snprintf(3) cuts at a
 * byte, and half a character would make the whole line bad UTF-8,
 * which log_error() must not write into a JSON log (--log-format
 * json; RFC 8259 section 8.1). The walk goes back over the later
 * bytes, four at most, to the character's first byte, whose value
 * says how many bytes it needs, and cuts there if fewer are left. */
static void cut_to_character(char *s)
{
	size_t length = strlen(s), start = length;

	while (start > 0 && length - start < 4 &&
	       ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;                        /* 10xxxxxx: a later byte */
	if (start == 0 || (unsigned char)s[start - 1] < 0xC0)
		return;                         /* ASCII, or whole */
	start--;                                /* the first byte */
	if (length - start < ((unsigned char)s[start] >= 0xF0 ? 4 :
			      (unsigned char)s[start] >= 0xE0 ? 3 : 2))
		s[start] = '\0';
}

/* Write NODE's path into OUT (SIZE bytes, cut short if need be), as
 * a person would type it: process.args[2], linux.sysctl["net.ipv4.
 * ip_forward"]. A name that is not a plain word is quoted: sysctl's
 * and annotations' names hold dots, and linux.sysctl.net.ipv4 would
 * read as three levels. Its control bytes become '?', so that the
 * error stays one line. The parent's path comes first, so the walk
 * recurses up to the top and writes on the way back down; its depth
 * is the tree's, which the reader bounds. */
static void json_path(const struct json *node, char *out, size_t size)
{
	size_t used;
	bool plain;

	out[0] = '\0';
	if (node == NULL || node->parent == NULL)
		return;
	json_path(node->parent, out, size);
	used = strlen(out);
	if (node->parent->type == JSON_ARRAY) {
		snprintf(out + used, size - used, "[%zu]", node->index);
		return;
	}
	plain = node->name[0] != '\0';
	for (const char *c = node->name; *c != '\0'; c++)
		plain = plain && (isalnum((unsigned char)*c) || *c == '_');
	if (plain) {
		snprintf(out + used, size - used, "%s%s", used > 0 ? "." : "",
			 node->name);
		return;
	}
	/* ["NAME"], with its quotes and backslashes escaped, and '?' for
	 * a control byte; cut short (at a whole character) if need be. */
	snprintf(out + used, size - used, "[\"");
	for (const char *c = node->name; *c != '\0'; c++) {
		used = strlen(out);
		snprintf(out + used, size - used, "%s%c",
			 *c == '"' || *c == '\\' ? "\\" : "",
			 (unsigned char)*c < 0x20 ? '?' : *c);
	}
	used = strlen(out);
	snprintf(out + used, size - used, "\"]");
	cut_to_character(out);
}

/* Say what is wrong with NODE in json_error: "PATH: WHAT", or WHAT
 * alone for the whole document. */
__attribute__((format(printf, 2, 3)))
static void json_fail(const struct json *node, const char *fmt, ...)
{
	char path[JSON_ERROR_BYTES / 2];        /* half: room for WHAT */
	size_t used;
	va_list ap;

	json_path(node, path, sizeof(path));
	snprintf(json_error, sizeof(json_error), "%s%s", path,
		 path[0] != '\0' ? ": " : "");
	used = strlen(json_error);
	va_start(ap, fmt);
	vsnprintf(json_error + used, sizeof(json_error) - used, fmt, ap);
	va_end(ap);
	/* One line, whatever the text: a name, a value, is the file's. */
	for (char *c = json_error; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
	cut_to_character(json_error);
}

/* A syntax error: json_fail() for the value being read, with the line
 * and column where reading stopped, counted in bytes from 1 (a column
 * past a non-ASCII character is a byte count, not what an editor
 * shows). Counted only on failure, so reading pays nothing for it.
 * Returns false, so that a caller can `return reader_fail(...)`. */
__attribute__((format(printf, 2, 3)))
static bool reader_fail(const struct json_reader *r, const char *fmt, ...)
{
	char what[JSON_ERROR_BYTES / 2];
	int line = 1, column = 1;
	va_list ap;

	for (const char *c = r->start; c < r->at; c++) {
		column = *c == '\n' ? 1 : column + 1;
		line += *c == '\n';
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	json_fail(r->current, "%s at line %d, column %d", what, line, column);
	return false;
}

/* Free NODE, everything under it, and everything after it: the
 * values after it in a loop, those under it by recursion, whose depth
 * is the tree's (bounded by JSON_MAX_DEPTH). A tree the reader gave up
 * on half way is freed the same way: every node is linked in before
 * it is read. */
static void json_free(struct json *node)
{
	while (node != NULL) {
		struct json *next = node->next;

		json_free(node->child);
		free(node->name);
		free(node->text);
		free(node);
		node = next;
	}
}

/* Step over RFC 8259's whitespace: space, tab, newline, return
 * (section 2, "ws"). Not isspace(3), which takes \f and \v as well:
 * a file with them is not JSON, and Go's encoding/json, the
 * engines' own reader, refuses it too. */
static void skip_space(struct json_reader *r)
{
	while (r->at < r->end && (*r->at == ' ' || *r->at == '\t' ||
				  *r->at == '\n' || *r->at == '\r'))
		r->at++;
}

/* Read four hex digits after "\u" into *UNIT. RFC 8259 section 7
 * lets the letters be of either case: \u00E9 is \u00e9. */
static bool read_hex4(struct json_reader *r, unsigned int *unit)
{
	*unit = 0;
	for (int i = 0; i < 4; i++, r->at++) {
		char c = r->at < r->end ? *r->at : '\0';

		if (!isxdigit((unsigned char)c))
			return reader_fail(r, "\\u needs four hex digits");
		/* In ASCII a letter's case is its bit 0x20: c | 0x20
		 * makes 'A' to 'F' into 'a' to 'f'. */
		*unit = *unit * 16 + (unsigned int)(isdigit((unsigned char)c) ?
			c - '0' : (c | 0x20) - 'a' + 10);
	}
	return true;
}

/* Read the \u escape at r->at and write its character to OUT as UTF-8.
 * Returns the bytes written, or 0 on failure.
 *
 * Four hex digits hold 16 bits, and Unicode goes to U+10FFFF: a
 * character past U+FFFF is written as two escapes, UTF-16's surrogate
 * pair (RFC 8259 section 7, RFC 2781 section 2.1). Take 0x10000 away
 * and 20 bits are left: the high half, 0xD800 to 0xDBFF, carries the
 * top ten, the low half, 0xDC00 to 0xDFFF, the bottom ten. So
 * "\uD83D\uDE00" is 0x10000 + (0x3D << 10) + 0x200 = U+1F600.
 *
 * UTF-8 (RFC 3629 section 3) then spreads the bits over one to four
 * bytes: the first byte's high bits say how many, each next byte
 * starts with the bits 10 and carries six:
 *
 *     up to U+007F     0xxxxxxx
 *     up to U+07FF     110xxxxx 10xxxxxx
 *     up to U+FFFF     1110xxxx 10xxxxxx 10xxxxxx
 *     up to U+10FFFF   11110xxx 10xxxxxx 10xxxxxx 10xxxxxx */
static size_t read_unicode_escape(struct json_reader *r, char *out)
{
	const char *escape = r->at;     /* where an error points */
	unsigned int code, low = 0;

	r->at += 2;                             /* the backslash, the u */
	if (!read_hex4(r, &code))
		return 0;
	/* A high half takes its low half from the escape right after it.
	 * With none there, or another character's escape, the test below
	 * refuses it, as it does a low half that comes first; that error,
	 * as \u0000's, points back at the backslash. */
	if (code >= 0xD800 && code <= 0xDBFF && r->end - r->at >= 2 &&
	    memcmp(r->at, "\\u", 2) == 0) {
		r->at += 2;
		if (!read_hex4(r, &low))
			return 0;
	}
	if ((code >= 0xD800 && code <= 0xDBFF && (low < 0xDC00 ||
	     low > 0xDFFF)) || (code >= 0xDC00 && code <= 0xDFFF)) {
		r->at = escape;
		return reader_fail(r, "\\u%04X is half a pair, alone", code);
	}
	if (code >= 0xD800 && code <= 0xDBFF)
		code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
	if (code == 0) {
		r->at = escape;
		return reader_fail(r, "\\u0000 cannot be in a C string");
	}
	if (code < 0x80) {
		out[0] = (char)code;
		return 1;
	}
	if (code < 0x800) {
		out[0] = (char)(0xC0 | code >> 6);
		out[1] = (char)(0x80 | (code & 0x3F));
		return 2;
	}
	if (code < 0x10000) {
		out[0] = (char)(0xE0 | code >> 12);
		out[1] = (char)(0x80 | (code >> 6 & 0x3F));
		out[2] = (char)(0x80 | (code & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | code >> 18);
	out[1] = (char)(0x80 | (code >> 12 & 0x3F));
	out[2] = (char)(0x80 | (code >> 6 & 0x3F));
	out[3] = (char)(0x80 | (code & 0x3F));
	return 4;
}

/* The length of the UTF-8 character at r->at, if it is well formed,
 * else 0. Well formed (RFC 3629 sections 3 and 4) is more than the
 * table above: the shortest form only, no surrogate (they are for
 * UTF-16 alone), nothing past U+10FFFF, and no first byte from 0xF8
 * up, which would promise five bytes or more. The shortest form is
 * the one that matters to a security boundary. RFC 3629's section 10
 * gives two examples: C0 80, a second way to write NUL that a check
 * for the byte 00 does not see, and 2F C0 AE 2E 2F, a second "/../",
 * used against web servers in 2001. A reader that decoded them would
 * let through what a check of the bytes had refused. */
static size_t utf8_length(const struct json_reader *r)
{
	const unsigned char *c = (const unsigned char *)r->at;
	size_t length = c[0] < 0x80 ? 1 : c[0] >= 0xF8 ? 0 :
			c[0] >= 0xF0 ? 4 : c[0] >= 0xE0 ? 3 :
			c[0] >= 0xC0 ? 2 : 0;
	/* The least code each length may carry; less is overlong. */
	static const unsigned int smallest[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned int code;

	/* 0x80 to 0xBF are later bytes, never a first (length 0); and a
	 * character cut off by the end of the text is no character. */
	if (length == 0 || (size_t)(r->end - r->at) < length)
		return 0;
	/* The first byte's own bits: all 7 of 0xxxxxxx, else those after
	 * its run of 1s and the 0 (5 of 110xxxxx, 4, then 3). */
	code = length == 1 ? c[0] : c[0] & (0x7F >> length);
	for (size_t i = 1; i < length; i++) {
		if ((c[i] & 0xC0) != 0x80)
			return 0;
		code = code << 6 | (c[i] & 0x3F);
	}
	if (code < smallest[length] || code > 0x10FFFF ||
	    (code >= 0xD800 && code <= 0xDFFF))
		return 0;
	return length;
}

/* Read the escape at r->at (its backslash) and write the character it
 * stands for to OUT. Returns the bytes written, or 0 on failure.
 * RFC 8259 section 7 has nine escapes: \" \\ \/ \b \f \n \r \t and
 * \uXXXX; the table `escapes` pairs each letter of the first eight
 * with the byte it stands for. Any other is an error: C's \a, \v,
 * \x41 and \0 are not JSON's. The byte after the backslash is always
 * inside the text: read_string() found the closing quote after it. */
static size_t read_escape(struct json_reader *r, char *out)
{
	static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char *e;

	if (r->at[1] == 'u')
		return read_unicode_escape(r, out);
	for (e = escapes; *e != '\0' && *e != r->at[1]; e += 2)
		;
	if (*e != '\0') {
		out[0] = e[1];
		r->at += 2;
		return 1;
	}
	if (isgraph((unsigned char)r->at[1]))
		return reader_fail(r, "\\%c is no escape", r->at[1]);
	return reader_fail(r, "byte 0x%02x after a backslash",
			   (unsigned char)r->at[1]);
}

/* Read the string at r->at (its opening quote) into a new C string in
 * *OUT. The decoded string is never longer than the text it came
 * from (an escape of two to twelve bytes makes one to four), so one
 * pass finds the closing quote and sizes the buffer, and a second
 * decodes into it. A backslash hides the byte after it from the first
 * pass, so \" does not end the string.
 *
 * Inside, RFC 8259 section 7 allows any character but the quote, the
 * backslash and the control characters U+0000 to U+001F, which must
 * be escaped (read_escape()). */
static bool read_string(struct json_reader *r, char **out)
{
	const char *close = r->at + 1;
	size_t used = 0;
	char *text;

	while (close < r->end && *close != '"')
		close += *close == '\\' && close + 1 < r->end ? 2 : 1;
	if (close >= r->end)
		return reader_fail(r, "a string with no closing quote");
	/* close - r->at counts the opening quote and the bytes inside:
	 * one more than the text can need, for its '\0'. */
	text = malloc((size_t)(close - r->at));
	if (text == NULL)
		return reader_fail(r, "out of memory");
	/* Each turn takes one of three things: a control byte, refused; an
	 * escape, decoded; or a character as written, checked to be UTF-8
	 * and copied. `length` is what it added to the text, 0 for an
	 * error; the node has no text yet, so the buffer is freed here.
	 * The first quote the turns meet is `close`: no step reads past
	 * a quote, since a later byte of UTF-8 is 10xxxxxx and \u takes
	 * hex digits only; so the text stays inside the buffer. */
	for (r->at++; *r->at != '"';) {
		size_t length = 0;

		if ((unsigned char)*r->at < 0x20) {
			free(text);
			return reader_fail(r, "byte 0x%02x in a string: a "
					   "control character needs an escape",
					   (unsigned char)*r->at);
		}
		if (*r->at == '\\') {
			length = read_escape(r, text + used);
		} else if ((length = utf8_length(r)) != 0) {
			memcpy(text + used, r->at, length);
			r->at += length;
		} else {
			reader_fail(r, "byte 0x%02x is not UTF-8",
				    (unsigned char)*r->at);
		}
		if (length == 0) {
			free(text);
			return false;
		}
		used += length;
	}
	r->at++;                                /* the closing quote */
	text[used] = '\0';
	*out = text;
	return true;
}

/* Step over a run of digits; false if there is none. */
static bool skip_digits(struct json_reader *r)
{
	const char *first = r->at;

	while (r->at < r->end && isdigit((unsigned char)*r->at))
		r->at++;
	return r->at > first;
}

/* Read a number into NODE, kept as its text: RFC 8259 section 6's
 * grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, which has
 * no "+1", no "01", no ".5", no "1.", no hex, no NaN. The text becomes
 * a number only where a value is taken (json_integer(),
 * json_unsigned()), in the type and range that value needs: a reader
 * that made every number a double, as JavaScript's does, would round
 * 2^64-1, the largest rlimit, to 2^64. */
static bool read_json_number(struct json_reader *r, struct json *node)
{
	const char *first = r->at;

	if (r->at < r->end && *r->at == '-')
		r->at++;
	/* The whole part: 0 alone, or a digit from 1 and any after it. */
	if (r->at < r->end && *r->at == '0') {
		r->at++;
		if (r->at < r->end && isdigit((unsigned char)*r->at))
			return reader_fail(r, "a number cannot start with 0");
	} else if (r->at >= r->end || *r->at < '1' || *r->at > '9' ||
		 !skip_digits(r))
		return reader_fail(r, "a number needs a digit here");
	/* A fraction, then an exponent, each optional, each with at
	 * least one digit. */
	if (r->at < r->end && *r->at == '.' && (r->at++, !skip_digits(r)))
		return reader_fail(r, "a number needs a digit after '.'");
	if (r->at < r->end && (*r->at == 'e' || *r->at == 'E')) {
		r->at++;
		if (r->at < r->end && (*r->at == '+' || *r->at == '-'))
			r->at++;
		if (!skip_digits(r))
			return reader_fail(r, "a number needs a digit in its "
					   "exponent");
	}
	node->type = JSON_NUMBER;
	node->text = strndup(first, (size_t)(r->at - first));
	return node->text != NULL || reader_fail(r, "out of memory");
}

static bool read_value(struct json_reader *r, struct json *node);

/* Add a new, empty value at the end of PARENT's list, so that an error
 * inside it can name its path and json_free() finds it whatever
 * happens next. *TAIL points at the link to fill: first the parent's
 * `child`, then the last value's `next`; so appending is one store,
 * with no walk down the list. */
static struct json *add_child(struct json_reader *r, struct json *parent,
			      struct json ***tail, size_t index)
{
	struct json *child = calloc(1, sizeof(*child));

	if (child == NULL) {
		reader_fail(r, "out of memory");
		return NULL;
	}
	child->parent = parent;
	child->index = index;
	**tail = child;
	*tail = &child->next;
	return child;
}

/* Compare two members by name, for qsort(3). */
static int compare_names(const void *a, const void *b)
{
	return strcmp((*(struct json *const *)a)->name,
		      (*(struct json *const *)b)->name);
}

/* Fail if two of OBJECT's COUNT members share a name: sorted, any two
 * such are neighbours (n log n, where comparing each with each would
 * let a file of 100000 names take minutes). The sort is of a copy of
 * the pointers: the members keep the order they were written in. */
static bool names_unique(struct json_reader *r, struct json *object,
			 size_t count)
{
	struct json **sorted = calloc(count, sizeof(*sorted));
	size_t i = 0;

	if (sorted == NULL)
		return reader_fail(r, "out of memory");
	for (struct json *m = object->child; m != NULL; m = m->next)
		sorted[i++] = m;
	qsort(sorted, count, sizeof(*sorted), compare_names);
	for (i = 1; i < count; i++)
		if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
			break;
	if (i < count)
		json_fail(sorted[i], "this name is there twice");
	free(sorted);
	return i >= count;
}

/* Read an array or an object (r->at at its '[' or '{') into NODE:
 * values, or members (a name, ':' and a value), between commas (RFC
 * 8259 sections 4 and 5). The two share all but the name, so one
 * loop reads both. Each level of nesting is one more call of this
 * and read_value() on the C stack: r->depth counts them, so that a
 * file of a million '[' fails in one line instead of overflowing the
 * stack. */
static bool read_container(struct json_reader *r, struct json *node)
{
	bool object = *r->at == '{';
	char close = object ? '}' : ']';
	struct json **tail = &node->child;
	size_t count = 0;

	node->type = object ? JSON_OBJECT : JSON_ARRAY;
	if (++r->depth > JSON_MAX_DEPTH)
		return reader_fail(r, "nested deeper than %d", JSON_MAX_DEPTH);
	r->at++;
	skip_space(r);
	if (r->at < r->end && *r->at == close)
		goto closed;                    /* [] or {} */
	for (;;) {
		struct json *child = add_child(r, node, &tail, count++);

		if (child == NULL)
			return false;
		skip_space(r);
		if (object && (r->at >= r->end || *r->at != '"'))
			return reader_fail(r, "expected a name in quotes");
		if (object && !read_string(r, &child->name))
			return false;
		skip_space(r);
		if (object && (r->at >= r->end || *r->at != ':'))
			return reader_fail(r, "expected ':' after a name");
		if (object)
			r->at++;                /* the ':' */
		if (!read_value(r, child))
			return false;
		skip_space(r);
		if (r->at < r->end && *r->at == close)
			break;
		if (r->at >= r->end || *r->at != ',')
			return reader_fail(r, "expected ',' or '%c'", close);
		/* A value must follow: RFC 8259 has no trailing comma,
		 * so [1,] fails where the next value should start. */
		r->at++;
	}
closed:
	r->at++;                                /* the '}' or ']' */
	/* Only on success: a failure ends the whole parse, depth and all.
	 * The names are checked once all are read, and only if two could
	 * be the same. */
	r->depth--;
	return !object || count < 2 || names_unique(r, node, count);
}

/* Read the value at r->at into NODE (whose place is already set). Its
 * first byte says what it is (RFC 8259 section 3): '{' or '[' a
 * container, '"' a string, '-' or a digit a number, and otherwise it
 * must be one of the three words. While it is read, r->current
 * points at it, so a syntax error inside names its path. */
static bool read_value(struct json_reader *r, struct json *node)
{
	static const struct { const char *word; enum json_type type;
			      bool truth; } words[] = {
		{ "null", JSON_NULL, false }, { "true", JSON_BOOLEAN, true },
		{ "false", JSON_BOOLEAN, false },
	};
	struct json *outer = r->current;
	bool read;

	r->current = node;
	skip_space(r);
	if (r->at >= r->end) {
		read = reader_fail(r, "expected a value, found the end");
	} else if (*r->at == '{' || *r->at == '[') {
		read = read_container(r, node);
	} else if (*r->at == '"') {
		node->type = JSON_STRING;
		read = read_string(r, &node->text);
	} else if (*r->at == '-' || isdigit((unsigned char)*r->at)) {
		read = read_json_number(r, node);
	} else {
		/* Section 3: the words are lowercase, so True and NULL
		 * are refused. A word ends where its letters do: in
		 * "nullx", the x is left to the caller, which wants a
		 * ',', a closing bracket or the end after any value. */
		size_t i, left = (size_t)(r->end - r->at);

		for (i = 0; i < ARRAY_LEN(words); i++) {
			size_t length = strlen(words[i].word);

			if (left >= length &&
			    memcmp(r->at, words[i].word, length) == 0)
				break;
		}
		if (i < ARRAY_LEN(words)) {
			node->type = words[i].type;
			node->truth = words[i].truth;
			r->at += strlen(words[i].word);
			read = true;
		} else {
			read = reader_fail(r, isgraph((unsigned char)*r->at) ?
				"expected a value, found '%c'" :
				"expected a value, found byte 0x%02x",
				(unsigned char)*r->at);
		}
	}
	r->current = outer;
	return read;
}

/* Read LENGTH bytes of TEXT, one JSON value with nothing after it but
 * whitespace, into a tree: free it with json_free(). NULL on failure,
 * with json_error saying where and why.
 *
 * Any value will do at the top (RFC 8259 section 2; RFC 4627 wanted
 * an object or an array): read_config() asks for config.md's object
 * itself. A byte order mark before it is refused, as a value's bad
 * first byte: section 8.1 forbids adding one, and lets a reader
 * choose whether to skip it. */
static struct json *json_parse(const char *text, size_t length)
{
	struct json_reader r = { text, text, text + length, 0, NULL };
	/* The top value is a node like any other, with no parent: its
	 * path is empty, and an error in it names no place. */
	struct json *root = calloc(1, sizeof(*root));

	if (root == NULL) {
		snprintf(json_error, sizeof(json_error), "out of memory");
		return NULL;
	}
	if (!read_value(&r, root)) {
		json_free(root);
		return NULL;
	}
	skip_space(&r);
	if (r.at < r.end) {
		reader_fail(&r, "more after the value");
		json_free(root);
		return NULL;
	}
	return root;
}

/* OBJECT's member NAME, or NULL if OBJECT is not an object or has no
 * such member: config.md makes most properties OPTIONAL, so a NULL
 * is an answer, not an error. The match is exact: unlike Go's
 * encoding/json, which also takes a member whose name differs only
 * in case (its Unmarshal documentation), "Hostname" is not
 * "hostname" here, and so is an unknown property, ignored. */
static const struct json *json_member(const struct json *object,
				      const char *name)
{
	if (object == NULL || object->type != JSON_OBJECT)
		return NULL;
	for (const struct json *m = object->child; m != NULL; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

/* Fail unless NODE is of TYPE. */
static bool json_is(const struct json *node, enum json_type type)
{
	if (node->type == type)
		return true;
	json_fail(node, "expected %s, found %s", json_type_names[type],
		  json_type_names[node->type]);
	return false;
}

/* The first value in OBJECT's member NAME, an array or an object (TYPE)
 * that config.md makes OPTIONAL, into *FIRST: NULL if it is not there
 * or empty. False, with json_error, if it is there but no TYPE. */
static bool json_first(const struct json *object, const char *name,
		       enum json_type type, const struct json **first)
{
	const struct json *member = json_member(object, name);

	*first = NULL;
	if (member != NULL && !json_is(member, type))
		return false;
	if (member != NULL)
		*first = member->child;
	return true;
}

/* A zeroed array of one item of SIZE bytes for each value from FIRST
 * on, and one more, their number in *COUNT; NULL, with json_error
 * naming NODE, if memory runs out. The caller frees it. */
static void *json_new_array(const struct json *node,
			    const struct json *first, size_t size,
			    size_t *count)
{
	void *array;

	*count = 0;
	for (const struct json *e = first; e != NULL; e = e->next)
		(*count)++;
	/* calloc(3), not malloc(3): it fails, where COUNT + 1 times SIZE
	 * would overflow, and its zeroes make the extra item the end
	 * (the NULL after argv's last string). */
	array = calloc(*count + 1, size);
	if (array == NULL)
		json_fail(node, "out of memory");
	return array;
}

/* NODE's string into *OUT (owned by the tree). */
static bool json_string(const struct json *node, const char **out)
{
	if (!json_is(node, JSON_STRING))
		return false;
	*out = node->text;
	return true;
}

/* NODE's boolean into *OUT. */
static bool json_boolean(const struct json *node, bool *out)
{
	if (!json_is(node, JSON_BOOLEAN))
		return false;
	*out = node->truth;
	return true;
}

/* Fail unless NODE is a number written as a whole one: Go's decoder
 * also refuses 1.0 or 1e3 for an integer field. */
static bool json_is_whole(const struct json *node)
{
	if (!json_is(node, JSON_NUMBER))
		return false;
	if (strpbrk(node->text, ".eE") == NULL)
		return true;
	json_fail(node, "expected a whole number, found %s", node->text);
	return false;
}

/* NODE's value into *OUT, if a whole number from MIN to MAX (config.md's
 * int64, int32, ...: the caller's bounds say which). */
static bool json_integer(const struct json *node, int64_t min, int64_t max,
			 int64_t *out)
{
	long long value;

	if (!json_is_whole(node))
		return false;
	/* The grammar has checked every byte, so strtoll(3) reads them all;
	 * past 64 bits it answers LLONG_MIN or LLONG_MAX and sets ERANGE,
	 * which only errno tells from a true LLONG_MAX. */
	errno = 0;
	value = strtoll(node->text, NULL, 10);
	if (errno == 0 && value >= min && value <= max) {
		*out = value;
		return true;
	}
	json_fail(node, "expected %" PRId64 " to %" PRId64 ", found %s", min,
		  max, node->text);
	return false;
}

/* NODE's value into *OUT, if a whole number from 0 to MAX (config.md's
 * uint64, uint32, ...). A '-' is refused first: strtoull(3) accepts
 * one, and turns "-1" into the largest value of all. */
static bool json_unsigned(const struct json *node, uint64_t max,
			  uint64_t *out)
{
	unsigned long long value;

	if (!json_is_whole(node))
		return false;
	errno = 0;
	value = strtoull(node->text, NULL, 10);
	if (node->text[0] != '-' && errno == 0 && value <= max) {
		*out = value;
		return true;
	}
	json_fail(node, "expected 0 to %" PRIu64 ", found %s", max,
		  node->text);
	return false;
}

/* Read PATH, a bundle's config.json, into a tree. Refuses (one line,
 * 125) a file that cannot be read, is larger than CONFIG_MAX_BYTES, or
 * is not a JSON object (config.md's top level).
 *
 * Only a regular file: a FIFO would block the runtime until someone
 * writes to it, and /dev/zero would never end. So the open does not
 * wait (O_NONBLOCK: opening a FIFO waits for a writer, fifo(7); a
 * regular file ignores the flag), and fstat(2) then checks the file
 * that was opened, not one swapped in under the same name since. */
static struct json *read_config(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	struct json *config;
	size_t used = 0, size;
	ssize_t got = 0;
	char *text;

	if (fd < 0)
		die("cannot open %s", path);
	if (fstat(fd, &st) < 0)
		die("cannot stat %s", path);
	if (!S_ISREG(st.st_mode))
		refuse("%s: not a regular file", path);
	/* The limit first, so that a file of any size costs nothing. */
	if (st.st_size > CONFIG_MAX_BYTES)
		refuse("%s: %lld bytes, more than the %d this runtime reads",
		       path, (long long)st.st_size, CONFIG_MAX_BYTES);
	size = (size_t)st.st_size;
	text = malloc(size + 1);
	if (text == NULL)
		die("cannot read %s", path);
	/* One byte more than its size, to see a file that grows. read(2)
	 * may return less than asked, so it loops: to 0, the end of the
	 * file, or to that byte more. A file that shrank since fstat(2)
	 * is read as it is now, `used` bytes, all parsed. */
	while (used <= size && (got = read(fd, text + used,
					    size + 1 - used)) > 0)
		used += (size_t)got;
	if (got < 0)
		die("cannot read %s", path);
	if (used > size)
		refuse("%s: more than its size, %zu bytes, said", path, size);
	close(fd);
	config = json_parse(text, used);
	free(text);                     /* the tree has its own copies */
	if (config == NULL)
		refuse("%s: %s", path, json_error);
	if (!json_is(config, JSON_OBJECT))
		refuse("%s: %s", path, json_error);
	return config;
}

/* ------------------------------------------------------------------ */
/* Stage 10: the process config.json asks for                         */
/* ------------------------------------------------------------------ */

/* config.md's "process": the command, and who it runs as. Stages 0 to
 * 9 took these from the command line or fixed them (a clean
 * environment at stage 4, Docker's capabilities at stage 8); here the
 * engine says each one. Each feeds a step an earlier stage made:
 *
 *     process.            the step that will apply it          stage
 *     args                exec_command(): execvp(3)              0
 *     env                 the environment, in place of
 *                         set_clean_environment()'s              4
 *     cwd                 chdir(2) after pivot_into_rootfs(),
 *                         so that it is the container's path     4
 *     terminal            take_own_terminal()                    4
 *     user                become_process(): setgroups(2),
 *                         setresgid(2) and setresuid(2), as
 *                         become_root() does for root; late,
 *                         since leaving uid 0 clears the
 *                         capabilities the steps before need
 *                         (capabilities(7))                      5
 *     capabilities        become_process(): capset(2) and the
 *                         bounding set, as drop_capabilities()
 *                         sets them from one set: config.md
 *                         gives five                             8
 *     noNewPrivileges     become_process(), only if asked:
 *                         without it the seccomp filter goes in
 *                         while CAP_SYS_ADMIN is held (seccomp(2)) 8
 *     apparmorProfile,    a label for the exec, written to
 *     selinuxLabel        /proc/self/attr (proc(5)); refused by
 *                         become_process() until then           10
 *     rlimits             limit_process(), from outside the
 *                         user namespace: prlimit(2)            10
 *     oomScoreAdj         limit_process(): /proc/PID/
 *                         oom_score_adj (proc(5))               10
 *
 * Reading the process checks what can be checked before anything is
 * made (each value's type and range, the names of capabilities and
 * limits), and refuses in one line that names the value. Strings point
 * into the tree, which must live as long as this does. */
struct process {
	char **argv;              /* args: at least one, NULL-ended */
	char **env;               /* env, each NAME=VALUE, NULL-ended */
	const char *cwd;          /* cwd: an absolute path */
	bool terminal;            /* terminal: one of its own */
	uid_t uid;                /* user.uid and user.gid, as seen */
	gid_t gid;                /*   inside the user namespace */
	gid_t *groups;            /* user.additionalGids */
	size_t group_count;
	int umask;                /* user.umask, or -1: left as it is */
	uint64_t capabilities[5]; /* bit N is CAP N, per set: */
	struct {                  /* rlimits, in the order given */
		int resource;
		struct rlimit limit;
	} rlimits[RLIM_NLIMITS];
	size_t rlimit_count;
	bool no_new_privileges;   /* noNewPrivileges */
	const char *apparmor;     /* apparmorProfile, or NULL */
	const char *selinux;      /* selinuxLabel, or NULL */
	bool oom_score_adjusted;  /* oomScoreAdj is there, */
	int oom_score_adj;        /*   and its value */
	unsigned short rows;      /* consoleSize, for the terminal: */
	unsigned short columns;   /*   0 and 0 if none is given */
};

/* The five sets config.md names, in struct process's order. What each
 * means is in capabilities(7), and at drop_capabilities() (stage 8). */
static const char *const capability_sets[] = {
	"bounding", "effective", "inheritable", "permitted", "ambient",
};
_Static_assert(ARRAY_LEN(capability_sets) ==
	       ARRAY_LEN(((struct process *)0)->capabilities),
	       "one bit mask per set");

/* The resources getrlimit(2) lists, by the names config.md uses: at
 * most RLIM_NLIMITS, so struct process has room for each once.
 * config.md wants an error for a type with no kernel resource behind
 * it; a name not in this table is one, and read_rlimits() refuses it
 * before anything is made. */
static const struct { const char *name; int resource; } rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};
_Static_assert(ARRAY_LEN(rlimit_names) <= RLIM_NLIMITS,
	       "room in struct process for every limit once");

/* ARRAY, an array of strings, into a new NULL-ended vector in *OUT (of
 * pointers into the tree), as execve(2) takes argv and envp. The
 * vector is the caller's to free, even when an element fails: it is
 * allocated first, and filled as far as the elements are strings. */
static bool read_strings(const struct json *array, char ***out)
{
	size_t count, i = 0;

	if (!json_is(array, JSON_ARRAY))
		return false;
	*out = json_new_array(array, array->child, sizeof(**out), &count);
	if (*out == NULL)
		return false;
	for (const struct json *e = array->child; e != NULL; e = e->next) {
		const char *s;

		if (!json_string(e, &s))
			return false;
		(*out)[i++] = (char *)s;
	}
	return true;
}

/* ARRAY, an environment, into *OUT as read_strings() does: each entry
 * NAME=VALUE. One without '=' is no variable at all: environ(7) holds
 * "name=value" strings, and getenv(3) would never find it; "=x" has no
 * name, so nothing could ever look it up. */
static bool read_environment(const struct json *array, char ***out)
{
	if (!read_strings(array, out))
		return false;
	for (const struct json *e = array->child; e != NULL; e = e->next)
		if (e->text[0] == '=' || strchr(e->text, '=') == NULL) {
			json_fail(e, "expected NAME=VALUE");
			return false;
		}
	return true;
}

/* An id that setuid(2) and setgid(2) take: 32 bits, but not -1, which
 * to setresuid(2) means "leave this one as it is". */
static bool read_json_id(const struct json *node, uint32_t *out)
{
	uint64_t id;

	if (node == NULL)
		return false;
	if (!json_unsigned(node, UINT32_MAX - 1, &id))
		return false;
	*out = (uint32_t)id;
	return true;
}

/* PROCESS's user: uid and gid (REQUIRED), umask, additionalGids. */
static bool read_user(const struct json *process, struct process *p)
{
	const struct json *user = json_member(process, "user");
	const struct json *uid = json_member(user, "uid");
	const struct json *gid = json_member(user, "gid");
	const struct json *mask = json_member(user, "umask");
	const struct json *groups = json_member(user, "additionalGids");
	uint64_t value;
	size_t i = 0;

	if (user != NULL && !json_is(user, JSON_OBJECT))
		return false;
	if (user == NULL || uid == NULL || gid == NULL) {
		json_fail(user != NULL ? user : process,
			  "needs a user with a uid and a gid");
		return false;
	}
	if (!read_json_id(uid, &p->uid) || !read_json_id(gid, &p->gid))
		return false;
	/* -1: config.md leaves the umask as it is when none is given. */
	p->umask = -1;
	/* umask(2) keeps mask & 0777 of any value, as runc passes it. */
	if (mask != NULL) {
		if (!json_unsigned(mask, UINT32_MAX, &value))
			return false;
		p->umask = (int)(value & 0777);
	}
	if (groups == NULL)
		return true;
	if (!json_is(groups, JSON_ARRAY))
		return false;
	/* Counted first, so that too many fail before memory is taken. */
	for (const struct json *g = groups->child; g != NULL; g = g->next)
		p->group_count++;
	/* setgroups(2) fails with EINVAL past NGROUPS_MAX (65536). */
	if (p->group_count > NGROUPS_MAX) {
		json_fail(groups, "more than setgroups(2) takes, %d",
			  NGROUPS_MAX);
		return false;
	}
	/* One more, never 0: outside glibc, calloc(3) of 0 items may be
	 * NULL ("Nonportable behavior"), which would read as no memory. */
	p->groups = calloc(p->group_count + 1, sizeof(*p->groups));
	if (p->groups == NULL) {
		json_fail(groups, "out of memory");
		return false;
	}
	for (const struct json *g = groups->child; g != NULL; g = g->next)
		if (!read_json_id(g, &p->groups[i++]))
			return false;
	return true;
}

/* PROCESS's capabilities: five sets, each an array of names such as
 * CAP_CHOWN. A name this file does not know (one newer than
 * CAP_CHECKPOINT_RESTORE) is left out with a warning: config.md asks
 * for a warning, and says a runtime SHOULD NOT fail on capabilities it
 * cannot grant. A set that is not there stays empty. A name this file
 * knows but the running kernel lacks is found later, and warned of
 * the same way: drop_bounding_set() finds the kernel's last capability
 * by reading the bounding set (PR_CAPBSET_READ). */
static bool read_capabilities(const struct json *process,
			      struct process *p)
{
	const struct json *sets = json_member(process, "capabilities");

	if (sets == NULL)
		return true;
	if (!json_is(sets, JSON_OBJECT))
		return false;
	for (size_t s = 0; s < ARRAY_LEN(capability_sets); s++) {
		const struct json *set = json_member(sets, capability_sets[s]);

		if (set == NULL)
			continue;
		if (!json_is(set, JSON_ARRAY))
			return false;
		for (const struct json *n = set->child; n; n = n->next) {
			const char *name;
			int cap;

			if (!json_string(n, &name))
				return false;
			/* capabilities(7)'s spelling only: "CAP_" and
			 * capitals (find_capability() takes any case). */
			cap = -1;
			if (strncmp(name, "CAP_", 4) == 0 &&
			    strpbrk(name, "abcdefghijklmnopqrstuvwxyz") == NULL)
				cap = find_capability(name);
			if (cap >= 0) {
				p->capabilities[s] |= CAP_BIT(cap);
				continue;
			}
			json_fail(n, "no capability %s here: left out", name);
			fprintf(stderr, "container: warning: %s\n", json_error);
		}
	}
	return true;
}

/* PROCESS's rlimits: each a getrlimit(2) resource by name, with soft
 * and hard (uint64; RLIM_INFINITY is all 64 bits set). A name twice is
 * an error (config.md), and so is soft above hard, which setrlimit(2)
 * would refuse with EINVAL only once the container is half made. */
static bool read_rlimits(const struct json *process, struct process *p)
{
	const struct json *first;

	if (!json_first(process, "rlimits", JSON_ARRAY, &first))
		return false;
	for (const struct json *e = first; e != NULL; e = e->next) {
		const struct json *type = json_member(e, "type");
		const struct json *soft = json_member(e, "soft");
		const struct json *hard = json_member(e, "hard");
		const char *name;
		uint64_t cur, max;
		size_t i;

		if (!json_is(e, JSON_OBJECT))
			return false;
		if (type == NULL || soft == NULL || hard == NULL) {
			json_fail(e, "needs a type, a soft and a hard");
			return false;
		}
		if (!json_string(type, &name) ||
		    !json_unsigned(soft, UINT64_MAX, &cur) ||
		    !json_unsigned(hard, UINT64_MAX, &max))
			return false;
		for (i = 0; i < ARRAY_LEN(rlimit_names); i++)
			if (strcmp(name, rlimit_names[i].name) == 0)
				break;
		if (i == ARRAY_LEN(rlimit_names)) {
			json_fail(type, "%s is no limit of getrlimit(2)", name);
			return false;
		}
		/* A name once only: so at most ARRAY_LEN(rlimit_names)
		 * entries are kept, and p->rlimits cannot overflow. */
		for (size_t j = 0; j < p->rlimit_count; j++) {
			if (p->rlimits[j].resource != rlimit_names[i].resource)
				continue;
			json_fail(type, "%s is there twice", name);
			return false;
		}
		if (cur > max) {
			json_fail(soft, "above hard, %" PRIu64, max);
			return false;
		}
		p->rlimits[p->rlimit_count].resource = rlimit_names[i].resource;
		p->rlimits[p->rlimit_count].limit.rlim_cur = cur;
		p->rlimits[p->rlimit_count].limit.rlim_max = max;
		p->rlimit_count++;
	}
	return true;
}

/* PROCESS's security labels, apparmorProfile and selinuxLabel, kept
 * for the exec; an empty one asks for nothing. Whether the host has
 * that security module is for the step that applies them to say. */
static bool read_labels(const struct json *process, struct process *p)
{
	const struct json *apparmor = json_member(process, "apparmorProfile");
	const struct json *selinux = json_member(process, "selinuxLabel");

	if ((apparmor != NULL && !json_string(apparmor, &p->apparmor)) ||
	    (selinux != NULL && !json_string(selinux, &p->selinux)))
		return false;
	if (p->apparmor != NULL && p->apparmor[0] == '\0')
		p->apparmor = NULL;
	if (p->selinux != NULL && p->selinux[0] == '\0')
		p->selinux = NULL;
	return true;
}

/* PROCESS's consoleSize, the terminal's height and width, into P, as
 * TIOCSWINSZ will take them: a struct winsize of unsigned shorts
 * (ioctl_tty(2)). config.md: REQUIRED both, and ignored when there is
 * no terminal, so not even read then. */
static bool read_console_size(const struct json *process, struct process *p)
{
	const struct json *size = json_member(process, "consoleSize");
	const struct json *height = json_member(size, "height");
	const struct json *width = json_member(size, "width");
	uint64_t rows, columns;

	if (size == NULL || !p->terminal)
		return true;
	if (!json_is(size, JSON_OBJECT))
		return false;
	if (height == NULL || width == NULL) {
		json_fail(size, "needs height and width");
		return false;
	}
	if (!json_unsigned(height, USHRT_MAX, &rows) ||
	    !json_unsigned(width, USHRT_MAX, &columns))
		return false;
	p->rows = (unsigned short)rows;
	p->columns = (unsigned short)columns;
	return true;
}

/* The properties of a process that this runtime cannot apply: an
 * error if they are there (config.md, "Valid values"), where a runtime
 * that ignored them would run the command without what the engine
 * asked for. Each is one more system call on the way to the exec:
 * scheduler is sched_setattr(2)'s struct sched_attr, ioPriority is
 * ioprio_set(2)'s class and level, and execCPUAffinity (for exec
 * only) is sched_setaffinity(2)'s CPUs, before and after the move
 * into the container's cgroup. */
static bool refuse_unsupported(const struct json *process)
{
	static const char *const unsupported[] = {
		"scheduler", "ioPriority", "execCPUAffinity",
	};

	for (size_t i = 0; i < ARRAY_LEN(unsupported); i++) {
		const struct json *m = json_member(process, unsupported[i]);

		if (m == NULL)
			continue;
		json_fail(m, "this runtime cannot apply it");
		return false;
	}
	return true;
}

/* PROCESS's command: args, env and cwd, into P. config.md: args has
 * at least one entry, used as execvp's file; cwd is REQUIRED, and an
 * absolute path. */
static bool read_command(const struct json *process, struct process *p)
{
	const struct json *args = json_member(process, "args");
	const struct json *env = json_member(process, "env");
	const struct json *cwd = json_member(process, "cwd");

	if (args == NULL || cwd == NULL) {
		json_fail(process, "needs args and cwd");
		return false;
	}
	if (!read_strings(args, &p->argv))
		return false;
	/* An empty name is no file: the exec would fail, but only once
	 * the whole container is made. */
	if (p->argv[0] == NULL || p->argv[0][0] == '\0') {
		json_fail(args, "needs a command first");
		return false;
	}
	if (env != NULL && !read_environment(env, &p->env))
		return false;
	if (!json_string(cwd, &p->cwd))
		return false;
	if (p->cwd[0] != '/') {
		json_fail(cwd, "expected an absolute path");
		return false;
	}
	return true;
}

/* PROCESS, config.md's process object, into *P (zeroed first). False,
 * with json_error naming the value, if a value is missing, of the
 * wrong type or out of range, or asks for what this runtime cannot
 * do. Stage 10's exec reads one alone, from the file --process names. */
static bool read_process_object(const struct json *process,
				struct process *p)
{
	const struct json *terminal, *nnp, *oom;
	int64_t score;

	/* Zero is what a missing member means: config.md's terminal
	 * defaults to false, and without noNewPrivileges no_new_privs
	 * stays off. */
	memset(p, 0, sizeof(*p));
	if (!json_is(process, JSON_OBJECT) || !read_command(process, p))
		return false;
	terminal = json_member(process, "terminal");
	nnp = json_member(process, "noNewPrivileges");
	oom = json_member(process, "oomScoreAdj");
	if ((terminal != NULL && !json_boolean(terminal, &p->terminal)) ||
	    (nnp != NULL && !json_boolean(nnp, &p->no_new_privileges)))
		return false;
	/* proc(5): oom_score_adj runs from -1000 to 1000; the kernel
	 * refuses more with EINVAL, but only when limit_process() writes
	 * it, with the container half made. */
	if (oom != NULL) {
		if (!json_integer(oom, -1000, 1000, &score))
			return false;
		p->oom_score_adjusted = true;
		p->oom_score_adj = (int)score;
	}
	return read_user(process, p) && read_capabilities(process, p) &&
	       read_rlimits(process, p) && read_labels(process, p) &&
	       read_console_size(process, p) && refuse_unsupported(process);
}

/* CONFIG's process into *P, as read_process_object() reads it.
 * config.md makes process OPTIONAL, REQUIRED only when start is
 * called: without one, *P is a program-less process (argv NULL), root
 * with no capability, in "/". create makes that container, its init
 * waiting as that process, and start then fails, as runtime.md's start
 * MUST, and ends it (oci_child()). */
static bool read_process(const struct json *config, struct process *p)
{
	const struct json *process = json_member(config, "process");

	if (process == NULL) {
		memset(p, 0, sizeof(*p));
		p->cwd = "/";
		p->umask = -1;
		return true;
	}
	return read_process_object(process, p);
}

/* Free what read_process() allocated (not the strings: the tree's). */
static void free_process(struct process *p)
{
	free(p->argv);
	free(p->env);
	free(p->groups);
}

/* ------------------------------------------------------------------ */
/* Stage 10: the container config.json asks for                       */
/* ------------------------------------------------------------------ */

/* The rest of config.json that stages 1 to 6 have a step near:
 *
 *     config.json         the step that applies it             stage
 *     linux.namespaces    the CLONE_NEW* flags that stages 1 and
 *                         5 always set, here only those listed;
 *                         and join_namespaces(): setns(2) into
 *                         one with a path (podman hands over its
 *                         network namespace so)                  1, 5
 *     hostname            sethostname(2), as set_hostname() does 2
 *     domainname          setdomainname(2), in oci_child()       2
 *     root.path           pivot_into_rootfs(), once the path is
 *                         taken from the bundle when relative
 *                         (config.md)                            4
 *     root.readonly       make_paths_read_only(): a read-only
 *                         remount of the root, after pivot_root  4
 *     linux.uidMappings,  write_id_maps(): the same lines as
 *     linux.gidMappings   --uidmap and --gidmap                  5
 *     linux.sysctl        write_sysctls(): a write to
 *                         /proc/sys/NAME, with dots as slashes
 *                         (sysctl(8))                           10
 *     linux.resources     write_limits(): memory, cpu, pids and
 *                         blockIO's throttles become the lines
 *                         --memory, --cpus, --pids-limit and
 *                         --device-* write                       6
 *     linux.resources.    install_device_program() on the
 *     devices             cgroup (see struct device_list)       10
 *     mounts              mount_config(), each in order, inside
 *                         the new root as mount_volumes() mounts
 *                         each --volume                          4
 *     linux.rootfs-       set_up_root(): mount(2) of the root's
 *     Propagation         propagation, once every mount is made
 *                         private as make_mounts_private() does  4
 *     linux.maskedPaths,  mask_paths() and make_paths_read_only(),
 *     linux.readonlyPaths as mask_kernel_files() takes Docker's
 *                         lists, with the engine's               8
 *
 * Strings point into the tree. */

/* One entry of linux.resources.devices: may the container open, or
 * mknod(2), the device of type TYPE and these numbers? The words are
 * cgroup v1's devices.allow (Documentation/admin-guide/cgroup-v1/
 * devices.rst, "a *:* rwm"), which config-linux.md borrows. Cgroup v2
 * has no such file: its device controller is a BPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE that the runtime attaches to the cgroup,
 * and that the kernel asks, for each open and mknod, with the type,
 * the numbers and the access (cgroup-v2.rst, "Device controller").
 * The rules are that program's source: config-linux.md says they
 * apply in order, so a later rule overrides an earlier one for the
 * devices both name, as struct device_list says how. podman's config
 * has one rule, deny all, and counts on the runtime for the rest:
 * runc appends its own allow rules for the devices every container
 * needs (/dev/null, /dev/zero, /dev/tty, /dev/pts/N and their kin)
 * after the config's, and so does this runtime (default_devices). */
struct device_rule {
	bool allow;               /* allow: true, or false to deny */
	char type;                /* type: 'a' (all), 'b' or 'c' */
	int32_t major, minor;     /* major, minor: -1 for all */
	char access[4];           /* access: of "rwm", each letter once */
};

/* The devices config-linux.md ("Default Devices") says every container
 * has, whatever linux.devices lists, by their numbers in the kernel's
 * Documentation/admin-guide/devices.txt: the runtime adds rules that
 * allow them after the config's, as runc does, for podman's config
 * denies every device and counts on it. Unlike runc, no others: runc
 * adds mknod(2) of any device ("c *:* m", "b *:* m") and /dev/net/tun
 * too (libcontainer/specconv's AllowedDevices). So a config runc
 * takes may be refused here: under allow all, "deny c *:* m" is
 * undone by runc's own "allow c *:* m", and here it would keep
 * /dev/null's mknod denied by a wider exception (see below). */
static const struct {
	const char *path;
	int32_t major, minor;
} default_devices[] = {
	{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 },
	{ "/dev/tty", 5, 0 }, { "/dev/ptmx", 5, 2 },
	{ "/dev/pts/N", 136, -1 },     /* a terminal's other end (and
					  /dev/console, a bind of one);
					  the first of devpts's 8 majors */
};

/* The rules, applied in order as cgroup v1 applied them to its list
 * (Documentation/admin-guide/cgroup-v1/devices.rst), which is what
 * runc compiles for cgroup v2 too (its devices_emulator.go), so that
 * a config means what it meant under v1. The list is a default and
 * its exceptions:
 *
 *   - a rule of type a (every device, whatever its numbers and access
 *     say) sets the default and drops every exception: devcgroup_
 *     update_access() in the kernel's security/device_cgroup.c;
 *   - a rule against the default adds its access to the exception of
 *     its very type and numbers (a new one if there is none);
 *   - a rule with the default takes its access away from that exact
 *     exception, and no other. So "allow c *:* rwm" then "deny c 1:3
 *     rw" would leave 1:3 allowed under the wildcard: v1 said nothing
 *     then, and runc refuses such a rule ("cannot punch hole"), as
 *     this runtime does.
 *
 * An exception names a device by its type, and its numbers or -1 for
 * all. Under deny all, a device is allowed if one exception names it
 * with every access asked for: "c 1:* r" and "c *:3 w" together do not
 * give 1:3 "rw" (match_exception() in v1). Under allow all, it is
 * denied if one names it with any of the access asked for (match_
 * exception_partial(), in devcgroup_legacy_check_permission()): deny
 * "w" stops an open for read and write. Unlike runc's program, which
 * asks for all of it both ways (its devicefilter.go), and so lets such
 * an open through: json.bats shows v1's answer, in the kernel. */
struct device_list {
	bool allow;               /* what a device no exception names gets */
	int count;
	struct device_exception {
		char type;        /* 'b' or 'c' */
		int32_t major, minor; /* -1 for all */
		unsigned int access; /* BPF_DEVCG_ACC_*: m 1, r 2, w 4 */
	} e[MAX_DEVICE_RULES + ARRAY_LEN(default_devices)];
};

/* One of config.json's mounts, as mount_config() and finish_mount()
 * give it to mount(2) and mount_setattr(2) (stage 4's mount_volumes()
 * is their model: each made relative to the new root, never through a
 * symbolic link out of it). */
struct config_mount {
	const char *destination;  /* absolute, inside the root */
	const char *source;       /* a bind's path (relative: to the
				     bundle), or the name /proc/mounts
				     will show, such as "shm" */
	const char *type;         /* a filesystem, or NULL for a bind */
	unsigned long flags;      /* MS_* to set; MS_BIND, MS_REC */
	unsigned long cleared;    /* MS_* an option turned off again */
	unsigned long propagation; /* MS_SHARED, _SLAVE, _PRIVATE or
				     _UNBINDABLE, perhaps | MS_REC; or 0 */
	struct mount_attr tree;   /* the r- options: mount_setattr(2)
				     with AT_RECURSIVE, on the whole tree */
	char *data;               /* the filesystem's own options, joined
				     by commas (mount(2)'s data), or NULL */
};

/* config.md's hooks, in the order of a container's life: programs the
 * runtime runs at each step, each given the container's state as JSON
 * on its standard input (runtime.md, "State"). */
static const char *const hook_kinds[] = {
	"prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop",
};

/* One hook: a program, run as execv(3) runs PATH with ARGS. */
struct config_hook {
	const char *path;         /* absolute (config.md MUSTs it) */
	char **args;              /* args, NULL-ended; path alone if none
				     are given, never an empty argv */
	char **env;               /* env, NULL-ended, or NULL: an empty
				     one, unlike runc, whose hooks get
				     its own environment (startContainer
				     hooks, the container process's) */
	int timeout;              /* seconds before it is killed; 0: none */
};

/* One of linux.devices: a node the container MUST have, made with
 * mknod(2) or bound from the host's /dev (config-linux.md lets the
 * runtime choose; in a user namespace mknod(2) of a device is refused,
 * so there make_device_node() binds the host's node, a FIFO's too). */
struct config_device {
	const char *path;         /* absolute, inside the root */
	char type;                /* 'c', 'b', 'u' (unbuffered: a 'c'),
				     or 'p' (a FIFO) */
	uint32_t major, minor;    /* REQUIRED unless a FIFO */
	bool has_mode;            /* fileMode is there, */
	mode_t mode;              /*   its permission bits */
	uid_t uid;                /* uid and gid: 0 if not there */
	gid_t gid;
};

/* config-linux.md's kinds of namespace: linux.namespaces names each
 * at most once (read_namespaces()). */
#define NAMESPACE_KINDS 8

struct bundle_config {
	const char *root;         /* root.path: relative to the bundle */
	bool root_readonly;       /* root.readonly */
	const char *hostname;     /* hostname, or NULL: left as it is */
	const char *domainname;   /* domainname, or NULL */
	int namespace_count;      /* linux.namespaces, in order: */
	struct {
		int flag;         /* clone(2)'s CLONE_NEW* for its kind */
		const char *path; /* one to join with setns(2), or NULL
				     for a new one */
	} namespaces[NAMESPACE_KINDS];
	struct id_map uids;       /* linux.uidMappings, as stage 5 keeps */
	struct id_map gids;       /* linux.gidMappings    its --uidmap */
	const struct json *sysctl; /* linux.sysctl's first, checked */
	char time_offsets[96];    /* linux.timeOffsets, as lines of
				     timens_offsets, or "" */
	struct limits limits;     /* linux.resources, as stage 6 keeps
				     --memory and the rest */
	int device_rule_count;    /* linux.resources.devices, in order */
	struct device_rule device_rules[MAX_DEVICE_RULES];
	struct device_list device_list; /* those rules, and the default
					  devices', as cgroup v1 applied them */
	struct config_mount *mounts; /* mounts, in order: allocated */
	size_t mount_count;
	const struct json *annotations; /* annotations' first, checked */
	const struct json *masked; /* linux.maskedPaths' first, checked */
	const struct json *readonly; /* linux.readonlyPaths' first */
	unsigned long root_propagation; /* linux.rootfsPropagation, or 0 */
	struct config_device *devices; /* linux.devices: allocated */
	size_t device_count;
	const char *cgroups_path; /* linux.cgroupsPath, or NULL */
	struct config_hook *hooks[6]; /* hooks, by hook_kinds: allocated */
	size_t hook_count[6];
	struct sock_filter *seccomp; /* linux.seccomp's program, or NULL:
				       allocated */
	size_t seccomp_length;
	unsigned int seccomp_flags; /* seccomp(2)'s, from its flags */
};
_Static_assert(ARRAY_LEN(hook_kinds) ==
	       ARRAY_LEN(((struct bundle_config *)0)->hooks),
	       "a list for every kind of hook");

/* config-linux.md's namespace types, and the CLONE_NEW* flag of each
 * (clone(2), unshare(2)). */
static const struct { const char *type; int flag; } namespace_types[] = {
	{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS }, { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};
_Static_assert(ARRAY_LEN(namespace_types) ==
	       ARRAY_LEN(((struct bundle_config *)0)->namespaces),
	       "room for every kind once");

/* Where C's entry of kind FLAG is in c->namespaces, or -1: a kind the
 * config does not list is the runtime's own, shared (config-linux.md:
 * the container MUST inherit it). */
static int find_namespace(const struct bundle_config *c, int flag)
{
	for (int i = 0; i < c->namespace_count; i++)
		if (c->namespaces[i].flag == flag)
			return i;
	return -1;
}

/* LINUX's namespaces: each type at most once and each path absolute
 * (config-linux.md MUSTs both), each type one this runtime knows
 * (config.md, "Valid values": an unsupported value is an error). */
static bool read_namespaces(const struct json *linux_node,
			    struct bundle_config *c)
{
	const struct json *first;

	if (!json_first(linux_node, "namespaces", JSON_ARRAY, &first))
		return false;
	for (const struct json *e = first; e != NULL; e = e->next) {
		const struct json *type = json_member(e, "type");
		const struct json *path = json_member(e, "path");
		const char *name, *where = NULL;
		size_t i;

		if (!json_is(e, JSON_OBJECT))
			return false;
		if (type == NULL) {
			json_fail(e, "needs a type");
			return false;
		}
		if (!json_string(type, &name) ||
		    (path != NULL && !json_string(path, &where)))
			return false;
		for (i = 0; i < ARRAY_LEN(namespace_types); i++)
			if (strcmp(name, namespace_types[i].type) == 0)
				break;
		if (i == ARRAY_LEN(namespace_types)) {
			json_fail(type, "%s is no kind of namespace", name);
			return false;
		}
		if (find_namespace(c, namespace_types[i].flag) >= 0) {
			json_fail(type, "%s is there twice", name);
			return false;
		}
		/* That it names a namespace of this kind is for the join
		 * to check: join_namespaces() and join_pid_namespace() give
		 * setns(2) the kind as its nstype, and setns(2) refuses
		 * another (EINVAL). */
		if (where != NULL && where[0] != '/') {
			json_fail(path, "expected an absolute path");
			return false;
		}
		c->namespaces[c->namespace_count].flag =
			namespace_types[i].flag;
		c->namespaces[c->namespace_count++].path = where;
	}
	return true;
}

/* LINUX's uidMappings or gidMappings (NAME) into MAP: containerID,
 * hostID and size, each a uint32, as a line of uid_map takes them
 * (user_namespaces(7)). The kernel (map_write() in
 * kernel/user_namespace.c) refuses an id of 4294967295, which is
 * (u32)-1, the "no id" of its own, and a line of no ids or one that
 * runs past the last id; so does this, naming the line. Whether lines
 * overlap, map root and fit in a page is check_id_map()'s to say
 * (stage 5), as for --uidmap. */
static bool read_id_map(const struct json *linux_node, const char *name,
			struct id_map *map)
{
	const struct json *first;

	map->count = 0;
	if (!json_first(linux_node, name, JSON_ARRAY, &first))
		return false;
	for (const struct json *e = first; e != NULL; e = e->next) {
		const struct json *inside = json_member(e, "containerID");
		const struct json *outside = json_member(e, "hostID");
		const struct json *size = json_member(e, "size");
		uint64_t in, out, count;

		if (!json_is(e, JSON_OBJECT))
			return false;
		if (inside == NULL || outside == NULL || size == NULL) {
			json_fail(e, "needs containerID, hostID and size");
			return false;
		}
		if (!json_unsigned(inside, UINT32_MAX - 1, &in) ||
		    !json_unsigned(outside, UINT32_MAX - 1, &out) ||
		    !json_unsigned(size, UINT32_MAX, &count))
			return false;
		if (count == 0 || in + count > UINT32_MAX ||
		    out + count > UINT32_MAX) {
			json_fail(size, "%s", count == 0 ? "a line of no ids" :
				  "runs past the last id, 4294967294");
			return false;
		}
		if (map->count == MAX_ID_MAP_LINES) {
			json_fail(e->parent, "more lines than the kernel "
				  "takes, %d", MAX_ID_MAP_LINES);
			return false;
		}
		map->lines[map->count++] = (struct id_range){
			(unsigned int)in, (unsigned int)out,
			(unsigned int)count };
	}
	return true;
}

/* CONFIG's name NAME (hostname, domainname) into *OUT: one that
 * sethostname(2) or setdomainname(2) takes, at most HOST_NAME_MAX
 * bytes (64), and only with a uts namespace of the container's: a new
 * one, or one given by path, which it renames (a pod's containers share
 * their sandbox's). config.md allows more (the container's uts
 * namespace "may be the runtime UTS namespace"), and lets a runtime
 * choose which valid values it supports: this one refuses to rename the
 * host, as runc 1.1.5 does (its validator wants a uts namespace in the
 * config, new or joined). */
static bool read_uts_name(const struct json *config, const char *name,
			  const struct bundle_config *c, const char **out)
{
	const struct json *node = json_member(config, name);
	int uts;

	if (node == NULL)
		return true;
	if (!json_string(node, out))
		return false;
	/* Here, where the error can name the member: the kernel would
	 * refuse it in the child, once the namespaces are made, with a
	 * bare EINVAL (sethostname(2)). */
	if (strlen(*out) > HOST_NAME_MAX) {
		json_fail(node, "expected at most %d bytes", HOST_NAME_MAX);
		return false;
	}
	uts = find_namespace(c, CLONE_NEWUTS);
	if (uts < 0) {
		json_fail(node, "needs a uts namespace, or it would rename "
			  "the host");
		return false;
	}
	return true;
}

/* The sysctls a container may set, and the namespace each needs: the
 * lists podman's --sysctl documents (podman-run(1)), of parameters the
 * kernel keeps per network or ipc namespace. Others are refused: many
 * are the host's, whatever namespaces the container has, such as
 * kernel.core_pattern, which names the program that the host's kernel
 * runs, as root, for core dumps (core(5)). A name ending in '.' is a
 * prefix. */
static const struct { const char *name; int flag; } namespaced_sysctls[] = {
	{ "net.", CLONE_NEWNET }, { "fs.mqueue.", CLONE_NEWIPC },
	{ "kernel.msgmax", CLONE_NEWIPC }, { "kernel.msgmnb", CLONE_NEWIPC },
	{ "kernel.msgmni", CLONE_NEWIPC }, { "kernel.sem", CLONE_NEWIPC },
	{ "kernel.shmall", CLONE_NEWIPC }, { "kernel.shmmax", CLONE_NEWIPC },
	{ "kernel.shmmni", CLONE_NEWIPC },
	{ "kernel.shm_rmid_forced", CLONE_NEWIPC },
};

/* Under net. but the host's: they size the host's connection tracking
 * tables. Linux 6.18 here shows them read-only in any network
 * namespace but the host's (mode 0444); a kernel that did not would
 * let a container set the host's. */
static const char *const host_wide_sysctls[] = {
	"net.netfilter.nf_conntrack_max",
	"net.netfilter.nf_conntrack_expect_max",
	"net.netfilter.nf_conntrack_buckets",
};

/* Is NAME a sysctl name: words between single dots, each of
 * [A-Za-z0-9_-], or with a '/' between two such characters? sysctl(8)
 * makes the dots slashes to find the file under /proc/sys, and a '/'
 * a dot, for a name that holds one (net.ipv4.conf.eth0/100.forwarding
 * for the interface eth0.100; sysctl.d(5)). So no word can become "."
 * or "..", and the file stays under /proc/sys. */
static bool is_sysctl_name(const char *name)
{
	const char *word = "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
	char before = '.';

	for (const char *c = name; *c != '\0'; before = *c++) {
		char after = c[1];

		if (*c == '.' && (before == '.' || after == '\0'))
			return false;   /* an empty word */
		if (*c == '/' && (strchr(word, before) == NULL ||
				  after == '\0' || strchr(word, after) == NULL))
			return false;   /* a '/' not inside a word */
		if (*c != '.' && *c != '/' && strchr(word, *c) == NULL)
			return false;
	}
	return before != '.';   /* "" is no name */
}

/* LINUX's sysctl: an object of names and string values. Each name is
 * a sysctl name (is_sysctl_name()), one of namespaced_sysctls and none
 * of host_wide_sysctls, and the container has that namespace (new, or
 * joined: whether a joined one is the host's is for
 * check_sysctl_namespace() to say). write_proc_file() checks that the
 * file it opened is procfs's (fstatfs(2)): a mount can stand in
 * /proc/sys's place. */
static bool read_sysctl(const struct json *linux_node,
			struct bundle_config *c)
{
	if (!json_first(linux_node, "sysctl", JSON_OBJECT, &c->sysctl))
		return false;
	for (const struct json *e = c->sysctl; e != NULL; e = e->next) {
		const char *name = e->name, *value;
		bool allowed = false;
		int flag = 0;

		if (!json_string(e, &value))
			return false;
		if (!is_sysctl_name(name)) {
			json_fail(e, "is no sysctl name");
			return false;
		}
		/* Allowed only if the kernel keeps it per namespace: a
		 * name, or a prefix ending in '.' (all of net.),
		 * less the names under a prefix that are host-wide. */
		for (size_t i = 0; i < ARRAY_LEN(namespaced_sysctls); i++) {
			const char *known = namespaced_sysctls[i].name;
			size_t k = strlen(known);

			if (known[k - 1] == '.' ? strncmp(name, known, k) == 0 :
			    strcmp(name, known) == 0) {
				allowed = true;
				flag = namespaced_sysctls[i].flag;
			}
		}
		for (size_t i = 0; i < ARRAY_LEN(host_wide_sysctls); i++)
			if (strcmp(name, host_wide_sysctls[i]) == 0)
				allowed = false;
		if (!allowed) {
			json_fail(e, "not a sysctl a container may set: it "
				  "could be the host's");
			return false;
		}
		/* Per namespace, so one of its kind, new or joined, or
		 * the runtime's would be set: the host's, most likely. */
		if (find_namespace(c, flag) < 0) {
			json_fail(e, "needs %s namespace, or it would set "
				  "the host's", flag == CLONE_NEWNET ?
				  "a network" : "an ipc");
			return false;
		}
	}
	return true;
}

/* What linux.resources may ask for that no stage has a step for, and
 * why. NOTHING is the one value of each that asks for nothing beyond
 * what the kernel does anyway, as JSON (NULL: none does): a config may
 * say it, and any other value is refused (config.md, "Valid values"),
 * where a runtime that dropped it would run the container without a
 * limit the engine set. The files are cgroup-v2.rst's. */
static const struct {
	const char *path;         /* under linux.resources */
	const char *nothing;
	const char *why;
} unapplied_resources[] = {
	{ "memory.reservation", "-1", "it is memory.low, which no stage "
	  "sets" },
	{ "memory.kernel", "-1", "cgroup v2 has no kernel memory limit" },
	{ "memory.kernelTCP", "-1", "cgroup v2 has no TCP memory limit" },
	{ "memory.swappiness", NULL, "cgroup v2 has no swappiness of its "
	  "own" },
	{ "memory.disableOOMKiller", "false", "cgroup v2 cannot turn the "
	  "OOM killer off" },
	{ "memory.useHierarchy", "true", "cgroup v2 is always a "
	  "hierarchy" },
	{ "cpu.burst", "0", "it is cpu.max.burst, which no stage sets" },
	{ "cpu.realtimeRuntime", NULL, "no stage sets realtime time" },
	{ "cpu.realtimePeriod", NULL, "no stage sets realtime time" },
	{ "cpu.idle", "0", "it is cpu.idle, which no stage sets" },
	{ "blockIO.weight", "0", "it is io.weight, which no stage sets" },
	{ "blockIO.leafWeight", "0", "cgroup v2 has no leaf weight" },
	{ "blockIO.weightDevice", "[]", "it is io.weight, which no stage "
	  "sets" },
	{ "hugepageLimits", "[]", "no stage uses the hugetlb controller" },
	{ "network", NULL, "cgroup v2 has no net_cls or net_prio" },
	{ "rdma", "{}", "no stage uses the rdma controller" },
	{ "unified", "{}", "no stage writes cgroup files by name" },
};

/* Is NODE the value NOTHING, written as JSON: a number or a word as
 * it is, a string quoted, an empty array or object? */
static bool asks_nothing(const struct json *node, const char *nothing)
{
	if (nothing == NULL)
		return false;
	switch (node->type) {
	case JSON_BOOLEAN:
		return strcmp(nothing, node->truth ? "true" : "false") == 0;
	case JSON_NUMBER:       /* as written: "1024.0" is refused */
		return strcmp(nothing, node->text) == 0;
	case JSON_STRING:
		return node->text[0] == '\0' && strcmp(nothing, "\"\"") == 0;
	case JSON_ARRAY:
		return node->child == NULL && strcmp(nothing, "[]") == 0;
	case JSON_OBJECT:
		return node->child == NULL && strcmp(nothing, "{}") == 0;
	default:                /* null: engines leave an unset one out */
		return false;
	}
}

/* RESOURCES's members that ask for what no stage applies: refused,
 * naming the first, with the reason. */
static bool refuse_unapplied(const struct json *resources)
{
	for (size_t i = 0; i < ARRAY_LEN(unapplied_resources); i++) {
		const char *path = unapplied_resources[i].path;
		const char *dot = strchr(path, '.');
		const struct json *node = resources;
		char first[16];

		if (dot != NULL) {      /* "memory.kernel": two names */
			snprintf(first, sizeof(first), "%.*s",
				 (int)(dot - path), path);
			node = json_member(node, first);
			path = dot + 1;
		}
		node = json_member(node, path);
		if (node != NULL &&
		    !asks_nothing(node, unapplied_resources[i].nothing)) {
			json_fail(node, "this runtime cannot apply it: %s",
				  unapplied_resources[i].why);
			return false;
		}
	}
	return true;
}

/* PARENT's member NAME into *OBJECT: NULL if it is not there, and
 * false if it is there but no object. */
static bool json_object(const struct json *parent, const char *name,
			const struct json **object)
{
	*object = json_member(parent, name);
	return *object == NULL || json_is(*object, JSON_OBJECT);
}

/* RESOURCES's memory into L, as --memory and --memory-swap would set
 * it: limit, and swap, which counts memory plus swap as Docker's
 * option does, so that memory.swap.max gets the difference. -1 is no
 * limit. A limit with no swap leaves swap unlimited, as runc does:
 * the key is not there, so nothing limits it; unlike stage 6's
 * --memory alone, which allows none. A limit under 6 MiB is refused,
 * as --memory refuses it: it leaves no room to start a program. */
static bool read_memory(const struct json *resources, struct limits *l)
{
	const struct json *memory, *limit, *swap;
	int64_t bytes = -1, total = -1;

	if (!json_object(resources, "memory", &memory))
		return false;
	limit = json_member(memory, "limit");
	swap = json_member(memory, "swap");
	if ((limit != NULL && !json_integer(limit, -1, INT64_MAX, &bytes)) ||
	    (swap != NULL && !json_integer(swap, -1, INT64_MAX, &total)))
		return false;
	if (bytes >= 0 && (uint64_t)bytes < MIN_MEMORY_BYTES) {
		json_fail(limit, "expected 6 MiB (%llu) or more, room to start "
			  "a program; -1 is no limit", MIN_MEMORY_BYTES);
		return false;
	}
	if (bytes < 0 && total >= 0) {
		json_fail(swap, "counts memory plus swap: it needs a memory "
			  "limit");
		return false;
	}
	if (bytes < 0)
		return true;
	if (total >= 0 && total < bytes) {
		json_fail(swap, "counts memory plus swap: it cannot be less "
			  "than the limit, %" PRId64, bytes);
		return false;
	}
	l->any = true;
	l->memory_bytes = (unsigned long long)bytes;
	l->swap_unlimited = total < 0;
	if (total >= 0)
		l->swap_bytes = (unsigned long long)(total - bytes);
	return true;
}

/* CPU's shares into L's cpu.weight. Shares are cgroup v1's weight,
 * 2 to 262144, 1024 the weight of a new cgroup (NICE_0_LOAD, which
 * alloc_fair_sched_group() in kernel/sched/fair.c gives it); cgroup
 * v2's cpu.weight is 1 to 10000, 100 by default (cgroup-v2.rst). Only
 * the ratio between siblings counts, so the shares are scaled, 1024 to
 * 100, and held in that range: unlike runc, whose 1.1.5 maps 1024 to
 * 39 (1 + (shares - 2) * 9999 / 262142, ConvertCPUSharesToCgroupV2Value
 * in libcontainer/cgroups/utils.go), below a new sibling's 100, and
 * whose later versions fit a curve through 2, 1024 and 262144. 1024
 * itself, which `ctr run` writes unasked (its --cpu-shares default),
 * and 0, runc's "unset", ask for nothing: no file, no controller. */
static bool read_cpu_shares(const struct json *cpu, struct limits *l)
{
	const struct json *node = json_member(cpu, "shares");
	uint64_t shares = 0, weight;

	if (node == NULL)
		return true;
	if (!json_unsigned(node, 262144, &shares))
		return false;
	if (shares == 1) {
		json_fail(node, "the kernel's fewest shares are 2");
		return false;
	}
	if (shares == 0 || shares == 1024)
		return true;
	weight = (shares * 100 + 512) / 1024;
	l->cpu_weight = weight < 1 ? 1 : weight > 10000 ? 10000 : weight;
	l->any = true;
	return true;
}

/* CPU's member NAME, "cpus" or "mems", into *OUT: a list such as
 * "0-3,8" for cpuset.cpus or cpuset.mems (cgroup-v2.rst, "Cpuset"),
 * written as it is. The kernel checks each number; here only its
 * characters, so that a mistake is named by its path. "" is none. */
static bool read_cpuset(const struct json *cpu, const char *name,
			const char **out, bool *any)
{
	const struct json *node = json_member(cpu, name);
	const char *list = "";

	if (node == NULL)
		return true;
	if (!json_string(node, &list))
		return false;
	if (list[strspn(list, "0123456789,-")] != '\0') {
		json_fail(node, "expected a list such as 0-3,8");
		return false;
	}
	if (list[0] != '\0') {
		*out = list;
		*any = true;
	}
	return true;
}

/* RESOURCES's cpu into L's cpu.max: quota, microseconds of CPU time
 * per period, -1 for no limit. The kernel's smallest quota is 1 ms
 * (Documentation/scheduler/sched-bwc.rst, "Management"); its largest,
 * max_cfs_runtime in kernel/sched/core.c, is 2^44 - 1 microseconds,
 * some 203 days. Unlike --cpus, it may be more CPUs than this
 * machine has: the engine chose it. The period is stage 6's: podman's
 * --cpus writes that one, and a config with another is refused. Then
 * the shares and the cpuset. */
static bool read_cpu(const struct json *resources, struct limits *l)
{
	const struct json *cpu, *quota, *period;
	int64_t us = -1;
	uint64_t per = CPU_PERIOD_US;

	if (!json_object(resources, "cpu", &cpu))
		return false;
	quota = json_member(cpu, "quota");
	period = json_member(cpu, "period");
	if ((quota != NULL && !json_integer(quota, -1, MAX_CPU_QUOTA_US,
					   &us)) ||
	    (period != NULL && !json_unsigned(period, UINT64_MAX, &per)))
		return false;
	/* struct limits keeps a quota only: write_limits() writes
	 * cpu.max as "QUOTA 100000", whatever the config's period. */
	if (per != CPU_PERIOD_US) {
		json_fail(period, "this runtime's period is stage 6's, %lu "
			  "microseconds", CPU_PERIOD_US);
		return false;
	}
	if (us >= 0 && us < 1000) {
		json_fail(quota, "the kernel's smallest quota is 1000 "
			  "microseconds; -1 is no limit");
		return false;
	}
	if (us > 0) {
		l->any = true;
		l->cpu_quota_us = (unsigned long)us;
	}
	return read_cpu_shares(cpu, l) &&
	       read_cpuset(cpu, "cpus", &l->cpuset_cpus, &l->any) &&
	       read_cpuset(cpu, "mems", &l->cpuset_mems, &l->any);
}

/* RESOURCES's pids into L, as --pids-limit would set it: a limit of
 * 1 to the kernel's PID_MAX_LIMIT, or -1 for none. config-linux.md
 * says 0 SHOULD be a limit too (no process may fork); runc 1.1 took it
 * for no limit, and podman 4.3 writes it for --pids-limit 0; stage 6
 * keeps 0 as "no limit". So a 0 is refused rather than guessed at. */
static bool read_pids(const struct json *resources, struct limits *l)
{
	const struct json *pids, *limit;
	int64_t count = -1;

	if (!json_object(resources, "pids", &pids))
		return false;
	limit = json_member(pids, "limit");
	if (limit != NULL && !json_integer(limit, -1, MAX_PIDS, &count))
		return false;
	if (count == 0) {
		json_fail(limit, "0 is no limit to runc 1.1 and a limit of "
			  "0 to config-linux.md: give -1 for none (podman: "
			  "pids_limit = 0 in containers.conf)");
		return false;
	}
	if (count > 0) {
		l->any = true;
		l->pids = (unsigned long)count;
	}
	return true;
}

/* RESOURCES's blockIO throttles into L's io.max lines, as --device-*
 * would set them: each entry a disk's major and minor numbers and a
 * rate, of bytes or operations a second, 1 or more. The four lists
 * are io.max's four columns, in struct device_limit's order. Whether
 * each disk is there, and a whole disk, which io.max requires, is
 * left to the kernel: write_limits() writes the line, and the line of
 * a partition, or of no disk, is refused with ENODEV
 * (block/blk-cgroup.c); --device-* learns it sooner, from
 * parse_device_limit(). */
static bool read_throttles(const struct json *resources, struct limits *l)
{
	static const char *const lists[] = {
		"throttleReadBpsDevice", "throttleWriteBpsDevice",
		"throttleReadIOPSDevice", "throttleWriteIOPSDevice",
	};
	const struct json *block_io, *e;

	if (!json_object(resources, "blockIO", &block_io))
		return false;
	for (int which = 0; which < 4; which++) {
		if (!json_first(block_io, lists[which], JSON_ARRAY, &e))
			return false;
		for (; e != NULL; e = e->next) {
			const struct json *major = json_member(e, "major");
			const struct json *minor = json_member(e, "minor");
			const struct json *rate = json_member(e, "rate");
			struct device_limit *d;
			int64_t maj, min;
			uint64_t r;

			if (!json_is(e, JSON_OBJECT))
				return false;
			if (major == NULL || minor == NULL || rate == NULL) {
				json_fail(e, "needs major, minor and rate");
				return false;
			}
			if (!json_integer(major, 0, MAX_MAJOR, &maj) ||
			    !json_integer(minor, 0, MAX_MINOR, &min) ||
			    !json_unsigned(rate, UINT64_MAX, &r))
				return false;
			if (r == 0) {
				json_fail(rate, "expected 1 or more; leave the "
					  "disk out for no limit");
				return false;
			}
			d = device_limit_of(l, (unsigned int)maj,
					    (unsigned int)min);
			if (d == NULL) {
				json_fail(e, "limits for at most %d disks",
					  MAX_DEVICES);
				return false;
			}
			/* A disk twice in one list: io.max holds one
			 * rate of each kind for it, and one would be
			 * dropped. */
			if (strcmp(d->rate[which], "max") != 0) {
				json_fail(e, "%" PRId64 ":%" PRId64 " is there "
					  "twice", maj, min);
				return false;
			}
			l->any = true;
			snprintf(d->rate[which], sizeof(d->rate[which]),
				 "%" PRIu64, r);
		}
	}
	return true;
}

/* Is ACCESS some of r, w and m, each once? */
static bool is_device_access(const char *access)
{
	size_t length = strlen(access);

	return length >= 1 && length <= 3 &&
	       strspn(access, "rwm") == length &&
	       (length < 2 || access[0] != access[1]) &&
	       (length < 3 || (access[2] != access[0] &&
			       access[2] != access[1]));
}

/* ACCESS, some of "rwm", as BPF_DEVCG_ACC_* bits (linux/bpf.h). They
 * are cgroup v1's own (DEVCG_ACC_* in include/linux/device_cgroup.h):
 * the kernel hands a device program the very bits it checks v1's
 * list with, shifted 16 to the left (__cgroup_bpf_check_dev_permission()
 * in kernel/bpf/cgroup.c). */
static unsigned int access_bits(const char *access)
{
	return (strchr(access, 'm') ? BPF_DEVCG_ACC_MKNOD : 0) |
	       (strchr(access, 'r') ? BPF_DEVCG_ACC_READ : 0) |
	       (strchr(access, 'w') ? BPF_DEVCG_ACC_WRITE : 0);
}

/* BITS back as text, in "rwm" order, into OUT (4 bytes). */
static const char *access_text(unsigned int bits, char out[4])
{
	char *o = out;

	if (bits & BPF_DEVCG_ACC_READ)
		*o++ = 'r';
	if (bits & BPF_DEVCG_ACC_WRITE)
		*o++ = 'w';
	if (bits & BPF_DEVCG_ACC_MKNOD)
		*o++ = 'm';
	*o = '\0';
	return out;
}

/* The exception of L for exactly TYPE, MAJOR and MINOR, or -1. */
static int find_exception(const struct device_list *l, char type,
			  int32_t major, int32_t minor)
{
	for (int i = 0; i < l->count; i++)
		if (l->e[i].type == type && l->e[i].major == major &&
		    l->e[i].minor == minor)
			return i;
	return -1;
}

/* Apply R to L. Only a rule that would open a hole in a wider
 * exception fails: then -1, and in *WIDER that exception's index. */
static int apply_device_rule(struct device_list *l,
			     const struct device_rule *r, int *wider)
{
	unsigned int bits = access_bits(r->access);
	int i = find_exception(l, r->type, r->major, r->minor);
	/* The exceptions that would hold R's devices and more: any major
	 * with its minor, its major with any minor, any of its type. */
	const int32_t any = -1, majors[] = { any, r->major, any };
	const int32_t minors[] = { r->minor, any, any };

	if (r->type == 'a') {
		l->allow = r->allow;
		l->count = 0;
		return 0;
	}
	if (r->allow != l->allow) {             /* more of an exception */
		if (i < 0) {
			i = l->count++;
			l->e[i] = (struct device_exception){
				r->type, r->major, r->minor, 0 };
		}
		l->e[i].access |= bits;
		return 0;
	}
	/* With the default: R takes its access from its own exception,
	 * I, never from a wider one, which would open a hole in it. A
	 * rule with a * is among the three itself: that one is I. */
	for (size_t w = 0; w < ARRAY_LEN(majors); w++) {
		*wider = find_exception(l, r->type, majors[w], minors[w]);
		if (*wider >= 0 && *wider != i && (l->e[*wider].access & bits))
			return -1;
	}
	/* An exception with no access left is dropped, the rest kept in
	 * order. Order changes no answer: under one default, every
	 * exception says the same, the default's opposite. */
	if (i >= 0 && (l->e[i].access &= ~bits) == 0) {  /* none left */
		l->count--;
		memmove(&l->e[i], &l->e[i + 1],
			(size_t)(l->count - i) * sizeof(l->e[0]));
	}
	return 0;
}

/* Write exception E as devices.allow would take it: "c 136:* rw". */
static void exception_text(const struct device_exception *e, char *out,
			   size_t size)
{
	char major[12] = "*", minor[12] = "*", access[4];

	if (e->major >= 0)
		snprintf(major, sizeof(major), "%" PRId32, e->major);
	if (e->minor >= 0)
		snprintf(minor, sizeof(minor), "%" PRId32, e->minor);
	snprintf(out, size, "%c %s:%s %s", e->type, major, minor,
		 access_text(e->access, access));
}

/* After the config's rules (RULES, for an error to name), the default
 * devices' into C's list: refused, naming the rule, only if the
 * config's list denies one of them by a wider exception, which the
 * runtime could not take away without opening a hole in it. */
static bool allow_default_devices(const struct json *rules,
				  struct bundle_config *c)
{
	for (size_t d = 0; d < ARRAY_LEN(default_devices); d++) {
		/* "rwm", as runc's own rules for them say (AllowedDevices
		 * in its libcontainer/specconv/spec_linux.go). */
		struct device_rule r = { true, 'c', default_devices[d].major,
					 default_devices[d].minor, "rwm" };
		char text[64];
		int wider;

		if (apply_device_rule(&c->device_list, &r, &wider) < 0) {
			exception_text(&c->device_list.e[wider], text,
				       sizeof(text));
			json_fail(rules, "denies %s, which holds %s, a device "
				  "the runtime gives every container", text,
				  default_devices[d].path);
			return false;
		}
	}
	return true;
}

/* E's type, major, minor and access into RULE, E being one of
 * linux.resources.devices whose allow is read. type, major and minor
 * left out mean all (config-linux.md), as -1 does for the numbers in
 * runc's reading; a number past what the kernel's own dev_t holds can
 * match no device: 20 bits of minor, 12 of major (MINORBITS in the
 * kernel's source, include/linux/kdev_t.h; the copy in /usr/include
 * keeps the 8 and 8 of old, and glibc's dev_t is wider still). */
static bool read_device_match(const struct json *e, struct device_rule *rule)
{
	const struct json *type = json_member(e, "type");
	const struct json *major = json_member(e, "major");
	const struct json *minor = json_member(e, "minor");
	const struct json *access = json_member(e, "access");
	const char *t = "a", *a;
	int64_t maj = -1, min = -1;

	if ((type != NULL && !json_string(type, &t)) ||
	    (major != NULL && !json_integer(major, -1, MAX_MAJOR, &maj)) ||
	    (minor != NULL && !json_integer(minor, -1, MAX_MINOR, &min)) ||
	    !json_string(access, &a))
		return false;
	if (strlen(t) != 1 || strchr("abc", t[0]) == NULL) {
		json_fail(type, "expected a (all), b (block) or c (char)");
		return false;
	}
	if (!is_device_access(a)) {
		json_fail(access, "expected some of r, w and m, each once, "
			  "such as rwm");
		return false;
	}
	rule->type = t[0];
	rule->major = (int32_t)maj;
	rule->minor = (int32_t)min;
	strcpy(rule->access, a);  /* at most "rwm": is_device_access() */
	return true;
}

/* RESOURCES's devices into C's device rules, in order, and each into
 * C's device list as it is read, so that a refusal names the rule that
 * would open the hole. allow and access are REQUIRED: config-linux.md
 * makes access OPTIONAL but says nothing of what its absence means,
 * and runc refuses an empty one, so this does too. */
static bool read_device_rules(const struct json *resources,
			      struct bundle_config *c)
{
	const struct json *e;

	if (!json_first(resources, "devices", JSON_ARRAY, &e))
		return false;
	for (; e != NULL; e = e->next) {
		const struct json *allow = json_member(e, "allow");
		struct device_rule *rule;
		char text[64];
		int wider;

		if (!json_is(e, JSON_OBJECT))
			return false;
		if (allow == NULL || json_member(e, "access") == NULL) {
			json_fail(e, "needs allow and access");
			return false;
		}
		/* The list has room for so many, with the default
		 * devices' after them (struct device_list). */
		if (c->device_rule_count == MAX_DEVICE_RULES) {
			json_fail(e->parent, "more than %d rules",
				  MAX_DEVICE_RULES);
			return false;
		}
		rule = &c->device_rules[c->device_rule_count];
		if (!json_boolean(allow, &rule->allow) ||
		    !read_device_match(e, rule))
			return false;
		c->device_rule_count++;
		if (apply_device_rule(&c->device_list, rule, &wider) < 0) {
			exception_text(&c->device_list.e[wider], text,
				       sizeof(text));
			json_fail(e, "would open a hole in %s, which cgroup "
				  "v1's list could not, and runc refuses too",
				  text);
			return false;
		}
	}
	return true;
}

/* LINUX's resources into C: the limits stage 6 sets, and the device
 * rules; what no stage applies is refused. A member no reader looks
 * at, one a later runtime-spec may add, is ignored, as config.md
 * ("Extensibility") says an unknown property MUST be. So is
 * memory.checkBeforeUpdate: it asks something of an update of the
 * limits, a command (runc update) this runtime does not have. */
static bool read_resources(const struct json *linux_node,
			   struct bundle_config *c)
{
	const struct json *resources;

	if (!json_object(linux_node, "resources", &resources))
		return false;
	return resources == NULL ||
	       (refuse_unapplied(resources) &&
		read_memory(resources, &c->limits) &&
		read_cpu(resources, &c->limits) &&
		read_pids(resources, &c->limits) &&
		read_throttles(resources, &c->limits) &&
		read_device_rules(resources, c));
}

/* The device program: cgroup v2's device controller is no file but a
 * BPF program of type BPF_PROG_TYPE_CGROUP_DEVICE, attached to the
 * cgroup, that the kernel runs at each open(2) and mknod(2) of a
 * device by a process in it (Documentation/admin-guide/cgroup-v2.rst,
 * "Device controller"; devcgroup_check_permission() in the kernel's
 * security/device_cgroup.c). It is eBPF, not stage 8's classic BPF:
 * ten 64-bit registers to work in (R0 to R9, and R10, a frame
 * pointer), R1 pointing at the question on entry, R0 the answer at
 * exit: 1 allows, 0 refuses with EPERM. The question is struct
 * bpf_cgroup_dev_ctx (linux/bpf.h): three 32-bit words,
 *
 *     access_type   low 16 bits: BPF_DEVCG_DEV_BLOCK 1 or _CHAR 2;
 *                   high 16: BPF_DEVCG_ACC_MKNOD 1 | _READ 2 | _WRITE 4
 *     major, minor
 *
 * The program puts each part in a register, then asks each exception
 * in turn, and gives the default if none answered:
 *
 *     R2 = type   R3 = access   R4 = major   R5 = minor
 *     exception:  if R2 != its type            goto next
 *                 R0 = R3 & its access
 *     (allow one) if R0 != R3 (some not its)    goto next
 *     (deny one)  if R0 == 0 (none of it its)   goto next
 *                 if R4 != its major (unless *) goto next
 *                 if R5 != its minor (unless *) goto next
 *                 R0 = the opposite of the default; exit
 *     next: ...
 *     R0 = the default; exit
 *
 * The verifier (Documentation/bpf/verifier.rst) reads it before the
 * kernel takes it: every jump in reach, every register written before
 * it is read, R0 set at exit. This program only jumps forward.
 *
 * Its longest, for MAX_DEVICE_RULES and the 8 default devices, is 1096
 * steps: 8.6 KiB on install_device_program()'s stack, and far below
 * the kernel's limit for a caller with CAP_BPF, a million steps
 * (BPF_COMPLEXITY_LIMIT_INSNS in include/linux/bpf.h). */
#define DEVICE_PROGRAM_STEPS \
	(6 + 8 * ARRAY_LEN(((struct device_list *)0)->e) + 2)

/* One eBPF step (linux/bpf.h's struct bpf_insn). */
static struct bpf_insn ebpf(uint8_t code, uint8_t dst, uint8_t src,
			    int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst,
				  .src_reg = src, .off = off, .imm = imm };
}

/* L's program into OUT (DEVICE_PROGRAM_STEPS long); its length. */
static size_t device_program(const struct device_list *l,
			     struct bpf_insn *out)
{
	const uint8_t load = BPF_LDX | BPF_MEM | BPF_W, skip_if_not =
		BPF_JMP | BPF_JNE | BPF_K, mov = BPF_ALU | BPF_MOV | BPF_K;
	size_t n = 0;

	out[n++] = ebpf(load, 2, 1, 0, 0);                  /* R2 = type */
	out[n++] = ebpf(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xFFFF);
	out[n++] = ebpf(load, 3, 1, 0, 0);                  /* R3 = access */
	out[n++] = ebpf(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	out[n++] = ebpf(load, 4, 1, 4, 0);                  /* R4 = major */
	out[n++] = ebpf(load, 5, 1, 8, 0);                  /* R5 = minor */
	/* At most 8 steps an exception, as DEVICE_PROGRAM_STEPS counts
	 * them, so no jump goes more than 7 ahead: off's 16 bits hold
	 * it, whatever the number of exceptions. */
	for (int i = 0; i < l->count; i++) {
		const struct device_exception *e = &l->e[i];
		size_t start = n;

		out[n++] = ebpf(skip_if_not, 2, 0, 0, e->type == 'b' ?
				BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
		out[n++] = ebpf(BPF_ALU | BPF_MOV | BPF_X, 0, 3, 0, 0);
		out[n++] = ebpf(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0,
				(int32_t)e->access);
		out[n++] = l->allow ?
			ebpf(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0) :
			ebpf(BPF_JMP | BPF_JNE | BPF_X, 0, 3, 0, 0);
		if (e->major >= 0)
			out[n++] = ebpf(skip_if_not, 4, 0, 0, e->major);
		if (e->minor >= 0)
			out[n++] = ebpf(skip_if_not, 5, 0, 0, e->minor);
		out[n++] = ebpf(mov, 0, 0, 0, !l->allow);
		out[n++] = ebpf(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		/* Each "goto next" lands just past the exit: a jump's
		 * offset counts from the step after it. */
		for (size_t j = start; j < n; j++)
			if (BPF_CLASS(out[j].code) == BPF_JMP &&
			    BPF_OP(out[j].code) != BPF_EXIT)
				out[j].off = (int16_t)(n - j - 1);
	}
	out[n++] = ebpf(mov, 0, 0, 0, l->allow);
	out[n++] = ebpf(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return n;
}

/* Load C's device program and attach it to the cgroup whose directory
 * is open as CGROUP, with bpf(2) (its BPF_PROG_LOAD and
 * BPF_PROG_ATTACH). BPF_F_ALLOW_MULTI, as runc attaches it: a cgroup
 * below may attach programs of its own, and the kernel runs them all
 * and allows only what every one allows (linux/bpf.h's comment on the
 * attach flags; __cgroup_bpf_check_dev_permission() in the kernel's
 * kernel/bpf/cgroup.c). The license the kernel
 * asks for decides only which helper functions a program may call,
 * and this one calls none. 0, or -1 and errno. */
static int install_device_program(const struct bundle_config *c,
				  int cgroup)
{
	struct bpf_insn steps[DEVICE_PROGRAM_STEPS];
	union bpf_attr a;
	int program, attached, error;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insn_cnt = (uint32_t)device_program(&c->device_list, steps);
	a.insns = (uint64_t)(uintptr_t)steps;
	a.license = (uint64_t)(uintptr_t)"none";
	/* No log_buf: a program the verifier refuses comes back as EACCES
	 * or EINVAL alone; bpf(2) says to load it again with log_level 1
	 * and a log_buf to read why. EPERM: neither CAP_SYS_ADMIN nor
	 * CAP_BPF with CAP_NET_ADMIN, which bpf_prog_load()
	 * (kernel/bpf/syscall.c) asks for a cgroup device program. */
	program = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (program < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgroup;
	a.attach_bpf_fd = (uint32_t)program;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	attached = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a));
	error = errno;
	close(program);           /* the cgroup holds it now */
	errno = error;
	return attached;
}

/* The filesystems a mount may name: those stages 3 and 4 mount, and
 * the two the engines add (podman-run(1) and containerd's default
 * spec mount /dev/mqueue and /sys/fs/cgroup). A "cgroup" mount gets
 * cgroup2 (mount_config()), the one hierarchy this runtime knows. */
static const char *const mount_types[] = {
	"proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2",
};

/* config.md's Linux mount options, and what each does: a flag of
 * mount(2) set or cleared, a propagation (mount_namespaces(7)), or an
 * attribute of mount_setattr(2) set or cleared on the whole tree (the
 * options with a leading r, which config.md says need Linux 5.12). */
enum { SETS, CLEARS, PROPAGATES, TREE_SETS, TREE_CLEARS };
static const struct {
	const char *name;
	int does;
	unsigned long what;
} mount_options[] = {
	/* Nothing: mount(8)'s word for the usual (rw, suid, dev, exec,
	 * async), which is what leaving the flags unset gives. */
	{ "defaults", SETS, 0 },
	/* Read-only: a write fails with EROFS. */
	{ "ro", SETS, MS_RDONLY }, { "rw", CLEARS, MS_RDONLY },
	/* A program run from it gains nothing from its set-user-ID or
	 * set-group-ID bit, or its file capabilities. */
	{ "nosuid", SETS, MS_NOSUID }, { "suid", CLEARS, MS_NOSUID },
	/* Its device files cannot be opened: a device node an image
	 * brings along stays a name. */
	{ "nodev", SETS, MS_NODEV }, { "dev", CLEARS, MS_NODEV },
	/* No program on it can be executed. */
	{ "noexec", SETS, MS_NOEXEC }, { "exec", CLEARS, MS_NOEXEC },
	/* Writes reach the disk before the call returns, as if every file
	 * were opened with O_SYNC; dirsync, changes to directories only. */
	{ "sync", SETS, MS_SYNCHRONOUS }, { "async", CLEARS, MS_SYNCHRONOUS },
	{ "dirsync", SETS, MS_DIRSYNC },
	/* Change the flags of the mount already there, not mount again. */
	{ "remount", SETS, MS_REMOUNT },
	/* Mandatory locks, which Linux 5.15 deprecated (mount(2)). */
	{ "mand", SETS, MS_MANDLOCK }, { "nomand", CLEARS, MS_MANDLOCK },
	/* When reading a file updates its access time: never (noatime,
	 * or for directories nodiratime), only when the time is not newer
	 * than the last change or is a day old (relatime, the kernel's
	 * default since 2.6.30), or always (strictatime); lazytime keeps
	 * the times in memory and writes them out later, a day at most. */
	{ "noatime", SETS, MS_NOATIME }, { "atime", CLEARS, MS_NOATIME },
	{ "nodiratime", SETS, MS_NODIRATIME },
	{ "diratime", CLEARS, MS_NODIRATIME },
	{ "relatime", SETS, MS_RELATIME },
	{ "norelatime", CLEARS, MS_RELATIME },
	{ "strictatime", SETS, MS_STRICTATIME },
	{ "nostrictatime", CLEARS, MS_STRICTATIME },
	{ "lazytime", SETS, MS_LAZYTIME },
	{ "nolazytime", CLEARS, MS_LAZYTIME },
	/* A counter in each file that every change moves on (mount(8));
	 * fewer of the kernel's warnings in its log (mount(2)). */
	{ "iversion", SETS, MS_I_VERSION },
	{ "noiversion", CLEARS, MS_I_VERSION },
	{ "silent", SETS, MS_SILENT }, { "loud", CLEARS, MS_SILENT },
	/* A path through it follows no symbolic link (Linux 5.10 on). */
	{ "nosymfollow", SETS, MS_NOSYMFOLLOW },
	{ "symfollow", CLEARS, MS_NOSYMFOLLOW },
	/* A directory or file shown at a second place (stage 4's
	 * --volume); rbind brings the mounts below it too. */
	{ "bind", SETS, MS_BIND }, { "rbind", SETS, MS_BIND | MS_REC },
	/* Whether mounts made later below it appear at its peers: both
	 * ways (shared), from them only (slave), neither (private), and
	 * private that no bind mount may copy (unbindable). The r forms
	 * change every mount below it too (mount_namespaces(7)). */
	{ "shared", PROPAGATES, MS_SHARED },
	{ "rshared", PROPAGATES, MS_SHARED | MS_REC },
	{ "slave", PROPAGATES, MS_SLAVE },
	{ "rslave", PROPAGATES, MS_SLAVE | MS_REC },
	{ "private", PROPAGATES, MS_PRIVATE },
	{ "rprivate", PROPAGATES, MS_PRIVATE | MS_REC },
	{ "unbindable", PROPAGATES, MS_UNBINDABLE },
	{ "runbindable", PROPAGATES, MS_UNBINDABLE | MS_REC },
	/* The same settings as above, on the mount and every mount below
	 * it at once: mount(2)'s flags reach only the one mount, so that a
	 * read-only rbind of a tree that holds other mounts would leave
	 * them writable (mount_setattr(2), AT_RECURSIVE). */
	{ "rro", TREE_SETS, MOUNT_ATTR_RDONLY },
	{ "rrw", TREE_CLEARS, MOUNT_ATTR_RDONLY },
	{ "rnosuid", TREE_SETS, MOUNT_ATTR_NOSUID },
	{ "rsuid", TREE_CLEARS, MOUNT_ATTR_NOSUID },
	{ "rnodev", TREE_SETS, MOUNT_ATTR_NODEV },
	{ "rdev", TREE_CLEARS, MOUNT_ATTR_NODEV },
	{ "rnoexec", TREE_SETS, MOUNT_ATTR_NOEXEC },
	{ "rexec", TREE_CLEARS, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", TREE_SETS, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", TREE_CLEARS, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", TREE_SETS, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", TREE_CLEARS, MOUNT_ATTR_NOSYMFOLLOW },
};

/* Options config.md lists that this runtime has no step for: copying
 * a directory up into a tmpfs, idmapped mounts, and the access-time
 * rules on a whole tree. In mount_setattr(2) those are one setting of
 * three values (MOUNT_ATTR__ATIME, cleared before one is set), which
 * mount_options' set-or-clear bits cannot say. */
static const char *const unapplied_mount_options[] = {
	"tmpcopyup", "idmap", "ridmap", "ratime", "rnoatime", "rrelatime",
	"rnorelatime", "rstrictatime", "rnostrictatime",
};

/* What is_plain_path() asks of a path, as an error says it. */
static const char plain_path_rule[] = "with no word \".\", \"..\" or "
				      "empty (\"//\", a '/' at the end), "
				      "and no control character";

/* Is PATH free of "." and ".." and empty words ("a//b", "a/"), and of
 * control characters? The step that mounts resolves it inside the
 * root, word by word; a path that says what it means in more than one
 * way is refused rather than made sense of ("/./proc" is /proc, and
 * must meet /proc's rule; "/dev/null/" would be a second /dev/null). */
static bool is_plain_path(const char *path)
{
	const char *word = path;

	for (const char *c = path; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20)
			return false;
	while (*word != '\0') {
		size_t length = strcspn(word, "/");

		/* An empty word is a '/' after another; only the first
		 * word may be empty, before an absolute path's '/'. */
		if ((length == 1 && word[0] == '.') ||
		    (length == 2 && strncmp(word, "..", 2) == 0) ||
		    (length == 0 && word != path))
			return false;
		word += length;
		if (*word == '/' && *++word == '\0' && word - path > 1)
			return false;   /* a '/' at the end, but for "/" */
	}
	return true;
}

/* Is PATH on or below /proc/self, /proc/thread-self or /proc/PID, where
 * the files are the process's own: those the runtime writes its
 * AppArmor or SELinux label to (/proc/self/attr/exec) and its
 * oom_score_adj. Nothing may stand in their place, as a mount on /proc
 * may not (read_mount()). */
static bool is_process_file(const char *path)
{
	const char *word;
	size_t length;

	if (strncmp(path, "/proc/", 6) != 0)
		return false;
	word = path + 6;
	length = strcspn(word, "/");
	return (length == 4 && strncmp(word, "self", 4) == 0) ||
	       (length == 11 && strncmp(word, "thread-self", 11) == 0) ||
	       (length > 0 && strspn(word, "0123456789") == length);
}

/* Append OPTION to *DATA, after a comma if it holds some: the options
 * that are no flag of mount(2) are the filesystem's own, and go to it
 * as mount(2)'s last argument (config.md: a runtime SHOULD pass them
 * so). The kernel copies at most a page of them, 4096 bytes or more
 * (the smallest page Linux has); this takes 4096. */
static bool add_data(const struct json *node, char **data,
		     const char *option)
{
	size_t used = *data == NULL ? 0 : strlen(*data);
	size_t length = used + (used > 0) + strlen(option) + 1;
	char *more;

	if (length > 4096) {
		json_fail(node, "more of the filesystem's options than "
			  "mount(2) copies, a page of 4096 bytes");
		return false;
	}
	more = realloc(*data, length);
	if (more == NULL) {
		json_fail(node, "out of memory");
		return false;
	}
	snprintf(more + used, length - used, "%s%s", used > 0 ? "," : "",
		 option);
	*data = more;
	return true;
}

/* Option I of mount_options into M. Options apply in order: the later
 * of "ro" and "rw" wins, as in mount(8), so each takes its bit out of
 * the other's set. cleared is kept, not just flags: a bind takes its
 * source's flags, and its remount passes them again less those the
 * config turned off (finish_mount()). The tree's two sets are kept
 * apart for a like reason: mount_setattr(2) clears attr_clr, then
 * sets attr_set, so a bit in both would end set, whatever the order.
 * One propagation only: mount(2) fails if given more than one of
 * MS_SHARED, MS_PRIVATE, MS_SLAVE and MS_UNBINDABLE, so the last
 * named replaces the one before. */
static void apply_mount_option(struct config_mount *m, size_t i)
{
	unsigned long what = mount_options[i].what;

	switch (mount_options[i].does) {
	case SETS:
		m->flags |= what;
		m->cleared &= ~what;
		break;
	case CLEARS:
		m->flags &= ~what;
		m->cleared |= what;
		break;
	case PROPAGATES:
		m->propagation = what;
		break;
	case TREE_SETS:
		m->tree.attr_set |= what;
		m->tree.attr_clr &= ~what;
		break;
	case TREE_CLEARS:
		m->tree.attr_clr |= what;
		m->tree.attr_set &= ~what;
		break;
	}
}

/* OPTIONS, an array of strings, into M: flags, propagation, the tree's
 * attributes, and the rest as the filesystem's data. An option in
 * config.md's table that this runtime has no step for is refused, not
 * passed on as data: it is a value config.md knows and this runtime
 * does not support, which config.md ("Valid values") makes an error. */
static bool read_mount_options(const struct json *options,
			       struct config_mount *m)
{
	const struct json *e;

	if (options == NULL)
		return true;
	if (!json_is(options, JSON_ARRAY))
		return false;
	for (e = options->child; e != NULL; e = e->next) {
		const char *name;
		size_t i;

		if (!json_string(e, &name))
			return false;
		for (i = 0; i < ARRAY_LEN(unapplied_mount_options); i++)
			if (strcmp(name, unapplied_mount_options[i]) == 0) {
				json_fail(e, "this runtime cannot apply %s",
					  name);
				return false;
			}
		for (i = 0; i < ARRAY_LEN(mount_options); i++)
			if (strcmp(name, mount_options[i].name) == 0)
				break;
		if (i < ARRAY_LEN(mount_options)) {
			apply_mount_option(m, i);
			continue;
		}
		/* Not config.md's: the filesystem's own, such as tmpfs's
		 * size=64k, for mount(2)'s data, where a comma would
		 * smuggle in a second option that no one checked. */
		if (name[0] == '\0' || strchr(name, ',') != NULL) {
			json_fail(e, "expected one option, not a list");
			return false;
		}
		if (!add_data(e, &m->data, name))
			return false;
	}
	return true;
}

/* Is M's destination (DESTINATION, for an error to name) one a mount
 * may go on: never "/", which is root.path's, and never below /proc?
 * A mount there could stand in for the files the runtime writes the
 * container's own labels and limits to (/proc/self/attr/exec,
 * /proc/self/oom_score_adj): runc's CVE-2019-16884 was a volume on
 * /proc itself, a directory of the image's in procfs's place, that let
 * the image slip out of its AppArmor profile. Only a fresh procfs goes
 * on /proc. Checking the words is not enough against symbolic links,
 * which the step that mounts resolves inside the root (runc's
 * CVE-2019-19921 raced one there): this is the first line, not the
 * last. */
static bool check_mount_destination(const struct json *destination,
				    const struct config_mount *m)
{
	const char *d = m->destination + strspn(m->destination, "/");
	bool in_proc;

	/* A mount on the root would cover it all; config.md lets a
	 * destination be relative (to the root), so the '/' is not
	 * required, only a word below it. */
	if (*d == '\0' || !is_plain_path(m->destination)) {
		json_fail(destination, "expected a path below the root, %s",
			  plain_path_rule);
		return false;
	}
	/* D is the destination without its leading '/'s: in /proc if
	 * its first word is proc. */
	in_proc = strcspn(d, "/") == 4 && strncmp(d, "proc", 4) == 0;
	if (in_proc && ((d[4] == '/' && d[5] != '\0') ||
			m->type == NULL || strcmp(m->type, "proc") != 0 ||
			(m->flags & MS_BIND))) {
		json_fail(destination, "only a new proc may be mounted "
			  "there");
		return false;
	}
	return true;
}

/* Does M, one of NODE's mounts, say what to mount: a source to bind,
 * or a filesystem of mount_types (TYPE, for an error to name)? A bind
 * loses its type: mount(2) ignores a bind mount's type and data, and
 * its flags but MS_REC, so the mount gets its source's options, and a
 * read-only bind is a second step, a remount (finish_mount()). */
static bool check_mount_type(const struct json *node,
			     const struct json *type, struct config_mount *m)
{
	if (m->flags & MS_BIND) {
		m->type = NULL;   /* a dummy, often "none" (config.md) */
		if (m->source == NULL || m->source[0] == '\0') {
			json_fail(node, "a bind mount needs a source");
			return false;
		}
		return true;
	}
	for (size_t i = 0; m->type != NULL && i < ARRAY_LEN(mount_types); i++)
		if (strcmp(m->type, mount_types[i]) == 0)
			return true;
	json_fail(type != NULL ? type : node, "expected bind or rbind in "
		  "the options, or a type: proc, sysfs, tmpfs, devpts, "
		  "mqueue, cgroup or cgroup2");
	return false;
}

/* NODE, one of config.md's mounts, into M. destination is REQUIRED:
 * absolute, or relative to "/" (config.md keeps that for old
 * configurations, and calls it deprecated). A mount is a bind if its
 * options hold bind or rbind (config.md), whatever its type says. */
static bool read_mount(const struct json *node, struct config_mount *m)
{
	const struct json *destination = json_member(node, "destination");
	const struct json *source = json_member(node, "source");
	const struct json *type = json_member(node, "type");

	if (!json_is(node, JSON_OBJECT))
		return false;
	if (destination == NULL) {
		json_fail(node, "needs a destination");
		return false;
	}
	/* A mount's own id maps ask for an idmapped mount, whose files
	 * show other owners inside (mount_setattr(2), MOUNT_ATTR_IDMAP):
	 * no stage makes one. */
	if (json_member(node, "uidMappings") != NULL ||
	    json_member(node, "gidMappings") != NULL) {
		json_fail(node, "this runtime cannot apply idmapped mounts");
		return false;
	}
	if (!json_string(destination, &m->destination) ||
	    (source != NULL && !json_string(source, &m->source)) ||
	    (type != NULL && !json_string(type, &m->type)) ||
	    !read_mount_options(json_member(node, "options"), m))
		return false;
	/* The options first: they say whether it is a bind, which
	 * both checks need (only a new proc, no bind, goes on /proc). */
	return check_mount_destination(destination, m) &&
	       check_mount_type(node, type, m);
}

/* CONFIG's mounts into C's, in order: config.md says they MUST be
 * mounted in the order listed. */
static bool read_mounts(const struct json *config, struct bundle_config *c)
{
	const struct json *first;
	size_t count;

	if (!json_first(config, "mounts", JSON_ARRAY, &first))
		return false;
	c->mounts = json_new_array(config, first, sizeof(*c->mounts), &count);
	if (c->mounts == NULL)
		return false;
	/* Counted before it is read: a mount refused half-read may hold
	 * data already (add_data()), which free_bundle_config() frees. */
	for (const struct json *e = first; e != NULL; e = e->next)
		if (!read_mount(e, &c->mounts[c->mount_count++]))
			return false;
	return true;
}

/* LINUX's maskedPaths or readonlyPaths (NAME) into *FIRST, each path
 * absolute (config-linux.md MUSTs it) and plain. Stage 8's
 * mask_kernel_files() masks, or makes read-only, Docker's list so;
 * here the engine gives the lists, and mask_paths() and
 * make_paths_read_only() take the same steps. */
static bool read_paths(const struct json *linux_node, const char *name,
		       const struct json **first)
{
	if (!json_first(linux_node, name, JSON_ARRAY, first))
		return false;
	for (const struct json *e = *first; e != NULL; e = e->next) {
		const char *path;

		if (!json_string(e, &path))
			return false;
		if (path[0] != '/' || !is_plain_path(path)) {
			json_fail(e, "expected an absolute path, %s",
				  plain_path_rule);
			return false;
		}
		if (is_process_file(path)) {
			json_fail(e, "a process's own files, which the runtime "
				  "writes to, are not to be covered");
			return false;
		}
	}
	return true;
}

/* LINUX's rootfsPropagation into C: config-linux.md's four words, as
 * mount(2) flags for the root's mount, and, as runc takes them, each
 * with a leading r for the mounts below too (podman writes rslave when
 * a volume asks for it). Without one, the root stays private, as
 * make_mounts_private() leaves every mount (stage 4). slave and rslave
 * are set_up_root()'s first step instead, and both make every mount a
 * slave: a slave has to be made from a mount that is still shared
 * with the host's, before that step would make it private. (Unlike
 * runc 1.1.5, whose slave, without the r, makes / alone a slave.)
 * shared makes the root a peer group of its own, which, as
 * config-linux.md says, is no sharing with the host. */
static bool read_root_propagation(const struct json *linux_node,
				  struct bundle_config *c)
{
	static const struct { const char *name; unsigned long flag; }
	kinds[] = {
		{ "shared", MS_SHARED }, { "slave", MS_SLAVE },
		{ "private", MS_PRIVATE }, { "unbindable", MS_UNBINDABLE },
	};
	const struct json *node = json_member(linux_node,
					      "rootfsPropagation");
	const char *name;

	if (node == NULL)
		return true;
	if (!json_string(node, &name))
		return false;
	if (name[0] == '\0')   /* as runc takes it: not given */
		return true;
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		if (strcmp(name, kinds[i].name) == 0)
			c->root_propagation = kinds[i].flag;
		else if (name[0] == 'r' && strcmp(name + 1, kinds[i].name) == 0)
			c->root_propagation = kinds[i].flag | MS_REC;
	}
	if (c->root_propagation != 0)
		return true;
	json_fail(node, "expected shared, slave, private or unbindable, "
		  "perhaps with an r before");
	return false;
}

/* NODE, one hook, into H: path REQUIRED and absolute, args and env
 * arrays of strings, a timeout greater than zero if there is one
 * (config.md MUSTs both). */
static bool read_hook(const struct json *node, struct config_hook *h)
{
	const struct json *path = json_member(node, "path");
	const struct json *args = json_member(node, "args");
	const struct json *env = json_member(node, "env");
	const struct json *timeout = json_member(node, "timeout");
	int64_t seconds = 0;

	if (!json_is(node, JSON_OBJECT))
		return false;
	if (path == NULL) {
		json_fail(node, "needs a path");
		return false;
	}
	if (!json_string(path, &h->path) ||
	    (args != NULL && !read_strings(args, &h->args)) ||
	    (env != NULL && !read_environment(env, &h->env)) ||
	    (timeout != NULL && !json_integer(timeout, 1, INT32_MAX,
					      &seconds)))
		return false;
	if (h->path[0] != '/') {
		json_fail(path, "expected an absolute path");
		return false;
	}
	/* No argv[0] at all is what let pkexec read its environment as its
	 * arguments (CVE-2021-4034): a hook without args gets its path. */
	if (h->args == NULL || h->args[0] == NULL) {
		free(h->args);
		h->args = calloc(2, sizeof(*h->args));
		if (h->args == NULL) {
			json_fail(node, "out of memory");
			return false;
		}
		h->args[0] = (char *)h->path;
	}
	h->timeout = (int)seconds;
	return true;
}

/* CONFIG's hooks into C's, kind by kind, each in order (config.md:
 * hooks MUST be called in the listed order). */
static bool read_hooks(const struct json *config, struct bundle_config *c)
{
	const struct json *hooks = json_member(config, "hooks");

	if (hooks != NULL && !json_is(hooks, JSON_OBJECT))
		return false;
	for (size_t k = 0; k < ARRAY_LEN(hook_kinds); k++) {
		const struct json *first;
		size_t count;

		if (!json_first(hooks, hook_kinds[k], JSON_ARRAY, &first))
			return false;
		c->hooks[k] = json_new_array(hooks, first,
					     sizeof(*c->hooks[k]), &count);
		if (c->hooks[k] == NULL)
			return false;
		/* Counted once read: a hook refused is never run, not
		 * even by the exit handler of a create that fails. */
		for (const struct json *e = first; e != NULL; e = e->next) {
			if (!read_hook(e, &c->hooks[k][c->hook_count[k]]))
				return false;
			c->hook_count[k]++;
		}
	}
	return true;
}

/* The S_IF bits of a file of device TYPE (inode(7), "The file type
 * and mode"): what stat(2) shows of it in st_mode, above 07777. */
static uint64_t device_type_bits(char type)
{
	return type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
}

/* NODE's numbers into D, a device of TYPE: major and minor, which
 * config-linux.md makes REQUIRED but for a FIFO (type p, a named pipe,
 * fifo(7), which mknod(2) makes with no numbers: it ignores dev for any
 * file but a character or block device), the owner's uid and gid, and
 * fileMode, whole, into *BITS, for check_device_mode() to judge. JSON
 * has no octal: the usual 0666 is written 438, which config-linux.md's
 * note ("a decimal (not an octal) number") warns of. With no fileMode
 * the node is made 0666 (make_device_node()), as runc makes it. */
static bool read_device_numbers(const struct json *node, char type,
				struct config_device *d, uint64_t *bits)
{
	const struct json *major = json_member(node, "major");
	const struct json *minor = json_member(node, "minor");
	const struct json *mode = json_member(node, "fileMode");
	const struct json *uid = json_member(node, "uid");
	const struct json *gid = json_member(node, "gid");
	int64_t maj = 0, min = 0;

	*bits = 0;
	if (type != 'p' && (major == NULL || minor == NULL)) {
		json_fail(node, "needs major and minor: it is no FIFO");
		return false;
	}
	if ((major != NULL && !json_integer(major, 0, MAX_MAJOR, &maj)) ||
	    (minor != NULL && !json_integer(minor, 0, MAX_MINOR, &min)) ||
	    (mode != NULL && !json_unsigned(mode, UINT32_MAX, bits)) ||
	    (uid != NULL && !read_json_id(uid, &d->uid)) ||
	    (gid != NULL && !read_json_id(gid, &d->gid)))
		return false;
	d->major = (uint32_t)maj;
	d->minor = (uint32_t)min;
	d->has_mode = mode != NULL;
	d->mode = (mode_t)(*bits & 07777);
	return true;
}

/* Is TEXT, a device's path (PATH in config.json), one a node can be
 * made on? config-linux.md lets it be anywhere in the container, not
 * only in /dev, so the rules are those of any path in the root. A
 * node on / would stand in for the root itself, and a word such as
 * ".." could resolve out of it: refused however it resolves. Nothing
 * goes in /proc either, where read_mount() lets only a new proc be
 * mounted: set_up_root() makes the config's mounts before its nodes,
 * so a node there would go into that proc, not into the rootfs. */
static bool check_device_path(const struct json *path, const char *text)
{
	if (text[0] != '/' || text[1] == '\0' || !is_plain_path(text)) {
		json_fail(path, "expected an absolute path below the root, "
			  "%s", plain_path_rule);
		return false;
	}
	if (strncmp(text, "/proc", 5) == 0 &&
	    (text[5] == '\0' || text[5] == '/')) {
		json_fail(path, "only a new proc goes on /proc, and nothing "
			  "in it");
		return false;
	}
	return true;
}

/* Is BITS, the fileMode MODE of a device of TYPE read whole, a mode
 * the node can be made with? runc keeps fileMode's permission bits
 * and drops the type bits (its createDevices()); the type's own S_IF
 * bits are taken here too, and another type's refused: they would
 * contradict type. A missing fileMode (MODE NULL) reads as 0. */
static bool check_device_mode(const struct json *mode, char type,
			      uint64_t bits)
{
	if ((bits & ~(uint64_t)07777) != 0 &&
	    (bits & ~(uint64_t)07777) != device_type_bits(type)) {
		json_fail(mode, "expected permission bits (07777), perhaps "
			  "with the S_IF bits of its type (inode(7))");
		return false;
	}
	return true;
}

/* NODE, one of linux.devices, into C's next device: its path
 * absolute and plain, a type of mknod(1)'s, the numbers (but for a
 * FIFO), and fileMode's permission bits; fileMode may hold the type's
 * own S_IF bits too, but never another type's. These run before the
 * container's process is cloned, so a config that fails one starts
 * none. (A few checks can only run in the child: the program, the
 * cwd, and that a host's node bound in is the device named; a failure
 * there ends create, whose handler removes all it made.) */
static bool read_device(const struct json *node, struct bundle_config *c)
{
	const struct json *path = json_member(node, "path");
	const struct json *type = json_member(node, "type");
	struct config_device *d = &c->devices[c->device_count];
	uint64_t bits;
	const char *t;

	if (!json_is(node, JSON_OBJECT))
		return false;
	if (path == NULL || type == NULL) {
		json_fail(node, "needs a path and a type");
		return false;
	}
	if (!json_string(path, &d->path) || !json_string(type, &t))
		return false;
	/* mknod(1)'s letters: c and u (unbuffered) both make a character
	 * device, b a block device, p a FIFO. */
	if (strlen(t) != 1 || strchr("cbup", t[0]) == NULL) {
		json_fail(type, "expected c, b, u or p");
		return false;
	}
	if (!read_device_numbers(node, t[0], d, &bits) ||
	    !check_device_path(path, d->path) ||
	    !check_device_mode(json_member(node, "fileMode"), t[0], bits))
		return false;
	/* Two nodes on one path cannot both be made (mknod(2): EEXIST):
	 * refused now, before anything is. */
	for (size_t i = 0; i < c->device_count; i++)
		if (strcmp(c->devices[i].path, d->path) == 0) {
			json_fail(path, "%s is there twice", d->path);
			return false;
		}
	d->type = t[0];
	c->device_count++;
	return true;
}

/* LINUX's devices into C's, at most MAX_DEVICE_NODES. The same
 * numbers twice is allowed (a SHOULD NOT in config-linux.md), the same
 * path twice is refused: the second would stand on the first. */
static bool read_devices(const struct json *linux_node,
			 struct bundle_config *c)
{
	const struct json *first;
	size_t count;

	if (!json_first(linux_node, "devices", JSON_ARRAY, &first))
		return false;
	c->devices = json_new_array(linux_node, first, sizeof(*c->devices),
				    &count);
	if (c->devices == NULL)
		return false;
	if (count > MAX_DEVICE_NODES) {
		json_fail(first->parent, "more than %d devices",
			  MAX_DEVICE_NODES);
		return false;
	}
	for (const struct json *e = first; e != NULL; e = e->next)
		if (!read_device(e, c))
			return false;
	return true;
}

/* LINUX's cgroupsPath into C: where the container's cgroup goes, under
 * the cgroup2 mount (absolute), or under this runtime's own parent,
 * container.c-oci/ (relative); config-linux.md leaves the second to
 * the runtime. Its words are plain (is_plain_path()). It may name a
 * cgroup that is there already, even a host service's: the
 * specification lets a config join one ("to run a new process in an
 * existing container"); make_oci_cgroup() refuses that, so that it
 * limits, kills and removes only a cgroup this runtime made. A name
 * with a colon is systemd's "slice:prefix:name", which the engines
 * write when systemd keeps their cgroups: this runtime makes its
 * cgroups itself, as podman's --cgroup-manager cgroupfs asks. */
static bool read_cgroups_path(const struct json *linux_node,
			      struct bundle_config *c)
{
	const struct json *node = json_member(linux_node, "cgroupsPath");

	if (node == NULL)
		return true;
	if (!json_string(node, &c->cgroups_path))
		return false;
	if (strchr(c->cgroups_path, ':') != NULL) {
		json_fail(node, "a systemd unit: this runtime makes its "
			  "cgroups itself (podman --cgroup-manager "
			  "cgroupfs)");
		return false;
	}
	if (c->cgroups_path[strspn(c->cgroups_path, "/")] == '\0') {
		json_fail(node, "expected a cgroup below the root one");
		return false;
	}
	if (!is_plain_path(c->cgroups_path)) {
		json_fail(node, "expected a cgroup's path, %s",
			  plain_path_rule);
		return false;
	}
	return true;
}

/* linux.seccomp: a profile of system calls, which stage 10 turns into
 * a seccomp program like stage 8's (install_seccomp_filter() explains
 * the program and its instructions), but written from the config's
 * rules instead of a fixed list. config-linux.md takes its words from
 * libseccomp, the library runc and crun build their programs with:
 *
 *     defaultAction     what a call no rule matches gets
 *     syscalls[]        rules: names, an action, and perhaps args,
 *                       comparisons that must all hold for it to
 *                       match (args[0] > 5 and args[1] == 0, say)
 *     architectures     whose calling conventions the profile means
 *     flags             seccomp(2)'s SECCOMP_FILTER_FLAG_*
 *
 * A profile names calls; the kernel's filter sees numbers, and each
 * architecture numbers its calls its own way. So the names are looked
 * up in this architecture's table, below, and a name that is not in it
 * is mostly skipped, as runc and crun skip it: profiles list the calls
 * of every architecture at once (podman's names 32-bit x86's
 * socketcall, which x86_64 does not have). read_seccomp_rule() says
 * when such a name is refused instead. */
#if !defined(__x86_64__)
#error "stage 10 knows x86_64's system call names only"
#endif

/* Every system call x86_64 has, by its name in the kernel headers
 * (the __NR_ constants of asm/unistd_64.h, which <sys/syscall.h>
 * includes), in strcmp(3)'s order, so that bsearch(3) finds a name.
 * tests/json.bats checks the list against the headers it is built
 * with. A call newer than the headers is not here: a profile's rule
 * for it is skipped, and the call gets the default action, unless
 * that would let through a call the rule refuses (read_seccomp_rule()
 * then refuses the profile). */
#define N(call) { #call, __NR_##call }
static const struct syscall_name {
	const char *name;
	int number;
} syscall_names[] = {
	N(_sysctl), N(accept), N(accept4), N(access), N(acct), N(add_key),
	N(adjtimex), N(afs_syscall), N(alarm), N(arch_prctl), N(bind), N(bpf),
	N(brk), N(capget), N(capset), N(chdir), N(chmod), N(chown), N(chroot),
	N(clock_adjtime), N(clock_getres), N(clock_gettime),
	N(clock_nanosleep), N(clock_settime), N(clone), N(clone3), N(close),
	N(close_range), N(connect), N(copy_file_range), N(creat),
	N(create_module), N(delete_module), N(dup), N(dup2), N(dup3),
	N(epoll_create), N(epoll_create1), N(epoll_ctl), N(epoll_ctl_old),
	N(epoll_pwait), N(epoll_pwait2), N(epoll_wait), N(epoll_wait_old),
	N(eventfd), N(eventfd2), N(execve), N(execveat), N(exit),
	N(exit_group), N(faccessat), N(faccessat2), N(fadvise64),
	N(fallocate), N(fanotify_init), N(fanotify_mark), N(fchdir),
	N(fchmod), N(fchmodat), N(fchown), N(fchownat), N(fcntl),
	N(fdatasync), N(fgetxattr), N(finit_module), N(flistxattr), N(flock),
	N(fork), N(fremovexattr), N(fsconfig), N(fsetxattr), N(fsmount),
	N(fsopen), N(fspick), N(fstat), N(fstatfs), N(fsync), N(ftruncate),
	N(futex), N(futex_waitv), N(futimesat), N(get_kernel_syms),
	N(get_mempolicy), N(get_robust_list), N(get_thread_area), N(getcpu),
	N(getcwd), N(getdents), N(getdents64), N(getegid), N(geteuid),
	N(getgid), N(getgroups), N(getitimer), N(getpeername), N(getpgid),
	N(getpgrp), N(getpid), N(getpmsg), N(getppid), N(getpriority),
	N(getrandom), N(getresgid), N(getresuid), N(getrlimit), N(getrusage),
	N(getsid), N(getsockname), N(getsockopt), N(gettid), N(gettimeofday),
	N(getuid), N(getxattr), N(init_module), N(inotify_add_watch),
	N(inotify_init), N(inotify_init1), N(inotify_rm_watch), N(io_cancel),
	N(io_destroy), N(io_getevents), N(io_pgetevents), N(io_setup),
	N(io_submit), N(io_uring_enter), N(io_uring_register),
	N(io_uring_setup), N(ioctl), N(ioperm), N(iopl), N(ioprio_get),
	N(ioprio_set), N(kcmp), N(kexec_file_load), N(kexec_load), N(keyctl),
	N(kill), N(landlock_add_rule), N(landlock_create_ruleset),
	N(landlock_restrict_self), N(lchown), N(lgetxattr), N(link),
	N(linkat), N(listen), N(listxattr), N(llistxattr), N(lookup_dcookie),
	N(lremovexattr), N(lseek), N(lsetxattr), N(lstat), N(madvise),
	N(mbind), N(membarrier), N(memfd_create), N(memfd_secret),
	N(migrate_pages), N(mincore), N(mkdir), N(mkdirat), N(mknod),
	N(mknodat), N(mlock), N(mlock2), N(mlockall), N(mmap), N(modify_ldt),
	N(mount), N(mount_setattr), N(move_mount), N(move_pages), N(mprotect),
	N(mq_getsetattr), N(mq_notify), N(mq_open), N(mq_timedreceive),
	N(mq_timedsend), N(mq_unlink), N(mremap), N(msgctl), N(msgget),
	N(msgrcv), N(msgsnd), N(msync), N(munlock), N(munlockall), N(munmap),
	N(name_to_handle_at), N(nanosleep), N(newfstatat), N(nfsservctl),
	N(open), N(open_by_handle_at), N(open_tree), N(openat), N(openat2),
	N(pause), N(perf_event_open), N(personality), N(pidfd_getfd),
	N(pidfd_open), N(pidfd_send_signal), N(pipe), N(pipe2), N(pivot_root),
	N(pkey_alloc), N(pkey_free), N(pkey_mprotect), N(poll), N(ppoll),
	N(prctl), N(pread64), N(preadv), N(preadv2), N(prlimit64),
	N(process_madvise), N(process_mrelease), N(process_vm_readv),
	N(process_vm_writev), N(pselect6), N(ptrace), N(putpmsg), N(pwrite64),
	N(pwritev), N(pwritev2), N(query_module), N(quotactl), N(quotactl_fd),
	N(read), N(readahead), N(readlink), N(readlinkat), N(readv),
	N(reboot), N(recvfrom), N(recvmmsg), N(recvmsg), N(remap_file_pages),
	N(removexattr), N(rename), N(renameat), N(renameat2), N(request_key),
	N(restart_syscall), N(rmdir), N(rseq), N(rt_sigaction),
	N(rt_sigpending), N(rt_sigprocmask), N(rt_sigqueueinfo),
	N(rt_sigreturn), N(rt_sigsuspend), N(rt_sigtimedwait),
	N(rt_tgsigqueueinfo), N(sched_get_priority_max),
	N(sched_get_priority_min), N(sched_getaffinity), N(sched_getattr),
	N(sched_getparam), N(sched_getscheduler), N(sched_rr_get_interval),
	N(sched_setaffinity), N(sched_setattr), N(sched_setparam),
	N(sched_setscheduler), N(sched_yield), N(seccomp), N(security),
	N(select), N(semctl), N(semget), N(semop), N(semtimedop), N(sendfile),
	N(sendmmsg), N(sendmsg), N(sendto), N(set_mempolicy),
	N(set_mempolicy_home_node), N(set_robust_list), N(set_thread_area),
	N(set_tid_address), N(setdomainname), N(setfsgid), N(setfsuid),
	N(setgid), N(setgroups), N(sethostname), N(setitimer), N(setns),
	N(setpgid), N(setpriority), N(setregid), N(setresgid), N(setresuid),
	N(setreuid), N(setrlimit), N(setsid), N(setsockopt), N(settimeofday),
	N(setuid), N(setxattr), N(shmat), N(shmctl), N(shmdt), N(shmget),
	N(shutdown), N(sigaltstack), N(signalfd), N(signalfd4), N(socket),
	N(socketpair), N(splice), N(stat), N(statfs), N(statx), N(swapoff),
	N(swapon), N(symlink), N(symlinkat), N(sync), N(sync_file_range),
	N(syncfs), N(sysfs), N(sysinfo), N(syslog), N(tee), N(tgkill),
	N(time), N(timer_create), N(timer_delete), N(timer_getoverrun),
	N(timer_gettime), N(timer_settime), N(timerfd_create),
	N(timerfd_gettime), N(timerfd_settime), N(times), N(tkill),
	N(truncate), N(tuxcall), N(umask), N(umount2), N(uname), N(unlink),
	N(unlinkat), N(unshare), N(uselib), N(userfaultfd), N(ustat),
	N(utime), N(utimensat), N(utimes), N(vfork), N(vhangup), N(vmsplice),
	N(vserver), N(wait4), N(waitid), N(write), N(writev)
};
#undef N

/* bsearch(3)'s comparison: KEY is the name looked for, ENTRY a row of
 * syscall_names. The sign strcmp(3) gives says which half of the rows
 * left the name must be in: of some 360 names, nine comparisons at
 * most find one. */
static int compare_syscall_names(const void *key, const void *entry)
{
	return strcmp(key, ((const struct syscall_name *)entry)->name);
}

/* NAME's number on this architecture, or -1 if it has none. */
static int syscall_number(const char *name)
{
	const struct syscall_name *found =
		bsearch(name, syscall_names, ARRAY_LEN(syscall_names),
			sizeof(syscall_names[0]), compare_syscall_names);

	return found != NULL ? found->number : -1;
}

/* The actions, by libseccomp's names, and what the program returns
 * for each (seccomp(2), "Filters"). SCMP_ACT_KILL is libseccomp's
 * old name for killing the thread. ERRNO and TRACE carry
 * a number in the return value's low 16 bits: the errno the call
 * fails with, and the message a tracer reads. SCMP_ACT_NOTIFY, which
 * hands the call to a program listening on a file descriptor, is
 * refused: this runtime passes that descriptor to no one. */
static const struct {
	const char *name;
	uint32_t ret;             /* SECCOMP_RET_* */
	bool takes_number;        /* errnoRet goes with it */
} seccomp_actions[] = {
	{ "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, false },
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false },
	{ "SCMP_ACT_TRAP", SECCOMP_RET_TRAP, false },
	{ "SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, true },
	{ "SCMP_ACT_TRACE", SECCOMP_RET_TRACE, true },
	{ "SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, false },
	{ "SCMP_ACT_LOG", SECCOMP_RET_LOG, false },
};

/* The comparisons an argument can be put to, by libseccomp's names. */
enum seccomp_op { OP_NE, OP_LT, OP_LE, OP_EQ, OP_GE, OP_GT, OP_MASKED_EQ };
static const char *const seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

/* The flags config-linux.md lists, and seccomp(2)'s bit for each.
 * TSYNC puts the filter on every thread of the process at once, LOG
 * has the kernel log every action the filter takes but ALLOW (unless
 * /proc/sys/kernel/seccomp/actions_logged leaves it out), SPEC_ALLOW
 * turns off the Speculative Store Bypass mitigation (seccomp(2)).
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is left out: it only means
 * something with a listener, for SCMP_ACT_NOTIFY, and without one
 * seccomp(2) fails with EINVAL. */
static const struct { const char *name; unsigned int bit; }
seccomp_flag_names[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

/* The architectures config-linux.md lists. The program this runtime
 * writes knows x86_64's numbers alone: a call made by another
 * convention (a 32-bit x86 program's int 0x80, or an x32 program's,
 * whose numbers all have __X32_SYSCALL_BIT set) kills the process,
 * even when the profile lists its architecture, unlike runc and crun,
 * whose libseccomp writes a part of the program for each. A name not
 * on the list is refused. */
static const char *const seccomp_architectures[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
	"SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
	"SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
	"SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
	"SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
};

/* NAME's index in the TABLE of COUNT strings, or -1. */
static int word_index(const char *name, const char *const *table,
		      size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(name, table[i]) == 0)
			return (int)i;
	return -1;
}

/* One comparison of a rule: args[index] against value. MASKED_EQ is
 * (args[index] & value) == (value_two & value): libseccomp masks the
 * expected value too (its db.c, _db_node_mask_fixup()), so that bits
 * of valueTwo outside the mask do not count, and a profile must mean
 * here what it means under runc and crun. */
struct seccomp_comparison {
	int index;
	enum seccomp_op op;
	uint64_t value, value_two;
};

/* A rule of syscalls[], read: its return value and its comparisons,
 * at most one per argument (libseccomp refuses two on the same one,
 * seccomp_rule_add(3); runc then splits them into rules of their own,
 * which makes "and" an "or"; this runtime refuses them too). */
struct seccomp_rule {
	uint32_t ret;
	int count;
	struct seccomp_comparison args[6];
};

/* The profile while it is read and compiled. Each rule's names become
 * calls, and the calls of each number are kept in a list, in the
 * config's order: first[number] is its first, next[] the one after. */
struct seccomp_reading {
	uint32_t default_ret;
	struct seccomp_rule *rules;
	struct { int number, rule; } *calls;
	size_t call_count;
	int first[SYSCALL_SLOTS], last[SYSCALL_SLOTS];
	int *next;
	struct sock_filter *steps; /* the program, as it is written */
	size_t length;
};

/* NODE's action (defaultAction, or a rule's action) into *RET, with
 * the number NUMBER gives (errnoRet, defaultErrnoRet), or EPERM if
 * NUMBER is NULL (config-linux.md's default). An action that takes no
 * number but is given one is an error (a MUST there). The kernel
 * returns an errno of at most MAX_ERRNO, 4095, and quietly turns a
 * larger one into that (__seccomp_filter() in kernel/seccomp.c): one
 * is refused here; a tracer reads all 16 bits (SECCOMP_RET_DATA). */
static bool read_seccomp_action(const struct json *node,
				const struct json *number, uint32_t *ret)
{
	uint64_t data = EPERM;
	const char *name;
	size_t i = 0;

	if (!json_string(node, &name))
		return false;
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0) {
		json_fail(node, "this runtime cannot apply it: it hands no "
			  "call to a listening program");
		return false;
	}
	while (i < ARRAY_LEN(seccomp_actions) &&
	       strcmp(name, seccomp_actions[i].name) != 0)
		i++;
	if (i == ARRAY_LEN(seccomp_actions)) {
		json_fail(node, "%s is no action config-linux.md lists, such "
			  "as SCMP_ACT_ERRNO", name);
		return false;
	}
	if (number != NULL && !seccomp_actions[i].takes_number) {
		json_fail(number, "%s takes no number: SCMP_ACT_ERRNO and "
			  "SCMP_ACT_TRACE do", name);
		return false;
	}
	if (number != NULL &&
	    !json_unsigned(number, seccomp_actions[i].ret ==
			   SECCOMP_RET_ERRNO ? 4095 : SECCOMP_RET_DATA, &data))
		return false;
	*ret = seccomp_actions[i].ret;
	if (seccomp_actions[i].takes_number)
		*ret |= (uint32_t)data;
	return true;
}

/* NODE, one of a rule's args, into RULE's next comparison. */
static bool read_seccomp_comparison(const struct json *node,
				    struct seccomp_rule *rule)
{
	const struct json *index = json_member(node, "index");
	const struct json *value = json_member(node, "value");
	const struct json *two = json_member(node, "valueTwo");
	const struct json *op = json_member(node, "op");
	struct seccomp_comparison c = { 0 };
	uint64_t i;
	const char *name;
	int found;

	if (!json_is(node, JSON_OBJECT))
		return false;
	if (index == NULL || value == NULL || op == NULL) {
		json_fail(node, "needs index, value and op");
		return false;
	}
	/* A system call has at most six arguments: seccomp_data's. */
	if (!json_unsigned(index, 5, &i) ||
	    !json_unsigned(value, UINT64_MAX, &c.value) ||
	    (two != NULL && !json_unsigned(two, UINT64_MAX, &c.value_two)) ||
	    !json_string(op, &name))
		return false;
	found = word_index(name, seccomp_ops, ARRAY_LEN(seccomp_ops));
	if (found < 0) {
		json_fail(op, "%s is no operator config-linux.md lists, such "
			  "as SCMP_CMP_EQ", name);
		return false;
	}
	/* (arg & 0) == 0 holds for every arg: libseccomp makes such a
	 * rule something else (in 2.5.4, one with no comparison, which
	 * then stands over the call's other rules); refused, not guessed. */
	if (found == OP_MASKED_EQ && c.value == 0) {
		json_fail(value, "a mask of 0 compares no bit");
		return false;
	}
	for (int k = 0; k < rule->count; k++)
		if (rule->args[k].index == (int)i) {
			json_fail(index, "argument %d is compared twice in one "
				  "rule", (int)i);
			return false;
		}
	c.index = (int)i;
	c.op = (enum seccomp_op)found;
	rule->args[rule->count++] = c;
	return true;
}

/* Does RET let the call through? SCMP_ACT_TRACE counts, as runc
 * counts it (libcontainer/seccomp/patchbpf): a tracer may let it.
 * The action is the top 16 bits, SECCOMP_RET_ACTION_FULL: the older
 * mask, SECCOMP_RET_ACTION, leaves out the top bit, which
 * SECCOMP_RET_KILL_PROCESS (Linux 4.14) sets (linux/seccomp.h). */
static bool lets_through(uint32_t ret)
{
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL;

	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG ||
	       action == SECCOMP_RET_TRACE;
}

/* Call NUMBER, which E names in rule R, onto the end of its list of
 * rules in S, which emit_call() walks. The lists are chains of
 * indexes, not of pointers: first[NUMBER] is the call's first entry
 * in calls[], next[] leads from each entry to the next of the same
 * number (-1 ends it), and last[NUMBER] is its end, so that an entry
 * goes on in one step and the profile's order is kept, which decides
 * between two rules that both match (emit_call()). calls[] and next[]
 * have room for every name of every rule, counted by read_seccomp()
 * before any is read, so no entry needs memory of its own. */
static bool add_seccomp_call(struct seccomp_reading *s,
			     const struct json *e, const char *name,
			     int number, int r)
{
	if (number >= (int)ARRAY_LEN(s->first)) {
		json_fail(e, "%s is call %d, past this runtime's "
			  "room for %zu", name, number,
			  ARRAY_LEN(s->first));
		return false;
	}
	s->calls[s->call_count].number = number;
	s->calls[s->call_count].rule = r;
	if (s->first[number] < 0)
		s->first[number] = (int)s->call_count;
	else
		s->next[s->last[number]] = (int)s->call_count;
	s->last[number] = (int)s->call_count;
	s->next[s->call_count++] = -1;
	return true;
}

/* NAMES, the names of rule R (already read into S's rules), into S's
 * calls, as read_seccomp_rule() says. libseccomp knows the names of
 * every architecture, and gives a call this one lacks a negative
 * "pseudo" number (seccomp_syscall_resolve_name(3)); here the table
 * holds x86_64's names alone, and any other name reads as -1. */
static bool read_seccomp_names(const struct json *names,
			       struct seccomp_reading *s, int r)
{
	const struct seccomp_rule *rule = &s->rules[r];

	for (const struct json *e = names->child; e != NULL; e = e->next) {
		const char *name;
		int number;

		if (!json_string(e, &name))
			return false;
		number = syscall_number(name);
		if (number < 0 && lets_through(s->default_ret) &&
		    !lets_through(rule->ret)) {
			json_fail(e, "%s is no x86_64 call this runtime knows "
				  "(a newer one, or another architecture's), "
				  "and the default would let it through",
				  name);
			return false;
		}
		if (number < 0 || rule->ret == s->default_ret)
			continue;
		if (!add_seccomp_call(s, e, name, number, r))
			return false;
	}
	return true;
}

/* NODE, syscalls[R], into S's rules, and its names into S's calls.
 * A rule that returns what the default does is left out, as runc
 * leaves it out, since libseccomp refuses it (seccomp_rule_add(3),
 * EACCES); then a rule after it with arguments is seen alone, as in
 * runc. A name x86_64 does not have is skipped (socketcall), as
 * libseccomp leaves it out of x86_64's program, unless the default lets
 * calls through and the rule does not: if the name is a call newer
 * than this runtime's headers (mseal(2), say), skipping the rule
 * would let the call through, so the profile is refused instead. */
static bool read_seccomp_rule(const struct json *node,
			      struct seccomp_reading *s, int r)
{
	const struct json *names = json_member(node, "names");
	const struct json *action = json_member(node, "action");
	const struct json *args;
	struct seccomp_rule *rule = &s->rules[r];

	if (!json_is(node, JSON_OBJECT))
		return false;
	if (names == NULL || action == NULL) {
		json_fail(node, "needs names and action");
		return false;
	}
	if (!json_is(names, JSON_ARRAY) ||
	    !read_seccomp_action(action, json_member(node, "errnoRet"),
				 &rule->ret) ||
	    !json_first(node, "args", JSON_ARRAY, &args))
		return false;
	/* A rule that names no call would change nothing: config-linux.md
	 * says names MUST contain at least one entry. */
	if (names->child == NULL) {
		json_fail(names, "expected at least one name");
		return false;
	}
	/* The comparisons first: they are the rule's, whatever call it
	 * names, and a bad one is refused even if every name is skipped. */
	for (; args != NULL; args = args->next)
		if (!read_seccomp_comparison(args, rule))
			return false;
	return read_seccomp_names(names, s, r);
}

/* Append STEP to S's program. Past BPF_MAXINSNS, the most steps the
 * kernel takes in one program (linux/bpf_common.h), it only counts, so
 * that read_seccomp() can say how long the program would have been. */
static void emit(struct seccomp_reading *s, struct sock_filter step)
{
	if (s->length < BPF_MAXINSNS)
		s->steps[s->length] = step;
	s->length++;
}

/* The steps emit() takes, as stage 8 writes them: load a 32-bit word
 * of struct seccomp_data at OFFSET; keep the bits of the loaded word
 * that are in MASK; jump if it compares by OP to K, by T steps if it
 * does and by F if not (counted from the next step); jump by STEPS
 * always; return RET. */
#define STEP(s) ((struct sock_filter)s)
#define LOAD(offset) STEP(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (offset)))
#define AND(mask) STEP(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, (mask)))
#define JUMP(op, k, t, f) STEP(BPF_JUMP(BPF_JMP | (op) | BPF_K, (k), (t), \
					 (f)))
#define SKIP(steps) STEP(BPF_STMT(BPF_JMP | BPF_JA, (steps)))
#define RETURN(ret) STEP(BPF_STMT(BPF_RET | BPF_K, (ret)))

/* The steps emit_comparison() writes for each operator: at most 6,
 * and a rule has at most 6 comparisons and a return, so that a jump
 * past the rule always fits a jump's 8 bits. */
_Static_assert(6 * 6 + 1 <= 255, "a rule's steps fit a jump");
static size_t comparison_steps(enum seccomp_op op)
{
	return op == OP_MASKED_EQ ? 6 : op == OP_EQ || op == OP_NE ? 4 : 5;
}

/* Steps that go on to the next step if comparison C holds and jump to
 * step FAIL if not. The program's words are 32 bits and an argument is
 * 64, so each comparison is two: the high halves first, then the low
 * ones if the high ones are equal. On a little-endian machine such as
 * x86_64 the low half of args[i] comes first in seccomp_data. As in
 * libseccomp, all 64 bits are compared, even for an argument the kernel
 * reads as 32 (stage 8's ioctl refusals show why that can matter). */
static void emit_comparison(struct seccomp_reading *s,
			    const struct seccomp_comparison *c, size_t fail)
{
	uint32_t low = (uint32_t)offsetof(struct seccomp_data, args) +
		       8 * (uint32_t)c->index;
	uint32_t high = low + 4;
	uint32_t v_high = (uint32_t)(c->value >> 32);
	uint32_t v_low = (uint32_t)c->value;
	uint16_t last = c->op == OP_GE || c->op == OP_LT ? BPF_JGE : BPF_JGT;
	/* From the step about to be written to FAIL. */
#define TO_FAIL ((uint8_t)(fail - s->length - 1))

	switch (c->op) {
	case OP_EQ:     /* high == and low == */
		emit(s, LOAD(high));
		emit(s, JUMP(BPF_JEQ, v_high, 0, TO_FAIL));
		emit(s, LOAD(low));
		emit(s, JUMP(BPF_JEQ, v_low, 0, TO_FAIL));
		break;
	case OP_NE:     /* high !=, or low != */
		emit(s, LOAD(high));
		emit(s, JUMP(BPF_JEQ, v_high, 0, 2));
		emit(s, LOAD(low));
		emit(s, JUMP(BPF_JEQ, v_low, TO_FAIL, 0));
		break;
	case OP_MASKED_EQ: /* (arg & value) == (valueTwo & value) */
		emit(s, LOAD(high));
		emit(s, AND(v_high));
		emit(s, JUMP(BPF_JEQ, v_high & (uint32_t)(c->value_two >> 32),
			     0, TO_FAIL));
		emit(s, LOAD(low));
		emit(s, AND(v_low));
		emit(s, JUMP(BPF_JEQ, v_low & (uint32_t)c->value_two, 0,
			     TO_FAIL));
		break;
	case OP_GT:     /* high >, or high == and low > (GE: >=) */
	case OP_GE:
		emit(s, LOAD(high));
		emit(s, JUMP(BPF_JGT, v_high, 3, 0));
		emit(s, JUMP(BPF_JEQ, v_high, 0, TO_FAIL));
		emit(s, LOAD(low));
		emit(s, JUMP(last, v_low, 0, TO_FAIL));
		break;
	case OP_LT:     /* not GE; and LE is not GT */
	case OP_LE:
		emit(s, LOAD(high));
		emit(s, JUMP(BPF_JGT, v_high, TO_FAIL, 0));
		emit(s, JUMP(BPF_JEQ, v_high, 0, 2));
		emit(s, LOAD(low));
		emit(s, JUMP(last, v_low, TO_FAIL, 0));
		break;
	}
#undef TO_FAIL
}

/* The steps for the rules of call NUMBER, with the number of the call
 * loaded: a rule with no args stands for the call alone, and of those
 * the first; else each rule in turn, the first that matches deciding,
 * and the default if none does. These are libseccomp's rules (its
 * db.c, which runc and crun use): a rule with no arguments stands over
 * every rule with arguments for the same call, whichever comes first.
 * Where two rules with arguments match the same call and disagree,
 * libseccomp's choice is its tree's and unwritten; here the first
 * wins. A jump reaches 255 steps at most, so the block of rules is
 * jumped over with BPF_JA, whose 32-bit offset reaches anywhere. */
static void emit_call(struct seccomp_reading *s, int number)
{
	size_t block = 1;         /* the rules' steps, and the default */

	for (int c = s->first[number]; c >= 0; c = s->next[c]) {
		const struct seccomp_rule *r = &s->rules[s->calls[c].rule];

		if (r->count == 0) {
			emit(s, JUMP(BPF_JEQ, (uint32_t)number, 0, 1));
			emit(s, RETURN(r->ret));
			return;
		}
	}
	for (int c = s->first[number]; c >= 0; c = s->next[c]) {
		const struct seccomp_rule *r = &s->rules[s->calls[c].rule];

		block++;
		for (int a = 0; a < r->count; a++)
			block += comparison_steps(r->args[a].op);
	}
	emit(s, JUMP(BPF_JEQ, (uint32_t)number, 1, 0));
	emit(s, SKIP((uint32_t)block));
	for (int c = s->first[number]; c >= 0; c = s->next[c]) {
		const struct seccomp_rule *r = &s->rules[s->calls[c].rule];
		size_t fail = s->length + 1;

		for (int a = 0; a < r->count; a++)
			fail += comparison_steps(r->args[a].op);
		for (int a = 0; a < r->count; a++)
			emit_comparison(s, &r->args[a], fail);
		emit(s, RETURN(r->ret));
	}
	emit(s, RETURN(s->default_ret));
}

/* S's whole program: the architecture first, as stage 8's; a call
 * made by another convention is killed, an x32 call too (stage 8's
 * answers those with EPERM). Call number -1 goes on, to the default,
 * as in libseccomp's programs: it is no call, but a tracer skips a
 * call by setting its number to -1 (seccomp(2)), and since Linux 4.8
 * the filter can see that number (libseccomp's src/gen_bpf.c lets it
 * through for this reason): a traced container must not be killed
 * for it. Then the calls, each in the order the config first names
 * it, then the default. */
static void emit_program(struct seccomp_reading *s)
{
	emit(s, LOAD(offsetof(struct seccomp_data, arch)));
	emit(s, JUMP(BPF_JEQ, SECCOMP_ARCH, 1, 0));
	emit(s, RETURN(SECCOMP_RET_KILL_PROCESS));
	emit(s, LOAD(offsetof(struct seccomp_data, nr)));
	emit(s, JUMP(BPF_JGE, __X32_SYSCALL_BIT, 0, 2));
	emit(s, JUMP(BPF_JEQ, 0xffffffff, 1, 0));
	emit(s, RETURN(SECCOMP_RET_KILL_PROCESS));
	for (size_t c = 0; c < s->call_count; c++)
		if (s->first[s->calls[c].number] == (int)c)
			emit_call(s, s->calls[c].number);
	emit(s, RETURN(s->default_ret));
}
#undef STEP
#undef LOAD
#undef AND
#undef JUMP
#undef SKIP
#undef RETURN

/* SECCOMP's architectures, flags and listener into C: each word one of
 * config-linux.md's. listenerPath matters only to SCMP_ACT_NOTIFY,
 * which is refused, and so is ignored, as config-linux.md says; its
 * listenerMetadata MUST NOT be there without it. */
static bool read_seccomp_words(const struct json *seccomp,
			       struct bundle_config *c)
{
	const struct json *e, *path = json_member(seccomp, "listenerPath");
	const struct json *data = json_member(seccomp, "listenerMetadata");
	const char *text = "";
	int i;

	/* Each architecture must be one config-linux.md names, but the
	 * program answers x86_64's calls alone, and kills any other's
	 * (emit_program()): the list is checked, not followed. */
	if (!json_first(seccomp, "architectures", JSON_ARRAY, &e))
		return false;
	for (; e != NULL; e = e->next)
		if (!json_string(e, &text) ||
		    word_index(text, seccomp_architectures,
			       ARRAY_LEN(seccomp_architectures)) < 0) {
			if (e->type == JSON_STRING)
				json_fail(e, "%s is no architecture "
					  "config-linux.md lists, such as "
					  "SCMP_ARCH_X86_64", text);
			return false;
		}
	if (!json_first(seccomp, "flags", JSON_ARRAY, &e))
		return false;
	for (; e != NULL; e = e->next) {
		if (!json_string(e, &text))
			return false;
		for (i = 0; i < (int)ARRAY_LEN(seccomp_flag_names); i++)
			if (strcmp(text, seccomp_flag_names[i].name) == 0)
				break;
		if (strcmp(text, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")
		    == 0) {
			json_fail(e, "this runtime cannot apply it: it only "
				  "means something with SCMP_ACT_NOTIFY");
			return false;
		}
		if (i == (int)ARRAY_LEN(seccomp_flag_names)) {
			json_fail(e, "%s is no flag config-linux.md lists, "
				  "such as SECCOMP_FILTER_FLAG_LOG", text);
			return false;
		}
		c->seccomp_flags |= seccomp_flag_names[i].bit;
	}
	if ((path != NULL && !json_string(path, &text)) ||
	    (data != NULL && !json_string(data, &text)))
		return false;
	if (data != NULL && path == NULL) {
		json_fail(data, "needs a listenerPath");
		return false;
	}
	return true;
}

/* LINUX's seccomp into C's program, and its flags for seccomp(2).
 * The program is compiled here, as config.json is read, and not in the
 * container's process: a profile this runtime cannot compile, or one
 * past the kernel's BPF_MAXINSNS steps, fails create before any
 * process starts, and the child only hands the finished steps to
 * install_config_seccomp(). */
static bool read_seccomp(const struct json *linux_node,
			 struct bundle_config *c)
{
	const struct json *node, *action, *rules;
	struct seccomp_reading s = { 0 };
	size_t rule_count, names = 0;
	int r = 0;
	bool ok = false;

	if (!json_object(linux_node, "seccomp", &node) || node == NULL)
		return node == NULL;
	action = json_member(node, "defaultAction");
	if (action == NULL) {
		json_fail(node, "needs a defaultAction");
		return false;
	}
	if (!read_seccomp_action(action, json_member(node, "defaultErrnoRet"),
				 &s.default_ret) ||
	    !read_seccomp_words(node, c) ||
	    !json_first(node, "syscalls", JSON_ARRAY, &rules))
		return false;
	/* Room for every name of every rule, before they are read. */
	for (const struct json *e = rules; e != NULL; e = e->next) {
		const struct json *n = json_member(e, "names");

		for (n = n != NULL ? n->child : NULL; n != NULL; n = n->next)
			names++;
	}
	s.rules = json_new_array(node, rules, sizeof(*s.rules), &rule_count);
	s.calls = calloc(names + 1, sizeof(*s.calls));
	s.next = calloc(names + 1, sizeof(*s.next));
	s.steps = calloc(BPF_MAXINSNS, sizeof(*s.steps));
	if (s.rules == NULL || s.calls == NULL || s.next == NULL ||
	    s.steps == NULL) {
		json_fail(node, "out of memory");
		goto done;
	}
	for (size_t n = 0; n < ARRAY_LEN(s.first); n++)
		s.first[n] = s.last[n] = -1;
	for (const struct json *e = rules; e != NULL; e = e->next)
		if (!read_seccomp_rule(e, &s, r++))
			goto done;
	emit_program(&s);
	if (s.length > BPF_MAXINSNS) {
		json_fail(node, "makes a program of %zu steps, and the "
			  "kernel takes %d at most", s.length, BPF_MAXINSNS);
		goto done;
	}
	c->seccomp = s.steps;
	c->seccomp_length = s.length;
	s.steps = NULL;
	ok = true;
done:
	free(s.rules);
	free(s.calls);
	free(s.next);
	free(s.steps);
	return ok;
}

/* Install C's program, if it has one, with seccomp(2), which takes
 * the flags that prctl(2)'s PR_SET_SECCOMP does not. It is to come
 * last before the exec, as stage 8's filter does, so that the
 * runtime's own steps are not filtered; but without no_new_privs (the
 * config's noNewPrivileges to ask) the kernel lets a process install
 * a filter only while it holds CAP_SYS_ADMIN (seccomp(2), EACCES), so
 * then it must come before the capabilities are dropped, as runc
 * orders it (libcontainer/standard_init_linux.go). 0 if it is
 * installed; -1 and errno if not; with SECCOMP_FILTER_FLAG_TSYNC, the
 * id of a thread of the process that could not take it (seccomp(2)).
 * glibc has no seccomp() wrapper (seccomp(2)), hence syscall(2). The
 * filter then holds for good: it is kept across execve(2) and passed
 * to every child, and no call removes it; a filter installed later
 * only adds to it, every one runs, and the answer of highest
 * precedence wins (seccomp(2), "Filters"). The length fits
 * sock_fprog's 16 bits: read_seccomp() refuses a program of more than
 * BPF_MAXINSNS (4096) steps. */
static long install_config_seccomp(const struct bundle_config *c)
{
	struct sock_fprog program = {
		.len = (unsigned short)c->seccomp_length,
		.filter = c->seccomp,
	};

	if (c->seccomp == NULL)
		return 0;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		       c->seccomp_flags, &program);
}

/* Parent: set the rlimits and oomScoreAdj of config.json's process
 * on process PID (0: this one), before it goes on to become_process().
 * From outside, as runc sets them: in a user namespace the child could
 * no longer raise a hard limit (prlimit(2)) or lower its score
 * (proc(5), oom_score_adj), which take CAP_SYS_RESOURCE in the host's
 * namespace. The score first, as runc writes it first, so that a low
 * RLIMIT_NOFILE cannot stop the file's open. 0, or -1 with errno and
 * in *STEP what failed. */
static int limit_process(const struct process *p, pid_t pid,
			 const char **step)
{
	char path[64], text[16];
	int fd;

	if (p->oom_score_adjusted) {
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj",
			 pid != 0 ? (int)pid : (int)getpid());
		snprintf(text, sizeof(text), "%d", p->oom_score_adj);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, text, strlen(text)) < 0) {
			*step = "oom_score_adj";
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	for (size_t i = 0; i < p->rlimit_count; i++)
		if (prlimit(pid, p->rlimits[i].resource,
			    &p->rlimits[i].limit, NULL) < 0) {
			*step = "prlimit";
			return -1;
		}
	return 0;
}

/* install_config_seccomp() as one step of a single-threaded process:
 * 0, or -1 and errno (a thread that could not take the filter, which
 * such a process has none of, as EBUSY). */
static int seccomp_step(const struct bundle_config *c)
{
	long failed = install_config_seccomp(c);

	if (failed > 0)
		errno = EBUSY;
	return failed == 0 ? 0 : -1;
}

/* Warn, as config.md asks (capabilities: MUST be logged as a warning,
 * SHOULD NOT fail), of each capability in SET that is not granted. */
static void warn_not_granted(uint64_t set, const char *where,
			     const char *why)
{
	char text[64];

	for (int cap = 0; cap < 64; cap++) {
		if (!(set & CAP_BIT(cap)))
			continue;
		name_capabilities(CAP_BIT(cap), text, sizeof(text));
		for (char *t = text; *t != '\0'; t++)
			*t = (char)toupper((unsigned char)*t);
		fprintf(stderr, "container: warning: %s: %s is not granted: "
			"%s\n", where, text, why);
	}
}

/* Are this process's groups P's additionalGids (in any order: the
 * kernel sorts them, groups_sort() in kernel/groups.c)? getgroups(2)
 * with a size of 0 only counts them. One more than the count is
 * allocated: malloc(0) may give NULL outside glibc (malloc(3)), which
 * would fail the check for a process with no groups. */
static bool groups_are(const struct process *p)
{
	int n = getgroups(0, NULL);
	gid_t *got = malloc(((size_t)n + 1) * sizeof(gid_t));
	bool same = n == (int)p->group_count && got != NULL &&
		    getgroups(n, got) == n;

	for (int i = 0; same && i < n; i++) {
		same = false;
		for (size_t j = 0; j < p->group_count; j++)
			same = same || got[i] == p->groups[j];
	}
	free(got);
	return same;
}

/* Did the steps before take? A seccomp profile installed before them
 * (no_new_privs off) may answer setresuid(2), capset(2) and the rest
 * with a fake success (SCMP_ACT_ERRNO with errnoRet 0), and leave the
 * process root with every capability: so each is read back. What the
 * reads find starts as the opposite of what is asked, so that a read
 * that is faked the same way fails too. */
static bool process_is(const struct process *p, int last_cap,
		       bool grouped)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct sets[2];
	uid_t r = ~p->uid, e = r, s = r;
	gid_t rg = ~p->gid, eg = rg, sg = rg;
	uint64_t mask = last_cap >= 63 ? ~0ULL : CAP_BIT(last_cap + 1) - 1;

	memset(sets, 0xff, sizeof(sets));
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    r != p->uid || e != p->uid || s != p->uid || rg != p->gid ||
	    eg != p->gid || sg != p->gid ||
	    syscall(SYS_capget, &header, sets) < 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (sets[i].effective != (uint32_t)((p->capabilities[1] &
						   mask) >> (32 * i)) ||
		    sets[i].permitted != (uint32_t)((p->capabilities[3] &
						   mask) >> (32 * i)))
			return false;
	for (int cap = 0; cap <= last_cap; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) !=
		    !!(p->capabilities[0] & CAP_BIT(cap)))
			return false;
	return !grouped || groups_are(p);
}

/* Set by create and by exec before become_process(): the container's
 * user namespace denies setgroups(2), as write_id_maps() makes it for a
 * runtime that is not root, or as exec reads it in the host's /proc of
 * the init. Learned outside the container, never from the /proc its
 * process sees, nor from an EPERM, which a seccomp program gives too. */
static bool setgroups_denied;

/* Child: drop from the bounding set each capability P's bounding list
 * leaves out, and return how many capabilities this kernel has; -1
 * with errno and in *STEP what failed if a drop fails. The bounding
 * set caps what an execve(2) grants from a file's permitted set (for
 * root's exec, every capability) and what capset(2) may add to the
 * inheritable set; a capability dropped from it never comes back, in
 * this process or its children (capabilities(7), "Capability bounding
 * set", "Capabilities and execution of programs by root").
 * PR_CAPBSET_DROP takes CAP_SETPCAP (prctl(2)), which leaves the
 * effective set when the effective uid leaves 0: so the drop comes
 * before the user changes, as in runc. The kernel's count is found by
 * asking: PR_CAPBSET_READ fails with EINVAL past its last capability,
 * which needs no /proc (/proc/sys/kernel/cap_last_cap says the same,
 * from Linux 3.2). A capability asked for past it is only warned of. */
static int drop_bounding_set(const struct process *p, const char **step)
{
	uint64_t asked = 0;
	int cap;

	*step = "prctl PR_CAPBSET_DROP";
	for (cap = 0; cap < 64 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0;
	     cap++)
		if (!(p->capabilities[0] & CAP_BIT(cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -1;
	for (size_t s = 0; s < ARRAY_LEN(capability_sets); s++)
		asked |= p->capabilities[s];
	if (cap < 64)
		warn_not_granted(asked & ~(CAP_BIT(cap) - 1),
				 "process.capabilities",
				 "this kernel has no such capability");
	return cap;
}

/* Child: become P's user: its groups, then its gid, then its uid, with
 * PR_SET_KEEPCAPS on around the change. The order is the kernel's:
 * setgroups(2) and setresgid(2) take CAP_SETGID, which the effective
 * set loses as the effective uid leaves 0, keep-caps or not (that
 * flag keeps the permitted set only; capabilities(7),
 * SECBIT_KEEP_CAPS), so the uid goes last. An EINVAL from either set
 * call means the id is not mapped in the container's user namespace
 * (setresuid(2)). Keep-caps is off again after, as runc turns it off;
 * execve(2) would clear it anyway (prctl(2), PR_SET_KEEPCAPS). In
 * *GROUPED, whether the groups were set, for process_is() to check.
 * 0, or -1 with errno and in *STEP what failed. */
static int become_user(const struct process *p, bool *grouped,
		       const char **step)
{
	*step = "prctl PR_SET_KEEPCAPS";
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -1;
	/* The groups become additionalGids exactly, unless the user
	 * namespace denies setgroups (setgroups_denied): then none can be
	 * dropped, nor any asked for. */
	*step = "setgroups";
	errno = EPERM;
	if (setgroups_denied ? p->group_count > 0 :
	    setgroups(p->group_count, p->groups) < 0)
		return -1;
	*grouped = !setgroups_denied;
	*step = "setresgid";
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		return -1;
	*step = "setresuid";
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		return -1;
	*step = "prctl PR_SET_KEEPCAPS";
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -1;
	return 0;
}

/* Child, after become_user(): P's effective, inheritable and
 * permitted sets in one capset(2), then its ambient set, among the
 * CAP_COUNT capabilities this kernel has. capset(2) can only narrow
 * the permitted set; it takes an effective set within the new
 * permitted one, and an inheritable set within the old inheritable
 * set and the bounding set together, and without CAP_SETPCAP within
 * the old inheritable and permitted sets together (capabilities(7),
 * "Programmatically adjusting capability sets"): a config that asks
 * for more fails here. glibc has no wrapper for it (capset(2)), hence
 * syscall(2); version 3 of its header takes each set as two 32-bit
 * words. The ambient set, which carries capabilities across the
 * execve(2) of a program that has no set-user-ID or set-group-ID bit
 * and no file capabilities, is emptied first, so that none of the runtime's own
 * passes on; and it is raised after capset, since the kernel lowers
 * an ambient capability whose permitted or inheritable bit goes
 * (capabilities(7), "Ambient"). 0, or -1 with errno and in *STEP what
 * failed; an ambient one not raised is only warned of. */
static int set_capabilities(const struct process *p, int cap_count,
			    const char **step)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct sets[2];
	uint64_t missing = 0;

	for (int i = 0; i < 2; i++) {       /* capabilities 0-31, 32-63 */
		sets[i].effective = (uint32_t)(p->capabilities[1] >> (32 * i));
		sets[i].inheritable =
			(uint32_t)(p->capabilities[2] >> (32 * i));
		sets[i].permitted = (uint32_t)(p->capabilities[3] >> (32 * i));
	}
	*step = "capset";
	if (syscall(SYS_capset, &header, sets) < 0)
		return -1;
	*step = "prctl PR_CAP_AMBIENT_CLEAR_ALL";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	for (int a = 0; a < cap_count; a++)
		if ((p->capabilities[4] & CAP_BIT(a)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, a, 0, 0) < 0)
			missing |= CAP_BIT(a);
	warn_not_granted(missing, "process.capabilities.ambient", "the "
			 "kernel raises only a capability that is permitted "
			 "and inheritable");
	return 0;
}

/* Child: the container's process becomes the one config.json's
 * process describes, after limit_process(), in runc's order (its
 * standard_init_linux.go, and finalizeNamespace() in init_linux.go,
 * read in its source):
 *
 *   1. the umask: a missing one leaves the runtime's, as config.md
 *      says (unlike runc, which then sets 022);
 *   2. no_new_privs, if noNewPrivileges asks for it;
 *   3. the seccomp program, if no_new_privs is off: the kernel then
 *      takes a filter only from a holder of CAP_SYS_ADMIN (seccomp(2),
 *      EACCES), which step 4 may take away;
 *   4. the bounding set (drop_bounding_set()), then the user
 *      (become_user()): PR_SET_KEEPCAPS keeps the permitted set
 *      across the setresuid(2) away from uid 0, which would clear it
 *      (capabilities(7), "Effect of user ID changes on
 *      capabilities"); the groups become additionalGids exactly,
 *      while this process may still set them;
 *   5. the effective, permitted and inheritable sets (capset(2)), and
 *      each ambient one raised (set_capabilities()). The kernel raises
 *      only a capability that is permitted and inheritable
 *      (PR_CAP_AMBIENT_RAISE), and runc spec's own config asks for
 *      ambient ones it does not make inheritable: config.md says a
 *      capability that cannot be granted is a warning, not a failure;
 *   6. each of those read back (process_is());
 *   7. the seccomp program, if no_new_privs is on: as late as can be,
 *      so that the runtime's own calls are not filtered.
 *
 * 0, or -1 with errno and in *STEP what failed. */
static int become_process(const struct process *p,
			  const struct bundle_config *c, const char **step)
{
	bool grouped = true;
	int cap;

	*step = "an AppArmor or SELinux label";  /* not written yet */
	errno = EOPNOTSUPP;
	if (p->apparmor != NULL || p->selinux != NULL)
		return -1;
	if (p->umask >= 0)
		umask((mode_t)p->umask);
	*step = "prctl PR_SET_NO_NEW_PRIVS";
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	*step = "seccomp";
	if (!p->no_new_privileges && seccomp_step(c) < 0)
		return -1;
	cap = drop_bounding_set(p, step);
	if (cap < 0)
		return -1;
	if (become_user(p, &grouped, step) < 0)
		return -1;
	if (set_capabilities(p, cap, step) < 0)
		return -1;
	*step = "the user and capabilities asked for did not take";
	errno = EPERM;
	if (!process_is(p, cap - 1, grouped))
		return -1;
	*step = "seccomp";
	if (p->no_new_privileges && seccomp_step(c) < 0)
		return -1;
	return 0;
}

/* Write S to OUT as a JSON string (RFC 8259 section 7): the quote,
 * the backslash and the control bytes escaped, the rest as it is. S
 * must be UTF-8 (RFC 8259 section 8.1): what config.json held is, for
 * the reader holds it to that; a name or path from the command line
 * is for its caller to check. */
static void write_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

/* runtime.md's state of a container (its "State"), as one line of
 * JSON in a new string, or NULL (out of memory, or no PID where one is
 * REQUIRED): what `state` will print and each hook will read on its
 * standard input. ID and STATUS ("creating", "created", "running" or
 * "stopped"), PID (REQUIRED while created or running; 0 leaves it out
 * otherwise), BUNDLE (an absolute path) and
 * C's annotations, which runtime.md lets the state carry. Its
 * ociVersion is the version of the specification whose state this
 * is: its schema (schema/state-schema.json) has not changed since
 * 1.0.2. */
static char *state_json(const char *id, const char *status, pid_t pid,
			const char *bundle, const struct bundle_config *c)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out;
	bool failed;

	if (pid <= 0 && (strcmp(status, "created") == 0 ||
			 strcmp(status, "running") == 0))
		return NULL;
	out = open_memstream(&text, &length);
	if (out == NULL)
		return NULL;
	fputs("{\"ociVersion\":\"1.0.2\",\"id\":", out);
	write_json_string(out, id);
	fputs(",\"status\":", out);
	write_json_string(out, status);
	if (pid > 0)
		fprintf(out, ",\"pid\":%d", (int)pid);
	fputs(",\"bundle\":", out);
	write_json_string(out, bundle);
	if (c->annotations != NULL) {
		fputs(",\"annotations\":{", out);
		for (const struct json *a = c->annotations; a; a = a->next) {
			write_json_string(out, a->name);
			fputc(':', out);
			write_json_string(out, a->text);
			if (a->next != NULL)
				fputc(',', out);
		}
		fputc('}', out);
	}
	fputc('}', out);
	/* A write that failed (memory ran out) leaves the stream's
	 * error set, which fclose(3) alone would not report. */
	failed = ferror(out) != 0;
	if (fclose(out) != 0 || failed) {
		free(text);
		return NULL;
	}
	return text;
}

/* Start hook H, one of config.md's POSIX-platform hooks, with the
 * container's state STATE (runtime.md's JSON) on its standard input;
 * run_hook() then waits for it, at most its timeout. It runs in the
 * namespaces of its caller: the runtime's for most kinds; config.md
 * asks for the container's for createContainer (its path still found
 * from the runtime's mount namespace: runc runs it just before
 * pivot_root(2)) and startContainer, so the steps that run those are
 * to call this from there. Its standard output and error are the
 * runtime's (runc keeps a hook's output, and shows it only in an
 * error); every other descriptor is closed at its exec
 * (close_range(2)'s CLOSE_RANGE_CLOEXEC, Linux 5.11 on). The state is
 * in a memfd (memfd_create(2)), a file in memory, not a pipe: a hook
 * that never reads could otherwise leave the runtime blocked, writing
 * a state longer than a pipe holds (its annotations can be long). The
 * hook leads a process group of its own, so that a timeout can kill
 * what it started too. Its pid, and in *ERROR 0, or the errno of the
 * step that failed, exec included; -1 if no process was started. */
static pid_t start_hook(const struct config_hook *h, const char *state,
			int *error)
{
	static char *const no_environment[] = { NULL };
	int memfd = memfd_create("state", MFD_CLOEXEC), failed[2];
	sigset_t every, old;
	pid_t pid;

	if (memfd >= 0)
		write_all(memfd, state, (ssize_t)strlen(state));
	/* The file's offset says how much of the state went in. */
	if (memfd < 0 || lseek(memfd, 0, SEEK_CUR) != (off_t)strlen(state) ||
	    lseek(memfd, 0, SEEK_SET) < 0 || pipe2(failed, O_CLOEXEC) < 0) {
		*error = errno;
		if (memfd >= 0)
			close(memfd);
		return -1;
	}
	/* Every signal held across fork(), so that none runs one of the
	 * runtime's handlers in the child (one would pass a Ctrl-C on to
	 * the container); the child sets them all to their defaults
	 * before it lets them in, as a new program expects them. */
	sigfillset(&every);
	sigprocmask(SIG_BLOCK, &every, &old);
	pid = fork();
	if (pid == 0) {
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);     /* fails, harmless, for 9, 19 */
		sigemptyset(&every);
		sigprocmask(SIG_SETMASK, &every, NULL);
		setpgid(0, 0);
		/* The state as fd 0: memfd may be 0 itself, if the runtime
		 * had no stdin, and then only loses its close-on-exec. */
		if ((memfd == 0 ? fcntl(0, F_SETFD, 0) : dup2(memfd, 0)) == 0 &&
		    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
			execve(h->path, h->args,
			       h->env != NULL ? h->env : no_environment);
		/* Exec failed: its errno goes back through the pipe,
		 * which exec would have closed. */
		*error = errno;
		(void)!write(failed[1], error, sizeof(*error));
		_exit(127);
	}
	*error = pid < 0 ? errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(memfd);
	close(failed[1]);
	/* Exec closed the pipe (nothing to read), or the child sent why
	 * it could not. */
	if (pid > 0 && read(failed[0], error, sizeof(*error)) !=
	    sizeof(*error))
		*error = 0;
	close(failed[0]);
	return pid;
}

/* Milliseconds on the clock that only goes forward (clock_gettime(2),
 * CLOCK_MONOTONIC): a change of the date cannot stretch a timeout. */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait for the hook PID to end, at most TIMEOUT seconds (0: as long as
 * it takes); past that, kill its process group. 0 if it ended in time,
 * else -1, with ETIME if it was killed, or the errno of
 * pidfd_open(2) (it is killed then too: it cannot be waited for with a
 * limit). A pidfd becomes readable when its process ends, so poll(2)
 * waits for the end or the deadline, whichever comes first; a signal
 * that wakes it early only costs a loop, the deadline staying put. */
static int wait_for_hook(pid_t pid, int timeout)
{
	struct pollfd ready = { .fd = pidfd_open(pid, 0), .events = POLLIN };
	long long deadline = now_ms() + 1000LL * timeout;
	int ended = 0, saved;

	while (ready.fd >= 0 && ended <= 0) {
		long long left = deadline - now_ms();

		if (timeout != 0 && left <= 0)
			break;
		ended = poll(&ready, 1, timeout == 0 ? -1 :
			     left > INT_MAX ? INT_MAX : (int)left);
	}
	saved = ready.fd < 0 ? errno : ETIME;
	if (ready.fd >= 0)
		close(ready.fd);
	if (ended > 0)
		return 0;
	kill(-pid, SIGKILL);
	errno = saved;
	return -1;
}

/* Run hook H, as start_hook() says, and wait for it: 0 if it exited
 * 0; else -1, with what happened in WHY (SIZE bytes): it could not
 * run, ran past its timeout (then it and its process group are killed
 * with SIGKILL; what left the group lives on, as in runc, which kills
 * the hook alone), was killed by a signal or exited with a status
 * other than 0. */
static int run_hook(const struct config_hook *h, const char *state,
		    char *why, size_t size)
{
	int error, status = 0, waited = 0;
	pid_t pid = start_hook(h, state, &error);

	if (pid > 0 && error == 0 && wait_for_hook(pid, h->timeout) < 0)
		waited = errno;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				waited = errno;
				break;
			}
	if (pid < 0 || error != 0)
		snprintf(why, size, "could not run: %s", strerror(error));
	else if (waited == ETIME)
		snprintf(why, size, "ran past its timeout of %d s, and was "
			 "killed", h->timeout);
	else if (waited != 0)
		snprintf(why, size, "could not be waited for: %s",
			 strerror(waited));
	else if (WIFSIGNALED(status))
		snprintf(why, size, "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, size, "exited with %d", WEXITSTATUS(status));
	else
		return 0;
	return -1;
}

/* The members of linux that ask for what no stage does, refused when
 * they ask for something (config.md, "Valid values"); personality
 * only if it asks for more than the LINUX domain every process has. */
static bool refuse_unapplied_linux(const struct json *linux_node)
{
	static const char *const unapplied[] = {
		"intelRdt", "memoryPolicy", "netDevices",
	};
	const struct json *personality = json_member(linux_node,
						     "personality");
	const struct json *label = json_member(linux_node, "mountLabel");
	const struct json *domain = json_member(personality, "domain");
	const struct json *flags = json_member(personality, "flags");
	const char *text;

	for (size_t i = 0; i < ARRAY_LEN(unapplied); i++) {
		const struct json *m = json_member(linux_node, unapplied[i]);

		if (m != NULL && !asks_nothing(m, "{}")) {
			json_fail(m, "this runtime cannot apply it");
			return false;
		}
	}
	if (label != NULL) {
		if (!json_string(label, &text))
			return false;
		if (text[0] != '\0') {
			json_fail(label, "this runtime cannot apply it: it "
				  "labels no mount for SELinux");
			return false;
		}
	}
	if (personality == NULL)
		return true;
	if (!json_is(personality, JSON_OBJECT) ||
	    (domain != NULL && !json_string(domain, &text)) ||
	    (flags != NULL && !json_is(flags, JSON_ARRAY)))
		return false;
	if (domain == NULL) {
		json_fail(personality, "needs a domain");
		return false;
	}
	if (strcmp(text, "LINUX") != 0 ||
	    (flags != NULL && flags->child != NULL)) {
		json_fail(personality, "this runtime runs the LINUX domain "
			  "with no flags, and nothing else");
		return false;
	}
	return true;
}

/* Free what read_bundle_config() allocated (not the strings). */
static void free_bundle_config(struct bundle_config *c)
{
	for (size_t i = 0; i < c->mount_count; i++)
		free(c->mounts[i].data);
	free(c->mounts);
	free(c->devices);
	free(c->seccomp);
	/* One past the count too: a hook refused half-read is there
	 * (json_new_array() made one more, zeroed, than the hooks). */
	for (size_t k = 0; k < ARRAY_LEN(hook_kinds); k++) {
		for (size_t i = 0; c->hooks[k] != NULL &&
		     i <= c->hook_count[k]; i++) {
			free(c->hooks[k][i].args);
			free(c->hooks[k][i].env);
		}
		free(c->hooks[k]);
	}
	memset(c, 0, sizeof(*c));
}

/* A new user namespace needs its maps: without them every id in it is
 * unmapped, and shows as the overflow uid, 65534 (user_namespaces(7)).
 * And maps need a user namespace, new or joined: podman writes a line
 * 0 0 1 for one it joins, which has its maps already, and so are not
 * written again. */
static bool check_id_maps(const struct json *linux_node,
			  const struct bundle_config *c)
{
	int user = find_namespace(c, CLONE_NEWUSER);

	if (user >= 0 && c->namespaces[user].path == NULL &&
	    (c->uids.count == 0 || c->gids.count == 0)) {
		json_fail(linux_node, "a new user namespace needs uidMappings "
			  "and gidMappings");
		return false;
	}
	if (user < 0 && (c->uids.count > 0 || c->gids.count > 0)) {
		json_fail(linux_node, "uidMappings and gidMappings need a user "
			  "namespace");
		return false;
	}
	return true;
}

/* A config without a mount namespace shares the runtime's
 * (bind_root_in_place()), and some of it could not be kept so:
 * refused, as config.md asks of what cannot be applied. A user
 * namespace: mounting needs CAP_SYS_ADMIN in the user namespace that
 * owns the mount namespace (user_namespaces(7)), the host's. Masked
 * and read-only paths: a magic link of /proc (/proc/1/root/..., in a
 * config without a pid namespace: the host's init) leads out of a
 * chroot(2), and would lead them onto the host's own mounts; runc's
 * validator refuses them too. A rootfsPropagation, and a mount's
 * propagation but private: a shared mount would reach the host's. */
static bool check_mount_namespace(const struct json *config,
				  const struct json *linux_node,
				  const struct bundle_config *c)
{
	const char *what = NULL;

	if (find_namespace(c, CLONE_NEWNS) >= 0)
		return true;
	if (find_namespace(c, CLONE_NEWUSER) >= 0)
		what = "a user namespace";
	else if (c->masked != NULL || c->readonly != NULL)
		what = "masked or read-only paths";
	else if (c->root_propagation != 0)
		what = "a rootfsPropagation";
	for (size_t i = 0; i < c->mount_count && what == NULL; i++)
		if ((c->mounts[i].propagation & ~MS_REC) & ~MS_PRIVATE)
			what = "a mount's propagation other than private";
	if (what == NULL)
		return true;
	json_fail(linux_node != NULL ? linux_node : config, "%s needs a "
		  "mount namespace with it, which the config does not ask "
		  "for", what);
	return false;
}

/* LINUX's timeOffsets, into C as the lines /proc/PID/timens_offsets
 * takes: "CLOCK SECS NANOSECS" for each clock a time namespace sets
 * apart, monotonic and boottime (time_namespaces(7)), secs an int64
 * and nanosecs below a second (the kernel refuses more: EINVAL). Only
 * a new time namespace takes them: a joined one, or the runtime's own,
 * may have had a process in it, which fixed its offsets (EACCES). */
static bool read_time_offsets(const struct json *linux_node,
			      struct bundle_config *c)
{
	static const char *const clocks[] = { "monotonic", "boottime" };
	const struct json *first;
	int i = find_namespace(c, CLONE_NEWTIME);
	size_t used = 0;

	if (!json_first(linux_node, "timeOffsets", JSON_OBJECT, &first))
		return false;
	if (first != NULL && (i < 0 || c->namespaces[i].path != NULL)) {
		json_fail(first->parent, "needs a time namespace of its own "
			  "in linux.namespaces, with no path: the offsets of "
			  "one that has had a process are fixed");
		return false;
	}
	for (const struct json *e = first; e != NULL; e = e->next) {
		const struct json *secs = json_member(e, "secs");
		const struct json *nanos = json_member(e, "nanosecs");
		int64_t s = 0;
		uint64_t n = 0;
		size_t k = 0;

		while (k < ARRAY_LEN(clocks) && strcmp(e->name, clocks[k]))
			k++;
		if (k == ARRAY_LEN(clocks)) {
			json_fail(e, "a time namespace offsets only the "
				  "monotonic and boottime clocks");
			return false;
		}
		if (!json_is(e, JSON_OBJECT) ||
		    (secs != NULL && !json_integer(secs, INT64_MIN,
						   INT64_MAX, &s)) ||
		    (nanos != NULL && !json_unsigned(nanos, 999999999, &n)))
			return false;
		/* Two lines at most (the reader refuses a name twice),
		 * of 41 bytes at most each. */
		used += (size_t)snprintf(c->time_offsets + used,
					 sizeof(c->time_offsets) - used,
					 "%s %" PRId64 " %" PRIu64 "\n",
					 clocks[k], s, n);
	}
	return true;
}

/* CONFIG's linux (LINUX_NODE), and the mounts, which are read with it
 * for they need its namespaces. */
static bool read_linux(const struct json *config,
		       const struct json *linux_node, struct bundle_config *c)
{
	if (linux_node != NULL && !json_is(linux_node, JSON_OBJECT))
		return false;
	return read_namespaces(linux_node, c) &&
	       read_id_map(linux_node, "uidMappings", &c->uids) &&
	       read_id_map(linux_node, "gidMappings", &c->gids) &&
	       check_id_maps(linux_node, c) &&
	       read_uts_name(config, "hostname", c, &c->hostname) &&
	       read_uts_name(config, "domainname", c, &c->domainname) &&
	       read_sysctl(linux_node, c) && read_time_offsets(linux_node, c) &&
	       read_resources(linux_node, c) &&
	       allow_default_devices(json_member(json_member(linux_node,
			"resources"), "devices"), c) &&
	       read_devices(linux_node, c) &&
	       read_cgroups_path(linux_node, c) &&
	       read_seccomp(linux_node, c) &&
	       refuse_unapplied_linux(linux_node) &&
	       read_mounts(config, c) &&
	       read_paths(linux_node, "maskedPaths", &c->masked) &&
	       read_paths(linux_node, "readonlyPaths", &c->readonly) &&
	       read_root_propagation(linux_node, c) &&
	       check_mount_namespace(config, linux_node, c);
}

/* CONFIG's annotations into C: config.md says each value MUST be a
 * string, and each key a string that is not empty (its "Annotations").
 * The runtime passes them on in the state (state_json()), and does
 * nothing else with them. */
static bool read_annotations(const struct json *config,
			     struct bundle_config *c)
{
	const struct json *a;

	if (!json_first(config, "annotations", JSON_OBJECT, &a))
		return false;
	c->annotations = a;
	for (; a != NULL; a = a->next) {
		if (a->name[0] == '\0') {
			json_fail(a, "an annotation needs a name");
			return false;
		}
		if (!json_is(a, JSON_STRING))
			return false;
	}
	return true;
}

/* Is V a SemVer version (semver.org: MAJOR.MINOR.PATCH, numbers with
 * no leading zero, then perhaps -PRERELEASE or +BUILD) of major 1? */
static bool is_version_1(const char *v)
{
	if (strncmp(v, "1.", 2) != 0)
		return false;
	v += 2;
	for (int part = 0; part < 2; part++) {
		size_t digits = strspn(v, "0123456789");

		if (digits == 0 || (digits > 1 && v[0] == '0'))
			return false;
		v += digits;
		if (part == 0 && *v++ != '.')
			return false;
	}
	return *v == '\0' || *v == '-' || *v == '+';
}

/* CONFIG's ociVersion, root, hostname, domainname, hooks, mounts,
 * annotations and linux (namespaces, id maps, sysctls, resources,
 * devices, cgroupsPath, seccomp, masked and read-only paths, the root's
 * propagation) into *C;
 * free_bundle_config() frees it, even after a failure. False, with
 * json_error naming the value, if one is missing, malformed, or asks
 * for what this runtime cannot do. */
static bool read_bundle_config(const struct json *config,
			       struct bundle_config *c)
{
	const struct json *version = json_member(config, "ociVersion");
	const struct json *root = json_member(config, "root");
	const struct json *path = json_member(root, "path");
	const struct json *readonly = json_member(root, "readonly");
	const struct json *linux_node = json_member(config, "linux");
	const char *v;

	memset(c, 0, sizeof(*c));
	/* config.md: ociVersion is REQUIRED, in SemVer; this runtime knows
	 * the specification's version 1, and a 2 may mean anything. */
	if (version == NULL || root == NULL) {
		json_fail(config, "needs ociVersion and root");
		return false;
	}
	if (!json_string(version, &v) || !json_is(root, JSON_OBJECT))
		return false;
	if (!is_version_1(v)) {
		json_fail(version, "%s is no version 1.x.y of the "
			  "specification, which this runtime knows", v);
		return false;
	}
	if (path == NULL) {
		json_fail(root, "needs a path");
		return false;
	}
	if (!json_string(path, &c->root) ||
	    (readonly != NULL && !json_boolean(readonly, &c->root_readonly)))
		return false;
	if (c->root[0] == '\0') {
		json_fail(path, "expected a path");
		return false;
	}
	return read_linux(config, linux_node, c) && read_hooks(config, c) &&
	       read_annotations(config, c);
}
#endif /* STAGE >= 10 */

/* ------------------------------------------------------------------ */
/* The child's sequence                                               */
/* ------------------------------------------------------------------ */

/* The child: clone() starts it here, already inside its new
 * namespaces. Each line is one step; the order is the kernel's. */
static int child_main(void *arg)
{
	const struct config *cfg = arg;

	in_child = true;              /* die() must not undo the parent's */
	take_default_signals();       /* ours would swallow them */
	close(cfg->parents_end);      /* so EOF means the parent is gone */
	die_with_parent(cfg);
	wait_for_go(cfg->channel);
#if STAGE >= 5
	become_root(cfg);             /* the maps are written by now */
	die_with_parent(cfg);         /* again: new credentials forget it */
#endif
#if STAGE >= 6
	enter_cgroup_namespace(cfg);  /* it is in its cgroup by now */
#endif
#if STAGE >= 7
	configure_network(cfg);       /* its eth0 is there by now */
#endif
#if STAGE >= 2
	set_hostname(cfg);
#endif
#if STAGE >= 3
	make_mounts_private(cfg);     /* before any mount of ours */
#endif
#if STAGE >= 4
	bind_rootfs_onto_itself(cfg); /* pivot_root needs a mount point */
#endif
#if STAGE >= 3
	mount_proc(cfg);              /* while the host's /proc is there */
#endif
#if STAGE >= 4
	make_dev(cfg);
	mount_sys(cfg);
#endif
#if STAGE >= 6
	mount_cgroup2(cfg);           /* on /sys, so after it */
#endif
#if STAGE >= 4
	mount_volumes(cfg);
	pivot_into_rootfs(cfg);       /* the host's paths go away */
	set_clean_environment(cfg);
	take_own_terminal(cfg);       /* in the container's own /dev */
#endif
#if STAGE >= 8
	mask_kernel_files(cfg);       /* while it may still mount */
	close_inherited_fds(cfg);
	drop_capabilities(cfg);
	set_no_new_privs(cfg);
	install_seccomp_filter(cfg);  /* last: it refuses mount() */
#endif
#if STAGE >= 1
	if (cfg->init)
		become_init(cfg);     /* returns in the command only */
#endif
	exec_command(cfg);
	return EXIT_RUNTIME_ERROR;    /* not reached */
}

/* ------------------------------------------------------------------ */
/* The parent's sequence                                              */
/* ------------------------------------------------------------------ */

/* Parent: start the child. clone(2) is fork(2) with a say in what the
 * child shares: each CLONE_NEW* flag gives it a new namespace of one
 * kind. SIGCHLD makes it a child waitpid() can wait for, as fork's. */
static pid_t spawn_child(struct config *cfg, char *stack)
{
	int flags = SIGCHLD;
	pid_t pid;

	/* #region clone_flags */
#if STAGE >= 1
	flags |= CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
		 CLONE_NEWNET | CLONE_NEWCGROUP;
#endif
#if STAGE >= 5
	flags |= CLONE_NEWUSER;       /* first: it owns all the others */
#endif
#if STAGE >= 6
	flags &= ~CLONE_NEWCGROUP;    /* the child makes it, in its cgroup */
#endif
	/* #endregion clone_flags */
#if STAGE >= 1
	show_unshare(flags, cfg);
#endif
	show_step("clone a child for %s", cfg->argv[0]);
#if STAGE >= 6
	pid = clone_into_cgroup(cfg, flags, stack);
#else
	/* The stack grows down on every machine we run on: pass its top. */
	pid = clone(child_main, stack + CHILD_STACK_BYTES, flags, cfg);
#endif
	if (pid < 0)
		die("clone");
	return pid;
}

/* Parent, before the child exists: what it will need ready on the
 * host. The name comes first (stage 9), so that a second container of
 * the same name stops here, before it has touched anything. */
static void prepare_host(struct config *cfg, int terminal[2])
{
#if STAGE >= 9
	claim_name(cfg);              /* locked until we exit */
#endif
#if STAGE >= 4
	make_mount_points(cfg);
	plan_terminal(cfg, terminal); /* a pty, if the caller has a terminal */
#else
	(void)cfg;
	(void)terminal;
#endif
#if STAGE >= 6
	make_cgroup(cfg);             /* with its limits, before the child */
#endif
#if STAGE >= 7
	if (cfg->network)
		claim_address(cfg);
#endif
}

/* Parent, once the child exists and waits for "go": what needs its
 * pid. */
static void prepare_child(struct config *cfg, pid_t pid)
{
#if STAGE >= 5
	write_id_maps(cfg, pid);
#endif
#if STAGE >= 6
	join_cgroup(cfg, pid);        /* unless clone3() put it there */
#endif
#if STAGE >= 7
	if (cfg->network)
		connect_container(cfg, pid);
#endif
	(void)cfg;
	(void)pid;
}

/* #region undo */
/* The container being set up or run, for undo_set_up(); NULL once
 * undone, and in every other command. */
static struct config *to_undo;

/* Parent: undo what run_container() set up, once: give the terminal
 * its settings back, then, last made first, remove the veth and give
 * the address back (stage 7), remove the cgroup (stage 6), and give
 * the name back (stage 9), last, so that no other runtime takes it
 * while anything of ours is left. run_container() calls it when the
 * child has ended; when a step fails, die() reaches it through exit(),
 * as the runtime's one exit handler (atexit(3)). Each step undoes only
 * what the config holds as ours, never another runtime's. */
static void undo_set_up(void)
{
	struct config *cfg = to_undo;

	if (cfg == NULL)
		return;
	to_undo = NULL;
	restore_terminal();
#if STAGE >= 7
	disconnect_container(cfg);
#endif
#if STAGE >= 6
	remove_cgroup(cfg);           /* and say if the OOM killer struck */
#endif
#if STAGE >= 9
	release_name(cfg);
#endif
}
/* #endregion undo */

/* Parent: run one container from start to end and return the exit
 * code for `container run`. */
static int run_container(struct config *cfg)
{
	int channel[2], terminal[2] = { -1, -1 }, setup_failed, status;
	sigset_t mask;
#if STAGE >= 4
	int master;
#endif
	/* The child's stack, on ours: the child gets a copy of all our
	 * memory (no CLONE_VM), this array included, and runs on its
	 * copy until it execs. */
	_Alignas(16) char stack[CHILD_STACK_BYTES];

	to_undo = cfg;                /* whatever fails from here on */
	if (atexit(undo_set_up) != 0)
		die_with(ENOMEM, "atexit");
	forward_signals();            /* from here on, none is lost */
	save_terminal();
	prepare_host(cfg, terminal);
	make_channel(channel);
	cfg->parents_end = channel[0];
	cfg->channel = channel[1];
	hold_signals(&mask);
	child_pid = spawn_child(cfg, stack);
	release_signals(&mask);       /* and pass on one that came early */
	close(channel[1]);            /* or EOF would never come */
#if STAGE >= 4
	if (terminal[1] >= 0)
		close(terminal[1]);   /* the same for the terminal's */
#endif
	prepare_child(cfg, child_pid);
	send_go(channel[0]);
#if STAGE >= 4
	master = receive_terminal(terminal[0]);  /* -1: none */
#endif
	setup_failed = wait_for_exec(channel[0]);
	close(channel[0]);
#if STAGE >= 9
	if (!setup_failed)
		write_state(cfg, child_pid);  /* ps and exec may see it now */
#endif
#if STAGE >= 4
	relay_terminal(cfg, master);  /* until the container's side closes */
#endif
	status = wait_for_child(child_pid);
	child_pid = 0;                /* its pid is free for reuse now */
	undo_set_up();
	return setup_failed ? setup_failed : status;
}

/* ------------------------------------------------------------------ */
/* container check: does this machine offer what each stage needs?    */
/* ------------------------------------------------------------------ */

/* Print one line of the report: what is checked and, when it fails,
 * why and what to do. Returns whether the check passed. */
static bool report(int stage, const char *what, int error,
		   const char *checked, const char *advice)
{
	printf("stage %d  %-16s %-4s  %s", stage, what,
	       error ? "FAIL" : "ok", checked);
	if (error)
		printf(": %s: %s", strerror(error), advice);
	printf("\n");
	return error == 0;
}

#if STAGE >= 1
/* The answer of a throw-away child PID, just forked (-1: fork failed,
 * errno says why), that tried something and ended with 0 or the
 * errno; EINTR if a signal ended it. */
static int probe_answer(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

/* Try unshare(FLAG) in a throw-away child; return 0 or the errno. */
static int probe_unshare(int flag)
{
	pid_t pid = fork();

#if STAGE >= 5
	if (geteuid() != 0)
		flag |= CLONE_NEWUSER; /* rootless: it lets the others be */
#endif
	if (pid == 0)
		_exit(unshare(flag) == 0 ? 0 : errno);
	return probe_answer(pid);
}

/* Stage 1 needs every namespace, which needs root. */
static bool check_namespaces(void)
{
	int flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS |
		    CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
	int error = probe_unshare(flags);

	return report(1, "namespaces", error, "uts pid mnt ipc net cgroup",
		      error == EPERM ? "run as root (sudo)" :
		      "this kernel lacks a namespace: see namespaces(7)");
}
#endif /* STAGE >= 1 */

#if STAGE >= 3
/* Is a filesystem TYPE known to the kernel? proc(5) /proc/filesystems */
static int has_filesystem(const char *type)
{
	char line[128], want[64];
	FILE *f = fopen("/proc/filesystems", "r");
	int error = ENODEV;

	if (f == NULL)
		return errno;
	snprintf(want, sizeof(want), "\t%s\n", type);
	while (error && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL)
			error = 0;
	fclose(f);
	return error;
}

/* mount --make-rprivate / (and stage 4's pivot_root) fails inside a
 * chroot, where "/" is a directory and not a mount point: is there a
 * mount on "/"? proc_pid_mountinfo(5) */
static int root_is_mount_point(void)
{
	char line[4096], point[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int error = EINVAL;

	if (f == NULL)
		return errno;
	while (error && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 &&
		    strcmp(point, "/") == 0)
			error = 0;
	fclose(f);
	return error;
}
#endif /* STAGE >= 3 */

#if STAGE >= 5
/* Read the number in the file PATH; -1 when there is none. */
static long read_number(const char *path)
{
	long value = -1;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

/* Try to make a user namespace as an unprivileged user (nobody, when
 * we are root): returns 0 or the errno. */
static int probe_user_namespace(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 ||
				       setresgid(65534, 65534, 65534) < 0 ||
				       setresuid(65534, 65534, 65534) < 0))
			_exit(errno);
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
	}
	return probe_answer(pid);
}

/* Which knob forbids unprivileged user namespaces, and how to turn
 * it: the sysctls of mainline, Debian's older kernels and Ubuntu's
 * AppArmor. */
static const char *user_namespace_blocker(void)
{
	if (read_number("/proc/sys/user/max_user_namespaces") == 0)
		return "user.max_user_namespaces is 0: "
		       "sysctl -w user.max_user_namespaces=10000";
	if (read_number("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return "kernel.unprivileged_userns_clone is 0: "
		       "sysctl -w kernel.unprivileged_userns_clone=1";
	if (read_number("/proc/sys/kernel/"
			"apparmor_restrict_unprivileged_userns") == 1)
		return "AppArmor restricts them: sysctl -w "
		       "kernel.apparmor_restrict_unprivileged_userns=0";
	return "a security module or a seccomp filter forbids them";
}
#endif /* STAGE >= 5 */

#if STAGE >= 6
/* Stage 6 needs each controller in cgroup v2, not bound to v1. */
static bool check_cgroups(void)
{
	const char *root = find_cgroup2();
	char what[64];
	bool ok = true;

	for (size_t i = 0; i < ARRAY_LEN(controllers); i++) {
		const char *blocker = controller_blocker(root, &controllers[i]);

#if STAGE >= 10
		/* Only a config's cpu.cpus or mems needs it, not stage 6. */
		if (strcmp(controllers[i].name, "cpuset") == 0)
			continue;
#endif
		snprintf(what, sizeof(what), "the %s controller",
			 controllers[i].name);
		ok &= report(6, "cgroup v2", blocker ? EOPNOTSUPP : 0, what,
			     blocker ? blocker : "");
	}
	return ok;
}
#endif /* STAGE >= 6 */

#if STAGE >= 7
/* Can this kernel make a bridge and a veth pair? Tried in a throw-away
 * network namespace (and a user namespace, when we are not root), so
 * the host sees nothing of it. Returns 0 or the errno. */
static int probe_network(void)
{
	int fd, answer;
	pid_t pid = fork();

	if (pid == 0) {
		int flags = CLONE_NEWNET | (geteuid() ? CLONE_NEWUSER : 0);

		if (unshare(flags) < 0 || (fd = nl_open()) < 0)
			_exit(errno);
		answer = nl_add_bridge(fd, "probe0");
		if (answer == 0)
			answer = nl_add_veth(fd, "probe1",
					     (int)if_nametoindex("probe0"),
					     getpid());
		_exit(-answer);
	}
	return probe_answer(pid);
}
#endif /* STAGE >= 7 */

/* `container check`: one line per stage; exit 0 when all pass. */
static int check_machine(void)
{
	bool ok = true;

	ok &= report(0, "a process", 0, "clone(2), waitpid(2)", "");
#if STAGE >= 1
	ok &= check_namespaces();
#endif
#if STAGE >= 2
	ok &= report(2, "hostname", probe_unshare(CLONE_NEWUTS),
		     "a uts namespace", "run as root (sudo)");
#endif
#if STAGE >= 3
	ok &= report(3, "/proc", has_filesystem("proc"), "procfs",
		     "a kernel built with CONFIG_PROC_FS");
	ok &= report(3, "/proc", root_is_mount_point(),
		     "/ is a mount point (private mounts and pivot_root "
		     "need one)",
		     "run from the real root, not from inside a chroot");
#endif
#if STAGE >= 4
	ok &= report(4, "root filesystem", has_filesystem("devpts"),
		     "devpts for /dev/pts",
		     "a kernel built with CONFIG_UNIX98_PTYS");
#endif
#if STAGE >= 5
	ok &= report(5, "user namespace", probe_user_namespace(),
		     "unprivileged users may make user namespaces "
		     "(rootless)", user_namespace_blocker());
#endif
#if STAGE >= 6
	ok &= check_cgroups();
#endif
#if STAGE >= 7
	ok &= report(7, "network", probe_network(), "veth pairs and bridges",
		     "a kernel with veth and bridge: modprobe veth bridge");
#endif
#if STAGE >= 8
	ok &= report(8, "hardening", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 ?
		     errno : 0, "seccomp filters",
		     "a kernel built with CONFIG_SECCOMP_FILTER");
#endif
	return ok ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* The command line                                                   */
/* ------------------------------------------------------------------ */

static const char usage_text[] =
	"usage: container run [OPTIONS] ROOTFS COMMAND [ARG...]\n"
	"       container check\n"
#if STAGE >= 9
	"       container ps\n"
	"       container exec [--verbose] NAME COMMAND [ARG...]\n"
	"       container stop [--timeout SECONDS] NAME\n"
	"       container kill [--signal SIGNAL] NAME [SIGNAL]\n"
	"       container cleanup [NAME]\n"
#endif
#if STAGE >= 10
	"       container [--root DIR] [--log FILE] [--log-format text|json]\n"
	"                 [--debug] create [--bundle DIR] [--pid-file FILE]\n"
	"                 [--console-socket PATH] [--preserve-fds N]\n"
	"                 [--no-new-keyring] ID\n"
	"       container [GLOBAL OPTIONS] start | state ID\n"
	"       container [GLOBAL OPTIONS] exec [--process FILE] [--detach]\n"
	"                 [--pid-file FILE] [--console-socket PATH] [--tty]\n"
	"                 [--preserve-fds N] ID [COMMAND [ARG...]]\n"
	"       container [GLOBAL OPTIONS] kill [--all] ID [SIGNAL]\n"
	"       container [GLOBAL OPTIONS] delete [--force] ID\n"
#endif
	"       container --help | --version\n"
	"\n"
	"Run COMMAND in a container made of ROOTFS (a directory).\n"
	"\n"
	"Options of run:\n"
	"      --name NAME        the container's name (default: generated)\n"
#if STAGE >= 2
	"  -h, --hostname NAME    its hostname (default: its name)\n"
#endif
#if STAGE >= 4
	"  -v, --volume HOST:CONTAINER[:ro]\n"
	"                         bind-mount a host path into it\n"
#endif
#if STAGE >= 5
	"      --uidmap CONTAINER:HOST:COUNT\n"
	"                         map uids (repeatable; default: 0-65535\n"
	"                         onto root's /etc/subuid range or 100000,\n"
	"                         or 0 onto your own uid when not root)\n"
	"      --gidmap CONTAINER:HOST:COUNT\n"
	"                         map gids (default: as --uidmap)\n"
#endif
#if STAGE >= 6
	"      --memory SIZE      memory limit: 64m, 1g (b, k, m, g)\n"
	"      --memory-swap SIZE memory plus swap (default: no swap,\n"
	"                         unlike Docker's; -1: swap without limit)\n"
	"      --cpus N           CPU time, in CPUs: 0.5 is half of one\n"
	"      --pids-limit N     at most N processes and threads\n"
	"      --device-read-bps DISK:RATE, --device-write-bps DISK:RATE\n"
	"                         read or write at most RATE bytes a\n"
	"                         second on DISK: /dev/vda:1mb\n"
	"      --device-read-iops DISK:N, --device-write-iops DISK:N\n"
	"                         at most N reads or writes a second\n"
	"      (limits need cgroup v2: `container check` tells)\n"
#endif
#if STAGE >= 7
	"      --network bridge|none\n"
	"                         bridge (root's default): eth0 on the\n"
	"                         host's bridge " BRIDGE_NAME ", "
	SUBNET_PREFIX "0/24;\n"
	"                         none: only lo\n"
	"      --ip ADDRESS       its address on the bridge (default: the\n"
	"                         first free one from " SUBNET_PREFIX "2)\n"
#endif
#if STAGE >= 8
	"      --cap-add CAP, --cap-drop CAP\n"
	"                         keep or drop a capability besides\n"
	"                         Docker's default list: NET_ADMIN,\n"
	"                         SYS_TIME, ... (capabilities(7)); ALL\n"
	"      --security-opt seccomp=unconfined\n"
	"                         no seccomp filter (no_new_privs stays)\n"
#endif
#if STAGE >= 1
	"      --init             a tiny init as PID 1: passes signals on,\n"
	"                         reaps zombies\n"
#endif
	"      --stop-timeout S   after a signal is passed on, wait S\n"
	"                         seconds, then SIGKILL (default: 10)\n"
	"      --verbose          print each step as a shell command\n"
	"\n"
	"Exit status: COMMAND's own; 128+N if signal N killed it; 125 if\n"
	"the container could not be made; 126 if COMMAND cannot be run;\n"
	"127 if COMMAND was not found.\n";

/* Names have to be usable later as parts of file and interface names:
 * a letter or digit first, then letters, digits, '_', '.' or '-'. */
static bool valid_name(const char *name, size_t max)
{
	size_t n = strlen(name);

	if (n == 0 || n > max || name[0] == '-' || name[0] == '.' ||
	    name[0] == '_')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* A name for a container started without --name: "c-" and 8 hex
 * digits from the kernel's random pool. getrandom(2). */
static void generate_name(struct config *cfg)
{
	unsigned int r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		die("getrandom");
	snprintf(cfg->name, sizeof(cfg->name), "c-%08x", r);
}

#if STAGE >= 4
/* Parse one --volume HOST:CONTAINER[:ro|:rw] into the next slot. */
static void parse_volume(struct config *cfg, char *spec)
{
	struct volume *v = &cfg->volumes[cfg->volume_count];
	char *host = spec, *target = strchr(spec, ':'), *mode = NULL;

	if (cfg->volume_count == MAX_VOLUMES)
		refuse("--volume: at most %d volumes", MAX_VOLUMES);
	if (target != NULL)
		mode = strchr(target + 1, ':');
	/* Judge the whole text before cutting it, so the error shows it. */
	if (target == NULL || target == spec || target[1] != '/' ||
	    (mode != NULL && strcmp(mode, ":ro") && strcmp(mode, ":rw")))
		refuse("--volume '%s': expected HOST:/CONTAINER[:ro]", spec);
	*target++ = '\0';
	if (mode != NULL)
		*mode++ = '\0';
	if (strstr(target, "/../") || strcmp(target + strlen(target) - 3,
						"/..") == 0)
		refuse("--volume '%s': no '..' in the container path", target);
	if (realpath(host, v->host) == NULL)
		die("--volume: host path %s", host);
	v->target = target;
	v->read_only = mode != NULL && strcmp(mode, "ro") == 0;
	cfg->volume_count++;
}
#endif /* STAGE >= 4 */

#if STAGE >= 5
/* Read a decimal id at *p, at most 2^32 - 1, and step past it. */
static bool read_id(const char **p, unsigned long long *id)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*id = strtoull(*p, &end, 10);
	*p = end;
	return errno == 0 && *id <= UINT32_MAX;
}

/* Parse one --uidmap or --gidmap CONTAINER:HOST:COUNT into MAP. The
 * kernel takes ids below 2^32 - 1 and at most 340 lines. */
static void parse_id_range(struct id_map *map, const char *option,
			   const char *spec)
{
	unsigned long long inside, outside, count;
	const char *p = spec;

	if (!read_id(&p, &inside) || *p++ != ':' ||
	    !read_id(&p, &outside) || *p++ != ':' ||
	    !read_id(&p, &count) || *p != '\0')
		refuse("%s '%s': expected CONTAINER:HOST:COUNT", option, spec);
	if (count == 0 || inside + count > UINT32_MAX ||
	    outside + count > UINT32_MAX)
		refuse("%s '%s': COUNT must be 1 or more, ids below %u", option,
		       spec, UINT32_MAX);
	if (map->count == MAX_ID_MAP_LINES)
		refuse("%s: at most %d lines", option, MAX_ID_MAP_LINES);
	map->lines[map->count++] = (struct id_range){ inside, outside,
						      count };
}

/* How long MAP is as the text written to uid_map. */
static size_t map_text_length(const struct id_map *map)
{
	size_t length = 0;

	for (int i = 0; i < map->count; i++)
		length += snprintf(NULL, 0, "%u %u %u\n", map->lines[i].inside,
				   map->lines[i].outside, map->lines[i].count);
	return length;
}

/* Does a line of MAP give an id to 0 inside, the container's root? */
static bool maps_root(const struct id_map *map)
{
	for (int i = 0; i < map->count; i++)
		if (map->lines[i].inside == 0)
			return true;
	return false;
}

/* Do ranges [a, a + n) and [b, b + m) share an id? */
static bool ranges_overlap(unsigned int a, unsigned int n,
			   unsigned int b, unsigned int m)
{
	return (unsigned long long)a < (unsigned long long)b + m &&
	       (unsigned long long)b < (unsigned long long)a + n;
}

/* Refuse what the kernel would refuse, with a clearer word: two lines
 * sharing an id inside or outside, a map of a page or more; for anyone
 * but root, any map but the caller's own id, alone. And a map with no
 * root inside, which the child could not become. */
static void check_id_map(const struct id_map *map, const char *option,
			 unsigned int own_id)
{
	const struct id_range *l = map->lines;

	for (int i = 0; i < map->count; i++)
		for (int j = i + 1; j < map->count; j++)
			if (ranges_overlap(l[i].inside, l[i].count,
					   l[j].inside, l[j].count) ||
			    ranges_overlap(l[i].outside, l[i].count,
					   l[j].outside, l[j].count))
				refuse("%s: lines %d and %d overlap", option,
				       i + 1, j + 1);
	if (!maps_root(map))
		refuse("%s: no line maps 0: root inside needs 0:HOST:COUNT",
		       option);
	if (map_text_length(map) >= MAP_TEXT_MAX_BYTES)
		refuse("%s: the map is longer than the %d bytes the kernel "
		       "takes", option, MAP_TEXT_MAX_BYTES - 1);
	if (geteuid() != 0 && (map->count != 1 || l[0].outside != own_id ||
			       l[0].count != 1))
		refuse("%s: without root you may map only your own id: "
		       "0:%u:1", option, own_id);
}

/* The default map: for root, ids 0..65535 onto the first range that
 * FILE (/etc/subuid or /etc/subgid) gives root, or onto 100000 on;
 * for anyone else, 0 onto their own id alone. subuid(5). */
static void default_id_map(struct id_map *map, const char *file,
			   unsigned int own_id)
{
	unsigned int start = DEFAULT_ID_BASE, count = DEFAULT_ID_COUNT;
	char line[256], name[64];
	unsigned int first, n;
	FILE *f;

	map->count = 1;
	if (geteuid() != 0) {
		map->lines[0] = (struct id_range){ 0, own_id, 1 };
		return;
	}
	f = fopen(file, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63[^:]:%u:%u", name, &first, &n) == 3 &&
		    (strcmp(name, "root") == 0 || strcmp(name, "0") == 0)) {
			start = first;
			count = n < count ? n : count;
			break;
		}
	if (f != NULL)
		fclose(f);
	map->lines[0] = (struct id_range){ 0, start, count };
}

/* Settle both maps once the options are read. */
static void resolve_id_maps(struct config *cfg)
{
	if (cfg->gids.count == 0 && cfg->uids.count > 0 &&
	    geteuid() == 0)
		cfg->gids = cfg->uids;    /* podman's rule: as the uids */
	if (cfg->uids.count == 0)
		default_id_map(&cfg->uids, "/etc/subuid", geteuid());
	if (cfg->gids.count == 0)
		default_id_map(&cfg->gids, "/etc/subgid", getegid());
	check_id_map(&cfg->uids, "--uidmap", geteuid());
	check_id_map(&cfg->gids, "--gidmap", getegid());
}
#endif /* STAGE >= 5 */

/* Check ROOTFS and store its absolute path: every later step, and
 * pivot_root above all, wants one. */
static void resolve_rootfs(struct config *cfg, const char *rootfs)
{
	struct stat st;

	if (stat(rootfs, &st) < 0)
		die("rootfs %s", rootfs);
	if (!S_ISDIR(st.st_mode))
		die_with(ENOTDIR, "rootfs %s", rootfs);
	if (realpath(rootfs, cfg->rootfs) == NULL)
		die("rootfs %s", rootfs);
}

/* An error in the command line: one line, exit 125. */
__attribute__((noreturn))
static void bad_usage(const char *what, const char *arg)
{
	refuse("%s%s%s (see container --help)", what, arg ? " " : "",
	       arg ? arg : "");
}

/* A bad value for OPTION, in one line: "--cpus wants ..., not abc". */
__attribute__((noreturn))
static void bad_value(const char *option, const char *words,
		      const char *value)
{
	refuse("%s %s%s%s (see container --help)", option, words,
	       value ? " " : "", value ? value : "");
}

#if STAGE >= 6
/* The options of stage 6, for getopt_long(). */
enum {
	OPT_MEMORY = 400, OPT_MEMORY_SWAP, OPT_CPUS, OPT_PIDS_LIMIT,
	OPT_DEVICE_READ_BPS, OPT_DEVICE_WRITE_BPS, OPT_DEVICE_READ_IOPS,
	OPT_DEVICE_WRITE_IOPS,
};

/* Parse a size as Docker does: digits, maybe a decimal part, then
 * maybe a unit, b, k, m, g or t (powers of 1024), and a "b" or "ib":
 * "64m", "64mb", "1.5g". No sign, not 0, not past 64 bits. */
static unsigned long long parse_size(const char *option, const char *text)
{
	static const char units[] = "bkmgt";
	unsigned long long whole = 0, part = 0, scale = 1, unit = 1, bytes;
	const char *p = text, *u;

	for (; isdigit((unsigned char)*p); p++)
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, *p - '0', &whole))
			bad_value(option, "is too large:", text);
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			if (scale < 1000000) {   /* 6 decimals are plenty */
				part = part * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
	if (*p != '\0' && (u = strchr(units, tolower(*p))) != NULL) {
		for (const char *q = units; q < u; q++)
			unit *= 1024;
		p++;
		if (u != units && tolower(*p) == 'i')
			p++;
		if (u != units && tolower(*p) == 'b')
			p++;
	}
	if (!isdigit((unsigned char)*text) || *p != '\0')
		bad_value(option, "wants a size such as 64m (b, k, m, g), not",
			  text);
	if (__builtin_mul_overflow(whole, unit, &bytes) ||
	    __builtin_add_overflow(bytes, part * unit / scale, &bytes))
		bad_value(option, "is too large:", text);
	if (bytes == 0)
		bad_value(option, "wants more than 0 bytes, not", text);
	return bytes;
}

/* Parse a count: a whole number from 1 to MAX. */
static unsigned long parse_count(const char *option, const char *text,
				 unsigned long max)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end != '\0' || n == 0)
		bad_value(option, "wants a whole number, 1 or more, not", text);
	if (errno == ERANGE || n > max)
		bad_value(option, "is too large:", text);
	return n;
}

/* Parse --cpus, a decimal number of CPUs, into a quota of microseconds
 * per CPU_PERIOD_US: "0.5" is 50000. From 0.01 (a quota of 1 ms, the
 * kernel's smallest) up to the CPUs this machine has. */
static unsigned long parse_cpus(const char *text)
{
	unsigned long whole, part = 0, scale = 1, cpus, quota;
	char message[96];
	char *end;
	cpu_set_t set;                /* the CPUs we may run on */

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		die("sched_getaffinity");
	cpus = (unsigned long)CPU_COUNT(&set);
	errno = 0;
	whole = strtoul(text, &end, 10);
	if (*end == '.')
		for (end++; isdigit((unsigned char)*end); end++) {
			if (scale == CPU_PERIOD_US)
				bad_value("--cpus", "takes at most 5 decimals, "
					  "not", text);
			part = part * 10 + (unsigned long)(*end - '0');
			scale *= 10;
		}
	if (!isdigit((unsigned char)*text) || *end != '\0')
		bad_value("--cpus", "wants a number of CPUs such as 0.5, not",
			  text);
	snprintf(message, sizeof(message), "wants 0.01 to %lu (the CPUs "
		 "this machine has), not", cpus);
	if (errno == ERANGE || whole > cpus)  /* before it can overflow */
		bad_value("--cpus", message, text);
	quota = whole * CPU_PERIOD_US + part * (CPU_PERIOD_US / scale);
	if (quota > cpus * CPU_PERIOD_US || quota < 1000)
		bad_value("--cpus", message, text);
	return quota;
}

/* Parse --memory-swap: memory plus swap, as Docker counts it, or -1
 * for no limit on swap. */
static void parse_memory_swap(struct limits *l, const char *text)
{
	l->swap_unlimited = strcmp(text, "-1") == 0;
	if (!l->swap_unlimited)
		l->memory_swap_bytes = parse_size("--memory-swap", text);
}

/* Check the memory options together: --memory at least Docker's 6 MiB
 * (less leaves no room to start a program); --memory-swap needs
 * --memory and may not be less. memory.swap.max gets the difference. */
static void check_memory_limits(struct limits *l)
{
	if (l->memory_bytes != 0 && l->memory_bytes < MIN_MEMORY_BYTES)
		bad_value("--memory", "wants 6m or more, not",
			  l->memory_option);
	if ((l->memory_swap_bytes || l->swap_unlimited) && !l->memory_bytes)
		bad_value("--memory-swap", "needs --memory too", NULL);
	if (l->memory_swap_bytes && l->memory_swap_bytes < l->memory_bytes)
		bad_value("--memory-swap", "counts memory plus swap: it "
			  "cannot be less than --memory", NULL);
	if (l->memory_swap_bytes)
		l->swap_bytes = l->memory_swap_bytes - l->memory_bytes;
}

/* The disk, /dev/NAME, that the partition with numbers MAJOR:MINOR is
 * on: sysfs puts a partition's directory inside its disk's. */
static void find_disk(unsigned int major, unsigned int minor,
		      char disk[PATH_MAX])
{
	char path[64], real[PATH_MAX], *slash;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major, minor);
	strcpy(disk, "the whole disk");
	if (realpath(path, real) == NULL || (slash = strrchr(real, '/')) ==
	    NULL)
		return;
	*slash = '\0';
	snprintf(disk, PATH_MAX, "/dev/%s", strrchr(real, '/') + 1);
}

/* Parse --device-read-bps and its kin, DEVICE:RATE, into DEVICE's
 * io.max line. WHICH is the column: 0 rbps, 1 wbps, 2 riops, 3 wiops.
 * DEVICE must be a whole disk: io.max refuses partitions. */
static void parse_device_limit(struct limits *l, const char *option,
			       char *spec, int which)
{
	char *colon = strrchr(spec, ':'), path[64], disk[PATH_MAX];
	unsigned long long value;
	struct device_limit *d;
	struct stat st;

	if (colon == NULL || colon == spec)
		bad_value(option, "wants DEVICE:RATE, such as /dev/vda:1mb, "
			  "not", spec);
	*colon = '\0';
	value = which < 2 ? parse_size(option, colon + 1) :
		parse_count(option, colon + 1, ULONG_MAX);
	if (stat(spec, &st) < 0)
		die("%s %s", option, spec);
	if (!S_ISBLK(st.st_mode))
		refuse("%s %s: not a block device", option, spec);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition",
		 major(st.st_rdev), minor(st.st_rdev));
	find_disk(major(st.st_rdev), minor(st.st_rdev), disk);
	if (access(path, F_OK) == 0)
		refuse("%s %s: a partition; io.max limits whole disks: give %s",
		       option, spec, disk);
	d = device_limit_of(l, major(st.st_rdev), minor(st.st_rdev));
	if (d == NULL)
		refuse("%s %s: limits for at most %d disks", option, spec,
		       MAX_DEVICES);
	snprintf(d->rate[which], sizeof(d->rate[which]), "%llu", value);
}

/* Take one of stage 6's options, if OPT is one: parse its VALUE into
 * the limits. */
static bool take_limit_option(struct config *cfg, int opt, char *value)
{
	static const char *const device_options[] = {
		"--device-read-bps", "--device-write-bps",
		"--device-read-iops", "--device-write-iops",
	};
	struct limits *l = &cfg->limits;

	if (opt < OPT_MEMORY || opt > OPT_DEVICE_WRITE_IOPS)
		return false;
	l->any = true;
	if (opt == OPT_MEMORY) {
		l->memory_option = value;
		l->memory_bytes = parse_size("--memory", value);
	} else if (opt == OPT_MEMORY_SWAP) {
		parse_memory_swap(l, value);
	} else if (opt == OPT_CPUS) {
		l->cpu_quota_us = parse_cpus(value);
	} else if (opt == OPT_PIDS_LIMIT) {
		l->pids = parse_count("--pids-limit", value, MAX_PIDS);
	} else {
		int which = opt - OPT_DEVICE_READ_BPS;

		parse_device_limit(l, device_options[which], value, which);
	}
	return true;
}
#endif /* STAGE >= 6 */

#if STAGE >= 7
/* The options of stage 7, for getopt_long(). */
enum { OPT_NETWORK = 500, OPT_IP };

/* Parse --ip: an address of the bridge's subnet that is not the
 * bridge's own. */
static void parse_ip(struct config *cfg, const char *text)
{
	struct in_addr first = subnet_address(0);
	uint32_t n;

	if (inet_pton(AF_INET, text, &cfg->address) != 1)
		refuse("--ip wants an address such as %s5, not %s (see "
		       "container --help)", SUBNET_PREFIX, text);
	n = ntohl(cfg->address.s_addr) - ntohl(first.s_addr);
	if (n == 1)
		refuse("--ip %s is the bridge's own address: give %s2 to "
		       "%s254", text, SUBNET_PREFIX, SUBNET_PREFIX);
	if (n < 2 || n > 254)
		refuse("--ip %s is outside %s0/%d: give %s2 to %s254",
		       text, SUBNET_PREFIX, SUBNET_BITS, SUBNET_PREFIX,
		       SUBNET_PREFIX);
}

/* Parse --network: "bridge" or "none". */
static void parse_network(struct config *cfg, const char *text)
{
	if (strcmp(text, "bridge") != 0 && strcmp(text, "none") != 0)
		bad_value("--network", "wants bridge or none, not", text);
	cfg->network = strcmp(text, "bridge") == 0;
	if (cfg->network && geteuid() != 0)
		refuse("--network bridge needs root, to plug a veth into the "
		       "host's bridge: run with sudo, or use --network none");
}

/* Take one of stage 7's options, if OPT is one. */
static bool take_network_option(struct config *cfg, int opt, char *value)
{
	if (opt == OPT_NETWORK)
		parse_network(cfg, value);
	else if (opt == OPT_IP)
		parse_ip(cfg, value);
	else
		return false;
	return true;
}
#endif /* STAGE >= 7 */

#if STAGE >= 8
/* The options of stage 8, for getopt_long(). */
enum { OPT_CAP_ADD = 600, OPT_CAP_DROP, OPT_SECURITY_OPT };

/* What --cap-add and --cap-drop named, before it is resolved. */
struct capability_changes {
	uint64_t add, drop;           /* the capabilities named */
	bool add_all, drop_all;       /* ALL was named */
};

/* Parse one --cap-add (ADD) or --cap-drop: a capability, or ALL. */
static void parse_capability(struct capability_changes *c, bool add,
			     const char *text)
{
	int cap = find_capability(text);

	if (strcasecmp(text, "all") == 0)
		*(add ? &c->add_all : &c->drop_all) = true;
	else if (cap < 0)
		refuse("%s: no capability named %s (capabilities(7) lists "
		       "them: NET_ADMIN, SYS_TIME, ...; or ALL)",
		       add ? "--cap-add" : "--cap-drop", text);
	else
		*(add ? &c->add : &c->drop) |= CAP_BIT(cap);
}

/* The capabilities to keep, as Docker resolves the options: from
 * every one with --cap-add ALL, from none with --cap-drop ALL, else
 * from the default list; then the dropped ones go and the added ones
 * come: a capability both added and dropped is kept. */
static uint64_t resolve_capabilities(const struct capability_changes *c)
{
	uint64_t set = default_capabilities;

	if (c->drop_all)
		set = 0;
	if (c->add_all)
		set = ALL_CAPABILITIES;
	return (set & ~c->drop) | c->add;
}

/* Parse --security-opt: seccomp=unconfined turns the filter off, for
 * the lab that compares; no-new-privileges is always on here. */
static void parse_security_opt(struct config *cfg, const char *text)
{
	if (strcmp(text, "seccomp=unconfined") == 0)
		cfg->seccomp = false;
	else if (strcmp(text, "no-new-privileges") != 0 &&
		 strcmp(text, "no-new-privileges=true") != 0 &&
		 strcmp(text, "no-new-privileges:true") != 0)
		refuse("--security-opt wants seccomp=unconfined or "
		       "no-new-privileges, not %s (see container --help)",
		       text);
}

/* --cap-add and --cap-drop, as given: resolved once all are read. */
static struct capability_changes capability_changes;

/* Take one of stage 8's options, if OPT is one. */
static bool take_hardening_option(struct config *cfg, int opt,
				  char *value)
{
	if (opt == OPT_CAP_ADD || opt == OPT_CAP_DROP)
		parse_capability(&capability_changes, opt == OPT_CAP_ADD,
				 value);
	else if (opt == OPT_SECURITY_OPT)
		parse_security_opt(cfg, value);
	else
		return false;
	return true;
}
#endif /* STAGE >= 8 */

/* Parse a number of seconds, 0 to a day. */
static unsigned int parse_seconds(const char *option, const char *text)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(text, &end, 10);
	if (*text < '0' || *text > '9' || *end != '\0' || errno == ERANGE ||
	    n > 86400)
		bad_value(option, "wants seconds, 0 to 86400, not", text);
	return (unsigned int)n;
}

#if STAGE >= 9
/* Stage 9's commands, each about a container that runs already, and
 * what each wants after its options. */
static const struct {
	const char *command;
	const char *usage;
} lifecycle_commands[] = {
	{ "ps", "ps" },
	{ "exec", "exec [--verbose] NAME COMMAND [ARG...]" },
	{ "stop", "stop [--timeout SECONDS] NAME" },
	{ "kill", "kill [--signal SIGNAL] NAME [SIGNAL]" },
	{ "cleanup", "cleanup [NAME]" },
};

/* The usage of stage 9's COMMAND, or NULL if it is none of them. */
static const char *lifecycle_usage(const char *command)
{
	for (size_t i = 0; i < sizeof(lifecycle_commands) /
	     sizeof(lifecycle_commands[0]); i++)
		if (strcmp(lifecycle_commands[i].command, command) == 0)
			return lifecycle_commands[i].usage;
	return NULL;
}

/* `container ps | exec | stop | kill | cleanup [OPTIONS] ...`: ARGV[0]
 * is the command. Options come before the name, as Docker's do, and
 * exec's COMMAND keeps its own ("+": getopt stops at the first word
 * that is not an option). Docker's names: stop -t/--timeout (--time
 * before Docker 28), kill -s/--signal. */
static int run_lifecycle(int argc, char **argv)
{
	static const struct option options[] = {
		{ "verbose", no_argument, NULL, 'V' },
		{ "timeout", required_argument, NULL, 't' },
		{ "time", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *command = argv[0];
	bool is_stop = strcmp(command, "stop") == 0;
	bool is_kill = strcmp(command, "kill") == 0;
	int seconds = -1, sig = 0, opt, n;

	/* ":" after the "+": a missing value comes back as ':', apart
	 * from an unknown option's '?' (getopt(3)). */
	opterr = 0;                   /* we print our own errors */
	while ((opt = getopt_long(argc, argv, "+:t:s:", options, NULL)) != -1)
		if (opt == 'V')
			verbose = true;
		else if (opt == 't' && is_stop)
			seconds = (int)parse_seconds("--timeout", optarg);
		else if (opt == 's' && is_kill)
			sig = parse_signal(optarg);
		else if (opt == 't' || opt == 's')
			bad_usage(command, opt == 't' ? "takes no --timeout" :
				  "takes no --signal");
		else if (opt == ':')
			bad_usage("missing value for", argv[optind - 1]);
		else
			bad_usage("unknown option", argv[optind - 1]);
	argv += optind;
	n = argc - optind;            /* the words after the options */
	/* A name becomes a path in the state directory: one that could
	 * not be a container's ("../x") is refused before it is used. */
	if (n > 0 && !valid_name(argv[0], NAME_MAX_CHARS))
		bad_usage("no container may be named", argv[0]);
	if (strcmp(command, "ps") == 0 && n == 0)
		return list_containers();
	if (strcmp(command, "cleanup") == 0 && n <= 1)
		return clean_up(argv[0]);   /* NULL when n is 0: all */
	if (strcmp(command, "exec") == 0 && n >= 2)
		return exec_into(argv[0], argv + 1);
	if (is_stop && n == 1)
		return stop_by_name(argv[0], seconds);
	/* kill's signal: after the name or by --signal, not both. */
	if (is_kill && (n == 1 || (n == 2 && sig == 0)))
		return kill_by_name(argv[0], n == 2 ? parse_signal(argv[1]) :
				    sig != 0 ? sig : SIGKILL);
	refuse("usage: container %s (see container --help)",
	       lifecycle_usage(command));
}
#endif /* STAGE >= 9 */

#if STAGE >= 10
/* ------------------------------------------------------------------ */
/* Stage 10: the runtime's commands, as podman and containerd run them */
/* ------------------------------------------------------------------ */

/* A high-level runtime (podman through conmon, containerd through its
 * shim) asks a low-level one for a container in the five operations
 * of runtime.md: create sets the container up from a bundle (a
 * directory holding config.json and the root it names) and leaves its
 * process waiting before the user's program; start lets that process
 * exec the program; state prints runtime.md's state; kill sends a
 * signal; delete removes what create made. Each is a process of its
 * own that ends: what one made, the next finds in the state directory,
 * ROOT/ID (--root, runc's name for it): the config as create read it,
 * the state it wrote, the init's pid, start time and cgroup, and two
 * FIFOs: exec.fifo, the door that start opens, and start.fifo, by
 * which the init tells start it has gone through. The steps in the container
 * are child_main()'s, read from config.json instead of options; their
 * order is runc's (libcontainer/rootfs_linux.go and
 * standard_init_linux.go), so that a config means what it means
 * under runc. */

/* runc's is /run/runc. /run is emptied at every boot (FHS 3.0), as a
 * state that names pids must be: after a reboot they mean nothing.
 * podman runs start, kill and delete with only the runtime flags it
 * was given (libpod's oci_conmon_common.go): with none, they look here. */
#define OCI_ROOT "/run/container.c-oci"  /* --root, unless told */

/* What a child of create sends its parent on the channel, besides the
 * exit code of a failure: two points on its way. Negative, so that
 * neither can be taken for an exit code, which is 0 to 255. */
enum { OCI_HOOKS = -1, OCI_CREATED = -2 };

static const char *oci_root = OCI_ROOT;  /* --root */
static FILE *oci_log;                    /* --log, or NULL */
static bool oci_log_json;                /* --log-format json */

/* With --log FILE, each error line also goes there: containerd's shim
 * shows the last one of BUNDLE/log.json as its own error, read as a
 * line of JSON, {"level":"error","msg":...}, with --log-format json. */
static void log_error(const char *message)
{
	if (oci_log == NULL)
		return;
	if (oci_log_json) {
		fputs("{\"level\":\"error\",\"msg\":", oci_log);
		write_json_string(oci_log, message);
		fputs("}\n", oci_log);
	} else {
		fprintf(oci_log, "container: %s\n", message);
	}
	fflush(oci_log);
}

/* What the commands after create know of a container, from ROOT/ID. */
struct oci_state {
	char dir[PATH_MAX];       /* ROOT/ID */
	const char *id;
	pid_t pid;                /* its init: the process create made */
	unsigned long long start; /* the init's start time */
	char bundle[PATH_MAX];    /* the bundle, absolute */
	char cgroup[PATH_MAX];    /* its cgroup, if create made one; */
	char made[PATH_MAX];      /*   and the highest directory create
				     made for it: delete removes them */
	unsigned long long root_mount; /* without a mount namespace: the
					  id of the root's bind, or 0 */
	char root[PATH_MAX];      /*   and where it is: the rootfs */
};

/* ROOT/ID into DIR, for the container ID: one word a path can hold.
 * ROOT, if there, must be a directory of this user's that no one else
 * may write to: what is in it decides which cgroup delete kills and
 * which hooks it runs, as root. */
static void container_dir(char dir[PATH_MAX], const char *id)
{
	struct stat st;

	if (lstat(oci_root, &st) == 0 && (!S_ISDIR(st.st_mode) ||
					  st.st_uid != geteuid() ||
					  (st.st_mode & 022) != 0))
		refuse("--root %s: not a directory of yours that only you "
		       "may write to", oci_root);
	if (!valid_name(id, NAME_MAX))
		refuse("no container may be named %s: want letters, digits, "
		       "'_', '.', '-'", id);
	if (snprintf(dir, PATH_MAX, "%s/%s", oci_root, id) >= PATH_MAX)
		refuse("--root %s: too long a path", oci_root);
}

/* When the process PID started, in clock ticks since boot: field 22 of
 * /proc/PID/stat (proc_pid_stat(5)); 0 if it is gone, or a zombie,
 * which has ended. A pid is reused once its process is reaped, and
 * the start time tells the container's init from a later process. The
 * name in field 2 may hold any character, ')' too: the fields after
 * it are found from the last ')'. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], text[1024], state = 'X';
	unsigned long long start = 0;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	p = strrchr(text, ')');
	if (p == NULL || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u "
				"%*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
				&state, &start) != 2)
		return 0;
	return state == 'Z' || state == 'X' ? 0 : start;
}

/* Read the line of F into LINE (PATH_MAX bytes), without its '\n'. */
static bool read_state_line(FILE *f, char line[PATH_MAX])
{
	if (fgets(line, PATH_MAX, f) == NULL)
		return false;
	line[strcspn(line, "\n")] = '\0';
	return true;
}

/* Read S's root-mount, if create wrote one (bind_root_in_place()): the
 * id of the mount it made at the root, and the root's path. */
static void read_root_mount(struct oci_state *s)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/root-mount", s->dir);
	f = fopen(path, "re");
	if (f == NULL && (errno == ENOENT || errno == ENOTDIR))
		return;               /* a mount namespace of its own */
	if (f == NULL)
		die("open %s", path);
	if (fscanf(f, "%llu\n", &s->root_mount) != 1 ||
	    !read_state_line(f, s->root) || s->root[0] != '/')
		refuse("%s: not a state file of container.c", path);
	fclose(f);
}

/* Read what create left in ROOT/ID/init about the container ID, the
 * lines write_init() wrote. No such file: runtime.md's query of a
 * container that does not exist MUST fail; the line ends as runc's
 * does ("container does not exist", libcontainer/error.go), with the
 * ID between, for engines that read the words. */
static void read_oci_state(struct oci_state *s, const char *id)
{
	char path[PATH_MAX + 8];
	FILE *f;

	memset(s, 0, sizeof(*s));
	container_dir(s->dir, id);
	s->id = id;
	snprintf(path, sizeof(path), "%s/init", s->dir);
	f = fopen(path, "re");
	if (f == NULL && errno == ENOENT)
		refuse("container %s does not exist", id);
	if (f == NULL)
		die("open %s", path);
	if (fscanf(f, "%d %llu\n", &s->pid, &s->start) != 2 ||
	    !read_state_line(f, s->bundle) || !read_state_line(f, s->cgroup) ||
	    !read_state_line(f, s->made))
		refuse("%s: not a state file of container.c", path);
	fclose(f);
	read_root_mount(s);
}

/* runtime.md's status: "creating" until create has written the state;
 * "created" while the init lives and waits for start, which removes
 * exec.fifo; "running" while it lives after; "stopped" once it has
 * ended, zombie or gone. runtime.md lets a runtime add states of its
 * own; this one adds none: it has no pause, so no "paused". */
static const char *oci_status(const struct oci_state *s)
{
	char path[PATH_MAX + 16];

	if (s->pid <= 0 || start_time(s->pid) != s->start)
		return "stopped";
	snprintf(path, sizeof(path), "%s/state.json", s->dir);
	if (access(path, F_OK) < 0)
		return "creating";
	snprintf(path, sizeof(path), "%s/exec.fifo", s->dir);
	return access(path, F_OK) == 0 ? "created" : "running";
}

/* ROOT/ID/config.json, the config create read: delete runs its
 * poststop hooks from it, and state prints its annotations, whatever
 * has become of the bundle since. The caller frees it. */
static struct json *saved_config(const struct oci_state *s,
				 struct bundle_config *c)
{
	char path[PATH_MAX + 16];
	struct json *config;

	snprintf(path, sizeof(path), "%s/config.json", s->dir);
	config = read_config(path);
	if (!read_bundle_config(config, c))
		refuse("%s: %s", path, json_error);
	return config;
}

/* The state of S in STATUS, as runtime.md's JSON: the pid only while
 * the init lives. The caller frees it. */
static char *oci_state_json(const struct oci_state *s, const char *status,
			    const struct bundle_config *c)
{
	bool lives = strcmp(status, "stopped") != 0;
	char *text = state_json(s->id, status, lives ? s->pid : 0, s->bundle,
				c);

	if (text == NULL)
		die_with(ENOMEM, "state of %s", s->id);
	return text;
}

/* Run the hooks of KIND in C, each given the state of S in STATUS on
 * its stdin. Prestart, createRuntime, createContainer and
 * startContainer hooks that fail fail create, or start (runtime.md:
 * the runtime MUST generate an error and stop the container);
 * poststart and poststop hooks that fail are warned about, and the
 * operation goes on, as runtime.md says in version 1.0.2, the one this
 * runtime's state names (its version 1.3 makes a poststart hook that
 * fails an error that stops the container). */
static void run_hooks(const struct bundle_config *c, const char *kind,
		      const struct oci_state *s, const char *status)
{
	size_t k = 0;
	char why[MESSAGE_BYTES], *state;
	bool fatal = strcmp(kind, "poststart") != 0 &&
		     strcmp(kind, "poststop") != 0;

	while (strcmp(hook_kinds[k], kind) != 0)
		k++;
	if (c->hook_count[k] == 0)
		return;
	state = oci_state_json(s, status, c);
	for (size_t i = 0; i < c->hook_count[k]; i++) {
		show_step("hook %s %s", kind, c->hooks[k][i].path);
		if (run_hook(&c->hooks[k][i], state, why, sizeof(why)) == 0)
			continue;
		if (fatal) {
			free(state);
			refuse("hooks.%s[%zu] (%s): %s", kind, i,
			       c->hooks[k][i].path, why);
		}
		fprintf(stderr, "container: warning: hooks.%s[%zu] (%s): %s\n",
			kind, i, c->hooks[k][i].path, why);
	}
	free(state);
}

/* What create knows, for its child's steps and its own. */
struct oci_create {
	struct config cfg;        /* the rootfs, the channel and the cgroup,
				     as the stages' steps take them */
	struct bundle_config c;   /* config.json, read */
	struct process p;         /*   and its process */
	struct json *config;
	struct json *process;     /* exec's --process file, or NULL */
	struct oci_state s;       /* what create leaves for the others */
	const char *pid_file;     /* --pid-file, or NULL */
	unsigned int preserve_fds; /* --preserve-fds */
	bool new_keyring;         /* unless --no-new-keyring */
	int fifo;                 /* exec.fifo, open to read and write */
	int started;              /* start.fifo, the same */
	int namespaces;           /* CLONE_NEW* of those made new */
	bool user;                /* in a user namespace: new or joined */
	bool dumpable_for_maps;   /* dumpable_for_maps()'s answer */
	int console;              /* --console-socket, connected, or -1 */
	int terminal;             /* the child's: its pty's slave, or -1 */
	int namespace_fd[NAMESPACE_KINDS]; /* c.namespaces[i].path, open,
					      or -1 */
};

/* The create under way, for its exit handler; NULL once done. */
static struct oci_create *creating;

/* Remove ROOT/ID and what create put in it: those names only, none
 * read from the directory, so that a file someone else put there makes
 * rmdir fail, and say so, rather than go with the rest. */
static void remove_container_dir(const char *dir)
{
	static const char *const files[] = {
		"exec.fifo", "start.fifo", "init", "init.tmp", "state.json",
		"config.json", "root-mount", "root-mount.tmp",
	};
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		fprintf(stderr, "container: rmdir %s: %s\n", dir,
			strerrorname_np(errno));
}

/* Remove the container's cgroup, then each directory above it that
 * create made, up to MADE: never one it found there. */
static void remove_oci_cgroup(const struct oci_state *s)
{
	char dir[PATH_MAX];
	char *slash;

	if (s->cgroup[0] == '\0')
		return;
	remove_cgroup_tree(s->cgroup);
	snprintf(dir, sizeof(dir), "%s", s->cgroup);
	while (strcmp(dir, s->made) != 0 && (slash = strrchr(dir, '/')) &&
	       slash != dir) {
		*slash = '\0';
		if (rmdir(dir) < 0)
			break;        /* another container's is in it */
		show_step("rmdir %s", dir);
	}
}

#ifndef STATX_MNT_ID_UNIQUE         /* Linux 6.8; older headers lack it */
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif

/* The id of the mount FD is the root of, or 0 if FD is not at the root
 * of a mount (statx(2)'s STATX_ATTR_MOUNT_ROOT) or there is no id.
 * Asked for STATX_MNT_ID_UNIQUE, Linux 6.8 on gives an id it never
 * gives again until it boots again; an older kernel ignores the bit
 * and gives STATX_MNT_ID's, which a later mount may be given once this
 * one is gone. */
static unsigned long long mount_root_id(int fd)
{
	struct statx st;

	if (statx(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT,
		  STATX_MNT_ID | STATX_MNT_ID_UNIQUE, &st) < 0 ||
	    !(st.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE)) ||
	    !(st.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 0;
	return st.stx_mnt_id;
}

/* Open the directory PATH as a place (O_PATH), through no symbolic
 * link at all (openat2(2), RESOLVE_NO_SYMLINKS): what is found is what
 * the path names now, and a link swapped in for a part of it fails
 * (ELOOP). The topmost mount at PATH is the one opened. */
static int open_no_links(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS,
	};

	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* The root's bind that create made for S (bind_root_in_place()),
 * open: the root is opened, and the mount found there now compared by
 * its id with the one create noted; -1 if S has none, or that is not
 * what the path leads to now (a directory swapped in on the way by a
 * container that can write to one above the root, a mount over the
 * root, a bind already gone). exec and delete act on this descriptor,
 * never on the path again. */
static int open_root_bind(const struct oci_state *s)
{
	int fd = s->root_mount != 0 ? open_no_links(s->root) : -1;

	if (fd >= 0 && mount_root_id(fd) != s->root_mount) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Take the root's bind of S away, if create made one, with all that
 * was mounted on it (MNT_DETACH: at once, though a process may still
 * be in it), through the descriptor open_root_bind() checked
 * (/proc/self/fd/N). What else is found there is left, with a warning
 * that names it. */
static void unbind_root(const struct oci_state *s)
{
	char at[FD_NAME_BYTES];
	int fd;

	if (s->root_mount == 0)
		return;
	fd = open_root_bind(s);
	if (fd < 0) {
		fprintf(stderr, "container: warning: %s is not the root's bind "
			"create made (mount id %llu): nothing unmounted\n",
			s->root, s->root_mount);
		return;
	}
	name_fd(fd, at);
	show_step("umount -l %s", s->root);
	if (umount2(at, MNT_DETACH) < 0)
		fprintf(stderr, "container: umount %s: %s\n", s->root,
			strerrorname_np(errno));
	close(fd);
}

/* create's exit handler (atexit(3)): the parent's die() and refuse()
 * end in exit(), so this one handler runs after a failure wherever it
 * happened (the child's die()s end in _exit(), which runs none). A
 * step failed, so end the child and remove what create made, its
 * cgroup and ROOT/ID, as delete would, and run the poststop hooks, as
 * after a delete; nothing is left, as runtime.md wants of an operation
 * that fails: the environment as if it had never been tried. */
static void undo_create(void)
{
	struct oci_create *o = creating;

	if (o == NULL)
		return;
	creating = NULL;
	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, 0);
	}
	remove_oci_cgroup(&o->s);
	unbind_root(&o->s);
	remove_container_dir(o->s.dir);
	rmdir(oci_root);              /* if it was the last */
	if (o->s.pid > 0)             /* runtime.md: after a delete, of a */
		run_hooks(&o->c, "poststop", &o->s, "stopped");  /* made one */
}

/* Parent: make the directories of the cgroup DIR, under ROOT, one
 * name at a time from the top: in the one above each, the controllers
 * the limits need are enabled first, for a controller's files
 * (memory.max...) exist in a cgroup only once its parent has it in
 * cgroup.subtree_control. A directory there already is kept, and its
 * name not noted: runtime.md's delete MUST NOT remove what create did
 * not make. The first made goes into s.made, the last into s.cgroup;
 * the last one, the container's own, must be new. */
static void make_cgroup_path(struct oci_create *o, const char *root,
			     char *dir)
{
	char parent[PATH_MAX], *p;

	snprintf(parent, sizeof(parent), "%s", root);
	p = dir + strlen(root);       /* the '/' before the first name */
	do {
		char *end = strchr(p + 1, '/');

		if (end != NULL)
			*end = '\0';
		enable_controllers(&o->cfg.limits, parent);
		if (mkdir(dir, 0755) == 0) {
			show_step("mkdir %s", dir);
			if (o->s.made[0] == '\0')
				snprintf(o->s.made, sizeof(o->s.made), "%s",
					 dir);
			snprintf(o->s.cgroup, sizeof(o->s.cgroup), "%s", dir);
		} else if (errno != EEXIST || end == NULL) {
			die("mkdir %s%s", dir, errno == EEXIST ? " (the cgroup "
			    "of another container?)" : "");
		}
		snprintf(parent, sizeof(parent), "%s", dir);
		if (end != NULL)
			*end = '/';
		p = end;
	} while (p != NULL);
}

/* Parent: make the cgroup of O's container where config-linux.md's
 * linux.cgroupsPath puts it: an absolute path MUST be taken from the
 * root of the cgroup tree, here the v2 tree's (containerd gives
 * /NAMESPACE/ID); a relative one MAY go where the runtime likes, here
 * under container.c-oci/; without one, container.c-oci/ID. The
 * directories are make_cgroup_path()'s (cgroup v2's top-down rule, at
 * make_cgroup()). Then its limits. A rootless runtime makes none
 * unless asked: only root may write in the tree, as at stage 6. */
static void make_oci_cgroup(struct oci_create *o)
{
	const char *root = find_cgroup2(), *path = o->c.cgroups_path;
	char dir[PATH_MAX], id_path[PATH_MAX];
	struct config *cfg = &o->cfg;

	cfg->limits = o->c.limits;
	if (path == NULL && geteuid() != 0 && !cfg->limits.any)
		return;
	if (root == NULL)
		refuse("a container's cgroup needs cgroup v2, and no cgroup2 "
		       "is mounted (mount -t cgroup2 none /sys/fs/cgroup)");
	for (size_t i = 0; i < ARRAY_LEN(controllers); i++) {
		const char *blocker = controller_blocker(root, &controllers[i]);

		if (wants_controller(&cfg->limits, &controllers[i]) &&
		    blocker != NULL)
			refuse("linux.resources needs the %s controller of "
			       "cgroup v2, but %s", controllers[i].name,
			       blocker);
	}
	if (path == NULL || path[0] != '/') {
		if (snprintf(id_path, sizeof(id_path), "/container.c-oci/%s",
			     path != NULL ? path : o->s.id) >=
		    (int)sizeof(id_path))
			refuse("linux.cgroupsPath %s: too long a path", path);
		path = id_path;
	}
	if (snprintf(dir, sizeof(dir), "%s/%s", root, path +
		     strspn(path, "/")) >= (int)sizeof(cfg->cgroup))
		refuse("linux.cgroupsPath %s: too long a path", path);
	make_cgroup_path(o, root, dir);
	snprintf(cfg->cgroup, sizeof(cfg->cgroup), "%.*s",
		 (int)sizeof(cfg->cgroup) - 1, dir);  /* fits: checked */
	write_limits(cfg);
}

/* Parent: attach the device program to the container's cgroup, once
 * the child has made its device nodes and before it runs anything of
 * the config's: mknod(2) is refused, under a program, for a device the
 * rules do not allow to be made ("m"), and the nodes of linux.devices
 * need not be. (runc lets any node be made instead: its rules allow
 * "c *:* m" and "b *:* m" always.) */
static void attach_device_program(const struct oci_create *o)
{
	int fd;

	if (o->s.cgroup[0] == '\0')
		return;
	fd = open(o->s.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die("open %s", o->s.cgroup);
	show_step("bpf: attach the device program to %s", o->s.cgroup);
	if (install_device_program(&o->c, fd) < 0)
		die("bpf: attach the device program to %s", o->s.cgroup);
	close(fd);
}

/* Write TEXT into PATH whole, with MODE, through a temporary name and
 * rename(2), so that a reader finds the old file or the new one, never
 * a part: containerd reads the pid file the moment create ends. The
 * temporary file is made anew (O_EXCL), never one found there. */
static void write_whole(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	size_t length = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);                  /* one a killed runtime left */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0 || write(fd, text, length) != (ssize_t)length ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		int error = errno;

		unlink(tmp);
		die_with(error, "write %s", path);
	}
}

/* Parent: is the mount that FD is on shared (mountinfo's optional
 * field "shared:N", proc_pid_mountinfo(5))? It is found by its id,
 * mountinfo's first field, which statx(2) gives as STATX_MNT_ID. */
static bool on_shared_mount(int fd)
{
	char *line = NULL, *dash;
	unsigned long long id;
	size_t size = 0;
	struct statx st;
	int shared = -1;              /* not found */
	FILE *f;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &st) < 0 ||
	    !(st.stx_mask & STATX_MNT_ID) ||
	    (f = fopen("/proc/self/mountinfo", "re")) == NULL)
		die("statx: the mount of root.path");
	while (shared < 0 && getline(&line, &size, f) > 0)
		if (sscanf(line, "%llu", &id) == 1 && id == st.stx_mnt_id) {
			dash = strstr(line, " - ");
			if (dash != NULL)
				*dash = '\0';  /* the optional fields end */
			shared = strstr(line, " shared:") != NULL;
		}
	free(line);
	fclose(f);
	if (shared < 0)
		refuse("mount %llu, root.path's, is not in mountinfo",
		       st.stx_mnt_id);
	return shared;
}

/* Do paths A and B name one directory, or one below the other? */
static bool paths_overlap(const char *a, const char *b)
{
	const char *longer = strlen(a) > strlen(b) ? a : b;
	size_t n = strlen(longer == a ? b : a);

	return strncmp(a, b, n) == 0 &&
	       (longer[n] == '\0' || longer[n] == '/');
}

/* Parent: refuse ROOT if another container of this --root shares the
 * runtime's mount namespace at it, or above or below it: one bind would
 * cover the other, or be copied into it (ROOT/OTHER/root-mount,
 * read_root_mount()). Only directories are read: what else is there
 * is no container's. */
static void check_root_not_taken(const struct oci_create *o,
				 const char *root)
{
	DIR *dir = opendir(oci_root);
	struct oci_state other;
	struct dirent *e;

	while (dir != NULL && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, o->s.id) == 0 ||
		    (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		memset(&other, 0, sizeof(other));
		snprintf(other.dir, sizeof(other.dir), "%s/%.255s", oci_root,
			 e->d_name);
		read_root_mount(&other);
		if (other.root_mount != 0 && paths_overlap(other.root, root))
			refuse("root.path %s: container %s has %s as its root "
			       "without a mount namespace", root, e->d_name,
			       other.root);
	}
	if (dir != NULL)
		closedir(dir);
}

/* Parent: refuse, as bind_root_in_place()'s root, the directory FD
 * (o->s.root): the host's own root, which its bind would cover; one on
 * a shared mount, for the bind would be shared too and copied to the
 * mount's peers (mount_namespaces(7), "Move (MS_MOVE) semantics"); and
 * one another container has so (check_root_not_taken()). */
static void check_root_in_place(const struct oci_create *o, int fd)
{
	const char *root = o->s.root;
	struct stat st, host;

	if (strchr(root, '\n') != NULL)
		refuse("root.path %s: a path with a newline", root);
	if (fstat(fd, &st) < 0 || stat("/", &host) < 0)
		die("stat %s", root);
	if (st.st_dev == host.st_dev && st.st_ino == host.st_ino)
		refuse("root.path %s is the host's root: without a mount "
		       "namespace, the container's mounts would cover the "
		       "host's", root);
	if (on_shared_mount(fd))
		refuse("root.path %s is on a shared mount: without a mount "
		       "namespace, the container's mounts would reach its "
		       "peers (mount --make-private one above it, or give "
		       "the config a mount namespace)", root);
	check_root_not_taken(o, root);
}

/* Parent: write ROOT/ID/root-mount, the id of TREE, the root's bind,
 * and the root's path, for delete. BEFORE the bind is put in place,
 * only if the id is one the kernel never gives again until it boots
 * again (STATX_MNT_ID_UNIQUE, Linux 6.8): a create killed before the
 * move leaves a note no later mount matches. Else after: killed
 * between the two, it leaves the bind rather than a note that a later
 * mount there could match (STATX_MNT_ID's ids are used again). True
 * if it was written. */
static bool note_root_mount(struct oci_create *o, int tree, bool before)
{
	char path[PATH_MAX + 16], text[PATH_MAX + 32];
	unsigned long long id = mount_root_id(tree);
	struct statx st;

	if (id == 0)
		die("statx %s: its bind's mount id", o->s.root);
	if (before && (statx(tree, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE,
			     &st) < 0 || !(st.stx_mask & STATX_MNT_ID_UNIQUE)))
		return false;
	snprintf(text, sizeof(text), "%llu\n%s\n", id, o->s.root);
	snprintf(path, sizeof(path), "%s/root-mount", o->s.dir);
	write_whole(path, text, 0600);
	return true;
}

/* Parent, for a config whose linux.namespaces has no mount namespace:
 * config-linux.md says the container MUST then share the runtime's.
 * Its root is set up there, in the host's mount table, and entered
 * with chroot(2) (pivot_root(2) would move the root of every process
 * of the host): so runc 1.1.5 does (prepareRootfs(), rootfs_linux.go).
 * The rootfs is bound onto itself, with what is mounted below it
 * (open_tree(2), as bind_read_only()), the copy made private, and put
 * in place (move_mount(2)); the container's mounts go on it, and its
 * binds are made private too, for a bind of a shared mount is its peer
 * (mount_namespaces(7), "Bind (MS_BIND) semantics"): none of them
 * reaches another mount namespace. What cannot be kept so is refused:
 * here, roots that check_root_in_place() names, under a lock on --root
 * that makes two such creates one after the other; and in the config
 * (check_mount_namespace()). The child reaches the bind by its
 * descriptor alone (/proc/self/fd/N, as cfg.rootfs), whatever is done
 * to the path meanwhile; delete, by the id noted (note_root_mount(),
 * unbind_root()). No isolation of files comes of such a root: chroot(2)
 * says a process with CAP_SYS_CHROOT may leave it. */
static void bind_root_in_place(struct oci_create *o)
{
	struct mount_attr private = { .propagation = MS_PRIVATE };
	const char *root = o->s.root;
	int fd, tree, lock;
	bool unique;

	if (find_namespace(&o->c, CLONE_NEWNS) >= 0)
		return;
	snprintf(o->s.root, sizeof(o->s.root), "%s", o->cfg.rootfs);
	lock = open(oci_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)  /* one such create at */
		die("lock %s", oci_root);            /* a time: see taken */
	fd = open_no_links(root);
	if (fd < 0)
		die("open %s", root);
	check_root_in_place(o, fd);
	for (size_t i = 0; i < o->c.mount_count; i++)  /* or a bind of a */
		if (o->c.mounts[i].flags & MS_BIND)      /* shared mount is */
			o->c.mounts[i].propagation = MS_REC | MS_PRIVATE;
	show_step("mount --rbind --make-rprivate %s %s (in the host's mount "
		  "namespace)", root, root);
	tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			 AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
				      &private, sizeof(private)) < 0)
		die("mount --rbind --make-rprivate %s", root);
	unique = note_root_mount(o, tree, true);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
		       MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die("mount --rbind %s", root);
	o->s.root_mount = mount_root_id(tree);  /* undo_create() unbinds */
	if (o->s.root_mount == 0)
		die("statx %s: its bind's mount id", root);
	if (!unique)
		note_root_mount(o, tree, false);
	snprintf(o->cfg.rootfs, sizeof(o->cfg.rootfs), "/proc/self/fd/%d",
		 tree);                /* kept open for the child */
	close(fd);
	close(lock);
}

/* Copy config.json from FROM to TO, whole: a regular file, and no
 * larger than read_config() reads, checked as it does. */
static void copy_config(const char *from, const char *to)
{
	int fd = open(from, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	static char text[CONFIG_MAX_BYTES + 1];
	size_t used = 0;
	struct stat st;
	ssize_t got = 1;

	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open %s", from);
	if (!S_ISREG(st.st_mode))
		refuse("%s: not a regular file", from);
	while (used < sizeof(text) - 1 && (got = read(fd, text + used,
			sizeof(text) - 1 - used)) > 0)
		used += (size_t)got;
	if (got < 0)
		die("cannot read %s", from);
	close(fd);
	if (used == sizeof(text) - 1)
		refuse("%s: more than the %d bytes this runtime reads", from,
		       CONFIG_MAX_BYTES);
	text[used] = '\0';
	if (strlen(text) != used)
		refuse("%s: a NUL byte in it", from);
	write_whole(to, text, 0600);  /* its env may hold secrets */
}

/* Parent: make the FIFO NAME in ROOT/ID and open it to read and
 * write: the child inherits that descriptor, whatever its root and its
 * user become, and never opens the FIFO by its name. exec.fifo is for
 * start to write a byte into, start.fifo for the child to answer
 * (wait_for_start()). Only root may open them (0600): a byte from
 * anyone else would start the container. Opened for both reading and
 * writing, the open returns at once; for one side alone it would wait
 * for the other (fifo(7)). runc's init writes into its exec.fifo and
 * runc's start reads; here start writes, so that it learns at its
 * open, which does not wait, whether the init is still there. */
static int make_fifo(const struct oci_create *o, const char *name)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", o->s.dir, name);
	if (mkfifo(path, 0600) < 0 || (fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		die("mkfifo %s", path);
	return fd;
}

/* The config-linux.md type of the namespace kind FLAG. */
static const char *namespace_name(int flag)
{
	for (size_t i = 0; i < ARRAY_LEN(namespace_types); i++)
		if (namespace_types[i].flag == flag)
			return namespace_types[i].type;
	return "?";
}

/* Parent: with a pid namespace to join (a pod's, whose containers
 * see each other's processes), make it the one the child is born in.
 * A process never changes its own pid namespace: setns(2) with
 * CLONE_NEWPID sets where its next children go (pid_namespaces(7),
 * /proc/PID/ns/pid_for_children), so this comes before clone(), and
 * leave_pid_namespace() goes back after it: the hooks this process
 * runs later are the runtime's, not the container's. The kernel lets a
 * process into a pid namespace below its own, or its own, and never
 * into one above (setns(2)). Returns a descriptor of the namespace to
 * go back to, or -1 with none to join. */
static int join_pid_namespace(const struct oci_create *o)
{
	int i = find_namespace(&o->c, CLONE_NEWPID), own;

	if (i < 0 || o->c.namespaces[i].path == NULL)
		return -1;
	show_step("nsenter --pid=%s", o->c.namespaces[i].path);
	own = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		die("open /proc/self/ns/pid_for_children");
	if (setns(o->namespace_fd[i], CLONE_NEWPID) < 0)
		die("setns %s", o->c.namespaces[i].path);
	return own;
}

/* Parent: children go into OWN's pid namespace again, as before
 * join_pid_namespace(). */
static void leave_pid_namespace(int own)
{
	if (own < 0)
		return;
	if (setns(own, CLONE_NEWPID) < 0)
		die("setns back to the runtime's pid namespace");
	close(own);
}

/* Parent: open each namespace file the config gives a path for, all
 * before the first is joined, and before they are checked: once in a
 * mount namespace given by path, a path would be looked up in its
 * files, and a /proc/PID/ns/... could meanwhile name another process,
 * once PID ended and was taken again. runc's nsexec.c opens them all
 * first too. The child inherits the descriptors: clone(2) without
 * CLONE_FILES copies them, and no exec comes between. */
static void open_namespaces(struct oci_create *o)
{
	for (int i = 0; i < o->c.namespace_count; i++) {
		const char *path = o->c.namespaces[i].path;

		o->namespace_fd[i] = -1;
		if (path == NULL)
			continue;
		o->namespace_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (o->namespace_fd[i] < 0)
			die("linux.namespaces: open %s", path);
	}
}

/* Child: join each namespace the config gives a path for, with
 * setns(2) on the descriptor open_namespaces() opened: podman hands
 * over the network namespace it made this way. Those it does not join
 * are new, made by clone(); a pid namespace the parent joined for it,
 * and a user namespace the helper of clone_joining_user() did.
 * The kind is passed to setns(2), not 0, so that a path to a namespace
 * of another kind is refused (EINVAL), not joined. */
static void join_namespaces(struct oci_create *o)
{
	const struct bundle_config *c = &o->c;

	for (int i = 0; i < c->namespace_count; i++) {
		const char *path = c->namespaces[i].path;

		if (path == NULL || c->namespaces[i].flag == CLONE_NEWPID ||
		    c->namespaces[i].flag == CLONE_NEWUSER)
			continue;
		show_step("nsenter --%s=%s", namespace_name(
			  c->namespaces[i].flag), path);
		if (setns(o->namespace_fd[i], c->namespaces[i].flag) < 0)
			child_die(&o->cfg, "setns %s", path);
		close(o->namespace_fd[i]);
	}
}

/* Child: the statvfs(3) flags of the mount at AT that a remount must
 * pass again, as at remount_bind(); their ST_* values are MS_*'s. */
static unsigned long mount_flags_of(const struct config *cfg, const char *at)
{
	struct statvfs st;

	if (statvfs(at, &st) < 0)
		child_die(cfg, "statvfs %s", at);
	return st.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC |
			    ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
}

/* Child: the options of the mount M just made at its destination: a
 * bind's own (mount(2) takes them only in a remount, which sets every
 * flag anew: the ones it has are passed again, less those M clears),
 * its r- options on every mount below (mount_setattr(2) with
 * AT_RECURSIVE), and its propagation. The destination is opened again,
 * as at open_in_rootfs(): now it is the root of the new mount. */
static void finish_mount(const struct config *cfg,
			 const struct config_mount *m)
{
	unsigned long options = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
				MS_NOATIME | MS_NODIRATIME | MS_RELATIME |
				MS_STRICTATIME;
	int top = open_mount_point(cfg, m->destination, MAKE_NOTHING);
	char at[FD_NAME_BYTES];
	unsigned long flags;

	name_fd(top, at);
	if (m->flags & MS_BIND && ((m->flags | m->cleared) & options)) {
		flags = (mount_flags_of(cfg, at) & ~m->cleared) |
			(m->flags & options);
		show_step("mount -o remount,bind,... %s%s", cfg->rootfs,
			  m->destination);
		if (mount(NULL, at, NULL, MS_REMOUNT | MS_BIND | flags,
			  NULL) < 0)
			child_die(cfg, "mount -o remount %s", m->destination);
	}
	if ((m->tree.attr_set | m->tree.attr_clr) != 0 &&
	    mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE,
			  (struct mount_attr *)&m->tree, sizeof(m->tree)) < 0)
		child_die(cfg, "mount_setattr %s", m->destination);
	if (m->propagation != 0 &&
	    mount(NULL, at, NULL, m->propagation, NULL) < 0)
		child_die(cfg, "mount --make-... %s", m->destination);
	close(top);
}

/* Child: mount M, one of config.md's mounts, in the rootfs, onto what
 * open_in_rootfs() finds at its destination, made if missing (a file
 * for a bind of a file, a directory for the rest): never through a
 * link, however the image's were laid (CVE-2021-30465, at
 * mount_volumes()). A bind's source is a path of the host's, relative
 * to the bundle if it is not absolute. "cgroup" mounts cgroup v2 here,
 * the one the container's cgroup is in: unlike runc on a host that
 * still mounts cgroup v1, which mounts v1's hierarchies. */
static void mount_config(const struct oci_create *o,
			 const struct config_mount *m)
{
	const struct config *cfg = &o->cfg;
	const char *type = m->type;
	char source[PATH_MAX * 2], at[FD_NAME_BYTES];
	struct stat st = { .st_mode = S_IFDIR };
	int target;

	if (m->flags & MS_BIND) {
		snprintf(source, sizeof(source), "%s%s%s", m->source[0] == '/' ?
			 "" : o->s.bundle, m->source[0] == '/' ? "" : "/",
			 m->source);
		if (stat(source, &st) < 0)
			child_die(cfg, "mount source %s", source);
	} else {
		snprintf(source, sizeof(source), "%s", m->source != NULL ?
			 m->source : type);
		if (strcmp(type, "cgroup") == 0)
			type = "cgroup2";
	}
	target = open_mount_point(cfg, m->destination, S_ISDIR(st.st_mode) ?
				  MAKE_DIRECTORY : MAKE_FILE);
	name_fd(target, at);
	show_step("mount %s%s %s %s%s", type ? "-t " : "--bind",
		  type ? type : "", source, cfg->rootfs, m->destination);
	if (mount(source, at, type, (m->flags & MS_BIND) ? MS_BIND |
		  (m->flags & MS_REC) : m->flags & ~MS_REC, m->data) < 0)
		child_die(cfg, "mount %s on %s", source, m->destination);
	close(target);
	finish_mount(cfg, m);
}

/* Child, in a new user namespace: bind the host's node at D's path onto
 * TARGET, an empty file made for it, once the host's is checked to be
 * the very device D names, opened without following a link: a path of
 * any other file would bind that file into the container. */
static void bind_host_device(const struct config *cfg,
			     const struct config_device *d, int target)
{
	int host = open(d->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char from[FD_NAME_BYTES], at[FD_NAME_BYTES];
	struct stat st;

	if (host < 0 || fstat(host, &st) < 0)
		child_die(cfg, "open the host's %s", d->path);
	if ((st.st_mode & S_IFMT) != device_type_bits(d->type) ||
	    (d->type != 'p' && st.st_rdev != makedev(d->major, d->minor)))
		child_die_with(cfg, 0, "the host's %s is not the device "
			       "linux.devices names", d->path);
	name_fd(host, from);
	name_fd(target, at);
	if (mount(from, at, NULL, MS_BIND, NULL) < 0)
		child_die(cfg, "mount --bind %s", d->path);
	close(host);
}

/* Child: make the device node D in the rootfs: mknod(2) with its mode
 * (the umask cleared, which would cut it), then its owner, never
 * through a link (AT_SYMLINK_NOFOLLOW). In a user namespace, new or
 * joined, where mknod is refused, the host's node at the same path is bound
 * onto an empty file instead, as runc does. A default device that is
 * there already is left; one of the config's is an error. */
static void make_device_node(const struct oci_create *o,
			     const struct config_device *d, bool is_default)
{
	const struct config *cfg = &o->cfg;
	const char *name = strrchr(d->path, '/') + 1;
	char parent[PATH_MAX];
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO :
		      S_IFCHR;
	mode_t mode = d->has_mode ? d->mode : 0666;
	int dir, made;

	snprintf(parent, sizeof(parent), "%.*s", (int)(name - d->path),
		 d->path);
	dir = open_mount_point(cfg, parent, MAKE_DIRECTORY);
	show_step("mknod -m %04o %s%s %c %u %u", mode, cfg->rootfs, d->path,
		  d->type == 'u' ? 'c' : d->type, d->major, d->minor);
	if (o->user)
		made = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL |
			      O_NOFOLLOW | O_CLOEXEC, 0);
	else {
		mode_t mask = umask(0);   /* MODE as it is: no chmod after */

		made = mknodat(dir, name, type | mode,
			       makedev(d->major, d->minor));
		umask(mask);
	}
	if (made < 0 && errno == EEXIST && is_default) {
		close(dir);
		return;
	}
	if (made < 0)
		child_die(cfg, "mknod %s", d->path);
	if (o->user) {
		bind_host_device(cfg, d, made);
		close(made);
	} else if (fchownat(dir, name, d->uid, d->gid,
			    AT_SYMLINK_NOFOLLOW) < 0) {
		child_die(cfg, "chown %s", d->path);
	}
	close(dir);
}

/* Child: linux.devices, then each default device the config does not
 * name; then the links of /dev every program expects, unless there
 * already (runc's list: /proc/self/fd and its 0, 1, 2, and ptmx). */
static void make_devices(const struct oci_create *o)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
	};
	int dev;

	for (size_t i = 0; i < o->c.device_count; i++)
		make_device_node(o, &o->c.devices[i], false);
	/* The six nodes of config-linux.md's default devices (ptmx is
	 * a link; a terminal's, none yet), 0666 like runc's. */
	for (size_t i = 0; i < 6; i++) {
		struct config_device d = {
			default_devices[i].path, 'c',
			(uint32_t)default_devices[i].major,
			(uint32_t)default_devices[i].minor, true, 0666, 0, 0,
		};
		bool named = false;

		for (size_t k = 0; k < o->c.device_count; k++)
			named |= strcmp(o->c.devices[k].path, d.path) == 0;
		if (!named)
			make_device_node(o, &d, true);
	}
	dev = open_mount_point(&o->cfg, "/dev", MAKE_DIRECTORY);
	for (size_t i = 0; i < ARRAY_LEN(links); i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0 &&
		    errno != EEXIST)
			child_die(&o->cfg, "ln -s %s /dev/%s", links[i][1],
				  links[i][0]);
	close(dev);
}

/* Child: in a mount namespace of the container's, every mount made
 * private, so none of the container's reaches the host ("/", MS_REC:
 * unlike runc, which makes them slaves, so that the host's new mounts
 * still reach the container, unless told); or, if rootfsPropagation
 * asks for slave or rslave, every mount made a slave, as runc does: a
 * slave receives its master's mounts and sends none back
 * (mount_namespaces(7), "MS_SLAVE"), so the host's new mounts below
 * the rootfs reach the container, where the host's mount there is
 * shared (MS_SLAVE leaves one that is not as it is, mount(2)), and
 * still none of the container's reaches the host. Then the rootfs
 * bound onto itself: pivot_root(2) wants a mount point. */
static void bind_root(const struct oci_create *o)
{
	const struct config *cfg = &o->cfg;
	bool slave = (o->c.root_propagation & MS_SLAVE) != 0;
	const char *kind = slave ? "slave" : "private";

	show_step("mount --make-r%s /", kind);
	if (mount(NULL, "/", NULL, MS_REC | (slave ? MS_SLAVE : MS_PRIVATE),
		  NULL) < 0)
		child_die(cfg, "mount --make-r%s /", kind);
	show_step("mount --rbind %s %s", cfg->rootfs, cfg->rootfs);
	if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_die(cfg, "mount --rbind %s", cfg->rootfs);
}

/* Child: make the rootfs the root: with pivot_root(2), which takes the
 * host's root away (stage 4's pivot_into_rootfs()); or, in the host's
 * mount namespace (bind_root_in_place()), with chroot(2), which leaves
 * the host's root mounted under it: only where "/" starts changes. */
static void enter_root(const struct oci_create *o)
{
	const struct config *cfg = &o->cfg;

	if (find_namespace(&o->c, CLONE_NEWNS) >= 0) {
		pivot_into_rootfs(cfg);
		return;
	}
	show_step("cd %s; chroot .; cd /", cfg->rootfs);
	if (chdir(cfg->rootfs) < 0 || chroot(".") < 0 || chdir("/") < 0)
		child_die(cfg, "chroot %s", cfg->rootfs);
}

/* Child: the root's mounts, before pivot_root: the rootfs bound onto
 * itself, here (bind_root()) or, in the host's mount namespace, by the
 * parent (bind_root_in_place()); config.md's mounts, in order, on it;
 * and the devices. */
static void set_up_root(const struct oci_create *o)
{
	if (find_namespace(&o->c, CLONE_NEWNS) >= 0)
		bind_root(o);
	for (size_t i = 0; i < o->c.mount_count; i++)
		mount_config(o, &o->c.mounts[i]);
	make_devices(o);
}

/* Child, after pivot_root and the paths: the root's propagation, if
 * the config asks for one. Not before pivot_root: it fails (EINVAL) if
 * the mount at new_root is shared (pivot_root(2), ERRORS), so a config's
 * "shared" made every container fail. Nor before the read-only and
 * masked paths, which are binds: a bind from an unbindable mount fails
 * (EINVAL, mount(2)), so "runbindable" would. A shared root made here
 * is a peer group of this namespace's own: every mount was made
 * private or a slave above. */
static void set_root_propagation(const struct oci_create *o)
{
	if (o->c.root_propagation != 0 &&
	    mount(NULL, "/", NULL, o->c.root_propagation, NULL) < 0)
		child_die(&o->cfg, "mount --make-... /");
}

/* Child: write TEXT into PATH, a file that must be procfs's: the
 * image may have put a directory of its own at /proc, which a config
 * without a proc mount leaves there (statfs(2) f_type). */
static void write_proc_file(const struct config *cfg, const char *path,
			    const char *text)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t length = strlen(text);
	struct statfs fs;

	if (fd < 0 || fstatfs(fd, &fs) < 0)
		child_die(cfg, "open %s", path);
	if (fs.f_type != PROC_SUPER_MAGIC)
		child_die_with(cfg, 0, "%s is not in a proc filesystem", path);
	if (write(fd, text, length) != (ssize_t)length)
		child_die(cfg, "write %s", path);
	close(fd);
}

/* Child: a new time namespace, its clocks' offsets (linux.timeOffsets)
 * written before any process is in it (time_namespaces(7)): unshare(2)
 * makes one for the children to come, /proc/self/ns/time_for_children,
 * not for the caller; its offsets can then be written, and the caller
 * moves in with setns(2) on that file, which fixes them. Made here,
 * not by clone(), which had no offsets to give it; in the container's
 * user namespace, if it has one of its own, which then owns the time
 * namespace (the writer needs CAP_SYS_TIME there: the child has every
 * capability in it); before join_namespaces(), while /proc is still
 * the runtime's, not that of a mount namespace joined; and before
 * become_root(): the child is not dumpable, and its /proc/self files
 * then belong to the root of the user namespace its memory was made in
 * (task_dump_owner(), fs/proc/base.c), the host's, which the child of
 * a runtime run as root still is until then. The child of a runtime
 * run as another user is still dumpable here (dumpable_for_maps()),
 * and the files are its own. */
static void enter_time_namespace(const struct oci_create *o)
{
	int fd;

	show_step("unshare --time --monotonic ... --boottime ...");
	if (unshare(CLONE_NEWTIME) < 0)
		child_die(&o->cfg, "unshare CLONE_NEWTIME");
	if (o->c.time_offsets[0] != '\0')
		write_proc_file(&o->cfg, "/proc/self/timens_offsets",
				o->c.time_offsets);
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		child_die(&o->cfg, "open /proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) < 0)
		child_die(&o->cfg, "join the new time namespace");
	close(fd);
}

/* Child, in its root (enter_root()): write linux.sysctl, each name's
 * dots as slashes under /proc/sys, and its slashes as dots (sysctl(8):
 * a name such as net.ipv4.conf.eth0/100.forwarding, for eth0.100).
 * read_sysctl() took only those the kernel keeps per namespace, in a
 * namespace of the container's (check_sysctl_namespace(): not the
 * runtime's own). */
static void write_sysctls(const struct oci_create *o)
{
	char path[PATH_MAX];
	const char *value = "";  /* json_string(): read_sysctl() checked */

	for (const struct json *e = o->c.sysctl; e != NULL; e = e->next) {
		json_string(e, &value);
		snprintf(path, sizeof(path), "/proc/sys/%s", e->name);
		/* Past "/proc/sys/", ten bytes: only the name is turned. */
		for (char *p = path + 10; *p != '\0'; p++)
			*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
		show_step("sysctl -w %s=%s", e->name, value);
		write_proc_file(&o->cfg, path, value);
	}
}

/* Child, after pivot_root (a config with masked paths has a mount
 * namespace: check_mount_namespace()): bind /dev/null over each of
 * linux.maskedPaths that is a file, and an empty read-only tmpfs over
 * each directory, as stage 8 masks its own list (mask_kernel_files()).
 * The /dev/null bound is checked to be the null device itself, opened
 * without following a link: runc, until 1.2.8, 1.3.3 and 1.4.0-rc.3,
 * bound whatever was at the container's /dev/null, and a link swapped
 * in there turned a mask into a writable bind of the file it named
 * (CVE-2025-31133). Each path is opened once, and the mount goes onto
 * what was opened (name_fd()): the type looked at is the type masked,
 * though a volume shared with a running container could swap the
 * path for another in between. Links are followed, as mount(2) would
 * follow them, within the container's root: this is after pivot_root.
 * Only a path the kernel lacks (ENOENT) is left. */
static void mask_paths(const struct oci_create *o)
{
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char at[FD_NAME_BYTES], onto[FD_NAME_BYTES];
	const char *path = "";   /* json_string(): read_paths() checked */
	struct stat st;
	int null, target;

	if (o->c.masked == NULL)
		return;
	null = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (null < 0 || fstat(null, &st) < 0)
		child_die(&o->cfg, "open /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		child_die_with(&o->cfg, 0, "/dev/null is not the null device");
	name_fd(null, at);
	for (const struct json *e = o->c.masked; e != NULL; e = e->next) {
		json_string(e, &path);
		target = open(path, O_PATH | O_CLOEXEC);
		if (target < 0 && errno == ENOENT)
			continue;         /* not in this kernel */
		if (target < 0 || fstat(target, &st) < 0)
			child_die(&o->cfg, "mask %s", path);
		name_fd(target, onto);
		show_step("mount %s %s", S_ISDIR(st.st_mode) ?
			  "-t tmpfs -o ro tmpfs" : "--bind /dev/null", path);
		if (S_ISDIR(st.st_mode) ?
		    mount("tmpfs", onto, "tmpfs", ro, NULL) < 0 :
		    mount(at, onto, NULL, MS_BIND, NULL) < 0)
			child_die(&o->cfg, "mask %s", path);
		close(target);
	}
	close(null);
}

/* Child, in its root (enter_root()): make each of linux.readonlyPaths
 * read-only (there are none without a mount namespace), bound onto
 * itself and remounted, as stage 8 does (remount_bind()); one the
 * kernel lacks is left. Then, with root.readonly, the root. */
static void make_paths_read_only(const struct oci_create *o)
{
	const char *path = "";   /* json_string(): read_paths() checked */

	for (const struct json *e = o->c.readonly; e != NULL; e = e->next) {
		json_string(e, &path);
		if (access(path, F_OK) < 0 && errno == ENOENT)
			continue;         /* not in this kernel */
		show_step("mount --rbind %s %s", path, path);
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_die(&o->cfg, "mount --rbind %s", path);
		remount_bind(&o->cfg, path, MS_RDONLY, "ro");
	}
	if (o->c.root_readonly)
		remount_bind(&o->cfg, "/", MS_RDONLY, "ro");
}

/* Child: ask the parent to attach the device program, its nodes made,
 * and to run the hooks of this point (prestart and createRuntime:
 * after the namespaces and mounts, before pivot_root, as runtime.md's
 * create orders them); then wait for its go. */
static void wait_for_hooks(const struct oci_create *o)
{
	int code = OCI_HOOKS;

	if (write(o->cfg.channel, &code, sizeof(code)) != sizeof(code))
		_exit(EXIT_RUNTIME_ERROR);
	wait_for_go(o->cfg.channel);
}

/* Child: open the ptmx of the devpts mounted at the container's
 * /dev/pts, checked before and after (as runc checks it since commit
 * 4371d08af): the directory must be a devpts, its ptmx reached with no
 * link and no other mount on the way (openat2(2) RESOLVE_NO_SYMLINKS,
 * RESOLVE_NO_XDEV), and be the pty multiplexer, 5:2 (pts(4)). exec
 * opens one in a container that runs: its processes could have put a
 * link, or a mount of a file system of their own, there. */
static int open_ptmx(const struct config *cfg)
{
	struct open_how how = {
		.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	int root = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int pts = root < 0 ? -1 : open_in_rootfs(root, "/dev/pts",
						 MAKE_NOTHING);
	int master = -1;
	struct statfs fs;
	struct stat st;

	if (pts >= 0 && fstatfs(pts, &fs) == 0 &&
	    fs.f_type == DEVPTS_SUPER_MAGIC)
		master = (int)syscall(SYS_openat2, pts, "ptmx", &how,
				      sizeof(how));
	if (master < 0 || fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != makedev(5, 2))
		child_die_with(cfg, 0, "process.terminal: the container has no "
			       "devpts at /dev/pts, with its ptmx, to open a "
			       "terminal in");
	close(pts);
	close(root);
	return master;
}

/* Child, with process.terminal: a pty of the container's own devpts
 * (its /dev/pts/ptmx, which config-linux.md's default /dev/ptmx is),
 * made this session's controlling terminal (TIOCSCTTY) and bound onto
 * /dev/console, as config-linux.md's default devices say; its master
 * sent to the engine over --console-socket (SCM_RIGHTS, as stage 4
 * sends its own). Neither end of the bind is a path a link can
 * redirect: the slave comes from the master (TIOCGPTPEER), and
 * /dev/console is opened without following a link. runc bound
 * /dev/pts/N by its path, and a link there made the bind a writable
 * copy of a /proc file that the masks, applied after, would have
 * hidden (CVE-2025-52565; runc takes the slave by TIOCGPTPEER since,
 * commit 531ef794e). The slave becomes stdin, stdout and stderr only
 * once create is done (take_terminal()): until then, a failure's one
 * line goes to create's stderr, where the engine reads it. Its owner
 * is the process's user, as runc gives it, so the program can reopen
 * its own terminal; the group stays devpts's (gid= in the mount).
 * exec's process gets a pty of its own too, but /dev/console stays the
 * init's (BIND false), as in runc. */
static void make_console(struct oci_create *o, bool bind)
{
	const struct config *cfg = &o->cfg;
	struct winsize size = { .ws_row = o->p.rows, .ws_col = o->p.columns };
	char from[FD_NAME_BYTES], at[FD_NAME_BYTES];
	int master, console;
	struct stat st;

	if (o->console < 0)
		return;
	show_step("open /dev/pts/ptmx, its slave bound onto /dev/console");
	master = open_ptmx(cfg);
	if (unlockpt(master) < 0)
		child_die(cfg, "unlockpt");
	o->terminal = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY |
			    O_CLOEXEC);
	if (o->terminal < 0 || ioctl(o->terminal, TIOCSCTTY, 0) < 0)
		child_die(cfg, "the pty's slave");
	/* As runc (fixStdioPermissions()): a uid the namespace does not
	 * map (EINVAL) leaves the owner as it is. */
	if (fchown(o->terminal, o->p.uid, (gid_t)-1) < 0 && errno != EINVAL &&
	    errno != EPERM && errno != EROFS)
		child_die(cfg, "chown the pty's slave");
	if (size.ws_row > 0 && size.ws_col > 0 &&
	    ioctl(master, TIOCSWINSZ, &size) < 0)
		child_die(cfg, "process.consoleSize");
	if (bind) {
		console = open_mount_point(cfg, "/dev/console", MAKE_FILE);
		if (fstat(console, &st) < 0 || S_ISDIR(st.st_mode))
			child_die_with(cfg, EISDIR, "/dev/console");
		name_fd(o->terminal, from);
		name_fd(console, at);
		if (mount(from, at, NULL, MS_BIND, NULL) < 0)
			child_die(cfg, "mount --bind the pty on /dev/console");
		close(console);
	}
	if (send_descriptor(o->console, master) < 0)
		child_die(cfg, "send the pty to --console-socket");
	close(master);
	close(o->console);
}

/* Child: the terminal, if there is one, becomes stdin, stdout and
 * stderr (closing what they were), and its own descriptor goes. The
 * copies dup3(2) makes with no O_CLOEXEC lose the close-on-exec flag
 * the slave was opened with: they outlive the exec, it does not. No
 * copy is onto itself, which dup3 refuses: 0 to 2 were open
 * (open_standard_fds()), so the slave's number is above them. */
static void take_terminal(struct oci_create *o)
{
	if (o->terminal < 0)
		return;
	for (int fd = 0; fd < 3; fd++)
		if (dup3(o->terminal, fd, 0) < 0)
			child_die(&o->cfg, "dup3 the terminal to %d", fd);
	close(o->terminal);
	o->terminal = -1;
}

/* Child, set up: tell the parent, and wait for its go, sent once it
 * has written the state: a parent that died before gives an end of
 * file instead, and the child ends (prepare_exec() dropped the wish to
 * die with it, for the parent is meant to end now, and the child to
 * live on, a child of the engine's subreaper: conmon's, the shim's,
 * PR_SET_CHILD_SUBREAPER in prctl(2)). The terminal, if it has one,
 * becomes its stdin, stdout and stderr now, and create's are closed:
 * containerd's shim reads create's output to its end, which comes only
 * once no process holds it open, and only then calls start. Then wait
 * for start, which writes a byte into exec.fifo. That read blocks: the
 * child holds the FIFO open to write too, so it never sees an end of
 * file (fifo(7): Linux opens a FIFO for both). */
static void wait_for_start(struct oci_create *o)
{
	int code = OCI_CREATED;
	char byte;

	if (write(o->cfg.channel, &code, sizeof(code)) != sizeof(code))
		_exit(EXIT_RUNTIME_ERROR);
	wait_for_go(o->cfg.channel);
	close(o->cfg.channel);
	o->cfg.channel = -1;          /* nobody to report to now */
	take_terminal(o);
	if (read(o->fifo, &byte, 1) != 1)
		_exit(EXIT_RUNTIME_ERROR);
	close(o->fifo);
}

/* Child, started: the startContainer hooks, then a byte into
 * start.fifo, which start waits on, and then for the FIFO's end at the
 * exec, so that it runs the poststart hooks only once the program runs
 * (runtime.md's lifecycle, steps 7 to 9). A hook that fails ends the
 * child first, and start reads the end of the FIFO instead: the
 * container has stopped. */
static void announce_start(struct oci_create *o)
{
	run_hooks(&o->c, "startContainer", &o->s, "created");
	if (write(o->started, "s", 1) != 1)
		_exit(EXIT_RUNTIME_ERROR);
}

/* Child: close every descriptor from FIRST on but the N in KEPT (-1
 * for none), whatever their order: close_range(2) between them. Once
 * sorted, the kept cut the range into gaps, one call each; the last
 * ends at ~0U, past any descriptor there can be. 0, or -1 and errno. */
static int close_all_but(unsigned int first, int *kept, size_t n)
{
	unsigned int from = first;

	for (size_t i = 1; i < n; i++)          /* sort: n is small */
		for (size_t k = i; k > 0 && kept[k - 1] > kept[k]; k--) {
			int swap = kept[k];

			kept[k] = kept[k - 1];
			kept[k - 1] = swap;
		}
	for (size_t i = 0; i < n; i++) {
		if (kept[i] < 0 || (unsigned int)kept[i] < from)
			continue;
		if ((unsigned int)kept[i] > from &&
		    close_range(from, (unsigned int)kept[i] - 1, 0) < 0)
			return -1;
		from = (unsigned int)kept[i] + 1;
	}
	return close_range(from, ~0U, 0);
}

/* Child: keep the descriptors --preserve-fds passes (3 and the N-1
 * after it: conmon's; oci_create() checked that they are open, and
 * none of ours), and close every other but the channel, the FIFOs, the
 * terminal and --log's file (which close at exec: the engines read the
 * last error there), before the working directory is
 * entered: a cwd such as /proc/self/fd/7 would otherwise lead through
 * an inherited descriptor of a host directory to the host's files
 * (runc's CVE-2024-21626, at close_inherited_fds()). Then check where
 * the cwd is: getcwd(3) starts a directory outside the root with
 * "(unreachable)". Keyrings: the session keyring is the caller's until
 * the child joins a new one of its own (keyctl(2)
 * KEYCTL_JOIN_SESSION_KEYRING): keys kept there, such as a host's
 * credentials, would otherwise be readable inside. */
static void prepare_exec(const struct oci_create *o)
{
	int kept[5] = { o->cfg.channel, o->fifo, o->started, o->terminal,
			oci_log != NULL ? fileno(oci_log) : -1 };
	char cwd[PATH_MAX];

	if (o->new_keyring &&
	    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS)
		child_die(&o->cfg, "keyctl join a new session keyring");
	if (prctl(PR_SET_PDEATHSIG, 0) < 0)   /* see wait_for_start() */
		child_die(&o->cfg, "prctl PR_SET_PDEATHSIG");
	for (unsigned int fd = 3; fd < 3 + o->preserve_fds; fd++)
		if (fcntl((int)fd, F_SETFD, 0) < 0)
			child_die(&o->cfg, "keep descriptor %u", fd);
	if (close_all_but(3 + o->preserve_fds, kept, ARRAY_LEN(kept)) < 0)
		child_die(&o->cfg, "close_range");
	if (chdir(o->p.cwd) < 0)
		child_die(&o->cfg, "chdir %s", o->p.cwd);
	if (getcwd(cwd, sizeof(cwd)) == NULL || cwd[0] != '/')
		child_die_with(&o->cfg, 0, "process.cwd %s is outside the "
			       "container's root", o->p.cwd);
}

/* Child, before it says it is created: can the program run? As runc
 * does, so that create fails, not the container once started, with
 * the exit code Docker gives (127: not found, 126: cannot run). The
 * search is execvp(3)'s, in the PATH of the process's env. */
static void check_program(const struct oci_create *o)
{
	const char *name = o->p.argv[0], *path = "/bin:/usr/bin";
	char candidate[PATH_MAX];
	int error = ENOENT;

	for (char **e = o->p.env; e != NULL && *e != NULL; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	if (strchr(name, '/') != NULL)
		path = "";
	for (const char *p = path;; p += strcspn(p, ":") + 1) {
		size_t n = strcspn(p, ":");

		snprintf(candidate, sizeof(candidate), "%.*s%s%s", (int)n, p,
			 n > 0 ? "/" : "", name);
		if (access(candidate, X_OK) == 0)
			return;
		if (errno != ENOENT && errno != ENOTDIR)
			error = errno;
		if (p[n] == '\0')
			break;
	}
	errno = error;
	child_fail(&o->cfg, error == ENOENT ? EXIT_NOT_FOUND :
		   EXIT_CANNOT_EXECUTE, "exec %s", name);
}

/* Child: not dumpable (prctl(2) PR_SET_DUMPABLE), until it execs the
 * program. Until then it is this runtime, in the container: a process
 * of the container's, or of another container's that shares its pid
 * namespace, could otherwise open its /proc/PID/exe, the host's binary,
 * and write it once it is no longer running (runc's CVE-2019-5736;
 * CVE-2016-9962 used a runc init that was still dumpable). A process
 * that is not dumpable gives /proc/PID/exe only to a holder of
 * CAP_SYS_PTRACE (proc(5), ptrace(2) "Ptrace access mode checking").
 * And so that its program cannot be the host's binary by a link, such
 * as /bin/sh -> /proc/self/exe, create runs from a sealed copy
 * (run_sealed_copy()). Returns fs.suid_dumpable, or 1 if unread: a
 * change of uid or gid later sets the attribute to that value
 * (PR_SET_DUMPABLE(2const)), so only if it is not 0 must this be done
 * again after become_process(). Only then: the config's seccomp
 * program is in by then, and may refuse prctl(2) itself. */
static int not_dumpable(const struct config *cfg)
{
	FILE *f = fopen("/proc/sys/fs/suid_dumpable", "re");
	int value = 1;

	if (f == NULL || fscanf(f, "%d", &value) != 1)
		value = 1;
	if (f != NULL)
		fclose(f);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		child_die(cfg, "prctl PR_SET_DUMPABLE");
	return value;
}

/* Parent: must the child of create stay dumpable until this process
 * has written its id maps, setgroups and oom_score_adj, and it its
 * time offsets? In a runtime run as another user than root, as
 * write_id_maps() tells one, yes: the /proc files of a process that is
 * not dumpable belong to root (proc(5)), whom that runtime cannot
 * write as (under rootless podman the runtime is root in podman's user
 * namespace, whose root owns the files). Asked here, not in the child,
 * whose euid reads as the overflow uid until its maps are written.
 * Only if the child is in a user namespace of its own and in no pid
 * namespace given by path: then the processes that may ptrace(2) it
 * meanwhile ("Ptrace access mode checking") are its user's, who own
 * the runtime already; in a container's pid namespace, joined, that
 * container's processes could too. runc 1.1.5's stage-1 child is
 * dumpable while its parent writes the maps, too (nsexec.c). */
static bool dumpable_for_maps(const struct oci_create *o)
{
	int pid = find_namespace(&o->c, CLONE_NEWPID);

	return geteuid() != 0 && (o->namespaces & CLONE_NEWUSER) &&
	       (pid < 0 || o->c.namespaces[pid].path == NULL);
}

/* Child, last: the program, found in its env's PATH (execvp(3)). A
 * failure now goes to the terminal, or to create's stderr:
 * check_program() made one unlikely, not impossible (a script whose
 * interpreter is not there passes access(2)). start, which waits for
 * start.fifo's end, is told with a second byte first: the end alone
 * would say the program runs. SIGPIPE gets its default back: main()
 * ignored it, and execve(2) keeps an ignored signal ignored. */
__attribute__((noreturn))
static void exec_program(const struct oci_create *o)
{
	int error;

	environ = o->p.env;
	signal(SIGPIPE, SIG_DFL);
	execvp(o->p.argv[0], o->p.argv);
	error = errno;
	if (o->started >= 0)          /* create's, not exec's */
		(void)!write(o->started, "x", 1);
	errno = error;
	if (errno == ENOENT || errno == ENOTDIR)
		child_fail(&o->cfg, EXIT_NOT_FOUND, "exec %s", o->p.argv[0]);
	child_fail(&o->cfg, EXIT_CANNOT_EXECUTE, "exec %s", o->p.argv[0]);
}

/* The child of create: in its new namespaces from clone() on. Each
 * line is a step, in much the order of runc 1.1.5's init
 * (standard_init_linux.go), but for three: runc joins a new session
 * keyring first, and makes the console and sets the hostname after
 * pivot_root. The process config.json asks for comes last
 * (become_process(), with its seccomp filter), then the wait for
 * start, then the program. config.md's hooks that run in the
 * container's namespaces are run by it: createContainer's once the
 * parent has run prestart's and createRuntime's, before pivot_root, so
 * their paths are the host's (a mount namespace joined by path: its);
 * startContainer's after start, just
 * before the program, as its user and under its seccomp program (as
 * runc runs them), their paths the container's. Their state's pid is
 * the one seen here (1, in a new pid namespace), as runc gives it and
 * as runtime.md says from runtime-spec 1.1.0 (1.0.2, the version the
 * state names, said the host's). Not dumpable from the first step
 * (not_dumpable()), or from the step after the maps and the time
 * offsets (dumpable_for_maps()). */
static int oci_child(void *arg)
{
	struct oci_create *o = arg;
	struct config *cfg = &o->cfg;
	bool late = o->dumpable_for_maps;
	const char *step;
	int suid_dumpable = 0;

	in_child = true;              /* die() must not undo the parent's */
	take_default_signals();
	close(cfg->parents_end);
	if (!late)
		suid_dumpable = not_dumpable(cfg);
	if (setsid() < 0)             /* no terminal of the caller's */
		child_die(cfg, "setsid");
	die_with_parent(cfg);
	wait_for_go(cfg->channel);    /* maps, cgroup, limits: done */
	if (o->namespaces & CLONE_NEWTIME)
		enter_time_namespace(o);
	if (late)                     /* its /proc files written */
		suid_dumpable = not_dumpable(cfg);
	join_namespaces(o);
	if (o->user) {
		become_root(cfg);
		die_with_parent(cfg);
		/* Does this user namespace let setgroups(2) work? Not a
		 * rootless runtime's new one (write_id_maps() denies it);
		 * a joined one says. */
		setgroups_denied = !setgroups_allowed(0);
	}
	if (o->namespaces & CLONE_NEWCGROUP)
		enter_cgroup_namespace(cfg);  /* in its cgroup by now */
	if (o->c.hostname != NULL)
		set_hostname(cfg);
	if (o->c.domainname != NULL &&
	    setdomainname(o->c.domainname, strlen(o->c.domainname)) < 0)
		child_die(cfg, "setdomainname %s", o->c.domainname);
	set_up_root(o);
	wait_for_hooks(o);
	o->s.pid = getpid();          /* the hooks' state: as seen here */
	run_hooks(&o->c, "createContainer", &o->s, "creating");
	make_console(o, true);
	enter_root(o);
	write_sysctls(o);
	make_paths_read_only(o);
	mask_paths(o);
	set_root_propagation(o);
	prepare_exec(o);
	if (become_process(&o->p, &o->c, &step) < 0)
		child_die(cfg, "%s", step);
	if (suid_dumpable != 0)       /* a new uid or gid set it so */
		not_dumpable(cfg);
	if (o->p.argv != NULL)
		check_program(o);
	wait_for_start(o);
	if (o->p.argv == NULL)        /* start refuses it, and says why */
		_exit(EXIT_RUNTIME_ERROR);
	announce_start(o);
	exec_program(o);
}

/* Parent: make --root's directory, and each above it that is missing
 * (mkdir -p): containerd's shim names /run/containerd/runc/NAMESPACE
 * before it is there. Made shut to others (0700, as runc's): the
 * configs in it hold their processes' env. */
static void make_root_dir(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", oci_root);
	for (char *p = strchr(dir + 1, '/');; p = strchr(p + 1, '/')) {
		if (p != NULL)
			*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			die("mkdir %s", dir);
		if (p == NULL)
			return;
		*p = '/';
	}
}

/* Is the namespace open at FD the same namespace as the file OWN:
 * device and inode (the nsfs file)? The runtime's own are always there
 * to compare; pid 1's may not be (EACCES for a runtime that is itself
 * in a container that hides its pid 1), and is then not. */
static bool same_namespace(int fd, const char *own)
{
	struct stat joined, ours;

	if (fstat(fd, &joined) < 0)
		die("fstat the namespace to join");
	if (stat(own, &ours) < 0) {
		if (strncmp(own, "/proc/self/", 11) == 0)
			die("stat %s", own);
		return false;
	}
	return joined.st_dev == ours.st_dev && joined.st_ino == ours.st_ino;
}

/* Parent: a sysctl is set in the container's namespace of its kind,
 * network for net.*, ipc for the rest (read_sysctl() checked that it
 * has one, new or joined); one joined by path may be this runtime's
 * own, the host's most likely, and the sysctl would then be the
 * host's: refused (runc refuses it for net.*). */
static void check_sysctl_namespace(const struct oci_create *o)
{
	for (const struct json *e = o->c.sysctl; e != NULL; e = e->next) {
		bool net = strncmp(e->name, "net.", 4) == 0;
		int i = find_namespace(&o->c, net ? CLONE_NEWNET :
				       CLONE_NEWIPC);
		const char *own = net ? "/proc/self/ns/net" :
			"/proc/self/ns/ipc";

		if (i < 0 || o->c.namespaces[i].path == NULL)
			continue;
		if (same_namespace(o->namespace_fd[i], own))
			refuse("linux.sysctl: %s is this runtime's own %s "
			       "namespace: %s would be the host's",
			       o->c.namespaces[i].path, net ? "network" :
			       "ipc", e->name);
	}
}

/* Parent: a mount namespace joined by path gets the root set up in it,
 * and its old root's processes follow pivot_root(2) to the new one; a
 * uts namespace joined gets the hostname. Either would be the host's
 * if the path named this runtime's own namespace, or pid 1's: refused.
 * runc 1.1.5's validator checks neither (validator.go in its
 * libcontainer/configs/validate). A user namespace is refused too, for
 * the kernel's own reason, named before anything is made: setns(2)
 * lets no process join the user namespace it is in (EINVAL). */
static void check_joined_namespaces(const struct oci_create *o)
{
	static const struct {
		int flag;
		const char *file, *what;
	} kinds[] = {
		{ CLONE_NEWNS, "mnt", "the root would be set up in it" },
		{ CLONE_NEWUTS, "uts", "the hostname would be set in it" },
		{ CLONE_NEWUSER, "user", "leave it out of linux.namespaces "
		  "to share it" },
	};
	char own[32];

	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		int i = find_namespace(&o->c, kinds[k].flag);
		const char *path = i < 0 ? NULL : o->c.namespaces[i].path;

		if (path == NULL || (kinds[k].flag == CLONE_NEWUTS &&
				     o->c.hostname == NULL &&
				     o->c.domainname == NULL))
			continue;
		for (int pid = 0; pid <= 1; pid++) {
			snprintf(own, sizeof(own), "/proc/%s/ns/%s",
				 pid == 0 ? "self" : "1", kinds[k].file);
			if (same_namespace(o->namespace_fd[i], own))
				refuse("linux.namespaces: %s is the host's %s "
				       "namespace (%s): %s", path,
				       kinds[k].file, pid == 0 ? "this "
				       "runtime's" : "pid 1's", kinds[k].what);
		}
	}
}

/* Parent: process.terminal asks for a terminal of the container's
 * own, and --console-socket names where its master goes: a unix(7)
 * socket the engine listens on (conmon's, the shim's). The engine
 * keeps the master and relays it, long after create has ended; the
 * child sends it (make_console()) over this connection, which it
 * inherits. One without the other is refused, as runc refuses it.
 * Connected here, in the host's mount namespace: once the child has
 * pivoted, the path would be looked up in the container's files. */
static void connect_console(struct oci_create *o, const char *path)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };

	o->console = o->terminal = -1;
	if (o->p.terminal && path == NULL)
		refuse("process.terminal: a terminal needs --console-socket, "
		       "the socket its master is sent to");
	if (!o->p.terminal && path != NULL)
		refuse("--console-socket %s: process.terminal is false", path);
	if (path == NULL)
		return;
	if (strlen(path) >= sizeof(address.sun_path))
		refuse("--console-socket %s: longer than a socket's path may "
		       "be (%zu bytes)", path, sizeof(address.sun_path) - 1);
	strcpy(address.sun_path, path);
	o->console = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (o->console < 0 || connect(o->console, (struct sockaddr *)&address,
				      sizeof(address)) < 0)
		die("--console-socket %s", path);
}

/* Parent: make ROOT/ID (from here on, the exit handler removes it),
 * copy BUNDLE's config.json there and read it into O, with the rootfs
 * it names. mkdir(2) fails if ROOT/ID is there: runtime.md's create
 * MUST fail for an ID in use, and make nothing. 0711, as runc makes
 * its own (libcontainer/factory_linux.go). */
static void read_create(struct oci_create *o, const char *bundle,
			const char *console_socket)
{
	char path[PATH_MAX + 16], from[PATH_MAX + 16], rootfs[PATH_MAX * 2];

	if (realpath(bundle, o->s.bundle) == NULL)
		die("bundle %s", bundle);
	if (strchr(o->s.bundle, '\n') != NULL)
		refuse("bundle %s: a path with a newline", bundle);
	/* ENOENT: a delete removed the root between the two (it removes
	 * it once empty); make it again. */
	for (int attempt = 1;; attempt++) {
		make_root_dir();
		if (mkdir(o->s.dir, 0711) == 0)
			break;
		if (errno != ENOENT || attempt == 3)
			die("mkdir %s%s", o->s.dir, errno == EEXIST ?
			    ": container exists already" : "");
	}
	creating = o;                 /* undo_create() removes it */
	if (atexit(undo_create) != 0)
		die_with(ENOMEM, "atexit");
	/* The copy is what is read: the two are the same, whatever is
	 * written to the bundle's meanwhile. */
	snprintf(from, sizeof(from), "%s/config.json", o->s.bundle);
	snprintf(path, sizeof(path), "%s/config.json", o->s.dir);
	copy_config(from, path);
	o->config = read_config(path);
	if (!read_bundle_config(o->config, &o->c) ||
	    !read_process(o->config, &o->p))
		refuse("%s: %s", from, json_error);
	connect_console(o, console_socket);
	open_namespaces(o);
	check_sysctl_namespace(o);
	check_joined_namespaces(o);
	for (int i = 0; i < o->c.namespace_count; i++)
		if (o->c.namespaces[i].path == NULL)
			o->namespaces |= o->c.namespaces[i].flag;
	o->user = find_namespace(&o->c, CLONE_NEWUSER) >= 0;
	o->dumpable_for_maps = dumpable_for_maps(o);
	snprintf(rootfs, sizeof(rootfs), "%s%s%s", o->c.root[0] == '/' ? "" :
		 o->s.bundle, o->c.root[0] == '/' ? "" : "/", o->c.root);
	if (realpath(rootfs, o->cfg.rootfs) == NULL)
		die("root.path %s", rootfs);
	o->cfg.hostname = o->c.hostname;
	o->cfg.uids = o->c.uids;
	o->cfg.gids = o->c.gids;
}

/* Parent: ROOT/ID/init, which makes the container one the other
 * commands find, written as soon as the child is there (its pid, its
 * start time, its cgroup), so that a delete --force can end it and
 * remove its cgroup even if this create is killed before it is done.
 * Until state.json is there too, the container is "creating". */
static void write_init(struct oci_create *o)
{
	char path[PATH_MAX + 16], text[PATH_MAX * 3 + 64];

	o->s.start = start_time(o->s.pid);
	snprintf(text, sizeof(text), "%d %llu\n%s\n%s\n%s\n", o->s.pid,
		 o->s.start, o->s.bundle, o->s.cgroup, o->s.made);
	snprintf(path, sizeof(path), "%s/init", o->s.dir);
	write_whole(path, text, 0600);
}

/* Parent, once the child waits for start: the state, then the pid
 * file, the caller's, so that nobody who has read the pid can find the
 * container still "creating". The pid file holds the digits alone:
 * containerd's go-runc reads it with Go's strconv.Atoi, which a
 * newline would fail (ReadPidFile(), utils.go). */
static void write_created(struct oci_create *o)
{
	char path[PATH_MAX + 16], text[32], *state;

	state = oci_state_json(&o->s, "created", &o->c);
	snprintf(path, sizeof(path), "%s/state.json", o->s.dir);
	write_whole(path, state, 0600);
	free(state);
	if (o->pid_file != NULL) {
		snprintf(text, sizeof(text), "%d", o->s.pid);
		write_whole(o->pid_file, text, 0644);
	}
}

/* What the helper of clone_joining_user() reports: the child's pid, or
 * the step that failed (1, 2, 3: setns pid, setns user, clone) and its
 * errno. */
struct helper_report {
	pid_t pid;
	int step;
	int error;
};

/* Parent, for a config that joins a user namespace by path (a pod's,
 * whose containers share its ids): the namespaces the child makes new
 * must be made inside it, which then owns them, so that its root can
 * set its hostname, mount in its mount namespace, configure its
 * network. clone(2) makes them owned by the caller's user namespace,
 * and this process must stay in the host's (cgroups, hooks): once in a
 * user namespace below the host's, a process can never go back up
 * (setns(2) wants CAP_SYS_ADMIN in the namespace joined). So a helper,
 * forked, joins the pid namespace given (as join_pid_namespace() would)
 * and the user namespace, clones the child, reports its pid and ends.
 * The pid is the one this process sees: the helper is in its pid
 * namespace, and setns into a pid namespace moves only the children to
 * come. CLONE_PARENT makes the child this process's, not the helper's
 * (clone(2)). runc always works so: its nsexec.c's "stage-1" process
 * joins the namespaces given, makes the new ones and clones the init
 * with CLONE_PARENT. The report is read once the helper has ended, and
 * without waiting: the child holds the pipe open too, until its exec,
 * and would keep a read waiting for an end of file for ever. Returns
 * the pid, or -1 and errno as clone() would. */
static pid_t clone_joining_user(struct oci_create *o, char *stack_top,
				int flags)
{
	int p = find_namespace(&o->c, CLONE_NEWPID);
	int u = find_namespace(&o->c, CLONE_NEWUSER), report[2], status;
	struct helper_report r = { -1, 0, 0 };
	pid_t helper;

	if (pipe2(report, O_CLOEXEC | O_NONBLOCK) < 0)
		die("pipe2");
	helper = fork();
	if (helper < 0)
		die("fork");
	if (helper == 0) {            /* no die(): its exit handler */
		if (p >= 0 && o->c.namespaces[p].path != NULL &&
		    setns(o->namespace_fd[p], CLONE_NEWPID) < 0)
			r = (struct helper_report){ -1, 1, errno };
		else if (setns(o->namespace_fd[u], CLONE_NEWUSER) < 0)
			r = (struct helper_report){ -1, 2, errno };
		else if ((r.pid = clone(oci_child, stack_top, flags |
					CLONE_PARENT | SIGCHLD, o)) < 0)
			r = (struct helper_report){ -1, 3, errno };
		_exit(write(report[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(report[1]);
	if (waitpid(helper, &status, 0) < 0)
		die("waitpid the helper that joins the user namespace");
	if (read(report[0], &r, sizeof(r)) != sizeof(r))
		die_with(0, "the helper that joins the user namespace ended "
			 "without a word (%s %d)", WIFSIGNALED(status) ?
			 "signal" : "exit status", WIFSIGNALED(status) ?
			 WTERMSIG(status) : WEXITSTATUS(status));
	close(report[0]);
	errno = r.error;
	if (r.step == 1 || r.step == 2)
		die("setns %s", o->c.namespaces[r.step == 1 ? p : u].path);
	return r.pid;
}

/* Parent: clone the child, in the pid namespace given if there is one
 * (join_pid_namespace()), or through a helper if it joins a user
 * namespace. */
static pid_t clone_oci_child(struct oci_create *o, char *stack_top,
			     int flags)
{
	int p = find_namespace(&o->c, CLONE_NEWPID), own_pid_namespace = -1;
	pid_t pid;

	if (!(o->namespaces & CLONE_NEWUSER) && o->user)
		pid = clone_joining_user(o, stack_top, flags);
	else {
		own_pid_namespace = join_pid_namespace(o);
		pid = clone(oci_child, stack_top, flags | SIGCHLD, o);
	}
	if (pid < 0 && errno == ENOMEM && p >= 0 &&
	    o->c.namespaces[p].path != NULL)
		die("clone into the pid namespace given (has its init "
		    "ended? pid_namespaces(7))");
	if (pid < 0)
		die("clone");
	leave_pid_namespace(own_pid_namespace);
	return pid;
}

/* Parent: start the child in the namespaces the config makes new (the
 * cgroup and time namespaces are made later, by the child: in its
 * cgroup, and with its clocks' offsets), set up what needs
 * its pid, and follow it until it waits for start. */
static int spawn_oci_child(struct oci_create *o)
{
	_Alignas(16) static char stack[CHILD_STACK_BYTES];
	int channel[2], code;
	int flags = o->namespaces & ~(CLONE_NEWCGROUP | CLONE_NEWTIME);
	struct config *cfg = &o->cfg;
	const char *step;
	char text[32];

	make_channel(channel);
	cfg->parents_end = channel[0];
	cfg->channel = channel[1];
	child_pid = clone_oci_child(o, stack + CHILD_STACK_BYTES, flags);
	close(channel[1]);
	o->s.pid = child_pid;
	if (o->namespaces & CLONE_NEWUSER)
		write_id_maps(cfg, child_pid);
	/* In its cgroup before its go: nothing it forks can stay out. */
	snprintf(text, sizeof(text), "%d", child_pid);
	if (o->s.cgroup[0] != '\0')
		set_cgroup_file(o->s.cgroup, "cgroup.procs", text);
	if (limit_process(&o->p, child_pid, &step) < 0)
		die("%s", step);
	write_init(o);                /* delete --force finds it now */
	send_go(channel[0]);
	while ((code = wait_for_exec(channel[0])) == OCI_HOOKS) {
		attach_device_program(o);
		run_hooks(&o->c, "prestart", &o->s, "creating");
		run_hooks(&o->c, "createRuntime", &o->s, "creating");
		send_go(channel[0]);
	}
	if (code == OCI_CREATED) {
		write_created(o);
		send_go(channel[0]);  /* the child may wait for start now */
	}
	close(channel[0]);
	/* A positive code is the child's failure; 0, an end of the
	 * channel with no word, means it died without one (killed). */
	return code == OCI_CREATED ? 0 : code != 0 ? code : EXIT_RUNTIME_ERROR;
}

/* Parent, create and exec: 0, 1 and 2 open, on /dev/null if the
 * caller closed one, before anything of ours is opened: a descriptor
 * of ours there would be the container's stdin, stdout or stderr, or
 * the channel, which the child's error line would be written into. */
static void open_standard_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 &&
		    open("/dev/null", O_RDWR) != fd)
			die("open /dev/null as descriptor %d", fd);
}

/* Parent, create and exec: the N descriptors --preserve-fds passes
 * on, from 3, must be the caller's, open now: one of ours opened in
 * their place would go into the container (--log's file, the state
 * directory's). */
static void check_preserved_fds(unsigned int n)
{
	for (unsigned int fd = 3; fd < 3 + n; fd++)
		if (fcntl((int)fd, F_GETFD) < 0 ||
		    (oci_log != NULL && fileno(oci_log) == (int)fd))
			refuse("--preserve-fds %u: descriptor %u is not one "
			       "the caller passed", n, fd);
}

/* Read create's options from ARGV into O, *BUNDLE and *CONSOLE; returns
 * the index of the container's ID. --no-pivot is refused: runc's flag
 * for a machine whose root is a ramdisk, the initial rootfs, where
 * pivot_root(2) fails (EINVAL). "+" in the option string stops the
 * scan at the first word that is not an option, and ":" first makes a
 * missing value ':', not '?' (getopt(3)): the two mistakes get two
 * messages. */
static int read_create_options(int argc, char **argv, struct oci_create *o,
			       const char **bundle, const char **console)
{
	static const struct option options[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "no-new-keyring", no_argument, NULL, 'k' },
		{ "no-pivot", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:b:", options, NULL)) != -1)
		if (opt == 'b')
			*bundle = optarg;
		else if (opt == 'p')
			o->pid_file = optarg;
		else if (opt == 'c')
			*console = optarg;
		else if (opt == 'f')
			o->preserve_fds = (unsigned int)parse_count(
				"--preserve-fds", optarg, 1024);
		else if (opt == 'k')
			o->new_keyring = false;
		else if (opt == 'n')
			refuse("--no-pivot: in a mount namespace this "
			       "runtime uses pivot_root(2), which leaves no "
			       "way back to the host");
		else if (opt == ':')
			bad_usage("missing value for", argv[optind - 1]);
		else
			bad_usage("unknown option", argv[optind - 1]);
	if (optind != argc - 1)
		refuse("usage: container create [--bundle DIR] "
		       "[--pid-file FILE] ID");
	return optind;
}

/* `container create [--bundle DIR] [--pid-file FILE] [--preserve-fds N]
 * [--no-new-keyring] ID`: set the container up from DIR's config.json
 * (the current directory without --bundle) and leave its process
 * waiting for start. This process then ends, and the container's init
 * lives on, given to whoever reaps orphans for its caller. Its stdin,
 * stdout and stderr are create's. */
static int oci_create(int argc, char **argv)
{
	static struct oci_create o;   /* static: large, and zeroed */
	const char *bundle = ".", *console_socket = NULL;
	int code;

	open_standard_fds();
	o.new_keyring = true;
	o.s.id = argv[read_create_options(argc, argv, &o, &bundle,
					  &console_socket)];
	check_preserved_fds(o.preserve_fds);
	container_dir(o.s.dir, o.s.id);
	read_create(&o, bundle, console_socket);
	bind_root_in_place(&o);
	make_oci_cgroup(&o);
	o.fifo = make_fifo(&o, "exec.fifo");
	o.started = make_fifo(&o, "start.fifo");
	code = spawn_oci_child(&o);
	if (o.console >= 0)
		close(o.console);     /* the child sent the pty, or failed */
	if (code != 0)
		exit(code);           /* the handler undoes it all */
	creating = NULL;              /* it lives on: keep it all */
	free_process(&o.p);
	free_bundle_config(&o.c);
	json_free(o.config);
	return 0;
}

/* start's word to the created container's init in S's directory: a
 * byte into exec.fifo, which it waits on; then its answer in
 * start.fifo (announce_start()): a byte once the startContainer hooks
 * have run and the program is next, then the end of the FIFO at its
 * exec; or that end alone if it ended first. Both are opened without
 * waiting (O_NONBLOCK): exec.fifo, when nobody holds it open to read,
 * refuses with ENXIO (fifo(7)) instead of blocking start for ever, and
 * then the container's process has ended; start.fifo's open would wait
 * for a writer, and its read then waits (O_NONBLOCK cleared). True if
 * the program was executed. The FIFOs are removed, so that state says
 * "running". */
static bool hand_over(const struct oci_state *s)
{
	char fifo[PATH_MAX + 16], started[PATH_MAX + 16], byte = '\0';
	int fd, answer;
	ssize_t n;

	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", s->dir);
	snprintf(started, sizeof(started), "%s/start.fifo", s->dir);
	/* start.fifo first: the kernel drops what a FIFO holds at its
	 * last close, and the child's end closes at its exec; held open
	 * here, the byte it wrote stays to be read. */
	answer = open(started, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (answer < 0 || fcntl(answer, F_SETFL, 0) < 0)
		die("start %s: open %s", s->id, started);
	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO)
		refuse("container %s: its process has ended before start",
		       s->id);
	if (fd < 0 || write(fd, "s", 1) != 1)
		die("start %s: write %s", s->id, fifo);
	close(fd);
	do
		n = read(answer, &byte, 1);
	while (n < 0 && errno == EINTR);
	/* Then the FIFO's end: the child's descriptor of it, the last
	 * writer once create has ended, closes at its execve(2)
	 * (O_CLOEXEC), so that poststart runs once the program has been
	 * executed (config.md, poststart), not just as it is about to be.
	 * A byte instead is exec_program()'s: the exec failed. */
	while (n == 1 && (n = read(answer, &byte, 1)) < 0 && errno == EINTR)
		n = 1;
	close(answer);
	unlink(fifo);
	unlink(started);
	return n == 0 && byte == 's';
}

/* A pidfd on the init of S, checked to be that process still: the
 * start time is read once the pidfd holds the pid, so a process that
 * took the pid over would not match (pidfd_open(2)); -1 if it ended. */
static int open_init(const struct oci_state *s)
{
	int pidfd = s->pid > 0 ? pidfd_open(s->pid, 0) : -1;

	if (pidfd >= 0 && start_time(s->pid) != s->start) {
		close(pidfd);
		return -1;
	}
	return pidfd;
}

/* start, about to fail: the init is ending (its exec or a hook failed,
 * or it had no program); wait for its end, a second at most, so that
 * the engine that asks state next finds it "stopped", not "running"
 * (pidfd_open(2): a pidfd polls readable once the process has ended). */
static void wait_for_end(const struct oci_state *s)
{
	struct pollfd end = { open_init(s), POLLIN, 0 };

	if (end.fd >= 0) {
		poll(&end, 1, 1000);
		close(end.fd);
	}
}

/* `container start ID`: let the created container's process exec its
 * program (hand_over()), then run the poststart hooks. A container
 * that is not created is refused and left as it is, as runtime.md's
 * start MUST; one whose config.json has no process is refused too
 * (runtime.md: start MUST then generate an error), but only once its
 * init, told to start, has ended: "created" for ever would be a
 * container nothing could start. */
static int oci_start(const char *id)
{
	struct oci_state s;
	struct bundle_config c;
	struct json *config;
	const char *status;
	bool ran;
	int lock;

	read_oci_state(&s, id);
	/* One start at a time: a second, run meanwhile, waits here and
	 * then finds the container running (flock(2) on its directory).
	 * Unlocked, both would pass the check below, and the one whose
	 * read found no byte would say the process had ended. */
	lock = open(s.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		die("start %s: lock %s", id, s.dir);
	status = oci_status(&s);
	if (strcmp(status, "created") != 0)
		refuse("container %s is %s: only a created container starts",
		       id, status);
	config = saved_config(&s, &c);
	ran = hand_over(&s);
	close(lock);                  /* poststart's hooks may ask state */
	if (!ran)
		wait_for_end(&s);
	if (json_member(config, "process") == NULL)
		refuse("container %s: its config.json has no process, which "
		       "start needs (config.md); its init has ended", id);
	if (!ran)
		refuse("container %s: its program did not run (a "
		       "startContainer hook failed, its exec failed, or it was "
		       "killed: see the container's stderr)", id);
	run_hooks(&c, "poststart", &s, "running");
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* exec's process: CONFIG's, with the command line's ARGV and --tty,
 * or, with --process FILE, the process object in FILE (config.md's
 * process: conmon and containerd's shim write one), its terminal as
 * the file says (runc 1.1.5 too reads no --tty then). */
static void read_exec_process(struct oci_create *e, const char *file,
			      char **argv, bool tty)
{
	struct json *process;

	if (file == NULL) {
		if (argv[0] == NULL)
			refuse("usage: container exec [--process FILE] "
			       "[--detach] [--tty] ID [COMMAND [ARG...]]");
		if (!read_process(e->config, &e->p))
			refuse("%s/config.json: %s", e->s.dir, json_error);
		free(e->p.argv);      /* the command line's instead */
		e->p.argv = argv;
		e->p.terminal = tty;
		return;
	}
	if (argv[0] != NULL)
		refuse("exec: a command with --process: the file names it");
	process = read_config(file);
	if (!read_process_object(process, &e->p))
		refuse("%s: %s", file, json_error);
	e->process = process;         /* its strings are e->p's */
}

/* exec's child: in the container's namespaces and cgroup (its parent
 * joined them; the pid namespace, which takes only children, takes
 * it). The steps are create's child's from prepare_exec() on: it
 * becomes the process config.md describes, filtered by the
 * container's seccomp program, and never dumpable before its exec. */
__attribute__((noreturn))
static void oci_exec_child(struct oci_create *e)
{
	const char *step;
	int suid_dumpable;

	in_child = true;
	take_default_signals();
	close(e->cfg.parents_end);
	suid_dumpable = not_dumpable(&e->cfg);
	/* A session of its own only for a terminal of its own: without
	 * one, it stays in the caller's process group, where a Ctrl-C at
	 * the caller's terminal reaches it. */
	if (e->p.terminal && setsid() < 0)
		child_die(&e->cfg, "setsid");
	make_console(e, false);
	prepare_exec(e);
	if (become_process(&e->p, &e->c, &step) < 0)
		child_die(&e->cfg, "%s", step);
	if (suid_dumpable != 0)
		not_dumpable(&e->cfg);
	check_program(e);
	take_terminal(e);
	exec_program(e);
}

/* The namespaces of the container's config, made or joined: exec joins
 * the init's own of each of those kinds, and no others. setns(2) on a
 * pidfd enters them atomically: all of them, or none. */
static int exec_namespaces(const struct bundle_config *c)
{
	int flags = 0;

	for (int i = 0; i < c->namespace_count; i++)
		flags |= c->namespaces[i].flag;
	return flags;
}

/* exec's options, besides --preserve-fds (in struct oci_create). */
struct exec_options {
	const char *process_file; /* --process, or NULL */
	const char *pid_file;     /* --pid-file, or NULL */
	const char *console;      /* --console-socket, or NULL */
	bool detach;              /* --detach */
	bool tty;                 /* --tty */
};

/* Read exec's options from ARGV into X and E; returns the index of the
 * container's ID. The "+" stops the scan at the ID (getopt(3)), so
 * that in `exec ID ls -l`, -l is the command's, not exec's. */
static int read_exec_options(int argc, char **argv, struct oci_create *e,
			     struct exec_options *x)
{
	static const struct option options[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'i' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "tty", no_argument, NULL, 't' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:dt", options, NULL)) != -1)
		if (opt == 'p')
			x->process_file = optarg;
		else if (opt == 'd')
			x->detach = true;
		else if (opt == 'i')
			x->pid_file = optarg;
		else if (opt == 'c')
			x->console = optarg;
		else if (opt == 't')
			x->tty = true;
		else if (opt == 'f')
			e->preserve_fds = (unsigned int)parse_count(
				"--preserve-fds", optarg, 1024);
		else if (opt == ':')
			bad_usage("missing value for", argv[optind - 1]);
		else
			bad_usage("unknown option", argv[optind - 1]);
	if (optind >= argc)
		refuse("usage: container exec [--process FILE] [--detach] "
		       "[--tty] ID [COMMAND [ARG...]]");
	check_preserved_fds(e->preserve_fds);
	return optind;
}

/* Parent: the directory of the pid file PATH, held open (O_PATH), and
 * in *NAME the file's name in it: exec writes the file once it is in
 * the container's mount namespace or root, where the path would lead
 * into the container; openat(2) on this descriptor still finds the host's. */
static int open_pid_dir(const char *path, const char **name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	*name = slash != NULL ? slash + 1 : path;
	snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : slash ==
		 path ? 1 : (int)(slash - path), slash == NULL ? "." : path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || **name == '\0')
		die_with(fd < 0 ? errno : EISDIR, "--pid-file %s", path);
	return fd;
}

/* Parent, exec: this process into the cgroup of the container S.
 * cgroup v2 lets no process into a cgroup that has both children and
 * controllers enabled for them ("no internal processes",
 * cgroup-v2.rst): EBUSY, when the container made cgroups of its own
 * below its cgroup (as a systemd in it does) and moved its init into
 * one. Then the init's own cgroup, as runc 1.1.5 does: the line
 * "0::PATH" of /proc/PID/cgroup, PATH from the cgroup2 root, as this
 * process's cgroup namespace, the host's, sees it (cgroups(7)). */
static void join_exec_cgroup(const struct oci_state *s)
{
	char text[32], path[PATH_MAX + 16], line[PATH_MAX] = "";
	const char *root = find_cgroup2();
	FILE *f;
	int error;

	snprintf(text, sizeof(text), "%d", getpid());
	error = write_cgroup_file(s->cgroup, "cgroup.procs", text);
	if (error != EBUSY || root == NULL) {
		if (error != 0)
			die_with(error, "write %s/cgroup.procs (%s)", s->cgroup,
				 text);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", s->pid);
	f = fopen(path, "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL &&
	       strncmp(line, "0::", 3) != 0)
		;
	if (f == NULL || strncmp(line, "0::", 3) != 0)
		die_with(error, "write %s/cgroup.procs (%s)", s->cgroup, text);
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s%s", root, line + 3);
	set_cgroup_file(path, "cgroup.procs", text);
}

/* Parent: into the container ID's cgroup, then all its namespaces, as
 * stage 9's exec goes: one setns(2) on a pidfd of the init. First the
 * process's rlimits and oom_score_adj, set on this process and so
 * inherited by the child, while it may still raise a hard limit (as
 * host root; in the container's user namespace it could not); whether
 * that namespace denies setgroups, read in the host's /proc; and not
 * dumpable from here on, after oom_score_adj: the /proc files of a
 * process that is not dumpable are root's (proc(5)), and a runtime run
 * as another user could not open its own. A container that shares the
 * runtime's mount namespace is entered with chroot(2), into the root's
 * bind that create made, checked by its id as delete does (not the
 * init's root now, which a chroot of its own may have moved). */
static void enter_container(struct oci_create *e)
{
	const char *step;
	char path[64], text[32];
	int pidfd = open_init(&e->s), root = -1;

	if (pidfd < 0)
		refuse("container %s is stopped: exec needs it created or "
		       "running", e->s.id);
	if (find_namespace(&e->c, CLONE_NEWNS) < 0 &&
	    (root = open_root_bind(&e->s)) < 0)
		refuse("container %s: %s is not the root's bind create made",
		       e->s.id, e->s.root[0] != '\0' ? e->s.root :
		       "(no root-mount)");
	if (limit_process(&e->p, 0, &step) < 0)
		die("%s", step);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("prctl PR_SET_DUMPABLE");
	snprintf(path, sizeof(path), "/proc/%d/setgroups", e->s.pid);
	read_line(path, text, sizeof(text));
	setgroups_denied = strncmp(text, "deny", 4) == 0;
	/* The cgroup before setns(): its path is the host's, and after it
	 * this process's root is the container's. */
	if (e->s.cgroup[0] != '\0')
		join_exec_cgroup(&e->s);
	show_step("nsenter --target %d (all its namespaces)", e->s.pid);
	if (exec_namespaces(&e->c) != 0 &&  /* none: EINVAL, setns(2) */
	    setns(pidfd, exec_namespaces(&e->c)) < 0)
		die("setns into container %s", e->s.id);
	close(pidfd);
	if (root >= 0) {              /* no mount namespace to join */
		show_step("chroot %s", e->s.root);
		if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
			die("chroot into container %s", e->s.id);
		close(root);
	}
}

/* exec: read the state of the container ID into E, refuse one that is
 * not created or running (runc execs into both: a created container's
 * init waits for start in its namespaces already), and E's process:
 * ARGV and --tty, or --process's file. E is then a create that has
 * nothing to make: no FIFOs, a keyring of its own, and the root "/",
 * for its child is in the container's root already: its mount
 * namespace's, or the bind enter_container() chroots into. */
static void read_exec_target(struct oci_create *e,
			     const struct exec_options *x, const char *id,
			     char **argv)
{
	const char *status;

	read_oci_state(&e->s, id);
	status = oci_status(&e->s);
	if (strcmp(status, "created") != 0 && strcmp(status, "running") != 0)
		refuse("container %s is %s: exec needs it created or running",
		       e->s.id, status);
	e->config = saved_config(&e->s, &e->c);
	read_exec_process(e, x->process_file, argv, x->tty);
	connect_console(e, x->console);
	e->fifo = e->started = -1;
	e->new_keyring = true;
	snprintf(e->cfg.rootfs, sizeof(e->cfg.rootfs), "/");
}

/* Parent, in the container's namespaces: fork the process, which is
 * then in them all, and its pid namespace's too (setns(2) with
 * CLONE_NEWPID places children only). The child must not keep
 * PID_DIR, a directory of the host's. 0 once the child has exec'd;
 * otherwise the exit code it reported, and it is reaped. */
static int fork_exec_child(struct oci_create *e, int pid_dir)
{
	int channel[2], code;

	make_channel(channel);
	e->cfg.parents_end = channel[0];
	e->cfg.channel = channel[1];
	if (fork_forwarding() == 0) {
		if (pid_dir >= 0)
			close(pid_dir);   /* a host directory: not in there */
		oci_exec_child(e);
	}
	close(channel[1]);
	if (e->console >= 0)
		close(e->console);
	code = wait_for_exec(channel[0]);
	if (code != 0)
		wait_for_child(child_pid);
	return code;
}

/* Parent, once the child has exec'd: its pid (as the host sees it)
 * into NAME in PID_DIR, the digits alone. O_NOFOLLOW: this process's
 * root is the container's now, and an absolute link there would be
 * followed in it. Not through a temporary name, as create's: the
 * engine reads it only once exec has ended (containerd's shim, after
 * runc exec --detach returns). A pid file not written leaves a
 * process the engine cannot find: it is killed, and the error names
 * PATH. */
static void write_exec_pid(int pid_dir, const char *name, const char *path)
{
	char text[32];
	int fd, error;

	snprintf(text, sizeof(text), "%d", child_pid);
	fd = openat(pid_dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) < 0) {
		error = errno;
		kill(child_pid, SIGKILL);
		wait_for_child(child_pid);
		die_with(error, "--pid-file %s", path);
	}
}

/* `container exec [--process FILE] [--detach] [--pid-file FILE]
 * [--console-socket PATH] [--tty] [--preserve-fds N] ID [COMMAND...]`:
 * run another process in the created or running container ID, as
 * conmon (podman exec) and containerd's shim (ctr task exec) call it.
 * The parent holds what it writes to later (the pid file's directory)
 * while it is still in the host's mount namespace, enters the
 * container (enter_container()) and forks: the child is the process.
 * The parent stays in the host's pid namespace (where nothing in the
 * container can name it, unless the config shares the host's), and
 * is not dumpable. With --detach it ends once the child has exec'd,
 * and the child lives on under the caller's subreaper; without, it
 * passes on signals and ends with the child's status. */
static int oci_exec(int argc, char **argv)
{
	static struct oci_create e;   /* static: large, and zeroed */
	struct exec_options x = { 0 };
	const char *pid_name = NULL;
	int first, pid_dir = -1, code;

	open_standard_fds();
	first = read_exec_options(argc, argv, &e, &x);
	read_exec_target(&e, &x, argv[first], argv + first + 1);
	if (x.pid_file != NULL)
		pid_dir = open_pid_dir(x.pid_file, &pid_name);
	enter_container(&e);
	code = fork_exec_child(&e, pid_dir);
	if (code != 0)
		return code;          /* the child said why */
	if (pid_dir >= 0)
		write_exec_pid(pid_dir, pid_name, x.pid_file);
	return x.detach ? 0 : wait_for_child(child_pid);
}

/* `container state ID`: print runtime.md's state of the container.
 * Its status is found anew each time (oci_status()), from the init's
 * pid and start time: nobody has to note that the container stopped. */
static int oci_state_command(const char *id)
{
	struct oci_state s;
	struct bundle_config c;
	struct json *config;
	char *state;

	read_oci_state(&s, id);
	config = saved_config(&s, &c);
	state = oci_state_json(&s, oci_status(&s), &c);
	printf("%s\n", state);
	free(state);
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* The signal kill --all sends, for signal_cgroup(). */
static int all_signal;

/* Send all_signal to each process in the cgroup PATH, for nftw(3),
 * which walks the container's cgroup and every one made below it. A
 * pid is read and then signalled: one that ended in between could be
 * another's by then, a window runc closes by freezing the cgroup
 * first; a 0 (a process outside our pid namespace) is skipped, for
 * kill(0) would signal our own process group, the engine's. */
static int signal_cgroup(const char *path, const struct stat *st, int type,
			 struct FTW *ftw)
{
	char procs[PATH_MAX + 16];
	FILE *f;
	int pid;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "re");
	while (f != NULL && fscanf(f, "%d", &pid) == 1)
		if (pid > 0)
			kill(pid, all_signal);
	if (f != NULL)
		fclose(f);
	return 0;
}

/* `container kill [--all] ID [SIGNAL]`: send SIGNAL (SIGTERM unless
 * told; a name or a number) to the container's init, through a pidfd
 * on it, as runtime.md's kill; with --all to every process in its
 * cgroup too: SIGKILL by cgroup.kill, which the kernel delivers to
 * every one at once (cgroup-v2.rst), as runc does from 1.2, any other
 * signal to each in turn (runc 1.1 freezes the cgroup, then signals
 * each, SIGKILL too). runtime.md's kill MUST fail for a container neither
 * created nor running: in runc's words, "container not running". With
 * --all, runc's and not runtime.md's, what is left in the cgroup is
 * signalled even once the init has ended, as runc 1.1.5's Signal()
 * does: in a pid namespace it joined, the init's end ends no one else. */
static int oci_kill(const char *id, const char *signal_text, bool all)
{
	int sig = signal_text != NULL ? parse_signal(signal_text) : SIGTERM;
	struct oci_state s;
	int pidfd;

	read_oci_state(&s, id);
	pidfd = open_init(&s);
	if (pidfd < 0 && (!all || s.cgroup[0] == '\0'))
		refuse("container %s: container not running", id);
	if (pidfd >= 0) {
		show_step("kill -%d %d", sig, s.pid);
		if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
			die("kill %s", id);
		close(pidfd);
	}
	if (!all || s.cgroup[0] == '\0')
		return 0;
	if (sig == SIGKILL &&
	    write_cgroup_file(s.cgroup, "cgroup.kill", "1") == 0)
		return 0;
	all_signal = sig;
	nftw(s.cgroup, signal_cgroup, 16, FTW_PHYS);
	return 0;
}

/* End the container of S for delete --force: SIGKILL to all its cgroup
 * (cgroup.kill), or to its init, whose death ends its pid namespace
 * if the namespace is its own (without a cgroup, the processes of a
 * container that joined another's pid namespace outlive its init);
 * then wait, up to 10 seconds, until the init has ended: a pidfd
 * becomes readable then (pidfd_open(2)). */
static void end_container(const struct oci_state *s)
{
	int pidfd = open_init(s);
	struct pollfd ended = { pidfd, POLLIN, 0 };

	if (pidfd < 0)
		return;
	if (s->cgroup[0] == '\0' ||
	    write_cgroup_file(s->cgroup, "cgroup.kill", "1") != 0)
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	if (poll(&ended, 1, 10000) == 0)
		refuse("container %s: still there 10 s after SIGKILL", s->id);
	close(pidfd);
}

/* `container delete [--force] ID`: remove what create made: the
 * cgroup, and ROOT/ID; then run the poststop hooks. A container that
 * has not stopped is refused (runtime.md: MUST generate an error),
 * unless --force, which ends it first. With --force, a ROOT/ID that a
 * create killed half-way left, without its init file, goes too. The
 * hooks come last, once all is removed (runtime.md's lifecycle, steps
 * 12 and 13); they read the config saved before ROOT/ID went. */
static int oci_delete(const char *id, bool force)
{
	char init[PATH_MAX + 8];
	struct oci_state s;
	struct bundle_config c;
	struct json *config;
	const char *status;

	container_dir(s.dir, id);
	snprintf(init, sizeof(init), "%s/init", s.dir);
	if (access(init, F_OK) < 0 && errno == ENOENT &&
	    access(s.dir, F_OK) == 0 && force) {
		s.root_mount = 0;     /* a create killed half-way */
		read_root_mount(&s);
		unbind_root(&s);
		remove_container_dir(s.dir);
		return 0;
	}
	read_oci_state(&s, id);
	status = oci_status(&s);
	if (strcmp(status, "stopped") != 0 && !force)
		refuse("container %s is %s, not stopped: stop it first, or "
		       "delete --force", id, status);
	end_container(&s);
	config = saved_config(&s, &c);
	remove_oci_cgroup(&s);
	if (find_namespace(&c, CLONE_NEWNS) < 0 && s.root_mount == 0)
		fprintf(stderr, "container: warning: container %s has no "
			"root-mount: a bind at its root is left\n", id);
	unbind_root(&s);
	remove_container_dir(s.dir);
	if (rmdir(oci_root) == 0)     /* the last one: nothing is left */
		show_step("rmdir %s", oci_root);
	run_hooks(&c, "poststop", &s, "stopped");
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* The commands of runtime.md, as podman and containerd run them. */
static const char *const oci_commands[] = {
	"create", "start", "state", "kill", "delete", "exec",
};

/* Is COMMAND one of them? */
static bool is_oci_command(const char *command)
{
	for (size_t i = 0; i < ARRAY_LEN(oci_commands); i++)
		if (strcmp(oci_commands[i], command) == 0)
			return true;
	return false;
}

/* Read the global options before the command (runc's): --root DIR,
 * --log FILE, --log-format text|json, --debug (each step shown, as
 * --verbose shows it). Returns the index of the command in ARGV.
 * containerd's shim gives --root, --log and --log-format before every
 * command, so each may come with any of them. */
static int read_global_options(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:", options, NULL)) != -1)
		if (opt == 'r' && optarg[0] == '/')
			oci_root = optarg;
		else if (opt == 'r')
			refuse("--root %s: want an absolute path", optarg);
		else if (opt == 'l' && (oci_log = fopen(optarg, "ae")) == NULL)
			die("--log %s", optarg);
		else if (opt == 'f' && strcmp(optarg, "json") != 0 &&
			 strcmp(optarg, "text") != 0)
			refuse("--log-format %s: want text or json", optarg);
		else if (opt == 'f')
			oci_log_json = strcmp(optarg, "json") == 0;
		else if (opt == 'd')
			verbose = true;
		else if (opt == 's')
			refuse("--systemd-cgroup: this runtime makes its "
			       "cgroups itself (podman --cgroup-manager "
			       "cgroupfs)");
		else if (opt == ':')
			bad_usage("missing value for", argv[optind - 1]);
		else if (opt == '?')
			bad_usage("unknown option", argv[optind - 1]);
	return optind;
}

/* Is ARGV stage 9's `container kill ... NAME ...` (kill_by_name()) or
 * `container exec [--verbose] NAME COMMAND...` (exec_into())? Yes,
 * unless an OCI container of that name is in the state directory, or
 * exec has an option only OCI's has: the commands take the same words,
 * and stage 9's kill the option --signal too, which OCI's has not. */
static bool stage_9_command(int argc, char **argv)
{
	static const char *const valued[] = {
		"--signal", "-s", "--process", "-p", "--pid-file",
		"--console-socket", "--preserve-fds",
	};
	bool exec = strcmp(argv[1], "exec") == 0;
	char dir[PATH_MAX];
	int i = 2;

	if (strcmp(argv[1], "kill") != 0 && !exec)
		return false;
	while (i < argc && argv[i][0] == '-') {
		bool value = false;

		if (exec && strcmp(argv[i], "--verbose") != 0)
			return false;
		for (size_t k = 0; k < ARRAY_LEN(valued); k++)
			value |= strcmp(argv[i], valued[k]) == 0;
		i += value ? 2 : 1;
	}
	if (i >= argc || !valid_name(argv[i], NAME_MAX))
		return true;
	container_dir(dir, argv[i]);
	return access(dir, F_OK) < 0;
}

/* create: run from a sealed copy of this binary in memory, not from
 * the file on the host: the process create leaves in the container is
 * this binary until it execs, and a program that is a link to
 * /proc/self/exe (an image's /bin/sh, say) would exec it again there.
 * A copy made with memfd_create(2), sealed against any write
 * (F_SEAL_WRITE, fcntl(2) "File Seals"), cannot be written through
 * /proc/PID/exe, as runc's binary was (CVE-2019-5736); runc runs from
 * such a copy since. fexecve(3) runs it; the copy sees itself as
 * /memfd:container.c in /proc/self/exe, and goes on. */
static void run_sealed_copy(char **argv)
{
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	char self[64] = "";
	struct stat st;
	off_t done = 0;
	int exe, copy;

	if (readlink("/proc/self/exe", self, sizeof(self) - 1) > 0 &&
	    strncmp(self, "/memfd:", 7) == 0)
		return;               /* the copy, running */
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	/* MFD_EXEC: from Linux 6.3, vm.memfd_noexec may make a memfd
	 * not executable unless asked; before, the flag is unknown. */
	copy = memfd_create("container.c", MFD_CLOEXEC | MFD_ALLOW_SEALING |
			    MFD_EXEC);
	if (copy < 0 && errno == EINVAL)
		copy = memfd_create("container.c", MFD_CLOEXEC |
				    MFD_ALLOW_SEALING);
	if (exe < 0 || copy < 0 || fstat(exe, &st) < 0)
		die("copy this binary into memory");
	while (done < st.st_size) {
		ssize_t n = sendfile(copy, exe, NULL, (size_t)(st.st_size -
								done));

		if (n <= 0)
			die("copy this binary into memory");
		done += n;
	}
	if (fcntl(copy, F_ADD_SEALS, seals) < 0)
		die("seal the copy of this binary");
	close(exe);
	fexecve(copy, argv, environ);
	die("run the sealed copy of this binary");
}

/* `container [GLOBAL OPTIONS] create|start|state|kill|delete ...`. */
static int run_oci(int argc, char **argv)
{
	int first, opt;
	const char *command;
	bool flag = false;

	first = read_global_options(argc, argv);
	command = first < argc ? argv[first] : "";
	/* The two that leave this binary running in a container. */
	if (strcmp(command, "create") == 0 || strcmp(command, "exec") == 0)
		run_sealed_copy(argv);
	if (!is_oci_command(command))
		bad_usage("unknown command", first < argc ? command : "(none)");
	argc -= first;
	argv += first;
	optind = 0;                   /* getopt(3) starts anew on ARGV */
	if (strcmp(command, "create") == 0)
		return oci_create(argc, argv);
	if (strcmp(command, "exec") == 0)
		return oci_exec(argc, argv);
	while ((opt = getopt_long(argc, argv, "+:", (struct option[]){
			{ "all", no_argument, NULL, 'a' },
			{ "force", no_argument, NULL, 'f' },
			{ NULL, 0, NULL, 0 } }, NULL)) != -1)
		if ((opt == 'a' && strcmp(command, "kill") == 0) ||
		    (opt == 'f' && strcmp(command, "delete") == 0))
			flag = true;
		else
			bad_usage("unknown option", argv[optind - 1]);
	argc -= optind;
	argv += optind;
	if (strcmp(command, "kill") == 0 && (argc == 1 || argc == 2))
		return oci_kill(argv[0], argc == 2 ? argv[1] : NULL, flag);
	if (argc != 1)
		refuse("usage: container %s%s ID", command,
		       strcmp(command, "delete") == 0 ? " [--force]" : "");
	if (strcmp(command, "start") == 0)
		return oci_start(argv[0]);
	if (strcmp(command, "state") == 0)
		return oci_state_command(argv[0]);
	return oci_delete(argv[0], flag);
}
#endif /* STAGE >= 10 */

/* The options of `container run` that stages 0 to 5 add, for
 * getopt_long(); later stages number theirs from 400 on. */
enum {
	OPT_NAME = 256, OPT_VERBOSE, OPT_STOP_TIMEOUT, OPT_INIT,
	OPT_UIDMAP = 300, OPT_GIDMAP,
};

/* Every option of `container run`, for getopt_long(): its name, whether
 * it takes a value, and the number getopt_long() returns for it. */
static const struct option run_options[] = {
	{ "name", required_argument, NULL, OPT_NAME },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
#if STAGE >= 1
	{ "init", no_argument, NULL, OPT_INIT },
#endif
#if STAGE >= 2
	{ "hostname", required_argument, NULL, 'h' },
#endif
#if STAGE >= 4
	{ "volume", required_argument, NULL, 'v' },
#endif
#if STAGE >= 5
	{ "uidmap", required_argument, NULL, OPT_UIDMAP },
	{ "gidmap", required_argument, NULL, OPT_GIDMAP },
#endif
#if STAGE >= 6
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
	{ "device-read-bps", required_argument, NULL, OPT_DEVICE_READ_BPS },
	{ "device-write-bps", required_argument, NULL, OPT_DEVICE_WRITE_BPS },
	{ "device-read-iops", required_argument, NULL, OPT_DEVICE_READ_IOPS },
	{ "device-write-iops", required_argument, NULL,
	  OPT_DEVICE_WRITE_IOPS },
#endif
#if STAGE >= 7
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "ip", required_argument, NULL, OPT_IP },
#endif
#if STAGE >= 8
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
#endif
	{ NULL, 0, NULL, 0 },
};

/* Take one of the options of stages 0 to 2, if OPT is one. */
static bool take_process_option(struct config *cfg, int opt, char *value)
{
	switch (opt) {
	case OPT_NAME:
		if (!valid_name(value, NAME_MAX_CHARS))
			bad_usage("--name: want 1 to 63 letters, digits, "
				  "'_', '.', '-', not", value);
		strcpy(cfg->name, value);
		return true;
	case OPT_VERBOSE:
		verbose = true;
		return true;
	case OPT_STOP_TIMEOUT:
		stop_timeout_s = parse_seconds("--stop-timeout", value);
		return true;
#if STAGE >= 1
	case OPT_INIT:
		cfg->init = true;
		return true;
#endif
#if STAGE >= 2
	case 'h':
		if (!valid_name(value, HOST_NAME_MAX))
			bad_usage("--hostname: want 1 to 64 letters, digits, "
				  "'_', '.', '-', not", value);
		cfg->hostname = value;
		return true;
#endif
	}
	return false;
}

#if STAGE >= 4
/* Take one of the options of stages 4 and 5, if OPT is one: the files
 * and the ids the container gets. */
static bool take_root_option(struct config *cfg, int opt, char *value)
{
	switch (opt) {
	case 'v':
		parse_volume(cfg, value);
		return true;
#if STAGE >= 5
	case OPT_UIDMAP:
		parse_id_range(&cfg->uids, "--uidmap", value);
		return true;
	case OPT_GIDMAP:
		parse_id_range(&cfg->gids, "--gidmap", value);
		return true;
#endif
	}
	return false;
}
#endif

/* Take the option OPT with its VALUE: each stage's take_*_option()
 * knows its own. False if none knows it. */
static bool take_option(struct config *cfg, int opt, char *value)
{
	if (take_process_option(cfg, opt, value))
		return true;
#if STAGE >= 4
	if (take_root_option(cfg, opt, value))
		return true;
#endif
#if STAGE >= 6
	if (take_limit_option(cfg, opt, value))
		return true;
#endif
#if STAGE >= 7
	if (take_network_option(cfg, opt, value))
		return true;
#endif
#if STAGE >= 8
	if (take_hardening_option(cfg, opt, value))
		return true;
#endif
	return false;
}

/* Once every option is read: the defaults that depend on others, and
 * the checks of options together. */
static void finish_options(struct config *cfg)
{
	if (cfg->name[0] == '\0')
		generate_name(cfg);
#if STAGE >= 2
	if (cfg->hostname == NULL)
		cfg->hostname = cfg->name;
#endif
#if STAGE >= 5
	resolve_id_maps(cfg);
#endif
#if STAGE >= 6
	check_memory_limits(&cfg->limits);
#endif
#if STAGE >= 7
	if (cfg->address.s_addr != 0 && !cfg->network)
		refuse("--ip needs --network bridge");
	if (cfg->network)
		name_veth(cfg);
#endif
#if STAGE >= 8
	cfg->capabilities = resolve_capabilities(&capability_changes);
#endif
}

/* Parse the options of `container run`, then ROOTFS and COMMAND. */
static void parse_run(int argc, char **argv, struct config *cfg)
{
	int opt;

#if STAGE >= 7
	cfg->network = geteuid() == 0;  /* the bridge needs root */
#endif
#if STAGE >= 8
	cfg->seccomp = true;
#endif
	opterr = 0;                   /* we print our own errors */
	/* "+": stop at ROOTFS, so COMMAND's own options stay its own;
	 * ":": a missing value is ':', told apart from an unknown '?'. */
	while ((opt = getopt_long(argc, argv, "+:h:v:", run_options,
				  NULL)) != -1) {
		if (opt == ':')
			bad_usage("missing value for", argv[optind - 1]);
		if (!take_option(cfg, opt, optarg))
			bad_usage("unknown option", argv[optind - 1]);
	}
	if (optind >= argc)
		bad_usage("run: missing ROOTFS", NULL);
	if (optind + 1 >= argc)
		bad_usage("run: missing COMMAND", NULL);
	resolve_rootfs(cfg, argv[optind]);
	cfg->argv = argv + optind + 1;
	finish_options(cfg);
}

/* ------------------------------------------------------------------ */
/* main                                                               */
/* ------------------------------------------------------------------ */

/* The first word picks the command: run (every stage), check, and
 * from stage 9 on ps, exec, stop, kill and cleanup; --help and
 * --version answer at once. Each command returns its exit code. */
int main(int argc, char **argv)
{
	static struct config cfg;     /* static: large, and zeroed */

	/* A reader that goes away (`--verbose 2>&1 | head`) must cost a
	 * failed write, not the runtime's life with a cgroup and state
	 * left behind: SIGPIPE is ignored. exec_command() gives the
	 * command the default back, as an ignored signal stays ignored
	 * through exec. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		bad_usage("missing command: run or check", NULL);
	if (strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("container.c stage %d\n", STAGE);
		return 0;
	}
	if (strcmp(argv[1], "check") == 0 && argc == 2)
		return check_machine();
#if STAGE >= 10
	if ((argv[1][0] == '-' || is_oci_command(argv[1])) &&
	    !stage_9_command(argc, argv))
		return run_oci(argc, argv);
#endif
#if STAGE >= 9
	if (lifecycle_usage(argv[1]) != NULL)
		return run_lifecycle(argc - 1, argv + 1);
#endif
	if (strcmp(argv[1], "run") != 0)
		bad_usage("unknown command", argv[1]);
	parse_run(argc - 1, argv + 1, &cfg);
	return run_container(&cfg);
}

/*
 * Drives stage 10's JSON reader, which has no command of its own yet.
 * It includes container.c whole, so that the reader's static functions
 * are in reach; the runtime's main() is renamed out of the way.
 *
 *     json-harness FILE              print FILE as compact JSON
 *     json-harness --any FILE        the same, for any value at the top
 *                                    (config.json's must be an object)
 *     json-harness --process FILE    the process FILE's config.json asks
 *                                    for, as read_process() reads it
 *     json-harness --bundle FILE     the rest (root, names, hooks,
 *                                    mounts, linux), as
 *                                    read_bundle_config() reads it
 *     json-harness --seccomp FILE    the seccomp program FILE's
 *                                    linux.seccomp makes: its flags,
 *                                    then a step a line (code jt jf k)
 *     json-harness --hook FILE KIND N STATE
 *                                    run hooks.KIND[N] of FILE as
 *                                    run_hook() runs it, STATE on its
 *                                    standard input (@PATH: the text
 *                                    of the file PATH)
 *     json-harness --devices FILE    the device list FILE's rules
 *                                    make (its default, then each
 *                                    exception as devices.allow takes
 *                                    it), then the device program, a
 *                                    step a line (code dst src off imm)
 *     json-harness --devices-exec FILE CGROUP COMMAND [ARG...]
 *                                    attach that program to the cgroup
 *                                    v2 directory CGROUP, move into it,
 *                                    and run COMMAND
 *     json-harness --process-exec FILE
 *                                    become FILE's process (rlimits,
 *                                    user, capabilities, seccomp), as
 *                                    limit_process() and
 *                                    become_process() do, in its cwd,
 *                                    and exec its args with its env
 *     json-harness --state FILE ID STATUS PID BUNDLE
 *                                    the state state_json() writes of
 *                                    a container of FILE's config
 *     json-harness --syscalls        the table of x86_64's calls: a
 *                                    name and its number a line
 *     json-harness --seccomp-exec FILE COMMAND [ARG...]
 *                                    run COMMAND under that program,
 *                                    installed with no_new_privs
 *     json-harness FILE PATH TYPE    print the value at PATH (names
 *                                    and indexes, between dots) as
 *                                    TYPE: string, boolean, int64,
 *                                    int32 or uint64
 *
 * A failure is one line on stderr and exit 125, as the runtime's. Built
 * with -DFUZZ instead, it is a libFuzzer target: every input is read,
 * written, read again and written again, and the two writings must be
 * the same; every getter, and read_process(), runs on what was read.
 */
#define main container_main
#include "../../container.c"
#undef main

/* Write NODE compactly: members in the order read, numbers as read,
 * strings as the runtime's state writes them (write_json_string()). */
static void write_json(FILE *out, const struct json *node)
{
	switch (node->type) {
	case JSON_NULL:
		fputs("null", out);
		break;
	case JSON_BOOLEAN:
		fputs(node->truth ? "true" : "false", out);
		break;
	case JSON_NUMBER:
		fputs(node->text, out);
		break;
	case JSON_STRING:
		write_json_string(out, node->text);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		fputc(node->type == JSON_ARRAY ? '[' : '{', out);
		for (const struct json *c = node->child; c != NULL; c = c->next) {
			if (c != node->child)
				fputc(',', out);
			if (node->type == JSON_OBJECT) {
				write_json_string(out, c->name);
				fputc(':', out);
			}
			write_json(out, c);
		}
		fputc(node->type == JSON_ARRAY ? ']' : '}', out);
		break;
	}
}

#ifdef FUZZ
/* Every getter on every value: none may crash, whatever the input. */
static void try_getters(const struct json *node)
{
	const char *s;
	bool b;
	int64_t i;
	uint64_t u;

	json_string(node, &s);
	json_boolean(node, &b);
	json_integer(node, INT64_MIN, INT64_MAX, &i);
	json_unsigned(node, UINT64_MAX, &u);
	if (node->type == JSON_OBJECT && node->child != NULL)
		json_member(node, node->child->name);
	for (const struct json *c = node->child; c != NULL; c = c->next)
		try_getters(c);
}

/* Read, write, read, write: the two writings must be equal. */
static char *round_trip(const char *text, size_t length, size_t *written)
{
	struct json *tree = json_parse(text, length);
	char *out = NULL;
	FILE *f;

	if (tree == NULL)
		return NULL;
	try_getters(tree);
	if (tree->type == JSON_OBJECT) {
		struct process p;

		struct bundle_config *c = malloc(sizeof(*c));

		read_process(tree, &p);
		free_process(&p);
		if (c != NULL) {
			read_bundle_config(tree, c);
			free_bundle_config(c);
		}
		free(c);
	}
	f = open_memstream(&out, written);
	write_json(f, tree);
	fclose(f);
	json_free(tree);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t first_length, second_length;
	char *first = round_trip((const char *)data, size, &first_length);
	char *second;

	if (first == NULL)
		return 0;
	second = round_trip(first, first_length, &second_length);
	if (second == NULL || second_length != first_length ||
	    memcmp(first, second, first_length) != 0) {
		fprintf(stderr, "round trip differs: %s\n", json_error);
		abort();
	}
	free(first);
	free(second);
	return 0;
}
#else
/* The value at PATH ("linux.resources.memory.limit", "process.args.0")
 * under ROOT, or refuse. */
static const struct json *find(const struct json *root, char *path)
{
	const struct json *node = root;

	for (char *part = strtok(path, "."); part; part = strtok(NULL, ".")) {
		const struct json *next = json_member(node, part);

		if (node->type == JSON_ARRAY) {
			char *end;
			unsigned long index = strtoul(part, &end, 10);

			next = isdigit((unsigned char)part[0]) && *end == '\0' ?
			       node->child : NULL;
			while (next != NULL && index-- > 0)
				next = next->next;
		}
		if (next == NULL)
			refuse("nothing at %s", part);
		node = next;
	}
	return node;
}

/* Read FILE, whatever its top value, with json_parse() alone. */
static int read_any(const char *file)
{
	static char text[CONFIG_MAX_BYTES + 1];
	FILE *f = fopen(file, "rb");
	size_t length;
	struct json *root;

	if (f == NULL)
		die("cannot open %s", file);
	length = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (length > CONFIG_MAX_BYTES)
		refuse("%s: more than %d bytes", file, CONFIG_MAX_BYTES);
	root = json_parse(text, length);
	if (root == NULL)
		refuse("%s: %s", file, json_error);
	write_json(stdout, root);
	putchar('\n');
	json_free(root);
	return 0;
}

/* Print what read_process() made of FILE's process, a line a field. */
static int print_process(const char *file)
{
	struct json *config = read_config(file);
	struct process p;

	if (!read_process(config, &p))
		refuse("%s: %s", file, json_error);
	for (size_t i = 0; p.argv[i] != NULL; i++)
		printf("args[%zu] %s\n", i, p.argv[i]);
	for (size_t i = 0; p.env != NULL && p.env[i] != NULL; i++)
		printf("env[%zu] %s\n", i, p.env[i]);
	printf("cwd %s\nterminal %s\nuser %u:%u\n", p.cwd,
	       p.terminal ? "true" : "false", p.uid, p.gid);
	for (size_t i = 0; i < p.group_count; i++)
		printf("group %u\n", p.groups[i]);
	if (p.umask >= 0)
		printf("umask %04o\n", (unsigned int)p.umask);
	for (size_t s = 0; s < ARRAY_LEN(capability_sets); s++)
		printf("%s %#llx\n", capability_sets[s],
		       (unsigned long long)p.capabilities[s]);
	for (size_t i = 0; i < p.rlimit_count; i++)
		printf("rlimit %d %llu %llu\n", p.rlimits[i].resource,
		       (unsigned long long)p.rlimits[i].limit.rlim_cur,
		       (unsigned long long)p.rlimits[i].limit.rlim_max);
	printf("noNewPrivileges %s\n", p.no_new_privileges ? "true" : "false");
	if (p.oom_score_adjusted)
		printf("oomScoreAdj %d\n", p.oom_score_adj);
	if (p.apparmor != NULL)
		printf("apparmorProfile %s\n", p.apparmor);
	if (p.selinux != NULL)
		printf("selinuxLabel %s\n", p.selinux);
	if (p.rows != 0 || p.columns != 0)
		printf("consoleSize %ux%u\n", p.rows, p.columns);
	free_process(&p);
	json_free(config);
	return 0;
}

/* A device number of a rule, or * for all, as devices.allow has it. */
static void print_number(int32_t n)
{
	if (n < 0)
		printf("*");
	else
		printf("%d", n);
}

/* The limits C asks for, as the cgroup files would get them, and its
 * device rules, as cgroup v1's devices.allow and devices.deny. */
static void print_limits(const struct bundle_config *c)
{
	const struct limits *l = &c->limits;

	if (l->memory_bytes != 0) {
		printf("memory.max %llu\n", l->memory_bytes);
		if (l->swap_unlimited)
			printf("memory.swap.max max\n");
		else
			printf("memory.swap.max %llu\n", l->swap_bytes);
	}
	if (l->cpu_quota_us != 0)
		printf("cpu.max %lu %lu\n", l->cpu_quota_us, CPU_PERIOD_US);
	if (l->pids != 0)
		printf("pids.max %lu\n", l->pids);
	if (l->cpu_weight != 0)
		printf("cpu.weight %lu\n", l->cpu_weight);
	if (l->cpuset_cpus != NULL)
		printf("cpuset.cpus %s\n", l->cpuset_cpus);
	if (l->cpuset_mems != NULL)
		printf("cpuset.mems %s\n", l->cpuset_mems);
	for (int i = 0; i < l->device_count; i++)
		printf("io.max %u:%u rbps=%s wbps=%s riops=%s wiops=%s\n",
		       l->devices[i].major, l->devices[i].minor,
		       l->devices[i].rate[0], l->devices[i].rate[1],
		       l->devices[i].rate[2], l->devices[i].rate[3]);
	for (int i = 0; i < c->device_rule_count; i++) {
		const struct device_rule *r = &c->device_rules[i];

		printf("devices.%s %c ", r->allow ? "allow" : "deny", r->type);
		print_number(r->major);
		printf(":");
		print_number(r->minor);
		printf(" %s\n", r->access);
	}
}

/* Print the strings of VECTOR (NULL-ended), each quoted, between
 * brackets, or "-". */
static void print_vector(char **vector)
{
	if (vector == NULL) {
		printf("-");
		return;
	}
	printf("[");
	for (size_t i = 0; vector[i] != NULL; i++)
		printf("%s\"%s\"", i > 0 ? " " : "", vector[i]);
	printf("]");
}

/* One hook of KIND, on a line. */
static void print_hook(const char *kind, const struct config_hook *h)
{
	printf("hook %s %s timeout=%d args=", kind, h->path, h->timeout);
	print_vector(h->args);
	printf(" env=");
	print_vector(h->env);
	printf("\n");
}

/* FILE's config.json, and what read_bundle_config() makes of it in
 * *C; or refuse, in the runtime's one line. */
static struct json *read_bundle(const char *file, struct bundle_config *c)
{
	struct json *config = read_config(file);

	if (!read_bundle_config(config, c)) {
		free_bundle_config(c);
		refuse("%s: %s", file, json_error);
	}
	return config;
}

/* Print what read_bundle_config() made of FILE, a line a field. */
static int print_bundle(const char *file)
{
	static struct bundle_config c;
	struct json *config = read_bundle(file, &c);
	const struct id_map *maps[] = { &c.uids, &c.gids };

	printf("root %s%s\n", c.root, c.root_readonly ? " readonly" : "");
	if (c.hostname != NULL)
		printf("hostname %s\n", c.hostname);
	if (c.domainname != NULL)
		printf("domainname %s\n", c.domainname);
	for (int i = 0; i < c.namespace_count; i++)
		for (size_t t = 0; t < ARRAY_LEN(namespace_types); t++)
			if (namespace_types[t].flag == c.namespaces[i].flag)
				printf("namespace %s %#x%s%s\n",
				       namespace_types[t].type,
				       (unsigned int)c.namespaces[i].flag,
				       c.namespaces[i].path ? " " : "",
				       c.namespaces[i].path ?
				       c.namespaces[i].path : "");
	for (const struct json *e = c.sysctl; e != NULL; e = e->next)
		printf("sysctl %s %s\n", e->name, e->text);
	for (const char *p = c.time_offsets; *p != '\0';
	     p += strcspn(p, "\n") + 1)
		printf("timeOffset %.*s\n", (int)strcspn(p, "\n"), p);
	for (int m = 0; m < 2; m++)
		for (int i = 0; i < maps[m]->count; i++)
			printf("%s %u %u %u\n", m == 0 ? "uid" : "gid",
			       maps[m]->lines[i].inside,
			       maps[m]->lines[i].outside,
			       maps[m]->lines[i].count);
	print_limits(&c);
	for (size_t i = 0; i < c.mount_count; i++) {
		const struct config_mount *m = &c.mounts[i];

		printf("mount %s %s %s flags=%#lx cleared=%#lx "
		       "propagation=%#lx tree=%#llx/%#llx data=%s\n",
		       m->destination, m->type ? m->type : "bind",
		       m->source ? m->source : "-", m->flags, m->cleared,
		       m->propagation, (unsigned long long)m->tree.attr_set,
		       (unsigned long long)m->tree.attr_clr,
		       m->data ? m->data : "-");
	}
	for (const struct json *e = c.masked; e != NULL; e = e->next)
		printf("masked %s\n", e->text);
	for (const struct json *e = c.readonly; e != NULL; e = e->next)
		printf("readonly %s\n", e->text);
	if (c.root_propagation != 0)
		printf("rootfsPropagation %#lx\n", c.root_propagation);
	for (size_t i = 0; i < c.device_count; i++) {
		const struct config_device *d = &c.devices[i];

		printf("device %s %c %u:%u", d->path, d->type, d->major,
		       d->minor);
		if (d->has_mode)
			printf(" mode=%04o", (unsigned int)d->mode);
		printf(" owner=%u:%u\n", d->uid, d->gid);
	}
	if (c.cgroups_path != NULL)
		printf("cgroupsPath %s\n", c.cgroups_path);
	for (size_t k = 0; k < ARRAY_LEN(hook_kinds); k++)
		for (size_t i = 0; i < c.hook_count[k]; i++)
			print_hook(hook_kinds[k], &c.hooks[k][i]);
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* Print the seccomp program read_bundle_config() made of FILE. */
static int print_seccomp(const char *file)
{
	static struct bundle_config c;
	struct json *config = read_bundle(file, &c);

	printf("flags %#x\n", c.seccomp_flags);
	for (size_t i = 0; i < c.seccomp_length; i++)
		printf("%u %u %u %u\n", c.seccomp[i].code, c.seccomp[i].jt,
		       c.seccomp[i].jf, c.seccomp[i].k);
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* Run ARGV under the seccomp program FILE's profile makes, as
 * install_config_seccomp() installs it, with no_new_privs. */
static int exec_under_seccomp(const char *file, char **argv)
{
	static struct bundle_config c;
	long failed;

	read_bundle(file, &c);    /* the tree lives on: exec ends all */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("prctl PR_SET_NO_NEW_PRIVS");
	failed = install_config_seccomp(&c);

	if (failed < 0)
		die("seccomp SECCOMP_SET_MODE_FILTER");
	if (failed > 0)
		refuse("seccomp: thread %ld could not take the filter", failed);
	execvp(argv[0], argv);
	die("cannot run %s", argv[0]);
}

/* Print the device list and program read_bundle_config() made of
 * FILE. */
static int print_devices(const char *file)
{
	static struct bundle_config c;
	static struct bpf_insn steps[DEVICE_PROGRAM_STEPS];
	struct json *config = read_bundle(file, &c);
	size_t n = device_program(&c.device_list, steps);
	char text[64];

	printf("default %s\n", c.device_list.allow ? "allow" : "deny");
	for (int i = 0; i < c.device_list.count; i++) {
		exception_text(&c.device_list.e[i], text, sizeof(text));
		printf("%s %s\n", c.device_list.allow ? "deny" : "allow",
		       text);
	}
	for (size_t i = 0; i < n; i++)
		printf("%u %u %u %d %d\n", steps[i].code, steps[i].dst_reg,
		       steps[i].src_reg, steps[i].off, steps[i].imm);
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* Run ARGV in the cgroup v2 directory CGROUP, under the device program
 * FILE's rules make, as install_device_program() attaches it. */
static int exec_under_devices(const char *file, const char *cgroup,
			      char **argv)
{
	static struct bundle_config c;
	int dir = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	read_bundle(file, &c);    /* the tree lives on: exec ends all */
	if (dir < 0)
		die("cannot open %s", cgroup);
	if (install_device_program(&c, dir) < 0)
		die("bpf: cannot attach the device program to %s", cgroup);
	errno = write_cgroup_file(cgroup, "cgroup.procs", "0");
	if (errno != 0)
		die("cannot move into %s", cgroup);
	execvp(argv[0], argv);
	die("cannot run %s", argv[0]);
}

/* Print the state of a container of FILE's config. */
static int print_state(const char *file, const char *id, const char *status,
		       pid_t pid, const char *bundle)
{
	static struct bundle_config c;
	struct json *config = read_bundle(file, &c);
	char *state = state_json(id, status, pid, bundle, &c);

	if (state == NULL)
		die("state_json");
	printf("%s\n", state);
	free(state);
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

/* Become FILE's process, as the container's will, and exec it. */
static int exec_process(const char *file)
{
	static struct bundle_config c;
	struct json *config = read_bundle(file, &c);
	struct process p;
	const char *step;

	if (!read_process(config, &p))
		refuse("%s: %s", file, json_error);
	if (chdir(p.cwd) < 0)
		die("cannot go to %s", p.cwd);
	if (limit_process(&p, 0, &step) < 0 ||
	    become_process(&p, &c, &step) < 0)
		die("%s", step);
	environ = p.env;          /* execvp(3) looks in its PATH */
	execvp(p.argv[0], p.argv);
	die("cannot run %s", p.argv[0]);
}

/* Run FILE's hooks.KIND[N] with STATE, as the runtime will. */
static int run_one_hook(const char *file, const char *kind, const char *n,
			const char *state)
{
	static struct bundle_config c;
	struct json *config = read_bundle(file, &c);
	size_t k = 0, i = strtoul(n, NULL, 10);
	char why[MESSAGE_BYTES], *text = NULL;
	size_t length = 0;

	if (state[0] == '@') {
		FILE *f = fopen(state + 1, "r");
		FILE *out = open_memstream(&text, &length);
		int ch;

		if (f == NULL || out == NULL)
			die("cannot read %s", state + 1);
		while ((ch = fgetc(f)) != EOF)
			fputc(ch, out);
		fclose(f);
		fclose(out);
		state = text;
	}
	while (k < ARRAY_LEN(hook_kinds) && strcmp(kind, hook_kinds[k]) != 0)
		k++;
	if (k == ARRAY_LEN(hook_kinds) || i >= c.hook_count[k])
		refuse("%s: no hooks.%s[%s]", file, kind, n);
	if (run_hook(&c.hooks[k][i], state, why, sizeof(why)) < 0)
		refuse("%s: hooks.%s[%zu] (%s): %s", file, kind, i,
		       c.hooks[k][i].path, why);
	free(text);
	free_bundle_config(&c);
	json_free(config);
	return 0;
}

int main(int argc, char **argv)
{
	struct json *root;
	const struct json *node;
	const char *s;
	bool b;
	int64_t i;
	uint64_t u;

	if (argc == 3 && strcmp(argv[1], "--any") == 0)
		return read_any(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--process") == 0)
		return print_process(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--bundle") == 0)
		return print_bundle(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--seccomp") == 0)
		return print_seccomp(argv[2]);
	if (argc == 7 && strcmp(argv[1], "--state") == 0)
		return print_state(argv[2], argv[3], argv[4],
				   (pid_t)atoi(argv[5]), argv[6]);
	if (argc == 3 && strcmp(argv[1], "--process-exec") == 0)
		return exec_process(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--devices") == 0)
		return print_devices(argv[2]);
	if (argc >= 5 && strcmp(argv[1], "--devices-exec") == 0)
		return exec_under_devices(argv[2], argv[3], argv + 4);
	if (argc == 6 && strcmp(argv[1], "--hook") == 0)
		return run_one_hook(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 2 && strcmp(argv[1], "--syscalls") == 0) {
		for (size_t n = 0; n < ARRAY_LEN(syscall_names); n++)
			printf("%s %d\n", syscall_names[n].name,
			       syscall_names[n].number);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "--seccomp-exec") == 0)
		return exec_under_seccomp(argv[2], argv + 3);
	if (argc != 2 && argc != 4)
		refuse("usage: json-harness [--any] FILE [PATH TYPE]");
	root = read_config(argv[1]);
	if (argc == 2) {
		write_json(stdout, root);
		putchar('\n');
		json_free(root);
		return 0;
	}
	node = find(root, argv[2]);
	if (strcmp(argv[3], "string") == 0 && (json_string(node, &s)))
		printf("%s\n", s);
	else if (strcmp(argv[3], "boolean") == 0 &&
		 (json_boolean(node, &b)))
		printf("%s\n", b ? "true" : "false");
	else if (strcmp(argv[3], "int64") == 0 &&
		 (json_integer(node, INT64_MIN, INT64_MAX, &i)))
		printf("%" PRId64 "\n", i);
	else if (strcmp(argv[3], "int32") == 0 &&
		 (json_integer(node, INT32_MIN, INT32_MAX, &i)))
		printf("%" PRId64 "\n", i);
	else if (strcmp(argv[3], "uint64") == 0 &&
		 (json_unsigned(node, UINT64_MAX, &u)))
		printf("%" PRIu64 "\n", u);
	else if (strcmp(argv[3], "string") != 0 &&
		 strcmp(argv[3], "boolean") != 0 &&
		 strcmp(argv[3], "int64") != 0 && strcmp(argv[3], "int32") != 0 &&
		 strcmp(argv[3], "uint64") != 0)
		refuse("no type %s", argv[3]);
	else
		refuse("%s: %s", argv[1], json_error);
	json_free(root);
	return 0;
}
#endif

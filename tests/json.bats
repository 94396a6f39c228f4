#!/usr/bin/env bats
# Stage 10's JSON reader (tests/oci.bats runs its commands), driven by
# tests/json/harness.c built with the sanitizers, so that a bad access
# fails the test: what runc, crun, podman and containerd write, and the
# escapes other writers use, read as Python's json module reads them;
# what RFC 8259 leaves to each reader is refused in one line that names
# the value's place; and a bounded libFuzzer run finds no crash.

load helpers

HARNESS=$PROJECT/build/json-harness
FUZZER=$PROJECT/build/json-fuzz
# What the reader asks of a path in the container (is_plain_path()).
plain="with no word \".\", \"..\" or empty (\"//\", a '/' at the end), and no control character"

setup() {
	[ -x "$HARNESS" ] && [ -x "$FUZZER" ] ||
		fail "no build/json-harness or build/json-fuzz: make test builds them"
	# Empty ones an earlier run left would otherwise be in the snapshot,
	# and gone after the teardown's removal.
	remove_conmon_cgroups
	snapshot_host
	cd "$BATS_TEST_TMPDIR" || exit 1
}

teardown() {
	stop_containerd
	remove_conmon_cgroups
	cd /
	check_host_unchanged
}

# podman puts its conmon in a cgroup of every v1 hierarchy (or of the
# v2 tree) under the parent we give it; a failed create leaves them.
remove_conmon_cgroups() {
	find /sys/fs/cgroup -depth -type d -path '*/container.c-json*' \
		-exec rmdir {} + 2>/dev/null || true
}

# What podman 4.3 writes for `podman run --rootfs`, kept by
# tests/json/keep-config, into podman.json. Its own storage and state
# are in the test's directory; no network, so no bridge or firewall
# rule is made.
capture_podman_config() {
	local dir=$BATS_TEST_TMPDIR/podman
	mkdir -p "$dir"
	cp "$PROJECT/tests/json/keep-config" "$dir/keep"
	run timeout 120 podman --root "$dir/storage" --runroot "$dir/run" \
		--tmpdir "$dir/tmp" --storage-driver vfs --runtime "$dir/keep" \
		--cgroup-manager cgroupfs --events-backend none run --rm \
		--network none --cgroup-parent /container.c-json \
		--rootfs "$ROOTFS" true
	remove_conmon_cgroups
	assert_failure
	assert_output --partial "keep-config: kept config.json, made no container"
	mv "$dir/kept.json" podman.json
}

# What containerd 1.6 writes for `ctr run --rootfs`, through its runc
# shim, into containerd.json. The containerd is the test's own: its
# root, state and socket in the test's directory, the CRI plugin off.
capture_containerd_config() {
	local dir=$BATS_TEST_TMPDIR/containerd
	mkdir -p "$dir"
	cp "$PROJECT/tests/json/keep-config" "$dir/keep"
	start_containerd "$dir"
	run timeout 60 ctr --address "$dir/sock" run --runc-binary "$dir/keep" \
		--rootfs "$ROOTFS" json-test true
	timeout 30 ctr --address "$dir/sock" containers rm json-test
	stop_containerd
	assert_failure
	assert_output --partial "keep-config: kept config.json, made no container"
	mv "$dir/kept.json" containerd.json
}

# The configurations runc and crun write with `spec`, and ours, with
# the escapes Go's encoder writes (\u003c, \u0026, \u2028), those of
# writers that escape all past ASCII (\u00e9, a surrogate pair), and
# numbers that need all 64 bits.
write_configs() {
	runc spec && mv config.json runc.json
	runc spec --rootless && mv config.json runc-rootless.json
	crun spec && mv config.json crun.json
	cp "$PROJECT/tests/json/config.json" ours.json
}

# FILE read by our reader and written out is the same document to
# Python's json module, members in the same order.
read_as_python_reads() {
	run "$HARNESS" "$1"
	assert_success
	python3 -c 'import json, sys
pairs = lambda p: p
sys.exit(json.load(open(sys.argv[1]), object_pairs_hook=pairs) !=
         json.loads(sys.stdin.read(), object_pairs_hook=pairs))' \
		"$1" <<<"$output" || fail "$1: read differently"
}

@test "json: runc's, crun's and our config.json read as Python's json reads them" {
	write_configs
	for file in runc.json runc-rootless.json crun.json ours.json; do
		read_as_python_reads "$file"
	done
}

@test "json: the config.json podman and containerd write reads as Python's reads it" {
	capture_podman_config
	read_as_python_reads podman.json
	# podman's has its seccomp profile: hundreds of names, deep down.
	run "$HARNESS" podman.json linux.seccomp.defaultAction string
	assert_success
	assert_output SCMP_ACT_ERRNO
	capture_containerd_config
	read_as_python_reads containerd.json
	run "$HARNESS" containerd.json linux.cgroupsPath string
	assert_success
	assert_output /default/json-test
}

# Print the value at PATH in FILE as TYPE, and check it is WANT.
value_is() {
	run "$HARNESS" "$1" "$2" "$3"
	assert_success
	assert_output "$4"
}

@test "json: values as their types: Go's escapes decoded, all 64 bits kept" {
	cp "$PROJECT/tests/json/config.json" ours.json
	value_is ours.json process.args.2 string "echo <hello> & 😀"
	value_is ours.json process.env.1 string "TAB=a$(printf '\t')b"
	value_is ours.json process.env.2 string 'QUOTE="\/'
	value_is ours.json hostname string "café"
	value_is ours.json process.noNewPrivileges boolean true
	value_is ours.json process.rlimits.0.hard uint64 18446744073709551615
	value_is ours.json linux.unknownToThisRuntime.lowest int64 -9223372036854775808
	value_is ours.json linux.resources.memory.limit int64 9223372036854775807
	value_is ours.json process.user.additionalGids.0 int32 10
}

# FILE's value at PATH is refused as TYPE, in the one line WANT.
type_refused() {
	run "$HARNESS" "$1" "$2" "$3"
	assert_failure 125
	assert_equal "${#lines[@]}" 1
	assert_output "container: $1: $4"
}

@test "json: a value of the wrong type or range names its place" {
	cp "$PROJECT/tests/json/config.json" ours.json
	type_refused ours.json process.rlimits.0.hard string \
		"process.rlimits[0].hard: expected a string, found a number"
	type_refused ours.json process.args boolean \
		"process.args: expected a boolean, found an array"
	type_refused ours.json linux.unknownToThisRuntime.lowest uint64 \
		"linux.unknownToThisRuntime.lowest: expected 0 to 18446744073709551615, found -9223372036854775808"
	type_refused ours.json process.user.additionalGids.1 int32 \
		"process.user.additionalGids[1]: expected -2147483648 to 2147483647, found 4294967295"
	type_refused ours.json process.rlimits.0.hard int64 \
		"process.rlimits[0].hard: expected -9223372036854775808 to 9223372036854775807, found 18446744073709551615"
	type_refused ours.json linux.unknownToThisRuntime.ignored.1 int64 \
		"linux.unknownToThisRuntime.ignored[1]: expected a whole number, found 1.5e-3"
}

# The text printf's FORMAT makes is refused as JSON, in the one line
# WANT.
refused() {
	printf "$1" >in.json
	run "$HARNESS" --any in.json
	assert_failure 125
	assert_equal "${#lines[@]}" 1
	assert_output "container: in.json: $2"
}

@test "json: what RFC 8259 leaves to each reader is refused, with its place" {
	# Section 4: a name twice; readers differ on which value wins.
	refused '{"a":1,"a":2}' 'a: this name is there twice'
	refused '{"linux":{"sysctl":{"a.b":{"x":1,"x":2}}}}' \
		'linux.sysctl["a.b"].x: this name is there twice'
	# A name's control byte shows as '?': the error stays one line.
	refused '{"a\\nb":1,"a\\nb":2}' '["a?b"]: this name is there twice'
	# Section 8.2: half a surrogate pair is no character.
	refused '{"x":"\\ud83d"}' 'x: \uD83D is half a pair, alone at line 1, column 7'
	refused '{"x":"\\ude00"}' 'x: \uDE00 is half a pair, alone at line 1, column 7'
	refused '["\\uD83D\\u0041"]' '[0]: \uD83D is half a pair, alone at line 1, column 3'
	# A C string ends at its first NUL: "a\u0000b" would be "a".
	refused '["\\u0000"]' '[0]: \u0000 cannot be in a C string at line 1, column 3'
	# Section 8.1, UTF-8 as RFC 3629 has it: no overlong form, no
	# surrogate, nothing past U+10FFFF, no lead byte F8 to FF, whole.
	refused '["\xc0\xaf"]' '[0]: byte 0xc0 is not UTF-8 at line 1, column 3'
	refused '["\xed\xa0\x80"]' '[0]: byte 0xed is not UTF-8 at line 1, column 3'
	refused '["\xf4\x90\x80\x80"]' '[0]: byte 0xf4 is not UTF-8 at line 1, column 3'
	refused '["\xf8\x90\x80\x80"]' '[0]: byte 0xf8 is not UTF-8 at line 1, column 3'
	refused '["\xe2\x82"]' '[0]: byte 0xe2 is not UTF-8 at line 1, column 3'
	refused '\xef\xbb\xbf{}' 'expected a value, found byte 0xef at line 1, column 1'
}

@test "json: the grammar, to the letter, with the line and column" {
	refused '{"a":{"b":[1,{"c":"\\q"}]}}' \
		'a.b[1].c: \q is no escape at line 1, column 20'
	# An empty name, and one with a quote, are quoted in the path.
	refused '{"":{"a\\"b":"\\q"}}' '[""]["a\"b"]: \q is no escape at line 1, column 14'
	refused '["a\tb"]' \
		'[0]: byte 0x09 in a string: a control character needs an escape at line 1, column 4'
	refused '["\\u12"]' '[0]: \u needs four hex digits at line 1, column 7'
	refused '[01]' '[0]: a number cannot start with 0 at line 1, column 3'
	refused '[+1]' "[0]: expected a value, found '+' at line 1, column 2"
	refused '[.5]' "[0]: expected a value, found '.' at line 1, column 2"
	refused '[1.]' "[0]: a number needs a digit after '.' at line 1, column 4"
	refused '[1e]' '[0]: a number needs a digit in its exponent at line 1, column 4'
	refused '[NaN]' "[0]: expected a value, found 'N' at line 1, column 2"
	refused '[1,]' "[1]: expected a value, found ']' at line 1, column 4"
	refused '{"a":1,}' 'expected a name in quotes at line 1, column 8'
	refused '{"a" 1}' "expected ':' after a name at line 1, column 6"
	refused '{"a":[{"b":\n  tru}]}' "a[0].b: expected a value, found 't' at line 2, column 3"
	refused '[1] x' 'more after the value at line 1, column 5'
	refused '"abc' 'a string with no closing quote at line 1, column 1'
	refused '' 'expected a value, found the end at line 1, column 1'
}

@test "json: nesting is bounded at 32, so a deep file cannot exhaust the stack" {
	printf '%.0s[' $(seq 32) >in.json
	printf '%.0s]' $(seq 32) >>in.json
	run "$HARNESS" --any in.json
	assert_success
	printf '%.0s[' $(seq 33) >in.json
	printf '%.0s]' $(seq 33) >>in.json
	run "$HARNESS" --any in.json
	assert_failure 125
	assert_output --partial "nested deeper than 32 at line 1, column 33"
	# A hundred thousand: the same one line, and no crash.
	printf '%.0s[' $(seq 100000) >in.json
	run "$HARNESS" --any in.json
	assert_failure 125
	assert_output --partial "nested deeper than 32"
}

@test "json: config.json must be an object of at most 4 MiB, in a regular file" {
	echo '[]' >config.json
	run "$HARNESS" config.json
	assert_failure 125
	assert_output "container: config.json: expected an object, found an array"
	# 4 MiB exactly is read; one byte more is not.
	{ echo '{}'; head -c $((4 * 1024 * 1024 - 3)) /dev/zero | tr '\0' ' '; } >config.json
	run "$HARNESS" config.json
	assert_success
	assert_output "{}"
	echo >>config.json
	run "$HARNESS" config.json
	assert_failure 125
	assert_output "container: config.json: 4194305 bytes, more than the 4194304 this runtime reads"
	mkdir dir.json
	run "$HARNESS" dir.json
	assert_failure 125
	assert_output "container: dir.json: not a regular file"
	# A FIFO, which would block an open that waits for a writer.
	mkfifo fifo.json
	run timeout 10 "$HARNESS" fifo.json
	assert_failure 125
	assert_output "container: fifo.json: not a regular file"
	# A file that holds more than fstat(2) says: /proc's say 0.
	run "$HARNESS" /proc/self/status
	assert_failure 125
	assert_output "container: /proc/self/status: more than its size, 0 bytes, said"
}

@test "json: libFuzzer on the reader: no crash, and every round trip the same" {
	local seconds=${JSON_FUZZ_SECONDS:-30}
	write_configs
	capture_podman_config
	capture_containerd_config
	rm -rf podman containerd
	mkdir corpus
	mv ./*.json corpus/
	# The seed is in libFuzzer's first lines; -seed=N replays a run.
	# read_process()'s warnings go nowhere (-close_fd_mask=2); the
	# fuzzer's own lines, and any crash report, still come.
	run timeout -k 5 $((seconds + 60)) "$FUZZER" -max_total_time="$seconds" \
		-max_len=65536 -rss_limit_mb=2048 -close_fd_mask=2 \
		-artifact_prefix="$PROJECT/build/" corpus
	echo "$output" | grep -m1 'Seed:' >&3
	assert_success
	assert_output --regexp 'Done [0-9]+ runs in'
	refute_output --partial 'ERROR: libFuzzer'
}

# What FILE's process says, computed by Python alone in the harness's
# format: capability numbers from the kernel's header, rlimit numbers
# from Python's resource module, so neither comes from container.c.
python_process() {
	python3 - "$1" <<'PY'
import json, re, resource, sys
p = json.load(open(sys.argv[1]))["process"]
caps = dict((m.group(1), int(m.group(2))) for m in re.finditer(
    r"#define (CAP_\w+)\s+(\d+)\n", open("/usr/include/linux/capability.h").read()))
for i, a in enumerate(p["args"]):
    print("args[%d] %s" % (i, a))
for i, e in enumerate(p.get("env", [])):
    print("env[%d] %s" % (i, e))
u = p["user"]
print("cwd %s\nterminal %s\nuser %d:%d" % (p["cwd"],
      "true" if p.get("terminal") else "false", u["uid"], u["gid"]))
for g in u.get("additionalGids", []):
    print("group %d" % g)
if "umask" in u:
    print("umask %04o" % u["umask"])
for s in ("bounding", "effective", "inheritable", "permitted", "ambient"):
    mask = sum(1 << caps[n] for n in set(p.get("capabilities", {}).get(s, [])))
    print(s, hex(mask) if mask else "0")
for r in p.get("rlimits", []):
    print("rlimit %d %d %d" % (getattr(resource, r["type"]), r["soft"], r["hard"]))
print("noNewPrivileges", "true" if p.get("noNewPrivileges") else "false")
if "oomScoreAdj" in p:
    print("oomScoreAdj %d" % p["oomScoreAdj"])
for label in ("apparmorProfile", "selinuxLabel"):
    if p.get(label):
        print(label, p[label])
size = p.get("consoleSize", {})
if p.get("terminal") and (size.get("height") or size.get("width")):
    print("consoleSize %dx%d" % (size["height"], size["width"]))
PY
}

@test "json: the process runc, crun, podman and containerd ask for, read as Python reads it" {
	write_configs
	capture_podman_config
	capture_containerd_config
	for file in runc.json runc-rootless.json crun.json podman.json containerd.json; do
		run "$HARNESS" --process "$file"
		assert_success
		assert_output "$(python_process "$file")"
	done
}

@test "json: every capability, every rlimit, groups, labels and the ends of each range, read as Python reads them" {
	runc spec && mv config.json runc.json
	change_config '
import re, resource
names = re.findall(r"#define (CAP_\w+)\s+\d+\n", open("/usr/include/linux/capability.h").read())
p["capabilities"] = {"bounding": names, "permitted": names[::2], "effective": names[:5], "inheritable": names[-3:], "ambient": ["CAP_NET_RAW"]}
p["rlimits"] = [{"type": n, "soft": i, "hard": 2**64 - 1} for i, n in enumerate(sorted(x for x in dir(resource) if x.startswith("RLIMIT_") and x != "RLIMIT_OFILE"))]
p["user"] = {"uid": 2**32 - 2, "gid": 0, "additionalGids": [0, 1, 2**32 - 2], "umask": 0o7777}
p["oomScoreAdj"] = -1000
p["apparmorProfile"] = "containers-default-0.50.1"
p["selinuxLabel"] = "system_u:system_r:container_t:s0"
p["terminal"] = True; p["consoleSize"] = {"height": 65535, "width": 80}'
	run "$HARNESS" --process changed.json
	assert_success
	assert_line "consoleSize 65535x80"
	# umask(2) keeps mask & 0777; Python prints what it was given.
	assert_output "$(python_process changed.json | sed 's/^umask 7777$/umask 0777/')"
	# Python has getrlimit(2)'s names but RLIMIT_LOCKS, and RLIMIT_OFILE,
	# glibc's BSD name for RLIMIT_NOFILE, which getrlimit(2) omits: 15.
	assert_line "rlimit $(python3 -c 'import resource; print(resource.RLIMIT_STACK)') 14 18446744073709551615"
	assert_equal "$(grep -c '^rlimit ' <<<"$output")" 15
}

# runc's config.json with the Python statement CHANGE made to it (the
# dict is c, its process p), as changed.json.
change_config() {
	python3 -c 'import json, sys
c = json.load(open("runc.json")); p = c["process"]
exec(sys.argv[1])
json.dump(c, open("changed.json", "w"))' "$1"
}

# runc's config.json after CHANGE is refused by the harness's MODE
# (--process, --bundle) in the one line WANT.
config_refused() {
	local mode=$1
	change_config "$2"
	run "$HARNESS" "$mode" changed.json
	assert_failure 125
	assert_equal "${#lines[@]}" 1
	assert_output "container: changed.json: $3"
}

# config_refused by read_process(): CHANGE WANT.
process_refused() {
	config_refused --process "$@"
}

@test "json: a process that is not well formed, or asks what this runtime cannot do, is refused naming the value" {
	runc spec && mv config.json runc.json
	process_refused 'p["args"] = []' "process.args: needs a command first"
	process_refused 'del p["cwd"]' "process: needs args and cwd"
	process_refused 'p["cwd"] = "tmp"' "process.cwd: expected an absolute path"
	process_refused 'p["env"].append("NOTHING")' "process.env[2]: expected NAME=VALUE"
	process_refused 'p["env"].append("=x")' "process.env[2]: expected NAME=VALUE"
	process_refused 'del p["user"]' "process: needs a user with a uid and a gid"
	process_refused 'del p["user"]["gid"]' "process.user: needs a user with a uid and a gid"
	# (uid_t)-1 would mean "leave it as it is" to setresuid(2).
	process_refused 'p["user"]["uid"] = 2**32 - 1' \
		"process.user.uid: expected 0 to 4294967294, found 4294967295"
	process_refused 'p["user"] = 5' "process.user: expected an object, found a number"
	process_refused 'p["user"]["additionalGids"] = list(range(65537))' \
		"process.user.additionalGids: more than setgroups(2) takes, 65536"
	process_refused 'p["rlimits"][0]["type"] = "RLIMIT_FAST"' \
		"process.rlimits[0].type: RLIMIT_FAST is no limit of getrlimit(2)"
	process_refused 'p["rlimits"].append(dict(p["rlimits"][0]))' \
		"process.rlimits[1].type: RLIMIT_NOFILE is there twice"
	process_refused 'p["rlimits"][0]["soft"] = 2048' \
		"process.rlimits[0].soft: above hard, 1024"
	process_refused 'p["oomScoreAdj"] = 1001' \
		"process.oomScoreAdj: expected -1000 to 1000, found 1001"
	process_refused 'p["apparmorProfile"] = 5' \
		"process.apparmorProfile: expected a string, found a number"
	# A terminal's size is a struct winsize of unsigned shorts
	# (ioctl_tty(2)); without a terminal it is not read at all.
	process_refused 'p["terminal"] = True; p["consoleSize"] = {"height": 65536, "width": 80}' \
		"process.consoleSize.height: expected 0 to 65535, found 65536"
	process_refused 'p["terminal"] = True; p["consoleSize"] = {"width": 80}' \
		"process.consoleSize: needs height and width"
	change_config 'p["terminal"] = False; p["consoleSize"] = "ignored"'
	run "$HARNESS" --process changed.json
	assert_success
	refute_line --partial consoleSize
	process_refused 'p["scheduler"] = {"policy": "SCHED_FIFO"}' \
		"process.scheduler: this runtime cannot apply it"
	# A control byte in a value never splits the line.
	process_refused 'p["rlimits"][0]["type"] = "A\nB"' \
		"process.rlimits[0].type: A?B is no limit of getrlimit(2)"
}

@test "json: an empty label asks for nothing; an unknown capability, or one not spelled CAP_NAME, is a warning, left out" {
	runc spec && mv config.json runc.json
	change_config 'p["selinuxLabel"] = ""; p["capabilities"]["bounding"] += ["CAP_FLY", "CAP_chown"]'
	run --separate-stderr "$HARNESS" --process changed.json
	assert_success
	# CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_AUDIT_WRITE 29
	assert_line "bounding 0x20000420"
	refute_line --partial selinuxLabel
	# shellcheck disable=SC2154 # run --separate-stderr sets stderr
	assert_equal "$stderr" "container: warning: process.capabilities.bounding[3]: no capability CAP_FLY here: left out
container: warning: process.capabilities.bounding[4]: no capability CAP_chown here: left out"
}

# What read_bundle_config() should make of FILE (root, names,
# namespaces, id maps, sysctls, resources, mounts, paths, devices,
# hooks), computed by Python alone in the harness's format: each
# namespace's clone(2) flag from the kernel's linux/sched.h, mount
# flags from linux/mount.h, option names from libmount.
python_bundle() {
	python3 - "$1" <<'PY'
import json, re, sys
c = json.load(open(sys.argv[1]))
linux = c.get("linux", {})
flags = dict((m.group(1), int(m.group(2), 16)) for m in re.finditer(
    r"#define (CLONE_NEW\w+)\s+0x([0-9a-fA-F]+)", open("/usr/include/linux/sched.h").read()))
macro = {"pid": "CLONE_NEWPID", "network": "CLONE_NEWNET", "mount": "CLONE_NEWNS",
         "ipc": "CLONE_NEWIPC", "uts": "CLONE_NEWUTS", "user": "CLONE_NEWUSER",
         "cgroup": "CLONE_NEWCGROUP", "time": "CLONE_NEWTIME"}
print("root %s%s" % (c["root"]["path"], " readonly" if c["root"].get("readonly") else ""))
for name in ("hostname", "domainname"):
    if name in c:
        print(name, c[name])
for n in linux.get("namespaces", []):
    print("namespace %s %s%s" % (n["type"], hex(flags[macro[n["type"]]]),
          " " + n["path"] if "path" in n else ""))
for name, value in linux.get("sysctl", {}).items():
    print("sysctl", name, value)
for clock, offset in linux.get("timeOffsets", {}).items():
    print("timeOffset", clock, offset.get("secs", 0), offset.get("nanosecs", 0))
for key, name in (("uidMappings", "uid"), ("gidMappings", "gid")):
    for m in linux.get(key, []):
        print(name, m["containerID"], m["hostID"], m["size"])
# The resources, as the cgroup v2 files would get them (cgroup-v2.rst);
# the device rules in cgroup v1's words.
r = linux.get("resources", {})
memory = r.get("memory", {})
if memory.get("limit", -1) > 0:
    print("memory.max", memory["limit"])
    swap = memory.get("swap", -1)
    print("memory.swap.max", "max" if swap < 0 else swap - memory["limit"])
if r.get("cpu", {}).get("quota", -1) > 0:
    print("cpu.max", r["cpu"]["quota"], r["cpu"].get("period", 100000))
if r.get("pids", {}).get("limit", -1) > 0:
    print("pids.max", r["pids"]["limit"])
# Shares scaled, 1024 to cpu.weight's default 100, held to 1..10000;
# 1024 and 0 ask for nothing.
shares = r.get("cpu", {}).get("shares", 0)
if shares not in (0, 1024):
    print("cpu.weight", min(10000, max(1, (shares * 100 + 512) // 1024)))
for name in ("cpus", "mems"):
    if r.get("cpu", {}).get(name, ""):
        print("cpuset." + name, r["cpu"][name])
disks = {}
for column, key in enumerate(("throttleReadBpsDevice", "throttleWriteBpsDevice",
                              "throttleReadIOPSDevice", "throttleWriteIOPSDevice")):
    for d in r.get("blockIO", {}).get(key, []):
        disks.setdefault((d["major"], d["minor"]), ["max"] * 4)[column] = d["rate"]
for (major, minor), rates in disks.items():
    print("io.max %d:%d rbps=%s wbps=%s riops=%s wiops=%s" % ((major, minor) + tuple(rates)))
star = lambda n: "*" if n is None or n < 0 else n
for d in r.get("devices", []):
    print("devices.%s %s %s:%s %s" % ("allow" if d["allow"] else "deny", d.get("type", "a"),
          star(d.get("major")), star(d.get("minor")), d["access"]))
# Mounts: each option as libmount, mount(8)'s own library, maps it
# (its built-in table of names, flags and "clears the flag"); an option
# with a leading r is mount_setattr(2)'s attribute of the same name for
# the whole tree; the rest go to the filesystem. The numbers are the
# kernel's, from linux/mount.h.
import ctypes
ms = dict((m.group(1), eval(m.group(2))) for m in re.finditer(
    r"#define (MS_\w+|MOUNT_ATTR_\w+)\s+(\(1<<\d+\)|0x[0-9a-fA-F]+|\d+)\s",
    open("/usr/include/linux/mount.h").read()))
class OptMap(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("id", ctypes.c_int), ("mask", ctypes.c_int)]
libmount = ctypes.CDLL("libmount.so.1")
libmount.mnt_get_builtin_optmap.restype = ctypes.POINTER(OptMap)
table, i = libmount.mnt_get_builtin_optmap(1), 0   # MNT_LINUX_MAP
known = {}
while table[i].name:
    known[table[i].name.decode()] = (table[i].id & 0xffffffff, table[i].mask & 2)  # MNT_INVERT
    i += 1
propagations = ms["MS_SHARED"] | ms["MS_SLAVE"] | ms["MS_PRIVATE"] | ms["MS_UNBINDABLE"]
flag_name = dict((v, k[3:]) for k, v in ms.items() if k.startswith("MS_"))
hx = lambda n: "%#x" % n if n else "0"
for m in c.get("mounts", []):
    flags = cleared = propagation = tree_set = tree_clr = 0
    data = []
    for o in m.get("options", []):
        if o == "defaults":
            continue
        if o in known and known[o][0] & propagations:
            propagation = known[o][0]
        elif o in known and known[o][1]:
            flags &= ~known[o][0]; cleared |= known[o][0]
        elif o in known:
            flags |= known[o][0]; cleared &= ~known[o][0]
        elif o[0] == "r" and o[1:] in known:
            flag, inverts = known[o[1:]]
            attr = ms["MOUNT_ATTR_" + flag_name[flag]]
            if inverts:
                tree_clr |= attr; tree_set &= ~attr
            else:
                tree_set |= attr; tree_clr &= ~attr
        else:
            data.append(o)
    bind = flags & ms["MS_BIND"]
    print("mount %s %s %s flags=%s cleared=%s propagation=%s tree=%s/%s data=%s" % (
        m["destination"], "bind" if bind else m["type"], m.get("source", "-"), hx(flags),
        hx(cleared), hx(propagation), hx(tree_set), hx(tree_clr), ",".join(data) or "-"))
for path in linux.get("maskedPaths", []):
    print("masked", path)
for path in linux.get("readonlyPaths", []):
    print("readonly", path)
if linux.get("rootfsPropagation"):   # "" is none, as runc reads it
    print("rootfsPropagation", hx(known[linux["rootfsPropagation"]][0]))
# fileMode as stat(2)'s st_mode: the permission bits, and perhaps the
# type's own (Python's stat module has them).
import stat
for d in linux.get("devices", []):
    mode = d.get("fileMode")
    if mode is not None:
        assert stat.S_IFMT(mode) in (0, {"b": stat.S_IFBLK, "p": stat.S_IFIFO}.get(d["type"], stat.S_IFCHR))
    print("device %s %s %d:%d%s owner=%d:%d" % (d["path"], d["type"], d.get("major", 0),
          d.get("minor", 0), "" if mode is None else " mode=%04o" % stat.S_IMODE(mode),
          d.get("uid", 0), d.get("gid", 0)))
if "cgroupsPath" in linux:
    print("cgroupsPath", linux["cgroupsPath"])
vector = lambda v: "-" if v is None else "[" + " ".join('"%s"' % s for s in v) + "]"
for kind in ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"):
    for h in c.get("hooks", {}).get(kind, []):
        print("hook %s %s timeout=%d args=%s env=%s" % (kind, h["path"], h.get("timeout", 0),
              vector(h.get("args") or [h["path"]]), vector(h.get("env"))))
PY
}

@test "json: the bundle config runc, crun, podman and containerd write (root, names, namespaces, id maps, sysctls, resources, mounts, paths), read as Python reads it" {
	write_configs
	capture_podman_config
	capture_containerd_config
	for file in runc.json runc-rootless.json crun.json podman.json containerd.json ours.json; do
		run "$HARNESS" --bundle "$file"
		assert_success
		assert_output "$(python_bundle "$file")"
	done
	# Every kind, one joined by its path (a name podman might give; the
	# step that joins must refuse the host's own); two map lines, one up
	# to the last id there is; sysctls of both kinds, one for a VLAN's
	# interface, eth0.100, its dot written as a slash.
	change_config '
c["domainname"] = "example"
c["linux"]["namespaces"] += [{"type": "cgroup"}, {"type": "user"}, {"type": "time"}]
c["linux"]["namespaces"][1]["path"] = "/run/netns/cni-1"
c["linux"]["timeOffsets"] = {"boottime": {"secs": -9223372036854775808}, "monotonic": {"secs": 9223372036854775807, "nanosecs": 999999999}}
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}, {"containerID": 65536, "hostID": 1, "size": 4294901758}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 4294967295}]
c["linux"]["sysctl"] = {"net.ipv4.ping_group_range": "0 0", "kernel.shm_rmid_forced": "1", "fs.mqueue.msg_max": "100", "net.ipv4.conf.VLAN-1.forwarding": "0", "net.ipv4.conf.eth0/100.forwarding": "1"}'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
	assert_line "namespace network 0x40000000 /run/netns/cni-1"
	assert_line "timeOffset boottime -9223372036854775808 0"
	# What podman writes to join another's user namespace: a line
	# 0 0 1, which the joined one has already; an empty name, and one
	# of sethostname(2)'s full 64 bytes.
	change_config '
c["linux"]["namespaces"].append({"type": "user", "path": "/proc/1/ns/user"})
c["linux"]["uidMappings"] = c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]
c["hostname"] = "h" * 64; c["domainname"] = ""'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
}

# config_refused by read_bundle_config(): CHANGE WANT.
bundle_refused() {
	config_refused --bundle "$@"
}

@test "json: a root, hostname, namespace or id map that is malformed, or cannot be applied, is refused naming the value" {
	runc spec && mv config.json runc.json
	bundle_refused 'del c["ociVersion"]' "needs ociVersion and root"
	bundle_refused 'del c["root"]' "needs ociVersion and root"
	bundle_refused 'c["ociVersion"] = "2.0.0"' \
		"ociVersion: 2.0.0 is no version 1.x.y of the specification, which this runtime knows"
	# config.md: ociVersion MUST be SemVer.
	bundle_refused 'c["ociVersion"] = "1.banana"' \
		"ociVersion: 1.banana is no version 1.x.y of the specification, which this runtime knows"
	bundle_refused 'c["ociVersion"] = "1.01.0"' \
		"ociVersion: 1.01.0 is no version 1.x.y of the specification, which this runtime knows"
	bundle_refused 'del c["root"]["path"]' "root: needs a path"
	bundle_refused 'c["root"]["path"] = ""' "root.path: expected a path"
	# config-linux.md: each kind once, a known kind, an absolute path.
	bundle_refused 'c["linux"]["namespaces"].append({"type": "pid"})' \
		"linux.namespaces[5].type: pid is there twice"
	bundle_refused 'c["linux"]["namespaces"].append({"type": "ufo"})' \
		"linux.namespaces[5].type: ufo is no kind of namespace"
	# time_namespaces(7): offsets are written to a new time namespace,
	# before a process is in it, for two clocks, nanoseconds below 1 s.
	local time='c["linux"]["namespaces"].append({"type": "time"}); '
	bundle_refused 'c["linux"]["timeOffsets"] = {"boottime": {"secs": 1}}' \
		"linux.timeOffsets: needs a time namespace of its own in linux.namespaces, with no path: the offsets of one that has had a process are fixed"
	bundle_refused 'c["linux"]["namespaces"].append({"type": "time", "path": "/proc/1/ns/time"}); c["linux"]["timeOffsets"] = {"boottime": {"secs": 1}}' \
		"linux.timeOffsets: needs a time namespace of its own in linux.namespaces, with no path: the offsets of one that has had a process are fixed"
	bundle_refused "$time"'c["linux"]["timeOffsets"] = {"realtime": {"secs": 1}}' \
		"linux.timeOffsets.realtime: a time namespace offsets only the monotonic and boottime clocks"
	bundle_refused "$time"'c["linux"]["timeOffsets"] = {"monotonic": {"nanosecs": 10**9}}' \
		"linux.timeOffsets.monotonic.nanosecs: expected 0 to 999999999, found 1000000000"
	bundle_refused "$time"'c["linux"]["timeOffsets"] = {"monotonic": {"secs": 2**63}}' \
		"linux.timeOffsets.monotonic.secs: expected -9223372036854775808 to 9223372036854775807, found 9223372036854775808"
	bundle_refused 'c["linux"]["namespaces"].append({"type": "cgroup", "path": "proc/1/ns/cgroup"})' \
		"linux.namespaces[5].path: expected an absolute path"
	# A hostname in the host's uts namespace would rename the host.
	bundle_refused 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "uts"]' \
		"hostname: needs a uts namespace, or it would rename the host"
	bundle_refused 'c["hostname"] = "h" * 65' "hostname: expected at most 64 bytes"
	bundle_refused 'c["linux"]["namespaces"].append({"type": "user"})' \
		"linux: a new user namespace needs uidMappings and gidMappings"
	bundle_refused 'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 1000, "size": 1}]' \
		"linux: uidMappings and gidMappings need a user namespace"
	# What the kernel's map_write() refuses.
	local user='c["linux"]["namespaces"].append({"type": "user"}); c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1}]; '
	bundle_refused "$user"'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 0}]' \
		"linux.uidMappings[0].size: a line of no ids"
	bundle_refused "$user"'c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 2**32 - 1, "size": 1}]' \
		"linux.uidMappings[0].hostID: expected 0 to 4294967294, found 4294967295"
	bundle_refused "$user"'c["linux"]["uidMappings"] = [{"containerID": 1, "hostID": 0, "size": 2**32 - 1}]' \
		"linux.uidMappings[0].size: runs past the last id, 4294967294"
	bundle_refused "$user"'c["linux"]["uidMappings"] = [{"containerID": i, "hostID": i, "size": 1} for i in range(341)]' \
		"linux.uidMappings: more lines than the kernel takes, 340"
}

@test "json: a sysctl the kernel does not keep per namespace, or whose namespace the container lacks, is refused" {
	runc spec && mv config.json runc.json
	# The classic: the program the host's kernel runs, as root, on a
	# crash anywhere (core(5)).
	bundle_refused 'c["linux"]["sysctl"] = {"kernel.core_pattern": "|/tmp/x"}' \
		'linux.sysctl["kernel.core_pattern"]: not a sysctl a container may set: it could be the host'"'"'s'
	bundle_refused 'c["linux"]["sysctl"] = {"kernel.shmmaxx": "1"}' \
		'linux.sysctl["kernel.shmmaxx"]: not a sysctl a container may set: it could be the host'"'"'s'
	# Dots become slashes under /proc/sys: no way out of it.
	bundle_refused 'c["linux"]["sysctl"] = {"net/../../kernel/core_pattern": "x"}' \
		'linux.sysctl["net/../../kernel/core_pattern"]: is no sysctl name'
	bundle_refused 'c["linux"]["sysctl"] = {"net..ipv4": "1"}' \
		'linux.sysctl["net..ipv4"]: is no sysctl name'
	bundle_refused 'c["linux"]["sysctl"] = {"net.ipv4.": "1"}' \
		'linux.sysctl["net.ipv4."]: is no sysctl name'
	# A slash stands for a dot in a word, so "//" would be "..".
	bundle_refused 'c["linux"]["sysctl"] = {"net.//.core_pattern": "1"}' \
		'linux.sysctl["net.//.core_pattern"]: is no sysctl name'
	# Under net., but sizing the host's tables.
	bundle_refused 'c["linux"]["sysctl"] = {"net.netfilter.nf_conntrack_max": "1"}' \
		'linux.sysctl["net.netfilter.nf_conntrack_max"]: not a sysctl a container may set: it could be the host'"'"'s'
	bundle_refused 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"]; c["linux"]["sysctl"] = {"fs.mqueue.msg_max": "10"}' \
		'linux.sysctl["fs.mqueue.msg_max"]: needs an ipc namespace, or it would set the host'"'"'s'
	bundle_refused 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]; c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}' \
		'linux.sysctl["net.ipv4.ip_forward"]: needs a network namespace, or it would set the host'"'"'s'
	bundle_refused 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "ipc"]; c["linux"]["sysctl"] = {"kernel.sem": "1 2 3 4"}' \
		'linux.sysctl["kernel.sem"]: needs an ipc namespace, or it would set the host'"'"'s'
	bundle_refused 'c["linux"]["sysctl"] = {"net.core.somaxconn": 1024}' \
		'linux.sysctl["net.core.somaxconn"]: expected a string, found a number'
}

@test "json: the limits and device rules a config asks for, as the cgroup files would get them, read as Python reads them" {
	runc spec && mv config.json runc.json
	# Every limit stage 6 sets, and io.max's four columns on two disks,
	# one at the largest numbers the kernel's dev_t holds; device rules
	# as containerd writes them, a wildcard minor (-1) among them, and
	# the quota at the kernel's largest.
	change_config '
r = c["linux"]["resources"]
r["memory"] = {"limit": 64 << 20, "swap": 128 << 20}
r["cpu"] = {"quota": 2**44 - 1, "period": 100000}
r["pids"] = {"limit": 4194304}
r["blockIO"] = {"throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}, {"major": 4095, "minor": 1048575, "rate": 2**64 - 1}],
                "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2097152}],
                "throttleReadIOPSDevice": [{"major": 4095, "minor": 1048575, "rate": 10}],
                "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 20}]}
r["devices"] += [{"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
                 {"allow": True, "type": "c", "major": 136, "minor": -1, "access": "rw"},
                 {"allow": False, "type": "b", "major": 8, "access": "m"},
                 {"allow": True, "type": "a", "access": "wr"}]'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
	assert_line "memory.swap.max 67108864"
	assert_line "io.max 8:0 rbps=1048576 wbps=2097152 riops=max wiops=20"
	assert_line "devices.allow c 136:* rw"
	# As many disks and rules as this runtime keeps.
	change_config '
r = c["linux"]["resources"]
r["blockIO"] = {"throttleReadBpsDevice": [{"major": 8, "minor": 16 * m, "rate": 2} for m in range(8)]}
r["devices"] *= 128'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
	assert_line "io.max 8:112 rbps=2 wbps=max riops=max wiops=max"
	# A limit and no swap: nothing limits swap. And each value that asks
	# for nothing more than the kernel does anyway is taken: shares of
	# 1024 (containerd writes them) are v1's default weight.
	change_config '
r = c["linux"]["resources"]
r["memory"] = {"limit": 6 << 20, "reservation": -1, "kernel": -1, "kernelTCP": -1, "disableOOMKiller": False, "useHierarchy": True, "checkBeforeUpdate": True}
r["cpu"] = {"quota": -1, "shares": 1024, "burst": 0, "cpus": "", "mems": "", "idle": 0}
r["pids"] = {"limit": -1}
r["blockIO"] = {"weight": 0, "leafWeight": 0, "weightDevice": []}
r["hugepageLimits"] = []; r["rdma"] = {}; r["unified"] = {}'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
	assert_line "memory.swap.max max"
	refute_line --partial "cpu.max"
	refute_line --partial "pids.max"
	refute_line --partial "cpu.weight"
	refute_line --partial "cpuset"
	# Shares, as Kubernetes writes them from a pod's CPU request (1024
	# a CPU), become cpu.weight, scaled and held to the kernel's range;
	# a cpuset is written as it is.
	local shares weight
	for shares in 512:50 2:1 102:10 262144:10000; do
		weight=${shares#*:} shares=${shares%:*}
		change_config '
r = c["linux"]["resources"]
r["cpu"] = {"shares": '"$shares"', "cpus": "0-1,3", "mems": "0"}'
		run "$HARNESS" --bundle changed.json
		assert_success
		assert_output "$(python_bundle changed.json)"
		assert_line "cpu.weight $weight"
		assert_line "cpuset.cpus 0-1,3"
		assert_line "cpuset.mems 0"
	done
}

@test "json: a limit no stage can set, or one malformed, is refused naming the value and why" {
	runc spec && mv config.json runc.json
	local r='r = c["linux"]["resources"]; '
	bundle_refused "$r"'r["memory"] = {"limit": 1 << 30, "reservation": 1 << 29}' \
		"linux.resources.memory.reservation: this runtime cannot apply it: it is memory.low, which no stage sets"
	bundle_refused "$r"'r["memory"] = {"disableOOMKiller": True}' \
		"linux.resources.memory.disableOOMKiller: this runtime cannot apply it: cgroup v2 cannot turn the OOM killer off"
	bundle_refused "$r"'r["cpu"] = {"shares": 1}' \
		"linux.resources.cpu.shares: the kernel's fewest shares are 2"
	bundle_refused "$r"'r["cpu"] = {"shares": 262145}' \
		"linux.resources.cpu.shares: expected 0 to 262144, found 262145"
	bundle_refused "$r"'r["cpu"] = {"cpus": "0-1 3"}' \
		"linux.resources.cpu.cpus: expected a list such as 0-3,8"
	bundle_refused "$r"'r["cpu"] = {"mems": 0}' \
		"linux.resources.cpu.mems: expected a string, found a number"
	bundle_refused "$r"'r["unified"] = {"memory.high": "1G"}' \
		"linux.resources.unified: this runtime cannot apply it: no stage writes cgroup files by name"
	local little
	for little in 0 1 '(6 << 20) - 1'; do
		bundle_refused "$r"'r["memory"] = {"limit": '"$little"'}' \
			"linux.resources.memory.limit: expected 6 MiB (6291456) or more, room to start a program; -1 is no limit"
	done
	bundle_refused "$r"'r["memory"] = {"limit": -2}' \
		"linux.resources.memory.limit: expected -1 to 9223372036854775807, found -2"
	bundle_refused "$r"'r["memory"] = {"swap": 1 << 30}' \
		"linux.resources.memory.swap: counts memory plus swap: it needs a memory limit"
	bundle_refused "$r"'r["memory"] = {"limit": 1 << 30, "swap": 1 << 29}' \
		"linux.resources.memory.swap: counts memory plus swap: it cannot be less than the limit, 1073741824"
	bundle_refused "$r"'r["cpu"] = {"quota": 2**44}' \
		"linux.resources.cpu.quota: expected -1 to 17592186044415, found 17592186044416"
	bundle_refused "$r"'r["cpu"] = {"quota": 999}' \
		"linux.resources.cpu.quota: the kernel's smallest quota is 1000 microseconds; -1 is no limit"
	bundle_refused "$r"'r["cpu"] = {"quota": 50000, "period": 50000}' \
		"linux.resources.cpu.period: this runtime's period is stage 6's, 100000 microseconds"
	bundle_refused "$r"'r["pids"] = {"limit": 0}' \
		"linux.resources.pids.limit: 0 is no limit to runc 1.1 and a limit of 0 to config-linux.md: give -1 for none (podman: pids_limit = 0 in containers.conf)"
	bundle_refused "$r"'r["pids"] = {"limit": 4194305}' \
		"linux.resources.pids.limit: expected -1 to 4194304, found 4194305"
	local io='r["blockIO"] = {"throttleWriteIOPSDevice": '
	bundle_refused "$r$io"'[{"major": 8, "minor": 0}]}' \
		"linux.resources.blockIO.throttleWriteIOPSDevice[0]: needs major, minor and rate"
	bundle_refused "$r$io"'[{"major": 8, "minor": 0, "rate": 0}]}' \
		"linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: expected 1 or more; leave the disk out for no limit"
	bundle_refused "$r$io"'[{"major": 4096, "minor": 0, "rate": 1}]}' \
		"linux.resources.blockIO.throttleWriteIOPSDevice[0].major: expected 0 to 4095, found 4096"
	bundle_refused "$r$io"'[{"major": 8, "minor": 0, "rate": 1}] * 2}' \
		"linux.resources.blockIO.throttleWriteIOPSDevice[1]: 8:0 is there twice"
	bundle_refused "$r$io"'[{"major": 8, "minor": m, "rate": 1} for m in range(9)]}' \
		"linux.resources.blockIO.throttleWriteIOPSDevice[8]: limits for at most 8 disks"
	local rule='r["devices"].append('
	bundle_refused "$r$rule"'{"allow": True})' \
		"linux.resources.devices[1]: needs allow and access"
	bundle_refused "$r$rule"'{"allow": "yes", "access": "r"})' \
		"linux.resources.devices[1].allow: expected a boolean, found a string"
	local access
	for access in "" rr rwx rwmr; do
		bundle_refused "$r$rule"'{"allow": True, "access": "'"$access"'"})' \
			"linux.resources.devices[1].access: expected some of r, w and m, each once, such as rwm"
	done
	bundle_refused "$r$rule"'{"allow": True, "type": "u", "access": "r"})' \
		"linux.resources.devices[1].type: expected a (all), b (block) or c (char)"
	bundle_refused "$r$rule"'{"allow": True, "minor": -2, "access": "r"})' \
		"linux.resources.devices[1].minor: expected -1 to 1048575, found -2"
	bundle_refused "$r"'r["devices"] *= 129' \
		"linux.resources.devices: more than 128 rules"
}

@test "json: mounts with every option config.md lists, masked and read-only paths and the root's propagation, read as Python reads them" {
	runc spec && mv config.json runc.json
	# Every flag option and its opposite, the recursive attributes, each
	# propagation, a bind by "bind" and by "rbind" (its type a dummy),
	# a relative destination (config.md: relative to "/"), and options
	# that go to the filesystem.
	change_config '
c["mounts"] += [
  {"destination": "/data", "type": "none", "source": "vol", "options": ["rbind", "rw", "rslave", "rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow"]},
  {"destination": "/data2", "type": "bind", "source": "/srv", "options": ["bind", "ro", "rw", "private", "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow", "rrw"]},
  {"destination": "tmp", "type": "tmpfs", "source": "tmpfs", "options": ["defaults", "async", "atime", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "relatime", "remount", "ro", "rw", "silent", "strictatime", "suid", "symfollow", "sync", "unbindable", "mode=1777", "size=64k"]},
  {"destination": "/run/a", "type": "tmpfs", "options": ["shared"]},
  {"destination": "/run/b", "type": "cgroup2", "options": ["rshared"]},
  {"destination": "/run/c", "type": "tmpfs", "options": ["slave"]},
  {"destination": "/run/d", "type": "tmpfs", "options": ["rprivate"]},
  {"destination": "/run/e", "type": "tmpfs", "options": ["runbindable", "uid=1000", "gid=1000"]}]
c["linux"]["rootfsPropagation"] = "slave"'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
	assert_line --regexp '^mount tmp tmpfs tmpfs .*propagation=0x20000 tree=0/0 data=mode=1777,size=64k$'
	assert_line --regexp '^mount /data bind vol flags=0x5000 .*propagation=0x84000 '
	assert_line "rootfsPropagation 0x80000"
	# podman writes rslave for a volume that asks for it; runc takes the
	# four words with an r before too, and "" as none given.
	local kind
	for kind in unbindable rslave rshared rprivate runbindable ""; do
		change_config 'c["linux"]["rootfsPropagation"] = "'"$kind"'"; del c["linux"]["maskedPaths"]'
		run "$HARNESS" --bundle changed.json
		assert_success
		assert_output "$(python_bundle changed.json)"
	done
}

# A mount appended to runc's seven, refused with WANT after "mounts[7]".
mount_refused() {
	bundle_refused 'c["mounts"].append('"$1"')' "mounts[7]$2"
}

@test "json: a mount over /proc or the root, out of it, or of a kind no stage mounts, is refused naming the value" {
	runc spec && mv config.json runc.json
	# runc's CVE-2019-16884: an image's directory mounted on /proc,
	# in procfs's place, took the files the runtime writes the AppArmor
	# profile to. Only a new proc goes on /proc, and nothing below it,
	# however the path is written.
	local where kind
	for where in /proc proc /proc/self/attr; do
		for kind in '"type": "tmpfs"' '"source": "/tmp", "options": ["bind"]' \
			'"type": "proc", "source": "/x", "options": ["rbind"]'; do
			mount_refused '{"destination": "'"$where"'", '"$kind"'}' \
				".destination: only a new proc may be mounted there"
		done
	done
	for where in / /. . /./ /./proc /./proc/self/attr /proc/ /mnt/ /a/../../etc /a//b "" "/a\nb"; do
		mount_refused '{"destination": "'"$where"'", "type": "tmpfs"}' \
			".destination: expected a path below the root, $plain"
	done
	mount_refused '{"type": "tmpfs"}' ": needs a destination"
	mount_refused '{"destination": "/mnt", "type": "overlay"}' \
		".type: expected bind or rbind in the options, or a type: proc, sysfs, tmpfs, devpts, mqueue, cgroup or cgroup2"
	mount_refused '{"destination": "/mnt"}' \
		": expected bind or rbind in the options, or a type: proc, sysfs, tmpfs, devpts, mqueue, cgroup or cgroup2"
	mount_refused '{"destination": "/mnt", "options": ["bind"]}' \
		": a bind mount needs a source"
	mount_refused '{"destination": "/mnt", "type": "tmpfs", "options": ["tmpcopyup"]}' \
		".options[0]: this runtime cannot apply tmpcopyup"
	mount_refused '{"destination": "/mnt", "source": "/srv", "options": ["rbind", "ridmap"]}' \
		".options[1]: this runtime cannot apply ridmap"
	mount_refused '{"destination": "/mnt", "source": "/srv", "options": ["rbind"], "uidMappings": [], "gidMappings": []}' \
		": this runtime cannot apply idmapped mounts"
	mount_refused '{"destination": "/mnt", "type": "tmpfs", "options": ["size=1k,mode=700"]}' \
		".options[0]: expected one option, not a list"
	mount_refused '{"destination": "/mnt", "type": "tmpfs", "options": ["x" * 2048, "y" * 2048]}' \
		".options[1]: more of the filesystem's options than mount(2) copies, a page of 4096 bytes"
	mount_refused '{"destination": "/mnt", "type": "tmpfs", "options": ["ro", 1]}' \
		".options[1]: expected a string, found a number"
	bundle_refused 'c["linux"]["maskedPaths"].append("proc/kcore")' \
		"linux.maskedPaths[10]: expected an absolute path, $plain"
	bundle_refused 'c["linux"]["readonlyPaths"].append("/proc/./sys")' \
		"linux.readonlyPaths[5]: expected an absolute path, $plain"
	bundle_refused 'c["linux"]["maskedPaths"].append("/proc/self/attr/exec")' \
		"linux.maskedPaths[10]: a process's own files, which the runtime writes to, are not to be covered"
	bundle_refused 'c["linux"]["readonlyPaths"].append("/proc/1/oom_score_adj")' \
		"linux.readonlyPaths[5]: a process's own files, which the runtime writes to, are not to be covered"
	bundle_refused 'c["linux"]["readonlyPaths"].append("/proc/thread-self")' \
		"linux.readonlyPaths[5]: a process's own files, which the runtime writes to, are not to be covered"
	bundle_refused 'c["linux"]["rootfsPropagation"] = "rrshared"' \
		"linux.rootfsPropagation: expected shared, slave, private or unbindable, perhaps with an r before"
	# Without a mount namespace the container shares the runtime's
	# (oci.bats), but not from a user namespace of its own: mounting
	# there needs CAP_SYS_ADMIN in the host's user namespace.
	local no_mnt='c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "mount"]
del c["linux"]["maskedPaths"], c["linux"]["readonlyPaths"]
'
	bundle_refused "$no_mnt"'c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		"linux: a user namespace needs a mount namespace with it, which the config does not ask for"
	bundle_refused "$no_mnt"'c["linux"]["readonlyPaths"] = ["/proc/sys"]' \
		"linux: masked or read-only paths needs a mount namespace with it, which the config does not ask for"
	bundle_refused "$no_mnt"'c["linux"]["maskedPaths"] = ["/proc/kcore"]' \
		"linux: masked or read-only paths needs a mount namespace with it, which the config does not ask for"
	bundle_refused "$no_mnt"'c["linux"]["rootfsPropagation"] = "private"' \
		"linux: a rootfsPropagation needs a mount namespace with it, which the config does not ask for"
	bundle_refused "$no_mnt"'c["mounts"].append({"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind", "rshared"]})' \
		"linux: a mount's propagation other than private needs a mount namespace with it, which the config does not ask for"
}

@test "json: hooks, device nodes and cgroupsPath, read as Python reads them" {
	runc spec && mv config.json runc.json
	# Every kind of hook, in order, one with all it may say; device
	# nodes of each type, a FIFO without numbers, fileMode with more than
	# permission bits (its type is type's to say); cgroupsPath, absolute.
	change_config '
c["hooks"] = {"prestart": [{"path": "/bin/a"}],
  "createRuntime": [{"path": "/bin/b", "args": ["b", "--state"], "env": ["X=1", "Y=2"], "timeout": 2147483647}, {"path": "/bin/c", "args": []}],
  "createContainer": [{"path": "/bin/d", "timeout": 1}], "startContainer": [{"path": "/bin/e", "args": ["e f"]}],
  "poststart": [{"path": "/bin/f"}], "poststop": [{"path": "/bin/g", "env": []}]}
c["linux"]["devices"] = [
  {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
  {"path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 0o60660},
  {"path": "/dev/u", "type": "u", "major": 4095, "minor": 1048575, "uid": 1000, "gid": 4294967294},
  {"path": "/run/fifo", "type": "p"},
  {"path": "/dev/s", "type": "c", "major": 1, "minor": 3, "fileMode": 0o24755}]
c["linux"]["cgroupsPath"] = "/machine/ctr-1"
c["linux"]["personality"] = {"domain": "LINUX", "flags": []}
c["linux"]["mountLabel"] = ""
c["linux"]["netDevices"] = c["linux"]["intelRdt"] = {}'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
	assert_line 'hook createRuntime /bin/b timeout=2147483647 args=["b" "--state"] env=["X=1" "Y=2"]'
	# No args, or none at all, is the path alone: never an empty argv
	# (CVE-2021-4034); one arg with a space is one arg.
	assert_line 'hook createRuntime /bin/c timeout=0 args=["/bin/c"] env=-'
	assert_line 'hook prestart /bin/a timeout=0 args=["/bin/a"] env=-'
	assert_line 'hook startContainer /bin/e timeout=0 args=["e f"] env=-'
	assert_line "device /dev/sda b 8:0 mode=0660 owner=0:0"
	assert_line "device /dev/s c 1:3 mode=4755 owner=0:0"
	# A relative cgroupsPath, as containerd writes it, and no hooks.
	change_config 'c["linux"]["cgroupsPath"] = "default/ctr-1"'
	run "$HARNESS" --bundle changed.json
	assert_success
	assert_output "$(python_bundle changed.json)"
}

@test "json: a hook, device node or cgroupsPath that is malformed, or what no stage applies, is refused naming the value" {
	runc spec && mv config.json runc.json
	bundle_refused 'c["hooks"] = {"poststop": [{"args": ["x"]}]}' "hooks.poststop[0]: needs a path"
	bundle_refused 'c["hooks"] = {"poststop": [{"path": "/x", "env": ["PATH=/bin", "HOME"]}]}' \
		"hooks.poststop[0].env[1]: expected NAME=VALUE"
	bundle_refused 'c["hooks"] = {"createRuntime": [{"path": "bin/x"}]}' \
		"hooks.createRuntime[0].path: expected an absolute path"
	bundle_refused 'c["hooks"] = {"prestart": [{"path": "/x", "timeout": 0}]}' \
		"hooks.prestart[0].timeout: expected 1 to 2147483647, found 0"
	bundle_refused 'c["hooks"] = {"poststart": [{"path": "/x", "args": [1]}]}' \
		"hooks.poststart[0].args[0]: expected a string, found a number"
	bundle_refused 'c["hooks"] = []' "hooks: expected an object, found an array"
	local dev='c["linux"]["devices"] = ['
	bundle_refused "$dev"'{"path": "/dev/x"}]' "linux.devices[0]: needs a path and a type"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "s", "major": 1, "minor": 1}]' \
		"linux.devices[0].type: expected c, b, u or p"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "c", "major": 1}]' \
		"linux.devices[0]: needs major and minor: it is no FIFO"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "c", "major": 4096, "minor": 0}]' \
		"linux.devices[0].major: expected 0 to 4095, found 4096"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "p", "uid": 2**32 - 1}]' \
		"linux.devices[0].uid: expected 0 to 4294967294, found 4294967295"
	bundle_refused "$dev"'{"path": "/dev/../x", "type": "p"}]' \
		"linux.devices[0].path: expected an absolute path below the root, $plain"
	bundle_refused "$dev"'{"path": "/", "type": "p"}]' \
		"linux.devices[0].path: expected an absolute path below the root, $plain"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "p"}, {"path": "/dev/x", "type": "p"}]' \
		"linux.devices[1].path: /dev/x is there twice"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "p"}, {"path": "/dev/x/", "type": "p"}]' \
		"linux.devices[1].path: expected an absolute path below the root, $plain"
	local where
	for where in /proc /proc/self/attr/exec; do
		bundle_refused "$dev"'{"path": "'"$where"'", "type": "c", "major": 1, "minor": 3}]' \
			"linux.devices[0].path: only a new proc goes on /proc, and nothing in it"
	done
	# fileMode: the permission bits, and only the type's own S_IF bits.
	bundle_refused "$dev"'{"path": "/dev/x", "type": "c", "major": 1, "minor": 3, "fileMode": 0o60666}]' \
		"linux.devices[0].fileMode: expected permission bits (07777), perhaps with the S_IF bits of its type (inode(7))"
	bundle_refused "$dev"'{"path": "/dev/x", "type": "p", "fileMode": 2**32 - 1}]' \
		"linux.devices[0].fileMode: expected permission bits (07777), perhaps with the S_IF bits of its type (inode(7))"
	bundle_refused "$dev"'{"path": "/dev/%d" % i, "type": "p"} for i in range(257)]' \
		"linux.devices: more than 256 devices"
	bundle_refused 'c["linux"]["cgroupsPath"] = "machine.slice:libpod:1"' \
		"linux.cgroupsPath: a systemd unit: this runtime makes its cgroups itself (podman --cgroup-manager cgroupfs)"
	for where in ../x /a/./b a/ "a\nb"; do
		bundle_refused 'c["linux"]["cgroupsPath"] = "'"$where"'"' \
			"linux.cgroupsPath: expected a cgroup's path, $plain"
	done
	for where in / "" //; do
		bundle_refused 'c["linux"]["cgroupsPath"] = "'"$where"'"' \
			"linux.cgroupsPath: expected a cgroup below the root one"
	done
	local what
	for what in intelRdt memoryPolicy netDevices; do
		bundle_refused 'c["linux"]["'"$what"'"] = {"x": 1}' \
			"linux.$what: this runtime cannot apply it"
	done
	bundle_refused 'c["linux"]["mountLabel"] = "system_u:object_r:container_file_t:s0"' \
		"linux.mountLabel: this runtime cannot apply it: it labels no mount for SELinux"
	bundle_refused 'c["linux"]["personality"] = {"flags": []}' "linux.personality: needs a domain"
	bundle_refused 'c["linux"]["personality"] = {"domain": "LINUX32"}' \
		"linux.personality: this runtime runs the LINUX domain with no flags, and nothing else"
	bundle_refused 'c["linux"]["personality"] = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}' \
		"linux.personality: this runtime runs the LINUX domain with no flags, and nothing else"
}

JUDGE=$PROJECT/tests/json/libseccomp.py

@test "json: the system call names are every one of x86_64's headers, in order" {
	# The names the kernel headers give x86_64's calls (<asm/unistd_64.h>
	# through <sys/syscall.h>), as the compiler sees them, and the
	# table stage 10 looks names up in, which must be sorted for
	# bsearch(3).
	echo '#include <sys/syscall.h>' | cc -dM -E - |
		sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' | LC_ALL=C sort >headers
	sed -n '/^} syscall_names\[\] = {$/,/^};$/p; /^static const struct syscall_name {$/,/^} syscall_names/p' \
		"$PROJECT/container.c" | grep -o 'N([a-z0-9_]*)' |
		sed 's/^N(\(.*\))$/\1/' >table
	[ "$(wc -l <headers)" -gt 300 ] || fail "the headers gave $(wc -l <headers) names"
	LC_ALL=C sort -c table || fail "the table is not in strcmp(3)'s order"
	diff headers table || fail "the table is not the headers' list"
}

@test "json: podman's seccomp profile makes a program that answers every call as libseccomp's does" {
	capture_podman_config
	run python3 "$JUDGE" "$HARNESS" podman.json
	assert_success
	assert_output --regexp '^judge: podman.json: [0-9]+ calls, 0 answered differently$'
}

@test "json: random seccomp profiles: every comparison, action and order of rules, as libseccomp and the README's rules answer" {
	local seed=$((RANDOM * 32768 + RANDOM))
	echo "# judge seed $seed" >&3
	run python3 "$JUDGE" "$HARNESS" --random 30 "$seed"
	assert_success
	assert_output --regexp 'judge: [0-9]+ calls, 0 answered differently$'
}

@test "json: a seccomp rule's comparisons all hold, or the rule does not match: where libseccomp 2.5 loses that, ours keeps it, in the kernel too" {
	# Three rules, each of which refuses getpriority(2) (call 140):
	# when its first argument is 2^64-1, when its third is 0, when its
	# first is at most 16. getpriority(0xffffffff, 0, 1) matches none of
	# them. Debian 12's libseccomp 2.5.4 merges the three into one tree,
	# and its program then compares the first argument's low half where
	# it means the high one (the word it compares was not loaded again):
	# it refuses the call. runc and crun build their programs with it.
	# What a later libseccomp answers is printed, not held to.
	runc spec && mv config.json runc.json
	change_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	    {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2**64 - 1, "op": "SCMP_CMP_GE"}]},
	    {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 2, "value": 0, "op": "SCMP_CMP_EQ"}]},
	    {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_LE"}]}]}'
	# In the judge's BPF machine: ALLOW is 0x7fff0000; ERRNO with
	# EPERM, 0x50001.
	local version
	version=$(python3 "$JUDGE" --version)
	run python3 "$JUDGE" "$HARNESS" changed.json --call 140 0xffffffff 0 1 0 0 0
	assert_output --regexp '^ours 0x7fff0000 libseccomp 0x[0-9a-f]+ profile 0x7fff0000$'
	local theirs=$output
	run python3 "$JUDGE" "$HARNESS" changed.json --call 140 3 0 1 0 0 0
	assert_output "ours 0x50001 libseccomp 0x50001 profile 0x50001"
	# And in the kernel, each program installed in a process of its
	# own: the call itself fails with EINVAL (no such "which").
	run python3 "$JUDGE" --call 140 0xffffffff 0 1
	assert_output "Invalid argument"
	run "$HARNESS" --seccomp-exec changed.json python3 "$JUDGE" --call 140 0xffffffff 0 1
	assert_output "Invalid argument"
	# Where the third rule matches (3 is at most 16), both refuse.
	run "$HARNESS" --seccomp-exec changed.json python3 "$JUDGE" --call 140 3 0 1
	assert_output "Operation not permitted"
	run python3 "$JUDGE" "$HARNESS" changed.json --load 140 3 0 1
	assert_output "Operation not permitted"
	run python3 "$JUDGE" "$HARNESS" changed.json --load 140 0xffffffff 0 1
	if [ "$version" != 2.5.4 ]; then
		echo "# libseccomp $version: $theirs; in the kernel: $output" >&3
		return
	fi
	# The README's word on 2.5.4, in the BPF machine and the kernel.
	assert_equal "$theirs" "ours 0x7fff0000 libseccomp 0x50001 profile 0x7fff0000"
	assert_output "Operation not permitted"
}

@test "json: podman's seccomp profile in the kernel: a shell runs under it, and swapoff fails with EPERM, not ENOENT" {
	capture_podman_config
	# podman's profile refuses swapoff(2) with errno 1; without it,
	# root's swapoff of a file that is not there finds no file.
	run busybox swapoff /nonexistent
	assert_output "swapoff: /nonexistent: No such file or directory"
	run "$HARNESS" --seccomp-exec podman.json busybox swapoff /nonexistent
	assert_failure
	assert_output "swapoff: /nonexistent: Operation not permitted"
	run "$HARNESS" --seccomp-exec podman.json busybox sh -c 'echo "a shell, pid $$"'
	assert_success
	assert_output --regexp '^a shell, pid [0-9]+$'
}

@test "json: a seccomp profile that is malformed, or asks what this runtime cannot do, is refused naming the value" {
	runc spec && mv config.json runc.json
	local s='c["linux"]["seccomp"] = '
	local rule='{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": '
	bundle_refused "$s"'{}' "linux.seccomp: needs a defaultAction"
	bundle_refused "$s"'[]' "linux.seccomp: expected an object, found an array"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_DENY"}' \
		"linux.seccomp.defaultAction: SCMP_ACT_DENY is no action config-linux.md lists, such as SCMP_ACT_ERRNO"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/agent"}' \
		"linux.seccomp.defaultAction: this runtime cannot apply it: it hands no call to a listening program"
	# config-linux.md: an errnoRet with an action that takes none MUST
	# be an error.
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}' \
		"linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no number: SCMP_ACT_ERRNO and SCMP_ACT_TRACE do"
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "errnoRet": 1}]}' \
		"linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no number: SCMP_ACT_ERRNO and SCMP_ACT_TRACE do"
	# The kernel would quietly make 4096 its MAX_ERRNO, 4095.
	bundle_refused "$s$rule"'"SCMP_ACT_ERRNO", "errnoRet": 4096}]}' \
		"linux.seccomp.syscalls[0].errnoRet: expected 0 to 4095, found 4096"
	bundle_refused "$s$rule"'"SCMP_ACT_TRACE", "errnoRet": 65536}]}' \
		"linux.seccomp.syscalls[0].errnoRet: expected 0 to 65535, found 65536"
	bundle_refused "$s$rule"'"SCMP_ACT_NOTIFY"}]}' \
		"linux.seccomp.syscalls[0].action: this runtime cannot apply it: it hands no call to a listening program"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], "action": "SCMP_ACT_KILL"}]}' \
		"linux.seccomp.syscalls[0].names: expected at least one name"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]}' \
		"linux.seccomp.syscalls[0]: needs names and action"
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]}' \
		"linux.seccomp.syscalls[0].args[0].index: expected 0 to 5, found 6"
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_IN"}]}]}' \
		"linux.seccomp.syscalls[0].args[0].op: SCMP_CMP_IN is no operator config-linux.md lists, such as SCMP_CMP_EQ"
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": 0, "op": "SCMP_CMP_EQ"}]}]}' \
		"linux.seccomp.syscalls[0].args[0]: needs index, value and op"
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": 3, "value": 0, "valueTwo": 5, "op": "SCMP_CMP_MASKED_EQ"}]}]}' \
		"linux.seccomp.syscalls[0].args[0].value: a mask of 0 compares no bit"
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}]}]}' \
		"linux.seccomp.syscalls[0].args[0].value: expected 0 to 18446744073709551615, found -1"
	# libseccomp refuses two comparisons of one argument in a rule, and
	# runc then makes a rule of each, which turns "and" into "or".
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": 1, "value": 2, "op": "SCMP_CMP_GE"}, {"index": 1, "value": 5, "op": "SCMP_CMP_LE"}]}]}' \
		"linux.seccomp.syscalls[0].args[1].index: argument 1 is compared twice in one rule"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]}' \
		"linux.seccomp.architectures[0]: SCMP_ARCH_VAX is no architecture config-linux.md lists, such as SCMP_ARCH_X86_64"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}' \
		"linux.seccomp.flags[0]: this runtime cannot apply it: it only means something with SCMP_ACT_NOTIFY"
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}' \
		"linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_FAST is no flag config-linux.md lists, such as SECCOMP_FILTER_FLAG_LOG"
	# A name this runtime does not know, in a rule that refuses it
	# under a default that lets calls through: were it a call newer
	# than the headers (mseal(2) is Linux 6.10's), leaving the rule out
	# would let it through.
	bundle_refused "$s$rule"'"SCMP_ACT_ERRNO"}, {"names": ["mseal"], "action": "SCMP_ACT_KILL"}]}' \
		"linux.seccomp.syscalls[1].names[0]: mseal is no x86_64 call this runtime knows (a newer one, or another architecture's), and the default would let it through"
	# LOG lets a call through; so may TRACE's tracer (runc counts both).
	local through
	for through in SCMP_ACT_LOG SCMP_ACT_TRACE; do
		bundle_refused "$s"'{"defaultAction": "'"$through"'", "syscalls": [{"names": ["mseal"], "action": "SCMP_ACT_KILL"}]}' \
			"linux.seccomp.syscalls[0].names[0]: mseal is no x86_64 call this runtime knows (a newer one, or another architecture's), and the default would let it through"
	done
	bundle_refused "$s"'{"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"}' \
		"linux.seccomp.listenerMetadata: needs a listenerPath"
	# Two hundred rules for one call, of six comparisons (4 steps each)
	# and a return: 7 steps before, 2 to enter the call's rules, 200 x
	# 25, the call's default and the program's: 5011, more than the
	# kernel takes.
	bundle_refused "$s$rule"'"SCMP_ACT_KILL", "args": [{"index": i, "value": 0, "op": "SCMP_CMP_EQ"} for i in range(6)]}] * 200}' \
		"linux.seccomp: makes a program of 5011 steps, and the kernel takes 4096 at most"
}

@test "json: a seccomp profile's flags, and names of other architectures, skipped" {
	runc spec && mv config.json runc.json
	# seccomp(2)'s flags: TSYNC 1, LOG 2, SPEC_ALLOW 4.
	change_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "flags": [
	    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}'
	run "$HARNESS" --seccomp changed.json
	assert_success
	assert_line --index 0 "flags 0x7"
	# The architecture (3 steps), the number with x32's bit and -1 (4),
	# then the default: 8 steps.
	assert_equal "${#lines[@]}" 9
	# socketcall is 32-bit x86's, and x86_64 has none: in a rule that
	# lets calls through, it is skipped, as runc skips it; so the
	# profile is the same program as one without it. (In a rule that
	# refuses, under a default that lets through, it is refused: see
	# mseal above.)
	change_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
	    {"names": ["socketcall", "getpid"], "action": "SCMP_ACT_ALLOW"}]}'
	run "$HARNESS" --seccomp changed.json
	assert_success
	local both=$output
	change_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
	    {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}'
	run "$HARNESS" --seccomp changed.json
	assert_success
	assert_equal "$output" "$both"
	run python3 "$JUDGE" "$HARNESS" changed.json
	assert_success
	assert_output --regexp ', 0 answered differently$'
}

@test "json: a seccomp program of the kernel's 4096 steps is taken, one of 4097 is not; a call's rules past a jump's reach are jumped over" {
	runc spec && mv config.json runc.json
	# 7 steps before the calls, 2 to enter getpriority's rules, 5 a rule
	# (one comparison of 4 steps and a return), its default and the
	# program's: 11 + 5 x 817 = 4096. No rule matches a real call.
	local rules='[{"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2**40 + i, "op": "SCMP_CMP_EQ"}]} for i in range(817)]'
	change_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": '"$rules"'}'
	run "$HARNESS" --seccomp changed.json
	assert_success
	assert_equal "${#lines[@]}" 4097
	# And the kernel takes it (seccomp(2) refuses more than BPF_MAXINSNS).
	run "$HARNESS" --seccomp-exec changed.json busybox echo taken
	assert_success
	assert_output taken
	# One step more: a rule that compares with > (5 steps, not 4).
	bundle_refused 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": '"${rules/817/816}"' + [{"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2**40, "op": "SCMP_CMP_GT"}]}]}' \
		"linux.seccomp: makes a program of 4097 steps, and the kernel takes 4096 at most"
	# 60 rules for read, 300 steps, past the 255 a jump's 8 bits reach,
	# then another call: what every call gets, as libseccomp and the
	# README's rules say.
	change_config 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls":
	    [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]} for i in range(60)]
	    + [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}'
	run python3 "$JUDGE" "$HARNESS" changed.json
	assert_success
	assert_output --regexp ', 0 answered differently$'
	run "$HARNESS" --seccomp changed.json
	assert [ "${#lines[@]}" -gt 300 ]
}

@test "json: a hook gets the state on its standard input, its own args and env, and no other descriptor; what goes wrong is one line" {
	runc spec && mv config.json runc.json
	local out=$BATS_TEST_TMPDIR
	# config.md: the state on stdin; args as execv(3)'s argv; env as
	# environ. A descriptor the runtime has open (7, here) stays the
	# runtime's.
	change_config 'c["hooks"] = {"prestart": [{"path": "/bin/sh", "env": ["A=1", "PATH=/bin:/usr/bin"],
	    "args": ["hook-zero", "-c", "cat >'"$out"'/state; echo \"$0\" >'"$out"'/argv0; env >'"$out"'/env; test -e /proc/$$/fd/7 && echo open >'"$out"'/fd7 || echo closed >'"$out"'/fd7"]}]}'
	printf '%s' '{"ociVersion":"1.2.0","id":"box","status":"creating","pid":0,"bundle":"/b"}' >state.json
	run bash -c 'exec 7>/dev/null; "$1" --hook changed.json prestart 0 @state.json' \
		- "$HARNESS"
	assert_success
	cmp state.json "$out/state" || fail "the hook read another state"
	assert_equal "$(cat "$out/argv0")" hook-zero
	# The shell adds PWD (dash, Debian's sh; bash adds SHLVL and _ too);
	# nothing of the runtime's environment comes through (unlike in
	# runc, whose hooks get its own).
	run bash -c 'grep -vE "^(PWD|SHLVL|_)=" "$1" | sort' - "$out/env"
	assert_output "A=1
PATH=/bin:/usr/bin"
	assert_equal "$(cat "$out/fd7")" closed
	# A state longer than a pipe holds: all of it reaches a hook that
	# reads it, and one that never reads it (nor ends) stalls nothing:
	# its timeout comes.
	python3 -c 'print("{\"annotations\": {\"a\": \"" + "x" * 300000 + "\"}}")' >big.json
	change_config 'c["hooks"] = {"poststart": [{"path": "/bin/sh", "args": ["sh", "-c", "wc -c"]},
	    {"path": "/bin/sleep", "args": ["sleep", "8764"], "timeout": 1}]}'
	run timeout 20 "$HARNESS" --hook changed.json poststart 0 @big.json
	assert_success
	assert_output "$(wc -c <big.json)"
	# The same from a runtime started with no stdin, whose memfd is
	# then fd 0 itself.
	run bash -c 'timeout 20 "$1" --hook changed.json poststart 0 @big.json <&-' \
		- "$HARNESS"
	assert_success
	assert_output "$(wc -c <big.json)"
	run timeout 20 "$HARNESS" --hook changed.json poststart 1 @big.json
	assert_failure 125
	assert_output "container: changed.json: hooks.poststart[1] (/bin/sleep): ran past its timeout of 1 s, and was killed"
	# What goes wrong, each in one line naming the hook.
	change_config 'c["hooks"] = {"poststop": [
	    {"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]},
	    {"path": "/nonexistent/hook"},
	    {"path": "/bin/sh", "args": ["sh", "-c", "kill -TERM $$"]},
	    {"path": "/bin/sh", "args": ["sh", "-c", "sleep 8765 >/dev/null 2>&1; :"], "timeout": 1},
	    {"path": "/bin/sh", "args": ["sh", "-c", "sleep 1"], "timeout": 3}]}'
	run "$HARNESS" --hook changed.json poststop 0 '{}'
	assert_failure 125
	assert_output "container: changed.json: hooks.poststop[0] (/bin/sh): exited with 3"
	run "$HARNESS" --hook changed.json poststop 1 '{}'
	assert_failure 125
	assert_output "container: changed.json: hooks.poststop[1] (/nonexistent/hook): could not run: No such file or directory"
	run "$HARNESS" --hook changed.json poststop 2 '{}'
	assert_failure 125
	assert_output "container: changed.json: hooks.poststop[2] (/bin/sh): was killed by signal 15 (Terminated)"
	# The timeout: not before its second, and what the hook started
	# (its sleep) is killed with it. (The sleep's output goes nowhere,
	# so that a sleep left running fails the test, not hangs it.)
	local start=${EPOCHREALTIME/./}
	run timeout 20 "$HARNESS" --hook changed.json poststop 3 '{}'
	assert_failure 125
	assert_output "container: changed.json: hooks.poststop[3] (/bin/sh): ran past its timeout of 1 s, and was killed"
	assert [ $((${EPOCHREALTIME/./} - start)) -ge 1000000 ]
	run pgrep -f 'sleep 876[45]'
	assert_failure
	# A hook that ends within its timeout is not killed.
	run timeout 20 "$HARNESS" --hook changed.json poststop 4 '{}'
	assert_success
}

DEVICES=$PROJECT/tests/json/devices.py

@test "json: device rules become cgroup v1's list and an eBPF program that answers every question as that list does" {
	# podman's rules (deny all) and runc's: the runtime's own allow
	# rules for the default devices follow, and nothing else.
	capture_podman_config
	runc spec && mv config.json runc.json
	for config in podman.json runc.json; do
		run python3 "$DEVICES" "$HARNESS" "$config"
		assert_success
		assert_line --regexp "^judge: $config: [0-9]+ questions, 0 answered differently$"
	done
	run "$HARNESS" --devices podman.json
	assert_line --index 0 "default deny"
	assert_line --index 1 "allow c 1:3 rwm"
	assert_line --index 8 "allow c 136:* rwm"
	refute_line "allow c *:* m"             # unlike runc
	# Random rules, with wildcards, resets and rules that would open a
	# hole, which the model and the harness must both refuse.
	local seed=$((RANDOM * 32768 + RANDOM))
	echo "# judge seed $seed" >&3
	run python3 "$DEVICES" "$HARNESS" --random 120 "$seed" .
	assert_success
	assert_line --regexp "^seed $seed: 120 configs, [0-9]+ taken, [1-9][0-9]* refused as the model says, 0 wrong$"
}

@test "json: a device rule that would open a hole in a wider one, or a config that denies a default device, is refused naming the rule" {
	runc spec && mv config.json runc.json
	config_refused --bundle 'c["linux"]["resources"]["devices"] = [
	    {"allow": True, "type": "c", "major": 60, "access": "rw"},
	    {"allow": False, "type": "c", "major": 60, "minor": 1, "access": "w"}]' \
		"linux.resources.devices[1]: would open a hole in c 60:* rw, which cgroup v1's list could not, and runc refuses too"
	# The same deny with nothing wider to cut is no hole: it is taken.
	change_config 'c["linux"]["resources"]["devices"] = [
	    {"allow": True, "type": "c", "major": 60, "minor": 1, "access": "rw"},
	    {"allow": False, "type": "c", "major": 60, "minor": 1, "access": "w"}]'
	run "$HARNESS" --devices changed.json
	assert_success
	assert_line --index 1 "allow c 60:1 r"
	config_refused --bundle 'c["linux"]["resources"]["devices"] = [
	    {"allow": True, "access": "rwm"},
	    {"allow": False, "type": "c", "major": 1, "access": "w"}]' \
		"linux.resources.devices: denies c 1:* w, which holds /dev/null, a device the runtime gives every container"
}

@test "json: a device program in the kernel lets through and stops what the model, and cgroup v1's own list, do for random rules" {
	local root v2 v1="" seed config n=0
	root=$(findmnt -n -t cgroup2 -o TARGET | head -1)
	[ -n "$root" ] || fail "no cgroup2 mount, where the program goes"
	v2=$root/container.c-json-v2-$$
	# The hybrid host has cgroup v1's devices hierarchy too: the
	# kernel's own list is the second judge there.
	[ ! -d /sys/fs/cgroup/devices ] ||
		v1=/sys/fs/cgroup/devices/container.c-json-v1-$$
	[ -n "$v1" ] || [ -f /run/container-lab-vm ] ||
		fail "no cgroup v1 devices hierarchy, which this host has"
	mkdir nodes
	python3 "$DEVICES" --nodes nodes
	seed=$((RANDOM * 32768 + RANDOM))
	echo "# judge seed $seed" >&3
	run python3 "$DEVICES" "$HARNESS" --random 60 "$seed" .
	assert_success
	# First, allow all but writing to c 240:*: an open for read and
	# write is stopped too, as v1 stops it (runc's program lets it by).
	echo '{"ociVersion": "1.0.2", "root": {"path": "rootfs"},
	  "linux": {"namespaces": [{"type": "mount"}], "resources": {"devices": [
	    {"allow": true, "access": "rwm"},
	    {"allow": false, "type": "c", "major": 240, "access": "w"}]}}}' >write.json
	for config in write.json $(awk '$1 == "taken" { print $2 }' <<<"$output" | head -12); do
		# Every access to 9 block and 9 char devices, as our program
		# answers in the kernel, and as the model says.
		mkdir "$v2"
		(cd nodes && "$HARNESS" --devices-exec "../$config" "$v2" \
			python3 "$DEVICES" --probe) >v2.out
		rmdir "$v2"
		assert_equal "$(wc -l <v2.out)" 18
		run diff <(python3 "$DEVICES" --expect "$config") v2.out
		assert_success
		[ "$config" != write.json ] ||
			grep -qx 'c-240-0 r:ok w:EPERM rw:EPERM m:ok' v2.out
		n=$((n + 1))
		[ -n "$v1" ] || continue
		mkdir "$v1"
		# The kernel's own list, made from the same rules: the same
		# exceptions, or "a *:* rwm" alone when it allows by default.
		run python3 "$DEVICES" --v1 "$config" "$v1"
		assert_success
		if "$HARNESS" --devices "$config" | grep -qx "default allow"; then
			assert_output "a *:* rwm"
		else
			assert_output "$("$HARNESS" --devices "$config" |
				sed -n 's/^allow //p')"
		fi
		(cd nodes && sh -c 'echo $$ >"$1/cgroup.procs" &&
			exec python3 "$2" --probe' - "$v1" "$DEVICES") >v1.out
		rmdir "$v1"
		run diff v1.out v2.out
		assert_success
	done
	[ "$n" -ge 7 ]
}

@test "json: the process runc makes of a config (user, groups, capabilities, rlimits, umask, oomScoreAdj, no_new_privs, seccomp) is the one become_process() makes, as /proc shows them" {
	runc spec && mv config.json runc.json
	mkdir bundle
	# The shell prints its own credentials, limits and filter, after
	# its exec: runc's in the rootfs, ours on the host. runc's own
	# config asks for ambient capabilities that are not inheritable:
	# neither raises them.
	local show='while read -r k v; do case $k in Uid:|Gid:|Groups:|Cap*|NoNewPrivs:|Seccomp:) echo "$k $v";; esac; done </proc/$$/status; ulimit -n; ulimit -Hn; ulimit -c; umask; cat /proc/$$/oom_score_adj; pwd; cd / 2>/dev/null && echo cd ok || echo cd refused'
	local variant
	for variant in \
		'p["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20], "umask": 0o27}
p["capabilities"]["inheritable"] = ["CAP_KILL"]; p["oomScoreAdj"] = 100; p["cwd"] = "/tmp"' \
		'p["user"] = {"uid": 0, "gid": 0, "umask": 0o22}; p["noNewPrivileges"] = False
p["capabilities"] = {s: ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_SETUID"] for s in ("bounding", "permitted", "effective")}
p["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 2048}, {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["swapoff"], "action": "SCMP_ACT_ERRNO"}]}' \
		'p["user"] = {"uid": 4242, "gid": 4343, "umask": 0o77}; p["capabilities"] = {}; p["noNewPrivileges"] = False
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["swapon"], "action": "SCMP_ACT_ERRNO"}]}' \
		'p["noNewPrivileges"] = True; p["capabilities"]["ambient"] = []
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["chdir"], "action": "SCMP_ACT_ERRNO"}]}'
	do
		change_config "p[\"terminal\"] = False; p[\"args\"] = [\"sh\", \"-c\", '''$show''']
c[\"root\"] = {\"path\": \"$ROOTFS\", \"readonly\": True}
c[\"linux\"][\"cgroupsPath\"] = \"/container.c-json-runc-$$\"
$variant"
		cp changed.json bundle/config.json
		run timeout 60 runc --root "$BATS_TEST_TMPDIR/runc" run \
			--bundle bundle json-$$
		assert_success
		local theirs=$output
		"$HARNESS" --process-exec changed.json >ours 2>warnings
		assert_equal "$(cat ours)" "$theirs"
		assert_line --partial "CapBnd:"
		# One line for each ambient capability not raised: the
		# first variant's, but its inheritable CAP_KILL.
		case $variant in
		*oomScoreAdj*)
			assert_line "Uid: 1000	1000	1000	1000"
			assert_line "CapAmb: 0000000000000020"
			assert_equal "$(grep -c 'is not granted: the kernel raises only' warnings)" 2
			run grep -c CAP_KILL warnings
			assert_output 0 ;;
		*chdir*)                # the filter last, under no_new_privs
			assert_line "NoNewPrivs: 1"
			assert_line "cd refused" ;;
		*)
			assert_line "Seccomp: 2"
			assert_line "cd ok"
			assert_equal "$(wc -c <warnings)" 0 ;;
		esac
	done
	# A filter that goes in before the user changes (no_new_privs off)
	# and fakes their success leaves the process root, with the
	# capabilities the runtime held: runc 1.1.5 runs it so. Each change
	# is read back here.
	change_config 'p["user"] = {"uid": 1000, "gid": 1000}; p["noNewPrivileges"] = False
p["terminal"] = False; p["args"] = ["sh", "-c", "grep Uid: /proc/$$/status"]; c["root"] = {"path": "'"$ROOTFS"'"}
c["linux"]["cgroupsPath"] = "/container.c-json-runc-'$$'"
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["setresuid", "setresgid", "setuid", "setgid", "capset", "setgroups"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0}]}'
	cp changed.json bundle/config.json
	run timeout 60 runc --root "$BATS_TEST_TMPDIR/runc" run \
		--bundle bundle json-$$
	assert_output "Uid:	0	0	0	0"
	run "$HARNESS" --process-exec changed.json
	assert_failure 125
	assert_output --partial "container: the user and capabilities asked for did not take: EPERM"
	# And the groups alone.
	change_config 'p["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}; p["noNewPrivileges"] = False
c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["setgroups"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0}]}'
	run "$HARNESS" --process-exec changed.json
	assert_failure 125
	assert_output --partial "container: the user and capabilities asked for did not take: EPERM"
	# A label is not written yet: refused, never dropped.
	change_config 'p["apparmorProfile"] = "containers-default-0.50.1"'
	run "$HARNESS" --process-exec changed.json
	assert_failure 125
	assert_output "container: an AppArmor or SELinux label: EOPNOTSUPP: Operation not supported"
}

@test "json: the state runtime.md describes, with the config's annotations, reads in Python as written; an annotation that is not a string is refused" {
	runc spec && mv config.json runc.json
	# Names and values that need escapes: a quote, a backslash, control
	# characters, and characters past ASCII (which Python's writer sends
	# as \u escapes, surrogate pairs among them: the reader decodes
	# them, and the state writes them as UTF-8).
	change_config 'c["annotations"] = {"org.example/key": "value", "quote\"back\\": "tab\tnl\n\u0001",
	    "io.podman.annotations.autoremove": "TRUE", "caf\u00e9": "\u2028\ud83d\ude00"}'
	run "$HARNESS" --state changed.json box-1 created 4242 /run/bundle
	assert_success
	assert_equal "${#lines[@]}" 1
	python3 -c 'import json, sys
state = json.loads(sys.argv[1])
want = {"ociVersion": "1.0.2", "id": "box-1", "status": "created", "pid": 4242,
        "bundle": "/run/bundle", "annotations": json.load(open("changed.json"))["annotations"]}
assert state == want, state' "$output"
	# Stopped: no pid. No annotations: none in the state.
	change_config 'c.pop("annotations", None)'
	run "$HARNESS" --state changed.json box-1 stopped 0 /run/bundle
	assert_output '{"ociVersion":"1.0.2","id":"box-1","status":"stopped","bundle":"/run/bundle"}'
	# Running, a pid is REQUIRED (runtime.md): no state without one.
	run "$HARNESS" --state changed.json box-1 running 0 /run/bundle
	assert_failure 125
	config_refused --bundle 'c["annotations"] = {"a": "b", "n": 5}' \
		'annotations.n: expected a string, found a number'
	config_refused --bundle 'c["annotations"] = {"": "b"}' \
		'annotations[""]: an annotation needs a name'
	config_refused --bundle 'c["annotations"] = ["a"]' \
		'annotations: expected an object, found an array'
}

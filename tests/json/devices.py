#!/usr/bin/env python3
"""The judge of stage 10's device programs, for tests/json.bats.

    devices.py HARNESS CONFIG            check CONFIG's program
    devices.py HARNESS --random N SEED DIR
                                         check N random configs, each
                                         written to DIR; print the names
                                         of those the runtime took
    devices.py --probe                   try every access to the devices
                                         PROBE names, from a directory of
                                         nodes made by --nodes; print
                                         what each got
    devices.py --nodes DIR               make those nodes in DIR
    devices.py --expect CONFIG           what --probe must print under
                                         CONFIG's rules, by the model
    devices.py --v1 CONFIG CGROUP        write CONFIG's rules, in order, to
                                         the cgroup v1 devices directory
                                         CGROUP (after "a" to its
                                         devices.deny), and print its
                                         devices.list

The model below applies linux.resources.devices as cgroup v1 applied
its devices.allow and devices.deny (the kernel's Documentation/admin-
guide/cgroup-v1/devices.rst, security/device_cgroup.c): a default and
a list of exceptions. A rule of type "a" sets the default and clears
the list; a rule against the default adds its access to the exception
of its exact type and numbers; a rule with the default takes access
away from that exact exception, and is refused if a wider exception of
the same type (a number left out, "*") holds some of that access, for
v1 would have kept it (runc refuses it too). The runtime's own allow
rules for the default devices come after the config's. A device gets
the opposite of the default if one exception names it with all the
access asked for under deny all, or with any of it under allow all.

The harness prints our list and our eBPF program; the program is run
by the small eBPF machine below on every question the kernel could ask
about the devices the rules name (and their neighbours): block and
char, each of 0 to 7 for the access bits (mknod 1, read 2, write 4;
0 is access(2)'s F_OK).
Any answer that differs from the model is printed, and the exit status
is 1. json.bats puts the same programs in the kernel, and the same
rules in a cgroup v1 devices directory, and compares what --probe sees.
"""
import errno
import json
import os
import random
import stat
import subprocess
import sys

MKNOD, READ, WRITE = 1, 2, 4
BLOCK, CHAR = 1, 2
# config-linux.md's default devices, as the runtime allows them.
PATHS = {(1, 3): "/dev/null", (1, 5): "/dev/zero", (1, 7): "/dev/full",
         (1, 8): "/dev/random", (1, 9): "/dev/urandom", (5, 0): "/dev/tty",
         (5, 2): "/dev/ptmx", (136, -1): "/dev/pts/N"}
DEFAULTS = [("c", major, minor) for major, minor in PATHS]
# Majors the kernel's devices.txt keeps for local and experimental use:
# no driver answers them, so an open the cgroup lets through fails with
# ENXIO, and one it stops fails with EPERM.
PROBE_MAJORS = [60, 61, 240]
PROBE_MINORS = [0, 1, 7]


def bits(access):
    return sum(b for c, b in (("m", MKNOD), ("r", READ), ("w", WRITE))
               if c in access)


def text(access):
    return "".join(c for c, b in (("r", READ), ("w", WRITE), ("m", MKNOD))
                   if access & b)


def number(n):
    return "*" if n < 0 else str(n)


def rules_of(config):
    """The config's rules as (allow, type, major, minor, access bits)."""
    resources = config.get("linux", {}).get("resources", {})
    return [(r["allow"], r.get("type", "a"), r.get("major", -1),
             r.get("minor", -1), bits(r["access"]))
            for r in resources.get("devices", [])]


def model(rules):
    """(default allow, [(type, major, minor, access)]) or the text of
    the exception a rule would open a hole in, and that rule's index
    (len(rules) + k for the k-th default device)."""
    allow, exceptions = False, {}
    everything = rules + [(True, t, ma, mi, 7) for t, ma, mi in DEFAULTS]
    for index, (rule_allow, kind, major, minor, access) in \
            enumerate(everything):
        if kind == "a":
            allow, exceptions = rule_allow, {}
            continue
        key = (kind, major, minor)
        if rule_allow != allow:
            exceptions[key] = exceptions.get(key, 0) | access
            continue
        for wider in ((kind, -1, minor), (kind, major, -1),
                      (kind, -1, -1)):
            if wider != key and exceptions.get(wider, 0) & access:
                t, ma, mi = wider
                return ("%s %s:%s %s" % (t, number(ma), number(mi),
                                          text(exceptions[wider])), index)
        if key in exceptions:           # kept in its place, as in v1
            exceptions[key] &= ~access
            if not exceptions[key]:
                del exceptions[key]
    return allow, [(t, ma, mi, a) for (t, ma, mi), a in exceptions.items()]


def decide(listing, kind, major, minor, access):
    """Under deny all, an exception must hold all the access asked for;
    under allow all, any of it (match_exception_partial() in v1)."""
    allow, exceptions = listing
    for t, ma, mi, a in exceptions:
        if t == kind and ma in (-1, major) and mi in (-1, minor) and \
                (access & a if allow else access & a == access):
            return not allow
    return allow


def run_ebpf(program, kind, major, minor, access):
    """Run PROGRAM (code, dst, src, off, imm) on one question; the
    steps our programs use, and nothing else, are known."""
    ctx = [access << 16 | kind, major, minor]
    reg = [None] * 11                           # None: never written
    reg[1] = "ctx"
    pc = 0
    for _ in range(100000):
        assert 0 <= pc < len(program), "step %d out of the program" % pc
        code, dst, src, off, imm = program[pc]
        assert off >= 0, "a jump back at %d" % pc
        assert code in (0x61, 0xB4, 0xBC, 0x95) or reg[dst] is not None, \
            "R%d read before it is written, at %d" % (dst, pc)
        assert code not in (0xBC, 0x5D) or reg[src] is not None, \
            "R%d read before it is written, at %d" % (src, pc)
        pc += 1
        if code == 0x61:                        # LDX | MEM | W
            assert reg[src] == "ctx" and off in (0, 4, 8)
            reg[dst] = ctx[off // 4]
        elif code == 0x54:                      # ALU | AND | K
            reg[dst] = (reg[dst] & imm) & 0xFFFFFFFF
        elif code == 0x74:                      # ALU | RSH | K
            reg[dst] = (reg[dst] & 0xFFFFFFFF) >> imm
        elif code == 0xBC:                      # ALU | MOV | X
            reg[dst] = reg[src] & 0xFFFFFFFF
        elif code == 0xB4:                      # ALU | MOV | K
            reg[dst] = imm & 0xFFFFFFFF
        elif code == 0x55:                      # JMP | JNE | K
            if reg[dst] != imm & 0xFFFFFFFFFFFFFFFF:
                pc += off
        elif code == 0x15:                      # JMP | JEQ | K
            if reg[dst] == imm & 0xFFFFFFFFFFFFFFFF:
                pc += off
        elif code == 0x5D:                      # JMP | JNE | X
            if reg[dst] != reg[src]:
                pc += off
        elif code == 0x95:                      # JMP | EXIT
            assert reg[0] is not None, "R0 unset at exit"
            return reg[0]
        else:
            raise ValueError("unknown step %#x at %d" % (code, pc - 1))
    raise ValueError("no exit")


def harness_listing(harness, path):
    out = subprocess.run([harness, "--devices", path], capture_output=True,
                         text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    lines = out.stdout.splitlines()
    allow = lines[0] == "default allow"
    listed, program = [], []
    for line in lines[1:]:
        words = line.split()
        if words[0] in ("allow", "deny"):
            listed.append(" ".join(words[1:]))
        else:
            program.append(tuple(int(w) for w in words))
    return (allow, listed, program), None


def check(harness, path, quiet=False):
    """0 if our program answers CONFIG as the model does; 1 if not;
    2 if the runtime refused it, as it must have."""
    with open(path) as f:
        rules = rules_of(json.load(f))
    expected = model(rules)
    ours, error = harness_listing(harness, path)
    if isinstance(expected[0], str):
        hole, index = expected
        where = ("linux.resources.devices[%d]" % index
                 if index < len(rules) else "linux.resources.devices")
        if ours is None and error == "container: %s: %s: %s" % (
                path, where, "would open a hole in %s, which cgroup v1's "
                "list could not, and runc refuses too" % hole
                if index < len(rules) else "denies %s, which holds %s, a "
                "device the runtime gives every container" % (
                    hole, PATHS[DEFAULTS[index - len(rules)][1:]])):
            return 2
        print("%s: expected a refusal at %s (a hole in %s), got %s"
              % (path, where, hole, error or "a program"))
        return 1
    if ours is None:
        print("%s: refused: %s" % (path, error))
        return 1
    allow, listed, program = ours
    listing = expected
    want = ["%s %s:%s %s" % (t, number(ma), number(mi), text(a))
            for t, ma, mi, a in listing[1]]
    bad = asked = 0
    if allow != listing[0] or listed != want:
        print("%s: list %s %s, expected %s %s"
              % (path, allow, listed, listing[0], want))
        bad += 1
    majors = {m for _, _, m, _, _ in rules} | {m for _, m, _ in DEFAULTS}
    minors = {m for _, _, _, m, _ in rules} | {m for _, _, m in DEFAULTS}
    majors = {n + d for n in majors | {0, 4095} for d in (-1, 0, 1)
              if 0 <= n + d <= 4095}
    minors = {n + d for n in minors | {0, 1048575} for d in (-1, 0, 1)
              if 0 <= n + d <= 1048575}
    for kind, t in ((BLOCK, "b"), (CHAR, "c")):
        for major in sorted(majors):
            for minor in sorted(minors):
                for access in range(0, 8):
                    want = decide(listing, t, major, minor, access)
                    got = run_ebpf(program, kind, major, minor, access)
                    asked += 1
                    if got != int(want):
                        bad += 1
                        if bad < 10:
                            print("%s: %s %d:%d %s: ours %d, model %d"
                                  % (path, t, major, minor, text(access),
                                     got, want))
    if not quiet:
        print("judge: %s: %d questions, %d answered differently"
              % (path, asked, bad))
    return 1 if bad else 0


def random_config(rng):
    # Allow all first, half the time, so that deny exceptions (matched
    # by any of the access asked for) come as often as allow ones.
    rules = [{"allow": True, "access": "rwm"}] if rng.random() < 0.5 else []
    for _ in range(rng.randint(0, 8)):
        rule = {"allow": rng.random() < 0.5,
                "access": "".join(c for c in "rwm" if rng.random() < 0.6)
                or "r"}
        kind = rng.choice("abcc")
        if kind != "a" or rng.random() < 0.5:
            rule["type"] = kind
        for name, values in (("major", PROBE_MAJORS * 2 + [1, -1]),
                             ("minor", PROBE_MINORS + [-1])):
            if rng.random() < 0.8:
                rule[name] = rng.choice(values)
        rules.append(rule)
    return {"ociVersion": "1.0.2", "root": {"path": "rootfs"},
            "linux": {"namespaces": [{"type": "mount"}],
                      "resources": {"devices": rules}}}


def random_check(harness, n, seed, directory):
    rng = random.Random(seed)
    counts = [0, 0, 0]
    for i in range(n):
        path = os.path.join(directory, "devices-%d.json" % i)
        with open(path, "w") as f:
            json.dump(random_config(rng), f)
        result = check(harness, path, quiet=True)
        counts[result] += 1
        if result == 0:
            print("taken", path)
    print("seed %d: %d configs, %d taken, %d refused as the model says, "
          "%d wrong" % (seed, n, counts[0], counts[2], counts[1]))
    return 1 if counts[1] else 0


def nodes(directory):
    for t, mode in (("b", stat.S_IFBLK), ("c", stat.S_IFCHR)):
        for major in PROBE_MAJORS:
            for minor in PROBE_MINORS:
                os.mknod(os.path.join(directory, "%s-%d-%d" %
                                      (t, major, minor)),
                         mode | 0o600, os.makedev(major, minor))


def probe():
    """From the node directory: each access to each node, as the
    kernel's device check answers it: ok, or EPERM. Past the check, an
    open fails with ENXIO (no driver), which counts as ok."""
    for t, mode in (("b", stat.S_IFBLK), ("c", stat.S_IFCHR)):
        for major in PROBE_MAJORS:
            for minor in PROBE_MINORS:
                name = "%s-%d-%d" % (t, major, minor)
                seen = []
                for letter, flags in (("r", os.O_RDONLY), ("w", os.O_WRONLY),
                                      ("rw", os.O_RDWR)):
                    try:
                        os.close(os.open(name, flags | os.O_NOCTTY))
                        seen.append(letter + ":ok")
                    except OSError as e:
                        seen.append(letter + ":" + (
                            "EPERM" if e.errno == errno.EPERM else
                            "ok" if e.errno == errno.ENXIO else
                            os.strerror(e.errno)))
                try:
                    os.mknod("made", mode | 0o600, os.makedev(major, minor))
                    os.unlink("made")
                    seen.append("m:ok")
                except OSError as e:
                    seen.append("m:" + ("EPERM" if e.errno == errno.EPERM
                                        else os.strerror(e.errno)))
                print(name, " ".join(seen))


def expect(path):
    """What --probe must print under PATH's rules, by the model."""
    with open(path) as f:
        listing = model(rules_of(json.load(f)))
    for t in "bc":
        for major in PROBE_MAJORS:
            for minor in PROBE_MINORS:
                print("%s-%d-%d" % (t, major, minor), " ".join(
                    "%s:%s" % (name, "ok" if decide(listing, t, major, minor,
                                                    access) else "EPERM")
                    for name, access in (("r", READ), ("w", WRITE),
                                         ("rw", READ | WRITE),
                                         ("m", MKNOD))))


def v1(path, cgroup):
    with open(path) as f:
        rules = rules_of(json.load(f))
    # A new v1 cgroup starts with its parent's list (the root's: allow
    # all); the model starts from deny all, as runc's emulator does.
    everything = [(False, "a", -1, -1, 7)] + rules + \
        [(True, t, ma, mi, 7) for t, ma, mi in DEFAULTS]
    for allow, kind, major, minor, access in everything:
        line = "a" if kind == "a" else "%s %s:%s %s" % (
            kind, number(major), number(minor), text(access))
        with open(os.path.join(cgroup, "devices.allow" if allow
                               else "devices.deny"), "w") as f:
            f.write(line)
    with open(os.path.join(cgroup, "devices.list")) as f:
        sys.stdout.write(f.read())


def main(argv):
    if argv[1:2] == ["--probe"]:
        probe()
        return 0
    if argv[1:2] == ["--nodes"]:
        nodes(argv[2])
        return 0
    if argv[1:2] == ["--expect"]:
        expect(argv[2])
        return 0
    if argv[1:2] == ["--v1"]:
        v1(argv[2], argv[3])
        return 0
    if len(argv) == 6 and argv[2] == "--random":
        return random_check(argv[1], int(argv[3]), int(argv[4]), argv[5])
    result = check(argv[1], argv[2])
    return 1 if result == 1 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""The judge of stage 10's seccomp programs, for tests/json.bats.

    libseccomp.py HARNESS CONFIG           compare on CONFIG's profile
    libseccomp.py HARNESS --random N SEED  on N random profiles
    libseccomp.py HARNESS CONFIG --call NR A0 A1 A2 A3 A4 A5
                                           the three answers to one call
    libseccomp.py HARNESS CONFIG --load NR A0 A1 A2
                                           make the call under the program
                                           libseccomp makes, loaded into
                                           the kernel; print its error
    libseccomp.py --call NR A0 A1 A2       make the call, as it is (under
                                           json-harness --seccomp-exec)
    libseccomp.py --version                libseccomp's version

For a config.json, libseccomp (the library runc and crun build their
programs with, through ctypes) builds its program from linux.seccomp,
adding the rules in order as runc adds them: a rule with the default
action is left out, and so is a name that is not a call of x86_64 in
both libseccomp's table and ours (the harness prints ours; libseccomp
may know calls newer than our headers, which ours skips). The harness
prints our program. Both are then run, by the small classic BPF machine
below, on the same calls: every number up to 511 and -1 with no
arguments, and for each call a rule compares, arguments made of the
values its rules name, one more and one less, each half of 64 bits
alone, and the extremes. Any call the two programs answer differently
is printed, and the exit status is 1. Calls made by another
architecture, or with x32's bit, must be killed by ours.

Every program is also checked against the profile's meaning as the
README gives it (model() below, which reads the rules directly, with
no BPF). libseccomp is held to it only where it keeps it: half the
random profiles give a call at most one rule with arguments. With
several, libseccomp merges them into one tree, has never promised
which of two rules that both match wins (its issue #118), and in
Debian 12's 2.5.4 can even write a program that answers a call none
of them matches with one rule's action (json.bats shows one).
"""
import ctypes
import itertools
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
X32_SYSCALL_BIT = 0x40000000
# seccomp(2)'s return values, and libseccomp's actions, which are them.
RET = {
    "SCMP_ACT_KILL": 0x00000000, "SCMP_ACT_KILL_THREAD": 0x00000000,
    "SCMP_ACT_KILL_PROCESS": 0x80000000, "SCMP_ACT_TRAP": 0x00030000,
    "SCMP_ACT_ERRNO": 0x00050000, "SCMP_ACT_TRACE": 0x7FF00000,
    "SCMP_ACT_LOG": 0x7FFC0000, "SCMP_ACT_ALLOW": 0x7FFF0000,
}
KILL_PROCESS = RET["SCMP_ACT_KILL_PROCESS"]
# libseccomp's enum scmp_compare (seccomp.h).
OPS = {"SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3,
       "SCMP_CMP_EQ": 4, "SCMP_CMP_GE": 5, "SCMP_CMP_GT": 6,
       "SCMP_CMP_MASKED_EQ": 7}
EPERM = 1


class Cmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


lib = ctypes.CDLL("libseccomp.so.2")
lib.seccomp_init.restype = ctypes.c_void_p
lib.seccomp_init.argtypes = [ctypes.c_uint32]
lib.seccomp_release.argtypes = [ctypes.c_void_p]
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_rule_add_array.argtypes = [
    ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
    ctypes.POINTER(Cmp)]
lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]


def action(name, number):
    ret = RET[name]
    if name in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"):
        ret |= EPERM if number is None else number
    return ret


OURS = {}   # our table of x86_64's calls: name to number


def known(name):
    """NAME's number if both tables know it as the same call, else -1."""
    nr = lib.seccomp_syscall_resolve_name(name.encode())
    return nr if nr >= 0 and OURS.get(name) == nr else -1


def libseccomp_ctx(profile):
    """libseccomp's filter for PROFILE, its rules added as runc adds
    them."""
    default = action(profile["defaultAction"],
                     profile.get("defaultErrnoRet"))
    ctx = lib.seccomp_init(default)
    assert ctx, "seccomp_init failed"
    for rule in profile.get("syscalls") or []:
        ret = action(rule["action"], rule.get("errnoRet"))
        if ret == default:
            continue
        args = rule.get("args") or []
        cmps = (Cmp * max(len(args), 1))(*[
            Cmp(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0))
            for a in args])
        for name in rule["names"]:
            nr = known(name)
            if nr < 0:
                continue
            rc = lib.seccomp_rule_add_array(ctx, ret, nr, len(args), cmps)
            assert rc == 0, f"libseccomp refused a rule for {name}: {rc}"
    return ctx


def libseccomp_program(profile):
    """The program libseccomp makes of PROFILE."""
    ctx = libseccomp_ctx(profile)
    with tempfile.TemporaryFile() as f:
        assert lib.seccomp_export_bpf(ctx, f.fileno()) == 0
        f.seek(0)
        raw = f.read()
    lib.seccomp_release(ctx)
    return [struct.unpack("<HBBI", raw[i:i + 8])
            for i in range(0, len(raw), 8)]


def our_program(harness, path):
    out = subprocess.run([harness, "--seccomp", path], capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.exit(f"harness: {out.stderr.strip()}")
    lines = out.stdout.splitlines()
    return [tuple(int(w) for w in line.split()) for line in lines[1:]]


def run(program, nr, arch, args):
    """What PROGRAM returns for the call, as the kernel's classic BPF
    machine would (Documentation/networking/filter.rst)."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *args)
    a = x = 0
    mem = [0] * 16
    pc = 0
    while True:
        code, jt, jf, k = program[pc]
        pc += 1
        if code == 0x20:                       # ld [k]
            a = struct.unpack_from("<I", data, k)[0]
        elif code == 0x00:                     # ld #k
            a = k
        elif code == 0x60:                     # ld M[k]
            a = mem[k]
        elif code == 0x01:                     # ldx #k
            x = k
        elif code == 0x61:                     # ldx M[k]
            x = mem[k]
        elif code == 0x02:                     # st M[k]
            mem[k] = a
        elif code == 0x03:                     # stx M[k]
            mem[k] = x
        elif code == 0x54:                     # and #k
            a &= k
        elif code == 0x05:                     # ja k
            pc += k
        elif code in (0x15, 0x25, 0x35, 0x45):  # jeq, jgt, jge, jset #k
            taken = {0x15: a == k, 0x25: a > k, 0x35: a >= k,
                     0x45: a & k != 0}[code]
            pc += jt if taken else jf
        elif code == 0x06:                     # ret #k
            return k
        elif code == 0x16:                     # ret a
            return a
        else:
            raise SystemExit(f"opcode {code:#x} is not known to the judge")


def holds(c, args):
    """Does comparison C (one of a rule's args) hold for ARGS?"""
    arg, v, two = args[c["index"]], c["value"], c.get("valueTwo", 0)
    return {"SCMP_CMP_NE": arg != v, "SCMP_CMP_LT": arg < v,
            "SCMP_CMP_LE": arg <= v, "SCMP_CMP_EQ": arg == v,
            "SCMP_CMP_GE": arg >= v, "SCMP_CMP_GT": arg > v,
            "SCMP_CMP_MASKED_EQ": arg & v == two & v}[c["op"]]


def model(profile, nr, args):
    """What the profile means for call NR, as the README says: a rule
    with the default's action is left out, as runc leaves it; a rule with
    no args decides alone, the first such one; else the first rule whose
    comparisons all hold; else the default."""
    default = action(profile["defaultAction"],
                     profile.get("defaultErrnoRet"))
    rules = [(action(r["action"], r.get("errnoRet")), r.get("args") or [])
             for r in profile.get("syscalls") or []
             if nr >= 0 and any(OURS.get(n) == nr for n in r["names"])]
    rules = [(ret, cmps) for ret, cmps in rules if ret != default]
    for ret, cmps in rules:
        if not cmps:
            return ret
    for ret, cmps in rules:
        if all(holds(c, args) for c in cmps):
            return ret
    return default


def values(profile, nr_of):
    """Per call number, per argument, the values worth trying."""
    near = {}
    for rule in profile.get("syscalls") or []:
        for name in rule["names"]:
            nr = nr_of(name)
            for a in rule.get("args") or []:
                for v in (a["value"], a.get("valueTwo", 0)):
                    s = near.setdefault(nr, {}).setdefault(a["index"], set())
                    s.update({v, (v + 1) % 2**64, (v - 1) % 2**64,
                              v & 0xFFFFFFFF, v & ~0xFFFFFFFF,
                              v ^ (1 << 32), v ^ 1})
    for per_arg in near.values():
        for s in per_arg.values():
            s.update({0, 1, 0xFFFFFFFF, 2**32, 2**63, 2**64 - 1})
    return near


def compare(harness, path, profile, with_libseccomp=True):
    ours = our_program(harness, path)
    theirs = libseccomp_program(profile) if with_libseccomp else None
    near = values(profile, lambda name: OURS.get(name, -1))
    rng = random.Random(1)
    wrong = []
    checked = 0
    # -1 too: a tracer's way to skip a call, which goes to the default.
    for nr in list(range(512)) + [-1]:
        calls = [[0] * 6]
        if nr in near:
            indexes = sorted(near[nr])
            choices = [sorted(near[nr][i]) for i in indexes]
            if math.prod(len(c) for c in choices) <= 400:
                combos = itertools.product(*choices)
            else:
                combos = [[rng.choice(c) for c in choices]
                          for _ in range(400)]
            for combo in combos:
                args = [0] * 6
                for i, v in zip(indexes, combo):
                    args[i] = v
                calls.append(args)
        for args in calls:
            checked += 1
            mine = run(ours, nr, AUDIT_ARCH_X86_64, args)
            meant = model(profile, nr, args)
            if mine != meant:
                wrong.append(f"call {nr} args {[hex(v) for v in args]}: "
                             f"ours {mine:#x}, the profile's {meant:#x}")
            if theirs is None:
                continue
            lib_ret = run(theirs, nr, AUDIT_ARCH_X86_64, args)
            if mine != lib_ret:
                wrong.append(f"call {nr} args {[hex(v) for v in args]}: "
                             f"ours {mine:#x}, libseccomp's {lib_ret:#x}")
    for nr, arch in ((59, AUDIT_ARCH_I386), (0, 0),
                     (X32_SYSCALL_BIT | 59, AUDIT_ARCH_X86_64),
                     (X32_SYSCALL_BIT | 514, AUDIT_ARCH_X86_64)):
        if run(ours, nr, arch, [0] * 6) != KILL_PROCESS:
            wrong.append(f"call {nr:#x} of arch {arch:#x}: not killed")
    for line in wrong[:10]:
        print(f"{path}: {line}")
    if len(wrong) > 10:
        print(f"{path}: and {len(wrong) - 10} more")
    return checked, len(wrong)


NAMES = ["read", "write", "openat", "close", "mmap", "ioctl", "socket",
         "personality", "clone", "setns", "kill", "prctl"]
ACTIONS = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS",
           "SCMP_ACT_TRAP", "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
           "SCMP_ACT_KILL"]


def random_value(rng):
    return rng.choice([0, 1, 2, 16, 0xFFFFFFFF, 2**32, 2**32 + 5,
                       2**63, 2**64 - 1, rng.getrandbits(64),
                       rng.getrandbits(33), rng.getrandbits(8)])


def random_rule(rng, names, act, errno, comparisons):
    rule = {"names": names, "action": act}
    if errno is not None:
        rule["errnoRet"] = errno
    if comparisons:
        rule["args"] = [
            {"index": i, "op": rng.choice(list(OPS)),
             "value": random_value(rng), "valueTwo": random_value(rng)}
            for i in rng.sample(range(6), comparisons)]
        for a in rule["args"]:     # a mask of 0 is refused
            if a["op"] == "SCMP_CMP_MASKED_EQ" and a["value"] == 0:
                a["value"] = 1
    return rule


def random_profile(rng, one_rule):
    """A random profile; with ONE_RULE, each call has at most one rule
    with args, else several, of any action."""
    default = rng.choice(ACTIONS)
    profile = {"defaultAction": default, "syscalls": []}
    if default in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE") and rng.random() < .5:
        profile["defaultErrnoRet"] = rng.randint(0, 200)
    # Per call, the action its rules with arguments take, and whether
    # it has one rule of up to three comparisons or several of one.
    per_call = {n: (rng.choice(ACTIONS), rng.choice([None, 1, 13]),
                    one_rule) for n in NAMES}
    for _ in range(rng.randint(1, 14)):
        names = rng.sample(NAMES, rng.randint(1, 3))
        if rng.random() < .3:
            act, errno = rng.choice(ACTIONS), rng.choice([None, 22])
            profile["syscalls"].append(
                random_rule(rng, names, act, errno, 0))
            continue
        for n in names:
            act, errno, single = per_call[n]
            if single and any(n in r["names"] and "args" in r
                              for r in profile["syscalls"]):
                continue
            if not single:
                act, errno = rng.choice(ACTIONS), rng.choice([None, 13])
            profile["syscalls"].append(random_rule(
                rng, [n], act, errno, rng.randint(1, 3)))
    for rule in profile["syscalls"]:
        if rule["action"] not in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"):
            rule.pop("errnoRet", None)
    return profile


def call(nr, args):
    """Make system call NR with ARGS, each all 64 bits, by syscall(2);
    print strerror(3) of its error, or "no error"."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ret = libc.syscall(ctypes.c_long(nr),
                       *[ctypes.c_ulong(a) for a in args])
    print(os.strerror(ctypes.get_errno()) if ret == -1 else "no error")


class Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint), ("minor", ctypes.c_uint),
                ("micro", ctypes.c_uint)]


def main():
    if sys.argv[1] == "--version":
        lib.seccomp_version.restype = ctypes.POINTER(Version)
        v = lib.seccomp_version().contents
        print(f"{v.major}.{v.minor}.{v.micro}")
        return
    if sys.argv[1] == "--call":
        call(int(sys.argv[2]), [int(a, 0) for a in sys.argv[3:6]])
        return
    harness = sys.argv[1]
    table = subprocess.run([harness, "--syscalls"], capture_output=True,
                           text=True, check=True).stdout.split("\n")
    OURS.update((w[0], int(w[1])) for w in map(str.split, table) if w)
    if sys.argv[2] == "--random":
        rng = random.Random(int(sys.argv[4]))
        total = bad = 0
        with tempfile.TemporaryDirectory() as tmp:
            for n in range(int(sys.argv[3])):
                one_rule = n % 2 == 0
                profile = random_profile(rng, one_rule)
                path = os.path.join(tmp, f"random-{n}.json")
                with open(path, "w") as f:
                    json.dump({"ociVersion": "1.0.2",
                               "root": {"path": "rootfs"},
                               "linux": {"namespaces": [{"type": "mount"}],
                                         "seccomp": profile}}, f)
                checked, wrong = compare(harness, path, profile, one_rule)
                if wrong:
                    print(json.dumps(profile))
                total += checked
                bad += wrong
        print(f"judge: {total} calls, {bad} answered differently")
        sys.exit(1 if bad else 0)
    path = sys.argv[2]
    with open(path) as f:
        profile = json.load(f)["linux"]["seccomp"]
    if sys.argv[3:4] == ["--load"]:
        ctx = libseccomp_ctx(profile)
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        assert lib.seccomp_load(ctx) == 0, "seccomp_load failed"
        call(int(sys.argv[4]), [int(a, 0) for a in sys.argv[5:8]])
        return
    if sys.argv[3:4] == ["--call"]:
        nr, args = int(sys.argv[4]), [int(a, 0) for a in sys.argv[5:11]]
        ours = run(our_program(harness, path), nr, AUDIT_ARCH_X86_64, args)
        theirs = run(libseccomp_program(profile), nr, AUDIT_ARCH_X86_64,
                     args)
        print(f"ours {ours:#x} libseccomp {theirs:#x} "
              f"profile {model(profile, nr, args):#x}")
        return
    checked, wrong = compare(harness, path, profile)
    print(f"judge: {path}: {checked} calls, {wrong} answered differently")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()

# container.c: build every stage, the helpers, the per-stage views; run
# a shell in a container; run the tests. `make help` lists the targets.

STAGES  := 0 1 2 3 4 5 6 7 8 9 10
TOP     := 10
CC      ?= cc
CFLAGS  ?= -O2 -g
# The runtime is linked statically, as a position-independent program
# (so it keeps address randomisation): it then starts without the
# dynamic loader, which otherwise adds about a third to a container's
# start time in the lab VM (bench/runtimes.sh shows both builds). A
# plain `cc container.c` builds it dynamically and works the same.
LINK    ?= -static-pie
COMMA   := ,
WARN    := -Wall -Wextra -Wundef -Werror
ROOTFS  ?= rootfs
BUILD   := build

BINARIES := $(foreach s,$(STAGES),$(BUILD)/container-$(s)) $(BUILD)/container \
            $(BUILD)/dynamic/container
HELPERS  := $(patsubst helpers/%.c,$(BUILD)/helpers/%,$(wildcard helpers/*.c))

# Debian packages each goal needs (tools/install-deps.sh installs the
# missing ones with apt-get, and says which).
RUN_PACKAGES  := gcc libc6-dev make busybox-static
VM_PACKAGES   := qemu-system-x86 kmod cpio
TEST_PACKAGES := $(RUN_PACKAGES) unifdef bats bats-support bats-assert \
                 shellcheck iproute2 procps util-linux debootstrap nftables \
                 valgrind tmux strace python3 jq runc crun clang podman \
                 containerd libclang-rt-dev libmount1 libseccomp2 \
                 $(VM_PACKAGES)

.PHONY: all help stages helpers run test deps-run deps-test clean shellcheck \
        quotes check-quotes vm test-vm deps-vm bench-limits sanitize \
        test-sanitize test-sanitize-vm bench-runtimes bench-runtimes-vm \
        bench-engines bench-engines-vm conformance \
        deps-bench exercise deps-slides slides test-slides

# Everything the labs need, the rootfs included.
all: $(BINARIES) $(HELPERS) stages check-quotes \
     $(ROOTFS)/.container-rootfs

help:
	@echo "make            build every stage, helpers, per-stage views, rootfs"
	@echo "make run        (as root) a shell in a stage-$(TOP) container"
	@echo "make test       (as root) the whole test suite"
	@echo "make vm         (as root) a shell in the lab VM (pure cgroup v2)"
	@echo "make test-vm    (as root) the whole test suite in the lab VM"
	@echo "make bench-limits  (as root) how exactly stage 6's limits hold"
	@echo "make bench-runtimes (as root) start time and memory against crun,"
	@echo "                   runc, bubblewrap; bench-runtimes-vm: with limits"
	@echo "make bench-engines-vm (as root) podman run and ctr run with crun,"
	@echo "                   runc and ours, in the lab VM"
	@echo "make conformance RUNTIME_TOOLS=DIR (as root) the OCI's validation"
	@echo "                   suite (a runtime-tools checkout) against ours and runc"
	@echo "make test-sanitize (as root) the suite against every stage built"
	@echo "                   with AddressSanitizer and UBSan"
	@echo "make stages     per-stage views and diffs in $(BUILD)/stages"
	@echo "make exercise STAGE=N  exercise/container-N.c: stage N's code"
	@echo "                taken out, its comments left as the plan"
	@echo "make slides     the workshop's deck: $(BUILD)/slides/index.html"
	@echo "make test-slides  (as root) the deck checked in headless Chromium"
	@echo "make quotes     refresh the code and the stage summaries quoted"
	@echo "                in the Markdown files (README.md, labs/)"
	@echo "make clean      remove $(BUILD)/ and $(ROOTFS)/"

# One binary per stage: a -D change is invisible to make, so each stage
# gets its own file and its own rule.
$(BUILD)/container-%: container.c Makefile | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) $(LINK) -DSTAGE=$* -o $@ container.c

$(BUILD)/container: $(BUILD)/container-$(TOP)
	cp $< $@

# The top stage linked dynamically: for valgrind, which can only watch
# malloc and free in a program that loads libc, and for the benchmark's
# row that shows what the static link saves.
$(BUILD)/dynamic/container: container.c
	@mkdir -p $(BUILD)/dynamic
	$(CC) $(CFLAGS) $(WARN) -DSTAGE=$(TOP) -o $@ container.c

# Helpers are static so they run in any rootfs, with or without a libc.
$(BUILD)/helpers/%: helpers/%.c | $(BUILD)
	@mkdir -p $(BUILD)/helpers
	$(CC) -static -O2 $(WARN) -o $@ $<

helpers: $(HELPERS)

# Every stage again with AddressSanitizer and UndefinedBehaviorSanitizer:
# any invalid access, leak or undefined behaviour ends the runtime with
# a report, and so fails the test that met it.
SANITIZE     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
SANITIZED    := $(foreach s,$(STAGES),$(BUILD)/sanitize/container-$(s))
# The files whose tests run the runtime (valgrind's cannot: the two
# tools do not mix).
SANITIZE_FILES := tests/stages.bats tests/errors.bats tests/cli.bats tests/terminal.bats \
                  tests/userns.bats tests/cgroups.bats tests/lifecycle.bats \
                  tests/network.bats tests/hardening.bats tests/escape.bats \
                  tests/faults.bats tests/fuzz.bats

$(BUILD)/sanitize/container-%: container.c
	@mkdir -p $(BUILD)/sanitize
	$(CC) -O1 -g $(SANITIZE) $(WARN) -DSTAGE=$* -o $@ container.c

sanitize: $(SANITIZED) $(HELPERS)
	cp $(BUILD)/sanitize/container-$(TOP) $(BUILD)/sanitize/container
	ln -sfn ../helpers $(BUILD)/sanitize/helpers

$(BUILD):
	mkdir -p $@

# Stage 10's JSON reader, on its own: tests/json/harness.c drives it
# (with the sanitizers on), and built with libFuzzer, fuzzes it
# (tests/json.bats).
JSON_TOOLS := $(BUILD)/json-harness $(BUILD)/json-fuzz

$(BUILD)/json-harness: container.c tests/json/harness.c | $(BUILD)
	$(CC) -O1 -g $(SANITIZE) $(WARN) -DSTAGE=10 -o $@ \
		tests/json/harness.c

$(BUILD)/json-fuzz: container.c tests/json/harness.c | $(BUILD)
	clang -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(WARN) \
		-Wno-unused-function -DSTAGE=10 -DFUZZ -o $@ \
		tests/json/harness.c

# Views of the file at each stage and the diff from each to the next,
# cut by unifdef; each view must compile to the same code as -DSTAGE=N.
# Then how much each view explains (tools/comments.sh says how it
# counts): every stage's view keeps at least 0.4 comment lines per
# line of code, or the build fails.
stages: $(BUILD)/stages/.done

$(BUILD)/stages/.done: container.c tools/stages.sh tools/comments.sh | $(BUILD)
	tools/stages.sh container.c $(BUILD)/stages $(STAGES)
	tools/comments.sh --min 0.4 $(foreach s,$(STAGES),$(BUILD)/stages/container-$(s).c)
	@touch $@

$(ROOTFS)/.container-rootfs: rootfs-builder.sh $(HELPERS)
	./rootfs-builder.sh --helpers $(BUILD)/helpers $(ROOTFS)
	@touch $@

deps-run:
	@tools/install-deps.sh $(RUN_PACKAGES)

deps-test:
	@tools/install-deps.sh $(TEST_PACKAGES)

# The README's first command: a shell in a container.
run: deps-run
	$(MAKE) $(BINARIES) $(HELPERS) $(ROOTFS)/.container-rootfs
	$(BUILD)/container run --name demo $(ROOTFS) /bin/sh

# The README's second command: the whole suite.
test: deps-test deps-slides
	$(MAKE) all $(ROOTFS)/.container-rootfs $(JSON_TOOLS)
	tools/run-tests.sh

# The suite against the sanitizers' build (FILES=... for a part), with
# 200 of fuzz.bats's random command lines, not 400: each is slower.
# LeakSanitizer stays off: it stops the world with a helper that
# ptraces the process by its pid, and after `container exec` joined
# the container's pid namespace that helper is born in it and never
# finds its parent (the run hangs at exit). valgrind.bats checks for
# leaks instead, exec included.
test-sanitize: deps-test
	$(MAKE) all sanitize $(ROOTFS)/.container-rootfs
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
	CONTAINER_BUILD=$(BUILD)/sanitize RESULTS_DIR=$(BUILD)/sanitize \
	FUZZ_LINES=$(or $(FUZZ_LINES),200) \
		tools/run-tests.sh $(or $(FILES),$(SANITIZE_FILES))

# Exercise mode: a copy of container.c at stage N with the code stage N
# adds taken out and its comments left; labs/0N-*/check grades it.
exercise:
	@[ -n "$(STAGE)" ] || { echo "usage: make exercise STAGE=N (1 to 9)" >&2; exit 1; }
	tools/exercise.sh $(STAGE)

# The limits' tests, which need pure cgroup v2, against the sanitizers'
# build, in the lab VM.
test-sanitize-vm: deps-vm
	$(MAKE) all sanitize $(ROOTFS)/.container-rootfs
	VM_APPEND="vm.build=$(BUILD)/sanitize" tools/vm.sh test \
		$(or $(FILES),tests/cgroups.bats)

# Markdown files quote container.c by region, and the labs summarise
# what each stage changed; never by hand. The build fails on a stale one.
QUOTING := README.md $(wildcard labs/*/README.md) $(wildcard slides/*.md)

quotes: stages
	tools/quote.sh container.c $(QUOTING)
	tools/changes.sh $(BUILD)/stages $(QUOTING)

# A slide shows 80 columns of code (slides/README.md); a page has no edge.
check-quotes: stages
	tools/quote.sh --check container.c README.md $(wildcard labs/*/README.md)
	tools/quote.sh --check --width 80 container.c $(wildcard slides/*.md)
	tools/changes.sh --check $(BUILD)/stages $(QUOTING)

deps-vm:
	@tools/install-deps.sh $(TEST_PACKAGES)

# The workshop's slides: the sections in slides/, joined in order into
# one Marp deck and built into one HTML file, offline once Marp is
# installed (npm ci, at the versions in slides/package-lock.json).
# Node.js and npm come from Debian where the machine has none;
# Chromium, Debian's, is for the test. puppeteer-core downloads no
# browser of its own.
SLIDE_SOURCES := $(sort $(wildcard slides/[0-9][0-9]-*.md))
SLIDES_NODE   := slides/node_modules/.package-lock.json

deps-slides:
	@tools/install-deps.sh chromium
	@command -v npm >/dev/null || tools/install-deps.sh nodejs npm
	@$(MAKE) -s $(SLIDES_NODE)

$(SLIDES_NODE): slides/package.json slides/package-lock.json
	cd slides && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

slides: $(BUILD)/slides/index.html

$(BUILD)/slides/index.html: $(SLIDE_SOURCES) slides/engine.cjs \
		slides/theme.css $(wildcard slides/pictures/*.svg) container.c \
		| $(SLIDES_NODE)
	tools/quote.sh --check --width 80 container.c $(SLIDE_SOURCES)
	tools/slides.sh $(BUILD)/slides $(SLIDE_SOURCES)

test-slides: deps-slides
	$(MAKE) slides
	node slides/test/browser.mjs $(BUILD)/slides/index.html \
		$(BUILD)/slides/screenshots

# The lab VM: Debian's kernel under qemu, with pure cgroup v2. The
# host's busybox rootfs goes in with the project: built here it is one
# process; in the emulated guest, 400 of them (17 s).
vm: deps-vm
	$(MAKE) all $(ROOTFS)/.container-rootfs
	tools/vm.sh shell

# The suite inside the lab VM; FILES=tests/x.bats for a part of it.
# THEN_SANITIZED=tests/y.bats runs those files again in the same boot,
# against the sanitizers' build (as test-sanitize-vm, one boot fewer).
test-vm: deps-vm
	$(MAKE) all $(ROOTFS)/.container-rootfs $(JSON_TOOLS) \
		$(if $(THEN_SANITIZED),sanitize)
	VM_APPEND="$(if $(THEN_SANITIZED),vm.sanitize=$(subst $(eval) ,$(COMMA),$(strip $(THEN_SANITIZED))))" \
		tools/vm.sh test $(FILES)

# Start to exit of a container against crun, runc and bubblewrap: on
# the host, and in the lab VM with cgroup limits.
BENCH_PACKAGES := crun runc bubblewrap

deps-bench:
	@tools/install-deps.sh $(TEST_PACKAGES) $(BENCH_PACKAGES)

bench-runtimes: deps-bench
	$(MAKE) all $(ROOTFS)/.container-rootfs
	bench/runtimes.sh

bench-runtimes-vm: deps-bench
	$(MAKE) all $(ROOTFS)/.container-rootfs
	tools/vm.sh run bench/runtimes.sh

# podman run and ctr run with crun, runc and ours, side by side: in the
# lab VM, since crun refuses this host's v1/v2 hybrid (bench/engines.sh).
bench-engines: deps-bench
	$(MAKE) all $(ROOTFS)/.container-rootfs
	bench/engines.sh

bench-engines-vm: deps-bench
	$(MAKE) all $(ROOTFS)/.container-rootfs
	tools/vm.sh run bench/engines.sh

# The OCI's conformance suite (runtime-tools' validation tests) against
# stage 10 and runc, side by side: RUNTIME_TOOLS=DIR names a checkout of
# it, which is not in this tree (tools/conformance.sh).
conformance: deps-bench
	$(MAKE) all
	tools/conformance.sh --also runc $(RUNTIME_TOOLS)

# How exactly the limits of stage 6 hold, measured in the lab VM.
bench-limits: deps-vm
	$(MAKE) all $(ROOTFS)/.container-rootfs
	tools/vm.sh run bench/limits.sh

shellcheck:
	shellcheck rootfs-builder.sh tools/*.sh tests/*.sh bench/*.sh labs/*/*.sh \
		tests/json/keep-config \
		.ci/run
	shellcheck -x labs/*/check labs/check-lib.sh labs/report-lib.sh labs/*/demo \
		labs/demo-lib.sh
	shellcheck -s bash tests/helpers.bash tests/oci-helpers.bash
	@# bats files: their @test blocks make shellcheck's info notes noise.
	shellcheck -S warning tests/*.bats

clean:
	rm -rf $(BUILD)
	@if [ -f $(ROOTFS)/.container-rootfs ]; then rm -rf $(ROOTFS); fi

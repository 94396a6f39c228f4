#!/usr/bin/env bats
# The lab pages, labs/*/README.md: each has the nine sections, quotes
# the code as its stage has it (fresh), and every command it shows in a
# ```console block prints what the page says it prints, once the values
# that vary are normalised (tools/lab-output.sh). The blocks that need
# pure cgroup v2 are checked in the lab VM, in cgroups.bats.

load helpers

SECTIONS=(Goal "See the problem" Concepts Steps Checkpoint "What changed"
	"Break it" "If stuck" Exercises)

# The page of lab NAME (00-process ... 09-lifecycle, preflight).
page() {
	local found
	found=$(echo "$PROJECT"/labs/"$1"*/README.md)
	[ -f "$found" ] || fail "no page for lab $1"
	echo "$found"
}

# Every command of the page prints what the page says.
output_as_on_page() {
	local file
	file=$(page "$1")
	run "$PROJECT/tools/lab-output.sh" "$file"
	echo "$output"
	assert_success
	assert_line --regexp '^lab-output: [1-9][0-9]* commands, 0 not as the page says$'
}

@test "lab pages: preflight and labs 0 to 10 each have the nine sections, in order" {
	local file lab headings expected
	expected=$(printf '%s\n' "${SECTIONS[@]}")
	for lab in preflight 00 01 02 03 04 05 06 07 08 09 10; do
		file=$(page "$lab")
		headings=$(sed -n 's/^## //p' "$file")
		[ "$headings" = "$expected" ] ||
			fail "$file: its sections are not the nine, in order: $headings"
		head -1 "$file" | grep -q '^# ' || fail "$file: no title"
	done
}

@test "lab pages: each stage's page quotes container.c as its stage has it, and summarises its changes, all fresh" {
	local stage file
	for stage in 0 1 2 3 4 5 6 7 8 9 10; do
		file=$(page "$(printf %02d "$stage")")
		grep -Eq "^<!-- (region|function) [A-Za-z0-9_]+ stage $stage -->\$" "$file" ||
			fail "$file quotes no code of its stage"
		! grep -E '^<!-- (region|function) ' "$file" |
			grep -v " stage $stage -->\$" ||
			fail "$file quotes code as another stage has it"
		grep -qx "<!-- changes $stage -->" "$file" ||
			fail "$file has no summary of stage $stage's changes"
	done
	run "$PROJECT/tools/quote.sh" --check "$PROJECT/container.c" \
		"$PROJECT"/labs/*/README.md
	assert_success
	run "$PROJECT/tools/changes.sh" --check "$BUILD/stages" \
		"$PROJECT"/labs/*/README.md
	assert_success
}

@test "lab pages: a stale quote or summary fails the check, naming the file" {
	local copy=$BATS_TEST_TMPDIR/page.md
	sed '/^<!-- function set_hostname stage 2 -->$/,/^<!-- endregion -->$/s/sethostname/sethostnome/' \
		"$(page 02)" >"$copy"
	run "$PROJECT/tools/quote.sh" --check "$PROJECT/container.c" "$copy"
	assert_failure
	assert_output --partial "$copy quotes code that changed"
	sed 's/^- new functions: .*/- new functions: none/' "$(page 02)" >"$copy"
	run "$PROJECT/tools/changes.sh" --check "$BUILD/stages" "$copy"
	assert_failure
	assert_output --partial "$copy: its summary of a stage's changes is stale"
}

@test "lab pages: the output check fails on a wrong expectation, and shows both" {
	local copy=$BATS_TEST_TMPDIR/page.md
	cat >"$copy" <<-'EOF'
		```console
		$ echo right
		right
		$ echo '1234 net:[4026531840]'
		<n> net:[<ino>]
		$ printf 'a\nb\nc\n'
		a
		...
		$ echo wrong
		right
		```
		```sh
		$ false
		```
	EOF
	run "$PROJECT/tools/lab-output.sh" "$copy"
	assert_failure
	assert_output --partial "$copy:9: \$ echo wrong"
	assert_line "lab-output: 4 commands, 1 not as the page says"
	assert_line -- "--- it printed"
	assert_line "wrong"
}

@test "lab pages: preflight's commands print what its page says" {
	output_as_on_page preflight
}

@test "lab pages: lab 0's commands print what its page says" {
	output_as_on_page 00
}

@test "lab pages: lab 1's commands print what its page says" {
	output_as_on_page 01
}

@test "lab pages: lab 2's commands print what its page says" {
	output_as_on_page 02
}

@test "lab pages: lab 3's commands print what its page says" {
	output_as_on_page 03
}

@test "lab pages: lab 4's commands print what its page says" {
	output_as_on_page 04
}

@test "lab pages: lab 5's commands print what its page says" {
	output_as_on_page 05
}

@test "lab pages: lab 6's commands print what its page says (those for pure cgroup v2: cgroups.bats)" {
	output_as_on_page 06
}

@test "lab pages: lab 7's commands print what its page says" {
	output_as_on_page 07
}

@test "lab pages: lab 8's commands print what its page says" {
	output_as_on_page 08
}

@test "lab pages: lab 9's commands print what its page says" {
	output_as_on_page 09
}

@test "lab pages: lab 10's commands print what its page says" {
	output_as_on_page 10
}

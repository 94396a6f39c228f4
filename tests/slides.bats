#!/usr/bin/env bats
# The workshop's slides, slides/: the deck builds into one HTML file
# without a network; in headless Chromium every slide shows with no
# console error, nothing fetched from outside, no code block wider
# than its slide and nothing below its bottom; every code quote is
# current with container.c; and each stage has its section. `make
# test` installs Marp (npm ci, pinned) and Chromium before the suite.

load helpers

DECK=$PROJECT/build/slides/index.html

setup() {
	[ -x "$PROJECT/slides/node_modules/.bin/marp" ] ||
		fail "Marp is not installed: sudo make deps-slides"
	command -v chromium >/dev/null ||
		fail "no chromium: sudo make deps-slides"
	open_test_dirs
	snapshot_host
}

@test "slides: the deck builds into one HTML file, with no network" {
	rm -rf "$PROJECT/build/slides"
	# A network namespace of its own has no way out: the build must
	# need none.
	run unshare --net make -C "$PROJECT" -s slides
	echo "$output"
	assert_success
	[ -s "$DECK" ] || fail "no deck at $DECK"
	grep -q '<svg data-marpit-svg' "$DECK" || fail "no slide in the deck"
}

@test "slides: in headless Chromium every slide shows: no error, nothing fetched, nothing too wide or too long" {
	[ -s "$DECK" ] || make -C "$PROJECT" -s slides
	rm -rf "$PROJECT/build/slides/screenshots"
	run timeout -k 5 300 node "$PROJECT/slides/test/browser.mjs" "$DECK" \
		"$PROJECT/build/slides/screenshots"
	echo "$output"
	assert_success
	assert_line --regexp '^browser: [0-9]+ slides visited, 0 problems; screenshots: '
	local slides
	slides=$(sed -n 's/^browser: \([0-9]*\) slides visited.*/\1/p' <<<"$output")
	[ "$slides" -ge 40 ] || fail "only $slides slides"
	# The first slide, the first with code and the first with a
	# picture, as PNG files.
	run find "$PROJECT/build/slides/screenshots" -name 'slide-*.png' -size +5k
	assert_equal "${#lines[@]}" 3
}

@test "slides: the browser check fails a deck with code too wide, a missing picture and a fetch from outside" {
	local dir=$BATS_TEST_TMPDIR/bad
	mkdir -p "$dir"
	cat >"$dir/bad.md" <<-'EOF'
		---
		marp: true
		theme: workshop
		---

		## Too wide

		```c
		int a_line_much_too_long_for_any_slide = 1; /* and on, and on, and on, and on, and on, and on, and on, and on, and on, and on, and on */
		```

		---

		## A picture that is not there

		![w:600](pictures/no-such.svg)

		---

		## From outside

		![w:100](http://127.0.0.1:9/x.png)
	EOF
	"$PROJECT/tools/slides.sh" "$dir/out" "$dir/bad.md"
	run timeout -k 5 120 node "$PROJECT/slides/test/browser.mjs" "$dir/out/index.html"
	echo "$output"
	assert_failure
	assert_line --regexp '^browser: slide 1 \(Too wide\): code [0-9]+px wider than its block$'
	assert_line "browser: slide 2 (A picture that is not there): picture pictures/no-such.svg did not load"
	assert_line "browser: the deck fetches http://127.0.0.1:9/x.png: it must work offline"
	assert_line --regexp '^browser: 3 slides visited, [0-9]+ problems$'
}

@test "slides: every code quote is current with container.c, and a stale one fails the build" {
	run "$PROJECT/tools/quote.sh" --check "$PROJECT/container.c" \
		"$PROJECT"/slides/[0-9][0-9]-*.md
	assert_success
	local copy=$BATS_TEST_TMPDIR/stale.md
	sed '/^<!-- function set_hostname stage 2 -->$/,/^<!-- endregion -->$/s/sethostname/sethostnome/' \
		"$PROJECT/slides/03-hostname.md" >"$copy"
	run "$PROJECT/tools/quote.sh" --check "$PROJECT/container.c" "$copy"
	assert_failure
	assert_output --partial "$copy quotes code that changed"
}

@test "slides: a section per stage, each with code quoted as its stage has it, its demo and presenter notes" {
	local n stage file
	# The welcome first, then the sections, NN for stage NN-1, the end
	# last: the build joins the files in the order of their names.
	run bash -c 'cd "$1/slides" && ls [0-9][0-9]-*.md' _ "$PROJECT"
	assert_equal "${lines[0]}" 00-welcome.md
	[[ ${lines[-1]} == "$(printf %02d $((${#lines[@]} - 1)))"-end.md ]] ||
		fail "the last section is ${lines[-1]}, not the end after the stages"
	# Every stage of the ladder has its section, and only they.
	[ $((${#lines[@]} - 2)) -eq "${#ALL_STAGES[@]}" ] ||
		fail "$((${#lines[@]} - 2)) sections for ${#ALL_STAGES[@]} stages"
	for ((n = 1; n < ${#lines[@]} - 1; n++)); do
		stage=$((n - 1))
		file=$PROJECT/slides/${lines[n]}
		[[ ${lines[n]} == "$(printf %02d "$n")"-*.md ]] ||
			fail "no section for stage $stage: ${lines[n]} is next"
		grep -q "^# Stage $stage: " "$file" || fail "$file: no '# Stage $stage:' title"
		grep -Eq "^<!-- (region|function) [A-Za-z0-9_]+ stage $stage -->\$" "$file" ||
			fail "$file quotes no code of its stage"
		! grep -E '^<!-- (region|function) ' "$file" |
			grep -v " stage $stage -->\$" ||
			fail "$file quotes code as another stage has it"
		# Each stage has a lab, whose demo the section cues.
		grep -q "labs/$(printf %02d "$stage")-[a-z]*/demo" "$file" ||
			fail "$file cues no demo"
		# Notes: comments that are not quote markers nor directives.
		grep -v -e '^<!-- region ' -e '^<!-- function ' \
			-e '^<!-- endregion -->$' -e '^<!-- _' "$file" |
			grep -q '^<!--' || fail "$file has no presenter notes"
	done
}

@test "slides: every picture is an SVG source file, with no script and nothing from outside" {
	local picture count=0
	for picture in "$PROJECT"/slides/pictures/*.svg; do
		count=$((count + 1))
		head -c 200 "$picture" | grep -q '<svg' || fail "$picture: not SVG"
		! grep -qi '<script' "$picture" || fail "$picture has a script"
		! grep -qE '(href|src)="(https?:)?//' "$picture" ||
			fail "$picture refers to a file outside"
	done
	[ "$count" -ge 5 ] || fail "only $count pictures"
}

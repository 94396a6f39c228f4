#!/usr/bin/env bash
# Run the commands that a lab page shows and compare what they print
# with what the page says they print.
#
#   tools/lab-output.sh [--tag TAG] [--show] FILE.md...
#
# A checked block is a fenced block whose info string is `console`
# (run everywhere) or `console TAG` (run only with --tag TAG; the
# suite runs `console cgroup2` blocks in the lab VM). In it, a line
# starting with `$ ` is a command, run from the project's top
# directory with bash, through sudo when it starts with `sudo ` as a
# student types it (sudo closes every descriptor from 3 on, and resets
# the environment: a page must work so), stdin empty, 60 seconds at
# most; a line ending in `\` goes on
# to the next. Every other line is what the command before it prints,
# its output and its errors together:
#
#   ...           a line of its own: any number of lines, or none
#   ... in a line any text
#   <n>           a number
#
# Before the comparison, values that change from run to run are
# replaced in what the command printed, and the page writes them so:
#
#   c-1a2b3c4d (a container's generated name)  c-<id>
#   ve-... (a host's veth end)                  ve-<id>
#   net:[4026531840] (a namespace's inode)     net:[<ino>]
#   a MAC address                              <mac>
#   172.30.0.N, N from 2 (a container's IPv4)  172.30.0.<ip>
#   the host's hostname, a line of its own     <host>
#
# --show prints each command's output, as compared, and checks nothing:
# for writing a page. Exits 1 when any block does not match, naming
# the file, the command, and the difference.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tag="" show=false
while [ $# -gt 0 ]; do
	case $1 in
	--tag) tag=${2:?--tag wants a name}; shift ;;
	--show) show=true ;;
	-*) echo "lab-output: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "usage: tools/lab-output.sh [--tag TAG] [--show] FILE.md..." >&2; exit 2; }

host_name=$(hostname)
normalise() {
	sed -E \
		-e "s/^${host_name//./\\.}\$/<host>/" \
		-e 's/\bc-[0-9a-f]{8}\b/c-<id>/g' \
		-e 's/\bve-[0-9A-Za-z._-]+/ve-<id>/g' \
		-e 's/:\[[0-9]+\]/:[<ino>]/g' \
		-e 's/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/<mac>/g' \
		-e 's/\b172\.30\.0\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])\b/172.30.0.<ip>/g' \
		-e 's/[[:space:]]+$//'
}

# Does the text in file $1 match the expected lines in file $2?
matches() {
	perl -e '
		local $/;
		open(my $a, "<", $ARGV[0]) or die; my $actual = <$a>;
		open(my $e, "<", $ARGV[1]) or die; my $expected = <$e>;
		my $re = "";
		$expected =~ s/\n\z//;
		for my $line (length $expected ? split(/\n/, $expected, -1) : ()) {
			if ($line eq "...") { $re .= "(?:[^\\n]*\\n)*?"; next }
			my @parts = split /(\.\.\.|<n>)/, $line;
			for my $p (@parts) {
				if ($p eq "...") { $re .= "[^\\n]*" }
				elsif ($p eq "<n>") { $re .= "[0-9]+" }
				else { $re .= quotemeta($p) }
			}
			$re .= "\\n";
		}
		exit($actual =~ /\A$re\z/ ? 0 : 1);
	' "$1" "$2"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/input"
failures=0 checked=0

# Run one command and compare; $1 file, $2 line, $3 command, $4 file
# of expected lines.
run_one() {
	local file=$1 line=$2 command=$3 expected=$4
	# Standard input as at a terminal: open, and never at its end (a
	# FIFO the command holds open itself). script(1), for one, types an
	# end-of-file into the terminal it makes when its own input ends.
	(cd "$top" && timeout -k 5 60 bash -c "$command" 0<>"$work/input" 2>&1) |
		normalise >"$work/actual"
	checked=$((checked + 1))
	if $show; then
		printf '%s:%s: $ %s\n' "$file" "$line" "$command"
		cat "$work/actual"
		return
	fi
	if ! matches "$work/actual" "$expected"; then
		failures=$((failures + 1))
		printf '%s:%s: $ %s\n' "$file" "$line" "$command"
		printf -- '--- the page says\n'
		cat "$expected"
		printf -- '--- it printed\n'
		cat "$work/actual"
		printf -- '---\n'
	fi
}

# shellcheck disable=SC2094 # run_one only names the file, in messages
for file in "$@"; do
	in_block=false command="" command_line=0 continuing=false n=0
	opening='```console'
	[ -z "$tag" ] || opening+=" $tag"
	: >"$work/expected"
	while IFS= read -r text || [ -n "$text" ]; do
		n=$((n + 1))
		if ! $in_block; then
			[ "$text" != "$opening" ] || in_block=true
			continue
		fi
		if $continuing; then
			command+=$'\n'$text
			[ "${text%\\}" != "$text" ] || continuing=false
			continue
		fi
		if [ "$text" = '```' ] || [ "${text#\$ }" != "$text" ]; then
			[ -z "$command" ] ||
				run_one "$file" "$command_line" "$command" "$work/expected"
			: >"$work/expected"
			command=""
			if [ "$text" = '```' ]; then
				in_block=false
				continue
			fi
			command=${text#\$ } command_line=$n
			[ "${text%\\}" = "$text" ] || continuing=true
			continue
		fi
		printf '%s\n' "$text" >>"$work/expected"
	done <"$file"
	$in_block && { echo "$file: a console block is not closed" >&2; failures=$((failures + 1)); }
done

$show && exit 0
echo "lab-output: $checked commands, $failures not as the page says"
[ "$failures" -eq 0 ]

#!/usr/bin/env bash
# Install the Debian packages named as arguments that are missing, and
# say which. Where there is no apt-get, name them and stop.
set -euo pipefail

missing=()
for package in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$package")
	fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: please install: ${missing[*]} (no apt-get here)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}: run as root (sudo make ...)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list finds nothing: refresh it once first.
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}"
fi

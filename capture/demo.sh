#!/bin/bash
# make demo: captures about ten seconds of this machine with aa-capture while
# the scripted workload of the tests runs (tests/fixtures/workload.sh:
# programs with known argv and exit codes, file operations, and a TLS
# exchange between openssl s_server and s_client on 127.0.0.1), then shows
# `aa-replay info` and a few of the workload's events of each of the four types.
# Usage: capture/demo.sh BUILD_DIR [SECONDS]   (as root: BPF needs it)
set -u
build=${1:-build}
seconds=${2:-10}
capture=$build/aa-capture
replay=$build/aa-replay

if [ "$(id -u)" != 0 ]; then
	echo "demo: live capture needs root (BPF): run 'make demo' as root (or with sudo)" >&2
	exit 4
fi
for p in "$capture" "$replay"; do
	[ -x "$p" ] || { echo "demo: $p is not built" >&2; exit 2; }
done

out=$(realpath -m "$build/demo") # absolute: the workload cds into its directory
rm -rf "$out"
mkdir -p "$out/work"
file=$out/demo.pcapng

echo "demo: capturing this machine for $seconds s into $file"
"$capture" -q --duration "$seconds" --flush-ms 500 -w "$file" &
cap=$!
# The file appears once the BPF programs are attached.
for _ in $(seq 100); do
	[ -e "$file" ] && break
	kill -0 "$cap" 2> /dev/null || break
	sleep 0.1
done
if [ ! -e "$file" ]; then
	wait "$cap"
	echo "demo: aa-capture did not start (exit $?)" >&2
	exit 4
fi

echo "demo: running tests/fixtures/workload.sh"
AA_WORKLOAD_PORT=$((20000 + RANDOM % 20000)) \
	bash tests/fixtures/workload.sh "$out/work" > "$out/workload.log" 2>&1 ||
	echo "demo: the workload failed (see $out/workload.log)" >&2
wait "$cap"
rc=$?
[ "$rc" = 0 ] || { echo "demo: aa-capture exited $rc" >&2; exit "$rc"; }

echo
"$replay" info "$file"
# A few events of each type: the workload's own (its fixture- markers, file
# names and exit codes) when they are there, else the first ones.
show() {
	local type=$1 pattern=$2 lines
	echo
	echo "== $type events =="
	lines=$("$replay" cat --type "$type" "$file" | grep -E -m 6 -- "$pattern")
	[ -n "$lines" ] || lines=$("$replay" cat --type "$type" "$file" | head -n 6)
	printf '%s\n' "$lines"
}
show exec 'fixture-|openssl'
show exit 'exit_code=(3|137|143)$'
show file '/work/(note|renamed|missing|dup)\.txt'
show tls 'fixture'
if "$replay" cat --type tls "$file" | grep -q 'fixture client hello'; then
	echo
	echo "demo: the TLS plaintext of the openssl exchange was captured"
fi

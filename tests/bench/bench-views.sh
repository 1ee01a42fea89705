#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-views.sh: the views' speed figures of `make bench` (no root needed).
#
# The recording: the committed agent session (tests/fixtures/session/
# session-a.pcapng: HTTP/1.1 with gzip, brotli and SSE, HTTP/2, shells and
# tools on files) repeated by build/bench/repeat_session as distinct
# sessions one after another (new pids, connection ids, times) until
# BENCH_VIEWS_MB of raw records, written by `aa-capture -r` as a capture
# file. The reference, in the same run: `zstd -d -T1` of the same raw bytes
# compressed by `zstd -3`, to /dev/null. Then, each the best of BENCH_RUNS:
#   tree FILE > /dev/null, follow FILE > /dev/null, follow --json,
#   diff FILE COPY (a second file of the same records: the two are alike)
# in MB/s of raw records (diff: of both files), the ratio to zstd -d's
# MB/s (the goal: at least 0.5), and peak memory (GNU time's maximum RSS).
# Memory must stay bounded by live processes and open connections: the
# figure is printed beside the one of a recording a tenth as long.
#
# Environment: AA_BUILD (default build), BENCH_RUNS (3), BENCH_VIEWS_MB
# (1024), BENCH_DIR (where the files go; default /dev/shm, else /tmp).
# Exit status: 0, or 2 when a step failed.
set -u

B=${AA_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
MB=${BENCH_VIEWS_MB:-1024}
REPLAY=$B/aa-replay
CAP=$B/aa-capture
REPEAT=$B/bench/repeat_session
FIXTURE=tests/fixtures/session/session-a.pcapng

say() { echo "bench-views: $*"; }
fail() { say "$*" >&2; exit 2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS: not a whole number >= 1: $RUNS"
[[ $MB =~ ^[1-9][0-9]*$ ]] || fail "BENCH_VIEWS_MB: not a whole number >= 1: $MB"
for f in "$REPLAY" "$CAP" "$REPEAT"; do
	[ -x "$f" ] || fail "$f: not built (make all tests)"
done
for c in zstd /usr/bin/time; do
	command -v "$c" >/dev/null || fail "$c not found (make deps)"
done
base=${BENCH_DIR:-/dev/shm}
[ -w "$base" ] || base=/tmp
DIR=$(mktemp -d "$base/aa-bench-views.XXXXXX") || fail "cannot create a directory in $base"
trap 'rm -rf "$DIR"' EXIT

# make_recording MB NAME: NAME.raw and NAME.pcapng of MB MiB of records.
make_recording() {
	"$REPLAY" export "$FIXTURE" "$DIR/seed.raw" 2>/dev/null ||
		[ -s "$DIR/seed.raw" ] || fail "cannot export $FIXTURE"
	"$REPEAT" --bytes $(($1 << 20)) < "$DIR/seed.raw" > "$DIR/$2.raw" || fail "repeat_session failed"
	"$CAP" -q -r "$DIR/$2.raw" -w "$DIR/$2.pcapng" 2>/dev/null || fail "aa-capture -r failed"
}

# best CMD...: the best of RUNS runs: "SECONDS PEAK_KIB" (stdout discarded;
# a run that does not exit 0 fails the bench).
best() {
	local b="" m=0 out x s k
	for _ in $(seq "$RUNS"); do
		out=$(/usr/bin/time -f '%x %e %M' "$@" 2>&1 >/dev/null | tail -n 1)
		read -r x s k <<< "$out"
		[ "$x" = 0 ] && [[ $s =~ ^[0-9.]+$ ]] || fail "failed: $* ($out)"
		if [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$s; fi
		[ "$k" -gt "$m" ] && m=$k
	done
	echo "$b $m"
}

make_recording "$MB" long
make_recording $(((MB + 9) / 10)) short
cp "$DIR/long.pcapng" "$DIR/copy.pcapng"
raw=$(stat -c %s "$DIR/long.raw")
rawmb=$(awk -v b="$raw" 'BEGIN { printf "%.1f", b / 1048576 }')
say "recording: $rawmb MB of raw records ($($REPLAY info "$DIR/long.pcapng" | awk '/^Records:/ {print $2}') records), file $(awk -v b="$(stat -c %s "$DIR/long.pcapng")" 'BEGIN { printf "%.1f", b / 1048576 }') MB"

zstd -q -3 -T1 -c "$DIR/long.raw" > "$DIR/long.zst" || fail "zstd -3 failed"
read -r zs _ <<< "$(best zstd -q -d -T1 -c "$DIR/long.zst")"
zmbs=$(awk -v mb="$rawmb" -v s="$zs" 'BEGIN { printf "%.1f", mb / s }')
printf '%-22s %8.2f s %8.1f MB/s\n' "zstd -d -T1" "$zs" "$zmbs"

# row NAME FACTOR CMD...: FACTOR is how many raw MB the command reads per recording MB.
row() {
	local name=$1 factor=$2 s k sk short_cmd
	shift 2
	read -r s k <<< "$(best "$@")"
	short_cmd=("${@//long.pcapng/short.pcapng}")
	short_cmd=("${short_cmd[@]//copy.pcapng/short.pcapng}")
	read -r _ sk <<< "$(best "${short_cmd[@]}")"
	awk -v n="$name" -v s="$s" -v mb="$rawmb" -v f="$factor" -v z="$zmbs" -v k="$k" -v sk="$sk" 'BEGIN {
		r = mb * f / s
		printf "%-22s %8.2f s %8.1f MB/s  %.2fx zstd -d  peak %d KiB (a tenth as long: %d KiB)\n",
			n, s, r, r / z, k, sk }'
}
row "tree" 1 "$REPLAY" tree "$DIR/long.pcapng"
row "follow" 1 "$REPLAY" follow "$DIR/long.pcapng"
row "follow --json" 1 "$REPLAY" follow --json "$DIR/long.pcapng"
row "diff (alike)" 2 "$REPLAY" diff -q "$DIR/long.pcapng" "$DIR/copy.pcapng"

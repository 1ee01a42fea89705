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
# compressed by `zstd -3`, to /dev/null. Then, in BENCH_RUNS interleaved
# rounds: tree FILE > /dev/null and follow FILE > /dev/null with
# --single-thread, -T 1, -T 2 and the default (a view's: a reading thread
# per CPU but one, for the printing thread),
# follow --json, and diff FILE OTHER with its default threads ((CPUs - 2) /
# 2 readers a file beside the thread making each text; OTHER:
# session-b.pcapng, the same job recorded again, repeated as many times:
# other pids, times and connections, the two alike); each in MB/s of raw
# records (diff: of both files) of its
# least wall time, the ratio to zstd -d's MB/s (the goal: at least 0.5),
# the same ratio paired (the median over the rounds of the view's MB/s
# over that of a zstd -d run just before it),
# its least CPU time (user + system, all threads) and peak memory (GNU
# time's maximum RSS).
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
OTHER=tests/fixtures/session/session-b.pcapng

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

# make_recording MB NAME: NAME.raw and NAME.pcapng of MB MiB of records
# (whole copies of the session), and NAME-b.pcapng: as many copies of the
# other recording of the job.
make_recording() {
	local size copies
	"$REPLAY" export "$FIXTURE" "$DIR/seed.raw" 2>/dev/null ||
		[ -s "$DIR/seed.raw" ] || fail "cannot export $FIXTURE"
	"$REPLAY" export "$OTHER" "$DIR/seed-b.raw" 2>/dev/null ||
		[ -s "$DIR/seed-b.raw" ] || fail "cannot export $OTHER"
	size=$(stat -c %s "$DIR/seed.raw")
	copies=$(((($1 << 20) + size - 1) / size))
	"$REPEAT" --copies "$copies" < "$DIR/seed.raw" > "$DIR/$2.raw" || fail "repeat_session failed"
	"$REPEAT" --copies "$copies" < "$DIR/seed-b.raw" > "$DIR/$2-b.raw" || fail "repeat_session failed"
	"$CAP" -q -r "$DIR/$2.raw" -w "$DIR/$2.pcapng" 2>/dev/null || fail "aa-capture -r failed"
	"$CAP" -q -r "$DIR/$2-b.raw" -w "$DIR/$2-b.pcapng" 2>/dev/null || fail "aa-capture -r failed"
	stat -c %s "$DIR/$2-b.raw" > "$DIR/$2-b.size"
	rm -f "$DIR/$2-b.raw"
}

# once CMD...: one run: "SECONDS CPU_SECONDS PEAK_KIB" (stdout discarded;
# a run that does not exit 0 fails the bench).
once() {
	local out x s u y k
	out=$(/usr/bin/time -f '%x %e %U %S %M' "$@" 2>&1 >/dev/null | tail -n 1)
	read -r x s u y k <<< "$out"
	[ "$x" = 0 ] && [[ $s =~ ^[0-9.]+$ ]] || fail "failed: $* ($out)"
	awk -v s="$s" -v u="$u" -v y="$y" -v k="$k" 'BEGIN { printf "%s %.2f %d\n", s, u + y, k }'
}

make_recording "$MB" long
make_recording $(((MB + 9) / 10)) short
raw=$(stat -c %s "$DIR/long.raw")
rawmb=$(awk -v b="$raw" 'BEGIN { printf "%.1f", b / 1048576 }')
say "recording: $rawmb MB of raw records ($($REPLAY info "$DIR/long.pcapng" | awk '/^Records:/ {print $2}') records), file $(awk -v b="$(stat -c %s "$DIR/long.pcapng")" 'BEGIN { printf "%.1f", b / 1048576 }') MB"

zstd -q -3 -T1 -c "$DIR/long.raw" > "$DIR/long.zst" || fail "zstd -3 failed"

# The views reading on threads (--single-thread: none beside the
# printing thread; -T 1: one; the default: one per CPU but one) and zstd -d -T1, interleaved: each round runs every
# command once, so that a busy moment of the shared machine spoils all
# alike; each figure is the least of RUNS rounds (peak memory the most),
# and each view's ratio is also given paired (below).
names=() factors=() cmds=()
add() { names+=("$1"); factors+=("$2"); shift 2; cmds+=("$(printf '%q ' "$@")"); }
add "zstd -d -T1" 1 zstd -q -d -T1 -c "$DIR/long.zst"
add "tree --single-thread" 1 "$REPLAY" tree --single-thread "$DIR/long.pcapng"
add "tree -T 1" 1 "$REPLAY" tree -T 1 "$DIR/long.pcapng"
add "tree -T 2" 1 "$REPLAY" tree -T 2 "$DIR/long.pcapng"
add "tree" 1 "$REPLAY" tree "$DIR/long.pcapng"
add "follow --single-thread" 1 "$REPLAY" follow --single-thread "$DIR/long.pcapng"
add "follow -T 1" 1 "$REPLAY" follow -T 1 "$DIR/long.pcapng"
add "follow -T 2" 1 "$REPLAY" follow -T 2 "$DIR/long.pcapng"
add "follow" 1 "$REPLAY" follow "$DIR/long.pcapng"
add "follow --json" 1 "$REPLAY" follow --json "$DIR/long.pcapng"
# diff's MB/s: of both recordings' raw records
add "diff (alike)" "$(awk -v a="$raw" -v b="$(cat "$DIR/long-b.size")" 'BEGIN { printf "%.4f", (a + b) / a }')" \
	"$REPLAY" diff -q "$DIR/long.pcapng" "$DIR/long-b.pcapng"
# Besides, each view's run is paired with a zstd -d run just before it,
# and the ratio of the pair is kept: the median of those ratios is less
# moved by the machine's slow and fast moments (a VM's neighbours) than the
# ratio of two least times taken in different moments.
declare -A wall cpu peak ratios
for _ in $(seq "$RUNS"); do
	for i in "${!cmds[@]}"; do
		if [ "$i" -gt 0 ]; then
			# (not in zstd -d's least time: that stays one run a round, as the views')
			read -r zs _ _ <<< "$(eval "once ${cmds[0]}")"
		fi
		read -r s u k <<< "$(eval "once ${cmds[$i]}")"
		[ "$i" -gt 0 ] && ratios[$i]+="$(awk -v z="$zs" -v s="$s" -v f="${factors[$i]}" 'BEGIN { printf "%.4f", f * z / s }') "
		if [ -z "${wall[$i]:-}" ] || awk -v a="$s" -v b="${wall[$i]}" 'BEGIN { exit !(a < b) }'; then wall[$i]=$s; fi
		if [ -z "${cpu[$i]:-}" ] || awk -v a="$u" -v b="${cpu[$i]}" 'BEGIN { exit !(a < b) }'; then cpu[$i]=$u; fi
		[ "$k" -gt "${peak[$i]:-0}" ] && peak[$i]=$k
	done
done
zmbs=$(awk -v mb="$rawmb" -v s="${wall[0]}" 'BEGIN { printf "%.1f", mb / s }')
say "$(nproc) CPUs (tree, follow: the default, a reading thread per CPU but one; diff: (CPUs - 2) / 2 a file); least of $RUNS interleaved rounds; paired: the median of each round's ratio to a zstd -d run just before"
printf '%-23s %10s %13s %14s %8s %8s  %s\n' "" "wall" "" "" "paired" "CPU" "peak"
for i in "${!cmds[@]}"; do
	sk=""
	if [ "$i" -gt 0 ]; then
		# the same on a recording a tenth as long: memory must not grow with the file
		short=${cmds[$i]//long.pcapng/short.pcapng}
		short=${short//long-b.pcapng/short-b.pcapng}
		read -r _ _ sk <<< "$(eval "once $short")"
		sk=" (a tenth as long: $sk KiB)"
	fi
	paired=1.00
	[ "$i" -gt 0 ] && paired=$(tr ' ' '\n' <<< "${ratios[$i]}" | grep . | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	awk -v n="${names[$i]}" -v s="${wall[$i]}" -v c="${cpu[$i]}" -v mb="$rawmb" -v f="${factors[$i]}" \
		-v z="$zmbs" -v k="${peak[$i]}" -v sk="$sk" -v p="$paired" 'BEGIN {
		r = mb * f / s
		printf "%-23s %8.2f s %8.1f MB/s  %5.2fx zstd -d  %5.2fx  %6.2f s  %d KiB%s\n",
			n, s, r, r / z, p, c, k, sk }'
done

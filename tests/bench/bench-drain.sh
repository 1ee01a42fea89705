#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-drain.sh: what draining the ring costs aa-capture (issue 12, goal 2),
# as root. The load is build/bench/openloop pinned to CPU 0, aa-capture
# -q --events file --pid LOAD pinned to CPU 1 (its compression threads with
# it: -T 0 counts the CPUs it may use). Two parts, each figure the median
# of BENCH_RUNS runs:
#  1. CPU per record: the load at 100000 opens/s (BENCH_DRAIN_RATE) for
#     BENCH_DRAIN_SECS (3) seconds; aa-capture's CPU time (all its threads,
#     from /proc/PID/task/*/schedstat in ns, else /proc/PID/stat in ticks)
#     from just before the load began to just after it ended, over the
#     records of the file.
#  2. bursts: the load for 100 ms at rising rates (BENCH_DRAIN_BURSTS,
#     opens per 100 ms; "0" is flat out), nothing before or after; the
#     records of each burst in the file and the drops. The figure is the
#     largest burst with no drop in any run, at the default ring size
#     (EVENTS' max_entries, from bpftool when it is there).
#  3. a bigger burst than one core makes: BENCH_DRAIN_LOADS (3) loads flat
#     out for 100 ms at once, on both CPUs, aa-capture --comm openloop
#     unpinned (-T 0: a worker per CPU) competing with them for the CPUs;
#     the records of the burst in the file and the drops.
# BENCH_DRAIN_CAP_ARGS adds options to aa-capture (e.g. "--level 1").
# The machine is shared: look at the medians, not single runs.
# Exit status: 0 (also when skipped: not root, no BPF), 2 when a run failed.
set -u

B=${AA_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_DRAIN_SECS:-3}
RATE=${BENCH_DRAIN_RATE:-100000}
BURSTS=${BENCH_DRAIN_BURSTS:-"10000 20000 40000 60000 0"}
CAP_ARGS=${BENCH_DRAIN_CAP_ARGS:-} # more aa-capture options, e.g. "--level 1"
CAP=$B/aa-capture
REPLAY=$B/aa-replay
LOAD=$B/bench/openloop
LOAD_CPU=0
TRACER_CPU=1
TICK=$(getconf CLK_TCK)

say() { echo "bench-drain: $*"; }
skip() { say "skipped: $*"; exit 0; }
fail() { say "$*" >&2; exit 2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS: not a whole number >= 1: $RUNS"
[ "$(id -u)" = 0 ] || skip "live capture needs root (sudo make bench-drain)"
for f in "$CAP" "$REPLAY" "$LOAD"; do
	[ -x "$f" ] || fail "$f: not built (make all tests)"
done
taskset -c $LOAD_CPU,$TRACER_CPU true 2>/dev/null ||
	skip "needs CPUs $LOAD_CPU and $TRACER_CPU (load on one, aa-capture on the other)"

DIR=$(mktemp -d /tmp/aa-bench-drain.XXXXXX) || fail "cannot create a directory in /tmp"
TARGET=$DIR/target
CAP_FILE=$DIR/capture.pcapng
LOAD_PID='' CAP_PID=''
cleanup() {
	local p
	for p in $CAP_PID $LOAD_PID; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

"$CAP" -q --events file --duration 0.05 -w "$DIR/probe.pcapng" 2>"$DIR/probe.err"
case $? in
0) ;;
4) skip "$(head -n1 "$DIR/probe.err")" ;;
*) fail "aa-capture failed: $(head -n1 "$DIR/probe.err")" ;;
esac

. "$(dirname "$0")/bench-lib.sh" # wait_for
in_sigwait() { local nr; read -r nr _ <"/proc/$1/syscall" 2>/dev/null && [ "$nr" = 128 ]; }
cap_ready() { [ -e "$CAP_FILE" ]; }
# aa-capture's CPU time so far in ns, all its threads: from schedstat (ns)
# when the kernel keeps it, else user + system from stat (10 ms ticks).
cpu_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
	else
		awk -v t="$TICK" '{ printf "%.0f\n", ($14 + $15) * 1e9 / t }' "/proc/$1/stat"
	fi
}
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# one_run RATE SECONDS: the load under aa-capture; RECORDS, DROPPED, CPU_MS, OPENS.
one_run() {
	rm -f "$CAP_FILE"
	taskset -c $LOAD_CPU "$LOAD" --path "$TARGET" --rate "$1" --seconds "$2" --wait \
		>"$DIR/load.out" 2>"$DIR/load.err" &
	LOAD_PID=$!
	wait_for "the load to start" in_sigwait "$LOAD_PID"
	# shellcheck disable=SC2086 # CAP_ARGS: words
	taskset -c $TRACER_CPU "$CAP" -q --events file --pid "$LOAD_PID" -w "$CAP_FILE" $CAP_ARGS \
		2>"$DIR/cap.err" &
	CAP_PID=$!
	wait_for "aa-capture to start" cap_ready
	local c0 c1
	c0=$(cpu_ns "$CAP_PID")
	kill -USR1 "$LOAD_PID"
	wait "$LOAD_PID" || fail "openloop failed: $(head -n1 "$DIR/load.err")"
	LOAD_PID=''
	sleep 0.2 # what the ring still holds is drained
	c1=$(cpu_ns "$CAP_PID")
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || fail "aa-capture failed: $(head -n1 "$DIR/cap.err")"
	CAP_PID=''
	read -r OPENS _ <"$DIR/load.out" || fail "openloop printed nothing"
	local info
	info=$("$REPLAY" info --json "$CAP_FILE") || fail "aa-replay info failed"
	RECORDS=$(sed -n 's/.*"records":\([0-9]*\).*/\1/p' <<<"$info")
	DROPPED=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' <<<"$info")
	CPU_MS=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
}

ring=$(command -v bpftool >/dev/null && bpftool map show 2>/dev/null | awk '/ name EVENTS / { getline; for (i = 1; i <= NF; i++) if ($i == "max_entries") print $(i + 1) }' | head -n1)
say "ring size: ${ring:-16777216 (the default of --ring-size; bpftool not found)} bytes"

say "1. CPU per record: the load at $RATE opens/s for $SECS s on CPU $LOAD_CPU, aa-capture on CPU $TRACER_CPU"
: >"$DIR/cpu"
for ((r = 0; r < RUNS; r++)); do
	one_run "$RATE" "$SECS"
	us=$(awk -v c="$CPU_MS" -v n="$RECORDS" 'BEGIN { printf "%.3f", n ? c * 1000 / n : 0 }')
	say "   run $((r + 1)): $OPENS opens, $RECORDS records, $DROPPED dropped, ${CPU_MS} ms CPU: $us us/record"
	echo "$us" >>"$DIR/cpu"
done
say "   median: $(median <"$DIR/cpu") us of aa-capture CPU per record (goal <= 0.5)"

say "2. bursts of 100 ms (opens in 100 ms; 0: flat out), nothing before or after"
largest=0
for b in $BURSTS; do
	worst=0 got=''
	for ((r = 0; r < RUNS; r++)); do
		one_run $((b * 10)) 0.1
		((DROPPED > worst)) && worst=$DROPPED
		got="$got $RECORDS"
	done
	name=$b
	[ "$b" = 0 ] && name="flat out"
	say "   burst $name: records in the file per run:$got; most dropped in a run: $worst"
	if ((worst == 0)); then
		m=$(tr ' ' '\n' <<<"$got" | grep . | median)
		awk -v m="$m" -v l="$largest" 'BEGIN { exit !(m > l) }' && largest=$m
	fi
done
say "   largest burst absorbed without a drop: $largest records in 100 ms"

LOADS=${BENCH_DRAIN_LOADS:-3}
say "3. $LOADS loads flat out for 100 ms at once on both CPUs, aa-capture unpinned"
: >"$DIR/many"
for ((r = 0; r < RUNS; r++)); do
	rm -f "$CAP_FILE"
	# shellcheck disable=SC2086 # CAP_ARGS: words
	"$CAP" -q --events file --comm openloop -w "$CAP_FILE" $CAP_ARGS 2>"$DIR/cap.err" &
	CAP_PID=$!
	wait_for "aa-capture to start" cap_ready
	pids=()
	for ((l = 0; l < LOADS; l++)); do
		"$LOAD" --path "$TARGET$l" --seconds 0.1 >"$DIR/load$l.out" 2>"$DIR/load$l.err" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "openloop failed"
	done
	sleep 0.3
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || fail "aa-capture failed: $(head -n1 "$DIR/cap.err")"
	CAP_PID=''
	opens=$(cat "$DIR"/load[0-9]*.out | awk '{ s += $1 } END { print s }')
	info=$("$REPLAY" info --json "$CAP_FILE") || fail "aa-replay info failed"
	records=$(sed -n 's/.*"records":\([0-9]*\).*/\1/p' <<<"$info")
	dropped=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' <<<"$info")
	say "   run $((r + 1)): $opens opens, $records records in the file, $dropped dropped"
	((dropped == 0)) && echo "$records" >>"$DIR/many"
done
[ -s "$DIR/many" ] && say "   median of the runs without a drop: $(median <"$DIR/many") records in 100 ms"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-tls.sh: part 6 of `make bench` (bench-live.sh runs it last; alone:
# sudo AA_BUILD=build bash tests/bench/bench-tls.sh). What finding TLS
# stacks by itself costs:
#  a. start: the time from aa-capture's start to its file (every program
#     attached: the system's TLS libraries and every file running processes
#     map looked at and probed), with every type recorded and with
#     --events exec (no TLS), and what it found;
#  b. exec: the time from before a fork to the new program's main
#     (build/bench/execcost, the median of BENCH_EXEC_RUNS), alone, under
#     aa-capture --events exec (nothing followed), under aa-capture
#     recording everything (each file mapped for execution that it has not
#     looked at is probed, the program running on) and with --tls-hold too
#     (the program held until its file is probed), for a program seen before,
#     a new copy of a program without TLS, and a new copy of one with
#     OpenSSL linked in (5 MB: its symbols read, its functions probed);
#     and aa-capture's own count of the programs it held and for how long.
# Environment: AA_BUILD (default build), BENCH_RUNS (3: figures are the
# best of), BENCH_EXEC_RUNS (execs per figure, default 20).
# Exit status: 0 (also when skipped: not root, no BPF), 2 when a run failed.
set -u

B=${AA_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
EXEC_RUNS=${BENCH_EXEC_RUNS:-20}
CAP=$B/aa-capture
COST=$B/bench/execcost
COST_TLS=$B/bench/execcost_tls

say() { echo "bench-tls: $*"; }
skip() { say "skipped: $*"; exit 0; }
fail() { say "$*" >&2; exit 2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS: not a whole number >= 1: $RUNS"
[ "$(id -u)" = 0 ] || skip "live capture needs root (sudo make bench)"
for f in "$CAP" "$COST" "$COST_TLS"; do
	[ -x "$f" ] || fail "$f: not built (make all tests)"
done
DIR=$(mktemp -d /tmp/aa-bench-tls.XXXXXX) || fail "cannot create a directory in /tmp"
CAP_PID=''
cleanup() {
	[ -n "$CAP_PID" ] && kill -KILL "$CAP_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

ns_now() { date +%s%N; }

# start_cap ARGS...: aa-capture ARGS in the background; START_MS, the time
# until its file exists (every program attached).
start_cap() {
	local t0 i
	rm -f "$DIR/c.pcapng"
	t0=$(ns_now)
	AA_VERBOSE=1 "$CAP" -q "$@" -w "$DIR/c.pcapng" 2>"$DIR/cap.err" &
	CAP_PID=$!
	for ((i = 0; i < 20000; i++)); do
		[ -e "$DIR/c.pcapng" ] && break
		kill -0 "$CAP_PID" 2>/dev/null || fail "aa-capture failed: $(grep -v ^libbpf "$DIR/cap.err" | head -n1)"
		sleep 0.001
	done
	START_MS=$(( ($(ns_now) - t0) / 1000000 ))
}
stop_cap() {
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || fail "aa-capture failed: $(grep -v ^libbpf "$DIR/cap.err" | head -n1)"
	CAP_PID=''
}

"$CAP" -q --events exec --duration 0.05 -w "$DIR/probe.pcapng" 2>"$DIR/probe.err"
case $? in
0) ;;
4) skip "$(head -n1 "$DIR/probe.err")" ;;
*) fail "aa-capture failed: $(head -n1 "$DIR/probe.err")" ;;
esac

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

say "6. TLS stacks found by aa-capture itself; each figure the best of $RUNS"
s_all='' s_exec=''
for ((run = 0; run < RUNS; run++)); do
	start_cap
	s_all=$(min "$s_all" "$START_MS")
	stop_cap
	found=$(grep -o 'tls [0-9]* probes in [0-9]* files, new files [a-z ]*' "$DIR/cap.err")
	start_cap --events exec
	s_exec=$(min "$s_exec" "$START_MS")
	stop_cap
done
printf '  start: %d ms to the first file recording everything (%s); %d ms with --events exec\n' \
	"$s_all" "$found" "$s_exec"

# exec_row MODE: the three programs' exec-to-main times (µs, median), under MODE.
exec_times() {
	local seen fresh tls
	seen=$("$COST" --runs "$EXEC_RUNS" "$COST") || fail "execcost failed"
	fresh=$("$COST" --runs "$EXEC_RUNS" --fresh "$DIR" "$COST") || fail "execcost --fresh failed"
	tls=$("$COST" --runs "$EXEC_RUNS" --fresh "$DIR" "$COST_TLS") || fail "execcost --fresh (OpenSSL) failed"
	echo "${seen%% *} ${fresh%% *} ${tls%% *}"
}
declare -A best
for ((run = 0; run < RUNS; run++)); do
	for mode in alone exec all hold; do
		case $mode in
		exec) start_cap --events exec ;;
		all) start_cap ;;
		hold) start_cap --tls-hold ;;
		esac
		read -r a b c <<<"$(exec_times)"
		[ "$mode" = alone ] || stop_cap
		[ "$mode" = hold ] && held=$(grep -o '[0-9]* programs held .*' "$DIR/cap.err")
		best[$mode.seen]=$(min "${best[$mode.seen]-}" "$a")
		best[$mode.fresh]=$(min "${best[$mode.fresh]-}" "$b")
		best[$mode.tls]=$(min "${best[$mode.tls]-}" "$c")
	done
done
printf '  exec to main (median of %d, µs)   %10s %14s %14s %14s\n' "$EXEC_RUNS" alone "--events exec" "everything" "--tls-hold"
for k in seen fresh tls; do
	case $k in
	seen) name="a program seen before" ;;
	fresh) name="a new file, no TLS" ;;
	tls) name="a new file with OpenSSL inside" ;;
	esac
	awk -v n="$name" -v a="${best[alone.$k]}" -v e="${best[exec.$k]}" -v f="${best[all.$k]}" -v h="${best[hold.$k]}" 'BEGIN {
		printf "  %-32s %10.0f %14.0f %14.0f %14.0f (+%.0f)\n", n, a, e, f, h, h - a }'
done
echo "  aa-capture --tls-hold's own count (the machine's other new programs too): ${held:-no program held}"
exit 0

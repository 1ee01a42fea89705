#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-live.sh: the live-capture speed figures of `make bench` (as root).
#
# The load is build/bench/openloop (an openat/close loop on a regular file,
# at a target rate or flat out) pinned to CPU 0; the tracer is pinned to
# CPU 1. Two parts, every figure the best of BENCH_RUNS runs:
#  1. rates: aa-capture -q --events file --pid LOAD into a file in /tmp, at
#     rising target rates; for each: opens made (the load counts its own),
#     openat records of the load in the file (aa-replay cat --json --pid),
#     drops (aa-replay info --json), and aa-capture's CPU time per record
#     (its whole CPU time, as wait(2) reports it, less what it had used
#     before the load began: loading and attaching the BPF programs). The
#     figure is the highest rate captured with zero drops.
#  2. slowdown: the flat-out load alone, under aa-capture, and under
#     libbpf-tools' opensnoop -p LOAD (inside `unshare -m`, with its own
#     tracefs mount, so that the machine's mounts stay as they are); opens
#     per second of each, and the events each kept.
# The machine is shared: the ratios matter, not the absolute numbers.
#
# Environment: AA_BUILD (default build), BENCH_RUNS (3), BENCH_LIVE_SECS
# (seconds per run of part 1, default 2), BENCH_LIVE_SLOW_SECS (part 2,
# default 3), BENCH_LIVE_RATES (default "25000 50000 100000 200000 0";
# 0 is flat out), OPENSNOOP (default /usr/sbin/opensnoop).
# Exit status: 0 (also when skipped: not root, no BPF), 2 when a run failed.
set -u

B=${AA_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_LIVE_SECS:-2}
SLOW_SECS=${BENCH_LIVE_SLOW_SECS:-3}
RATES=${BENCH_LIVE_RATES:-"25000 50000 100000 200000 0"}
OPENSNOOP=${OPENSNOOP:-/usr/sbin/opensnoop}
CAP=$B/aa-capture
REPLAY=$B/aa-replay
LOAD=$B/bench/openloop
LOAD_CPU=0
TRACER_CPU=1

say() { echo "bench-live: $*"; }
skip() { say "skipped: $*"; exit 0; }
fail() { say "$*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || skip "live capture needs root (sudo make bench)"
for f in "$CAP" "$REPLAY" "$LOAD"; do
	[ -x "$f" ] || fail "$f: not built (make all $LOAD)"
done
command -v taskset >/dev/null || fail "taskset not found (util-linux)"
taskset -c $LOAD_CPU,$TRACER_CPU true 2>/dev/null ||
	skip "needs CPUs $LOAD_CPU and $TRACER_CPU (load on one, tracer on the other)"

DIR=$(mktemp -d /tmp/aa-bench-live.XXXXXX) || fail "cannot create a directory in /tmp"
TARGET=$DIR/target
# What this script started and has not yet waited for (never a pid that may
# have been reused): ended at exit, after a failure or an interrupt.
LOAD_PID= CAP_WRAP= CAP_PID= OS_PID=

cleanup() {
	local p
	for p in $CAP_PID $OS_PID $LOAD_PID $CAP_WRAP; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# Can BPF be used here at all? aa-capture says what is missing (exit 4).
"$CAP" -q --events file --duration 0.05 -w "$DIR/probe.pcapng" 2>"$DIR/probe.err"
case $? in
0) ;;
4) skip "$(head -n1 "$DIR/probe.err")" ;;
*) fail "aa-capture failed: $(head -n1 "$DIR/probe.err")" ;;
esac

# Waits (at most 10 s) until the command "$@" succeeds, or says what did not happen.
wait_for() {
	local what=$1 i
	shift
	for ((i = 0; i < 1000; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	fail "timed out waiting for $what"
}

gone() { # pid: exited (a zombie not yet waited for counts as gone)
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$st" ] || [ "$st" = Z ]
}

# pid: blocked in sigwait for SIGUSR1 (rt_sigtimedwait, which unblocks the
# signal meanwhile), or about to be (SIGUSR1 blocked): a SIGUSR1 is not lost.
awaits_usr1() {
	local nr m
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	[ "$nr" = 128 ] && return 0
	m=$(awk '/^SigBlk:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && (((0x$m >> 9) & 1))
}

cpu_ms() { # pid: its CPU time so far in ms (the scheduler's, to the ns)
	awk '/^se.sum_exec_runtime/ {print $3}' "/proc/$1/sched"
}

# start_load RATE SECONDS: LOAD_PID, waiting for SIGUSR1 on CPU 0.
start_load() {
	taskset -c $LOAD_CPU "$LOAD" --path "$TARGET" --rate "$1" --seconds "$2" --wait \
		>"$DIR/load.out" 2>"$DIR/load.err" &
	LOAD_PID=$!
	wait_for "the load to start" awaits_usr1 "$LOAD_PID"
}

# run_load: lets it go, waits for it; OPENS, OPS (opens/s).
run_load() {
	kill -USR1 "$LOAD_PID"
	wait "$LOAD_PID" || fail "openloop failed: $(head -n1 "$DIR/load.err")"
	LOAD_DONE=$LOAD_PID LOAD_PID=
	read -r OPENS _ OPS <"$DIR/load.out" || fail "openloop printed nothing"
}

# start_capture FILE: aa-capture on CPU 1 recording the load's file events,
# under bash's `time` (its whole CPU time, to the ms); CAP_PID once it is
# recording (the programs attach before the file is created).
start_capture() {
	rm -f "$1"
	(
		TIMEFORMAT='%3U %3S'
		time taskset -c $TRACER_CPU "$CAP" -q --events file --pid "$LOAD_PID" -w "$1" \
			2>"$DIR/cap.err"
	) 2>"$DIR/cap.time" &
	CAP_WRAP=$!
	wait_for "aa-capture to start" capture_started_or_gone "$1"
	CAP_PID=$(pgrep -P "$CAP_WRAP" -x aa-capture) ||
		fail "aa-capture did not start: $(head -n1 "$DIR/cap.err")"
}

capture_started_or_gone() { [ -e "$1" ] || gone "$CAP_WRAP"; }

# stop_capture FILE CPU_BEFORE_MS: KEPT (openat records of the load),
# DROPPED, CPU_US (aa-capture's CPU per kept record, in µs).
stop_capture() {
	kill -INT "$CAP_PID"
	wait "$CAP_WRAP" || fail "aa-capture failed: $(head -n1 "$DIR/cap.err")"
	CAP_WRAP= CAP_PID=
	local u s
	read -r u s <"$DIR/cap.time" || fail "no CPU time for aa-capture"
	KEPT=$("$REPLAY" cat --json --pid "$LOAD_DONE" "$1" | grep -c '"syscall":"openat"')
	DROPPED=$("$REPLAY" info --json "$1" | sed -n 's/.*"dropped":\([0-9]*\).*/\1/p')
	[ -n "$DROPPED" ] || fail "$1: aa-replay info --json gave no drop count"
	CPU_US=$(awk -v u="$u" -v s="$s" -v b="$2" -v n="$KEPT" \
		'BEGIN { c = (u + s) * 1000 - b; printf "%.3f", n ? c * 1000 / n : 0 }')
}

# capture_run RATE SECONDS: one load under aa-capture; OPENS OPS KEPT DROPPED CPU_US.
capture_run() {
	local out=$DIR/capture.pcapng before
	start_load "$1" "$2"
	start_capture "$out"
	before=$(cpu_ms "$CAP_PID")
	run_load
	stop_capture "$out" "$before"
	rm -f "$out"
}

in_epoll_wait() { # pid: opensnoop is polling its buffer, so it is attached
	local nr
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = opensnoop ] || return 1
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	case $nr in 232 | 281 | 441) return 0 ;; esac # epoll_wait, epoll_pwait, epoll_pwait2
	return 1
}

attached_or_gone() { in_epoll_wait "$OS_PID" || gone "$OS_PID"; }

# opensnoop_run SECONDS: the flat-out load under opensnoop -p; OPENS OPS KEPT
# (its lines for the load's file), LOST (its "Lost N events" warnings summed), WARNINGS.
opensnoop_run() {
	start_load 0 "$1"
	# unshare -m makes the new mount namespace private: the tracefs mount
	# opensnoop needs is seen by it alone and goes away with it.
	taskset -c $TRACER_CPU unshare -m sh -c \
		'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" -p "$1"' \
		"$OPENSNOOP" "$LOAD_PID" >"$DIR/os.out" 2>"$DIR/os.err" &
	OS_PID=$!
	wait_for "opensnoop to attach" attached_or_gone
	in_epoll_wait "$OS_PID" || fail "opensnoop failed: $(head -n1 "$DIR/os.err")"
	run_load
	kill -INT "$OS_PID"
	wait "$OS_PID" || fail "opensnoop failed: $(grep -v '^Lost' "$DIR/os.err" | head -n1)"
	OS_PID=
	KEPT=$(grep -c " $TARGET\$" "$DIR/os.out")
	LOST=$(awk '/^Lost [0-9]+ events/ {s += $2} END {print s + 0}' "$DIR/os.err")
	WARNINGS=$(grep -c '^Lost' "$DIR/os.err")
}

better() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# ---- 1. the highest rate captured with zero drops -------------------------
say "openloop (openat+close of a file in /tmp) on CPU $LOAD_CPU," \
	"aa-capture -q --events file --pid LOAD on CPU $TRACER_CPU"
say "1. rates: ${SECS} s runs, best of $RUNS (fewest drops, then least CPU)"
printf '  %9s %10s %9s %9s %8s %12s %9s\n' target opens/s opens "in file" dropped \
	"CPU/record" "0 drops"
best_rate=0 best_rate_cpu=0 best_rate_name=
for rate in $RATES; do
	b_ops=0 b_opens=0 b_kept=0 b_drop=-1 b_cpu=0 clean=0
	for ((run = 0; run < RUNS; run++)); do
		capture_run "$rate" "$SECS"
		lost=$((OPENS - KEPT))
		((lost < 0)) && lost=0
		((DROPPED > lost)) && lost=$DROPPED
		[ "$lost" = 0 ] && clean=$((clean + 1))
		if ((b_drop < 0 || lost < b_drop)) || { ((lost == b_drop)) && better "$b_cpu" "$CPU_US"; }; then
			b_ops=$OPS b_opens=$OPENS b_kept=$KEPT b_drop=$lost b_cpu=$CPU_US
		fi
	done
	name=$rate
	[ "$rate" = 0 ] && name="flat out"
	printf '  %9s %10.0f %9d %9d %8d %9s us %6d/%d\n' "$name" "$b_ops" "$b_opens" "$b_kept" \
		"$b_drop" "$b_cpu" "$clean" "$RUNS"
	if ((b_drop == 0)) && better "$b_ops" "$best_rate"; then
		best_rate=$b_ops best_rate_cpu=$b_cpu best_rate_name=$name
	fi
done
if [ -n "$best_rate_name" ]; then
	printf '  highest rate captured with zero drops: %.0f events/s (target %s),' "$best_rate" \
		"$best_rate_name"
	printf ' aa-capture CPU %s us per event\n' "$best_rate_cpu"
else
	say "  no rate was captured without drops"
fi
echo

# ---- 2. slowdown beside opensnoop ------------------------------------------
have_os=1
[ -x "$OPENSNOOP" ] || { have_os=0; say "$OPENSNOOP not found (libbpf-tools): opensnoop left out"; }
say "2. slowdown of the flat-out load: ${SLOW_SECS} s runs, best of $RUNS, in turns"
a_ops=0 c_ops=0 c_opens=0 c_kept=0 c_drop=0 o_ops=0 o_opens=0 o_kept=0 o_lost=0 o_warn=0
for ((run = 0; run < RUNS; run++)); do
	start_load 0 "$SLOW_SECS"
	run_load
	better "$OPS" "$a_ops" && a_ops=$OPS
	capture_run 0 "$SLOW_SECS"
	better "$OPS" "$c_ops" && c_ops=$OPS c_opens=$OPENS c_kept=$KEPT c_drop=$DROPPED
	if ((have_os)); then
		opensnoop_run "$SLOW_SECS"
		better "$OPS" "$o_ops" && o_ops=$OPS o_opens=$OPENS o_kept=$KEPT o_lost=$LOST o_warn=$WARNINGS
	fi
done

row() { # name ops opens kept note
	awk -v n="$1" -v o="$2" -v a="$a_ops" -v t="$3" -v k="$4" -v note="$5" 'BEGIN {
		printf "  %-11s %10.0f %8.2f %9.2fx", n, o, o / a, a / o
		if (t == "") printf "\n"
		else printf " %9d %9d %6.1f%%  %s\n", t, k, t ? 100 * k / t : 0, note }'
}
printf '  %-11s %10s %8s %10s %9s %9s %7s\n' load opens/s "vs alone" slowdown opens kept kept
row alone "$a_ops" "" "" ""
row aa-capture "$c_ops" "$c_opens" "$c_kept" "($c_drop counted as dropped)"
((have_os)) && row opensnoop "$o_ops" "$o_opens" "$o_kept" "($o_lost reported lost in $o_warn warnings)"

if ((have_os)); then
	awk -v a="$a_ops" -v c="$c_ops" -v o="$o_ops" -v ck="$c_kept" -v ct="$c_opens" \
		-v ok="$o_kept" -v ot="$o_opens" -v secs="$SLOW_SECS" 'BEGIN {
		cs = a / c; os = a / o
		printf "  goal: slowdown no worse than opensnoop'"'"'s: %.2fx against %.2fx: %s\n", cs, os,
			(cs <= os) ? "met" : "MISSED"
		cf = ct ? ck / ct : 0; of = ot ? ok / ot : 0
		printf "  goal: far more events kept: %.0f/s (%.1f%%) against %.0f/s (%.1f%%), %.2fx: %s\n",
			ck / secs, 100 * cf, ok / secs, 100 * of, ok ? ck / ok : 0,
			(ck > ok && cf >= of) ? "met" : "MISSED" }'
fi
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-overhead.sh: what tracing costs the traced workload (as root; part
# of bench-live.sh, or alone: make bench-overhead).
#
# Two loads of build/bench/openloop, flat out, pinned to CPU 0: an
# openat/close loop on a file in /tmp, and a fork/exec loop (/bin/true with
# a 4 KiB argv, waited for). Each runs alone, under aa-capture --pid LOAD
# (every record type), under libbpf-tools' opensnoop -p LOAD (execsnoop for
# the exec loop) and under bpftrace printing each openat (execve) of the
# load, the tracers pinned to CPU 1; in rounds, the order of the four
# rotated each round, and each figure is the median of the rounds (the
# machine is shared: the ratios matter, not the absolute numbers).
# Printed for each: operations per second, the slowdown (alone / traced),
# and the load's own CPU time per operation (what the BPF programs add to
# it runs there), with its ratio to alone's.
# Then one more aa-capture run of each load with kernel.bpf_stats_enabled=1
# (restored after): each BPF program's runs per operation of the load, its
# mean run time and the ns it adds to each operation (bpftool's run_cnt and
# run_time_ns over the run).
#
# Environment: AA_BUILD (build), BENCH_ROUNDS (5), BENCH_OVERHEAD_SECS (2),
# OPENSNOOP, EXECSNOOP (/usr/sbin/...), BPFTRACE (bpftrace), AA_CAPTURE
# (the aa-capture to measure, default $AA_BUILD/aa-capture).
# Exit status: 0 (also when skipped: not root, no BPF), 2 when a run failed.
set -u

B=${AA_BUILD:-build}
ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_OVERHEAD_SECS:-2}
OPENSNOOP=${OPENSNOOP:-/usr/sbin/opensnoop}
EXECSNOOP=${EXECSNOOP:-/usr/sbin/execsnoop}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace)}
CAP=${AA_CAPTURE:-$B/aa-capture}
LOAD=$B/bench/openloop
LOAD_CPU=0
TRACER_CPU=1

say() { echo "bench-overhead: $*"; }
skip() { say "skipped: $*"; exit 0; }
fail() { say "$*" >&2; exit 2; }

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || fail "BENCH_ROUNDS: not a whole number >= 1: $ROUNDS"
[ "$(id -u)" = 0 ] || skip "live capture needs root"
for f in "$CAP" "$LOAD"; do
	[ -x "$f" ] || fail "$f: not built (make all $LOAD)"
done
taskset -c $LOAD_CPU,$TRACER_CPU true 2>/dev/null || skip "needs CPUs $LOAD_CPU and $TRACER_CPU"

DIR=$(mktemp -d /tmp/aa-bench-overhead.XXXXXX) || fail "cannot create a directory in /tmp"
TARGET=$DIR/target
LOAD_PID='' TR_PID='' STATS_WAS=''
cleanup() {
	local p
	for p in $TR_PID $LOAD_PID; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -z "$STATS_WAS" ] || sysctl -q kernel.bpf_stats_enabled="$STATS_WAS"
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
. "$(dirname "$0")/bench-lib.sh"

"$CAP" -q --events file --duration 0.05 -w "$DIR/probe.pcapng" 2>"$DIR/probe.err"
case $? in
0) ;;
4) skip "$(head -n1 "$DIR/probe.err")" ;;
*) fail "aa-capture failed: $(head -n1 "$DIR/probe.err")" ;;
esac

CAP_FILE=$DIR/capture.pcapng
capture_ready() { [ -e "$CAP_FILE" ]; }
bpftrace_ready() { grep -q '^Attaching' "$DIR/tr.out" 2>/dev/null; }

# The load (MODE: open or exec) waiting for SIGUSR1 on CPU 0: LOAD_PID.
start_load() {
	local extra=()
	[ "$1" = exec ] && extra=(--exec 4096)
	taskset -c $LOAD_CPU "$LOAD" --path "$TARGET" --rate 0 --seconds "$SECS" --wait "${extra[@]}" \
		>"$DIR/load.out" 2>"$DIR/load.err" &
	LOAD_PID=$!
	wait_for "the load to start" awaits_usr1 "$LOAD_PID"
}

# start_tracer NAME READY CMD...: TR_PID, once READY PID passes.
start_tracer() {
	local name=$1 ready=$2
	shift 2
	"$@" >"$DIR/tr.out" 2>"$DIR/tr.err" &
	TR_PID=$!
	TR_NAME=$name
	wait_for "$name to start" tracer_ready "$ready"
}
tracer_ready() {
	kill -0 "$TR_PID" 2>/dev/null || fail "$TR_NAME failed: $(head -n1 "$DIR/tr.err")"
	local p
	p=$(pgrep -P "$TR_PID" -x "$TR_NAME") || p=$TR_PID
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$TR_NAME" ] && "$1" "$p" && TR_REAL=$p
}
stop_tracer() {
	kill -INT "$TR_PID" 2>/dev/null
	wait "$TR_PID"
	TR_PID=''
}

# One run: MODE TRACER; OPS (operations/s), NS (the load's CPU ns per op).
run() {
	local mode=$1 tracer=$2
	start_load "$mode"
	case $tracer in
	alone) ;;
	aa-capture)
		rm -f "$CAP_FILE"
		start_tracer aa-capture capture_ready taskset -c $TRACER_CPU "$CAP" -q --pid "$LOAD_PID" -w "$CAP_FILE"
		;;
	snoop)
		# unshare -m: the tracefs mount they need is their own, gone with them
		# (unless one is mounted already).
		if [ "$mode" = open ]; then
			start_tracer opensnoop in_epoll_wait taskset -c $TRACER_CPU unshare -m sh -c \
				'{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec "$0" -p "$1"' "$OPENSNOOP" "$LOAD_PID"
		else
			start_tracer execsnoop in_epoll_wait taskset -c $TRACER_CPU unshare -m sh -c \
				'{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec "$0"' "$EXECSNOOP"
		fi
		;;
	bpftrace)
		local prog
		if [ "$mode" = open ]; then
			prog="tracepoint:syscalls:sys_enter_openat /pid == $LOAD_PID/ { printf(\"%d %s\\n\", pid, str(args->filename)); }"
		else
			prog='tracepoint:syscalls:sys_enter_execve { printf("%d %s\n", pid, str(args->filename)); }'
		fi
		start_tracer bpftrace bpftrace_ready taskset -c $TRACER_CPU unshare -m sh -c \
			'{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec "$0" -e "$1"' "$BPFTRACE" "$prog"
		sleep 1 # "Attaching" comes before the probes are
		;;
	esac
	[ -z "$STATS" ] || prog_stats >"$DIR/stats.before"
	kill -USR1 "$LOAD_PID"
	wait "$LOAD_PID" || fail "openloop failed: $(head -n1 "$DIR/load.err")"
	LOAD_PID=''
	[ -z "$STATS" ] || prog_stats >"$DIR/stats.after"
	read -r LOAD_OPS _ OPS NS <"$DIR/load.out" || fail "openloop printed nothing"
	[ "$tracer" = alone ] || stop_tracer
	rm -f "$CAP_FILE"
}

# The programs of this aa-capture (TR_REAL; their ids from its fds'
# fdinfo): "name run_cnt run_time_ns" per line.
prog_stats() {
	local ids
	ids=$(cat /proc/"$TR_REAL"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}' | sort -u | tr '\n' ' ')
	bpftool -j prog show 2>/dev/null | python3 -c '
import json, sys
ids = set(int(i) for i in sys.argv[1].split())
for p in json.load(sys.stdin):
    if p["id"] in ids:
        print(p["name"], p.get("run_cnt", 0), p.get("run_time_ns", 0))' "$ids"
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

TRACERS=(alone aa-capture snoop bpftrace)
have() {
	case $1 in
	snoop) [ -x "$OPENSNOOP" ] && [ -x "$EXECSNOOP" ] && command -v unshare >/dev/null ;;
	bpftrace) [ -n "$BPFTRACE" ] && [ -x "$BPFTRACE" ] ;;
	*) true ;;
	esac
}
STATS=''
for mode in open exec; do
	what="openat/close loop"
	[ "$mode" = exec ] && what="fork/exec loop (/bin/true, 4 KiB argv)"
	say "$what flat out on CPU $LOAD_CPU, tracers on CPU $TRACER_CPU: $ROUNDS rounds of ${SECS} s runs," \
		"order rotated; medians"
	: >"$DIR/results"
	for ((r = 0; r < ROUNDS; r++)); do
		for ((i = 0; i < ${#TRACERS[@]}; i++)); do
			t=${TRACERS[$(((i + r) % ${#TRACERS[@]}))]}
			have "$t" || continue
			run "$mode" "$t"
			echo "$t $OPS $NS" >>"$DIR/results"
		done
	done
	a_ops=$(awk '$1 == "alone" {print $2}' "$DIR/results" | median)
	a_ns=$(awk '$1 == "alone" {print $3}' "$DIR/results" | median)
	printf '  %-11s %10s %9s %13s %9s\n' tracer ops/s slowdown "load CPU/op" "CPU ratio"
	for t in "${TRACERS[@]}"; do
		have "$t" || { printf '  %-11s (not found)\n' "$t"; continue; }
		name=$t
		[ "$t" = snoop ] && name=$([ "$mode" = open ] && echo opensnoop || echo execsnoop)
		ops=$(awk -v t="$t" '$1 == t {print $2}' "$DIR/results" | median)
		ns=$(awk -v t="$t" '$1 == t {print $3}' "$DIR/results" | median)
		awk -v n="$name" -v o="$ops" -v ns="$ns" -v a="$a_ops" -v ans="$a_ns" 'BEGIN {
			printf "  %-11s %10.0f %8.2fx %10.0f ns %8.2fx\n", n, o, a / o, ns, ns / ans }'
	done
	# One run with the kernel's per-program statistics on.
	STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	STATS=1
	run "$mode" aa-capture
	STATS=''
	sysctl -q kernel.bpf_stats_enabled="$STATS_WAS"
	STATS_WAS=''
	say "aa-capture's BPF programs, one run with kernel.bpf_stats_enabled=1 ($LOAD_OPS operations):"
	# (the syscall hooks run for every syscall of the machine, not only the
	# load's: runs/op counts the others' too, which a busy machine adds)
	printf '  %-20s %10s %9s %10s\n' program runs/op ns/run "ns/op"
	awk -v n="$LOAD_OPS" 'NR == FNR {c[$1] = $2; t[$1] = $3; next}
		($1 in c) && $2 > c[$1] {
			dc = $2 - c[$1]; dt = $3 - t[$1]; tot += dt
			printf "  %-20s %10.2f %9.0f %10.0f\n", $1, dc / n, dt / dc, dt / n }
		END { printf "  %-20s %10s %9s %10.0f\n", "all", "", "", tot / n }' \
		"$DIR/stats.before" "$DIR/stats.after"
	echo
done
exit 0

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
#  3. exec: openloop --exec 4096 (fork, exec of /bin/true with a 4 KiB argv,
#     wait) flat out, alone and under aa-capture --pid LOAD (every record
#     type: exec, its argv strings, task, exit); execs per second, and the
#     exec records kept, and the file bytes per exec (all its records,
#     compressed); beside libbpf-tools' execsnoop (EXECSNOOP, default
#     /usr/sbin/execsnoop). With BENCH_CAP_BASE=PATH, under that aa-capture too
#     (an older build, say): the cost of the newer one against it.
#  4. as 2 for openloop --rw (a write and a read of 64 bytes on one fd,
#     whose path the BPF side walks from the kernel's dentries each time),
#     alone and under aa-capture; with the load's own CPU time per
#     operation (what the BPF programs add to it), less disturbed than the
#     rate by the machine's other loads.
#  5. tls_conn: build/bench/tlsloop (SSL_write and SSL_read of 64 bytes
#     over 127.0.0.1, one thread) alone, under aa-capture --events tls and
#     under --events tls,tls_conn: nanoseconds per SSL call of each; the
#     difference of the last two is what the tls_conn record costs a call
#     (the socket syscall hook included).
#  6. bench-tls.sh: the attach time at start, and what holding a program
#     until its new files are probed for TLS stacks costs its exec.
#  7. bench-overhead.sh: the openat/close and fork/exec loops alone, under
#     aa-capture, opensnoop/execsnoop and bpftrace (medians of rotated
#     rounds), and the run time of each of aa-capture's BPF programs.
# The machine is shared: the ratios matter, not the absolute numbers.
#
# Environment: AA_BUILD (default build), BENCH_RUNS (3), BENCH_LIVE_SECS
# (seconds per run of part 1, default 2), BENCH_LIVE_SLOW_SECS (parts 2
# to 4, default 3), BENCH_CAP_BASE (part 3, default none), BENCH_LIVE_RATES
# (default "25000 50000 100000 200000 0"; 0 is flat out), OPENSNOOP
# (default /usr/sbin/opensnoop), BENCH_TLS_CALLS (SSL calls per run of
# part 5, default 200000).
# Exit status: 0 (also when skipped: not root, no BPF), 2 when a run failed.
set -u

B=${AA_BUILD:-build}
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_LIVE_SECS:-2}
SLOW_SECS=${BENCH_LIVE_SLOW_SECS:-3}
RATES=${BENCH_LIVE_RATES:-"25000 50000 100000 200000 0"}
OPENSNOOP=${OPENSNOOP:-/usr/sbin/opensnoop}
EXECSNOOP=${EXECSNOOP:-/usr/sbin/execsnoop}
CAP_BASE=${BENCH_CAP_BASE:-}
CAP=$B/aa-capture
REPLAY=$B/aa-replay
LOAD=$B/bench/openloop
TLSLOAD=$B/bench/tlsloop
TLS_CALLS=${BENCH_TLS_CALLS:-200000}
LOAD_CPU=0
TRACER_CPU=1

say() { echo "bench-live: $*"; }
skip() { say "skipped: $*"; exit 0; }
fail() { say "$*" >&2; exit 2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || fail "BENCH_RUNS: not a whole number >= 1: $RUNS"
[ "$(id -u)" = 0 ] || skip "live capture needs root (sudo make bench)"
for f in "$CAP" "$REPLAY" "$LOAD" "$TLSLOAD"; do
	[ -x "$f" ] || fail "$f: not built (make all $LOAD)"
done
command -v taskset >/dev/null || fail "taskset not found (util-linux)"
taskset -c $LOAD_CPU,$TRACER_CPU true 2>/dev/null ||
	skip "needs CPUs $LOAD_CPU and $TRACER_CPU (load on one, tracer on the other)"

DIR=$(mktemp -d /tmp/aa-bench-live.XXXXXX) || fail "cannot create a directory in /tmp"
TARGET=$DIR/target
# What this script started and has not yet waited for (never a pid that may
# have been reused): ended at exit, after a failure or an interrupt.
LOAD_PID='' TR_WRAP='' TR_PID=''

cleanup() {
	local p
	for p in $TR_PID $LOAD_PID $TR_WRAP; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
. "$(dirname "$0")/bench-lib.sh"

# Can BPF be used here at all? aa-capture says what is missing (exit 4).
"$CAP" -q --events file --duration 0.05 -w "$DIR/probe.pcapng" 2>"$DIR/probe.err"
case $? in
0) ;;
4) skip "$(head -n1 "$DIR/probe.err")" ;;
*) fail "aa-capture failed: $(head -n1 "$DIR/probe.err")" ;;
esac

gone() { # pid: exited (a zombie not yet waited for counts as gone)
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$st" ] || [ "$st" = Z ]
}

cpu_ms() { # pid: its CPU time so far in ms (the scheduler's, to the ns)
	awk '/^se.sum_exec_runtime/ {print $3}' "/proc/$1/sched"
}

# start_load RATE SECONDS [OPTION...]: LOAD_PID, waiting for SIGUSR1 on CPU 0.
LOAD_MODE='' # --rw for part 4
start_load() {
	taskset -c $LOAD_CPU "$LOAD" --path "$TARGET" $LOAD_MODE --rate "$1" --seconds "$2" --wait "${@:3}" \
		>"$DIR/load.out" 2>"$DIR/load.err" &
	LOAD_PID=$!
	wait_for "the load to start" awaits_usr1 "$LOAD_PID"
}

# run_load: lets it go, waits for it; OPENS, OPS (opens/s).
run_load() {
	kill -USR1 "$LOAD_PID"
	wait "$LOAD_PID" || fail "openloop failed: $(head -n1 "$DIR/load.err")"
	LOAD_DONE=$LOAD_PID LOAD_PID=''
	read -r OPENS _ OPS LOAD_CPU_NS <"$DIR/load.out" || fail "openloop printed nothing"
}

# start_tracer NAME READY CMD...: runs CMD (stdout to $DIR/tr.out, stderr to
# $DIR/tr.err) under bash's `time`, which gives its whole CPU time to the ms;
# waits until its process, named NAME once exec'd, passes `READY PID`.
# Sets TR_PID, TR_WRAP (the subshell to wait for) and TR_BEFORE (the CPU ms it
# had used by then: loading and attaching, which is not the events' cost).
start_tracer() {
	local name=$1 ready=$2
	shift 2
	(
		TIMEFORMAT='%3U %3S'
		time "$@" >"$DIR/tr.out" 2>"$DIR/tr.err"
	) 2>"$DIR/tr.time" &
	TR_WRAP=$!
	TR_NAME=$name TR_READY=$ready
	wait_for "$name to start" tracer_ready_or_gone
	if [ -z "$TR_PID" ]; then
		wait "$TR_WRAP"
		fail "$name failed (exit status $?): $(head -n1 "$DIR/tr.err")"
	fi
	TR_BEFORE=$(cpu_ms "$TR_PID")
}

tracer_ready_or_gone() {
	TR_PID=$(pgrep -P "$TR_WRAP" -x "$TR_NAME") && "$TR_READY" "$TR_PID" && return 0
	TR_PID=
	gone "$TR_WRAP"
}

# stop_tracer: SIGINT, waits; TR_CPU_MS, its CPU time since it was ready.
stop_tracer() {
	local u s
	kill -INT "$TR_PID"
	wait "$TR_WRAP" || fail "$TR_NAME failed: $(grep -v '^Lost' "$DIR/tr.err" | head -n1)"
	TR_WRAP='' TR_PID=''
	read -r u s <"$DIR/tr.time" || fail "no CPU time for $TR_NAME"
	TR_CPU_MS=$(awk -v u="$u" -v s="$s" -v b="$TR_BEFORE" 'BEGIN { print (u + s) * 1000 - b }')
}

# cpu_per EVENTS: TR_CPU_US, the tracer's CPU per event in µs.
cpu_per() {
	TR_CPU_US=$(awk -v c="$TR_CPU_MS" -v n="$1" 'BEGIN { printf "%.3f", n ? c * 1000 / n : 0 }')
}

# aa-capture has attached its programs before it creates its file.
CAP_FILE=$DIR/capture.pcapng
capture_ready() { [ -e "$CAP_FILE" ]; }

# capture_run RATE SECONDS: one load under aa-capture on CPU 1; OPENS OPS,
# KEPT (records of the load's syscalls in the file), DROPPED, TR_CPU_US.
KEPT_RE='"syscall":"openat"'
capture_run() {
	start_load "$1" "$2"
	rm -f "$CAP_FILE"
	start_tracer aa-capture capture_ready taskset -c $TRACER_CPU \
		"$CAP" -q --events file --pid "$LOAD_PID" -w "$CAP_FILE"
	run_load
	stop_tracer
	KEPT=$("$REPLAY" cat --json --pid "$LOAD_DONE" "$CAP_FILE" | grep -cE "$KEPT_RE")
	DROPPED=$("$REPLAY" info --json "$CAP_FILE" | sed -n 's/.*"dropped":\([0-9]*\).*/\1/p')
	[ -n "$DROPPED" ] || fail "aa-replay info --json gave no drop count"
	rm -f "$CAP_FILE"
	cpu_per "$KEPT"
}

# opensnoop_run SECONDS: the flat-out load under opensnoop -p on CPU 1; OPENS
# OPS, KEPT (its lines for the load's file), LOST (its "Lost N events"
# warnings summed), WARNINGS, TR_CPU_US.
opensnoop_run() {
	start_load 0 "$1"
	# unshare -m makes the new mount namespace private: the tracefs mount
	# opensnoop needs is seen by it alone and goes away with it.
	start_tracer opensnoop in_epoll_wait taskset -c $TRACER_CPU unshare -m sh -c \
		'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" -p "$1"' \
		"$OPENSNOOP" "$LOAD_PID"
	run_load
	stop_tracer
	KEPT=$(grep -c " $TARGET\$" "$DIR/tr.out")
	LOST=$(awk '/^Lost [0-9]+ events/ {s += $2} END {print s + 0}' "$DIR/tr.err")
	WARNINGS=$(grep -c '^Lost' "$DIR/tr.err")
	cpu_per "$KEPT"
}

# Tracing programs someone else has loaded slow every syscall of the load
# too, the baseline included: say so beside the figures they disturb. (Those
# of a tracer of ours that just exited take a moment to be freed.)
tracing_progs() {
	bpftool prog show 2>/dev/null |
		grep -cE '^[0-9]+: (tracing|raw_tracepoint|tracepoint|kprobe|perf_event) '
}
warn_other_tracers() {
	local n i
	command -v bpftool >/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		n=$(tracing_progs)
		((n == 0)) && return 0
		sleep 0.02
	done
	say "warning: $n BPF tracing programs of other tools are loaded; they disturb these figures"
}

better() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# ---- 1. the highest rate captured with zero drops -------------------------
say "openloop (openat+close of a file in /tmp) on CPU $LOAD_CPU," \
	"aa-capture -q --events file --pid LOAD on CPU $TRACER_CPU"
warn_other_tracers
say "1. rates: ${SECS} s runs; each figure the best of $RUNS (opens/s: of the runs that lost least)"
printf '  %9s %10s %9s %9s %8s %12s %9s\n' target opens/s opens "in file" dropped \
	"CPU/record" "0 drops"
best_rate=0 best_rate_cpu=0 best_rate_name='' all_clean=1
for rate in $RATES; do
	b_ops=0 b_opens=0 b_kept=0 b_drop=0 b_lost=-1 b_cpu=0 clean=0
	for ((run = 0; run < RUNS; run++)); do
		capture_run "$rate" "$SECS"
		# Lost: counted as dropped, or missing from the file (never expected).
		lost=$((OPENS - KEPT))
		((lost < 0)) && lost=0
		((DROPPED > lost)) && lost=$DROPPED
		[ "$lost" = 0 ] && clean=$((clean + 1))
		if ((b_lost < 0 || lost < b_lost)) || { ((lost == b_lost)) && better "$OPS" "$b_ops"; }; then
			b_ops=$OPS b_opens=$OPENS b_kept=$KEPT b_drop=$DROPPED b_lost=$lost
		fi
		if ((run == 0)) || better "$b_cpu" "$TR_CPU_US"; then
			b_cpu=$TR_CPU_US
		fi
	done
	name=$rate
	[ "$rate" = 0 ] && name="flat out"
	printf '  %9s %10.0f %9d %9d %8d %9s us %6d/%d\n' "$name" "$b_ops" "$b_opens" "$b_kept" \
		"$b_drop" "$b_cpu" "$clean" "$RUNS"
	((b_lost == 0)) || all_clean=0
	if ((b_lost == 0)) && better "$b_ops" "$best_rate"; then
		best_rate=$b_ops best_rate_cpu=$b_cpu best_rate_name=$name
	fi
done
if [ -n "$best_rate_name" ]; then
	printf '  highest rate captured with zero drops: %.0f events/s (target %s),' "$best_rate" \
		"$best_rate_name"
	printf ' aa-capture CPU %s us per event\n' "$best_rate_cpu"
	# When even flat out lost nothing, the load (one core of opens) is the limit.
	awk -v r="$best_rate" -v c="$best_rate_cpu" -v cpu=$TRACER_CPU \
		-v top="$([[ " $RATES " == *" 0 "* ]] && echo $all_clean)" 'BEGIN {
		printf "  (aa-capture busy %.0f%% of CPU %d then", r * c / 1e4, cpu
		if (top == 1)
			printf "; no step lost any: the limit is the load, one core of opens;\n" \
			       "   at that CPU per event one core of aa-capture would drain ~%.1fM events/s, an estimate", 1 / c
		printf ")\n" }'
else
	echo "  no rate was captured without drops"
fi
echo

# ---- 2. slowdown beside opensnoop ------------------------------------------
have_os=1
[ -x "$OPENSNOOP" ] || { have_os=0; say "$OPENSNOOP not found (libbpf-tools): opensnoop left out"; }
warn_other_tracers
say "2. slowdown of the flat-out load: ${SLOW_SECS} s runs in turns; each figure the best of $RUNS"
# kept: the run that kept the largest part, with its opens and losses.
a_ops=0 c_ops=0 c_opens=0 c_kept=-1 c_drop=0 c_cpu=0
o_ops=0 o_opens=0 o_kept=-1 o_lost=0 o_warn=0 o_cpu=0
# better_kept KEPT OPENS BEST_KEPT BEST_OPENS: a larger part kept than the best so far
better_kept() { ((${3} < 0)) || better "$(($1 * 1000000 / $2))" "$(($3 * 1000000 / $4))"; }
for ((run = 0; run < RUNS; run++)); do
	start_load 0 "$SLOW_SECS"
	run_load
	better "$OPS" "$a_ops" && a_ops=$OPS
	capture_run 0 "$SLOW_SECS"
	better "$OPS" "$c_ops" && c_ops=$OPS
	better_kept "$KEPT" "$OPENS" "$c_kept" "$c_opens" && c_opens=$OPENS c_kept=$KEPT c_drop=$DROPPED
	((run == 0)) || better "$c_cpu" "$TR_CPU_US" && c_cpu=$TR_CPU_US
	if ((have_os)); then
		opensnoop_run "$SLOW_SECS"
		better "$OPS" "$o_ops" && o_ops=$OPS
		better_kept "$KEPT" "$OPENS" "$o_kept" "$o_opens" &&
			o_opens=$OPENS o_kept=$KEPT o_lost=$LOST o_warn=$WARNINGS
		((run == 0)) || better "$o_cpu" "$TR_CPU_US" && o_cpu=$TR_CPU_US
	fi
done

row() { # name ops opens kept cpu note
	awk -v n="$1" -v o="$2" -v a="$a_ops" -v t="${3-}" -v k="${4-}" -v c="${5-}" -v note="${6-}" 'BEGIN {
		printf "  %-10s %9.0f %8.2f %8.2fx", n, o, o / a, a / o
		if (t == "") printf "\n"
		else printf " %8d %8d %6.1f%% %7.3f us  %s\n", t, k, t ? 100 * k / t : 0, c, note }'
}
printf '  %-10s %9s %8s %9s %8s %8s %7s %10s  %s\n' load opens/s "vs alone" slowdown opens kept \
	kept "CPU/kept" "lost"
row alone "$a_ops"
row aa-capture "$c_ops" "$c_opens" "$c_kept" "$c_cpu" "$((c_opens - c_kept)) ($c_drop counted as dropped)"
((have_os)) && row opensnoop "$o_ops" "$o_opens" "$o_kept" "$o_cpu" \
	"$((o_opens - o_kept)) ($o_lost in $o_warn \"Lost\" warnings)"

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

# ---- 3. exec with a 4 KiB argv ---------------------------------------------
# exec_run CAPTURE: the exec load under that aa-capture; OPS (execs/s), KEPT
# (exec records of /bin/true in the file), BYTES_PER (file bytes per exec
# recorded: every record of it, after compression).
exec_run() {
	local bytes
	start_load 0 "$SLOW_SECS" --exec 4096
	rm -f "$CAP_FILE"
	start_tracer aa-capture capture_ready taskset -c $TRACER_CPU "$1" -q --pid "$LOAD_PID" -w "$CAP_FILE"
	run_load
	stop_tracer
	KEPT=$("$REPLAY" cat --json "$CAP_FILE" | grep -c '"type":"exec".*"filename":"/bin/true"')
	bytes=$(stat -c %s "$CAP_FILE")
	BYTES_PER=$(awk -v b="$bytes" -v k="$KEPT" 'BEGIN { printf "%.0f", k ? b / k : 0 }')
	rm -f "$CAP_FILE"
}

# execsnoop_run: the exec load under libbpf-tools' execsnoop (as opensnoop,
# with its own tracefs mount); OPS, KEPT (its lines for the execs of true).
execsnoop_run() {
	start_load 0 "$SLOW_SECS" --exec 4096
	start_tracer execsnoop in_epoll_wait taskset -c $TRACER_CPU unshare -m sh -c \
		'mount -t tracefs nodev /sys/kernel/tracing && exec "$0"' "$EXECSNOOP"
	run_load
	stop_tracer
	KEPT=$(awk '$1 == "true"' "$DIR/tr.out" | wc -l)
}

echo
warn_other_tracers
say "3. exec loop (fork, exec of /bin/true with a 4 KiB argv, wait) flat out:" \
	"${SLOW_SECS} s runs in turns; each figure the best of $RUNS"
[ -z "$CAP_BASE" ] || [ -x "$CAP_BASE" ] || fail "BENCH_CAP_BASE: $CAP_BASE: not a program"
x_alone=0 x_cap=0 x_cap_kept=0 x_base=0 x_base_kept=0 x_snoop=0 x_snoop_kept=0
have_es=0
[ -x "$EXECSNOOP" ] && command -v unshare >/dev/null && have_es=1
for ((run = 0; run < RUNS; run++)); do
	start_load 0 "$SLOW_SECS" --exec 4096
	run_load
	better "$OPS" "$x_alone" && x_alone=$OPS
	exec_run "$CAP"
	better "$OPS" "$x_cap" && x_cap=$OPS x_cap_kept=$KEPT x_cap_execs=$OPENS x_cap_bytes=$BYTES_PER
	if [ -n "$CAP_BASE" ]; then
		exec_run "$CAP_BASE"
		better "$OPS" "$x_base" && x_base=$OPS x_base_kept=$KEPT x_base_execs=$OPENS x_base_bytes=$BYTES_PER
	fi
	if ((have_es)); then
		execsnoop_run
		better "$OPS" "$x_snoop" && x_snoop=$OPS x_snoop_kept=$KEPT x_snoop_execs=$OPENS
	fi
done
printf '  %-12s %9s %9s %9s %10s\n' load execs/s slowdown "kept" "bytes/exec"
xrow() { awk -v n="$1" -v o="$2" -v a="$x_alone" -v k="${3-}" -v t="${4-}" -v b="${5-}" 'BEGIN {
	printf "  %-12s %9.1f %8.2fx", n, o, a / o
	if (k != "") printf " %4d/%-4d", k, t
	if (b != "") printf " %10d", b
	printf "\n" }'; }
xrow alone "$x_alone"
xrow aa-capture "$x_cap" "$x_cap_kept" "$x_cap_execs" "$x_cap_bytes"
((have_es)) && xrow execsnoop "$x_snoop" "$x_snoop_kept" "$x_snoop_execs"
if [ -n "$CAP_BASE" ]; then
	xrow base "$x_base" "$x_base_kept" "$x_base_execs" "$x_base_bytes"
	awk -v b="$x_base" -v c="$x_cap" 'BEGIN {
		printf "  goal: an exec at most 1.5x as slow as under the base: %.2fx: %s\n", b / c,
			(b / c <= 1.5) ? "met" : "MISSED" }'
fi
# ---- 4. the write/read loop ---------------------------------------------
echo
say "4. the write/read loop (openloop --rw): ${SLOW_SECS} s runs in turns; each figure the best of $RUNS"
# (its own file only: its printf at the end writes load.out, a regular file too)
LOAD_MODE=--rw KEPT_RE="\"syscall\":\"(read|write)\".*\"path\":\"$TARGET\""
a_ops=0 a_ns=0 c_ops=0 c_ns=0 c_opens=0 c_kept=-1 c_drop=0
for ((run = 0; run < RUNS; run++)); do
	start_load 0 "$SLOW_SECS"
	run_load
	better "$OPS" "$a_ops" && a_ops=$OPS
	((run == 0)) || better "$a_ns" "$LOAD_CPU_NS" && a_ns=$LOAD_CPU_NS
	capture_run 0 "$SLOW_SECS"
	better "$OPS" "$c_ops" && c_ops=$OPS
	((run == 0)) || better "$c_ns" "$LOAD_CPU_NS" && c_ns=$LOAD_CPU_NS
	better_kept "$KEPT" "$OPENS" "$c_kept" "$c_opens" && c_opens=$OPENS c_kept=$KEPT c_drop=$DROPPED
done
printf '  %-10s %9s %9s %12s %8s %8s %7s\n' load ops/s slowdown "load CPU/op" ops kept kept
awk -v a="$a_ops" -v an="$a_ns" -v c="$c_ops" -v cn="$c_ns" -v t="$c_opens" -v k="$c_kept" 'BEGIN {
	printf "  %-10s %9.0f %8.2fx %9.0f ns\n", "alone", a, 1, an
	printf "  %-10s %9.0f %8.2fx %9.0f ns %8d %8d %6.1f%%  (+%.0f ns per operation)\n", "aa-capture",
		c, a / c, cn, t, k, t ? 100 * k / t : 0, cn - an }'
echo

# ---- 5. what a tls_conn record costs an SSL call ----------------------------
# tls_run EVENTS: tlsloop on CPU 0, under aa-capture --events EVENTS on CPU 1
# (alone when EVENTS is empty); TLS_NS (ns per SSL call), CONNS (tls_conn
# records of the load in the file).
tls_run() {
	taskset -c $LOAD_CPU "$TLSLOAD" --cert "$DIR/c.pem" --key "$DIR/k.pem" --calls "$TLS_CALLS" --wait \
		>"$DIR/tls.out" 2>"$DIR/tls.err" &
	LOAD_PID=$!
	wait_for "tlsloop to start" awaits_usr1 "$LOAD_PID"
	CONNS=0
	if [ -n "$1" ]; then
		rm -f "$CAP_FILE"
		start_tracer aa-capture capture_ready taskset -c $TRACER_CPU \
			"$CAP" -q --events "$1" --pid "$LOAD_PID" -w "$CAP_FILE"
	fi
	kill -USR1 "$LOAD_PID"
	wait "$LOAD_PID" || fail "tlsloop failed: $(head -n1 "$DIR/tls.err")"
	LOAD_DONE=$LOAD_PID LOAD_PID=''
	if [ -n "$1" ]; then
		stop_tracer
		CONNS=$("$REPLAY" cat --each --pid "$LOAD_DONE" "$CAP_FILE" | grep -c ' tls_conn ')
		rm -f "$CAP_FILE"
	fi
	read -r _ _ TLS_NS <"$DIR/tls.out" || fail "tlsloop printed nothing"
}

if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DIR/k.pem" -out "$DIR/c.pem" -days 1 \
	-subj /CN=localhost >/dev/null 2>&1; then
	say "5. tls_conn: skipped (no openssl command to make a certificate)"
	exit 0
fi
warn_other_tracers
say "5. tls_conn: tlsloop ($TLS_CALLS SSL calls of 64 bytes) on CPU $LOAD_CPU; each figure the best of $RUNS"
t_alone=0 t_tls=0 t_conn=0 t_conns=0
for ((run = 0; run < RUNS; run++)); do
	tls_run ''
	((run == 0)) || better "$t_alone" "$TLS_NS" && t_alone=$TLS_NS
	tls_run tls
	((run == 0)) || better "$t_tls" "$TLS_NS" && t_tls=$TLS_NS
	tls_run tls,tls_conn
	((run == 0)) || better "$t_conn" "$TLS_NS" && t_conn=$TLS_NS t_conns=$CONNS
done
awk -v a="$t_alone" -v t="$t_tls" -v c="$t_conn" -v n="$t_conns" -v calls="$TLS_CALLS" 'BEGIN {
	printf "  %-22s %10.0f ns per SSL call\n", "alone", a
	printf "  %-22s %10.0f ns per SSL call (+%.0f)\n", "--events tls", t, t - a
	printf "  %-22s %10.0f ns per SSL call (+%.0f), %d tls_conn records for %d calls\n", \
		"--events tls,tls_conn", c, c - a, n, calls
	printf "  a tls_conn record costs an SSL call %.0f ns\n", c - t }'
echo
# ---- 6. TLS stacks found by aa-capture itself: its own script ----------------
bash "$(dirname "$0")/bench-tls.sh" || exit $?
echo
# ---- 7. overhead on the traced workload, beside the other tracers ----------
BENCH_ROUNDS=$RUNS bash "$(dirname "$0")/bench-overhead.sh"
exit $?

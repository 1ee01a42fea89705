#!/bin/bash
# The programs aa-capture stops while it looks at the files they map
# (bpf/tls_hold.bpf.h) are never left stopped (capture/hold_guard.c):
#  1. aa-capture stopped, then killed with SIGKILL while a program is held:
#     its guardian continues the program (exit 0), turns the hold off and
#     exits; it kept no BPF link or program, so the BPF programs die with
#     aa-capture and a fresh program runs without a stop;
#  2. a normal end (SIGINT) with a program held leaves no guardian and no
#     program stopped;
#  3. a program held past the bound (AA_TLS_HOLD_MAX_MS) is continued while
#     aa-capture is stopped, and counted (AA_VERBOSE);
#  4. the guardian SIGKILLed while a program is held (aa-capture stopped):
#     its twin continues the program and turns the stops off, so a program
#     started next is not stopped; the guardian and its twin SIGKILLed
#     together: aa-capture notices, says so and turns the stops off;
#     aa-capture and the guardian SIGKILLed together with a program held:
#     the twin continues it.
# Root and BPF (skipped otherwise). While aa-capture is stopped every
# program on the machine mapping a new file is held: the test runs only
# programs looked at already then, and each bound is short.
set -u
B=${AA_BUILD:-build}
[[ $(id -u) == 0 ]] || { echo "skip: needs root (a live BPF capture)"; exit 77; }
tmp=$(mktemp -d) || exit 2
cap= held=
trap '[[ -n $cap ]] && kill -KILL $cap 2>/dev/null; [[ -n $held ]] && kill -CONT $held 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { [[ -n $cap ]] && kill -KILL $cap; echo "FAIL: $*"; echo "--- aa-capture's stderr:"; tail -20 "$tmp/err"; exit 1; }

state() { local s; { s=$(</proc/$1/stat); } 2>/dev/null || return 1; s=${s##*) }; echo "${s%% *}"; }
for t in t1 t2 t3 t4 t5 t6 t7 t8 t9; do cp /bin/true "$tmp/$t" || exit 2; done

# Starts aa-capture (all events, --tls-hold) with env $@; sets cap and guard.
start_cap() {
	: >"$tmp/err"
	env "$@" "$B/aa-capture" --tls-hold -w "$tmp/cap.pcapng" 2>"$tmp/err" &
	cap=$!
	for _ in $(seq 400); do
		grep -q "aa-capture: ready" "$tmp/err" && break
		if ! kill -0 $cap 2>/dev/null; then
			wait $cap; rc=$?; cap=
			[[ $rc == 4 ]] && { echo "skip: BPF is not available here: $(cat "$tmp/err")"; exit 77; }
			fail "aa-capture exited $rc before it was ready"
		fi
		sleep 0.05
	done
	guard=
	for p in $(cat /proc/$cap/task/*/children); do
		[[ $(cat /proc/$p/comm 2>/dev/null) == aa-hold-guard ]] && guard=$p
	done
	[[ -n $guard ]] || fail "no aa-hold-guard child of aa-capture ($cap)"
	twin=
	for _ in $(seq 100); do
		for p in $(cat /proc/$guard/task/*/children 2>/dev/null); do
			[[ $(cat /proc/$p/comm 2>/dev/null) == aa-hold-twin ]] && twin=$p
		done
		[[ -n $twin ]] && break
		sleep 0.01
	done
	[[ -n $twin ]] || fail "no aa-hold-twin child of the guardian ($guard)"
	# what runs while aa-capture is stopped is looked at once here
	setsid /bin/true && sleep 0.01 && seq 1 >/dev/null && bpftool version >/dev/null || fail "warm-up"
}

# A copy of /bin/true no process has mapped yet, started with no
# controlling terminal; sets held to its pid.
start_new() {
	setsid "$tmp/$1" &
	held=$!
}

# Waits (at most $2 s) until pid $1 is stopped.
wait_stopped() {
	for _ in $(seq $(($2 * 50))); do
		[[ $(state $1) == [Tt] ]] && return 0
		sleep 0.02
	done
	return 1
}

# Waits (at most $2 s) until pid $1, a child, has ended; its status in rc.
wait_ended() {
	for _ in $(seq $(($2 * 50))); do
		[[ $(state $1) == Z || ! -e /proc/$1 ]] && { wait $1; rc=$?; return 0; }
		sleep 0.02
	done
	return 1
}

gone() { # pid $1 no more (nor a zombie) within 2 s
	for _ in $(seq 100); do
		[[ ! -e /proc/$1 || $(state $1) == Z ]] && return 0
		sleep 0.02
	done
	return 1
}

# Stops aa-capture and waits until every thread of it is stopped: kill
# returns once one thread is told, and the others stop only when that one
# runs; until then its TLS thread could still continue a held program.
stop_cap() {
	local s all
	kill -STOP $cap
	for _ in $(seq 250); do
		all=1
		for s in /proc/$cap/task/*; do
			[[ $(state "$cap/task/${s##*/}") == [Tt] ]] || all=
		done
		[[ -n $all ]] && return 0
		sleep 0.02
	done
	fail "aa-capture ($cap) did not stop within 5 s"
}

# Ends aa-capture with SIGINT; it must exit 0 ($1: when, for the message).
end_cap() {
	kill -INT $cap
	wait $cap
	rc=$?
	cap=
	[[ $rc == 0 ]] || fail "aa-capture exited $rc on SIGINT$1"
}

# 1. SIGKILL while a program is held.
start_cap AA_TLS_HOLD_MAX_MS=5000 # (past the test's bounds: only the guardian's end continues it)
fds=$(ls -l /proc/$guard/fd)
grep -q 'bpf-link\|bpf-prog' <<<"$fds" && fail "the guardian keeps BPF links or programs: $fds"
tfds=$(ls -l /proc/$twin/fd)
grep -q 'bpf-link\|bpf-prog' <<<"$tfds" && fail "the twin keeps BPF links or programs: $tfds"
grep -q 'bpf-map' <<<"$fds" || fail "the guardian keeps no map: $fds"
progs=$(cat /proc/$cap/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' | sort -u)
[[ -n $progs ]] || fail "no BPF program ids in aa-capture's descriptors"
stop_cap
start_new t1
wait_stopped $held 5 || fail "the new program (pid $held) was not held: state $(state $held)"
sleep 0.3
[[ $(state $held) == [Tt] ]] || fail "the held program went on with aa-capture stopped"
kill -KILL $cap
wait $cap 2>/dev/null
cap=
wait_ended $held 2 || fail "the held program (pid $held) was not continued after aa-capture's SIGKILL"
[[ $rc == 0 ]] || fail "the held program exited $rc"
held=
gone $guard || fail "the guardian (pid $guard) is still there"
gone $twin || fail "the guardian's twin (pid $twin) is still there"
for _ in $(seq 100); do
	left=
	for id in $progs; do bpftool prog show id $id >/dev/null 2>&1 && left+=" $id"; done
	[[ -z $left ]] && break
	sleep 0.02
done
[[ -z $left ]] || fail "BPF programs of the killed aa-capture still loaded:$left"
start_new t2
wait_ended $held 2 || fail "a fresh program after aa-capture's death did not end"
[[ $rc == 0 ]] || fail "the fresh program exited $rc"
held=

# 2. A normal end with a program held.
start_cap
stop_cap
start_new t3
wait_stopped $held 5 || fail "t3 (pid $held) was not held"
kill -CONT $cap
end_cap
[[ ! -e /proc/$guard ]] || fail "the guardian (pid $guard) is left after a normal end: state $(state $guard)"
gone $twin || fail "the guardian's twin (pid $twin) is left after a normal end"
wait_ended $held 2 || fail "t3 (pid $held) is still stopped after a normal end"
[[ $rc == 0 ]] || fail "t3 exited $rc"
held=

# 3. The bound: continued after it with aa-capture stopped, and counted.
start_cap AA_TLS_HOLD_MAX_MS=400 AA_VERBOSE=1
stop_cap
t0=${EPOCHREALTIME/./}
start_new t4
wait_stopped $held 5 || fail "t4 (pid $held) was not held"
wait_ended $held 3 || fail "t4 (pid $held) was not continued after the 400 ms bound"
[[ $rc == 0 ]] || fail "t4 exited $rc"
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
held=
((ms >= 350)) || fail "t4 was continued after $ms ms, before the bound"
[[ $(state $cap) == [Tt] ]] || fail "aa-capture was not stopped meanwhile"
kill -CONT $cap
sleep 0.3 # its TLS thread comes to t4
end_cap
# (t4, and any other program of the machine held meanwhile)
grep -Eqx "aa: tls: [1-9][0-9]* programs continued after 400 ms before their files were looked at \(they ran unprobed until then\)" \
	"$tmp/err" || fail "no count of the program continued after the bound"

# 4a. The guardian SIGKILLed while a program is held, aa-capture stopped.
start_cap AA_TLS_HOLD_MAX_MS=5000
stop_cap
start_new t5
wait_stopped $held 5 || fail "t5 (pid $held) was not held"
kill -KILL $guard
wait_ended $held 2 || fail "t5 (pid $held) still stopped after its guardian's SIGKILL"
[[ $rc == 0 ]] || fail "t5 exited $rc"
held=
gone $twin || fail "the twin (pid $twin) is still there after the guardian's death"
start_new t6 # aa-capture still stopped: the stops are off, it runs
wait_ended $held 2 || fail "t6 (pid $held) was stopped after the guardian's death: state $(state $held)"
held=
kill -CONT $cap
for _ in $(seq 100); do grep -q "hold guardian was killed" "$tmp/err" && break; sleep 0.02; done
grep -qx "aa: tls: the hold guardian was killed: programs are no longer stopped for their TLS probes (--tls-hold off)" \
	"$tmp/err" || fail "aa-capture did not say its guardian was killed"
end_cap " after its guardian's death"

# 4b. The guardian and its twin SIGKILLed together: aa-capture turns the stops off.
start_cap AA_TLS_HOLD_MAX_MS=5000
kill -KILL $guard $twin
for _ in $(seq 100); do grep -q "hold guardian was killed" "$tmp/err" && break; sleep 0.02; done
grep -q "hold guardian was killed" "$tmp/err" || fail "aa-capture did not notice its guardian and twin killed"
stop_cap
start_new t7
wait_ended $held 2 || fail "t7 (pid $held) was stopped with no guardian: state $(state $held)"
held=
kill -CONT $cap
end_cap

# 4c. aa-capture and its guardian SIGKILLed together with a program held.
start_cap AA_TLS_HOLD_MAX_MS=5000
stop_cap
start_new t8
wait_stopped $held 5 || fail "t8 (pid $held) was not held"
kill -KILL $cap $guard
wait $cap 2>/dev/null
cap=
wait_ended $held 2 || fail "t8 (pid $held) still stopped after aa-capture's and its guardian's SIGKILL"
[[ $rc == 0 ]] || fail "t8 exited $rc"
held=
gone $twin || fail "the twin (pid $twin) is still there"
start_new t9
wait_ended $held 2 || fail "a fresh program (pid $held) after aa-capture's death did not end"
held=
echo ok

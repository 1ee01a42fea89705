#!/bin/bash
# make valgrind: valgrind's memcheck, with a full leak check, on
#  1. every command of aa-replay and aa-capture -r, on their main paths and
#     their error paths: the committed fixtures, generated session streams
#     (all four types, unknown sizes, an invalid record), a rotated set, a
#     file cut short and a file left by a killed capture. Each run must end
#     with the exit status the program documents and without a single
#     valgrind error or leak. Valgrind's own failure status is 99, apart
#     from the programs' 1 (damaged data) and 2 (usage or I/O).
#  2. the unprivileged Criterion test binaries (VALGRIND_TESTS, default
#     below), with --trace-children=yes into Criterion's worker processes;
#     only the runner's own IPC buffers and threads (nanomsg, "possibly
#     lost" at a worker's exit) are suppressed, and the DIR that
#     test_regress's forked children inherit and leave by _exit. test_memory is left out: it measures peak RSS, which
#     valgrind inflates. VALGRIND_TESTS=none skips this part.
# Exit 0 clean, 1 not, 2 cannot run.
set -u
: "${AA_BUILD:=build}"
CAP=$AA_BUILD/aa-capture REPLAY=$AA_BUILD/aa-replay GEN=$AA_BUILD/bench/gen_session
FIX=tests/fixtures
VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --track-fds=no)

command -v valgrind >/dev/null || {
	if [[ $(id -u) == 0 ]]; then
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind; } >/dev/null ||
			{ echo "valgrind: cannot install valgrind" >&2; exit 2; }
	else
		echo "valgrind: not installed (apt-get install valgrind as root)" >&2; exit 2
	fi
}
for p in "$CAP" "$REPLAY" "$GEN"; do
	[[ -x $p ]] || { echo "valgrind: $p not built (make all tests)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/aa-valgrind.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
runs=0 bad=0

# vg WANT_STATUS [<INPUT] -- PROGRAM ARGS...: runs it under valgrind, its
# output into $work/out, its stderr into $work/err; WANT_STATUS may list
# several digits (012: any documented status).
vg() {
	local want=$1 in=/dev/null
	shift
	[[ $1 == "<"* ]] && { in=${1#<}; shift; }
	[[ $1 == -- ]] && shift
	runs=$((runs + 1))
	"${VG[@]}" --log-file="$work/vg.log" "$@" <"$in" >"$work/out" 2>"$work/err"
	local rc=$?
	if [[ $rc == 99 || -s $work/vg.log || ${#rc} != 1 || $want != *"$rc"* ]]; then
		bad=$((bad + 1))
		echo "FAIL (exit $rc, want $want): ${*#"$AA_BUILD/"}"
		sed -e 's/^/    /' "$work/vg.log" | head -n 40
		sed -e 's/^/    stderr: /' "$work/err" | head -n 5
	else
		echo "ok   (exit $rc): ${*#"$AA_BUILD/"}"
	fi
}

w=$work
"$GEN" --seed 11 --records 30000 --fixture >"$w/session.raw" || exit 2
"$GEN" --seed 12 --records 3000 --fixture >"$w/small.raw" || exit 2
head -c "$(($(stat -c %s "$w/small.raw") - 100))" "$w/small.raw" >"$w/cut.raw"
printf 'not a capture file at all, not even pcapng\n' >"$w/text.pcapng"

echo "== aa-capture -r"
vg 0 -- "$CAP" -q -r "$w/session.raw" -w "$w/session.pcapng"
vg 0 "<$w/small.raw" -- "$CAP" -q -r - -w "$w/stdin.pcapng" --level 9 --flush-ms 50
vg 0 -- "$CAP" -r "$w/session.raw" -w "$w/rot.pcapng" -C 0.5
vg 0 -- "$CAP" -q -r "$w/session.raw" -w "$w/ring.pcapng" -C 0.3 -W 3
vg 0 -- "$CAP" -q -r "$w/small.raw" -w "$w/print.pcapng" --print --json
vg 0 -- "$CAP" -q -r "$w/small.raw" -w "$w/printtxt.pcapng" --print --events exec,exit -c 100
vg 0 -- "$CAP" -q -r "$w/small.raw" -w -
cp "$w/out" "$w/stdout.pcapng"
vg 1 -- "$CAP" -q -r "$w/cut.raw" -w "$w/cut.pcapng"
vg 2 -- "$CAP" -q -r "$w/missing.raw" -w "$w/x.pcapng"
vg 2 -- "$CAP" --no-such-flag
vg 0 -- "$CAP" --help

# A file left by a killed capture: SIGKILL while the stream still flows.
mkfifo "$w/fifo"
"$CAP" -q -r "$w/fifo" -w "$w/killed.pcapng" --flush-ms 50 &
kpid=$!
exec 7>"$w/fifo"
head -c 200000 "$w/session.raw" >&7
sleep 1
kill -KILL "$kpid"; wait "$kpid" 2>/dev/null
exec 7>&-
# A capture file cut in the middle of a block.
head -c "$(($(stat -c %s "$w/session.pcapng") * 2 / 3))" "$w/session.pcapng" >"$w/half.pcapng"
mapfile -t rot < <(ls -v "$w"/rot.pcapng*)

echo "== aa-replay"
for f in "$FIX/generated.pcapng" "$FIX/live.pcapng" "$w/session.pcapng" "$w/stdout.pcapng"; do
	vg 0 -- "$REPLAY" info "$f"
	vg 0 -- "$REPLAY" info --json "$f"
	vg 0 -- "$REPLAY" cat "$f"
	vg 0 -- "$REPLAY" cat --json "$f"
	vg 0 -- "$REPLAY" verify "$f"
	vg 0 -- "$REPLAY" export --raw "$f" -
	vg 0 -- "$REPLAY" schema "$f"
done
n=0
for f in "$FIX/live.pcapng" "$w/session.pcapng"; do
	n=$((n + 1))
	vg 0 -- "$REPLAY" cat --json --type exec,exit,unknown --since +1ms "$f"
	vg 0 -- "$REPLAY" filter --type file,tls "$f" "$w/filtered$n.pcapng"
	vg 0 -- "$REPLAY" verify "$w/filtered$n.pcapng"
	vg 0 -- "$REPLAY" recover "$f" "$w/recovered$n.pcapng"
	vg 0 -- "$REPLAY" export --raw "$f" "$w/export$n.raw"
done
pid=$("$REPLAY" cat --json --type exec "$FIX/live.pcapng" | head -n 1 | sed 's/.*"pid":\([0-9]*\).*/\1/')
vg 0 -- "$REPLAY" cat --pid "$pid" "$FIX/live.pcapng"
vg 0 -- "$REPLAY" info "${rot[@]}"
vg 0 -- "$REPLAY" cat --json "${rot[@]}"
vg 0 -- "$REPLAY" verify "${rot[@]}"
vg 0 "<$FIX/generated.pcapng" -- "$REPLAY" cat -
for f in "$w/killed.pcapng" "$w/half.pcapng"; do
	vg 1 -- "$REPLAY" info "$f"
	vg 1 -- "$REPLAY" cat --json "$f"
	vg 1 -- "$REPLAY" verify "$f"
	vg 1 -- "$REPLAY" recover "$f" "$f.recovered"
	vg 0 -- "$REPLAY" verify "$f.recovered"
done
# What the fuzzers found, kept as regression inputs: whole files.
for f in tests/fuzz/regress/file/*; do
	[[ -f $f && -s $f ]] || continue
	vg 012 -- "$REPLAY" info --json "$f"
	vg 012 -- "$REPLAY" cat --json "$f"
	vg 012 -- "$REPLAY" verify "$f"
	vg 012 -- "$REPLAY" schema "$f"
done
vg 2 -- "$REPLAY" info "$w/text.pcapng"
vg 2 -- "$REPLAY" verify "$w/missing.pcapng"
vg 2 -- "$REPLAY" recover "$w/session.pcapng" "$w/session.pcapng"
vg 2 -- "$REPLAY" cat --type nope "$w/session.pcapng"
vg 2 -- "$REPLAY" frobnicate
vg 0 -- "$REPLAY" --help

echo "== Criterion test binaries"
cat >"$w/criterion.supp" <<'SUPP'
{
   criterion-runner-ipc
   Memcheck:Leak
   match-leak-kinds: possible,reachable
   ...
   obj:*/libnanomsg.so*
}
{
   test-regress-forked-child-exits-holding-its-parents-opendir
   Memcheck:Leak
   match-leak-kinds: definite
   fun:malloc
   fun:__alloc_dir
   ...
   fun:replay_all
}
SUPP
: "${VALGRIND_TESTS:=$(ls "$AA_BUILD"/tests/test_* "$AA_BUILD"/tests/hostile/test_* \
	"$AA_BUILD"/tests/replay/test_* "$AA_BUILD"/tests/capture/test_capture_raw \
	"$AA_BUILD"/tests/capture/test_capture_rotate "$AA_BUILD"/tests/capture/test_capture_output \
	2>/dev/null | grep -v '/test_memory$')}"
[[ $VALGRIND_TESTS == none ]] && VALGRIND_TESTS=
for t in $VALGRIND_TESTS; do
	runs=$((runs + 1))
	rm -rf "$w/vg" && mkdir "$w/vg"
	"${VG[@]}" --trace-children=yes --trace-children-skip='/bin/*,/usr/bin/*' \
		--suppressions="$w/criterion.supp" --log-file="$w/vg/%p.log" \
		"$t" --color=never >"$w/out" 2>&1
	rc=$?
	if [[ $rc != 0 ]] || cat "$w"/vg/*.log | grep -q .; then
		bad=$((bad + 1))
		echo "FAIL (exit $rc): ${t#"$AA_BUILD/"}: $(tail -n 1 "$w/out")"
		cat "$w"/vg/*.log | sed -e 's/^/    /' | head -n 60
		grep -B2 -A6 -E 'Assertion|FAIL|CRASH' "$w/out" | sed -e 's/^/    /' | head -n 30
	else
		echo "ok   ${t#"$AA_BUILD/"}: $(tail -n 1 "$w/out")"
	fi
done

echo "valgrind: $runs runs, $bad with errors, leaks or a wrong exit status"
[[ $bad == 0 ]]

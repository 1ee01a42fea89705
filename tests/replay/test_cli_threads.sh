#!/bin/bash
# aa-replay -T N / --threads N: the reading commands print exactly the same
# (stdout, stderr, exit status) whatever the threads that read ahead: the
# default (one per CPU), --single-thread (none beside the printing thread),
# -T 1, 2, 3 and 8,
# on the recordings, several hosts' files at once, a file damaged in the
# middle and a file cut short, from a file and from a pipe; a bad count is a
# usage error. Every reading command takes them and lists them in --help.
set -u
. "$(dirname "$0")/../lib/replay_test.sh" || exit 2
need_session

# A damaged copy (a byte flipped in the middle of the file: a chunk's crc32)
# and a cut one (in the middle of a block), of the largest recording.
size=$(stat -c %s "$S/session-a.pcapng")
cp "$S/session-a.pcapng" "$tmp/flipped.pcapng"
flip "$tmp/flipped.pcapng" $((size / 2))
head -c $((size / 2 + 3)) "$S/session-a.pcapng" > "$tmp/cut.pcapng"

# run NAME ARGS...: every thread count gives what the default gives
run() {
	local name=$1 t
	shift
	"$R" "$@" > "$tmp/want.out" 2> "$tmp/want.err"
	echo "exit $?" >> "$tmp/want.out"
	for t in --single-thread -T1 -T2 -T3 --threads=8; do
		"$R" "$1" "$t" "${@:2}" > "$tmp/got.out" 2> "$tmp/got.err"
		echo "exit $?" >> "$tmp/got.out"
		cmp -s "$tmp/want.out" "$tmp/got.out" && cmp -s "$tmp/want.err" "$tmp/got.err" ||
			{ no "$name $t differs:"; diff "$tmp/want.out" "$tmp/got.out" | head -5;
			  diff "$tmp/want.err" "$tmp/got.err" | head -5; }
	done
}

for f in "$F" "$S"/session-*.pcapng "$tmp/flipped.pcapng" "$tmp/cut.pcapng"; do
	b=$(basename "$f")
	run "cat --json $b" cat --json "$f"
	run "tree $b" tree "$f"
	run "follow $b" follow "$f"
	run "follow --json $b" follow --json "$f"
	run "verify $b" verify "$f"
	run "info $b" info "$f"
done
# a recording of many chunks (the session repeated: 8 MiB of records, 33
# chunks), and it damaged in the middle
if [ -x "${AA_BUILD:-build}/bench/repeat_session" ] && [ -x "${AA_BUILD:-build}/aa-capture" ]; then
	"$R" export "$S/session-a.pcapng" "$tmp/seed.raw" 2> /dev/null
	"${AA_BUILD:-build}/bench/repeat_session" --bytes $((8 << 20)) < "$tmp/seed.raw" > "$tmp/long.raw"
	"${AA_BUILD:-build}/aa-capture" -q -r "$tmp/long.raw" -w "$tmp/long.pcapng" ||
		no "aa-capture -r failed"
	size=$(stat -c %s "$tmp/long.pcapng")
	cp "$tmp/long.pcapng" "$tmp/long-flipped.pcapng"
	flip "$tmp/long-flipped.pcapng" $((size / 2))
	for f in "$tmp/long.pcapng" "$tmp/long-flipped.pcapng"; do
		run "cat --json $f" cat --json "$f"
		run "tree $f" tree "$f"
		run "follow $f" follow "$f"
	done
	"$R" export --raw -T 3 "$tmp/long.pcapng" "$tmp/long.back" || no "export -T 3 long"
	cmp -s "$tmp/long.raw" "$tmp/long.back" || no "export --raw -T 3 of the long recording differs"
	# where the middle falls (a zstd frame, a block header) depends on the
	# recording's META, so any damage line at an offset will do
	"$R" cat -T 2 "$tmp/long-flipped.pcapng" > /dev/null 2> "$tmp/e"; rc=$?
	[ $rc = 1 ] && grep -qF "$tmp/long-flipped.pcapng: offset" "$tmp/e" ||
		{ no "long-flipped: exit $rc, no damage said"; cat "$tmp/e"; }
fi
run "cat of three hosts" cat --json "$S"/session-*.pcapng
run "tree of three hosts" tree "$S"/session-*.pcapng

"$R" cat -T 3 "$tmp/flipped.pcapng" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 1 ] && grep -qF "$tmp/flipped.pcapng: offset" "$tmp/e" || { no "flipped: exit $rc"; cat "$tmp/e"; }
"$R" cat --threads 3 "$tmp/cut.pcapng" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 1 ] && grep -qF "file ends inside a block" "$tmp/e" || { no "cut: exit $rc"; cat "$tmp/e"; }

# export --raw: the same bytes, the file's own stream digest
"$R" export --raw --single-thread "$S/session-a.pcapng" "$tmp/raw.0" || no "export --single-thread"
for t in 1 2 8; do
	"$R" export --raw -T $t "$S/session-a.pcapng" "$tmp/raw.$t" || no "export -T $t"
	cmp -s "$tmp/raw.0" "$tmp/raw.$t" || no "export --raw -T $t differs"
done

# from a pipe (read in the printing thread: a writer may be slow), the same
"$R" cat --json --single-thread - < "$F" > "$tmp/p1"
cat "$F" | "$R" cat --json -T 3 - > "$tmp/p3"
cmp -s "$tmp/p1" "$tmp/p3" || no "a pipe read with -T 3 differs"

# Every command that reads capture files takes the shared reading options
# (-T N, --threads N, --single-thread), lists them in its --help, prints
# the same with them as without, and refuses a bad count in one line with
# status 2. OUT: a capture file the command writes, compared by its records
# (its META says when it was written).
A=$S/session-a.pcapng
B=$S/session-b.pcapng
READERS=(info cat verify recover filter export schema ps merge tree diff follow report)
args_of() {
	case $1 in
	cat) echo "cat --json A" ;;
	recover | filter) echo "$1 A OUT" ;;
	export) echo "export --tcp A -" ;;
	merge) echo "merge OUT A B" ;;
	diff) echo "diff A B" ;;
	report) echo "report -o - A" ;;
	*) echo "$1 A" ;;
	esac
}
[ ${#READERS[@]} = $(("$(grep -c '^	{ "' replay/aa-replay.c)" - 1)) ] ||
	no "a command not in READERS (all but pull read capture files)"
for cmd in "${READERS[@]}"; do
	read -ra words <<< "$(args_of "$cmd")"
	i=0
	for v in "" "-T 2" "--single-thread" "--threads=2"; do
		rm -f "$tmp/out.cap"
		a=()
		for w in "${words[@]:1}"; do
			case $w in A) w=$A ;; B) w=$B ;; OUT) w=$tmp/out.cap ;; esac
			a+=("$w")
		done
		# shellcheck disable=SC2086 # $v: none, or an option and its value
		"$R" "$cmd" $v "${a[@]}" > "$tmp/v$i.out" 2> "$tmp/v$i.err"
		echo "exit $?" >> "$tmp/v$i.out"
		[ ! -e "$tmp/out.cap" ] || "$R" cat --json --each "$tmp/out.cap" >> "$tmp/v$i.out" 2>&1
		[ $i = 0 ] || { cmp -s "$tmp/v0.out" "$tmp/v$i.out" && cmp -s "$tmp/v0.err" "$tmp/v$i.err"; } ||
			{ no "$cmd $v differs from $cmd:"; diff "$tmp/v0.out" "$tmp/v$i.out" | head -5;
			  diff "$tmp/v0.err" "$tmp/v$i.err" | head -5; }
		i=$((i + 1))
	done
	grep -q '^exit [01]$' "$tmp/v0.out" || { no "$cmd: $(tail -1 "$tmp/v0.out")"; cat "$tmp/v0.err"; }
	"$R" "$cmd" --help > "$tmp/help" || no "$cmd --help: exit $?"
	grep -qF -- "-T N, --threads N" "$tmp/help" && grep -qF -- "--single-thread" "$tmp/help" ||
		no "$cmd --help does not list -T N, --threads N and --single-thread"
	for bad in "-T x" "-T -1" "-T 65" "-T 100000" "--threads=2x" "-T"; do
		rm -f "$tmp/out.cap"
		# shellcheck disable=SC2086
		"$R" "$cmd" $bad "${a[@]}" > "$tmp/o" 2> "$tmp/e"; rc=$?
		[ $rc = 2 ] && [ ! -s "$tmp/o" ] && [ ! -e "$tmp/out.cap" ] && [ "$(wc -l < "$tmp/e")" = 1 ] &&
			grep -q "^aa-replay: $cmd: .*(see 'aa-replay $cmd --help')\$" "$tmp/e" ||
			{ no "$cmd $bad: exit $rc, not one usage line:"; head -3 "$tmp/e"; }
	done
done
# pull copies a stream's messages as they are: it reads no chunk
"$R" pull -T 2 nats://127.0.0.1:1/S "$tmp/pulled" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -qF "pull: unknown option '-T'" "$tmp/e" || { no "pull -T 2: exit $rc"; cat "$tmp/e"; }
"$R" pull --help | grep -qF -- "--threads" && no "pull --help lists --threads"

# a bad count
"$R" cat -T x "$F" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -qF "aa-replay: cat: -T x: not a thread count from 0 (one per CPU) to 64" "$tmp/e" ||
	{ no "-T x: exit $rc"; cat "$tmp/e"; }
"$R" tree --threads=65 "$F" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] || no "--threads=65: exit $rc"
"$R" cat --help | grep -qF -- "-T N, --threads N" || no "cat --help does not say -T"
exit $fail

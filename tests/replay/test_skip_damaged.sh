#!/usr/bin/env bash
# --skip-damaged, on a file with one damaged chunk in the middle (the
# session fixture's RECORDS chunk 2 of 1..3, its checksum made wrong):
# without the flag cat, tree, follow and export stop at it with one line
# naming the file, offset and chunk, exit 1, and give exactly what a file
# cut just before that chunk gives (every record before it, none after);
# with it they go on, report it once, exit 1, and give exactly what the file
# without that chunk gives. verify reports it whatever the flag.
set -euo pipefail
build=${AA_BUILD:-build}
R=$build/aa-replay
T=$(mktemp -d "${TMPDIR:-/tmp}/aa-skip.XXXXXX")
trap 'rm -rf "$T"' EXIT
FIX=tests/fixtures/session/session-a.pcapng

# offsets of RECORDS chunk 2 and of the block after it
read -r at end < <(python3 - "$FIX" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
at = 0
while at < len(d):
    t, l = struct.unpack_from('<II', d, at)
    # an EPB holding a chunk: magic AACK, then version, kind, ..., index
    if t == 6 and d[at + 28:at + 32] == b'AACK' and d[at + 33] == 1 and \
            struct.unpack_from('<I', d, at + 36)[0] == 2:
        print(at, at + l)
        break
    at += l
PY
)
[[ -n $at ]] || { echo "no RECORDS chunk 2 in $FIX"; exit 1; }
cp "$FIX" "$T/bad.pcapng"
# a byte of its compressed body flipped: its checksum no longer holds
printf '\xff' | dd of="$T/bad.pcapng" bs=1 seek=$((at + 28 + 64 + 16)) conv=notrunc status=none
head -c "$at" "$FIX" >"$T/cut.pcapng"                          # what comes before it
{ head -c "$at" "$FIX"; tail -c +$((end + 1)) "$FIX"; } >"$T/without.pcapng" # all but it

# run CMD... on FILE: stdout in $T/out, stderr in $T/err, status in rc
run() { rc=0; "$R" "$@" >"$T/out" 2>"$T/err" || rc=$?; }
same() { # what, reference file: stdout equal to the reference run's
	cmp -s "$T/out" "$T/ref" || { echo "$1: output differs from $2's"; diff "$T/ref" "$T/out" | head; exit 1; }
}
one_error() { # exactly one damage line, naming the file, offset and chunk 2
	[[ $(grep -c ": offset " "$T/err") == 1 ]] || { echo "$1: stderr:"; cat "$T/err"; exit 1; }
	grep -q "^aa-replay: $T/bad.pcapng: offset $at: chunk 2: " "$T/err" || { echo "$1:"; cat "$T/err"; exit 1; }
}
for cmd in "cat --json" "cat --capture-order" "tree" "tree --json" "follow" "follow --json" \
	"export --raw" "export --pcapng" "export --tcp" "export --perfetto" "ps"; do
	args=($cmd)
	out=()
	[[ $cmd == export* ]] && out=(-)
	# without the flag: what came before the damaged chunk, nothing after
	"$R" "${args[@]}" --skip-damaged "$T/cut.pcapng" "${out[@]}" >"$T/ref" 2>/dev/null || true
	run "${args[@]}" "$T/bad.pcapng" "${out[@]}"
	[[ $rc == 1 ]] || { echo "$cmd: exit $rc"; cat "$T/err"; exit 1; }
	one_error "$cmd"
	same "$cmd" cut
	cp "$T/out" "$T/stopped"
	# with it: every other chunk's records
	"$R" "${args[@]}" --skip-damaged "$T/without.pcapng" "${out[@]}" >"$T/ref" 2>/dev/null || true
	run "${args[@]}" --skip-damaged "$T/bad.pcapng" "${out[@]}"
	[[ $rc == 1 ]] || { echo "$cmd --skip-damaged: exit $rc"; cat "$T/err"; exit 1; }
	one_error "$cmd --skip-damaged"
	same "$cmd --skip-damaged" without
	# and the two differ: the records after the damaged chunk
	! cmp -s "$T/out" "$T/stopped" || { echo "$cmd: the same with and without the flag"; exit 1; }
	echo "$cmd: ok"
done
# the counts, exactly: chunk 1 holds 283 records, 2 120, 3 427
run cat --json --each --capture-order "$T/bad.pcapng"
[[ $(wc -l <"$T/out") == 283 ]] || { echo "$(wc -l <"$T/out") records before the damage"; exit 1; }
run cat --json --each --capture-order --skip-damaged "$T/bad.pcapng"
[[ $(wc -l <"$T/out") == $((283 + 427)) ]] || { echo "$(wc -l <"$T/out") records with --skip-damaged"; exit 1; }
# an export file keeps what was written before the damage
rc=0; "$R" export --raw "$T/bad.pcapng" "$T/part.raw" 2>/dev/null || rc=$?
"$R" export --raw --skip-damaged "$T/cut.pcapng" "$T/cut.raw" 2>/dev/null || true
[[ $rc == 1 ]] && cmp "$T/cut.raw" "$T/part.raw"
# verify: every damaged part, with or without the flag
for flag in "" --skip-damaged; do
	run verify $flag "$T/bad.pcapng"
	[[ $rc == 1 ]] && one_error "verify $flag" && grep -q ": damaged: 710 records readable" "$T/out"
done
# the flag is in every reading command's help
for c in cat tree follow ps export report diff filter info pull merge verify recover; do
	"$R" "$c" --help | grep -q -- --skip-damaged || { echo "$c --help: no --skip-damaged"; exit 1; }
done
echo "skip-damaged: ok"

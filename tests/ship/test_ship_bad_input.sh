#!/usr/bin/env bash
# A stream holding what aa-capture never sends: a foreign message in a
# session, a damaged chunk, a missing chunk (a gap), a chunk sent twice,
# messages without aa's headers. Each session is published from the
# committed recording (tests/fixtures/live.pcapng, chunks 0..7: META,
# RECORDS 1-5 with 339, 287, 38, 5, 39 records, STATS, END) chunk by chunk
# as aa-capture ships it. Replay names the host, the session and the chunk
# (or stream message) in one line, exit 1: without --skip-damaged it stops
# there, every record before it read and none after; with it it goes on and
# reads the rest. verify reports every damaged part either way.
source tests/ship/ship_lib.sh
nats_setup 1
nats_start_all
URL=$(nats_url AABAD)
port=${CPORT[1]}
FIX=tests/fixtures/live.pcapng
# the stream, as aa-capture --ship would make it
python3 - "$port" <<'PY'
import json, sys
sys.path.insert(0, "tests/ship")
import natsctl
n = natsctl.Nats(int(sys.argv[1]))
r = json.loads(n.request("$JS.API.STREAM.CREATE.AABAD", json.dumps(
    {"name": "AABAD", "subjects": ["aa.>"], "storage": "file", "num_replicas": 1,
     "duplicate_window": 3600 * 10**9}).encode()))
assert "error" not in r or r["error"]["err_code"] == 10058, r  # 10058: exists
PY
sess() { printf '%032x' "$1"; }
ship() { local n=$1; shift; $NATSCTL ship "$port" "aa.web-1.$(sess "$n")" "$FIX" "$@"; }
ship 1                       # good
ship 2 --foreign-after 2     # a foreign message after chunk 2
ship 3 --damage 3            # chunk 3 altered
ship 4 --skip 2              # chunk 2 never arrived
ship 5 --twice 4             # chunk 4 twice (past the de-duplication)
ship 6 --no-headers          # no Aa-* headers: the chunks alone say what they are
ship 7 --foreign-before 0    # a foreign message first, before META

"$build/aa-replay" export --raw "$FIX" "$T/whole.raw"
want=$(xxhsum -H64 <"$T/whole.raw" | cut -d' ' -f1)
check() { # session, expected exit, expected records[, parts skipped as damaged[, records before]]
	local s; s=$(sess "$1")
	rc=0
	"$build/aa-replay" verify --session "$s" "$URL" >"$T/out" 2>"$T/err" || rc=$?
	echo "session $1: exit $rc: $(cat "$T/out")"
	sed 's/^/    /' "$T/err"
	[[ $rc == "$2" ]] || { echo "exit $rc, want $2"; exit 1; }
	# what was skipped is counted
	[[ -z ${4:-} ]] || grep -F ", $4 damaged parts" "$T/out"
	n=$({ "$build/aa-replay" cat --json --skip-damaged --session "$s" "$URL" 2>/dev/null || true; } | wc -l)
	[[ $n == "$3" ]] || { echo "$n records read, want $3"; exit 1; }
	[[ -n ${5:-} ]] || return 0
	# without --skip-damaged: stops at the damaged part, with the same line
	for cmd in "cat --json --each --capture-order" "export --raw"; do
		out=()
		[[ $cmd == cat* ]] || out=(-)
		rc=0
		"$build/aa-replay" $cmd --session "$s" "$URL" "${out[@]}" >"$T/stopped" 2>"$T/err1" || rc=$?
		[[ $rc == 1 ]] || { echo "$cmd: exit $rc"; cat "$T/err1"; exit 1; }
		[[ $(wc -l <"$T/err1") == 1 ]] && grep -qxF -f "$T/err1" "$T/err" ||
			{ echo "$cmd: stderr:"; cat "$T/err1"; exit 1; }
		if [[ $cmd == cat* ]]; then
			n=$(wc -l <"$T/stopped")
		else # the raw stream: the first records of the recording, byte for byte
			n=$(python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(); a=n=0
while a<len(d): a+=4+struct.unpack_from("<I",d,a)[0]; n+=1
print(n)' "$T/stopped")
			cmp -s "$T/stopped" <(head -c "$(stat -c %s "$T/stopped")" "$T/whole.raw") ||
				{ echo "export: not the recording's first records"; exit 1; }
		fi
		[[ $n == "$5" ]] || { echo "$cmd: $n records before the damage, want $5"; exit 1; }
	done
}
name="$URL/web-1"
check 1 0 708
check 2 1 708 1 $((339 + 287))
grep -F "$name/$(sess 2): " "$T/err" | grep -F "stream message" | grep -F "is not a chunk of this session: after chunk 2 of file 0"
[[ $({ "$build/aa-replay" export --raw --skip-damaged --session "$(sess 2)" "$URL" - 2>/dev/null || true; } |
	xxhsum -H64 | cut -d' ' -f1) == "$want" ]]
check 3 1 670 1 $((339 + 287))
grep -F "$name/$(sess 3): " "$T/err" | grep -E "chunk 3: .*(crc32|checksum)"
check 4 1 421 1 339
grep -F "$name/$(sess 4): " "$T/err" | grep -F "chunk 3 where chunk 2 was due"
check 5 0 708
check 6 0 708
check 7 1 708 1 0
grep -F "$name/$(sess 7): " "$T/err" | grep -F "is not a chunk of this session: no pcapng block"
# pull: stops at the foreign message (what came before it written), or with
# --skip-damaged leaves it out and writes the rest
for flag in "" --skip-damaged; do
	rc=0
	"$build/aa-replay" pull $flag --session "$(sess 2)" "$URL" "$T/pull$flag" >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/out" "$T/err"
	[[ $rc == 1 && $(grep -c "is not a chunk of this session" "$T/err") == 1 ]]
	grep -F "$(sess 2)-0000.pcapng: $([[ -n $flag ]] && echo 8 || echo 3) chunks" "$T/out"
done
cmp "$T/pull--skip-damaged/web-1/aa-$(sess 2)-0000.pcapng" "$FIX"
# all of them at once: one pass, each problem named, every readable record read
n=$({ "$build/aa-replay" cat --json --skip-damaged "$URL" 2>"$T/err" || true; } | wc -l)
[[ $n == $((708 * 5 + 670 + 421)) ]] || { echo "$n records"; exit 1; }
[[ $(grep -c "$name/" "$T/err") -ge 3 ]]
echo "bad input: ok"

#!/usr/bin/env bash
# The Wireshark dissector cannot drift from format/events.h: a record of
# every type of AA_RECORD_TYPES (and one of a size none has) exported with
# --pcapng and read by tshark with build/aa.lua shows each type by its name
# and size, and every field that events.h pins with AA_ASSERT_AT as
# aa.<type>.<field> at exactly that byte offset (tshark's PDML "pos");
# records with impossible content are invalid exactly when libaa says so.
set -euo pipefail
build=${AA_BUILD:-build}
lua=$build/aa.lua
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
[ -f "$lua" ] || { echo "$lua is not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# tshark reads no one's settings or personal plugins but its own
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config

# One zeroed record of each size in AA_RECORD_TYPES, then 7 bytes of no type.
types=$(sed -n 's/^[[:space:]]*X(\([a-z_]*\), [A-Z_]*, \([0-9]*\)).*/\1 \2/p' format/events.h)
[ "$(printf '%s\n' "$types" | wc -l)" -ge 9 ] || { echo "AA_RECORD_TYPES not read from events.h"; exit 1; }
python3 - "$tmp/in.raw" $(printf '%s\n' "$types" | awk '{print $2}') <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    for size in [int(s) for s in sys.argv[2:]] + [7]:
        rec = bytearray(size)
        if size >= 16:
            rec[8:12] = struct.pack("<I", 4242)  # a pid where most layouts have it
        f.write(struct.pack("<I", size) + rec)
PY
"$build/aa-capture" -q -r "$tmp/in.raw" -w "$tmp/cap.pcapng"
"$build/aa-replay" export --pcapng "$tmp/cap.pcapng" "$tmp/rec.pcapng"
tshark -X lua_script:"$lua" -r "$tmp/rec.pcapng" -T pdml 2>"$tmp/err" >"$tmp/pdml"
if [ -s "$tmp/err" ] && grep -v 'Running as user' "$tmp/err" | grep -q .; then
	echo "tshark said:"; cat "$tmp/err"; exit 1
fi
grep -qi 'malformed' "$tmp/pdml" && { echo "a malformed packet"; exit 1; }

# Each type by its size, in its place (packet N is type N-1), then the unknown one.
n=0
while read -r name size; do
	n=$((n + 1))
	got=$(tshark -X lua_script:"$lua" -r "$tmp/rec.pcapng" -Y "frame.number == $n" -T fields \
		-e aa.type -e aa.size 2>/dev/null)
	[ "$got" = "$name	$size" ] || { echo "packet $n: '$got', want '$name	$size'"; exit 1; }
done <<<"$types"
got=$(tshark -X lua_script:"$lua" -r "$tmp/rec.pcapng" -Y "frame.number == $((n + 1))" -T fields \
	-e aa.type -e aa.size -e _ws.expert.message 2>/dev/null)
[ "$got" = "unknown	7	Record of unknown size 7" ] || { echo "unknown record: '$got'"; exit 1; }

# Every AA_ASSERT_AT(aa_<type>_event, field, offset) of events.h, in the PDML.
checked=0
while read -r type field off; do
	case $field in _pad*) continue ;; esac
	if ! grep -q "<field name=\"aa\.$type\.$field\" [^>]*pos=\"$off\"" "$tmp/pdml"; then
		echo "aa.$type.$field is not at offset $off:"
		grep "name=\"aa\.$type\.$field\"" "$tmp/pdml" | head -n 2
		exit 1
	fi
	checked=$((checked + 1))
done < <(sed -n 's/^AA_ASSERT_AT(aa_\([a-z_]*\)_event, \([a-z_0-9]*\), \([0-9]*\));.*/\1 \2 \3/p' format/events.h)
[ "$checked" -ge 60 ] || { echo "only $checked AA_ASSERT_AT lines read from events.h"; exit 1; }

# Records of known sizes with impossible content, told apart as libaa's
# parser tells them (aa-replay cat --json: "error"), and valid neighbours.
python3 - "$tmp/bad.raw" <<'PY'
import struct, sys
def rec(size, *sets):
    r = bytearray(size)
    for off, fmt, v in sets:
        struct.pack_into(fmt, r, off, v)
    return r
recs = [
    rec(4128, (24, "<B", 2)),                       # tls direction 2
    rec(4128, (16, "<I", 10), (20, "<I", 1)),       # tls piece 1 of 10 bytes
    rec(4128, (16, "<I", 5000), (20, "<I", 1)),     # tls piece 1 of 5000 bytes: valid
    rec(296, (16, "<I", 5)),                        # file with a fileop syscall
    rec(296, (16, "<I", 4)),                        # file rename: valid
    bytearray(b"A" * 792),                          # exec without a NUL
    rec(176, (28, "<B", 5)),                        # task kind 5
    rec(176, (28, "<B", 4)),                        # task exec_failed: valid
    rec(1056, (29, "<B", 4)),                       # string flag 4
    rec(1056, (16, "<I", 10), (24, "<I", 2)),       # string piece 2 of 10 bytes
    rec(1056, (16, "<I", 2000), (24, "<I", 1)),     # string piece 1 of 2000 bytes: valid
    rec(80, (31, "<B", 3)),                         # tls_conn direction 3
    rec(320, (16, "<I", 19)),                       # fileop syscall 19
    rec(320, (16, "<I", 18), (56, "<I", 2)),        # fileop mark 2
    rec(320, (16, "<I", 18), (56, "<I", 1)),        # fileop rmdir, unlinked: valid
    rec(200, (46, "<B", 2)),                        # net syscall 2
]
with open(sys.argv[1], "wb") as f:
    for r in recs:
        f.write(struct.pack("<I", len(r)) + r)
PY
"$build/aa-capture" -q -r "$tmp/bad.raw" -w "$tmp/bad.pcapng"
"$build/aa-replay" export --pcapng "$tmp/bad.pcapng" "$tmp/bad-rec.pcapng"
want=$("$build/aa-replay" cat --json --each --capture-order "$tmp/bad.pcapng" |
	python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    e = r.get("error")  # a task record has an errno of its own by that name
    print(r["type"], e if isinstance(e, str) else "-")')
got=$(tshark -X lua_script:"$lua" -r "$tmp/bad-rec.pcapng" -T fields -e aa.type -e aa.invalid 2>/dev/null |
	awk -F'\t' '{print $1 " " ($2 == "" ? "-" : $2)}')
[ "$got" = "$want" ] || { echo "invalid records: aa.lua says"; echo "$got"; echo "libaa says"; echo "$want"; exit 1; }
[ "$(grep -c ' AA_REC_' <<<"$want")" = 11 ] || { echo "libaa found $(grep -c ' AA_REC_' <<<"$want") invalid, want 11:"; echo "$want"; exit 1; }
echo "aa.lua: $n record types by size, the unknown one, $checked pinned offsets as in events.h, 11 invalid records as libaa"

#!/usr/bin/env bash
# The Wireshark dissector cannot drift from format/events.h: a record of
# every type of AA_RECORD_TYPES (and one of a size none has) exported with
# --pcapng and read by tshark with build/aa.lua shows each type by its name
# and size, and every field that events.h pins with AA_ASSERT_AT as
# aa.<type>.<field> at exactly that byte offset (tshark's PDML "pos").
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
echo "aa.lua: $n record types by size, the unknown one, $checked pinned offsets as in events.h"

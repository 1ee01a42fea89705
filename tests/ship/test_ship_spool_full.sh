#!/usr/bin/env bash
# A full spool drops, counts and says so, never silently: with no server
# and --spool-max small, RECORDS chunks that do not fit are dropped, their
# records counted per type as drops in the files' STATS (info shows them,
# in the local file and later in the stream), aa-capture says how many and
# exits 3; META, STATS and END chunks are still kept. Once a server is up,
# the next aa-capture sends what the spool kept, and replay names the gaps.
# Also the usage errors of the shipping options.
source tests/ship/ship_lib.sh
nats_setup 1
raw_fixture "$T/live.raw"
URL=$(nats_url AAFULL)
mkdir -m 0700 "$T/out"

rc=0
slow_raw "$T/live.raw" 20 0.02 |
	"$build/aa-capture" -r - -w "$T/out/f.pcapng" --flush-ms 10 --ship "$URL" \
		--spool "$T/spool" --spool-max 0.004 --ship-wait 0.2 2>"$T/cap.err" || rc=$?
cat "$T/cap.err"
[[ $rc == 3 ]] || { echo "exit $rc, want 3"; exit 1; }
read -r dropped records < <(sed -n 's/.* \([0-9]*\) dropped (\([0-9]*\) records) by a full spool.*/\1 \2/p' "$T/cap.err")
((dropped > 0 && records > 0)) || { echo "nothing dropped"; exit 1; }
grep -F "chunks not acknowledged yet: kept in $T/spool" "$T/cap.err"
# the file has every record, and its statistics count the dropped ones
"$build/aa-replay" info --json "$T/out/f.pcapng" | python3 -c '
import json, sys
j = json.load(sys.stdin)
want = int(sys.argv[1])
assert j["records"] == 708, j["records"]
assert j["dropped"] == want, (j["dropped"], want)
assert sum(j["drops_by_type"].values()) == want, j["drops_by_type"]' "$records"
kept=$(ls "$T/spool" | grep -c '\.chunk$')
((kept >= 2)) || { echo "the spool kept $kept chunks"; exit 1; }

# the server comes: the kept chunks go; the stream says what is missing
nats_start_all
: >"$T/empty.raw"
"$build/aa-capture" -q -r "$T/empty.raw" -w "$T/out/g.pcapng" --ship "$URL" --spool "$T/spool" || true
[[ -z $(ls -A "$T/spool") ]]
echo "stream: $(stream_subjects AAFULL | tr '\n' ' ')"
rc=0
"$build/aa-replay" info --json --skip-damaged "$URL" >"$T/info.json" 2>"$T/info.err" || rc=$?
[[ $rc == 1 ]]
grep -F "where chunk" "$T/info.err" | head -3
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["dropped"] == int(sys.argv[2]), (j["dropped"], sys.argv[2])
assert j["records"] + j["dropped"] == 708, j' "$T/info.json" "$records"

# usage: exit 2, one line each
for args in "--spool $T/s2" "--ship http://x/S" "--ship nats://127.0.0.1:1/a.b" \
	"--ship nats://127.0.0.1:1/S --spool-max 0" "--ship nats://127.0.0.1:1/S -z true"; do
	rc=0
	# shellcheck disable=SC2086
	"$build/aa-capture" -r "$T/empty.raw" $args 2>"$T/u.err" || rc=$? # (no -w: no -z either)
	[[ $rc == 2 ]] || { echo "$args: exit $rc"; cat "$T/u.err"; exit 1; }
	head -1 "$T/u.err"
done
echo "spool full: ok"

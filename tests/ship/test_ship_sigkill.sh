#!/usr/bin/env bash
# aa-capture killed with SIGKILL while its chunks wait in the --spool (the
# server down): the next aa-capture with the same spool sends them first,
# in order, and the stream holds the killed session exactly as its local
# file (cut at its last whole chunk); the spool is empty after. A spool
# sent a second time (chunks already stored) doubles nothing: the stream
# de-duplicates by message id.
source tests/ship/ship_lib.sh
nats_setup 1
raw_fixture "$T/live.raw"
URL=$(nats_url AAKILLED)
mkdir -m 0700 "$T/out"

# 1. the server is down: chunks go to the spool; killed mid-way
mkfifo "$T/fifo"
slow_raw "$T/live.raw" 10 0.05 >"$T/fifo" &
feeder=$!
"$build/aa-capture" -q -r "$T/fifo" -w "$T/out/killed.pcapng" --flush-ms 30 --ship "$URL" \
	--spool "$T/spool" &
cap=$!
# killed once some chunks wait in the spool (not after a fixed time: under
# ASan the start alone can take a second), well before the input ends (3.5 s)
for _ in $(seq 150); do
	(($(ls "$T/spool" 2>/dev/null | grep -c '\.chunk$') > 5)) && break
	sleep 0.05
done
kill -KILL "$cap"
wait "$cap" || true
kill "$feeder" 2>/dev/null || true
wait "$feeder" 2>/dev/null || true # (its broken pipe)
spooled=$(ls "$T/spool" | grep -c '\.chunk$' || true)
echo "spooled at the kill: $spooled"
((spooled > 5)) || { echo "too few chunks spooled"; exit 1; }
# one file per chunk, named by its place, session, file and chunk number
bad=$(ls "$T/spool" | grep -vE '^[0-9]{16}-[0-9a-f]{32}-0-[0-9]+\.chunk$' || true)
[[ -z $bad ]] || { echo "spool file names: $bad"; exit 1; }
cp -a "$T/spool" "$T/spool.copy"

# 2. the server up, a new capture with the same spool: the old chunks go first
nats_start_all
head -c 1000 "$T/live.raw" >"$T/small.raw" # a few whole records, then a cut one
"$build/aa-capture" -q -r "$T/small.raw" -w "$T/out/next.pcapng" --ship "$URL" --spool "$T/spool" || true
[[ -z $(ls -A "$T/spool") ]] || { echo "the spool is not empty"; ls "$T/spool"; exit 1; }
stream_subjects AAKILLED | tee "$T/subjects"
[[ $(wc -l <"$T/subjects") == 2 ]]
killed_session=$(python3 - "$T/spool.copy" <<'PY'
import os, sys
d = sys.argv[1]
f = sorted(x for x in os.listdir(d) if x.endswith(".chunk"))[0]
print(open(os.path.join(d, f), "rb").read().split(b"\n")[1].decode().split(".")[2])
PY
)
count=$(awk -v s="$killed_session" '$1 ~ s {print $2}' "$T/subjects")
[[ $count == "$spooled" ]] || { echo "the stream holds $count chunks of the killed session, the spool had $spooled"; exit 1; }
# the killed session in the stream: exactly what was spooled, in order
python3 - "$T/spool.copy" >"$T/spooled.bin" <<'PY'
import os, sys
d = sys.argv[1]
for f in sorted(x for x in os.listdir(d) if x.endswith(".chunk")):
    sys.stdout.buffer.write(open(os.path.join(d, f), "rb").read().split(b"\n", 3)[3])
PY
"$build/aa-replay" pull --session "$killed_session" "$URL" "$T/pulled" >/dev/null
cmp "$T/spooled.bin" "$T/pulled/"*/"aa-$killed_session-0000.pcapng"
# and its records, those of its local file up to where the kill cut the
# spool (the file may hold one chunk more: written, not yet spooled)
"$build/aa-replay" export --raw --session "$killed_session" "$URL" "$T/from-stream.raw" || true
"$build/aa-replay" export --raw "$T/out/killed.pcapng" "$T/from-file.raw" || true
[[ -s $T/from-stream.raw ]]
cmp -n "$(stat -c %s "$T/from-stream.raw")" "$T/from-stream.raw" "$T/from-file.raw"
# its file has no END chunk: the stream's copy is said to be unclosed too
rc=0; "$build/aa-replay" verify --session "$killed_session" "$URL" >/dev/null 2>"$T/verify.err" || rc=$?
[[ $rc == 1 ]] && grep -F "no END chunk" "$T/verify.err"

# 3. the same spool sent again: every chunk already stored, nothing doubled
rm -rf "$T/spool" && mv "$T/spool.copy" "$T/spool"
"$build/aa-capture" -r "$T/small.raw" -w "$T/out/again.pcapng" --ship "$URL" --spool "$T/spool" 2>"$T/again.err" || true
grep -E "aa-capture: --ship: [0-9]+ chunks .* acknowledged, $spooled of them already stored" "$T/again.err"
count2=$(stream_subjects AAKILLED | awk -v s="$killed_session" '$1 ~ s {print $2}')
[[ $count2 == "$count" ]] || { echo "resent: $count2 messages, were $count"; exit 1; }
echo "killed capture: ok"

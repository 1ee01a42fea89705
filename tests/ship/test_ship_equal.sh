#!/usr/bin/env bash
# aa-capture --ship to a real 3-node JetStream cluster: the stream holds
# every chunk once, made with 3 replicas; what replay reads from it equals
# the local file byte for byte (export --raw and its digest, verify, info),
# aa-replay pull writes the file back byte for byte; --ship without -w
# ships the same records; --host and --session select sessions.
source tests/ship/ship_lib.sh
nats_setup 3
nats_start_all
raw_fixture "$T/live.raw"
URL=$(nats_url AAEQ)
mkdir -m 0700 "$T/out"

"$build/aa-capture" -q -r "$T/live.raw" -w "$T/out/a.pcapng" --flush-ms 50 --ship "$URL"
# the stream was made with 3 replicas (3 servers known), holding every chunk once
curl -sf "http://127.0.0.1:${MPORT[1]}/jsz?streams=true&config=true" | python3 -c '
import json, sys
j = json.load(sys.stdin)
s = [s for a in j["account_details"] for s in a["stream_detail"] if s["name"] == "AAEQ"][0]
assert s["config"]["num_replicas"] == 3, s["config"]
assert s["config"]["subjects"] == ["aa.>"], s["config"]'
chunks=$(file_chunks "$T/out/a.pcapng")
read -r subj count < <(stream_subjects AAEQ)
host=$(hostname | sed 's/[^A-Za-z0-9_-]/_/g')
[[ $subj == aa.$host.* ]] || { echo "subject $subj"; exit 1; }
[[ $count == "$chunks" ]] || { echo "stream holds $count messages, the file $chunks chunks"; exit 1; }
session=${subj##*.}

# the same records, byte for byte, and the same digest as the file's END
cmp <("$build/aa-replay" export --raw "$T/out/a.pcapng" -) <("$build/aa-replay" export --raw "$URL" -)
d=$(digest_of "$T/out/a.pcapng")
"$build/aa-replay" verify "$URL" | grep -F "intact: 708 records" | grep -F "digest $d good"
"$build/aa-replay" cat --json "$URL" | cmp - <("$build/aa-replay" cat --json "$T/out/a.pcapng")
"$build/aa-replay" info "$URL" | grep -E '^Intact: +yes'
# --since/--until (an offset from the first record too) and follow, as from the file
cmp <("$build/aa-replay" cat --since +0.3s --until +2.5s "$URL") \
	<("$build/aa-replay" cat --since +0.3s --until +2.5s "$T/out/a.pcapng")
[[ $("$build/aa-replay" cat --since +0.3s --until +2.5s "$URL" | wc -l) -gt 10 ]]
cmp <("$build/aa-replay" follow "$URL") <("$build/aa-replay" follow "$T/out/a.pcapng")
"$build/aa-replay" info "$URL" | grep -F "File:           $URL"

# pull: the file again, byte for byte
"$build/aa-replay" pull "$URL" "$T/pulled" | grep -F "aa-$session-0000.pcapng: $chunks chunks"
cmp "$T/out/a.pcapng" "$T/pulled/$host/aa-$session-0000.pcapng"

# a rotated set (-C): each file of the session pulled back byte for byte
mkdir -m 0700 "$T/rot"
slow_raw "$T/live.raw" 50 0.02 |
	"$build/aa-capture" -q -r - -w "$T/rot/r.pcapng" -C 0.004 --flush-ms 20 --ship "$URL"
nfiles=$(ls "$T/rot" | grep -c '^r\.pcapng')
((nfiles >= 3)) || { echo "only $nfiles files"; exit 1; }
rs=$(stream_subjects AAEQ | awk '{print $1}' | grep -v "$session" | sed 's/.*\.//')
"$build/aa-replay" pull --session "$rs" "$URL" "$T/rpulled" >/dev/null
for i in $(seq 0 $((nfiles - 1))); do
	f=$T/rot/r.pcapng; ((i)) && f=$f$i
	cmp "$f" "$T/rpulled/$host/aa-$rs-$(printf %04d "$i").pcapng"
done
[[ $(ls "$T/rpulled/$host" | wc -l) == "$nfiles" ]]
"$build/aa-replay" verify --session "$rs" "$URL" | grep -F "intact: 708 records"
# (the rotated session is dropped from the stream for the checks below)
python3 - "${CPORT[1]}" "aa.$host.$rs" <<'PY'
import json, sys
sys.path.insert(0, "tests/ship")
import natsctl
n = natsctl.Nats(int(sys.argv[1]))
r = json.loads(n.request("$JS.API.STREAM.PURGE.AAEQ", json.dumps({"filter": sys.argv[2]}).encode()))
assert r.get("success"), r
PY

# without -w: no file, the same records shipped as a second session
(cd "$T/out" && "$OLDPWD/$build/aa-capture" -q -r "$T/live.raw" --ship "$URL")
[[ $(ls "$T/out") == a.pcapng ]] || { echo "a file was written without -w"; ls "$T/out"; exit 1; }
[[ $(stream_subjects AAEQ | wc -l) == 2 ]]
second=$(stream_subjects AAEQ | awk '{print $1}' | grep -v "$session" | sed 's/.*\.//')
[[ $(digest_of --session "$second" "$URL") == "$d" ]]
# both sessions, oldest first: the records twice
[[ $("$build/aa-replay" export --raw "$URL" - | wc -c) == $((2 * $(stat -c %s "$T/live.raw"))) ]]
# --session picks one; --host another host's: none, said in one line (exit 2)
[[ $("$build/aa-replay" export --raw --session "${session:0:8}" "$URL" - | wc -c) == $(stat -c %s "$T/live.raw") ]]
# follow and tree take them too
cmp <("$build/aa-replay" follow --session "$session" "$URL") <("$build/aa-replay" follow "$T/out/a.pcapng")
cmp <("$build/aa-replay" tree --host "$host" --session "${session:0:8}" "$URL") \
	<("$build/aa-replay" tree "$T/out/a.pcapng")
rc=0; "$build/aa-replay" cat --host no-such-host "$URL" 2>"$T/err" || rc=$?
[[ $rc == 2 ]] && grep -F "no session of host no-such-host" "$T/err"
echo "ship equal: ok"

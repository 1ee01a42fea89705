#!/usr/bin/env bash
# One node of a 3-node cluster, the stream's leader, is killed (SIGKILL)
# while a capture ships, and started again a moment later: the stream's
# other replicas carry on, and it holds every chunk once, in order: the
# same records and digest as the local file. (About a second without the
# node proves the same as the issue's longer outage.)
source tests/ship/ship_lib.sh
nats_setup 3
nats_start_all
raw_fixture "$T/live.raw"
URL=$(nats_url AAKILL)
mkdir -m 0700 "$T/out"

leader() {
	curl -sf "http://127.0.0.1:${MPORT[$1]}/jsz?streams=true" | python3 -c '
import json, sys
j = json.load(sys.stdin)
for a in j.get("account_details") or []:
    for s in a.get("stream_detail") or []:
        if s["name"] == "AAKILL" and s.get("cluster", {}).get("leader"):
            print(s["cluster"]["leader"][1:])'
}

slow_raw "$T/live.raw" 20 0.05 |
	"$build/aa-capture" -r - -w "$T/out/k.pcapng" --flush-ms 30 --ship "$URL" --ship-wait 30 \
		2>"$T/cap.err" &
cap=$!
# once the stream exists and has a leader: kill that node
for _ in $(seq 1 100); do
	n=$(leader 1 || true)
	[[ -n $n ]] && break
	sleep 0.05
done
[[ -n $n ]] || { echo "the stream got no leader"; exit 1; }
sleep 0.3
nats_kill "$n"
echo "killed node $n (the stream's leader)"
sleep 1
nats_start "$n"
wait "$cap"
cat "$T/cap.err"
grep -E "^aa-capture: --ship: [0-9]+ chunks .* acknowledged" "$T/cap.err"
nats_wait_ready

chunks=$(file_chunks "$T/out/k.pcapng")
((chunks > 20)) || { echo "only $chunks chunks: the capture ended before the kill"; exit 1; }
# each chunk once, in every node's own replica (its monitoring port)
read -r subj count < <(stream_subjects AAKILL)
[[ $count == "$chunks" ]] || { echo "the stream: $count messages, the file $chunks chunks"; exit 1; }
for i in 1 2 3; do
	for _ in $(seq 1 50); do # the restarted node catching up
		m=$(curl -sf "http://127.0.0.1:${MPORT[$i]}/jsz?streams=true" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(sum(s["state"]["messages"] for a in j.get("account_details") or []
          for s in a.get("stream_detail") or [] if s["name"] == "AAKILL"))')
		[[ $m == "$chunks" ]] && break
		sleep 0.1
	done
	[[ $m == "$chunks" ]] || { echo "node $i holds $m messages, the file $chunks chunks"; exit 1; }
done
"$build/aa-replay" verify "$URL" | grep -F "intact: 708 records"
[[ $(digest_of "$URL") == $(digest_of "$T/out/k.pcapng") ]]
cmp <("$build/aa-replay" export --raw "$URL" -) "$T/live.raw"
echo "node killed: ok"

#!/usr/bin/env bash
# The whole 3-node cluster stopped while a capture ships with --spool, and
# started again: chunks wait in the spool meanwhile (seen there), then go
# in order; afterwards the spool is empty and the stream holds every chunk
# once, every record in order. The cluster stays down AA_SHIP_DOWN seconds:
# 2 in make test; make test-long (tests/ship/ship.mk) runs it with 30, the
# feeder then running long enough to keep the load on throughout.
source tests/ship/ship_lib.sh
DOWN=${AA_SHIP_DOWN:-2}
nats_setup 3
nats_start_all
raw_fixture "$T/live.raw"
URL=$(nats_url AADOWN)
mkdir -m 0700 "$T/out"

# 708 records, 10 every DELAY s: the workload outlasts the outage by ~1 s
delay=$(python3 -c "print(max(0.05, ($DOWN + 1) / 71))")
slow_raw "$T/live.raw" 10 "$delay" |
	"$build/aa-capture" -r - -w "$T/out/d.pcapng" --flush-ms 30 --ship "$URL" \
		--spool "$T/spool" --ship-wait 60 2>"$T/cap.err" &
cap=$!
for _ in $(seq 1 100); do
	stream_subjects AADOWN 2>/dev/null | grep -q . && break
	sleep 0.05
done
for i in 1 2 3; do nats_stop "$i"; done
echo "cluster stopped $SECONDS"
sleep 1
spooled=$(ls "$T/spool" | grep -c '\.chunk$' || true)
echo "spooled after 1 s down: $spooled chunks"
sleep $((DOWN - 1))
late=$(ls "$T/spool" | grep -c '\.chunk$' || true)
echo "spooled after $DOWN s down: $late chunks"
((spooled >= 1 && late > 5 && late >= spooled)) || { echo "the spool was not used"; exit 1; }
for i in 1 2 3; do nats_start "$i"; done
nats_wait_ready
echo "cluster started $SECONDS"
wait "$cap"; echo "capture ended $SECONDS"
cat "$T/cap.err"
grep -E "^aa-capture: --ship: [0-9]+ chunks .* acknowledged.* 0 dropped" "$T/cap.err"

left=$(ls -A "$T/spool")
[[ -z $left ]] || { echo "left in the spool: $left"; exit 1; }
chunks=$(file_chunks "$T/out/d.pcapng")
read -r subj count < <(stream_subjects AADOWN)
[[ $count == "$chunks" ]] || { echo "$count messages, the file $chunks chunks"; exit 1; }
"$build/aa-replay" verify "$URL" | grep -F "intact: 708 records"
cmp <("$build/aa-replay" export --raw "$URL" -) "$T/live.raw"
echo "cluster down: ok"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-ship.sh: the shipping figures of `make bench` (no root needed).
#
# A local 3-node nats-server cluster (JetStream, 3 replicas, stores in a
# temporary directory; tests/ship/ship_lib.sh starts and stops it). The
# records: the committed agent session (tests/fixtures/session/
# session-a.pcapng) repeated by build/bench/repeat_session as distinct
# sessions until BENCH_SHIP_MB of raw records. Then, each the best of
# BENCH_RUNS, `aa-capture -r RAW` (records as fast as it can take them):
#   -w FILE                 the capture alone
#   -w FILE --ship URL      the same file, and every chunk published and
#                           acknowledged by the cluster before it exits
#   --ship URL              shipping alone
# Printed: CPU (user+system) per record and its ratio to -w alone, wall
# time, shipping throughput (chunks/s, MB/s of messages, MB/s of raw
# records), and what one host costs the cluster at BENCH_SHIP_RATE records
# per second: messages and bytes per second (at least one message per
# --flush-ms, 1 s, when records are few).
#
# Environment: AA_BUILD (default build), BENCH_RUNS (3), BENCH_SHIP_MB
# (64), BENCH_SHIP_RATE (10000). Exit status: 0, 77 when nats-server is
# missing, or 2 when a step failed.
source tests/ship/ship_lib.sh
RUNS=${BENCH_RUNS:-3}
MB=${BENCH_SHIP_MB:-64}
RATE=${BENCH_SHIP_RATE:-10000}
fail() { echo "bench-ship: $*" >&2; exit 2; }
for f in "$build/aa-capture" "$build/aa-replay" "$build/bench/repeat_session"; do
	[[ -x $f ]] || fail "$f not built (make all tests)"
done

"$build/aa-replay" export --raw tests/fixtures/session/session-a.pcapng "$T/seed.raw" ||
	fail "export of the seed session failed"
"$build/bench/repeat_session" --bytes $((MB << 20)) <"$T/seed.raw" >"$T/bench.raw" ||
	fail "repeat_session failed"
nats_setup 3
nats_start_all
URL=$(nats_url AABENCH)
# the record count of the long stream: from a file written of it
"$build/aa-capture" -q -r "$T/bench.raw" -w "$T/count.pcapng" || fail "aa-capture -w failed"
records=$("$build/aa-replay" info "$T/count.pcapng" | awk '/^Records:/ {print $2}')
chunks=$(file_chunks "$T/count.pcapng")
stored=$(stat -c %s "$T/count.pcapng")
raw=$(stat -c %s "$T/bench.raw")

# best_of NAME ARGS...: the least CPU of RUNS runs of aa-capture -q -r RAW ARGS;
# sets CPU_<NAME> (seconds) and WALL_<NAME> (of that run).
best_of() {
	local name=$1 best="" wall="" i out rc u s e
	shift
	for i in $(seq 1 "$RUNS"); do
		rm -f "$T/out.pcapng"
		out=$(/usr/bin/time -f '%x %U %S %e' "$build/aa-capture" -q -r "$T/bench.raw" "$@" \
			2>&1 >/dev/null | tail -n 1)
		read -r rc u s e <<<"$out"
		[[ $rc == 0 ]] || fail "aa-capture $* exited $rc"
		local cpu; cpu=$(echo "$u + $s" | bc -l)
		if [[ -z $best ]] || (($(echo "$cpu < $best" | bc -l))); then best=$cpu wall=$e; fi
	done
	printf -v "CPU_$name" %s "$best"
	printf -v "WALL_$name" %s "$wall"
}
best_of file -w "$T/out.pcapng"
best_of both -w "$T/out.pcapng" --ship "$URL"
best_of ship --ship "$URL"

# every shipped run arrived whole: sessions of $records records each
sessions=$((2 * RUNS))
got=$("$build/aa-replay" info "$URL" | awk '/^Records:/ {print $2}')
[[ $got == $((sessions * records)) ]] || fail "the stream holds $got records, want $((sessions * records))"

per_rec() { echo "scale=3; $1 * 1000000000 / $records" | bc -l; } # ns per record
ratio() { echo "scale=2; $1 / $CPU_file" | bc -l; }
f3() { printf '%.3f' "$1"; }
echo "bench-ship: $records records ($((raw >> 20)) MB raw) in $chunks chunks ($((stored >> 10)) KiB stored), a 3-node cluster, 3 replicas, best of $RUNS"
printf '  %-26s %10s %8s %9s\n' "aa-capture -r RAW" "CPU ns/rec" "ratio" "wall s"
printf '  %-26s %10.0f %8s %9s\n' "-w FILE" "$(per_rec "$CPU_file")" "1.00" "$WALL_file"
printf '  %-26s %10.0f %8s %9s\n' "-w FILE --ship URL" "$(per_rec "$CPU_both")" "$(ratio "$CPU_both")" "$WALL_both"
printf '  %-26s %10.0f %8s %9s\n' "--ship URL" "$(per_rec "$CPU_ship")" "$(ratio "$CPU_ship")" "$WALL_ship"
echo "  shipping: $(f3 "$(echo "$chunks / $WALL_ship" | bc -l)") chunks/s," \
	"$(f3 "$(echo "$stored / $WALL_ship / 1048576" | bc -l)") MB/s of messages," \
	"$(f3 "$(echo "$raw / $WALL_ship / 1048576" | bc -l)") MB/s of raw records"
msgs=$(echo "$RATE * $chunks / $records" | bc -l)
(($(echo "$msgs < 1" | bc -l))) && msgs=1
echo "  one host at $RATE records/s costs the cluster $(f3 "$msgs") messages/s," \
	"$(f3 "$(echo "$RATE * $stored / $records / 1024" | bc -l)") KiB/s (before its 3 replicas)"

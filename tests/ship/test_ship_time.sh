#!/usr/bin/env bash
# --since/--until on a stream leave out the sessions whose META and END put
# every record outside the window, without reading them: two sessions
# (tests/fixtures/live.pcapng, records 2026-11-25T22:13:09-12Z, and
# session-a.pcapng, 2026-12-03T06:24:56Z), each with its first RECORDS
# chunk damaged; a window around one session reports that session's damage
# only (the other was not read) and prints only its records.
source tests/ship/ship_lib.sh
nats_setup 1
nats_start_all
URL=$(nats_url AATIME)
port=${CPORT[1]}
python3 - "$port" <<'PY'
import json, sys
sys.path.insert(0, "tests/ship")
import natsctl
n = natsctl.Nats(int(sys.argv[1]))
r = json.loads(n.request("$JS.API.STREAM.CREATE.AATIME", json.dumps(
    {"name": "AATIME", "subjects": ["aa.>"], "storage": "file", "num_replicas": 1,
     "allow_direct": True, "duplicate_window": 3600 * 10**9}).encode()))
assert "error" not in r, r
PY
A=tests/fixtures/live.pcapng B=tests/fixtures/session/session-a.pcapng
$NATSCTL ship "$port" "aa.old-host.$(printf '%032x' 1)" "$A" --damage 1
$NATSCTL ship "$port" "aa.new-host.$(printf '%032x' 2)" "$B" --damage 1
# what each session reads without a window (its damaged chunk left out)
recs_from() { { "$build/aa-replay" cat --json --skip-damaged "$@" 2>/dev/null || true; } | wc -l; }
a_ok=$(recs_from --host old-host "$URL")
b_ok=$(recs_from --host new-host "$URL")
[[ $a_ok -gt 0 && $b_ok -gt 0 && $a_ok -lt $(recs_from "$A") && $b_ok -lt $(recs_from "$B") ]]
win() { # what, expected records, the session that must be reported, the one that must not, args...
	local what=$1 want=$2 yes=$3 no=$4 rc=0 n
	shift 4
	"$build/aa-replay" cat --json --skip-damaged "$@" "$URL" >"$T/out" 2>"$T/err" || rc=$?
	n=$(wc -l <"$T/out")
	echo "$what: exit $rc, $n records; $(cat "$T/err")"
	[[ $rc == 1 && $n == "$want" ]] && grep -qF "/$yes/" "$T/err" && ! grep -qF "/$no/" "$T/err"
}
# both read without a window
rc=0; "$build/aa-replay" verify "$URL" >/dev/null 2>"$T/err" || rc=$?
[[ $rc == 1 ]] && grep -qF /old-host/ "$T/err" && grep -qF /new-host/ "$T/err"
win "since" "$b_ok" new-host old-host --since 2026-12-01T00:00:00Z
win "until" "$a_ok" old-host new-host --until 2026-12-01T00:00:00Z
win "window around old-host" "$a_ok" old-host new-host \
	--since 2026-11-25T22:00:00Z --until 2026-11-25T23:00:00Z
# a window that holds neither: nothing printed, no session read but one
rc=0
"$build/aa-replay" cat --since 2026-11-30T00:00:00Z --until 2026-12-01T00:00:00Z "$URL" \
	>"$T/out" 2>"$T/err" || rc=$?
echo "between: exit $rc, $(wc -l <"$T/out") records; $(cat "$T/err")"
[[ ! -s $T/out ]]
echo "time windows: ok"

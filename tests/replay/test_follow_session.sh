#!/usr/bin/env bash
# aa-replay follow on the session fixture (tests/fixtures/session, recorded
# for real): each HTTP/1.1 request's method, path, status and decoded body
# (gzip, brotli, chunked), each server-sent event, the two HTTP/2 streams of
# one connection (the second's headers HPACK-coded against the first's),
# the 10000-byte body joined whole from its 3 pieces; --conn, --pid, --raw,
# --json; the changed variant's other content. No privilege needed.
set -euo pipefail
build=${AA_BUILD:-build}
replay="$build/aa-replay"
dir=tests/fixtures/session
a=$dir/session-a.pcapng
[ -f "$a" ] || { echo "no session fixture"; exit 77; }

check() { # FILE EXPECTED [follow options...]: the JSON messages, summarized
	local file=$1 want=$2; shift 2
	local got
	got=$("$replay" follow --json "$@" "$file" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    k = o["kind"]
    if k == "http":
        h = {n.lower(): v for n, v in o["headers"]}
        b = o["body"]
        if len(b) > 100: b = "%s...%s(%d)" % (b[:12], b[-3:], len(b))
        print(o["proto"], o.get("stream", 0), o["direction"], o["method"] or "", o["path"] or "",
              o["status"] or "", o["encoding"] or "-", h.get("content-type", "-"), b,
              "events" if o["events"] else "")
    elif k == "sse":
        print("sse", o["event"], o["data"])
    else:
        print(k, o.get("note") or o.get("body"))
')
	if [ "$got" != "$want" ]; then
		echo "follow $* $file:"; diff <(echo "$want") <(echo "$got") || true
		exit 1
	fi
}

chat='{"model": "aa-test", "messages": [{"role": "user", "content": "list the files"}]}'
answer='{"id": "chat-1", "choices": [{"message": {"role": "assistant", "content": "run ls"}}]}'
http1="http/1.1 0 write POST /v1/chat  - application/json $chat 
http/1.1 0 read   200 gzip application/json $answer 
http/1.1 0 write GET /v1/stream  - -  
http/1.1 0 read   200 - text/event-stream  events
sse token {\"t\": \"hello\"}
sse None {\"t\": \"world\"}
sse done [DONE]
http/1.1 0 write GET /v1/brotli  - -  
http/1.1 0 read   200 br application/json {\"compressed\": \"brotli\", \"n\": 3} 
http/1.1 0 write POST /v1/files  - application/json {\"data\": \"xx...x\"}(10000) 
http/1.1 0 read   201 - application/json {\"stored\": 10000} "
h2="h2 1 write GET /v1/models  - -  
h2 1 read   200 - - {\"models\": [\"aa-test\"]} 
h2 3 write GET /v1/limits  - -  
h2 3 read   200 - - {\"limits\": {\"rpm\": 60}} "
check "$a" "$http1
$h2"
check $dir/session-b.pcapng "$http1
$h2"
check $dir/session-changed.pcapng "${http1/list the files/list all files}
$h2"

# the connections as tls_conn records name them: one each
h1conn=$("$replay" follow "$a" | awk '/-> 127.0.0.1:24481 /{sub("conn=", "", $2); print $2}')
h2conn=$("$replay" follow "$a" | awk '/-> 127.0.0.1:24480 /{sub("conn=", "", $2); print $2}')
curlpid=$("$replay" follow "$a" | awk '/-> 127.0.0.1:24480 /{sub("pid=", "", $3); print $3}')
[ -n "$h1conn" ] && [ -n "$h2conn" ] && [ "$h1conn" != "$h2conn" ] || { echo "connections: '$h1conn' '$h2conn'"; exit 1; }
check "$a" "$h2" --conn "$h2conn"
check "$a" "$http1" --conn "$h1conn"
check "$a" "$h2" --pid "$curlpid"
"$replay" follow --json --conn "$h2conn" "$a" | python3 -c '
import json, sys
msgs = [json.loads(l) for l in sys.stdin]
assert len(msgs) == 4 and all(m["peer"] == "127.0.0.1:24480" and m["comm"] == "curl" for m in msgs), msgs
'
# both h2 requests on one connection, the second's header block smaller (HPACK state)
"$replay" follow --raw --json --conn "$h2conn" "$a" | python3 -c '
import json, sys, base64
calls = [json.loads(l) for l in sys.stdin]
out = b"".join(base64.b64decode(c["data_b64"]) if "data_b64" in c else c["data"].encode("latin-1") for c in calls if c["direction"] == "write")
assert out.startswith(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), out[:30]
i, sizes = 24, {}
while i + 9 <= len(out):
    n = int.from_bytes(out[i:i+3], "big"); t = out[i+3]; sid = int.from_bytes(out[i+5:i+9], "big") & 0x7fffffff
    if t == 1: sizes[sid] = n
    i += 9 + n
assert set(sizes) == {1, 3} and sizes[3] < sizes[1], sizes
'
# --raw: the 10000-byte request is one call of 3 pieces, whole
"$replay" follow --raw --json --conn "$h1conn" "$a" | python3 -c '
import json, sys
calls = [json.loads(l) for l in sys.stdin]
big = [c for c in calls if c["data_len"] > 8192]
assert len(big) == 1, [c["data_len"] for c in calls]
c = big[0]
assert c["len"] == c["data_len"] and c["lost"] == 0 and c["last"] and c["offset"] == 0, c
assert c["data"].endswith("x" * 9988 + "\"}"), c["data"][-20:]
assert all(x["conn"] == int(sys.argv[1]) for x in calls)
' "$h1conn"
# text: the SSE events one per line, the h2 stream ids
out=$("$replay" follow --conn "$h1conn" "$a")
grep -qF ' < event event="token" data="{\"t\": \"hello\"}"' <<<"$out" || { echo "$out"; exit 1; }
[ "$(grep -c ' < event ' <<<"$out")" = 3 ] || { echo "$out"; exit 1; }
[ "$("$replay" follow --conn "$h2conn" "$a" | grep -c '> h2 stream=[13] GET /v1/')" = 2 ]
echo "follow: session fixture ok"

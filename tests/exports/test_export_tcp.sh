#!/usr/bin/env bash
# export --tcp: the TLS conversations as TCP streams that Wireshark's own
# dissectors read. The session fixture's HTTP/1.1 connection shows its
# four requests and responses (the 10000-byte body whole across three
# pieces) with the recorded addresses and ports, its HTTP/2 connection
# (through aa.lua's prior-knowledge hand-over) both streams' paths and
# statuses; TCP analysis finds nothing wrong (sequence numbers, acks,
# handshake, close). A format 1 recording gets the documented synthetic
# addresses. Bad input: one line, the status, no output left.
set -euo pipefail
build=${AA_BUILD:-build}
replay=$build/aa-replay
lua=$build/aa.lua
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config
fail() { echo "$*"; exit 1; }
ts() { local f=$1; shift; tshark -X lua_script:"$lua" -r "$f" "$@" 2>/dev/null; }

s=tests/fixtures/session/session-a.pcapng
if [ -f "$s" ]; then
	"$replay" export --tcp "$s" "$tmp/a.pcapng"
	[ "$(stat -c %a "$tmp/a.pcapng")" = 600 ] || fail "not 0600"
	[ "$(ts "$tmp/a.pcapng" -Y http.request -T fields -e http.request.method -e http.request.uri)" = \
		"POST	/v1/chat
GET	/v1/stream
GET	/v1/brotli
POST	/v1/files" ] || fail "HTTP/1.1 requests"
	[ "$(ts "$tmp/a.pcapng" -Y http.response -T fields -e http.response.code -e http.content_type)" = \
		"200	application/json
200	text/event-stream
200	application/json
201	application/json" ] || fail "HTTP/1.1 responses"
	[ "$(ts "$tmp/a.pcapng" -Y 'http.request.uri == "/v1/files"' -T fields -e http.content_length -e http.file_data | awk -F'\t' '{print $1, length($2)}')" = \
		"10000 10000" ] || fail "the 10000-byte body"
	[ "$(ts "$tmp/a.pcapng" -Y 'http.request.uri == "/v1/chat"' -T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport)" = \
		"127.0.0.1	36030	127.0.0.1	24481" ] || fail "the recorded addresses and ports"
	[ "$(ts "$tmp/a.pcapng" -Y http2.headers.path -T fields -e http2.headers.path -e tcp.dstport)" = \
		"/v1/models	24480
/v1/limits	24480" ] || fail "HTTP/2 paths"
	[ "$(ts "$tmp/a.pcapng" -Y 'http2.headers.status' -T fields -E occurrence=l -e http2.headers.status -e http2.streamid)" = \
		"200	1
200	3" ] || fail "HTTP/2 statuses"
	[ -z "$(ts "$tmp/a.pcapng" -Y 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning' -T fields -e frame.number)" ] ||
		fail "TCP analysis or expert info: $(ts "$tmp/a.pcapng" -Y 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning')"
	# two streams, each opened (SYN, SYN-ACK) and closed (FIN-ACK both ways)
	[ "$(ts "$tmp/a.pcapng" -Y 'tcp.flags.syn == 1 || tcp.flags.fin == 1' -T fields -e tcp.stream -e tcp.flags.str | sort | uniq -c | awk '{print $1, $2, $3}')" = \
		"1 0 ·······A··S·
2 0 ·······A···F
1 0 ··········S·
1 1 ·······A··S·
2 1 ·······A···F
1 1 ··········S·" ] || fail "handshakes and closes"
	# the bytes of the streams are exactly the TLS plaintext recorded
	want=$("$replay" cat --json --type tls "$s" | python3 -c '
import base64, json, sys
print(sum(len(base64.b64decode(json.loads(l)["payload_b64"])) for l in sys.stdin))')
	got=$(ts "$tmp/a.pcapng" -T fields -e tcp.len | awk '{n += $1} END {print n}')
	[ "$got" = "$want" ] || fail "TCP payload $got bytes, TLS plaintext $want"
fi

# format 1: no addresses recorded; synthetic ones from the documented ranges
"$replay" export --tcp tests/fixtures/live.pcapng "$tmp/l.pcapng"
# s_client (pid 9588) writes first: the client, 192.0.2.1; s_server (9584) reads first: a server, 192.0.2.2
[ "$(ts "$tmp/l.pcapng" -Y 'tcp.len > 0' -T fields -E separator=: -e ip.src -e tcp.srcport | sed 's/:/ /' >/dev/null; ts "$tmp/l.pcapng" -Y 'tcp.len > 0' -T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.payload | awk -F'\t' '{print $1 ":" $2 "\t" $3 ":" $4 "\t" $5}')" = \
	"192.0.2.1:40001	198.51.100.1:443	6669787475726520636c69656e742068656c6c6f0a
198.51.100.2:40002	192.0.2.2:443	6669787475726520636c69656e742068656c6c6f0a
192.0.2.2:443	198.51.100.2:40002	66697874757265207365727665722068656c6c6f0a
198.51.100.1:443	192.0.2.1:40001	66697874757265207365727665722068656c6c6f0a" ] ||
	fail "format 1: synthetic addresses"
[ -z "$(ts "$tmp/l.pcapng" -Y 'tcp.analysis.flags || _ws.malformed' -T fields -e frame.number)" ] || fail "format 1: TCP analysis"

# bad input: a file that is no capture, an output that cannot be made
rc=0; "$replay" export --tcp "$tmp/l.pcapng" "$tmp/x.pcapng" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ ! -e "$tmp/x.pcapng" ] || fail "foreign pcapng: $rc $(cat "$tmp/err")"
rc=0; "$replay" export --tcp tests/fixtures/live.pcapng "$tmp/no/x.pcapng" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "no directory: $rc $(cat "$tmp/err")"
echo "export --tcp: HTTP/1.1 and HTTP/2 read by Wireshark's dissectors, clean TCP analysis, synthetic addresses for format 1"

#!/usr/bin/env bash
# The session fixture (a real agent session: HTTP/1.1 and HTTP/2 over TLS,
# shells, files) through export --pcapng and tshark with aa.lua, packet by
# packet against what libaa says of each record (aa-replay cat --json
# --each, the same order): type, pid, tid, comm, exact argv, whole path,
# exit code, the TLS call's bytes and connection. Then the known answers of
# the session (curl's argv, the failing cat's exit 1 and ENOENT, the
# rename to final.txt, the first request) and the trace: a track per
# process under its parent, exec..exit slices, TLS flows along conn.
set -euo pipefail
build=${AA_BUILD:-build}
replay=$build/aa-replay
lua=$build/aa.lua
dir=tests/fixtures/session
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
ls "$dir"/session-*.pcapng >/dev/null 2>&1 || { echo "skip: no session fixture"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# tshark reads no one's settings or personal plugins but its own
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config
fail() { echo "$*"; exit 1; }

for f in "$dir"/session-*.pcapng; do
	name=$(basename "$f" .pcapng)
	"$replay" export --pcapng "$f" "$tmp/$name.rec"
	"$replay" cat --json --each --capture-order "$f" >"$tmp/$name.jsonl"
	tshark -X lua_script:"$lua" -r "$tmp/$name.rec" -T json -e aa.type -e aa.pid -e aa.tid -e aa.comm \
		-e aa.argv -e aa.path -e aa.new_path -e aa.exit_code -e aa.tls.data -e aa.tls.conn \
		-e aa.syscall -e _ws.malformed -e _ws.expert.message >"$tmp/$name.json" 2>"$tmp/err" ||
		{ cat "$tmp/err"; fail "$name: tshark failed"; }
	python3 - "$tmp/$name.jsonl" "$tmp/$name.json" "$name" <<'PY'
import base64, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
pkts = [p["_source"]["layers"] for p in json.load(open(sys.argv[2]))]
name = sys.argv[3]
if len(recs) != len(pkts):
    sys.exit("%s: %d records, %d packets" % (name, len(recs), len(pkts)))
def one(layers, key):
    v = layers.get(key)
    return v[0] if v else None
def text(s):  # aa.lua's escaping of bytes, as the JSON's exact text was
    return s
checked = {}
for i, (r, p) in enumerate(zip(recs, pkts)):
    where = "%s: packet %d (%s)" % (name, i + 1, r["type"])
    def need(cond, what):
        if not cond:
            sys.exit("%s: %s\n  record %s\n  packet %s" % (where, what, json.dumps(r)[:600], json.dumps(p)[:600]))
    need("_ws.malformed" not in p, "malformed")
    need(one(p, "aa.type") == r["type"], "type")
    need(int(one(p, "aa.pid")) == r["pid"], "pid")
    if "tid" in r:
        need(int(one(p, "aa.tid")) == r["tid"], "tid")
    if r["type"] not in ("string", "tls_conn") and not (r["type"] == "task" and r["kind"] in ("exec", "exit")):
        need(one(p, "aa.comm") == r.get("comm"), "comm %r, libaa %r" % (one(p, "aa.comm"), r.get("comm")))
    if r["type"] == "exec" or (r["type"] == "task" and r.get("argv")):
        if "argv_b64" not in r:
            need(p.get("aa.argv") == r["argv"], "argv")
            checked["argv"] = checked.get("argv", 0) + 1
    if r["type"] in ("file", "fileop") and "path_b64" not in r:
        need(one(p, "aa.path") == r["path"], "path")
        checked["path"] = checked.get("path", 0) + 1
        if r.get("new_path") is not None:
            need(one(p, "aa.new_path") == r["new_path"], "new_path")
    if r["type"] == "exit":
        need(int(one(p, "aa.exit_code")) == r["exit_code"], "exit_code")
        checked["exit"] = checked.get("exit", 0) + 1
    if r["type"] == "tls":
        data = bytes.fromhex((one(p, "aa.tls.data") or "").replace(":", ""))
        need(data == base64.b64decode(r["payload_b64"]), "TLS bytes")
        need(int(one(p, "aa.tls.conn")) == r["conn"], "TLS conn")
        checked["tls"] = checked.get("tls", 0) + 1
for k in ("argv", "path", "exit", "tls"):
    if not checked.get(k):
        sys.exit("%s: nothing of %s checked" % (name, k))
print("%s: %d packets as libaa reads them (%s)" % (name, len(pkts), checked))
PY
done

# The session's known answers, in session-a.
rec=$tmp/session-a.rec
ts() { tshark -X lua_script:"$lua" -r "$rec" "$@" 2>/dev/null; }
curl_pid=$(ts -Y 'aa.type == "exec" && aa.comm == "curl"' -T fields -e aa.pid)
[ -n "$curl_pid" ] || fail "no curl exec"
[ "$(ts -Y "aa.type == \"exec\" && aa.pid == $curl_pid" -T fields -E occurrence=a -E aggregator=' ' -e aa.argv)" = \
	"curl -s --http2 --cacert /tmp/aa-session-tls/cert.pem https://127.0.0.1:24480/v1/models -o /tmp/aa-session/models.json https://127.0.0.1:24480/v1/limits -o /tmp/aa-session/limits.json" ] ||
	fail "curl's argv"
# sh -c 'cat DIR/missing.txt': the shell's pid; it exits with cat's status
cat_pid=$(ts -Y 'aa.type == "exec" && aa.argv == "cat /tmp/aa-session/missing.txt"' -T fields -e aa.pid)
[ -n "$cat_pid" ] || fail "no sh -c 'cat missing.txt'"
[ "$(ts -Y "aa.type == \"exit\" && aa.pid == $cat_pid" -T fields -e aa.exit_code)" = 1 ] || fail "cat's exit 1"
ts -Y 'aa.syscall == "openat" && aa.path == "/tmp/aa-session/missing.txt" && aa.file.return_code == -2' \
	-T fields -e aa.comm | grep -qx cat || fail "cat's openat ENOENT"
[ "$(ts -Y 'aa.syscall == "rename"' -T fields -e aa.comm -e aa.path -e aa.new_path)" = \
	"mv	/tmp/aa-session/out.txt	/tmp/aa-session/final.txt" ] || fail "the rename"
first=$(ts -Y 'aa.type == "tls" && aa.tls.direction == 0' -T fields -e aa.tls.payload)
[ "${first%%$'\n'*}" = 'POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1:24481\r\nContent-Length: 81\r\nContent-Type: application/json\r\nAccept-Encoding: gzip, br\r\n\r\n' ] ||
	fail "the first request: ${first%%$'\n'*}"

# The trace.
"$replay" export --perfetto "$dir/session-a.pcapng" "$tmp/trace.json"
python3 - "$tmp/trace.json" "$curl_pid" "$cat_pid" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
curl, cat = int(sys.argv[2]), int(sys.argv[3])
def need(cond, what):
    if not cond:
        sys.exit("perfetto: " + what)
meta = lambda n: {e["pid"]: e["args"] for e in ev if e["ph"] == "M" and e["name"] == n}
names, labels, order = meta("process_name"), meta("process_labels"), meta("process_sort_index")
need(names[curl]["name"] == "curl" and names[cat]["name"] == "sh", "names %r" % names)
agent = [p for p, a in names.items() if a["name"] == "python3"]
need(len(agent) == 1 and labels[curl]["labels"] == "parent python3 %d" % agent[0], "curl under the agent")
need(order[agent[0]]["sort_index"] < order[curl]["sort_index"], "the agent's track first")
runs = [e for e in ev if e["pid"] == cat and e["ph"] == "X" and e["cat"] == "process"]
# forked by the agent (a python3 run), then sh, which exits with cat's 1
need(len(runs) == 2 and runs[-1]["args"]["exit_code"] == 1, "fork, sh: %r" % runs)
need(runs[0]["name"] == "python3" and runs[0]["args"]["how"] == "fork", "the fork's run")
need(runs[0]["ts"] + runs[0]["dur"] == runs[1]["ts"], "the fork's run ends at the exec")
need(runs[1]["args"]["argv"] == ["sh", "-c", "cat /tmp/aa-session/missing.txt"], "sh's argv")
calls = [e for e in ev if e["ph"] == "I" and e["cat"] == "tls"]
need(len(calls) == 24, "%d TLS calls" % len(calls))  # 26 pieces, one call in 3
flows = [e for e in ev if e["ph"] in "sf"]
need(len(flows) == 2 * 22, "%d flow events" % len(flows))  # each call after the first of its connection
print("perfetto: tracks, runs, %d TLS calls, %d arrows" % (len(calls), len(flows) // 2))
PY
echo "session fixture: every packet as libaa reads it, the known answers, the trace"

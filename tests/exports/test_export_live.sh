#!/usr/bin/env bash
# export --pcapng and --perfetto on the committed live recording, against
# the known answers of tests/fixtures/workload.sh: tshark with aa.lua shows
# the execs' pids, comms and args, the kill -9's exit code 137, the file
# paths, the TLS plaintext, every packet dissected; the trace parses and
# has a track per process, exec..exit slices, file syscall slices with
# their durations, TLS instants. Then bad input, flags and outputs: one
# line, the right status, nothing left behind.
set -euo pipefail
build=${AA_BUILD:-build}
replay=$build/aa-replay
lua=$build/aa.lua
fx=tests/fixtures/live.pcapng
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# tshark reads no one's settings or personal plugins but its own
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config
fail() { echo "$*"; exit 1; }
ts() { tshark -X lua_script:"$lua" -r "$tmp/rec.pcapng" "$@" 2>/dev/null; }

"$replay" export --pcapng "$fx" "$tmp/rec.pcapng"
[ "$(stat -c %a "$tmp/rec.pcapng")" = 600 ] || fail "the export is not 0600"
want=$("$replay" cat --capture-order --each "$fx" | wc -l)
[ "$(ts -T fields -e aa.type | grep -c .)" = "$want" ] || fail "not one dissected packet per record ($want)"
[ "$(ts -T fields -e frame.protocols | sort -u)" = "aa" ] || fail "a packet not dissected as aa"
ts -V | grep -qi malformed && fail "a malformed packet"

# execs: pid, comm, the seed's args; the kill -9's exit is 137
line=$(ts -Y 'aa.type == "exec" && aa.exec.args contains "fixture-kill9"' -T fields -e aa.pid -e aa.comm -e aa.exec.args)
[ "$line" = "9574	sh	sh -c kill -9 \$\$ fixture-kill9" ] || fail "kill -9 exec: '$line'"
[ "$(ts -Y 'aa.type == "exit" && aa.pid == 9574' -T fields -e aa.exit_code -e aa.comm)" = "137	sh" ] ||
	fail "exit of the kill -9"
[ "$(ts -Y 'aa.type == "exit" && aa.pid == 9573' -T fields -e aa.exit_code)" = 3 ] || fail "exit 3"
line=$(ts -Y 'aa.exec.args contains "fixture-argv"' -T fields -e aa.comm -e aa.filename -e aa.exec.args)
[ "$line" = "echo	/bin/echo	/bin/echo fixture-argv two  spaces  end" ] || fail "echo exec: '$line'"

# files: the openat of note.txt (O_WRONLY|O_CREAT|O_TRUNC = 577), the ENOENT, the rename
line=$(ts -Y 'aa.syscall == "openat" && aa.path == "/tmp/aa-fixture/note.txt" && aa.file.flags == 577' \
	-T fields -e aa.pid -e aa.comm -e aa.file.return_code)
[ "$line" = "9567	bash	3" ] || fail "openat note.txt: '$line'"
[ "$(ts -Y 'aa.path == "/tmp/aa-fixture/missing.txt"' -T fields -e aa.syscall -e aa.file.return_code)" = "openat	-2" ] ||
	fail "openat missing.txt"
[ "$(ts -Y 'aa.syscall == "rename"' -T fields -e aa.path -e aa.new_path)" = \
	"/tmp/aa-fixture/note.txt	/tmp/aa-fixture/renamed.txt" ] || fail "rename"

# TLS: the plaintext both ways, with its direction and the bytes exact
got=$(ts -Y 'aa.type == "tls"' -T fields -e aa.pid -e aa.tls.direction -e aa.tls.payload -e aa.tls.data)
want_tls="9588	0	fixture client hello\\n	6669787475726520636c69656e742068656c6c6f0a
9584	1	fixture client hello\\n	6669787475726520636c69656e742068656c6c6f0a
9584	0	fixture server hello\\n	66697874757265207365727665722068656c6c6f0a
9588	1	fixture server hello\\n	66697874757265207365727665722068656c6c6f0a"
[ "$got" = "$want_tls" ] || fail "TLS: '$got'"

# Perfetto: JSON as the Perfetto UI reads it
"$replay" export --perfetto "$fx" "$tmp/trace.json"
python3 - "$tmp/trace.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
def need(cond, what):
    if not cond:
        sys.exit("perfetto: " + what)
for e in ev:
    need(e["ph"] in "XBEIsfM", "phase %r" % e["ph"])
    need(isinstance(e.get("pid"), int), "pid of %r" % e)
    if e["ph"] != "M":
        need(isinstance(e["ts"], (int, float)) and e["ts"] >= 0, "ts of %r" % e)
        need(isinstance(e["tid"], int) and "name" in e, "tid, name of %r" % e)
names = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
need(names.get(9574) == "sh" and names.get(9584) == "openssl" and names.get(9567) == "bash", "process names %r" % names)
order = {e["pid"]: e["args"]["sort_index"] for e in ev if e["name"] == "process_sort_index"}
need(order[9567] < order[9574], "a parent's track after its child's")
labels = {e["pid"]: e["args"]["labels"] for e in ev if e["name"] == "process_labels"}
need(labels[9574] == "parent bash 9567", "label %r" % labels.get(9574))
# the kill -9: a slice from its exec to its exit, the exit code on its end
x = [e for e in ev if e["ph"] == "X" and e["cat"] == "process" and e["pid"] == 9574]
need(len(x) == 1 and x[0]["args"]["exit_code"] == 137, "exec..exit of 9574")
need(x[0]["args"]["args"] == "sh -c kill -9 $$ fixture-kill9", "exec args %r" % x[0]["args"])
need(x[0]["dur"] == 669.817, "exec..exit duration %r" % x[0]["dur"])
# file syscalls: slices of their duration (the openat of note.txt took 77085 ns)
f = [e for e in ev if e["ph"] == "X" and e["args"].get("path") == "/tmp/aa-fixture/note.txt" and e["name"] == "openat"]
need(any(e["dur"] == 77.085 and e["args"]["ret"] == 3 and e["args"]["flags"] == "O_WRONLY|O_CREAT|O_TRUNC" for e in f),
     "openat note.txt slice %r" % f)
need(sum(1 for e in ev if e["ph"] == "X" and e["cat"] == "file") == 665, "one slice per file record")
# TLS: 4 calls as instants, the plaintext in their args; flows in pairs
t = [e for e in ev if e["ph"] == "I" and e["cat"] == "tls"]
need([(e["pid"], e["name"], e["args"]["data"]) for e in t] == [
    (9588, "tls write", "fixture client hello\n"), (9584, "tls read", "fixture client hello\n"),
    (9584, "tls write", "fixture server hello\n"), (9588, "tls read", "fixture server hello\n")], "TLS %r" % t)
s = sorted(e["id"] for e in ev if e["ph"] == "s")
need(s and s == sorted(e["id"] for e in ev if e["ph"] == "f"), "flow starts and finishes")
need(d["otherData"]["aa_start"] == "2026-11-25T22:13:09.000000000Z", "start %r" % d["otherData"])
PY

# Bad input, flags, outputs: one line each, the status, no output left.
expect() { # status output-file command...
	local want=$1 out=$2 rc=0
	shift 2
	"$@" 2>"$tmp/err" >/dev/null || rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" -ge 1 ] || fail "$*: no message"
	grep -q '^aa-replay: ' "$tmp/err" || fail "$*: message '$(cat "$tmp/err")'"
	if [ "$want" = 2 ] && [ -n "$out" ] && [ -e "$out" ]; then fail "$*: left $out behind"; fi
	return 0
}
expect 2 "" "$replay" export --perfetto --pcapng "$fx" "$tmp/x"
expect 2 "" "$replay" export --wireshark "$fx" "$tmp/x"
expect 2 "" "$replay" export --perfetto "$fx"
expect 2 "$tmp/nope.json" "$replay" export --perfetto "$tmp/missing.pcapng" "$tmp/nope.json"
expect 2 "$tmp/notcap.pcapng" "$replay" export --pcapng "$tmp/trace.json" "$tmp/notcap.pcapng"
expect 2 "" "$replay" export --perfetto "$fx" "$tmp/no/such/dir.json"
cp "$tmp/trace.json" "$tmp/keep.json"
expect 2 "" "$replay" export --perfetto "$fx" "$tmp/trace.json"
cmp -s "$tmp/trace.json" "$tmp/keep.json" || fail "an existing output was changed"
if [ -w /dev/full ]; then # a write error: one line, exit 2
	rc=0
	"$replay" export --perfetto "$fx" - >/dev/full 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "a full disk: exit $rc, $(cat "$tmp/err")"
fi
# damaged: a byte of the second chunk flipped: reported, skipped, exit 1, output whole
python3 - "$fx" "$tmp/bad.pcapng" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0xff
open(sys.argv[2], "wb").write(b)
PY
expect 1 "" "$replay" export --perfetto "$tmp/bad.pcapng" "$tmp/bad.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/bad.json" || fail "the damaged file's trace is not JSON"
expect 1 "" "$replay" export --pcapng "$tmp/bad.pcapng" "$tmp/bad-rec.pcapng"
n=$(ts -r "$tmp/bad-rec.pcapng" -T fields -e aa.type | grep -c .)
[ "$n" -gt 0 ] && [ "$n" -lt "$want" ] || fail "the damaged file's packets: $n"

# an export is no capture file: read back, it is refused in one line, exit 2
rc=0; "$replay" cat "$tmp/rec.pcapng" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && [ "$(cat "$tmp/err")" = "aa-replay: $tmp/rec.pcapng: not an aa capture file (pcapng from records exported by aa-replay $("$replay" --version | cut -d' ' -f2) (export --pcapng))" ] ||
	fail "an export read back: exit $rc, $(head -c 300 "$tmp/err")"
echo "live fixture: pcapng through tshark and aa.lua, perfetto JSON, bad input and outputs"

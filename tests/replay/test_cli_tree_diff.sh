#!/bin/bash
# aa-replay tree and diff on real recordings: the fixture workload
# (tests/fixtures/workload.sh's known exits and argv) and the agent
# session recorded three times (tests/fixtures/session/): its process tree
# with argv, exits and TLS counts; two runs of one script alike, the
# changed run different with the change named; bad and damaged inputs.
set -u
. "$(dirname "$0")/../lib/replay_test.sh" || exit 2
need_session
# has TEXT FILE: FILE holds the line fragment TEXT (fixed string)
has() { grep -qF -- "$1" "$2" || { no "no '$1' in:"; cat "$2"; }; }

# --- tree on the workload fixture (format 1: args joined, exit codes as recorded)
"$R" tree "$F" > "$tmp/t" 2> "$tmp/e"; rc=$?
[ $rc = 0 ] || { no "tree live exit $rc"; cat "$tmp/e"; }
has '9567 args="bash tests/fixtures/workload.sh /tmp/aa-fixture" ppid=9561 (not recorded)' "$tmp/t"
has '|-9573 args="sh -c exit 3 fixture-exit3" start=2026-11-25T22:13:09.286979450Z dur=797.406us exit_code=3 ' "$tmp/t"
has '|-9574 args="sh -c kill -9 $$ fixture-kill9" ' "$tmp/t"
grep -F -- '9574 ' "$tmp/t" | grep -qF 'exit_code=137' || no "kill -9 not 137"
grep -F -- '9575 ' "$tmp/t" | grep -qF 'exit_code=143' || no "kill -TERM not 143"
has '|-9576 args="/bin/echo fixture-argv two  spaces  end" ' "$tmp/t"
grep -F -- '9580 args="cat /tmp/aa-fixture/missing.txt"' "$tmp/t" | grep -qF 'exit_code=1 ' || no "missing cat not exit 1"
grep -F -- '9588 ' "$tmp/t" | grep -qF 'tls=2(2 calls)' || no "s_client's TLS not counted"
has '`-9591 args="/bin/true fixture-end"' "$tmp/t"
# a subshell seen only ending (format 1): its children under it, no start made up
grep -A2 -F -- '9583 comm=""' "$tmp/t" | sed -n 2,3p | tr '\n' ' ' |
	grep -qF '|-9586 args="sleep 0.5" start=2026-11-25T22:13:09.706827242Z dur=501.460ms exit_code=0 file=33 tls=0 net=0 `-9590 args="sleep 2.5"' ||
	{ no "the subshell's children:"; cat "$tmp/t"; }
has '9583 comm="" argv unknown ppid unknown start unknown (seen only ending) exit_code=0' "$tmp/t"
[ "$(grep -c '' "$tmp/t")" = "$("$R" ps "$F" | grep -c '')" ] || no "tree and ps count other processes"

# --- tree on the session: the agent at the top, its shells and tools under it
A=$S/session-a.pcapng
"$R" tree "$A" > "$tmp/t" || no "tree session exit $?"
head -n 1 "$tmp/t" | grep -qE '^7754 snapshot argv=\["/usr/bin/python3" "tests/fixtures/session/agent.py" "/tmp/aa-session" "[^"]*"\] ppid=7732 \(not recorded\) .* exit_code=0 file=[0-9]+ tls=19\(17 calls\) net=1$' ||
	{ no "the agent's line:"; head -n 1 "$tmp/t"; }
has '|-7760 argv=["curl" "-s" "--http2" ' "$tmp/t"
grep -F -- '7760 ' "$tmp/t" | grep -qF 'tls=7(7 calls) net=3' || no "curl's TLS and connects"
has '|-7765 argv=["sh" "-c" "cat /tmp/aa-session/missing.txt"]' "$tmp/t"
has '| `-7766 argv=["cat" "/tmp/aa-session/missing.txt"] ' "$tmp/t"
grep -F -- '7766 ' "$tmp/t" | grep -qF ' exit_code=1 ' || no "the failing cat not exit 1"
has '  `-7768 argv=["mv" "/tmp/aa-session/out.txt" "/tmp/aa-session/final.txt"]' "$tmp/t"
[ "$(grep -c '' "$tmp/t")" = 10 ] || no "not 10 processes"

# --pid: the subtree; --json: one object per process with its links
"$R" tree --pid 7765 "$A" > "$tmp/t" || no "tree --pid exit $?"
[ "$(grep -c '' "$tmp/t")" = 2 ] && head -n 1 "$tmp/t" | grep -q '^7765 argv=' &&
	sed -n 2p "$tmp/t" | grep -q '^`-7766 argv=' || { no "--pid 7765:"; cat "$tmp/t"; }
"$R" tree --json "$A" > "$tmp/j" || no "tree --json exit $?"
jq -e -s 'length == 10 and .[0].pid == 7754 and .[0].parent == null and (.[0].children | length) == 5
	and .[0].counts.tls == 19 and .[0].counts.tls_calls == 17
	and ([.[] | select(.pid == 7766)][0] | .exit_code == 1 and .depth == 2 and .argv == ["cat", "/tmp/aa-session/missing.txt"])
	and ([.[] | select(.pid == 7766)][0].parent == ([.[] | select(.pid == 7765)][0].id))' "$tmp/j" > /dev/null ||
	{ no "tree --json:"; cat "$tmp/j"; }
"$R" tree --pid 4 "$A" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 1 ] && grep -q 'no process with pid 4' "$tmp/e" || no "--pid of no process: exit $rc"
"$R" tree > /dev/null 2>&1; [ $? = 2 ] || no "tree without FILE not exit 2"
# several pids: each subtree once, in the tree's order; one inside another's is in it
"$R" tree --pid 7767,7763,7764 "$A" > "$tmp/t" || no "tree --pid 7767,7763,7764 exit $?"
[ "$(cut -d' ' -f1 "$tmp/t" | tr '\n' ' ')" = '7763 `-7764 7767 `-7768 ' ] || { no "--pid 7767,7763,7764:"; cat "$tmp/t"; }
# the finished processes go to a temporary file: none can be made, one line, exit 2
TMPDIR=$tmp/none "$R" tree "$A" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(grep -c '' "$tmp/e")" = 1 ] &&
	grep -qF 'tree: a temporary file (in $TMPDIR, else /tmp): No such file or directory' "$tmp/e" ||
	{ no "tree with TMPDIR missing: exit $rc"; cat "$tmp/e"; }

# --- diff: the same script twice is alike, with only a summary
"$R" diff "$S/session-a.pcapng" "$S/session-b.pcapng" > "$tmp/d" 2> "$tmp/e"; rc=$?
[ $rc = 0 ] || { no "a vs b exit $rc"; cat "$tmp/d" "$tmp/e"; }
[ "$(cat "$tmp/d")" = "aa-replay diff: alike: 10 processes, $(wc -l < <("$R" diff --show "$A")) lines of what happened" ] ||
	{ no "a vs b output:"; cat "$tmp/d"; }
"$R" diff "$A" "$A" > /dev/null || no "a file against itself not alike"

# the changed run: different, the renamed file and the shell's argv named
"$R" diff "$A" "$S/session-changed.pcapng" > "$tmp/d" 2> "$tmp/e"; rc=$?
[ $rc = 1 ] || { no "a vs changed exit $rc"; cat "$tmp/e"; }
has "--- $A" "$tmp/d"
has "+++ $S/session-changed.pcapng" "$tmp/d"
has '-      rename "/tmp/aa-session/out.txt" -> "/tmp/aa-session/final.txt"' "$tmp/d"
has '+      rename "/tmp/aa-session/out.txt" -> "/tmp/aa-session/result.txt"' "$tmp/d"
has '+    process "mv" "/tmp/aa-session/out.txt" "/tmp/aa-session/result.txt"' "$tmp/d"
# the changed request body, under its request line
has '-  body "{\"model\": \"aa-test\", \"messages\": [{\"role\": \"user\", \"content\": \"list the files\"}]}"' "$tmp/d"
has '+  body "{\"model\": \"aa-test\", \"messages\": [{\"role\": \"user\", \"content\": \"list all files\"}]}"' "$tmp/d"
grep -B1 -F -- '-  body "{\"model' "$tmp/d" | head -n 1 | grep -qF '   tls > POST "/v1/chat" (http/1.1)' || no "the body not under its request"
tail -n 1 "$tmp/d" | grep -qE '^aa-replay diff: different: [0-9]+ lines only in ' || no "no summary line"
# -q: the answer alone
"$R" diff -q "$A" "$S/session-changed.pcapng" > "$tmp/d"; rc=$?
[ $rc = 1 ] && [ "$(grep -c '' "$tmp/d")" = 1 ] || no "-q: exit $rc, $(cat "$tmp/d")"
# the file part left out: argv and the two file names ignored, the rest alike
"$R" diff --ignore-field argv,body --ignore-path '/(final|result)\.txt$' "$A" "$S/session-changed.pcapng" > "$tmp/d"; rc=$?
[ $rc = 0 ] || { no "--ignore-path: exit $rc"; cat "$tmp/d"; }
# ignoring the path alone leaves the argv apart
"$R" diff --ignore-path '/(final|result)\.txt$' "$A" "$S/session-changed.pcapng" > "$tmp/d"; rc=$?
[ $rc = 1 ] && ! grep -q 'rename' "$tmp/d" || { no "--ignore-path alone: exit $rc"; cat "$tmp/d"; }

# --- bad input: usage and I/O are 2, and so is a damaged input (no answer)
"$R" diff "$A" > /dev/null 2>&1; [ $? = 2 ] || no "one file not exit 2"
"$R" diff "$A" "$tmp/none.pcapng" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q 'none.pcapng: cannot open' "$tmp/e" || { no "missing file: exit $rc"; cat "$tmp/e"; }
"$R" diff --ignore-path 'a(' "$A" "$A" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q "bad regular expression 'a('" "$tmp/e" || { no "bad regex: exit $rc"; cat "$tmp/e"; }
"$R" diff --ignore-field nonsense "$A" "$A" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q "unknown field 'nonsense'" "$tmp/e" || { no "bad field: exit $rc"; cat "$tmp/e"; }
cp "$A" "$tmp/damaged.pcapng"
printf '\xff\xff\xff\xff' | dd of="$tmp/damaged.pcapng" bs=1 seek=8000 conv=notrunc 2> /dev/null
"$R" diff "$A" "$tmp/damaged.pcapng" > "$tmp/d" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q 'checksum' "$tmp/e" && grep -q 'damaged.pcapng: damaged or incomplete' "$tmp/e" ||
	{ no "damaged: exit $rc"; cat "$tmp/e"; }
head -c 10000 "$A" > "$tmp/cut.pcapng"
"$R" diff "$tmp/cut.pcapng" "$tmp/cut.pcapng" > /dev/null 2> "$tmp/e"; rc=$?
[ $rc = 2 ] || { no "cut file against itself: exit $rc (alike, but of a part)"; cat "$tmp/e"; }
"$R" diff --show "$A" | grep -q '^  process "sh" "-c" "cat /tmp/aa-session/missing.txt"$' || no "--show"
# the 10000-byte request body in 3 pieces: one call, known by its length and hash
"$R" diff --show "$A" | grep -qE '^  body "\{\\"data\\": \\"x+"\.\.\. \(10000 bytes, xxh64 [0-9a-f]{16}\)$' ||
	no "the 10000-byte body"
# the unified diff is a real one: patch(1) turns A's text into B's, and
# its hunks are where GNU diff puts them
if command -v patch > /dev/null; then
	"$R" diff --show "$A" > "$tmp/a.txt"
	"$R" diff --show "$F" > "$tmp/f.txt"
	"$R" diff "$A" "$F" | sed '$d' > "$tmp/u.diff"
	patch -s -o "$tmp/p.txt" "$tmp/a.txt" < "$tmp/u.diff" && cmp -s "$tmp/p.txt" "$tmp/f.txt" ||
		no "the diff of the session and the workload does not patch one text into the other"
	"$R" diff --show "$S/session-changed.pcapng" > "$tmp/c.txt"
	[ "$("$R" diff "$A" "$S/session-changed.pcapng" | grep '^@@' | cut -d@ -f3)" = \
	  "$(diff -u "$tmp/a.txt" "$tmp/c.txt" | grep '^@@' | cut -d@ -f3)" ] || no "hunks not where diff -u puts them"
fi
# HTTP/2 requests of curl, decoded by the follow library
"$R" diff --show "$A" > "$tmp/s"
has '    tls > GET "/v1/models" (h2)' "$tmp/s"
has '    tls > GET "/v1/limits" (h2)' "$tmp/s"
exit $fail

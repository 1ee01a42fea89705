#!/usr/bin/env bash
# --type leaves records out before time order and the evidence stage when
# nothing delivered takes evidence from them (net records; file and fileop
# records when strings are left out too; path strings when file, fileop
# and string records all are; test_evidence holds the path string case).
# What is delivered must not change: for every type alone and some sets,
# `cat --json [--each] --type T` (which carries comm, argv, joins, folded)
# equals the lines of the whole `cat --json [--each]` whose type is in T,
# on the live fixture (format 1: no evidence records) and the session
# fixtures (file, fileop and net records, TLS with tls_conn, tasks with
# argv and exe strings). test_follow_api holds follow to the same.
set -euo pipefail
build=${AA_BUILD:-build}
R=$build/aa-replay
T=$(mktemp -d "${TMPDIR:-/tmp}/aa-typef.XXXXXX")
trap 'rm -rf "$T"' EXIT
[ -x "$R" ] || { echo "$R: not built" >&2; exit 2; }

for each in "" --each; do
for f in tests/fixtures/live.pcapng tests/fixtures/session/session-a.pcapng \
	tests/fixtures/session/session-changed.pcapng; do
	"$R" cat --json $each "$f" > "$T/all.jsonl"
	for types in tls file exec exit task string tls_conn fileop net \
		tls,tls_conn exec,exit,task tls,net string,task file,string task,fileop; do
		"$R" cat --json $each --type "$types" "$f" > "$T/some.jsonl"
		pat=$(printf '"type":"%s",|' ${types//,/ })
		grep -E "^\\{(${pat%|})" "$T/all.jsonl" > "$T/want.jsonl" || true
		if ! cmp -s "$T/some.jsonl" "$T/want.jsonl"; then
			echo "FAIL: $f $each --type $types: not the whole cat's records of those types" >&2
			diff "$T/want.jsonl" "$T/some.jsonl" | head -5 >&2
			exit 1
		fi
		n=$(wc -l < "$T/some.jsonl")
		case $f:$types in
		*:tls|*:file|*session*:fileop|*session*:net|*session*:task)
			[ "$n" -gt 0 ] || { echo "FAIL: $f --type $types: none" >&2; exit 1; } ;;
		*session*:tls_conn|*session*:string) # shown in their records' lines but with --each
			[ "$n" -gt 0 ] || [ -z "$each" ] || { echo "FAIL: $f --type $types: none" >&2; exit 1; } ;;
		esac
	done
done
done

echo "ok"

#!/bin/bash
# AA_RECORD_TYPES (format/events.h) is the one list of record types: this
# proves that the compiler holds every per-type table to it. A copy of the
# sources gets one more type in the list and must then fail to build where
# the type has no check or printer yet, and a type whose size another type
# has must not build at all. The unchanged copy builds (the control).
set -u
cd "$(dirname "$0")/.."
: "${CC:=cc}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aa-types.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# $1: struct body; $2: its list entry. Writes a copy of format/ and replay/ into $tmp/src.
with_type() {
	rm -rf "$tmp/src" && mkdir -p "$tmp/src" && cp -r format replay "$tmp/src/" || exit 1
	[ -z "$1" ] && return
	python3 - "$tmp/src/format/events.h" "$1" "$2" <<'PY' || exit 1
import re, sys
path, body, entry = sys.argv[1:]
s = open(path).read()
# after the list's last entry (the first line of the define not ending in a backslash)
m = re.search(r"#define AA_RECORD_TYPES\(X\)(?:[^\n]*\\\n)*[^\n]*", s)
s = s[:m.end()] + " \\\n\t" + entry + s[m.end():]
# the struct must exist before the list is expanded
s = s.replace("#define AA_X_TYPE_ENUM", body + "\n#define AA_X_TYPE_ENUM", 1)
open(path, "w").write(s)
PY
}

# Compiles one file of the copy; prints the compiler's messages.
build() {
	(cd "$tmp/src" && $CC -std=gnu11 -Wall -Wextra -Werror -Wswitch-enum -D_GNU_SOURCE \
		-Iformat -Ireplay -c "$1" -o "$tmp/out.o" 2>&1)
}

probe='struct aa_probe_event { __u64 timestamp_ns; __u32 pid; __u32 value; __u64 more; };'

with_type "" ""
for f in format/parse.c replay/print.c replay/print_json.c replay/source.c; do
	out=$(build $f) || fail "the unchanged sources do not build ($f): $out"
done

with_type "$probe" "X(probe, PROBE, 24)"
out=$(build format/parse.c) && fail "parse.c built with a type that has no check"
grep -q "check_probe" <<<"$out" || fail "parse.c: no word of check_probe: $out"
for f in replay/print.c replay/print_json.c; do
	out=$(build $f) && fail "$f built with a type that has no printer"
	grep -q "print_probe" <<<"$out" || fail "$f: no word of print_probe: $out"
done
# the dispatch to callbacks and printers is generated: it needs nothing new
out=$(build replay/source.c) || fail "source.c: $out"
out=$(build replay/print_enc.c) || fail "print_enc.c: $out"

with_type "${probe/__u64 more;/}" "X(probe, PROBE, 16)"
out=$(build format/parse.c) && fail "parse.c built with two types of 16 bytes"
grep -q "duplicate case value" <<<"$out" || fail "no duplicate case for the size: $out"

with_type "$probe" "X(probe, PROBE, 32)"
out=$(build format/parse.c) && fail "parse.c built with a size the struct does not have"
grep -q "probe size" <<<"$out" || fail "no size assertion: $out"
echo "ok: a new type must have its check and printers; sizes are unique and asserted"

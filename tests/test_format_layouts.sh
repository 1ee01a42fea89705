#!/usr/bin/env bash
# FORMAT.md section 6 holds the record layouts the project depends on: every
# table row (offset, size, field) must be what format/events.h compiles to,
# every field of every struct in AA_RECORD_TYPES must have its row, and nothing in the
# repository points to a layout document outside it any more.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ntypes=$(grep -cE '^[[:space:]]+X\([a-z_]+, [A-Z_]+, [0-9]+\)' format/events.h)
# "### ...: `struct aa_tls_event`, 4128 bytes" then "| 0 | 8 | timestamp_ns | ..." rows.
awk -v ntypes="$ntypes" '
	/^## / { in6 = ($0 ~ /^## 6\. The records/) }
	in6 && /^### .*`struct aa_[a-z_]+_event`, [0-9]+ bytes/ {
		match($0, /struct aa_[a-z_]+_event/); st = substr($0, RSTART, RLENGTH)
		match($0, /, [0-9]+ bytes/); sz = substr($0, RSTART + 2, RLENGTH - 8)
		printf "AA_STATIC_ASSERT(sizeof(%s) == %s, \"%s size\");\n", st, sz, st
		structs++
	}
	in6 && st != "" && /^\| [0-9]+ \| [0-9]+ \| [a-z_]+ \|/ {
		split($0, c, "|"); off = c[2] + 0; size = c[3] + 0; f = c[4]; gsub(/ /, "", f)
		printf "AA_STATIC_ASSERT(__builtin_offsetof(%s, %s) == %d, \"%s.%s offset\");\n", st, f, off, st, f
		printf "AA_STATIC_ASSERT(sizeof(((%s *)0)->%s) == %d, \"%s.%s size\");\n", st, f, size, st, f
		rows[st] += size
	}
	END {
		if (structs != ntypes) { print "#error FORMAT.md section 6 has " structs + 0 " record tables, not " ntypes; exit }
		# the rows cover each struct whole, but for the padding that makes
		# its size a multiple of 8: no field left out
		for (s in rows) printf "AA_STATIC_ASSERT(sizeof(%s) == %d, \"%s: rows cover it\");\n", s, int((rows[s] + 7) / 8) * 8, s
	}' FORMAT.md > "$tmp/rows.h"
[ "$(grep -c offset "$tmp/rows.h")" -ge 25 ] || { echo "FORMAT.md section 6: too few layout rows:"; cat "$tmp/rows.h"; exit 1; }
printf '#include "events.h"\n#include "rows.h"\n' > "$tmp/check.c"
cc -std=gnu11 -fsyntax-only -Iformat -I"$tmp" "$tmp/check.c" 2>"$tmp/err" ||
	{ echo "FORMAT.md section 6 does not match format/events.h:"; grep -E 'error|assert' "$tmp/err" | head -20; exit 1; }

if grep -rn --exclude-dir=.git --exclude="${0##*/}" 'shared/reference' . ; then
	echo "the lines above point to a layout document outside the repository"
	exit 1
fi
echo "FORMAT.md section 6: $(grep -c offset "$tmp/rows.h") fields of $ntypes records, as events.h has them"

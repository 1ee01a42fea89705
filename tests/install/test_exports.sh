#!/usr/bin/env bash
# libaa.so exports exactly the functions the installed headers declare, and
# libaa.map (the linker's export list) names exactly those: no internal
# symbol a program could come to depend on, no declared function missing.
# Every installed header also compiles on its own with only the installed
# headers on the include path (no internal header needed).
. tests/install/stage.sh

inc="$root/include/aa"
for h in "$inc"/*.h; do
	printf '#include <aa/%s>\n' "${h##*/}" > "$tmp/one.c"
	cc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -nostdinc -isystem /usr/include \
		-isystem "/usr/include/$(cc -dumpmachine)" -isystem "$(cc -print-file-name=include)" \
		-I"$root/include" "$tmp/one.c" 2>"$tmp/err" ||
		{ echo "installed header ${h##*/} does not compile alone:"; cat "$tmp/err"; exit 1; }
done

# The functions the installed headers declare, as the compiler sees them.
for h in "$inc"/*.h; do printf '#include <aa/%s>\n' "${h##*/}"; done > "$tmp/all.c"
cc -I"$root/include" -aux-info "$tmp/aux" -fsyntax-only "$tmp/all.c"
grep -F "/* $inc/" "$tmp/aux" | sed -E 's/ *\(.*//; s/.*[ *]//' | sort -u > "$tmp/declared"

for so in "$build/libaa.so" "$root/lib/libaa.so"; do
	nm -D --defined-only "$so" | awk '$2 ~ /^[TDRBW]$/ {sub(/@.*/, "", $3); print $3}' | sort -u > "$tmp/exported"
	if ! diff -u "$tmp/declared" "$tmp/exported" > "$tmp/diff"; then
		echo "$so: exports differ from the installed headers' functions (- declared only, + exported only):"
		grep '^[-+][a-z]' "$tmp/diff"
		exit 1
	fi
done
sed -n 's/^\t\(aa_[a-z0-9_]*\);$/\1/p' libaa.map | sort > "$tmp/map"
diff -u "$tmp/declared" "$tmp/map" > "$tmp/diff" ||
	{ echo "libaa.map differs from the installed headers' functions:"; grep '^[-+][a-z]' "$tmp/diff"; exit 1; }

n=$(wc -l < "$tmp/declared")
echo "libaa.so exports the $n functions of the installed headers, nothing else"

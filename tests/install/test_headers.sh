#!/usr/bin/env bash
# The installed headers are usable from C++ and from strict C: one program
# that includes every installed header (tests/install/headers_use.c, checked
# here to name them all) builds as C99 -pedantic and as C++, links with the
# installed libaa.so, and reads a committed fixture the way aa-replay does.
. tests/install/stage.sh

src=tests/install/headers_use.c
for h in "$root"/include/aa/*.h; do
	grep -qF "#include <aa/${h##*/}>" "$src" || { echo "$src does not include the installed ${h##*/}"; exit 1; }
done
fixture=tests/fixtures/generated.pcapng
want=$("$build/aa-replay" info --json "$fixture" | sed -n 's/.*"records": *\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$want" ] || { echo "aa-replay info --json gave no record count"; exit 1; }

cp "$src" "$tmp/use.cpp"
build_one() { # name compiler flags...
	local name=$1 comp=$2
	shift 2
	"$comp" "$@" -Wall -Wextra -Werror -I"$root/include" -o "$tmp/$name" \
		-L"$root/lib" -laa 2>"$tmp/err" || { echo "$name does not build:"; cat "$tmp/err"; exit 1; }
	out=$(LD_LIBRARY_PATH="$root/lib" "$tmp/$name" "$fixture")
	expect="$(sed -n 's/^#define AA_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' format/aa_version.h | paste -sd.) AA_OK records=$want rc=0 exit pid=42 code=3"
	[ "$out" = "$expect" ] || { echo "$name printed '$out', expected '$expect'"; exit 1; }
}
build_one c99 cc -std=c99 -pedantic "$src"
build_one cxx g++ -std=c++11 -pedantic "$tmp/use.cpp"
build_one cxx17 g++ -std=c++17 "$tmp/use.cpp"
# A result that must be checked and is not: the compiler says so.
printf '#include <aa/aa_replay.h>\nint main(int c, char **v) { aa_source *s; aa_open_offline(&s, (const char *const *)v, (size_t)c, 0, 0); return 0; }\n' > "$tmp/ignored.c"
if cc -Wall -Werror -c -o "$tmp/ignored.o" -I"$root/include" "$tmp/ignored.c" 2>"$tmp/err"; then
	echo "ignoring aa_open_offline's result compiles without a warning"; exit 1
fi
grep -q 'warn_unused_result\|unused-result' "$tmp/err" || { echo "ignored result: not the expected warning:"; cat "$tmp/err"; exit 1; }
echo "every installed header builds in C99 -pedantic and C++ and the programs read $fixture ($want records)"

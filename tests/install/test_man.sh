#!/usr/bin/env bash
# The man pages aa-capture(8), aa-replay(1) and libaa(3) are installed by
# make install, render with man(1) and groff without a single warning, and
# the complete example of libaa(3), copied from the rendered page as a reader
# would, builds against the installed library and reads a fixture.
. tests/install/stage.sh
command -v man >/dev/null && command -v groff >/dev/null ||
	{ echo "skip: man-db and groff are needed (make deps)"; exit 77; }

for page in man1/aa-replay.1 man8/aa-capture.8 man3/libaa.3; do
	f="$root/share/man/$page"
	[ -f "$f" ] || { echo "make install did not install share/man/$page"; exit 1; }
	warn=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
	[ -z "$warn" ] || { echo "man -l $page warns:"; echo "$warn"; exit 1; }
	warn=$(groff -ww -z -man "$f" 2>&1)
	[ -z "$warn" ] || { echo "groff -ww -man $page warns:"; echo "$warn"; exit 1; }
	[ "$(MANWIDTH=80 man -l "$f" | grep -c '^[A-Z]')" -ge 4 ] || { echo "$page renders no sections"; exit 1; }
done

# The example, as the page shows it.
MANWIDTH=200 man -l "$root/share/man/man3/libaa.3" |
	awk '/^EXAMPLES/ {on = 1} /^ *Build it with/ {on = 0} on' |
	sed -n '/#include/,$p' | sed 's/^       //' > "$tmp/example.c"
cc -Wall -Wextra -Werror "$tmp/example.c" -I"$root/include" -L"$root/lib" -laa -o "$tmp/example" 2>"$tmp/err" ||
	{ echo "the libaa(3) example does not build:"; cat "$tmp/err"; exit 1; }
fixture=tests/fixtures/generated.pcapng
got=$(LD_LIBRARY_PATH="$root/lib" "$tmp/example" "$fixture" | grep -c ' ran ' || true)
want=$("$build/aa-replay" cat --type exec "$fixture" | wc -l)
[ "$got" = "$want" ] || { echo "the libaa(3) example printed $got exec lines, aa-replay cat shows $want"; exit 1; }
echo "3 man pages install and render without warnings; the libaa(3) example reads $want execs"

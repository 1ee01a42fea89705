#!/usr/bin/env bash
# `make install` into a staging root, then the README's library example,
# compiled against the installed headers through pkg-config and linked with
# the installed shared library, reads a committed fixture.
set -euo pipefail
build=${AA_BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "$build" in
*san*) echo "skip: make install installs the release build, not the sanitizer one"; exit 77 ;;
esac
fixture=$(ls tests/fixtures/*.pcapng 2>/dev/null | head -n 1 || true)
if [ -z "$fixture" ]; then
	echo "skip: no committed fixture under tests/fixtures/"
	exit 77
fi

make --no-print-directory -s install PREFIX=/usr/local DESTDIR="$tmp/root" >/dev/null
root="$tmp/root/usr/local"
for f in bin/aa-capture bin/aa-replay lib/libaa.a lib/libaa.so lib/pkgconfig/aa.pc include/aa/aa_replay.h; do
	[ -e "$root/$f" ] || { echo "make install did not install $f"; exit 1; }
done

# The example in README.md, as a user would copy it.
awk '/^```c$/{on=1; next} /^```$/{on=0} on' README.md > "$tmp/example.c"
flags=$(PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$root/lib/pkgconfig" pkg-config --cflags --libs aa)
cc -Wall -Wextra -Werror "$tmp/example.c" $flags -o "$tmp/example"

out=$(LD_LIBRARY_PATH="$root/lib" "$tmp/example" "$fixture")
want=$("$build/aa-replay" cat --type exec "$fixture" | wc -l)
got=$(printf '%s' "$out" | grep -c ' ran ' || true)
if [ "$got" != "$want" ]; then
	echo "the README example printed $got exec lines, aa-replay cat shows $want"
	exit 1
fi
echo "installed tree and README example work: $got exec records from $fixture"

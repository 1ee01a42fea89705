#!/usr/bin/env bash
# `make install` into a staging root, then the README's library example,
# compiled against the installed headers through pkg-config and linked with
# the installed shared library, reads a committed fixture. The same program
# installed into a prefix of its own runs without LD_LIBRARY_PATH (aa.pc
# gives a run path), links statically with `pkg-config --static`, and an
# install into a system prefix refreshes ld.so's cache.
. tests/install/stage.sh

fixture=$(ls tests/fixtures/*.pcapng 2>/dev/null | head -n 1 || true)
if [ -z "$fixture" ]; then
	echo "skip: no committed fixture under tests/fixtures/"
	exit 77
fi
for f in bin/aa-capture bin/aa-replay lib/libaa.a lib/libaa.so lib/pkgconfig/aa.pc include/aa/aa_replay.h; do
	[ -e "$root/$f" ] || { echo "make install did not install $f"; exit 1; }
done

# The example in README.md, as a user would copy it.
awk '/^```c$/{on=1; next} /^```$/{on=0} on' README.md > "$tmp/example.c"
flags=$(PKG_CONFIG_SYSROOT_DIR="$tmp/root" PKG_CONFIG_PATH="$root/lib/pkgconfig" pkg-config --cflags --libs aa)
cc -Wall -Wextra -Werror "$tmp/example.c" $flags -o "$tmp/example"

want=$("$build/aa-replay" cat --type exec "$fixture" | wc -l)
check_example() { # what program [env...]
	local what=$1 prog=$2 out got
	shift 2
	out=$(env "$@" "$prog" "$fixture") || { echo "$what: the example failed"; exit 1; }
	got=$(printf '%s' "$out" | grep -c ' ran ' || true)
	if [ "$got" != "$want" ]; then
		echo "$what: the README example printed $got exec lines, aa-replay cat shows $want"
		exit 1
	fi
}
check_example "staged" "$tmp/example" LD_LIBRARY_PATH="$root/lib"

# A prefix of its own, no DESTDIR: found through the run path, not the environment.
opt="$tmp/opt"
make --no-print-directory -s install PREFIX="$opt" >/dev/null
flags=$(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --cflags --libs aa)
cc -Wall -Wextra -Werror "$tmp/example.c" $flags -o "$tmp/example-opt"
check_example "installed in $opt" "$tmp/example-opt" -u LD_LIBRARY_PATH

# Static: everything libaa needs comes from aa.pc's Requires.private.
flags=$(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --static --cflags --libs aa)
cc -static "$tmp/example.c" $flags -o "$tmp/example-static" 2>"$tmp/err" ||
	{ echo "static link with pkg-config --static failed:"; cat "$tmp/err"; exit 1; }
check_example "static" "$tmp/example-static"

# Reading files needs no BPF: libaa.a with only zstd and zlib.
cc "$tmp/example.c" -I"$opt/include" "$opt/lib/libaa.a" -lzstd -lz -o "$tmp/example-files" 2>"$tmp/err" ||
	{ echo "a program reading files does not link without libbpf:"; cat "$tmp/err"; exit 1; }
check_example "libaa.a without libbpf" "$tmp/example-files"

# A system prefix gets ldconfig; a staging DESTDIR or a prefix of its own does not.
ran() { make --no-print-directory -n install LDCONFIG=aa-test-ldconfig "$@" | grep -cx aa-test-ldconfig || true; }
[ "$(ran PREFIX=/usr/local)" = 1 ] || { echo "make install PREFIX=/usr/local does not run ldconfig"; exit 1; }
[ "$(ran PREFIX=/usr/local DESTDIR="$tmp/x")" = 0 ] || { echo "make install runs ldconfig for a DESTDIR"; exit 1; }
[ "$(ran PREFIX="$opt")" = 0 ] || { echo "make install runs ldconfig for $opt"; exit 1; }
echo "installed tree and README example work: $want exec records from $fixture, also without LD_LIBRARY_PATH and static"

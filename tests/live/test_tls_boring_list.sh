#!/bin/bash
# aa-capture --list-tls tells BoringSSL from OpenSSL: Debian's
# android-libboringssl libssl.so.0 (in an Android directory the dynamic
# linker's cache does not list) is "stack=boringssl" when given by
# --ssl-lib, and found by itself, with the same stack, once a running
# program (tls_boring_peer, built against it) maps it; the system's
# libssl.so.3 stays "stack=openssl". Needs no root (a user sees its own
# processes' maps); skipped without the package.
set -u
B=${AA_BUILD:-build}
peer=$B/tests/live/tls_boring_peer
lib=$(ls /usr/lib/*/android/libssl.so.0 2>/dev/null | head -1)
[[ -n $lib && -x $peer ]] || { echo "skip: no android-libboringssl (or $peer not built)"; exit 77; }
tmp=$(mktemp -d) || exit 2
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$tmp/out"; exit 1; }

"$B/aa-capture" --list-tls --ssl-lib "$lib" >"$tmp/out" 2>"$tmp/err" || fail "--ssl-lib $lib: exit $?: $(cat "$tmp/err")"
grep -qx "$lib stack=boringssl symbols=SSL_write,SSL_read why=\"--ssl-lib\"" "$tmp/out" || fail "BoringSSL's $lib by --ssl-lib"
grep -q "/libssl.so.3 stack=openssl " "$tmp/out" || fail "the system's libssl.so.3 is not openssl"

# A client retrying (10 s) a port where no server listens: it maps libssl.so.0.
"$peer" client $((20000 + $$ % 20000)) 1 1 &
pid=$!
for _ in $(seq 100); do grep -q "android/libssl.so.0" /proc/$pid/maps 2>/dev/null && break; sleep 0.05; done
"$B/aa-capture" --list-tls >"$tmp/out" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
grep -Eqx "(/proc/$pid/root)?$lib stack=boringssl symbols=SSL_write,SSL_read why=\"mapped by pid $pid\"" "$tmp/out" ||
	fail "the libssl.so.0 mapped by pid $pid"
echo ok

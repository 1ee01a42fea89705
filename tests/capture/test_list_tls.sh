#!/bin/bash
# aa-capture --list-tls: the system's libssl.so.3 and libgnutls.so.30, a
# private copy of libssl mapped by a running process (found by its maps, as
# in a venv), a program with OpenSSL linked in given by --ssl-lib, and a
# file without a TLS stack refused in one line (exit 2). Needs no root: a
# user sees its own processes' maps.
set -u
B=${AA_BUILD:-build}
SYS=/lib/x86_64-linux-gnu
[[ -r $SYS/libssl.so.3 && -r $SYS/libgnutls.so.30 ]] || { echo "no libssl.so.3 and libgnutls.so.30 in $SYS"; exit 77; }
tmp=$(mktemp -d) || exit 2
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$tmp/out"; exit 1; }

cp "$SYS/libssl.so.3" "$tmp/libssl.so.3"
LD_PRELOAD=$tmp/libssl.so.3 sleep 30 &
pid=$!
for _ in $(seq 100); do grep -q "$tmp/libssl.so.3" /proc/$pid/maps 2>/dev/null && break; sleep 0.05; done

"$B/aa-capture" --list-tls >"$tmp/out" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
grep -qx "$SYS/libssl.so.3 stack=openssl symbols=SSL_write,SSL_read,SSL_write_ex,SSL_read_ex why=\"system library\"" "$tmp/out" ||
	fail "the system's libssl.so.3"
grep -qx "$SYS/libgnutls.so.30 stack=gnutls symbols=gnutls_record_send,gnutls_record_recv why=\"system library\"" "$tmp/out" ||
	fail "the system's libgnutls.so.30"
grep -qx "$tmp/libssl.so.3 stack=openssl symbols=SSL_write,SSL_read,SSL_write_ex,SSL_read_ex why=\"mapped by pid $pid\"" "$tmp/out" ||
	fail "the copy mapped by pid $pid"
# each file once, whatever its names (/lib and /usr/lib are one directory here)
[[ $(grep -c 'libssl.so.3 ' "$tmp/out") == 2 ]] || fail "libssl.so.3 listed other than twice (system, copy)"

client=$B/tests/live/tls_static_client
if [[ -x $client ]]; then
	"$B/aa-capture" --list-tls --ssl-lib "$client" >"$tmp/out" 2>"$tmp/err" || fail "--ssl-lib $client: exit $?"
	grep -qx "$client stack=openssl symbols=SSL_write,SSL_read,SSL_write_ex,SSL_read_ex why=\"--ssl-lib\"" "$tmp/out" ||
		fail "OpenSSL linked into $client"
fi

"$B/aa-capture" --list-tls --ssl-lib /bin/true >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc == 2 ]] || fail "--ssl-lib /bin/true: exit $rc, not 2"
grep -qx "aa-capture: /bin/true: no TLS functions to attach to" "$tmp/err" || fail "message: $(cat "$tmp/err")"
echo ok

#!/bin/bash
# aa-capture --list-tls finds Go's crypto/tls by itself: a Go program built
# here (Debian's golang-go, offline, the standard library only) with symbols
# (.symtab) and stripped (-ldflags='-s -w': .gopclntab), running and not
# named (found in its maps), and given by --ssl-lib; the RETs found with
# capstone are as many as `go tool objdump` shows in each function; a Go
# program without crypto/tls is refused. Needs no root (a user sees its own
# processes' maps); skipped without go.
set -u
B=${AA_BUILD:-build}
command -v go >/dev/null || { echo "no go command (golang-go)"; exit 77; }
tmp=$(mktemp -d) || exit 2
pid=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$tmp/out" 2>/dev/null; exit 1; }
export GOCACHE=$tmp/cache GOPATH=$tmp/gopath GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local

mkdir "$tmp/tls" "$tmp/plain"
cp tests/live/test_tls_go_peer.go "$tmp/tls/peer.go"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("no tls") }\n' >"$tmp/plain/main.go"
for d in tls plain; do printf 'module aatest\n\ngo 1.17\n' >"$tmp/$d/go.mod"; done
(cd "$tmp/tls" && go build -o ../peer . && go build -ldflags='-s -w' -o ../peer-s .) >"$tmp/out" 2>&1 || fail "go build"
(cd "$tmp/plain" && go build -ldflags='-s -w' -o ../plain .) >"$tmp/out" 2>&1 || fail "go build (plain)"
version=$(go env GOVERSION)

# the RETs of each function, as Go's own disassembler lists them (the
# stripped build's code is the same: only symbols and DWARF are dropped)
rets() { go tool objdump -s "^crypto/tls.\(\*Conn\).$1\$" "$tmp/peer" | grep -cE '[[:space:]]RET[[:space:]]'; }
w=$(rets Write) r=$(rets Read)
[[ $w -gt 0 && $r -gt 0 ]] || fail "go tool objdump found no RET"

# stripped, running, not named: a client retrying a port where none listens
"$tmp/peer-s" client 1 1 1 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q "$tmp/peer-s" /proc/$pid/maps 2>/dev/null && break; sleep 0.05; done
syms='crypto/tls.(*Conn).Write,crypto/tls.(*Conn).Read'
"$B/aa-capture" --list-tls --ssl-lib "$tmp/peer" >"$tmp/out" 2>"$tmp/err" || fail "exit $?: $(cat "$tmp/err")"
grep -qxF "$tmp/peer stack=go symbols=$syms go=$version from=.symtab rets=$w,$r why=\"--ssl-lib\"" "$tmp/out" ||
	fail "the Go program with symbols (want rets=$w,$r, $version)"
grep -qxF "$tmp/peer-s stack=go symbols=$syms go=$version from=.gopclntab rets=$w,$r why=\"mapped by pid $pid\"" "$tmp/out" ||
	fail "the stripped Go program run by pid $pid"
"$B/aa-capture" --list-tls --ssl-lib "$tmp/plain" >"$tmp/out" 2>"$tmp/err" && fail "a Go program without crypto/tls was accepted"
grep -qxF "aa-capture: $tmp/plain: no TLS functions to attach to" "$tmp/err" || fail "the refusal: $(cat "$tmp/err")"
echo ok

#!/bin/bash
# make demo: captures about ten seconds of this machine with aa-capture while
# a workload runs (tests/fixtures/workload.sh when it is there, else a small
# built-in one: programs with known argv and exit codes, file operations,
# and a TLS exchange between openssl s_server and s_client on 127.0.0.1),
# then shows `aa-replay info` and a few events of each of the four types.
# Usage: capture/demo.sh BUILD_DIR [SECONDS]   (as root: BPF needs it)
set -u
build=${1:-build}
seconds=${2:-10}
capture=$build/aa-capture
replay=$build/aa-replay

if [ "$(id -u)" != 0 ]; then
	echo "demo: live capture needs root (BPF): run 'make demo' as root" >&2
	exit 4
fi
for p in "$capture" "$replay"; do
	[ -x "$p" ] || { echo "demo: $p is not built" >&2; exit 2; }
done

out=$(realpath -m "$build/demo") # absolute: the workload cds into its directory
rm -rf "$out"
mkdir -p "$out/work"
file=$out/demo.pcapng

# The built-in workload, used when tests/fixtures/workload.sh is missing.
builtin_workload() {
	local w=$1 port=$((20000 + RANDOM % 20000))
	cd "$w" || return
	ls -l /etc > /dev/null
	echo "hello from the demo" > note.txt
	cat note.txt > /dev/null
	mv note.txt renamed.txt
	rm renamed.txt
	cat /nonexistent/demo-file 2> /dev/null # an open that fails: ENOENT
	sh -c 'exit 3'                           # an exit code
	sleep 30 & kill -TERM $! ; wait $! 2> /dev/null # a death by signal: 128+15
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
		-keyout key.pem -out cert.pem 2> /dev/null
	(sleep 1; echo "server says: hello client") |
		timeout 8 openssl s_server -quiet -naccept 1 -accept "127.0.0.1:$port" \
			-cert cert.pem -key key.pem > server.out 2> /dev/null &
	sleep 0.5
	(echo "client says: hello server"; sleep 2) |
		timeout 6 openssl s_client -quiet -connect "127.0.0.1:$port" > client.out 2> /dev/null
	wait
	echo "demo workload: client got: $(cat client.out)"
	echo "demo workload: server got: $(cat server.out)"
}

echo "demo: capturing this machine for $seconds s into $file"
"$capture" -q --duration "$seconds" --flush-ms 500 -w "$file" &
cap=$!
# The file appears once the BPF programs are attached.
for _ in $(seq 100); do
	[ -e "$file" ] && break
	kill -0 "$cap" 2> /dev/null || break
	sleep 0.1
done
if [ ! -e "$file" ]; then
	wait "$cap"
	echo "demo: aa-capture did not start (exit $?)" >&2
	exit 4
fi

if [ -f tests/fixtures/workload.sh ]; then
	echo "demo: running tests/fixtures/workload.sh"
	AA_WORKLOAD_PORT=$((20000 + RANDOM % 20000)) \
		bash tests/fixtures/workload.sh "$out/work" > "$out/workload.log" 2>&1 ||
		echo "demo: the workload failed (see $out/workload.log)" >&2
else
	echo "demo: running the built-in workload"
	(builtin_workload "$out/work")
fi
wait "$cap"
rc=$?
[ "$rc" = 0 ] || { echo "demo: aa-capture exited $rc" >&2; exit "$rc"; }

echo
"$replay" info "$file"
# A few events of each type: the workload's own when they can be told
# apart (the built-in one's names and exit codes), else the first ones.
show() {
	local type=$1 pattern=$2 lines
	echo
	echo "== $type events =="
	lines=$("$replay" cat --type "$type" "$file" | grep -E -m 6 -- "$pattern")
	[ -n "$lines" ] || lines=$("$replay" cat --type "$type" "$file" | head -n 6)
	printf '%s\n' "$lines"
}
show exec 'fixture-|openssl|note\.txt|exit 3|sleep 30'
show exit 'exit_code=(3|137|143)$'
show file 'note\.txt|renamed\.txt|missing\.txt|dup\.txt|nonexistent/demo-file'
show tls 'hello'
if "$replay" cat --type tls "$file" | grep -q 'hello'; then
	echo
	echo "demo: the TLS plaintext of the openssl exchange was captured"
fi

#!/bin/bash
# The test runner survives sockets another user left at Criterion's fixed
# path (/tmp/criterion_<pid>.sock): CI's unprivileged pass once failed a test
# binary with "Address already in use" because root's earlier pass had left
# one at the pid the binary got. Here root takes the paths of half the next
# few hundred pids (drawn at random: pids come in order, a pattern would match
# the runner's own) with sockets of its own, and the runner, as nobody, must
# still run a Criterion binary to a pass, five times over.
set -u
cd "$(dirname "$0")/.."
: "${AA_BUILD:=build}"
[ "$(id -u)" = 0 ] || { echo "skip: needs root (to leave sockets as another user)"; exit 77; }
bin=$AA_BUILD/tests/test_xxh64
[ -x "$bin" ] || { echo "FAIL: $bin is not built"; exit 1; }
tmp=$(mktemp -d /tmp/aa-runner.XXXXXX) || exit 1
made=$tmp/made
cleanup() {
	[ -f "$made" ] && xargs -r rm -f <"$made"
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/tests/lib" && cp tests/lib/run-tests.sh "$tmp/tests/lib/" && cp "$bin" "$tmp/" || exit 1
chmod -R a+rX "$tmp" && chmod 1777 "$tmp"

python3 - "$made" <<'PY' || exit 1
import os, random, socket, sys
last = int(open("/proc/sys/kernel/ns_last_pid").read())
top = int(open("/proc/sys/kernel/pid_max").read())
with open(sys.argv[1], "w") as made:
    for i in range(1, 600):
        pid = (last + i) % top or 1
        path = "/tmp/criterion_%d.sock" % pid
        if random.random() < 0.5 or os.path.lexists(path):
            continue
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.close()
        made.write(path + "\n")
PY

for run in 1 2 3 4 5; do
	out=$(cd "$tmp" && setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		env TMPDIR="$tmp" AA_BUILD=. bash tests/lib/run-tests.sh ./test_xxh64 2>&1)
	grep -q '^PASS ./test_xxh64: 3 passed' <<<"$out" ||
		{ echo "FAIL: run $run as nobody:"; echo "$out"; exit 1; }
done
echo ok

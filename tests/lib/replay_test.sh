# The opening the aa-replay bash tests (tests/replay/test_*.sh) share.
# Sourced, not run, as the test's first command after `set -u`:
#
#	. "$(dirname "$0")/../lib/replay_test.sh" || exit 2
#
# The sourcing script sets nothing before; the environment's AA_BUILD names
# the build directory (default build, relative to the repository root, as
# tests/lib/run-tests.sh and `make test` pass it; build/san for SAN=1).
#
# It goes to the repository root (found from this file's own path, so the
# test runs from any directory, in a fresh clone or in CI's read-only copy
# run as nobody), and defines:
#   B      the build directory, R  its aa-replay,
#   S      the session fixture's directory (tests/fixtures/session),
#   F      the workload recording (tests/fixtures/live.pcapng),
#   tmp    a private directory under $TMPDIR (else /tmp), so writable by
#          whoever runs the test; removed at exit by an EXIT trap (a script
#          setting its own EXIT trap removes "$tmp" in it too),
#   fail   0; `no MSG...` prints "FAIL: MSG..." and sets it to 1, so a
#          test says every failed check and ends with `exit $fail`,
#   need_built PROG...   each of $B/PROG must be executable,
#   need_session         the session fixture must be there,
#   flip FILE OFFSET     inverts the byte at OFFSET (a change whatever it was).
# Exit statuses: 2 (a failure: the set-up is wrong) when the root cannot be
# entered, the temporary directory cannot be made or a program is not built
# ("$B/PROG is not built", aa-replay checked here); 77 (skipped) from
# need_session ("no session fixture").

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
B=${AA_BUILD:-build}
R=$B/aa-replay
S=tests/fixtures/session
F=tests/fixtures/live.pcapng

need_built() {
	local p
	for p in "$@"; do
		[ -x "$B/$p" ] || { echo "$B/$p is not built"; exit 2; }
	done
}
need_session() { [ -r "$S/session-a.pcapng" ] || { echo "no session fixture"; exit 77; }; }

need_built aa-replay
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aa-$(basename "$0" .sh).XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\x$(printf %02x $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

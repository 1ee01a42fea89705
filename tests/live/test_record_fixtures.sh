#!/usr/bin/env bash
# The scripts that record the committed fixtures still record: each runs for
# real (root: BPF) in a scratch copy of tests/fixtures, passes its own checks
# of the known answers, and the files it writes pass `record.sh --check`.
# (The live script had stopped recording once the JSON gained connection
# fields, and nothing ran it.) The committed fixtures are not touched.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "skip: recording needs root"; exit 77; }
for p in openssl nghttpd curl; do
	command -v "$p" > /dev/null || { echo "skip: $p missing"; exit 77; }
done
build=$(cd "${AA_BUILD:-build}" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/aa-record-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/tests"
cp -a tests/fixtures "$scratch/tests/"
cd "$scratch"
rm -f tests/fixtures/live.pcapng tests/fixtures/session/session-*.pcapng

bash tests/fixtures/record.sh "$build"
bash tests/fixtures/record.sh --check "$build"
bash tests/fixtures/session/record.sh "$build"
bash tests/fixtures/session/record.sh --check "$build"
for f in tests/fixtures/live.pcapng tests/fixtures/session/session-{a,b,changed}.pcapng; do
	[ -s "$f" ] || { echo "FAIL: $f was not written"; exit 1; }
done
echo "ok: both record scripts recorded fixtures that pass their checks"

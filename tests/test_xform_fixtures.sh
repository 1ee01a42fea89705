#!/usr/bin/env bash
# The committed fixtures (files of plain chunks, chunk version 1) still read
# and verify; their records written again (aa-capture -r, RECORDS chunks now
# transformed: FORMAT.md 3.1) give back the very same `export --raw` bytes
# and END digest, in a file at most 0.85 of the old one's size (the generated fixture, random
# text and numbers, gains least).
set -euo pipefail
build=${AA_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aa-xform.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
digest() { sed -n 's/.*digest \([0-9a-f]*\) good$/\1/p'; }
for f in tests/fixtures/live.pcapng tests/fixtures/generated.pcapng tests/fixtures/session/*.pcapng; do
	n=$(basename "$f" .pcapng)
	old=$("$build/aa-replay" verify "$f" | digest)
	[[ -n $old ]] || { echo "$f: does not verify"; exit 1; }
	"$build/aa-replay" export --raw "$f" "$tmp/$n.raw"
	"$build/aa-capture" -q -r "$tmp/$n.raw" -w "$tmp/$n.pcapng"
	new=$("$build/aa-replay" verify "$tmp/$n.pcapng" | digest)
	[[ $new == "$old" ]] || { echo "$n: digest $new, the fixture's $old"; exit 1; }
	"$build/aa-replay" export --raw "$tmp/$n.pcapng" "$tmp/$n.back.raw"
	cmp "$tmp/$n.raw" "$tmp/$n.back.raw"
	a=$(stat -c %s "$f") b=$(stat -c %s "$tmp/$n.pcapng")
	echo "$n: $a bytes before, $b now, digest $new"
	(( b * 100 <= a * 85 )) || { echo "$n: $b bytes is not at most 0.85 of $a"; exit 1; }
done

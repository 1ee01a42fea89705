#!/bin/bash
# test_regress over directories without a single input must fail, not pass
# having replayed nothing (a misplaced or emptied tests/fuzz/regress).
set -u
bin=${AA_BUILD:-build}/tests/hostile/test_regress
[ -x "$bin" ] || { echo "$bin is not built"; exit 1; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/file" "$tmp/chunk" "$tmp/parse" "$tmp/btf"
out=$(AA_REGRESS_DIR=$tmp "$bin" --color=never 2>&1)
rc=$?
[ "$rc" -ne 0 ] || { echo "test_regress passed over empty directories: $out"; exit 1; }
n=$(grep -c 'holds no input: nothing was replayed' <<<"$out")
[ "$n" -eq 4 ] || { echo "want 4 targets reported empty, got $n: $out"; exit 1; }
# and over the real tree it passes
AA_REGRESS_DIR= "$bin" --color=never >/dev/null 2>&1 || { echo "test_regress fails over tests/fuzz/regress"; exit 1; }
echo "empty directories fail; the real tree passes"

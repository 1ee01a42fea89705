# Sourced by the tests of tests/install/: `make install` of the release build
# into a staging root. Sets build, tmp (removed on exit) and root (the
# installed prefix); skips under SAN=1, whose build make install does not use.
set -euo pipefail
build=${AA_BUILD:-build}
case "$build" in
*san*) echo "skip: make install installs the release build, not the sanitizer one"; exit 77 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make --no-print-directory -s install PREFIX=/usr/local DESTDIR="$tmp/root" >/dev/null
root="$tmp/root/usr/local"

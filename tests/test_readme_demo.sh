#!/bin/bash
# README: the demo command works as it is written in a root shell, where
# there may be no sudo at all: it is `make demo`, said to need root (or
# sudo), never only `sudo make demo`.
set -u
cd "$(dirname "$0")/.." || exit 2
line=$(grep -E '^(sudo )?make demo' README.md | head -n 1)
[ -n "$line" ] || { echo "README names no 'make demo' command"; exit 1; }
case $line in
sudo*) echo "README's demo line starts with sudo: $line"; exit 1 ;;
esac
grep -q 'as root' <<<"$line" || { echo "README's demo line does not say it needs root: $line"; exit 1; }
# What the line says is what the Makefile has.
make -n demo >/dev/null 2>&1 || { echo "make -n demo fails"; exit 1; }
echo "README's demo line: $line"

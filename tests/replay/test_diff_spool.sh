#!/bin/bash
# aa-replay diff keeps its texts in temporary files, not in memory: two
# copies of a 24 MB recording (the session repeated as new sessions, as
# the bench makes it) compare alike with the same line count --show gives,
# and the diff's peak memory grows by less than 7 MB from a recording a
# tenth as long (it grew by about 5 MB when the two texts were made one
# after the other, 6 MB now that both trees are built at once, and by
# about 8 MB more than that when the texts were in memory).
# A temporary directory that cannot be written is one clear error, exit 2.
set -u
. "$(dirname "$0")/../lib/replay_test.sh" || exit 2
need_built aa-capture
need_session
case $B in *san*) ;; *) need_built bench/repeat_session ;; esac
[ -x /usr/bin/time ] || { echo "no /usr/bin/time"; exit 77; }

A=$S/session-a.pcapng
"$R" export "$A" "$tmp/seed.raw" 2> /dev/null
[ -s "$tmp/seed.raw" ] || { echo "cannot export $A"; exit 2; }
# Under the sanitizers peak memory says nothing (and the bench's
# repeat_session trips UBSan): the seed repeated as it is, no memory check.
san=0
case $B in *san*) san=1 ;; esac
for mb in 24 2; do
	if [ $san = 1 ]; then
		for _ in $(seq $((mb * 1024 * 1024 / $(stat -c %s "$tmp/seed.raw") + 1))); do cat "$tmp/seed.raw"; done > "$tmp/r$mb.raw"
	else
		"$B/bench/repeat_session" --bytes $((mb << 20)) < "$tmp/seed.raw" > "$tmp/r$mb.raw"
	fi && "$B/aa-capture" -q -r "$tmp/r$mb.raw" -w "$tmp/r$mb.pcapng" || { echo "cannot make $mb MB"; exit 2; }
	cp "$tmp/r$mb.pcapng" "$tmp/c$mb.pcapng"
done

# peak KiB of a diff -q of a recording and its copy; the summary into $tmp/out
peak() {
	/usr/bin/time -f '%M' -o "$tmp/rss" "$R" diff -q "$tmp/r$1.pcapng" "$tmp/c$1.pcapng" > "$tmp/out" 2>&1 ||
		{ no "diff of $1 MB: exit $?"; cat "$tmp/out"; }
	tail -n 1 "$tmp/rss"
}
long=$(peak 24)
lines=$("$R" diff --show "$tmp/r24.pcapng" | wc -l)
grep -qxE "aa-replay diff: alike: [0-9]+ processes, $lines lines of what happened" "$tmp/out" ||
	{ no "24 MB alike:"; cat "$tmp/out"; }
if [ $san = 0 ]; then
	[ "$lines" -gt 20000 ] || no "only $lines lines of what happened in 24 MB"
	short=$(peak 2)
	echo "diff -q peak: $short KiB (2 MB), $long KiB (24 MB)"
	[ $((long - short)) -lt 7168 ] || no "diff's peak grew from $short KiB (2 MB) to $long KiB (24 MB)"
fi

# the temporary files cannot be made: one line, exit 2
TMPDIR=$tmp/none "$R" diff "$tmp/r2.pcapng" "$tmp/c2.pcapng" > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc = 2 ] && [ "$(grep -c '' "$tmp/err")" = 1 ] &&
	grep -qF "a temporary file of the text of what happened (in \$TMPDIR, else /tmp): No such file or directory" "$tmp/err" ||
	{ no "TMPDIR missing: exit $rc"; cat "$tmp/err"; }
exit $fail

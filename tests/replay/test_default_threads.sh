#!/bin/bash
# The reading threads aa-replay starts by default (cli_threads.c), counted
# in /proc while it waits to write to a full pipe, its inputs still open,
# on 1, 2 ... (up to 4) of this machine's CPUs (taskset): cat, which only
# prints, one reader per CPU; a view (tree, follow), whose printing thread
# is the busier, one fewer; diff, which makes two texts at once, (CPUs - 2)
# / 2 a file. -T N asks N a file, --single-thread none.
set -u
. "$(dirname "$0")/../lib/replay_test.sh" || exit 2
need_session
case $B in *san*) ;; *) need_built bench/repeat_session ;; esac
command -v taskset >/dev/null || { echo "no taskset"; exit 77; }

# 100 sessions: every command's output is past a pipe's 64 KiB
"$R" export "$S/session-a.pcapng" "$tmp/a.raw" 2>/dev/null || { echo "cannot export"; exit 2; }
if [ -x "$B/bench/repeat_session" ]; then
	"$B/bench/repeat_session" --copies 100 < "$tmp/a.raw" > "$tmp/r.raw"
else # under the sanitizers the bench helper is not built: the same bytes again
	for _ in $(seq 100); do cat "$tmp/a.raw"; done > "$tmp/r.raw"
fi
"$B/aa-capture" -q -r "$tmp/r.raw" -w "$tmp/r.pcapng" || { echo "cannot make the recording"; exit 2; }
mkfifo "$tmp/out" || exit 2
exec 3<>"$tmp/out" # held open, never read: the writer blocks once the pipe is full

# tasks CPUS ARGS...: the threads of aa-replay ARGS on CPUs 0..CPUS-1 once
# its main thread waits on the full pipe
tasks() {
	local cpus=$1 pid n=0 w=
	shift
	taskset -c "0-$((cpus - 1))" "$R" "$@" > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	for _ in $(seq 300); do
		w=$(cat "/proc/$pid/task/$pid/wchan" 2>/dev/null) || break
		[[ $w == *pipe_write* ]] && break
		sleep 0.05
	done
	if [[ $w == *pipe_write* ]]; then
		n=$(ls "/proc/$pid/task" | wc -l)
	else
		echo "aa-replay $* never waited on the pipe (wchan '$w'): $(cat "$tmp/err")" >&2
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# what it wrote is not wanted: empty the pipe for the next
	timeout 2 dd if="$tmp/out" iflag=nonblock of=/dev/null bs=64k status=none 2>/dev/null
	echo "$n"
}

expect() { # what, want, got
	echo "$1: $3 threads (want $2)"
	[ "$2" = "$3" ] || no "$1: $3 threads, want $2"
}

max=$(nproc)
[ "$max" -gt 4 ] && max=4
for k in $(seq 1 "$max"); do
	view=$((k > 1 ? k - 1 : 0))
	diff=$((k > 2 ? (k - 2) / 2 : 0))
	expect "cat on $k CPUs" $((1 + k)) "$(tasks "$k" cat "$tmp/r.pcapng")"
	expect "tree on $k CPUs" $((1 + view)) "$(tasks "$k" tree "$tmp/r.pcapng")"
	expect "follow on $k CPUs" $((1 + view)) "$(tasks "$k" follow "$tmp/r.pcapng")"
	# the texts differ (100 sessions against one): the diff is long; the
	# thread making B's text has ended by then
	expect "diff on $k CPUs" $((1 + 2 * diff)) "$(tasks "$k" diff "$tmp/r.pcapng" "$S/session-b.pcapng")"
done
expect "cat -T 3" 4 "$(tasks 1 cat -T 3 "$tmp/r.pcapng")"
expect "diff -T 2" 5 "$(tasks 1 diff -T 2 "$tmp/r.pcapng" "$S/session-b.pcapng")"
expect "tree --single-thread" 1 "$(tasks "$(nproc)" tree --single-thread "$tmp/r.pcapng")"
exec 3<&-
exit $fail

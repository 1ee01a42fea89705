# SPDX-License-Identifier: MIT
# What bench-live.sh, bench-overhead.sh and bench-drain.sh share: waiting for a load or a
# tracer to be ready. Sourced; the caller defines fail.

# wait_for WHAT COMMAND...: waits (at most 10 s) until COMMAND succeeds, or
# says what did not happen.
wait_for() {
	local what=$1 i
	shift
	for ((i = 0; i < 1000; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	fail "timed out waiting for $what"
}

# pid: blocked in sigwait for SIGUSR1 (rt_sigtimedwait, which unblocks the
# signal meanwhile), or about to be (SIGUSR1 blocked): a SIGUSR1 is not lost.
awaits_usr1() {
	local nr m
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	[ "$nr" = 128 ] && return 0
	m=$(awk '/^SigBlk:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && (((0x$m >> 9) & 1))
}

# pid: in epoll_wait (opensnoop and execsnoop poll their buffer once attached).
in_epoll_wait() {
	local nr
	read -r nr _ <"/proc/$1/syscall" 2>/dev/null || return 1
	case $nr in 232 | 281 | 441) return 0 ;; esac # epoll_wait, epoll_pwait, epoll_pwait2
	return 1
}

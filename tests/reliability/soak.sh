#!/bin/bash
# Soak (make soak; root, not part of make test): SOAK_SECONDS (default 600)
# of steady load under a live capture rotating files with -C. A generator
# process, followed with --pid, makes SOAK_RATE opens a second (default
# 20000; each an openat of a path that does not exist, so one file record)
# and SOAK_EXECS execs of /bin/true a second (default 50). The capture's
# RSS is sampled every 10 s. It passes when memory is flat (the last sample
# within 10% or 2 MB of the one at 60 s), nothing was dropped, every file
# verifies, and the files hold exactly the opens and execs made.
# Exit 0 pass, 1 fail, 2 cannot run, 77 skipped (not root).
set -u
: "${AA_BUILD:=build}" "${SOAK_SECONDS:=600}" "${SOAK_RATE:=20000}" "${SOAK_EXECS:=50}"
: "${SOAK_FILE_MB:=5}"
CAP=$AA_BUILD/aa-capture REPLAY=$AA_BUILD/aa-replay
SAMPLE_S=10

die() { echo "soak: $*" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "soak: needs root (a live BPF capture)"; exit 77; }
[[ -x $CAP && -x $REPLAY ]] || die "$CAP or $REPLAY not built (make all)"
command -v python3 >/dev/null || die "python3 is needed for the load generator"
[[ $SOAK_SECONDS -ge 70 ]] || die "SOAK_SECONDS must be at least 70 (the reference sample is at 60 s)"

work=$(mktemp -d "${TMPDIR:-/tmp}/aa-soak.XXXXXX") || die "no temporary directory"
gen_pid= cap_pid=
cleanup() {
	[[ -n $gen_pid ]] && kill "$gen_pid" 2>/dev/null
	[[ -n $cap_pid ]] && kill "$cap_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/go"

# The generator: held on the fifo until the capture follows it, then paced
# in 10 ms steps; its counts go to $work/made when it is done.
python3 - "$work" "$SOAK_SECONDS" "$SOAK_RATE" "$SOAK_EXECS" <<'EOF' &
import os, sys, time
work, seconds, rate, execs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
marker = os.path.join(work, "soak-marker-")
with open(os.path.join(work, "go")) as go:
    go.read(1)
opens = spawned = 0
start = time.monotonic()
step = 0
while True:
    step += 1
    due = start + step * 0.01
    now = time.monotonic()
    if now >= start + seconds:
        break
    if due > now:
        time.sleep(due - now)
    want_opens = int(rate * step * 0.01)
    while opens < want_opens:
        try:
            os.close(os.open(marker + str(opens % 1000), os.O_RDONLY))
        except FileNotFoundError:
            pass
        opens += 1
    want_execs = int(execs * step * 0.01)
    while spawned < want_execs:
        pid = os.posix_spawn("/bin/true", ["true", "soak"], {})
        os.waitpid(pid, 0)
        spawned += 1
with open(os.path.join(work, "made"), "w") as f:
    f.write(f"{opens} {spawned} {time.monotonic() - start:.1f}\n")
EOF
gen_pid=$! gen_pid_saved=$!

"$CAP" -w "$work/soak.pcapng" -C "$SOAK_FILE_MB" --pid "$gen_pid" --events file,exec,exit \
	2>"$work/cap.err" &
cap_pid=$!
for ((i = 0; i < 1000; i++)); do
	[[ -e $work/soak.pcapng ]] && break
	kill -0 "$cap_pid" 2>/dev/null || { cat "$work/cap.err" >&2; die "aa-capture did not start"; }
	sleep 0.02
done
[[ -e $work/soak.pcapng ]] || die "aa-capture made no file in 20 s"
echo x >"$work/go"
echo "soak: ${SOAK_SECONDS} s, $SOAK_RATE opens/s and $SOAK_EXECS execs/s, files of $SOAK_FILE_MB MB, capture pid $cap_pid"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
declare -a at rss
start=$(date +%s.%N)
for ((t = SAMPLE_S; t <= SOAK_SECONDS; t += SAMPLE_S)); do
	sleep "$(awk -v s="$start" -v t="$t" -v now="$(date +%s.%N)" 'BEGIN { d = s + t - now; print (d > 0 ? d : 0) }')"
	kill -0 "$cap_pid" 2>/dev/null || { cat "$work/cap.err" >&2; echo "soak: FAIL: aa-capture died"; exit 1; }
	at+=("$t") rss+=("$(rss_kb "$cap_pid")")
	printf 'soak: %4d s  RSS %6d kB  files %d\n' "$t" "${rss[-1]}" "$(ls "$work"/soak.pcapng* | wc -l)"
done
wait "$gen_pid"; gen_pid=
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$cap_pid/status")
sleep 2 # the last records through the ring and into a chunk
kill -INT "$cap_pid"
wait "$cap_pid"; cap_rc=$?; cap_pid=
read -r made_opens made_execs gen_s <"$work/made"

fail=0
check() { # check CONDITION-STATUS MESSAGE
	if [[ $1 == 0 ]]; then echo "soak: ok   $2"; else echo "soak: FAIL $2"; fail=1; fi
}
check "$cap_rc" "aa-capture stopped with SIGINT: exit $cap_rc"

mapfile -t files < <(ls -v "$work"/soak.pcapng*)
bad=0
for f in "${files[@]}"; do
	"$REPLAY" verify "$f" >/dev/null 2>"$work/verify.err" || { bad=$((bad + 1)); cat "$work/verify.err"; }
done
check "$bad" "${#files[@]} files, $bad that do not verify"

info=$("$REPLAY" info --json "${files[@]}")
dropped_file=$(grep -o '"dropped":[0-9]*' <<<"$info" | cut -d: -f2)
dropped_said=$(sed -n 's/^aa-capture: \([0-9]*\) dropped in the kernel.*/\1/p' "$work/cap.err")
check "$([[ $dropped_file == 0 && $dropped_said == 0 ]]; echo $?)" \
	"drops: $dropped_file in the files, ${dropped_said:-?} in aa-capture's statistics"

# Fixed strings: a regular expression over millions of JSON lines takes minutes.
got_opens=$("$REPLAY" cat --json --type file --pid "$gen_pid_saved" "${files[@]}" 2>/dev/null |
	LC_ALL=C grep -cF "\"path\":\"$work/soak-marker-")
got_execs=$("$REPLAY" cat --json --type exec "${files[@]}" 2>/dev/null | LC_ALL=C grep -cF '"args":"true soak"')
check "$([[ $got_opens == "$made_opens" ]]; echo $?)" "opens: $made_opens made in $gen_s s, $got_opens in the files"
check "$([[ $got_execs == "$made_execs" ]]; echo $?)" "execs: $made_execs made, $got_execs in the files"

# Memory: the sample at 60 s against the last one.
ref=${rss[5]} last=${rss[-1]}
diff=$((last > ref ? last - ref : ref - last))
allow=$((ref / 10 > 2048 ? ref / 10 : 2048))
check "$([[ $diff -le $allow ]]; echo $?)" "memory flat: RSS $ref kB at 60 s, $last kB at ${at[-1]} s (allowed +-$allow kB); peak $hwm kB"

echo
echo "| time (s) | RSS (kB) |"
echo "|---:|---:|"
for i in "${!at[@]}"; do echo "| ${at[$i]} | ${rss[$i]} |"; done
echo
bytes=$(grep -o '"bytes_stored":[0-9]*' <<<"$info" | cut -d: -f2)
raw=$(grep -o '"bytes_raw":[0-9]*' <<<"$info" | cut -d: -f2)
records=$(grep -o '"records":[0-9]*' <<<"$info" | cut -d: -f2)
echo "soak: $records records ($raw bytes raw) in ${#files[@]} files of $bytes bytes"
sed -n 's/^aa-capture: /soak: capture: /p' "$work/cap.err"
[[ $fail == 0 ]] && echo "soak: PASS" || echo "soak: FAIL"
exit $fail

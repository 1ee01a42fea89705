#!/bin/bash
# The CI use of aa-capture -- COMMAND (root and BPF; skipped otherwise): the
# same job recorded twice is alike for aa-replay diff (exit 0), a changed one
# is not (exit 1, the changed argv and file in the diff), and the command's
# failure status comes through the pipeline `aa-capture ... && aa-replay diff`.
set -u
: "${AA_BUILD:=build}"
[[ $(id -u) == 0 ]] || { echo "skip: needs root (a live BPF capture)"; exit 77; }
build=$(cd "$AA_BUILD" 2>/dev/null && pwd) || { echo "$AA_BUILD: no build directory (make all)"; exit 2; }
CAP=$build/aa-capture REPLAY=$build/aa-replay
[[ -x $CAP && -x $REPLAY ]] || { echo "$CAP or $REPLAY not built (make all)"; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/aa-cmd-diff.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

job() { # FILE WORD STATUS: one recorded run of the job
	"$CAP" -q -w "$1" -- sh -c 'printf "%s\n" "$1" > out.txt; cat out.txt > copy.txt; exit "$2"' job "$2" "$3" 2>err.txt
}
job base.pcapng same 0; rc=$?
if [[ $rc == 4 ]]; then echo "skip: BPF is not available here: $(cat err.txt)"; exit 77; fi
[[ $rc == 0 ]] || { echo "the first run: exit $rc: $(cat err.txt)"; exit 1; }
job run.pcapng same 0 && "$REPLAY" diff base.pcapng run.pcapng > diff.txt
rc=$?
[[ $rc == 0 ]] || { echo "the same job twice: exit $rc"; cat diff.txt err.txt; exit 1; }
grep -q '^aa-replay diff: alike: 2 processes' diff.txt || { echo "not alike:"; cat diff.txt; exit 1; }

job changed.pcapng other 0 && "$REPLAY" diff base.pcapng changed.pcapng > diff.txt
rc=$?
[[ $rc == 1 ]] || { echo "a changed job: diff exit $rc, not 1"; cat diff.txt; exit 1; }
grep -q '^-process "sh" "-c" .* "job" "same" "0"$' diff.txt &&
	grep -q '^+process "sh" "-c" .* "job" "other" "0"$' diff.txt ||
	{ echo "the changed argv is not in the diff:"; cat diff.txt; exit 1; }

# A failing job: its status, and no diff run.
job failed.pcapng same 3 && "$REPLAY" diff base.pcapng failed.pcapng > diff.txt
rc=$?
[[ $rc == 3 ]] || { echo "a job exiting 3: the pipeline gave $rc"; exit 1; }
"$REPLAY" verify failed.pcapng > /dev/null || { echo "the failed job's file does not verify"; exit 1; }
echo "the same job recorded twice is alike, a changed one differs, a failure's status comes through"

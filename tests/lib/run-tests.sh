#!/bin/bash
# Runs test binaries (Criterion) and test scripts given as arguments, from
# the repository root, and ends with one line: "N passed, N failed, N skipped".
# Criterion binaries count their test cases (from their TAP report); a script
# counts as one test: exit 0 passed, 77 skipped, anything else failed.
# Exits 1 if anything failed. Writes only into a private temporary directory.
set -u
: "${AA_BUILD:=build}"
export AA_BUILD
TIMEOUT=${AA_TEST_TIMEOUT:-900}
passed=0 failed=0 skipped=0
logs=$(mktemp -d "${TMPDIR:-/tmp}/aa-test-logs.XXXXXX") || exit 2
trap 'rm -rf "$logs"' EXIT

show_log() {
	sed -e 's/^/    /' "$1" | tail -n 60
}

# Criterion binds its message server at /tmp/criterion_<its pid>.sock, in
# /tmp whatever TMPDIR says. A socket left there by another user's run that
# was killed (root's, before the unprivileged pass) is a path this user may
# not remove, and the binary would abort with "Address already in use" when
# it gets that pid. So the binary is started from a shell that knows the pid
# it will have: a stale socket of ours there is removed, another user's makes
# the shell give way and the binary is started again under another pid.
run_criterion() {
	local try
	for try in {1..20}; do
		rm -f "$logs/taken"
		timeout "$TIMEOUT" bash -c 's=/tmp/criterion_$$.sock
			if [[ -e $s || -L $s ]] && ! rm -f "$s" 2>/dev/null; then
				: >"$0"; exit 1
			fi
			exec "$@"' "$logs/taken" \
			"$1" --tap="$tap" --color=never -S --timeout 600 >"$log" 2>&1
		local rc=$?
		[[ -e $logs/taken ]] || return $rc
	done
	echo "the runner's socket path was taken by another user $try times" >"$log"
	return 1
}

for t in "$@"; do
	log=$logs/out tap=$logs/tap
	rm -f "$log" "$tap"
	if [[ $t == *.sh ]]; then
		timeout "$TIMEOUT" bash "$t" >"$log" 2>&1
		rc=$?
		case $rc in
		0) passed=$((passed + 1)); echo "PASS $t" ;;
		77) skipped=$((skipped + 1)); echo "SKIP $t: $(tail -n 1 "$log")" ;;
		*) failed=$((failed + 1)); echo "FAIL $t (exit $rc)"; show_log "$log" ;;
		esac
		continue
	fi
	if [[ ! -x $t ]]; then
		failed=$((failed + 1)); echo "FAIL $t: not built"
		continue
	fi
	run_criterion "$t"
	rc=$?
	p=0 f=0 s=0
	if [[ -f $tap ]]; then
		p=$(grep -c '^ok ' "$tap")
		s=$(grep -c '^ok .*# SKIP' "$tap")
		f=$(grep -c '^not ok' "$tap")
		p=$((p - s))
	fi
	# A binary that failed without a failed case (crash of the runner, a
	# timeout) counts as one failure; so does a sanitizer report: Criterion
	# has already counted a test as passed when LeakSanitizer speaks at the
	# exit of its worker process.
	if [[ $f -eq 0 ]] && { [[ $rc -ne 0 ]] ||
		grep -qE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$log"; }; then
		f=1
		[[ $p -gt 0 ]] && p=$((p - 1))
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [[ $f -eq 0 ]]; then
		echo "PASS $t: $p passed, $s skipped"
		[[ $s -gt 0 ]] && grep '^ok .*# SKIP' "$tap" | sed -e 's/^ok - /    skipped: /'
	else
		echo "FAIL $t (exit $rc): $p passed, $f failed, $s skipped"
		show_log "$log"
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]

#!/bin/bash
# Runs each libFuzzer target named on the command line for $FUZZ_SECONDS,
# one after the other, at low priority and one process each. New inputs go
# to $FUZZ_DIR/work/<target> (the committed seeds in tests/fuzz/corpus and
# the regression inputs in tests/fuzz/regress are read, never written).
# Prints each target's final coverage line and when its coverage last grew;
# exits 1 if any target found a crash, hang, leak or sanitizer report,
# naming the input it kept.
set -u
: "${FUZZ_DIR:=build/fuzz}" "${FUZZ_SECONDS:=60}"
declare -A MAX_LEN=([file]=300000 [chunk]=270000 [parse]=8192)
declare -A DICT=([file]=tests/fuzz/capture.dict [chunk]=tests/fuzz/capture.dict)

# "cov last grew at #N of #M": the run that found coverage N execs in.
last_growth() {
	awk '/^#[0-9]+/ { n = substr($1, 2)
		for (i = 1; i <= NF; i++) if ($i == "cov:") c = $(i + 1)
		if (c != last) { at = n; last = c } }
		END { if (n) printf "cov last grew at #%s of #%s", at, n }' "$1"
}

failed=0
for t in "$@"; do
	work=$FUZZ_DIR/work/$t arts=$FUZZ_DIR/artifacts/$t log=$FUZZ_DIR/logs/$t.log
	mkdir -p "$work" "$arts" "$(dirname "$log")" "tests/fuzz/regress/$t"
	nice -n 10 "$FUZZ_DIR/fuzz_$t" -max_total_time="$FUZZ_SECONDS" \
		-max_len="${MAX_LEN[$t]:-65536}" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=64 -print_final_stats=1 -artifact_prefix="$arts/" \
		${DICT[$t]:+-dict="${DICT[$t]}"} \
		"$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" >"$log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	if [[ $rc -eq 0 ]]; then
		echo "fuzz $t: ok, ${FUZZ_SECONDS}s: $last; $(last_growth "$log")"
	else
		failed=1
		echo "fuzz $t: FAILED (exit $rc) after: $last"
		grep -E 'ERROR|SUMMARY|invariant|Test unit written|^    #[0-9]+ ' "$log" | head -n 30 | sed -e 's/^/    /'
		echo "    full log: $log"
	fi
done
exit $failed

/* SPDX-License-Identifier: MIT */
/*
 * aa-replay cat: every JSON line parses (python3's json), known records
 * carry their exact fields, and the type, pid and time filters select
 * exactly the right records.
 */
#include <inttypes.h>

#include "aa_print.h"

#include "cli_fixture.h"

static char out[1 << 22], err[1 << 14];

/* Wall-clock time of record i of the fixture (known types only). */
static uint64_t wall_of(const struct fx *f, size_t i)
{
	return aa_record_mono_ns(aat_recs_at(&f->recs, i), f->recs.len[i]) + FX_MONO_TO_WALL;
}

/* "tls,file,...": every known type, for --type. */
static const char *known_types(void)
{
	static char list[256];

	if (!list[0])
		for (int t = 0; t < AA_TYPE_UNKNOWN; t++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", t ? "," : "",
				 aa_type_name((enum aa_type)t));
	return list;
}

/* Records of known type with wall time in [since, until). */
static size_t count_between(const struct fx *f, uint64_t since, uint64_t until)
{
	size_t n = 0;

	for (size_t i = 0; i < f->recs.n; i++) {
		struct aa_event ev;

		aa_parse(aat_recs_at(&f->recs, i), f->recs.len[i], &ev);
		if (ev.type != AA_TYPE_UNKNOWN && wall_of(f, i) >= since && wall_of(f, i) < until)
			n++;
	}
	return n;
}

Test(cli_cat, every_json_line_parses)
{
	struct fx f;

	fx_make(&f, 21, 3000, 32768, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json cap.pcapng | python3 -c '"
			    "import json,sys,collections\n"
			    "c=collections.Counter(json.loads(l)[\"type\"] for l in sys.stdin)\n"
			    "print(sum(c.values()),c[\"tls\"],c[\"file\"],c[\"exec\"],c[\"exit\"],c[\"unknown\"])'"),
		     0, "%s", err);
	char want[128];
	snprintf(want, sizeof(want), "3000 %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		 f.counts.by_type[AA_TYPE_TLS], f.counts.by_type[AA_TYPE_FILE],
		 f.counts.by_type[AA_TYPE_EXEC], f.counts.by_type[AA_TYPE_EXIT],
		 f.counts.by_type[AA_TYPE_UNKNOWN]);
	cr_expect_str_eq(out, want);
	/* invalid records carry their error */
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "cat --json cap.pcapng | grep -c '\"error\":\"AA_REC_'"), 0);
	cr_expect_eq(strtoull(out, NULL, 10), f.counts.invalid);
	fx_free(&f);
}

Test(cli_cat, known_records_exact_json)
{
	struct fx f;
	char want[1024];
	const uint64_t t = wall_of((fx_make(&f, 22, 400, 0, 0), &f), FX_KNOWN_AT);
	const uint64_t mono = t - FX_MONO_TO_WALL;

	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --json --pid %u cap.pcapng",
			    FX_PID_EXEC), 0, "%s", err);
	snprintf(want, sizeof(want),
		 "{\"type\":\"exec\",\"time\":\"2026-11-25T21:30:01.%09" PRIu64 "Z\",\"time_ns\":%" PRIu64
		 ",\"index\":%d,\"comm\":\"printf\",\"timestamp_ns\":%" PRIu64 ",\"pid\":900001,\"ppid\":1,\"uid\":1000,"
		 "\"filename\":\"/usr/bin/printf\",\"filename_truncated\":false,\"args\":\"printf %%s \\\"hi\\\"\","
		 "\"argv\":null,\"argv_truncated\":false}\n"
		 "{\"type\":\"exit\",\"time\":\"2026-11-25T21:30:01.%09" PRIu64 "Z\",\"time_ns\":%" PRIu64
		 ",\"index\":%d,\"comm\":\"printf\",\"timestamp_ns\":%" PRIu64 ",\"pid\":900001,\"exit_code\":137,"
		 "\"signal\":0,\"core_dumped\":false}\n",
		 mono, t, FX_KNOWN_AT, mono, mono + 3, t + 3, FX_KNOWN_AT + 3, mono + 3);
	cr_expect_str_eq(out, want);

	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "cat --json --pid %u cap.pcapng", FX_PID_FILE), 0);
	snprintf(want, sizeof(want),
		 "{\"type\":\"file\",\"time\":\"2026-11-25T21:30:01.%09" PRIu64 "Z\",\"time_ns\":%" PRIu64
		 ",\"index\":%d,\"comm\":null,\"pid\":900002,\"tid\":900003,\"timestamp_ns\":%" PRIu64
		 ",\"syscall\":\"rename\",\"flags\":577,\"flags_names\":\"RENAME_NOREPLACE|0x240\",\"return_code\":-13,\"duration_ns\":1500,"
		 "\"path\":\"/tmp/a b\\u0009c\",\"path_truncated\":false,\"unlinked\":false}\n",
		 mono + 1, t + 1, FX_KNOWN_AT + 1, mono + 1);
	cr_expect_str_eq(out, want);

	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "cat --json --pid %u cap.pcapng", FX_PID_TLS), 0);
	snprintf(want, sizeof(want),
		 "{\"type\":\"tls\",\"time\":\"2026-11-25T21:30:01.%09" PRIu64 "Z\",\"time_ns\":%" PRIu64
		 ",\"index\":%d,\"comm\":null,\"timestamp_ns\":%" PRIu64 ",\"pid\":900004,\"tid\":900004,"
		 "\"data_len\":10,\"seq\":0,\"direction\":\"write\",\"payload\":\"hello\\u000aworl\","
		 "\"payload_b64\":\"aGVsbG8Kd29ybA==\"}\n",
		 mono + 2, t + 2, FX_KNOWN_AT + 2, mono + 2);
	cr_expect_str_eq(out, want);

	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0,
			    "cat --json --type unknown cap.pcapng | grep '\"index\":%d,'", FX_KNOWN_AT + 4), 0);
	cr_expect(strstr(out, ",\"size\":7,\"raw_b64\":\"AQIDBAUGBw==\"}\n"), "%s", out);
	fx_free(&f);
}

Test(cli_cat, known_records_text)
{
	struct fx f;
	char want[512];
	const uint64_t t = wall_of((fx_make(&f, 23, 300, 0, 0), &f), FX_KNOWN_AT);

	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --pid %u,%u cap.pcapng",
			    FX_PID_EXEC, FX_PID_FILE), 0, "%s", err);
	snprintf(want, sizeof(want),
		 "2026-11-25T21:30:01.%09" PRIu64 "Z exec pid=900001 ppid=1 uid=1000 \"/usr/bin/printf\" "
		 "args=\"printf %%s \\\"hi\\\"\" comm=\"printf\"\n"
		 "2026-11-25T21:30:01.%09" PRIu64 "Z file pid=900002 tid=900003 rename \"/tmp/a b\\tc\" "
		 "flags=RENAME_NOREPLACE|0x240 ret=-13(EACCES) dur=1.500us\n"
		 "2026-11-25T21:30:01.%09" PRIu64 "Z exit pid=900001 exit_code=137 comm=\"printf\"\n",
		 t - FX_MONO_TO_WALL, t + 1 - FX_MONO_TO_WALL, t + 3 - FX_MONO_TO_WALL);
	cr_expect_str_eq(out, want);
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0, "cat cap.pcapng | wc -l"), 0);
	cr_expect_eq(strtoull(out, NULL, 10), 300);
	fx_free(&f);
}

Test(cli_cat, type_filter_selects_exactly)
{
	struct fx f;

	fx_make(&f, 24, 2000, 16384, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0,
			    "cat --json --type exec,exit cap.pcapng | python3 -c '"
			    "import json,sys\n"
			    "t=[json.loads(l)[\"type\"] for l in sys.stdin]\n"
			    "print(t.count(\"exec\"), t.count(\"exit\"), len(t))'"), 0);
	char want[64];
	snprintf(want, sizeof(want), "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", f.counts.by_type[2],
		 f.counts.by_type[3], f.counts.by_type[2] + f.counts.by_type[3]);
	cr_expect_str_eq(out, want);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --type exec,nope cap.pcapng"), 2);
	cr_expect(strstr(err, "unknown type 'nope'"), "%s", err);
	fx_free(&f);
}

Test(cli_cat, time_filters_select_exactly)
{
	struct fx f;
	uint64_t a, b, first;

	fx_make(&f, 25, 2000, 16384, 0);
	first = f.first_ts + FX_MONO_TO_WALL;
	a = first + (f.last_ts - f.first_ts) / 3;
	b = first + 2 * (f.last_ts - f.first_ts) / 3;
	size_t want = count_between(&f, a, b);
	cr_assert_gt(want, 100);

	/* epoch seconds with a nine-digit fraction */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --type %s --since %" PRIu64 ".%09" PRIu64
			    " --until %" PRIu64 ".%09" PRIu64 " cap.pcapng | wc -l", known_types(),
			    a / 1000000000, a % 1000000000, b / 1000000000, b % 1000000000), 0, "%s", err);
	cr_expect_eq(strtoull(out, NULL, 10), want, "epoch: %s", out);

	/* RFC 3339, with the same instants written in another zone */
	char ta[AA_TIME_BUF], tb[AA_TIME_BUF];
	aa_format_time(ta, a);
	aa_format_time(tb, b);
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0,
			    "cat --json --type %s --since %s --until %s cap.pcapng | wc -l",
			    known_types(), ta, tb), 0);
	cr_expect_eq(strtoull(out, NULL, 10), want, "rfc3339 %s %s: %s", ta, tb, out);

	/* offsets from the first record */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --type %s --since +%" PRIu64 "ns --until +%" PRIu64
			    "us cap.pcapng | wc -l", known_types(), a - first, (b - first) / 1000), 0, "%s", err);
	cr_expect_eq(strtoull(out, NULL, 10),
		     count_between(&f, a, first + (b - first) / 1000 * 1000), "offset: %s", out);

	/* a zone offset: 21:30:01Z is 22:30:01+01:00; nothing is before it */
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0,
			    "cat --until 2026-11-25T22:30:01+01:00 --type exec cap.pcapng | wc -l"), 0);
	cr_expect_str_eq(out, "0\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), NULL, 0,
			    "cat --since 2026-11-25T22:30:01+01:00 --type exec cap.pcapng | wc -l"), 0);
	cr_expect_eq(strtoull(out, NULL, 10), f.counts.by_type[AA_TYPE_EXEC]);
	fx_free(&f);
}

Test(cli_cat, closed_pipe_ends_quietly)
{
	struct fx f;
	char cmd[2048];
	uint8_t *rc;
	size_t n;

	fx_make(&f, 26, 3000, 0, 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && { '%s' cat --json cap.pcapng 2>err; echo $? >rc; } | head -c 100 >/dev/null",
		 f.dir, f.replay);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	char *p = aat_path(f.dir, "rc");
	cr_assert_eq(aat_read_file(p, &rc, &n), 0);
	cr_expect(n >= 2 && !memcmp(rc, "0\n", 2), "exit status %.*s", (int)n, rc);
	free(rc);
	free(p);
	p = aat_path(f.dir, "err");
	cr_assert_eq(aat_read_file(p, &rc, &n), 0);
	cr_expect_eq(n, 0, "stderr: %.*s", (int)n, rc);
	free(rc);
	free(p);
	fx_free(&f);
}

Test(cli_cat, standard_input)
{
	struct fx f;

	fx_make(&f, 27, 800, 16384, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --json - < cap.pcapng | wc -l"), 0);
	cr_expect_str_eq(out, "800\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --since +1s - < cap.pcapng"), 2);
	cr_expect(strstr(err, "standard input"), "%s", err);
	fx_free(&f);
}

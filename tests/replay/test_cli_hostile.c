/* SPDX-License-Identifier: MIT */
/*
 * Records of random bytes (every known size, invalid strings, enums and
 * lengths; unknown sizes) still give one valid JSON object per record and
 * text lines without a control character, so hostile data can neither
 * break a JSON reader nor drive a terminal.
 */
#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

static void make_random(struct fx *f, size_t n)
{
	static const uint32_t sizes[] = { AA_TLS_EVENT_SIZE, AA_FILE_EVENT_SIZE, AA_EXEC_EVENT_SIZE,
					  AA_EXIT_EVENT_SIZE, 1, 3, 15, 17, 297, 5000 };
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .chunk_raw_max = 32768 };
	static uint8_t buf[5000];
	struct aat_rng r;

	fx_init(f);
	aat_rng_seed(&r, 61);
	for (size_t i = 0; i < n; i++) {
		uint32_t len = sizes[i % 10];

		aat_fill(&r, buf, len);
		if (i % 3 == 0 && len >= 16)
			buf[7] = 0; /* a sane time stamp now and then */
		aat_recs_add(&f->recs, buf, len);
	}
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, n, &o, 0, NULL), 0);
}

Test(cli_hostile, random_records_give_valid_json_and_safe_text)
{
	struct fx f;

	make_random(&f, 2000);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json cap.pcapng | python3 -c '"
			    "import json,sys,base64\n"
			    "n=bad=0\n"
			    "for l in sys.stdin:\n"
			    "  o=json.loads(l); n+=1\n"
			    "  if o[\"type\"]==\"unknown\": bad+=len(base64.b64decode(o[\"raw_b64\"]))!=o[\"size\"]\n"
			    "  elif o[\"type\"]==\"tls\": bad+=len(base64.b64decode(o[\"payload_b64\"]))>4096\n"
			    "print(n,bad)'"), 0, "%s", err);
	cr_expect_str_eq(out, "2000 0\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat cap.pcapng | python3 -c '"
			    "import sys\n"
			    "d=sys.stdin.buffer.read()\n"
			    "print(d.count(10), sum(1 for b in d if (b<32 and b!=10) or b==127))'"), 0, "%s", err);
	cr_expect_str_eq(out, "2000 0\n");
	fx_free(&f);
}

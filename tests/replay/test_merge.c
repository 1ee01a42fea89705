/* SPDX-License-Identifier: MIT */
/*
 * Several hosts in one stream: files of two hosts (and of two sessions of
 * one host, and a rotated set beside another host's file) read as one
 * stream in wall-clock order, each record with its host; `aa-replay merge`
 * writes them into one merged file that verifies, exports the time-ordered
 * concatenation and reads back with the same hosts; bad inputs leave no
 * OUT behind.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"
#include "recs.h"
#include "rng.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(merge);

#define WALL0 INT64_C(1795642201000000000) /* 2026-11-25T21:30:01Z at monotonic 0 */

/* One record of each of these types in turn: none completes another. */
static const enum aa_type kinds[] = { AA_TYPE_FILE, AA_TYPE_EXEC, AA_TYPE_TLS, AA_TYPE_EXIT,
				      AA_TYPE_FILEOP, AA_TYPE_NET };

/* What a test expects of one record: its bytes, wall time and host. */
struct want {
	struct aat_recs recs;
	uint64_t wall[256];
	const char *host[256];
};

/*
 * A capture file of host with session byte sess and place seq in its set:
 * n records, time stamps from ts0 every step ns, wall clock offset off.
 * Each is also added to w (unsorted) with its wall time and host.
 */
static void write_host(const char *name, const char *host, uint8_t sess, uint32_t seq,
		       int64_t off, uint64_t ts0, uint64_t step, size_t n, struct want *w)
{
	uint8_t session[16] = { sess, 0xa5, 1, 2, 3 };
	struct aa_writer_opts o = { .mono_to_wall = off, .hostname = host, .session = session,
				    .file_seq = seq, .source = "test", .kernel = "6.1.0-test",
				    .arch = "x86_64" };
	struct aat_recs recs = { 0 };
	struct aat_rng r;
	uint8_t buf[AAT_GEN_MAX];
	char *path = aat_path(dir, name);

	aat_rng_seed(&r, (uint64_t)sess * 1000 + seq + (uint64_t)host[0]);
	for (size_t i = 0; i < n; i++) {
		uint64_t ts = ts0 + i * step;
		size_t len = aat_gen_valid(&r, kinds[i % 6], ts, buf);
		aat_recs_add(&recs, buf, len);
		if (w) {
			w->wall[w->recs.n] = ts + (uint64_t)off;
			w->host[w->recs.n] = host;
			aat_recs_add(&w->recs, buf, len);
		}
	}
	/* small chunks: the merge crosses chunk boundaries of both files */
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &o, 5, NULL), 0);
	aat_recs_free(&recs);
	free(path);
}

/* w's records sorted by wall time (stable: the order written on ties). */
static void sort_want(struct want *w, struct want *out)
{
	size_t n = w->recs.n, idx[256];

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && w->wall[idx[k - 1]] > w->wall[idx[k]]; k--) {
			size_t t = idx[k];
			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		out->wall[i] = w->wall[idx[i]];
		out->host[i] = w->host[idx[i]];
		aat_recs_add(&out->recs, aat_recs_at(&w->recs, idx[i]), w->recs.len[idx[i]]);
	}
}

/* Reads paths as one stream and checks every record against want, in order. */
static void expect_stream(const char *const *names, size_t n, int ordered, const struct want *want)
{
	const char *paths[8];
	aa_source *src;
	struct aa_error_info err;
	struct aa_replay_opts o = { .ordered = ordered };
	const struct aa_record *rec;
	size_t i = 0;
	int rc;

	for (size_t k = 0; k < n; k++)
		paths[k] = aat_path(dir, names[k]);
	cr_assert_eq(aa_open_offline(&src, paths, n, &o, &err), 0, "%s", err.detail);
	while ((rc = aa_next(src, &rec)) == 1) {
		cr_assert_lt(i, want->recs.n, "more records than written");
		cr_expect_eq(rec->ev.len, want->recs.len[i], "record %zu: length", i);
		cr_expect_eq(memcmp(rec->ev.raw, aat_recs_at(&want->recs, i), rec->ev.len), 0,
			     "record %zu: bytes", i);
		cr_expect_eq(rec->time_ns, want->wall[i], "record %zu: time", i);
		cr_assert_not_null(rec->host);
		cr_expect_str_eq(rec->host, want->host[i], "record %zu: host", i);
		cr_expect_str_eq(aa_source_origin(src, rec->origin)->host, rec->host);
		i++;
	}
	cr_expect_eq(rc, 0, "%s", aa_source_error(src)->detail);
	cr_expect_eq(i, want->recs.n, "records read");
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect(st.intact);
	cr_expect_eq(st.records, want->recs.n);
	aa_close(src);
	for (size_t k = 0; k < n; k++)
		free((char *)paths[k]);
}

static void free_want(struct want *w)
{
	aat_recs_free(&w->recs);
}

/* "aa-replay ARGS" in dir, where "$R" is aa-replay for the commands after
 * the first: the exit status, stdout into out. */
#define replay(out, size, ...) aat_replay_in(dir, out, size, __VA_ARGS__)

static int exists(const char *name)
{
	struct stat st;
	char *p = aat_path(dir, name);
	int e = stat(p, &st) == 0;
	free(p);
	return e;
}

/* alpha and beta: 40 records each, their wall times interleaved, beta's
 * clock offset not alpha's (monotonic times mean nothing across hosts). */
static void two_hosts(struct want *sorted)
{
	struct want w = { 0 };

	write_host("a.pcapng", "alpha", 1, 0, WALL0, 1000000, 1000000, 40, &w);
	write_host("b.pcapng", "beta", 2, 0, WALL0 - 7777777, 7777777 + 1250000, 1300000, 40, &w);
	sort_want(&w, sorted);
	free_want(&w);
}

Test(merge, two_hosts_one_stream_in_wall_time_order)
{
	struct want s;
	const char *names[] = { "a.pcapng", "b.pcapng" };
	const char *rev[] = { "b.pcapng", "a.pcapng" };

	two_hosts(&s);
	/* interleaved, not one file after the other */
	cr_assert_str_neq(s.host[0], s.host[s.recs.n - 1]);
	cr_assert(strcmp(s.host[1], s.host[0]) || strcmp(s.host[2], s.host[0]));
	expect_stream(names, 2, 1, &s);
	expect_stream(names, 2, 0, &s); /* each file in time order: capture order merges the same */
	expect_stream(rev, 2, 1, &s);   /* the order given does not matter across hosts */
	free_want(&s);
}

Test(merge, origins_counted_per_host)
{
	struct want s;
	const char *paths[2];
	aa_source *src;
	const struct aa_record *rec;
	uint64_t alpha = 0;

	two_hosts(&s);
	paths[0] = aat_path(dir, "a.pcapng");
	paths[1] = aat_path(dir, "b.pcapng");
	cr_assert_eq(aa_open_offline(&src, paths, 2, NULL, NULL), 0);
	cr_expect_eq(aa_source_origins(src), 2, "both hosts known at open");
	while (aa_next(src, &rec) == 1)
		alpha += !strcmp(rec->host, "alpha");
	const struct aa_origin *a = aa_source_origin(src, 0), *b = aa_source_origin(src, 1);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_expect_null(aa_source_origin(src, 2));
	cr_expect_str_eq(a->host, "alpha");
	cr_expect_str_eq(b->host, "beta");
	cr_expect_eq(a->session[0], 1);
	cr_expect_eq(b->session[0], 2);
	cr_expect_eq(a->records, 40);
	cr_expect_eq(b->records, 40);
	cr_expect_eq(alpha, 40);
	cr_expect_eq(a->files, 1);
	cr_expect(a->intact && b->intact);
	cr_expect_eq(a->first_ns, WALL0 + 1000000);
	cr_expect_str_eq(a->meta->kernel, "6.1.0-test");
	aa_close(src);
	free((char *)paths[0]);
	free((char *)paths[1]);
	free_want(&s);
}

Test(merge, merged_file_verifies_exports_and_reads_back)
{
	struct want s;
	const char *names[] = { "m.pcapng" };
	char out[8192];
	char *raw = aat_path(dir, "want.raw");

	two_hosts(&s);
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng a.pcapng b.pcapng"), 0, "%s", out);
	cr_assert_eq(replay(out, sizeof(out), "verify m.pcapng"), 0, "%s", out);
	cr_expect(strstr(out, "m.pcapng: intact: 80 records") != NULL, "%s", out);
	/* export --raw: the time-ordered concatenation, byte for byte */
	cr_assert_eq(aat_recs_write_raw(&s.recs, raw), 0);
	cr_expect_eq(replay(out, sizeof(out), "export --raw m.pcapng got.raw && cmp got.raw want.raw && echo same"),
		     0, "%s", out);
	cr_expect_str_eq(out, "same\n");
	/* read back: the same records, times and hosts */
	expect_stream(names, 1, 1, &s);
	expect_stream(names, 1, 0, &s);
	/* info lists the hosts with their counts */
	cr_assert_eq(replay(out, sizeof(out), "info --json m.pcapng"), 0, "%s", out);
	cr_expect(strstr(out, "\"records\":80,") != NULL, "%s", out);
	cr_expect(strstr(out, "\"format_version\":3") != NULL, "%s", out);
	cr_expect(strstr(out, "\"hosts\":[{\"host\":\"alpha\",\"session\":\"01a5010203000000"
			      "0000000000000000\",\"files\":1,\"records\":40,") != NULL, "%s", out);
	cr_expect(strstr(out, "{\"host\":\"beta\",") != NULL, "%s", out);
	cr_assert_eq(replay(out, sizeof(out), "info m.pcapng | grep -A2 '^Hosts:'"), 0, "%s", out);
	cr_expect_str_eq(out, "Hosts:          2\n"
			      "  alpha (session 01a50102): 40 records, 1 file, intact\n"
			      "  beta (session 02a50102): 40 records, 1 file, intact\n");
	/* info over the two files says the same of them */
	cr_assert_eq(replay(out, sizeof(out), "info a.pcapng b.pcapng | grep -A2 '^Hosts:'"), 0, "%s", out);
	cr_expect_str_eq(out, "Hosts:          2\n"
			      "  alpha (session 01a50102): 40 records, 1 file, intact\n"
			      "  beta (session 02a50102): 40 records, 1 file, intact\n");
	/* cat names the host of each line; the same from the files and from OUT */
	cr_assert_eq(replay(out, sizeof(out), "cat a.pcapng b.pcapng | cut -d' ' -f1 | uniq -c | wc -l"), 0);
	cr_expect_gt(atoi(out), 2, "hosts interleave: %s", out);
	cr_assert_eq(replay(out, sizeof(out),
			    "cat --json a.pcapng b.pcapng > f.jsonl && \"$R\" cat --json m.pcapng > m.jsonl && "
			    "cmp f.jsonl m.jsonl && head -c 70 m.jsonl"), 0, "%s", out);
	cr_expect(!strncmp(out, "{\"host\":\"", 9), "%s", out);
	cr_expect(strstr(out, "\",\"session\":\"0") != NULL, "%s", out);
	free(raw);
	free_want(&s);
}

Test(merge, a_rotated_set_beside_another_host)
{
	struct want w = { 0 }, s;
	const char *names[] = { "a0.pcapng", "b.pcapng", "a1.pcapng" };
	char out[4096];

	write_host("a0.pcapng", "alpha", 1, 0, WALL0, 1000000, 1000000, 30, &w);
	write_host("a1.pcapng", "alpha", 1, 1, WALL0, 31000000, 1000000, 30, &w);
	write_host("b.pcapng", "beta", 2, 0, WALL0 + 3, 2500000, 2000000, 25, &w);
	sort_want(&w, &s);
	expect_stream(names, 3, 1, &s);
	cr_assert_eq(replay(out, sizeof(out), "info a0.pcapng b.pcapng a1.pcapng | grep -A2 '^Hosts:'"),
		     0, "%s", out);
	cr_expect_str_eq(out, "Hosts:          2\n"
			      "  alpha (session 01a50102): 60 records, 2 files, intact\n"
			      "  beta (session 02a50102): 25 records, 1 file, intact\n");
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng a0.pcapng b.pcapng a1.pcapng && "
					       "\"$R\" verify -q m.pcapng && echo ok"), 0, "%s", out);
	const char *m[] = { "m.pcapng" };
	expect_stream(m, 1, 1, &s);
	/* a set given out of order is still reported, as for one host */
	cr_expect_eq(replay(out, sizeof(out), "info a1.pcapng b.pcapng a0.pcapng 2>&1 | grep -c 'out of order'"),
		     0, "%s", out);
	free_want(&w);
	free_want(&s);
}

Test(merge, one_host_two_sessions)
{
	struct want w = { 0 }, s;
	const char *names[] = { "s1.pcapng", "s2.pcapng" };
	char out[4096];

	write_host("s1.pcapng", "alpha", 1, 0, WALL0, 1000000, 1000000, 20, &w);
	/* a second capture on the same host, overlapping in time */
	write_host("s2.pcapng", "alpha", 9, 0, WALL0, 1500000, 1000000, 20, &w);
	sort_want(&w, &s);
	expect_stream(names, 2, 1, &s);
	cr_assert_eq(replay(out, sizeof(out), "cat s1.pcapng s2.pcapng | cut -d' ' -f1 | sort | uniq -c"),
		     0, "%s", out);
	cr_expect_str_eq(out, "     20 alpha/01a50102\n     20 alpha/09a50102\n");
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng s1.pcapng s2.pcapng && \"$R\" info --json m.pcapng"),
		     0, "%s", out);
	cr_expect(strstr(out, "\"session\":\"09a50102") != NULL, "%s", out);
	free_want(&w);
	free_want(&s);
}

Test(merge, the_live_fixture_beside_a_generated_host)
{
	char out[8192];
	char *fx = realpath("tests/fixtures/live.pcapng", NULL);

	cr_assert_not_null(fx);
	write_host("gen.pcapng", "generated-host", 3, 0, WALL0, 1000, 1000000, 50, NULL);
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng '%s' gen.pcapng && \"$R\" verify -q m.pcapng", fx),
		     0, "%s", out);
	unsigned long long live;
	cr_assert_eq(replay(out, sizeof(out), "info --json '%s'", fx), 0);
	cr_assert_eq(sscanf(strstr(out, "\"records\":"), "\"records\":%llu", &live), 1);
	cr_assert_eq(replay(out, sizeof(out), "info --json m.pcapng"), 0, "%s", out);
	char want[128];
	snprintf(want, sizeof(want), "\"records\":%llu,", live + 50);
	cr_expect(strstr(out, want) != NULL, "%s wanted in %s", want, out);
	cr_expect(strstr(out, "{\"host\":\"generated-host\",\"session\":\"03a5") != NULL, "%s", out);
	cr_expect(strstr(out, "\"records\":50,") != NULL, "%s", out);
	/* the same lines as the two files read together */
	cr_expect_eq(replay(out, sizeof(out), "cat --json m.pcapng > m.jsonl && \"$R\" cat --json '%s' "
					       "gen.pcapng > f.jsonl && cmp m.jsonl f.jsonl && echo same", fx),
		     0, "%s", out);
	cr_expect_str_eq(out, "same\n");
	free(fx);
}

Test(merge, damaged_input_leaves_no_out_unless_skipped)
{
	struct want s;
	char out[4096];
	uint8_t *data;
	size_t size;
	char *b = aat_path(dir, "b.pcapng");

	two_hosts(&s);
	/* a byte in the middle of beta's file: one chunk's crc fails */
	cr_assert_eq(aat_read_file(b, &data, &size), 0);
	data[size / 2] ^= 0x40;
	cr_assert_eq(aat_write_file(b, data, size), 0);
	free(data);
	cr_expect_eq(replay(out, sizeof(out), "merge m.pcapng a.pcapng b.pcapng 2>err; echo $?; cat err"), 0);
	cr_expect(!strncmp(out, "1\n", 2), "%s", out);
	cr_expect(strstr(out, "b.pcapng: offset") != NULL, "%s", out);
	cr_expect(strstr(out, "m.pcapng not written") != NULL, "%s", out);
	cr_expect(!exists("m.pcapng"), "a partial OUT was left");
	cr_expect_eq(replay(out, sizeof(out), "merge --skip-damaged m.pcapng a.pcapng b.pcapng 2>/dev/null"), 1);
	cr_assert(exists("m.pcapng"));
	cr_expect_eq(replay(out, sizeof(out), "verify m.pcapng"), 0, "%s", out);
	cr_expect(strstr(out, "records") != NULL);
	free(b);
	free_want(&s);
}

Test(merge, out_that_exists_or_cannot_be_created)
{
	struct want s;
	char out[4096];

	two_hosts(&s);
	char *m = aat_path(dir, "m.pcapng");
	cr_assert_eq(aat_write_file(m, "keep", 4), 0);
	free(m);
	cr_expect_eq(replay(out, sizeof(out), "merge m.pcapng a.pcapng b.pcapng 2>&1"), 2);
	cr_expect(strstr(out, "m.pcapng: cannot create: the file exists") != NULL, "%s", out);
	cr_expect_eq(replay(out, sizeof(out), "--version >/dev/null && cat m.pcapng"), 0);
	cr_expect_str_eq(out, "keep");
	cr_expect_eq(replay(out, sizeof(out), "merge no/such/dir/m.pcapng a.pcapng b.pcapng 2>&1"), 2);
	cr_expect(strstr(out, "cannot create") != NULL, "%s", out);
	cr_expect_eq(replay(out, sizeof(out), "merge m2.pcapng a.pcapng missing.pcapng 2>&1"), 2, "%s", out);
	cr_expect(!exists("m2.pcapng"));
	cr_expect_eq(replay(out, sizeof(out), "merge m3.pcapng 2>&1"), 2);
	free_want(&s);
}

Test(merge, a_newer_format_is_refused_cleanly)
{
	struct aat_recs recs = { 0 }, got = { 0 };
	struct aa_writer_opts o = { .format_version = AA_FORMAT_VERSION_MAX + 1, .source = "test" };
	struct aa_error_info err;
	uint8_t buf[AAT_GEN_MAX];
	struct aat_rng r;
	char *p = aat_path(dir, "new.pcapng");

	aat_rng_seed(&r, 5);
	aat_recs_add(&recs, buf, aat_gen_valid(&r, AA_TYPE_EXIT, 10, buf));
	cr_assert_eq(aat_write_capture(p, &recs, 0, 1, &o, 0, NULL), 0);
	cr_expect_eq(aat_read_capture(p, NULL, &got, NULL, &err), AA_E_META);
	cr_expect(strstr(err.detail, "format version 4: newer than this reader") != NULL, "%s", err.detail);
	cr_expect_eq(got.n, 0, "nothing of it is read");
	aat_recs_free(&recs);
	aat_recs_free(&got);
	free(p);
}

/* A file of host with an exec of pid 4242 running prog at ts, then a file
 * record of that pid at ts + 2 ms. */
static void pid_file(const char *name, const char *host, uint8_t sess, uint64_t ts, const char *prog)
{
	uint8_t session[16] = { sess };
	struct aa_writer_opts o = { .mono_to_wall = WALL0, .hostname = host, .session = session,
				    .source = "test" };
	struct aat_recs recs = { 0 };
	struct aa_exec_event ex = { .timestamp_ns = ts, .pid = 4242, .ppid = 1 };
	struct aa_file_event fi = { .pid = 4242, .tid = 4242, .timestamp_ns = ts + 2000000,
				    .syscall = AA_SYS_OPENAT };
	char *path = aat_path(dir, name);

	strcpy((char *)ex.filename, prog);
	strcpy((char *)ex.args, prog);
	strcpy((char *)fi.path, "/etc/hosts");
	aat_recs_add(&recs, &ex, sizeof(ex));
	aat_recs_add(&recs, &fi, sizeof(fi));
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &o, 0, NULL), 0);
	aat_recs_free(&recs);
	free(path);
}

Test(merge, a_pid_of_one_host_is_not_the_same_pid_of_another)
{
	const char *paths[2];
	aa_source *src;
	const struct aa_record *rec;
	int files = 0;

	pid_file("a.pcapng", "alpha", 1, 1000000, "/bin/alpha-prog");
	pid_file("b.pcapng", "beta", 2, 2000000, "/bin/beta-prog");
	paths[0] = aat_path(dir, "a.pcapng");
	paths[1] = aat_path(dir, "b.pcapng");
	struct aa_replay_opts o = { .ordered = 1 };
	cr_assert_eq(aa_open_offline(&src, paths, 2, &o, NULL), 0);
	/* exec alpha, exec beta, file alpha, file beta: each file record's
	 * process is its own host's pid 4242 */
	while (aa_next(src, &rec) == 1) {
		if (rec->ev.type != AA_TYPE_FILE)
			continue;
		files++;
		cr_assert_not_null(rec->process);
		const char *want = !strcmp(rec->host, "alpha") ? "/bin/alpha-prog" : "/bin/beta-prog";
		cr_expect_eq(rec->process->exe.len, strlen(want), "%s", rec->host);
		cr_expect_eq(memcmp(rec->process->exe.data, want, strlen(want)), 0, "%s: %.*s", rec->host,
			     (int)rec->process->exe.len, (const char *)rec->process->exe.data);
		cr_expect_str_eq(rec->process->host, rec->host);
		cr_expect_eq(rec->process->origin, rec->origin);
	}
	cr_expect_eq(files, 2);
	const struct aa_process *pa = aa_process_at_origin(src, 0, 4242, WALL0 + 5000000);
	const struct aa_process *pb = aa_process_at_origin(src, 1, 4242, WALL0 + 5000000);
	cr_assert(pa && pb && pa != pb);
	cr_expect_str_eq(pa->host, "alpha");
	cr_expect_str_eq(pb->host, "beta");
	cr_expect_eq(aa_process_at(src, 4242, WALL0 + 5000000), pa);
	aa_close(src);
	free((char *)paths[0]);
	free((char *)paths[1]);
}

Test(merge, a_record_of_a_source_without_its_meta_is_damage)
{
	struct want s;
	char out[8192];
	uint8_t *data;
	size_t size;
	struct aat_block *b;
	char *m = aat_path(dir, "m.pcapng");

	two_hosts(&s);
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng a.pcapng b.pcapng"), 0, "%s", out);
	/* cut beta's META chunk (chunk 1) out of the merged file */
	cr_assert_eq(aat_read_file(m, &data, &size), 0);
	long n = aat_blocks(data, size, &b), k;
	for (k = 0; k < n && !(b[k].kind == AA_CHUNK_META && b[k].index == 1); k++)
		;
	cr_assert_lt(k, n, "no second META chunk");
	cr_assert_eq(aat_le32(data + b[k].off + 8), 1, "META 1 is on interface 1");
	memmove(data + b[k].off, data + b[k].off + b[k].len, size - b[k].off - b[k].len);
	cr_assert_eq(aat_write_file(m, data, size - b[k].len), 0);
	free(b);
	free(data);
	cr_expect_eq(replay(out, sizeof(out), "info --skip-damaged m.pcapng 2>&1 >/dev/null"), 1);
	cr_expect(strstr(out, "chunk 2 where chunk 1 was due") != NULL, "%s", out);
	cr_expect(strstr(out, "a record of a source the file does not describe") != NULL, "%s", out);
	/* alpha's records before the first of beta's are still read, as alpha's */
	cr_expect_eq(replay(out, sizeof(out), "cat --skip-damaged m.pcapng 2>/dev/null | head -1"), 0);
	cr_expect(!strncmp(out, "2026-11-25T21:30:01.001", 23), "one host left, no host column: %s", out);
	free(m);
	free_want(&s);
}

Test(merge, the_session_fixtures_and_the_live_one_in_time_order)
{
	char out[8192];
	char *fa = realpath("tests/fixtures/session/session-a.pcapng", NULL);
	char *fb = realpath("tests/fixtures/session/session-b.pcapng", NULL);
	char *fl = realpath("tests/fixtures/live.pcapng", NULL);

	if (!fa || !fb || !fl)
		cr_skip_test("the session fixture is not there");
	/* three captures of host "vm", given newest first: live (2026-11-25)
	 * comes first, then session-a, then session-b, whole, one after the other */
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng '%s' '%s' '%s' && \"$R\" verify -q m.pcapng",
			    fb, fa, fl), 0, "%s", out);
	/* the merged file's records, as stored: each fixture's in time order, in turn */
	char *m = aat_path(dir, "m.pcapng");
	const char *order[] = { fl, fa, fb };
	aa_source *src, *one;
	const struct aa_record *rec, *want;
	struct aa_replay_opts ordered = { .ordered = 1 };
	size_t n = 0;
	cr_assert_eq(aa_open_offline(&src, (const char *const *)&m, 1, NULL, NULL), 0);
	for (int k = 0; k < 3; k++) {
		cr_assert_eq(aa_open_offline(&one, &order[k], 1, &ordered, NULL), 0);
		const uint8_t *session = aa_source_meta(one)->session;
		while (aa_next(one, &want) == 1) {
			cr_assert_eq(aa_next(src, &rec), 1, "record %zu", n);
			cr_assert_eq(rec->ev.len, want->ev.len, "record %zu", n);
			cr_assert_eq(memcmp(rec->ev.raw, want->ev.raw, rec->ev.len), 0, "record %zu", n);
			cr_assert_eq(rec->time_ns, want->time_ns);
			cr_assert_eq(memcmp(rec->session, session, 16), 0, "record %zu: session", n);
			cr_assert_str_eq(rec->host, "vm");
			n++;
		}
		aa_close(one);
	}
	cr_expect_eq(aa_next(src, &rec), 0);
	cr_expect_eq(n, 708 + 830 + 832);
	aa_close(src);
	free(m);
	cr_assert_eq(replay(out, sizeof(out), "info m.pcapng | sed -n '/^Hosts:/,$p' | sed 's/session [0-9a-f]*/session S/'"), 0);
	/* in the order given (the order they became known), not of time */
	cr_expect_str_eq(out, "Hosts:          3\n"
			      "  vm (session S): 832 records, 1 file, intact\n"
			      "  vm (session S): 830 records, 1 file, intact\n"
			      "  vm (session S): 708 records, 1 file, intact\n");
	/* one host, three sessions: each line says which */
	cr_assert_eq(replay(out, sizeof(out), "cat m.pcapng | cut -d' ' -f1 | uniq | wc -l"), 0);
	cr_expect_str_eq(out, "3\n");
	free(fa);
	free(fb);
	free(fl);
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-capture killed with SIGKILL in the middle of a steady stream: the file
 * it leaves is flagged by `aa-replay verify` (exit 1, not closed), and
 * `aa-replay recover` salvages it into a file that verifies, holding every
 * record that came in more than the flush interval (plus slack for a loaded
 * machine) before the kill, byte for byte and in order. Once from a raw
 * stream on a pipe (any user), once from the live ring buffer (root).
 */
#include <sys/mman.h>

#include "capfile.h"
#include "rel_test.h"

TestSuite(killed, .init = cap_setup, .fini = cap_teardown, .timeout = 60);

#define FLUSH_MS 200
/* How late a flush may come on a loaded 2-CPU machine: poll wake-ups,
 * scheduling, compressing the chunk. */
#define SLACK_MS 300
#define STREAM_MS 2500

/* verify must flag the file as not closed (or, when the kill cut a block's
 * write short, as cut inside a block); recover must make a file that
 * verifies. Returns the records of the recovered file, which must be
 * exactly those the killed file itself reads to. */
static void verify_recover(const char *cap, const char *rec, struct aat_recs *got)
{
	struct aat_recs readable = { 0 };
	char out[4096];
	int rc;

	rc = rel_replay(out, sizeof(out), "verify '%s'", cap);
	cr_expect_eq(rc, 1, "verify of the killed file: exit %d: %s", rc, out);
	cr_expect(strstr(out, "not closed") || strstr(out, "cut short inside a block"),
		  "verify says the file was not closed: %s", out);

	rc = rel_replay(out, sizeof(out), "recover '%s' '%s'", cap, rec);
	cr_expect_eq(rc, 1, "recover of a damaged file: exit %d: %s", rc, out);
	cr_expect(strstr(out, "kept"), "recover says what it kept: %s", out);
	rc = rel_replay(out, sizeof(out), "verify '%s'", rec);
	cr_assert_eq(rc, 0, "the recovered file verifies: exit %d: %s", rc, out);

	rc = aat_read_capture(cap, NULL, &readable, NULL, NULL);
	cr_expect(rc == AA_E_UNCLOSED || rc == AA_E_TRUNCATED, "the killed file reads to its end: %s",
		  aa_error_name(rc));
	cr_assert_eq(aat_read_capture(rec, NULL, got, NULL, NULL), 0);
	cr_expect_eq(aat_recs_diff(got, &readable), -1, "recover kept %zu of the %zu readable records",
		     got->n, readable.n);
	aat_recs_free(&readable);
}

/* How many of the first n events happened long enough before kill_ns that
 * they must have been flushed: done_ns is when each was complete. */
static size_t must_have(const uint64_t *done_ns, size_t n, uint64_t kill_ns)
{
	size_t k = 0;

	while (k < n && done_ns[k] + (FLUSH_MS + SLACK_MS) * 1000000ull <= kill_ns)
		k++;
	return k;
}

/* Writes recs into fd, one every 2.5 ms (400 records a second of ~200
 * bytes: the whole stream fits in one 256 KiB chunk, so only the flush
 * interval can have written any of it), noting when each was written,
 * until STREAM_MS have passed; kills pid there. */
static size_t stream_then_kill(int fd, const struct aat_recs *recs, pid_t pid, uint64_t *done_ns,
			       uint64_t *kill_ns)
{
	uint64_t start = rel_now_ns();
	size_t i = 0;

	while (i < recs->n && rel_now_ns() - start < STREAM_MS * 1000000ull) {
		rel_sleep_until(start + i * 2500000ull);
		cap_write_raw(fd, recs, i, i + 1);
		done_ns[i++] = rel_now_ns();
	}
	*kill_ns = rel_now_ns();
	kill(pid, SIGKILL);
	return i;
}

Test(killed, raw_stream_sigkill_loses_at_most_the_flush_interval)
{
	struct aat_recs in = { 0 }, got = { 0 };
	struct aat_rng r;
	uint64_t ts = 1, kill_ns;
	char *cap = aat_path(dir, "killed.pcapng"), *rec = aat_path(dir, "recovered.pcapng");
	int p[2];

	aat_rng_seed(&r, 4004);
	aat_gen_mix(&r, 4000, 400, &ts, &in, NULL); /* all types, invalid and unknown sizes */
	uint64_t *done_ns = calloc(in.n, sizeof(*done_ns));
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	char flush[16];
	snprintf(flush, sizeof(flush), "%d", FLUSH_MS);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", cap, "--flush-ms", flush, NULL },
			      p[0], NULL);
	close(p[0]);
	size_t sent = stream_then_kill(p[1], &in, pid, done_ns, &kill_ns);
	cr_assert_eq(cap_wait(pid), 128 + SIGKILL);
	close(p[1]);

	verify_recover(cap, rec, &got);
	size_t need = must_have(done_ns, sent, kill_ns);
	size_t bytes = 0;
	for (size_t i = 0; i < sent; i++)
		bytes += 8 + in.len[i];
	cr_log_info("raw: %zu records (%zu bytes framed) sent in %d ms, %zu recovered, %zu older than %d ms",
		    sent, bytes, STREAM_MS, got.n, need, FLUSH_MS + SLACK_MS);
	cr_expect_lt(bytes, AA_CHUNK_RAW_MAX, "the stream fits in one chunk: only --flush-ms writes it");
	cr_expect_gt(need, sent / 2, "the stream ran long enough to test anything");
	cr_expect_leq(got.n, sent, "nothing that was not sent");
	cr_expect_geq(got.n, need, "%zu records recovered, but %zu were sent over %d ms before the kill "
		      "(the oldest lost one %.0f ms before)", got.n, need, FLUSH_MS + SLACK_MS,
		      got.n < sent ? (double)(kill_ns - done_ns[got.n]) / 1e6 : 0.0);
	/* Byte for byte and in order: the recovered records are the first ones sent. */
	struct aat_recs head = { 0 };
	for (size_t i = 0; i < got.n && i < sent; i++)
		aat_recs_add(&head, aat_recs_at(&in, i), in.len[i]);
	cr_expect_eq(aat_recs_diff(&got, &head), -1, "record %ld differs from the one sent",
		     aat_recs_diff(&got, &head));
	aat_recs_free(&head);
	aat_recs_free(&in);
	aat_recs_free(&got);
	free(done_ns);
	free(cap);
	free(rec);
}

/* The live variant: a followed child opens dir/k<index> (which does not
 * exist) at a steady pace and notes when each open returned, in memory
 * shared with the test. As for the raw stream, all of it fits in one chunk. */
struct opener {
	const char *dir;
	volatile uint64_t *done_ns; /* MAP_SHARED */
	size_t max;
	volatile size_t *count;
};

static int run_opener(void *arg)
{
	struct opener *o = arg;
	uint64_t start = rel_now_ns();
	char path[4200];

	for (size_t i = 0; i < o->max; i++) {
		rel_sleep_until(start + i * 3333333ull); /* 300 a second, 91 KB/s of records */
		snprintf(path, sizeof(path), "%s/k%06zu", o->dir, i);
		close(open(path, O_RDONLY));
		o->done_ns[i] = rel_now_ns();
		*o->count = i + 1;
	}
	return 0;
}

/* The index N of an openat of "<dir>/kNNNNNN" by pid, or -1 for any other record. */
static long opened_index(const uint8_t *raw, uint32_t len, uint32_t pid, const char *prefix)
{
	struct aa_event ev;

	if (aa_parse(raw, len, &ev) != 0 || ev.type != AA_TYPE_FILE || ev.file->pid != pid ||
	    ev.file->syscall != AA_SYS_OPENAT)
		return -1;
	const char *path = (const char *)ev.file->path;
	if (strncmp(path, prefix, strlen(prefix)) != 0)
		return -1;
	cr_expect_eq(ev.file->return_code, -ENOENT, "%s: the open failed with ENOENT", path);
	return strtol(path + strlen(prefix), NULL, 10);
}

Test(killed, live_capture_sigkill_loses_at_most_the_flush_interval)
{
	const size_t max = 2000;
	char *cap = aat_path(dir, "live.pcapng"), *rec = aat_path(dir, "recovered.pcapng");
	char *errf = aat_path(dir, "err.txt"), pidbuf[16], prefix[4200], flush[16];
	struct aat_recs got = { 0 };
	struct rel_child child;
	uint64_t kill_ns;

	rel_require_root();
	void *shared = mmap(NULL, max * 8 + 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(shared, MAP_FAILED);
	struct opener o = { .dir = dir, .done_ns = shared, .max = max,
			    .count = (volatile size_t *)((uint8_t *)shared + max * 8) };
	rel_fork_held(&child, run_opener, &o);
	snprintf(flush, sizeof(flush), "%d", FLUSH_MS);
	pid_t pid = rel_start_live(cap, errf, (const char *[]){ "-q", "-w", cap, "--flush-ms", flush,
								"--events", "file", "--pid",
								rel_pid_arg(&child, pidbuf, sizeof(pidbuf)),
								NULL });
	rel_release(&child);
	cap_sleep_ms(STREAM_MS);
	kill_ns = rel_now_ns();
	kill(pid, SIGKILL);
	size_t opened = *o.count; /* read after the kill: may count one more than had returned */
	cr_assert_eq(cap_wait(pid), 128 + SIGKILL);
	kill(child.pid, SIGKILL);
	rel_reap(&child);

	verify_recover(cap, rec, &got);
	/* The child's opens in the file: indexes 0, 1, 2, ... each once, in order. */
	snprintf(prefix, sizeof(prefix), "%s/k", dir);
	size_t seen = 0;
	for (size_t i = 0; i < got.n; i++) {
		long k = opened_index(aat_recs_at(&got, i), got.len[i], (uint32_t)child.pid, prefix);
		if (k < 0)
			continue;
		cr_assert_eq((size_t)k, seen, "open %ld where open %zu was due", k, seen);
		seen++;
	}
	uint64_t *done_copy = calloc(max, sizeof(*done_copy));
	for (size_t i = 0; i < opened; i++)
		done_copy[i] = o.done_ns[i] ? o.done_ns[i] : UINT64_MAX;
	size_t need = must_have(done_copy, opened, kill_ns);
	cr_log_info("live: %zu opens in %d ms, %zu recovered, %zu older than %d ms", opened, STREAM_MS,
		    seen, need, FLUSH_MS + SLACK_MS);
	cr_expect_gt(need, opened / 2, "the stream ran long enough to test anything");
	cr_expect_leq(seen, opened);
	cr_expect_geq(seen, need, "%zu opens recovered, but %zu were done over %d ms before the kill "
		      "(the oldest lost one %.0f ms before)", seen, need, FLUSH_MS + SLACK_MS,
		      seen < opened ? (double)(kill_ns - done_copy[seen]) / 1e6 : 0.0);
	free(done_copy);
	munmap(shared, max * 8 + 64);
	aat_recs_free(&got);
	free(cap);
	free(rec);
	free(errf);
}

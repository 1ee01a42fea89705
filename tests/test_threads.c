/* SPDX-License-Identifier: MIT */
/*
 * No global state: writers and replay handles used at once from separate
 * threads each give exactly what they give alone.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "capio.h"
#include "gen.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(threads);

#define THREADS 4

struct job {
	const struct aat_recs *recs;
	char *path;
	size_t chunk_raw_max;
	int write_rc, read_rc, intact;
	long diff;
};

/* Writes its own file with its own chunk size, then reads it back. */
static void *write_then_read(void *arg)
{
	struct job *j = arg;
	struct aa_writer_opts wo = {.chunk_raw_max = j->chunk_raw_max};
	j->write_rc = aat_write_capture(j->path, j->recs, 0, j->recs->n, &wo, 0, NULL);
	struct aat_recs back = {0};
	struct aa_source_stats st;
	j->read_rc = aat_read_capture(j->path, NULL, &back, &st, NULL);
	j->intact = st.intact;
	j->diff = aat_recs_diff(j->recs, &back);
	aat_recs_free(&back);
	return NULL;
}

/* Reads a shared file. */
static void *read_only(void *arg)
{
	struct job *j = arg;
	struct aat_recs back = {0};
	struct aa_source_stats st;
	j->read_rc = aat_read_capture(j->path, NULL, &back, &st, NULL);
	j->intact = st.intact;
	j->diff = aat_recs_diff(j->recs, &back);
	aat_recs_free(&back);
	return NULL;
}

static void run(void *(*fn)(void *), struct job *jobs)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, fn, &jobs[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		cr_expect_eq(jobs[i].write_rc, 0, "thread %d: %s", i, aa_error_name(jobs[i].write_rc));
		cr_expect_eq(jobs[i].read_rc, 0, "thread %d: %s", i, aa_error_name(jobs[i].read_rc));
		cr_expect_eq(jobs[i].intact, 1, "thread %d", i);
		cr_expect_eq(jobs[i].diff, -1, "thread %d: record %ld differs", i, jobs[i].diff);
	}
}

Test(threads, writers_and_readers_at_once, .timeout = 120)
{
	struct aat_recs recs = {0};
	aat_mix(6, 4000, 8000, &recs, NULL);
	static const size_t chunk[THREADS] = {8192, 20000, 65536, 0};
	struct job jobs[THREADS];
	for (int i = 0; i < THREADS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "t%d.pcapng", i);
		jobs[i] = (struct job){.recs = &recs, .path = aat_path(dir, name),
				       .chunk_raw_max = chunk[i]};
	}
	run(write_then_read, jobs);

	/* All threads on one file, each with its own handle. */
	for (int i = 0; i < THREADS; i++) {
		free(jobs[i].path);
		jobs[i] = (struct job){.recs = &recs, .path = aat_path(dir, "t0.pcapng")};
	}
	run(read_only, jobs);
	for (int i = 0; i < THREADS; i++)
		free(jobs[i].path);
	aat_recs_free(&recs);
}

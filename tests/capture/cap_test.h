/* SPDX-License-Identifier: MIT */
/*
 * What the aa-capture tests share: running the built program as a
 * subprocess (by argv, no shell, so names with spaces stay whole), making a
 * raw input stream, and reading output files back as a set. Header-only:
 * tests.mk links only tests/lib/ beside each test_*.c.
 */
#ifndef AAT_CAP_TEST_H
#define AAT_CAP_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aa_replay.h"
#include "capio.h"
#include "children.h"
#include "files.h"
#include "gen.h"
#include "recs.h"

/* Each test's private directory (cap_setup, cap_teardown as its suite's init and fini). */
static char *dir;

static inline void cap_setup(void)
{
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
}

static inline void cap_teardown(void)
{
	aat_tmpdir_remove(dir);
}

/* The absolute path of the built aa-capture (malloc'd), usable after a cd. */
static inline char *cap_bin(void)
{
	char *rel = aat_build_path("aa-capture");
	char *abs = realpath(rel, NULL);

	cr_assert_not_null(abs, "%s: %s (run make first)", rel, strerror(errno));
	free(rel);
	return abs;
}

/* Starts build/aa-capture with args (NULL-terminated), stdin from in_fd (-1:
 * /dev/null), stderr into err_path (NULL: ours); own_group: in a process
 * group of its own, as a shell starts a job (its pid is the group's id).
 * Returns the pid. */
static inline pid_t cap_spawn_job(const char *const *args, int in_fd, const char *err_path,
				  int own_group)
{
	char *bin = cap_bin();
	const char *argv[64];
	size_t n = 0;

	argv[n++] = bin;
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid_t pid = aat_fork(); /* ended with the test, however it ends */
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (own_group)
			setpgid(0, 0);
		int fd = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		if (err_path) {
			int efd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			dup2(efd, 2);
		}
		execv(bin, (char *const *)argv);
		_exit(126);
	}
	if (own_group)
		setpgid(pid, pid); /* also here: the group exists when we return */
	free(bin);
	return pid;
}

static inline pid_t cap_spawn(const char *const *args, int in_fd, const char *err_path)
{
	return cap_spawn_job(args, in_fd, err_path, 0);
}

/* Waits for pid: its exit status, or 128 + the signal that killed it. */
static inline int cap_wait(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		cr_assert(errno == EINTR, "waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Runs aa-capture to its end with stdin from in_path (NULL: /dev/null); its
 * stderr goes to err_path (NULL: ours). Returns the exit status. */
static inline int cap_run(const char *in_path, const char *err_path, const char *const *args)
{
	int fd = -1;

	if (in_path) {
		fd = open(in_path, O_RDONLY);
		cr_assert(fd >= 0, "%s: %s", in_path, strerror(errno));
	}
	int rc = cap_wait(cap_spawn(args, fd, err_path));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The whole text of a small file (malloc'd, NUL-terminated; "" if missing). */
static inline char *cap_slurp(const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0;

	if (aat_read_file(path, &data, &size) != 0)
		return strdup("");
	char *s = malloc(size + 1);
	cr_assert_not_null(s);
	memcpy(s, data, size);
	s[size] = 0;
	free(data);
	return s;
}

/* n mixed records (all four types, invalid ones, unknown sizes), deterministic for seed. */
static inline void cap_mix(struct aat_recs *out, size_t n, uint64_t seed, struct aat_mix_counts *counts)
{
	struct aat_rng r;
	uint64_t ts = 1000000000ull;

	aat_rng_seed(&r, seed);
	aat_gen_mix(&r, n, 6000, &ts, out, counts);
}

/* Reads files (a rotated set, in this order) into out. Returns how reading
 * ended (0: clean end); stats and the first file's meta copied out when not NULL. */
static inline int cap_read_set(const char *const *paths, size_t n, struct aat_recs *out,
			       struct aa_source_stats *stats)
{
	aa_source *src;
	struct aa_error_info err;
	const struct aa_record *rec;
	int rc = aa_open_offline(&src, paths, n, NULL, &err);

	if (rc < 0)
		return rc;
	while ((rc = aa_next(src, &rec)) == 1)
		aat_recs_add(out, rec->ev.raw, rec->ev.len);
	if (stats)
		aa_source_get_stats(src, stats);
	aa_close(src);
	return rc;
}

static inline void cap_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Waits, at most 20 s, until path exists while aa-capture (pid, its stderr
 * in errf) runs; skips the test when it ends with 4 (BPF is not available
 * here), fails it when it ends otherwise first.
 */
static inline void cap_wait_file(const char *path, pid_t pid, const char *errf)
{
	int st;

	for (int waited = 0; access(path, F_OK) != 0; waited += 20) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			char *msg = cap_slurp(errf);
			if (WIFEXITED(st) && WEXITSTATUS(st) == 4)
				cr_skip_test("BPF is not available here: %s", msg);
			cr_assert_fail("aa-capture ended before %s appeared: %s", path, msg);
		}
		cr_assert_lt(waited, 20000, "%s: not there after 20 s (the BPF programs loading?)", path);
		cap_sleep_ms(20);
	}
}

/*
 * Starts aa-capture with args (NULL-terminated), its stderr into errf, and
 * waits until it has created path: the BPF programs are attached by then.
 * Skips the test when BPF is not available here (aa-capture exits 4).
 */
static inline pid_t cap_start_live(const char *path, const char *errf, const char *const *args)
{
	pid_t pid = cap_spawn(args, -1, errf);

	cap_wait_file(path, pid, errf);
	return pid;
}

/* Writes recs[from..to) to fd as a raw stream, record by record. */
static inline void cap_write_raw(int fd, const struct aat_recs *recs, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		uint32_t len = recs->len[i];
		cr_assert_eq(write(fd, &len, 4), 4);
		cr_assert_eq(write(fd, aat_recs_at(recs, i), len), (ssize_t)len);
	}
}

/*
 * Reads path (a file still being written) every 20 ms, for at most
 * limit_ms, until it holds n records; returns how the last read ended (0,
 * or AA_E_UNCLOSED while the file is open) and leaves the records in out.
 */
static inline int cap_wait_records(const char *path, size_t n, int limit_ms, struct aat_recs *out)
{
	int rc = 1;

	for (int waited = 0; waited <= limit_ms; waited += 20) {
		aat_recs_clear(out);
		rc = aat_read_capture(path, NULL, out, NULL, NULL);
		if (out->n >= n)
			break;
		cap_sleep_ms(20);
	}
	return rc;
}

static inline off_t cap_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}


/* A file of a rotated set read alone (cap_read_one: it must be intact and closed). */
struct cap_file_info {
	uint8_t session[16];
	uint32_t file_seq;
	struct aat_recs recs;
	off_t size;
};

/* Reads one file alone: it must be intact and closed. */
static inline void cap_read_one(const char *path, struct cap_file_info *fi)
{
	aa_source *src;
	const struct aa_record *rec;
	struct aa_source_stats st;
	int rc;

	memset(fi, 0, sizeof(*fi));
	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0, "%s opens", path);
	const struct aa_file_meta *m = aa_source_meta(src);
	cr_assert_not_null(m);
	memcpy(fi->session, m->session, 16);
	fi->file_seq = m->file_seq;
	while ((rc = aa_next(src, &rec)) == 1)
		aat_recs_add(&fi->recs, rec->ev.raw, rec->ev.len);
	cr_expect_eq(rc, 0, "%s reads to its end: %s", path, aa_error_name(rc));
	aa_source_get_stats(src, &st);
	cr_expect(st.intact && st.files_closed == 1, "%s is intact and closed", path);
	aa_close(src);
	fi->size = cap_size(path);
}

/* The names dir/base, dir/base1, dir/base2 ... that exist, in order. */
static inline size_t cap_numbered_names(const char *base, char names[][512], size_t max)
{
	size_t n = 0;

	for (;; n++) {
		cr_assert_lt(n, max);
		if (n == 0)
			snprintf(names[n], 512, "%s/%s", dir, base);
		else
			snprintf(names[n], 512, "%s/%s%zu", dir, base, n);
		if (access(names[n], F_OK) != 0)
			return n;
	}
}

/* Writes an executable shell script. */
static inline void cap_write_script(const char *path, const char *body)
{
	cr_assert_eq(aat_write_file(path, body, strlen(body)), 0);
	cr_assert_eq(chmod(path, 0700), 0);
}

#endif

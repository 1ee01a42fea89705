/* SPDX-License-Identifier: MIT */
/*
 * aa-replay cat --follow: a capture written chunk by chunk through the
 * library's writer while cat follows it. Every step waits for the line of
 * record N before record N+1 is written (no timing): the records appear
 * while the file is open, a half-written block is waited on and never
 * called damage, the END chunk ends it with status 0, so does SIGINT, and
 * a file truncated or replaced under it is said to be.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files.h"
#include "tmpsuite.h"
#include "writer.h"

AAT_TMPDIR_SUITE(cat_follow);

#define WALL0 INT64_C(1795642201000000000)

struct follower {
	pid_t pid;
	int out;          /* its stdout */
	char buf[65536];  /* what it printed so far */
	size_t len;
	char *err;        /* its stderr's file */
};

static void start(struct follower *f, const char *path)
{
	int p[2];
	char *bin = aat_build_path("aa-replay");

	memset(f, 0, sizeof(*f));
	f->err = aat_path(dir, "stderr");
	cr_assert_eq(pipe(p), 0);
	f->pid = fork();
	cr_assert_geq(f->pid, 0);
	if (f->pid == 0) {
		int e = open(f->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(p[1], 1);
		dup2(e, 2);
		close(p[0]);
		execl(bin, "aa-replay", "cat", "--follow", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f->out = p[0];
	free(bin);
}

/* Reads until what was printed holds text (or the follower ends: then 0). */
static int wait_for(struct follower *f, const char *text)
{
	while (!strstr(f->buf, text)) {
		struct pollfd pfd = { .fd = f->out, .events = POLLIN };
		/* only a guard against a hang: each line comes as soon as it is written */
		if (poll(&pfd, 1, 20000) <= 0)
			return 0;
		ssize_t k = read(f->out, f->buf + f->len, sizeof(f->buf) - 1 - f->len);
		if (k <= 0)
			return 0;
		f->len += (size_t)k;
		f->buf[f->len] = 0;
	}
	return 1;
}

/* Its exit status once it ended (within the guard), -1 if it did not. */
static int finish(struct follower *f)
{
	int st;

	for (int i = 0; i < 2000; i++) {
		pid_t r = waitpid(f->pid, &st, WNOHANG);
		if (r == f->pid) {
			close(f->out);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(f->pid, SIGKILL);
	waitpid(f->pid, &st, 0);
	close(f->out);
	return -1;
}

static char *stderr_of(struct follower *f)
{
	uint8_t *data;
	size_t n;

	cr_assert_eq(aat_read_file(f->err, &data, &n), 0);
	data = realloc(data, n + 1);
	data[n] = 0;
	return (char *)data;
}

static struct aa_writer *open_writer(const char *path)
{
	struct aa_writer_opts o = { .mono_to_wall = WALL0, .source = "test", .hostname = "h" };
	struct aa_writer *w;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0);
	cr_assert_eq(aa_writer_open(&w, fd, path, &o), 0);
	return w;
}

/* Record n: an exit of pid 70000 + n, in a chunk of its own. */
static void add(struct aa_writer *w, unsigned n)
{
	struct aa_exit_event e = { .timestamp_ns = 1000 + n, .pid = 70000 + n, .exit_code = 0 };

	cr_assert_eq(aa_writer_add(w, &e, sizeof(e)), 0);
	cr_assert_eq(aa_writer_flush(w), 0);
}

static void line_of(char *buf, size_t size, unsigned n)
{
	snprintf(buf, size, " exit pid=%u ", 70000 + n);
}

Test(cat_follow, records_appear_as_written_and_end_at_the_end_chunk)
{
	char *path = aat_path(dir, "cap.pcapng"), want[64];
	struct aa_writer *w = open_writer(path);
	struct follower f;

	add(w, 0);
	start(&f, path);
	for (unsigned n = 0; n < 6; n++) {
		line_of(want, sizeof(want), n);
		cr_assert(wait_for(&f, want), "record %u was not printed while the file is open: %s", n, f.buf);
		cr_assert_eq(waitpid(f.pid, NULL, WNOHANG), 0, "cat ended before the END chunk");
		add(w, n + 1);
	}
	line_of(want, sizeof(want), 6);
	cr_assert(wait_for(&f, want));
	cr_assert_eq(aa_writer_close(w), 0);
	cr_expect_eq(finish(&f), 0, "the END chunk ends it with status 0");
	char *err = stderr_of(&f);
	cr_expect_str_eq(err, "");
	free(err);
	free(path);
	free(f.err);
}

Test(cat_follow, a_half_written_block_is_waited_on)
{
	char *path = aat_path(dir, "cap.pcapng"), *whole = aat_path(dir, "whole.pcapng"), want[64];
	struct aa_writer *w = open_writer(whole);
	uint8_t *data;
	size_t n, first;

	add(w, 0);
	cr_assert_eq(aat_read_file(whole, &data, &n), 0);
	first = n;
	free(data);
	add(w, 1);
	cr_assert_eq(aa_writer_close(w), 0);
	cr_assert_eq(aat_read_file(whole, &data, &n), 0);

	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_eq(write(fd, data, first), (ssize_t)first);
	struct follower f;
	start(&f, path);
	line_of(want, sizeof(want), 0);
	cr_assert(wait_for(&f, want));
	/* half of the next block, then (after a pause) the rest of the file */
	size_t half = first + 20;
	cr_assert_eq(write(fd, data + first, half - first), (ssize_t)(half - first));
	usleep(300000);
	cr_assert_eq(waitpid(f.pid, NULL, WNOHANG), 0, "cat ended on a half-written block");
	cr_assert_eq(write(fd, data + half, n - half), (ssize_t)(n - half));
	close(fd);
	line_of(want, sizeof(want), 1);
	cr_assert(wait_for(&f, want), "%s", f.buf);
	cr_expect_eq(finish(&f), 0);
	char *err = stderr_of(&f);
	cr_expect_str_eq(err, "", "a half-written block is no damage");
	free(err);
	free(data);
	free(path);
	free(whole);
	free(f.err);
}

/* A signal ends it cleanly, while it waits for the writer. */
static void stopped_by(int sig)
{
	char *path = aat_path(dir, "cap.pcapng"), want[64];
	struct aa_writer *w = open_writer(path);
	struct follower f;

	add(w, 0);
	start(&f, path);
	line_of(want, sizeof(want), 0);
	cr_assert(wait_for(&f, want));
	kill(f.pid, sig);
	cr_expect_eq(finish(&f), 0, "signal %d ends it with status 0", sig);
	char *err = stderr_of(&f);
	cr_expect_str_eq(err, "");
	free(err);
	cr_assert_eq(aa_writer_close(w), 0);
	free(path);
	free(f.err);
}

Test(cat_follow, sigint_ends_it_with_status_0)
{
	stopped_by(SIGINT);
}

Test(cat_follow, sigterm_ends_it_with_status_0)
{
	stopped_by(SIGTERM);
}

/* Follows a file of two records; once both are printed, change() alters
 * it under the follower, which must end with status and say text. */
static void said_to_be(void (*change)(const char *path), int status, const char *text)
{
	char *path = aat_path(dir, "cap.pcapng"), want[64];
	struct aa_writer *w = open_writer(path);
	struct follower f;

	add(w, 0);
	add(w, 1);
	start(&f, path);
	line_of(want, sizeof(want), 1);
	cr_assert(wait_for(&f, want));
	change(path);
	cr_expect_eq(finish(&f), status);
	char *err = stderr_of(&f);
	cr_expect(strstr(err, "cap.pcapng: offset") && strstr(err, text), "%s", err);
	free(err);
	(void)aa_writer_close(w);
	free(path);
	free(f.err);
}

static void cut(const char *path)
{
	cr_assert_eq(truncate(path, 100), 0);
}

static void replace(const char *path)
{
	char *other = aat_path(dir, "new.pcapng");

	cr_assert_eq(aat_write_file(other, "x", 1), 0);
	cr_assert_eq(rename(other, path), 0);
	free(other);
}

Test(cat_follow, a_file_truncated_under_it_is_said_to_be)
{
	said_to_be(cut, 1, "the file was truncated under the reader");
}

Test(cat_follow, a_file_replaced_under_it_is_said_to_be)
{
	said_to_be(replace, 1, "the file was replaced by another file while followed, before its END chunk");
}

Test(cat_follow, usage)
{
	char out[1024];
	char *bin = aat_build_path("aa-replay"), cmd[2048];

	snprintf(cmd, sizeof(cmd), "'%s' cat --follow a b 2>&1; echo $?", bin);
	aat_run(cmd, out, sizeof(out));
	cr_expect(strstr(out, "--follow reads one FILE") && strstr(out, "\n2\n"), "%s", out);
	free(bin);
}

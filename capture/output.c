/* SPDX-License-Identifier: MIT */
/* aa-capture's rotated output files (output.h). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aa_error.h"
#include "outdir.h"
#include "outfile.h"
#include "output.h"
#include "postcmd.h"
#include "ship.h"
#include "writer_count.h"

/* err is an AA_E_*, sys_errno the system's reason for AA_E_IO (0: unknown). */
static int write_failed(struct output *out, int err, int sys_errno)
{
	if (err == AA_E_IO)
		warnx("%s: write failed: %s", out->path, strerror(sys_errno ? sys_errno : EIO));
	else
		warnx("%s: %s", out->path, aa_strerror(err));
	out->failed = 1;
	return CAP_EXIT_WRITE;
}

static int writer_failed(struct output *out, int err)
{
	return write_failed(out, err, aa_writer_errno(out->w));
}

static void add_counts(struct output_totals *to, const struct output_totals *from)
{
	to->records += from->records;
	to->bytes_raw += from->bytes_raw;
	to->invalid += from->invalid;
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		to->by_type[t] += from->by_type[t];
}

/* Chunks written up to `written`: their counts are in the file now. */
static void count_written(struct output *out, uint64_t written)
{
	for (; out->chunks_seen < written && out->inflight_n; out->chunks_seen++) {
		add_counts(&out->file, &out->inflight[out->inflight_head]);
		out->inflight_head = (out->inflight_head + 1) % out->inflight_cap;
		out->inflight_n--;
	}
}

/* A chunk closed by the writer takes every record added before it (what
 * was pending); once written, those are in the file. */
static void count_written_chunks(struct output *out)
{
	uint64_t sealed = aa_writer_chunks_sealed(out->w); /* on every record: no digest */

	for (; out->sealed_seen < sealed; out->sealed_seen++) {
		unsigned tail = (out->inflight_head + out->inflight_n) % out->inflight_cap;
		if (out->inflight_n == out->inflight_cap) /* cannot be: as many as the writer's jobs */
			count_written(out, out->chunks_seen + 1);
		out->inflight[tail] = out->pending;
		out->inflight_n++;
		memset(&out->pending, 0, sizeof(out->pending));
	}
	count_written(out, aa_writer_chunk_count(out->w));
}

/* A regular file whose last name is gone (deleted, or its directory was)
 * takes everything written to it along when it is closed. Says so once. */
static int check_still_there(struct output *out)
{
	struct stat st;

	if (out->gone || fstat(out->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 0)
		return 0;
	warnx("%s: the file was deleted (or its directory) while being written: its records are lost",
	      out->path);
	out->gone = 1;
	out->failed = 1;
	return CAP_EXIT_WRITE;
}

/* The drops the files' stats say: the kernel's, and with --ship, the
 * records of chunks a full spool dropped. */
static void set_writer_drops(struct output *out)
{
	uint64_t d[AA_DROP_SLOTS];

	memcpy(d, out->drops, sizeof(d));
	if (out->o->ship)
		ship_add_drops(out->o->ship, d);
	aa_writer_set_drops(out->w, d);
}

/*
 * Closes the writer and adds what the file holds to the totals (nothing of
 * a deleted file). 0, or CAP_EXIT_WRITE after one line saying why; quiet
 * about a writer error already told.
 */
static int end_file(struct output *out)
{
	struct aa_writer_info info;
	int told = out->failed, r, e;

	r = check_still_there(out);
	(void)aa_writer_settle(out->w); /* an error comes again from finish */
	set_writer_drops(out);
	e = aa_writer_finish(out->w, &info);
	if (e && !told) {
		int sys_errno = errno;
		r = write_failed(out, e, e == AA_E_IO ? sys_errno : 0);
	}
	out->w = NULL;
	count_written(out, info.chunks); /* those the writer's threads wrote meanwhile */
	if (!out->gone) {
		add_counts(&out->done, &out->file);
		out->done.bytes_file += info.bytes_file;
	}
	memset(&out->file, 0, sizeof(out->file));
	memset(&out->pending, 0, sizeof(out->pending)); /* never reached the file */
	out->inflight_n = out->inflight_head = 0;
	out->chunks_seen = out->sealed_seen = 0;
	out->gone = 0;
	return e ? CAP_EXIT_WRITE : r;
}

/* -W: the slot (files % N) the file about to start takes. */
static char **ring_slot(struct output *out, uint32_t file_no)
{
	return out->ring ? &out->ring[file_no % out->o->ring_files] : NULL;
}

/* -W: the new file, made, pushes out the oldest one (whose -z, if still
 * running, was waited for before), unless it took the same name. Only
 * once the new file exists: a file that cannot be made loses nothing. */
static void ring_push(char **slot, const char *path, char *name)
{
	if (!slot)
		return;
	if (*slot && strcmp(*slot, path) != 0 && unlink(*slot) != 0 && errno != ENOENT)
		warn("%s: cannot remove the oldest file of the ring", *slot);
	free(*slot);
	*slot = name;
}

/* Before a file is made: its directory is safe enough, and before the
 * first one, this run holds the -w pattern's lock. 1 to go on. */
static int guard_dir(struct output *out)
{
	if (strcmp(out->path, "-") == 0)
		return 1;
	if (outdir_check(out->path, &out->dir_warned) != 0)
		return 0;
	return out->lock.fd >= 0 || outdir_lock(&out->lock, out->o->out, out->path) == 0;
}

static int open_next(struct output *out, int64_t now_ms)
{
	const struct cap_opts *o = out->o;
	uint32_t file_no = out->done.files;
	int fd, r;
	int ship_only = o->ship_opts.url && !o->out_given; /* --ship without -w: no file */

	if (ship_only)
		snprintf(out->path, sizeof(out->path), "%s", o->ship_opts.url);
	else if (namer_next(&out->names, time(NULL), out->path, sizeof(out->path)) != 0) {
		warn("-w %s", o->out);
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	if (!ship_only && !guard_dir(out)) {
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	char **slot = ring_slot(out, file_no), *name = NULL;
	if (slot && !(name = strdup(out->path))) {
		warnx("%s: out of memory", out->path);
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	if (slot && *slot)
		postcmd_wait_file(*slot); /* the oldest goes once its -z is done */
	postcmd_wait_file(out->path); /* a name met again: its -z has it first */
	fd = ship_only ? open("/dev/null", O_WRONLY | O_CLOEXEC) : outfile_create(out->path);
	if (fd < 0) {
		free(name);
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	ring_push(slot, out->path, name);
	struct aa_writer_opts wo = {
		.level = o->level,
		.flush_ms = o->flush_ms,
		.writer = "aa-capture",
		.source = out->source,
		.file_seq = file_no,
		.session = out->session,
		.mono_to_wall = out->mono_to_wall,
		.sink = o->ship ? ship_sink : NULL, /* --ship: every chunk also goes there */
		.sink_user = o->ship,
		.threads = out->threads,
	};
	r = aa_writer_open(&out->w, fd, out->path, &wo);
	if (r != 0) {
		int sys_errno = errno;
		out->w = NULL; /* the writer closed fd */
		/* Cut back to nothing (a full disk at its first block): no use keeping it. */
		if (r == AA_E_IO && strcmp(out->path, "-") != 0)
			unlink(out->path);
		return write_failed(out, r, r == AA_E_IO ? sys_errno : 0);
	}
	set_writer_drops(out);
	out->fd = fd;
	out->opened_ms = now_ms;
	out->done.files++;
	return 0;
}

/* Closes the open file, adds it to the totals and starts -z on it. */
static int close_current(struct output *out)
{
	int r;

	if (!out->w)
		return 0;
	aa_writer_flush(out->w); /* an error here comes back from end_file */
	count_written_chunks(out);
	r = end_file(out);
	if (r != 0)
		return r;
	if (out->o->post_cmd)
		postcmd_start(out->o->post_cmd, out->path);
	return 0;
}

/* -T 0: one compression thread per core this process may run on. */
static unsigned resolve_threads(unsigned asked)
{
	cpu_set_t set;
	int n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;

	if (asked)
		return asked;
	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

int output_start(struct output *out, const struct cap_opts *o, const char *source,
		 int64_t mono_to_wall, int64_t now_ms)
{
	memset(out, 0, sizeof(*out));
	out->lock.fd = -1;
	out->o = o;
	out->threads = resolve_threads(o->threads);
	out->inflight_cap = 2 * out->threads + 4; /* more than the writer's jobs */
	out->inflight = calloc(out->inflight_cap, sizeof(*out->inflight));
	if (!out->inflight) {
		warnx("out of memory");
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	out->source = source;
	out->mono_to_wall = mono_to_wall;
	namer_init(&out->names, o->out, o->ring_files);
	if (getrandom(out->session, sizeof(out->session), 0) != (ssize_t)sizeof(out->session)) {
		warn("getrandom");
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	if (o->ring_files) {
		out->ring = calloc(o->ring_files, sizeof(*out->ring));
		if (!out->ring) {
			warnx("out of memory");
			out->failed = 1;
			return CAP_EXIT_WRITE;
		}
	}
	return open_next(out, now_ms);
}

int output_rotate(struct output *out, int64_t now_ms)
{
	if (strcmp(out->o->out, "-") == 0)
		return 0; /* one stream on standard output: SIGHUP has nothing to start */
	int r = close_current(out);

	return r ? r : open_next(out, now_ms);
}

/* -C: the open file has reached its size (with what its closed chunks
 * will take once written, as it would be without threads). */
static int file_full(const struct output *out)
{
	return out->o->rotate_bytes && aa_writer_reached(out->w, out->o->rotate_bytes);
}

/* A full file is finished by the record that does not fit, as tcpdump's
 * -C does: the input ending or -c reached right at the limit leaves no
 * empty file behind. */
static int rotate_if_full(struct output *out, int64_t now_ms)
{
	return file_full(out) ? output_rotate(out, now_ms) : 0;
}

/* After a record was given to the writer (r its answer): counts it. */
static int added(struct output *out, int r, const struct aa_event *ev)
{
	/* a full chunk went out before this record */
	if (aa_writer_chunks_sealed(out->w) != out->sealed_seen)
		count_written_chunks(out);
	if (r != 0)
		return writer_failed(out, r);
	out->pending.records++;
	out->pending.bytes_raw += ev->len;
	out->pending.by_type[ev->type]++;
	out->pending.invalid += ev->error != 0;
	return 0;
}

int output_add(struct output *out, const struct aa_event *ev, int64_t now_ms)
{
	int r = rotate_if_full(out, now_ms);

	return r ? r : added(out, aa_writer_add(out->w, ev->raw, ev->len), ev);
}

int output_take(struct output *out, const void *rec, uint32_t len, int64_t now_ms,
		struct aa_event *ev)
{
	const void *copy;
	int r = rotate_if_full(out, now_ms);

	if (r)
		return r;
	r = aa_writer_add_at(out->w, rec, len, &copy);
	if (r == 0)
		aa_parse(copy, len, ev);
	return added(out, r, ev); /* ev only when r is 0 */
}

int output_tick(struct output *out, int64_t now_ms)
{
	if (out->o->ship)
		set_writer_drops(out);
	int r = aa_writer_tick(out->w);

	count_written_chunks(out);
	if (r != 0)
		return writer_failed(out, r);
	if ((r = check_still_there(out)) != 0)
		return r;
	if (out->o->rotate_ms && now_ms - out->opened_ms >= (int64_t)out->o->rotate_ms)
		return output_rotate(out, now_ms);
	return 0;
}

int output_timeout_ms(const struct output *out, int64_t now_ms)
{
	int t = out->w ? aa_writer_timeout_ms(out->w) : -1;

	if (out->o->rotate_ms) {
		int64_t left = out->opened_ms + (int64_t)out->o->rotate_ms - now_ms;
		int g = left > 0 ? (left < INT32_MAX ? (int)left : INT32_MAX) : 0;
		if (t < 0 || g < t)
			t = g;
	}
	return t;
}

void output_set_drops(struct output *out, const uint64_t drops[AA_DROP_SLOTS])
{
	memcpy(out->drops, drops, sizeof(out->drops));
	if (out->w)
		set_writer_drops(out);
}

void output_get_totals(struct output *out, struct output_totals *t)
{
	struct aa_writer_info info;

	if (out->w)
		count_written_chunks(out);
	*t = out->done;
	if (out->w) {
		aa_writer_get_info(out->w, &info);
		add_counts(t, &out->file);
		t->bytes_file += info.bytes_file;
	}
}

void output_drop_if_empty(struct output *out)
{
	struct stat ours, named;

	if (!out->w || out->done.files != 1 || out->done.records || out->file.records ||
	    out->pending.records || out->inflight_n)
		return;
	/* Only the regular file this run made: never a FIFO, a device or a
	 * file that took its name meanwhile. */
	int drop = fstat(out->fd, &ours) == 0 && S_ISREG(ours.st_mode) &&
		   stat(out->path, &named) == 0 && named.st_dev == ours.st_dev &&
		   named.st_ino == ours.st_ino;
	int told = out->failed;

	out->failed = 1; /* quiet: a write error of a file about to go says nothing */
	end_file(out);
	out->failed = told;
	if (drop && unlink(out->path) != 0)
		warn("%s: cannot remove the empty file", out->path);
	else if (drop) /* the summary must not count a file that is gone */
		memset(&out->done, 0, sizeof(out->done));
}

int output_finish(struct output *out)
{
	int r;

	if (out->failed && out->w)
		end_file(out); /* cut back to its last whole block; no -z on it */
	r = close_current(out);
	if (out->ring) {
		for (unsigned i = 0; i < out->o->ring_files; i++)
			free(out->ring[i]);
		free(out->ring);
		out->ring = NULL;
	}
	outdir_unlock(&out->lock);
	free(out->inflight);
	out->inflight = NULL;
	return out->failed ? CAP_EXIT_WRITE : r;
}

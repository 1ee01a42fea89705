/* SPDX-License-Identifier: MIT */
/* aa-capture's rotated output files (output.h). */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "aa_error.h"
#include "outfile.h"
#include "output.h"
#include "postcmd.h"

static int write_failed(struct output *out, int err)
{
	int e = out->w ? aa_writer_errno(out->w) : 0;

	if (err == AA_E_IO)
		warnx("%s: write failed: %s", out->path, strerror(e ? e : EIO));
	else
		warnx("%s: %s", out->path, aa_strerror(err));
	out->failed = 1;
	return CAP_EXIT_WRITE;
}

/* -W: the file about to take slot (files % N) pushes out the oldest one,
 * once its -z command (if still running) has exited. */
static void ring_push(struct output *out, uint32_t file_no)
{
	char **slot;

	if (!out->ring)
		return;
	slot = &out->ring[file_no % out->o->ring_files];
	if (*slot)
		postcmd_wait_file(*slot);
	if (*slot && unlink(*slot) != 0 && errno != ENOENT)
		warn("%s: cannot remove the oldest file of the ring", *slot);
	free(*slot);
	*slot = strdup(out->path);
}

static int open_next(struct output *out, int64_t now_ms)
{
	const struct cap_opts *o = out->o;
	uint32_t file_no = out->closed.files;
	int fd, r;

	if (namer_next(&out->names, time(NULL), out->path, sizeof(out->path)) != 0) {
		warn("-w %s", o->out);
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	ring_push(out, file_no);
	postcmd_wait_file(out->path); /* a name met again: its -z has it first */
	fd = outfile_create(out->path);
	if (fd < 0) {
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	struct aa_writer_opts wo = {
		.level = o->level,
		.flush_ms = o->flush_ms,
		.writer = "aa-capture",
		.source = out->source,
		.file_seq = file_no,
		.session = out->session,
		.mono_to_wall = out->mono_to_wall,
	};
	r = aa_writer_open(&out->w, fd, out->path, &wo);
	if (r != 0) {
		out->w = NULL; /* the writer closed fd */
		return write_failed(out, r);
	}
	aa_writer_set_drops(out->w, out->drops);
	out->opened_ms = now_ms;
	out->closed.files++;
	return 0;
}

/* Closes the open file, adds it to the totals and starts -z on it. */
static int close_current(struct output *out)
{
	struct aa_writer_info info;
	int r;

	if (!out->w)
		return 0;
	aa_writer_flush(out->w); /* an error here comes back from close */
	aa_writer_get_info(out->w, &info);
	out->closed.records += info.records;
	out->closed.bytes_raw += info.bytes_raw;
	out->closed.bytes_file += info.bytes_file;
	r = aa_writer_close(out->w);
	out->w = NULL;
	if (r != 0) {
		int e = errno;
		warnx("%s: %s", out->path, r == AA_E_IO ? strerror(e) : aa_strerror(r));
		out->failed = 1;
		return CAP_EXIT_WRITE;
	}
	if (out->o->post_cmd)
		postcmd_start(out->o->post_cmd, out->path);
	return 0;
}

int output_start(struct output *out, const struct cap_opts *o, const char *source,
		 int64_t mono_to_wall, int64_t now_ms)
{
	memset(out, 0, sizeof(*out));
	out->o = o;
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

/* -C: the open file has reached its size. */
static int file_full(const struct output *out)
{
	struct aa_writer_info info;

	if (!out->o->rotate_bytes)
		return 0;
	aa_writer_get_info(out->w, &info);
	return info.bytes_file >= out->o->rotate_bytes;
}

int output_add(struct output *out, const void *rec, size_t len, int64_t now_ms)
{
	int r;

	/* A full file is finished by the record that does not fit, as tcpdump's
	 * -C does: the input ending or -c reached right at the limit leaves no
	 * empty file behind. */
	if (file_full(out) && (r = output_rotate(out, now_ms)) != 0)
		return r;
	r = aa_writer_add(out->w, rec, len);
	return r ? write_failed(out, r) : 0;
}

int output_tick(struct output *out, int64_t now_ms)
{
	int r = aa_writer_tick(out->w);

	if (r != 0)
		return write_failed(out, r);
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
		aa_writer_set_drops(out->w, drops);
}

void output_get_totals(const struct output *out, struct output_totals *t)
{
	struct aa_writer_info info;

	*t = out->closed;
	if (out->w) {
		aa_writer_get_info(out->w, &info);
		t->records += info.records;
		t->bytes_raw += info.bytes_raw;
		t->bytes_file += info.bytes_file;
	}
}

int output_finish(struct output *out)
{
	int r;

	if (out->failed && out->w) {
		aa_writer_close(out->w); /* cuts the file back to its last whole block */
		out->w = NULL;
	}
	r = close_current(out);
	if (out->ring) {
		for (unsigned i = 0; i < out->o->ring_files; i++)
			free(out->ring[i]);
		free(out->ring);
		out->ring = NULL;
	}
	return out->failed ? CAP_EXIT_WRITE : r;
}

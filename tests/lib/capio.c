/* SPDX-License-Identifier: MIT */
#include "capio.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int aat_write_capture(const char *path, const struct aat_recs *recs, size_t from, size_t to,
		      const struct aa_writer_opts *opts, size_t flush_every, uint64_t *digest)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return AA_E_IO;
	struct aa_writer_opts defaults = {0};
	struct aa_writer *w;
	int rc = aa_writer_open(&w, fd, path, opts ? opts : &defaults);
	if (rc < 0)
		return rc;
	for (size_t i = from; i < to && rc == 0; i++) {
		rc = aa_writer_add(w, aat_recs_at(recs, i), recs->len[i]);
		if (rc == 0 && flush_every && (i - from + 1) % flush_every == 0)
			rc = aa_writer_flush(w);
	}
	if (digest) {
		struct aa_writer_info info;
		aa_writer_get_info(w, &info);
		*digest = info.digest;
	}
	int rc_close = aa_writer_close(w);
	return rc ? rc : rc_close;
}

int aat_read_capture(const char *path, const struct aa_replay_opts *opts, struct aat_recs *out,
		     struct aa_source_stats *stats, struct aa_error_info *err)
{
	aa_source *src;
	struct aa_error_info open_err;
	int rc = aa_open_offline(&src, &path, 1, opts, &open_err);
	if (rc < 0) {
		if (stats)
			memset(stats, 0, sizeof(*stats));
		if (err) {
			*err = open_err;
			if (err->path)
				err->path = path;
		}
		return rc;
	}
	const struct aa_record *rec;
	while ((rc = aa_next(src, &rec)) == 1)
		aat_recs_add(out, rec->ev.raw, rec->ev.len);
	if (stats)
		aa_source_get_stats(src, stats);
	if (err) {
		*err = *aa_source_error(src);
		if (err->path) /* the source's copy goes with it: the caller's lives on */
			err->path = path;
	}
	aa_close(src);
	return rc;
}

int aat_rehost(const char *in, const char *out, const char *host, int64_t shift_ns)
{
	struct aat_recs recs = { 0 };
	aa_source *src;
	int rc = aa_open_offline(&src, &in, 1, NULL, NULL);

	if (rc < 0)
		return rc;
	const struct aa_file_meta *m = aa_source_meta(src);
	char *kernel = strdup(m->kernel ? m->kernel : ""), *arch = strdup(m->arch ? m->arch : "");
	struct aa_writer_opts o = { .source = "test:rehost", .hostname = host,
				    .mono_to_wall = m->mono_to_wall + shift_ns,
				    .format_version = m->format_version, .kernel = kernel, .arch = arch };
	const struct aa_record *rec;
	while ((rc = aa_next(src, &rec)) == 1)
		aat_recs_add(&recs, rec->ev.raw, rec->ev.len);
	if (rc == 0)
		rc = aat_write_capture(out, &recs, 0, recs.n, &o, 0, NULL);
	aa_close(src);
	aat_recs_free(&recs);
	free(kernel);
	free(arch);
	return rc;
}

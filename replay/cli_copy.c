/* SPDX-License-Identifier: MIT */
/* Copying records from a capture file into a new one (recover, filter). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cli.h"
#include "writer.h"

/* Writer options that keep what the input says of its capture. */
static void opts_from_meta(struct aa_writer_opts *o, const struct aa_file_meta *m, int level)
{
	memset(o, 0, sizeof(*o));
	o->writer = CLI_PROG;
	o->level = level;
	if (!m)
		return;
	if (!level)
		o->level = m->level;
	o->flush_ms = m->flush_ms;
	o->reorder_ns = aa_meta_reorder_ns(m);
	/* a copy of a format 1 file holds what it held: its paths may be cut */
	o->format_version = aa_meta_format_version(m);
	o->mono_to_wall = m->mono_to_wall;
	o->session = m->session;
	o->file_seq = m->file_seq;
	o->hostname = m->hostname;
	o->kernel = m->kernel;
	o->arch = m->arch;
}

static int writer_failed(const char *path, const char *what, int rc, int sys_errno)
{
	if (sys_errno == EPIPE && !strcmp(path, "-"))
		cli_pipe_closed();
	cli_err("%s: %s: %s%s%s", cli_out_name(path), what, aa_strerror(rc), sys_errno ? ": " : "",
		sys_errno ? strerror(sys_errno) : "");
	return CLI_USAGE;
}

int cli_copy(const char *what, const char *in_path, const char *out_path,
	     const struct aa_filter *filter, int level, struct cli_copy_result *res)
{
	char source[PATH_MAX + 32];
	struct cli_input in = { 0 };
	struct cli_progress prog;
	struct aa_writer_opts o;
	struct aa_writer_info wi;
	struct aa_writer *w;
	const struct aa_record *rec;
	int status, rc, fd;

	memset(res, 0, sizeof(*res));
	if ((status = cli_open(&in, &in_path, 1, filter)) != CLI_OK)
		return status;
	if ((fd = cli_create(out_path)) < 0) {
		aa_close(in.src);
		return CLI_USAGE;
	}
	opts_from_meta(&o, aa_source_meta(in.src), level);
	snprintf(source, sizeof(source), "%s:%s", what, in_path);
	o.source = source;
	if ((rc = aa_writer_open(&w, fd, out_path, &o)) < 0) {
		aa_close(in.src);
		return writer_failed(out_path, "cannot start the capture file", rc, errno);
	}
	cli_progress_start(&prog, in_path, &in_path, 1);
	while (cli_next(&in, &rec, &status) == 1) {
		/* Indexes come from the chunk headers: a skipped chunk leaves a gap. */
		if (rec->index > res->written + res->missing)
			res->missing = rec->index - res->written;
		res->written++;
		if ((rc = aa_writer_add(w, rec->ev.raw, rec->ev.len)) < 0) {
			status = writer_failed(out_path, "write failed", rc, aa_writer_errno(w));
			break;
		}
		cli_progress_tick(&prog, in.src);
	}
	cli_progress_end(&prog);
	aa_source_get_stats(in.src, &res->in);
	aa_writer_set_drops(w, res->in.drops);
	aa_writer_get_info(w, &wi);
	res->written = wi.records; /* less than counted if a write failed */
	if ((rc = aa_writer_close(w)) < 0 && status != CLI_USAGE)
		status = writer_failed(out_path, "closing failed", rc, errno);
	return cli_close(&in, status);
}

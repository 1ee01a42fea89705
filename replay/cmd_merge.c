/* SPDX-License-Identifier: MIT */
/* aa-replay merge: files of several hosts into one merged file, in time order. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "capfile.h"
#include "cli.h"
#include "writer.h"

static const char help[] =
	"Usage: " CLI_PROG " merge [--skip-damaged] [-T N] [--level N] OUT FILE...\n"
	"Merge the capture files FILE... of one or several hosts (rotated sets,\n"
	"files of other sessions, merged files) into one new capture file OUT, its\n"
	"records in time order (the wall clock of each file's META), each keeping\n"
	"its host and session: a merged file (format 3), which verifies, and which\n"
	"info, cat and export read as the stream of FILE... . OUT is created 0600\n"
	"and never overwritten; '-' is standard output (not a terminal).\n"
	"\n"
	"  --skip-damaged  report damaged parts of FILE... and merge the rest;\n"
	"                  without it a damaged input leaves no OUT (exit status 1)\n"
	CLI_THREADS_HELP
	"  --level N       zstd level for OUT (default 3)\n"
	"  -h, --help      this help\n"
	"\n"
	"Files of one host and session are a rotated set, given oldest first. At\n"
	"most 256 hosts and sessions; one that starts inside a file (files\n"
	"concatenated with cat) cannot be merged: give its parts as files.\n";

struct merge {
	const char *out;
	int fd;           /* OUT, -1 before it is created */
	struct aa_writer *w;
	uint32_t nsources;
};

/* Creates OUT once the inputs' origins are known: one source each. */
static int start(struct merge *m, const aa_source *src, int level)
{
	struct aa_file_meta metas[AA_SOURCES_MAX];
	struct aa_writer_opts o = { .writer = CLI_PROG, .source = "merge", .level = level };
	uint32_t n = aa_source_origins(src);

	if (n > AA_SOURCES_MAX) {
		cli_err("merge: %u hosts and sessions, more than a merged file holds (%u)", n,
			AA_SOURCES_MAX);
		return CLI_USAGE;
	}
	for (uint32_t i = 0; i < n; i++)
		metas[i] = *aa_source_origin(src, i)->meta;
	o.nsources = m->nsources = n;
	o.sources = metas;
	if ((m->fd = cli_create(m->out)) < 0)
		return CLI_USAGE;
	int rc = aa_writer_open(&m->w, m->fd, m->out, &o);
	if (rc < 0) {
		cli_err("%s: cannot start the capture file: %s%s%s", cli_out_name(m->out), aa_strerror(rc),
			errno ? ": " : "", errno ? strerror(errno) : "");
		m->w = NULL;
		return CLI_USAGE;
	}
	return CLI_OK;
}

/* OUT is not written whole: removed, so that no partial file is left. */
static void discard(struct merge *m)
{
	if (m->w)
		(void)aa_writer_close(m->w);
	m->w = NULL;
	if (m->fd >= 0 && strcmp(m->out, "-") != 0)
		unlink(m->out);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_SKIP_LONGOPT,
		CLI_THREADS_LONGOPTS,
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct merge m = { .fd = -1 };
	struct cli_input in = { .ordered = 1 };
	struct aa_source_stats st;
	const struct aa_record *rec;
	int c, skip = 0, level = 0, status = CLI_OK, rc = 0;

	while ((c = cli_getopt("merge", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'l') {
			if (cli_level_option("merge", optarg, &level) != CLI_OK)
				return CLI_USAGE;
		} else if (cli_input_option("merge", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	skip = cli_skip_damaged();
	if (argc - optind < 2)
		return cli_usage("merge", "needs OUT and at least one FILE");
	m.out = argv[optind];
	const char *const *paths = (const char *const *)argv + optind + 1;
	size_t npaths = (size_t)(argc - optind - 1);

	if ((status = cli_open(&in, paths, npaths, NULL)) != CLI_OK)
		return status;
	/* the first record comes after every META at the start of the inputs */
	while ((rc = cli_next(&in, &rec, &status)) == 1 || (rc == 0 && !m.w)) {
		if (!skip && in.damage_reports)
			break;
		if (!m.w && (status = cli_worse(status, start(&m, in.src, level))) == CLI_USAGE)
			break;
		if (rc == 0)
			break;
		if (rec->origin >= m.nsources) {
			cli_err("merge: %s: a host or session that starts inside a file (files "
				"concatenated?): give its parts as files of their own",
				rec->path ? rec->path : "input");
			status = CLI_DATA;
			break;
		}
		if ((rc = aa_writer_add_from(m.w, rec->origin, rec->ev.raw, rec->ev.len)) < 0) {
			cli_err("%s: write failed: %s: %s", cli_out_name(m.out), aa_strerror(rc),
				strerror(aa_writer_errno(m.w)));
			status = CLI_USAGE;
			break;
		}
	}
	aa_source_get_stats(in.src, &st);
	if (!skip && (in.damage_reports || !st.intact)) {
		cli_err("merge: %s not written: an input is damaged (--skip-damaged merges what "
			"can be read)", cli_out_name(m.out));
		status = cli_worse(status, CLI_DATA);
	}
	if (status != CLI_OK) {
		discard(&m);
		return cli_close(&in, status);
	}
	aa_writer_set_drops(m.w, st.drops);
	if ((rc = aa_writer_close(m.w)) < 0) {
		cli_err("%s: closing failed: %s: %s", cli_out_name(m.out), aa_strerror(rc),
			strerror(errno));
		m.w = NULL;
		discard(&m);
		status = CLI_USAGE;
	}
	return cli_close(&in, status);
}

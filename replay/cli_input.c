/* SPDX-License-Identifier: MIT */
/* Reading inputs for a full pass: damaged parts are reported, and skipped
 * with --skip-damaged. */
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int skip_damaged;

int cli_input_option(const char *cmd, int opt, const char *arg)
{
	int r;

	if (opt == CLI_OPT_SKIP_DAMAGED) {
		skip_damaged = 1;
		return 1;
	}
	if ((r = cli_threads_option(cmd, opt, arg)) != 0)
		return r;
	return cli_nats_option(opt, arg);
}

int cli_skip_damaged(void)
{
	return skip_damaged;
}

static void on_damage(void *user, const struct aa_error_info *err)
{
	struct cli_input *in = user;

	in->damage_reports++;
	if (!in->quiet_damage)
		cli_err_info(err);
}

/* What is printed goes out before a read that may wait on a pipe. */
static void on_read(void *user)
{
	(void)user;
	fflush(stdout);
}

int cli_open(struct cli_input *in, const char *const *paths, size_t npaths,
	     const struct aa_filter *filter)
{
	struct aa_replay_opts opts = { .skip_damaged = skip_damaged, .on_damage = on_damage, .on_read = on_read,
				       .user = in, .ordered = in->ordered,
				       .fold = in->fold, .follow = in->follow,
				       .stop = in->stop, .threads = cli_threads(in->view) };
	struct aa_error_info err = { 0 };
	int rc;

	if (filter)
		opts.filter = *filter;
	in->damage_reports = 0;
	if (npaths == 1 && aa_is_nats_url(paths[0])) /* a stream (cli_nats.c) */
		rc = cli_nats_open(&in->src, paths[0], &opts, &err);
	else
		rc = aa_open_offline(&in->src, paths, npaths, &opts, &err);
	if (rc < 0) {
		/* An input that cannot even be opened cannot be used at all. Only
		 * the first file is read at open, and err.path may point into the
		 * freed handle: name that file from our own copy. */
		if (err.path)
			err.path = paths[0];
		cli_err_info(&err);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cli_read_failed(struct cli_input *in, int rc, const struct aa_error_info *err)
{
	struct aa_source_stats st;

	cli_err_info(err ? err : aa_source_error(in->src));
	aa_source_get_stats(in->src, &st);
	/* Damage that stopped reading (no --skip-damaged) is a data problem
	 * whatever its code, as when it is reported and skipped. */
	if (st.damaged > in->damage_reports) {
		in->damage_reports = st.damaged;
		return CLI_DATA;
	}
	return cli_status_of(rc);
}

int cli_next(struct cli_input *in, const struct aa_record **rec, int *status)
{
	int rc = aa_next(in->src, rec);

	if (rc < 0)
		*status = cli_worse(*status, cli_read_failed(in, rc, NULL));
	return rc;
}

int cli_close(struct cli_input *in, int status)
{
	struct aa_source_stats st;

	aa_source_get_stats(in->src, &st);
	if (in->damage_reports || !st.intact)
		status = cli_worse(status, CLI_DATA);
	aa_close(in->src);
	in->src = NULL;
	return status;
}

void cli_digest_add(struct aa_xxh64 *digest, const struct aa_record *rec)
{
	uint8_t len[4];

	cli_raw_len(len, rec->ev.len);
	aa_xxh64_update(digest, len, sizeof(len));
	aa_xxh64_update(digest, rec->ev.raw, rec->ev.len);
}

int cli_pass(struct cli_input *in, const char *const *paths, size_t npaths,
	     struct aa_source_stats *st)
{
	struct cli_progress prog;
	const struct aa_record *rec;
	int status;

	memset(st, 0, sizeof(*st));
	in->src = NULL;
	if ((status = cli_open(in, paths, npaths, NULL)) != CLI_OK)
		return status;
	cli_progress_start(&prog, paths[0], paths, npaths);
	while (cli_next(in, &rec, &status) == 1) {
		if (in->digest)
			cli_digest_add(in->digest, rec);
		cli_progress_tick(&prog, in->src);
	}
	cli_progress_end(&prog);
	aa_source_get_stats(in->src, st);
	return status;
}

int cli_each_file(char *const *paths, size_t n, int (*one)(const char *path, void *arg),
		  void *arg)
{
	int status = CLI_OK;

	cli_stdout_setup();
	for (size_t i = 0; i < n; i++) {
		status = cli_worse(status, one(paths[i], arg));
		fflush(stdout);
		status = cli_worse(status, cli_output_check(stdout, "stdout"));
	}
	return status;
}

int cli_all_regular_files(const char *const *paths, size_t n)
{
	struct stat st;

	for (size_t i = 0; i < n; i++)
		if (!aa_is_nats_url(paths[i]) && /* a stream's stored messages: as a file */
		    (!strcmp(paths[i], "-") || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode)))
			return 0;
	return 1;
}

/* SPDX-License-Identifier: MIT */
/* aa-replay cat: one line per record, as text or JSON Lines. */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "cli.h"
#include "print_enc.h"

static const char help[] =
	"Usage: " CLI_PROG " cat [--json] [--capture-order] [--each] [--follow] [FILTERS] FILE...\n"
	"Print the records of FILE... (a rotated set, oldest first; files of several\n"
	"hosts are merged by time) in time order, one line each: readable text by\n"
	"default, JSON Lines with --json. When the records come from more than one\n"
	"host or session, each line starts with its host (HOST/SESSION when a host\n"
	"has several sessions), and JSON gives \"host\" and \"session\" (hex).\n"
	"\n"
	"  --json          one JSON object per line: \"type\", \"time\" (RFC 3339),\n"
	"                  \"time_ns\", \"index\", \"comm\" (null when unknown), the\n"
	"                  layout's fields by name, TLS \"payload\" and \"payload_b64\",\n"
	"                  unknown \"size\" and \"raw_b64\", \"error\" for an invalid\n"
	"                  record; exec \"argv\" (array, \"argv_b64\" beside it when an\n"
	"                  item is not UTF-8) and \"argv_truncated\"; exit \"signal\" and\n"
	"                  \"core_dumped\"; paths whole with \"path_truncated\" (null: a\n"
	"                  format 1 path of 255 bytes, which may be cut) and \"unlinked\";\n"
	"                  TLS \"conn\", \"fd\", \"local\", \"peer\", \"lib\"\n"
	"  --capture-order in the order the records reached the capture; a file\n"
	"                  record has its syscall's start time but comes at its end\n"
	"  --each          every record as a line of its own: without it, the string,\n"
	"                  tls_conn and task exec/exit records that complete a record\n"
	"                  are shown only in that record's line (whole paths, exact argv,\n"
	"                  a TLS piece's connection, an exit's signal)\n"
	"  -f, --follow    print the records of one FILE as the capture writes them,\n"
	"                  as tail -f (in capture order): ends at the file's END chunk\n"
	"                  or on Ctrl-C (status 0); a file truncated, replaced or\n"
	"                  moved away meanwhile is said so (status 1)\n"
	CLI_FILTER_HELP
	"  -h, --help      this help\n"
	"\n"
	"Time order holds each record until one the file's reorder window later (its\n"
	"flush interval plus 250 ms) has been read; a record that comes later still\n"
	"is printed when it comes, and counted in a warning. Standard input and\n"
	"FIFOs are printed in capture order, as the records come.\n"
	"A damaged input stops the printing at its first damaged part (exit status 1)\n"
	"unless --skip-damaged is given.\n";

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static int stop_following(void *user)
{
	(void)user;
	return stop_signal != 0;
}

/* Ctrl-C and SIGTERM end --follow cleanly: they interrupt its wait. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }; /* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* rec's host as lines show it: HOST, or HOST/SESSION (8 hex digits) when
 * another origin has the same host. */
static void put_host(FILE *out, const aa_source *src, const struct aa_record *rec)
{
	uint32_t n = aa_source_origins(src);
	int shared = 0;

	aa_enc_text_bare(out, (const uint8_t *)rec->host, strlen(rec->host));
	for (uint32_t i = 0; i < n && !shared; i++)
		shared = i != rec->origin && !strcmp(aa_source_origin(src, i)->host, rec->host);
	if (shared && rec->session)
		fprintf(out, "/%02x%02x%02x%02x", rec->session[0], rec->session[1], rec->session[2],
			rec->session[3]);
	fputc(' ', out);
}

/* A JSON line with "host" and "session" first: the printer's line, spliced. */
static int print_json_host(FILE *out, const struct aa_record *rec)
{
	static FILE *mem;
	static char *buf;
	static size_t size;

	if (!mem && !(mem = open_memstream(&buf, &size)))
		return -1;
	rewind(mem);
	if (aa_print_json(mem, rec) < 0 || fflush(mem) != 0)
		return -1;
	long len = ftell(mem);
	fputs("{\"host\":", out);
	aa_enc_json_string(out, (const uint8_t *)rec->host, strlen(rec->host));
	fputs(",\"session\":", out);
	if (rec->session) {
		fputc('"', out);
		for (int i = 0; i < 16; i++)
			fprintf(out, "%02x", rec->session[i]);
		fputs("\",", out);
	} else {
		fputs("null,", out);
	}
	fwrite(buf + 1, 1, len > 1 ? (size_t)len - 1 : 0, out);
	return ferror(out) ? -1 : 0;
}

static int print_record(FILE *out, const aa_source *src, const struct aa_record *rec, int json)
{
	if (!rec->host || aa_source_origins(src) < 2)
		return json ? aa_print_json(out, rec) : aa_print_text(out, rec);
	if (json)
		return print_json_host(out, rec);
	put_host(out, src, rec);
	return aa_print_text(out, rec);
}

int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "capture-order", no_argument, NULL, 'o' },
		{ "each", no_argument, NULL, 'e' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		{ 0 },
	};
	int json = 0;
	struct cli_filter f = { 0 };
	struct cli_input in = { .ordered = 1, .fold = 1 };
	struct aa_filter filter;
	const struct aa_record *rec;
	int c, status = CLI_OK;

	while ((c = cli_getopt("cat", argc, argv, "hf" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			json = 1;
		} else if (c == 'f') {
			in.follow = 1;
			in.stop = stop_following;
		} else if (c == 'o') {
			in.ordered = 0;
		} else if (c == 'e') {
			in.fold = 0;
		} else if ((c = cli_filter_option(&f, "cat", c, optarg)) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("cat", "no FILE given");
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);

	if ((status = cli_filter_resolve(&f, "cat", paths, npaths, &filter)) != CLI_OK)
		return status;
	if (in.follow && (npaths != 1 || !cli_all_regular_files(paths, 1)))
		return cli_usage("cat", "--follow reads one FILE, a regular file (a pipe is "
			         "followed without it)");
	/* followed, records are printed as they come: time order would hold them */
	in.ordered = in.ordered && !in.follow && cli_all_regular_files(paths, npaths);
	if (in.follow)
		catch_stop_signals();
	if ((status = cli_open(&in, paths, npaths, &filter)) != CLI_OK)
		return status;
	cli_stdout_setup();
	while (!stop_signal && cli_next(&in, &rec, &status) == 1) {
		if (rec->folded)
			continue; /* shown in the line of the record it completes */
		if (print_record(stdout, in.src, rec, json) < 0)
			break;
	}
	fflush(stdout);
	status = cli_worse(status, cli_output_check(stdout, "stdout"));
	struct aa_source_stats st;
	aa_source_get_stats(in.src, &st);
	if (st.late)
		cli_err("warning: %" PRIu64 " record%s came later than the reorder window of %.3f s and "
			 "%s out of time order", st.late, st.late == 1 ? "" : "s",
			 (double)aa_meta_reorder_ns(aa_source_meta(in.src)) / 1e9,
			 st.late == 1 ? "is" : "are");
	return cli_close(&in, status);
}

/* SPDX-License-Identifier: MIT */
/* aa-replay cat: one line per record, as text or JSON Lines. */
#include <inttypes.h>
#include <string.h>

#include "aa_print.h"
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " cat [--json] [--capture-order] [--each] [FILTERS] FILE...\n"
	"Print the records of FILE... (a rotated set, oldest first) in time order,\n"
	"one line each: readable text by default, JSON Lines with --json.\n"
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
	CLI_FILTER_HELP
	"  -h, --help      this help\n"
	"\n"
	"Time order holds each record until one the file's reorder window later (its\n"
	"flush interval plus 250 ms) has been read; a record that comes later still\n"
	"is printed when it comes, and counted in a warning. Standard input and\n"
	"FIFOs are printed in capture order, as the records come.\n"
	"Damaged chunks are reported on stderr and skipped; the exit status is then 1.\n";


int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "capture-order", no_argument, NULL, 'o' },
		{ "each", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		{ 0 },
	};
	int (*print)(FILE *, const struct aa_record *) = aa_print_text;
	struct cli_filter f = { 0 };
	struct cli_input in = { .ordered = 1, .fold = 1 };
	struct aa_filter filter;
	const struct aa_record *rec;
	int c, status = CLI_OK;

	while ((c = cli_getopt("cat", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			print = aa_print_json;
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
	in.ordered = in.ordered && cli_all_regular_files(paths, npaths);
	if ((status = cli_open(&in, paths, npaths, &filter)) != CLI_OK)
		return status;
	cli_stdout_setup();
	while (cli_next(&in, &rec, &status) == 1) {
		if (rec->folded)
			continue; /* shown in the line of the record it completes */
		if (print(stdout, rec) < 0)
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

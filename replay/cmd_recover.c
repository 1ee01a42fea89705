/* SPDX-License-Identifier: MIT */
/* aa-replay recover: salvage every intact chunk into a new file. */
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " recover [--level N] IN OUT\n"
	"Copy every record of every intact chunk of IN, in order, into a new\n"
	"capture file OUT that verifies. Damaged chunks and a cut-off tail are\n"
	"skipped, each named on stderr with its byte offset; a summary line says\n"
	"what was kept and what was lost. OUT keeps what IN says of its capture\n"
	"(host, kernel, clock offset, session, drop counters, zstd level); it is\n"
	"created 0600 and never overwritten. IN or OUT '-' is standard input or\n"
	"output (not a terminal).\n"
	"\n"
	"  --level N   zstd level for OUT (default: IN's)\n"
	"  --skip-damaged  accepted, as by every reading command: recover always\n"
	"              reads past damaged parts (its job)\n"
	CLI_THREADS_HELP
	"  -h, --help  this help\n"
	"\n"
	"Exit status: 0 IN was intact, 1 IN was damaged (OUT holds all that was\n"
	"intact), 2 usage or I/O error, or IN cannot be used at all.\n";

int cmd_recover(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CLI_SKIP_LONGOPT,
		CLI_THREADS_LONGOPTS,
		{ 0 },
	};
	struct cli_copy_result res;
	int c, level = 0, status;

	while ((c = cli_getopt("recover", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'l') {
			if (cli_level_option("recover", optarg, &level) != CLI_OK)
				return CLI_USAGE;
		} else if (cli_input_option("recover", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage("recover", "needs IN and OUT");
	cli_input_option("recover", CLI_OPT_SKIP_DAMAGED, NULL); /* salvaging is reading past damage */
	status = cli_copy("recover", argv[optind], argv[optind + 1], NULL, level, &res);
	if (status == CLI_USAGE)
		return status;
	cli_err("recover: %s: kept %llu records from %llu chunks; lost %llu damaged part%s, "
		"%llu records known lost%s",
		cli_out_name(argv[optind + 1]), (unsigned long long)res.written,
		(unsigned long long)res.in.chunks, (unsigned long long)res.in.damaged,
		res.in.damaged == 1 ? "" : "s", (unsigned long long)res.missing,
		res.in.files_closed ? "" : " (IN was cut short: what followed cannot be counted)");
	return status;
}

/* SPDX-License-Identifier: MIT */
/* aa-replay filter: the selected records into a new capture file. */
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " filter [FILTERS] [--level N] IN OUT\n"
	"Copy the records of IN that pass the filters, in order, into a new\n"
	"capture file OUT (created 0600, never overwritten). OUT keeps what IN\n"
	"says of its capture (host, kernel, clock offset, session, drop counters,\n"
	"zstd level). IN or OUT '-' is standard input or output (not a terminal).\n"
	"\n"
	CLI_FILTER_HELP
	"  --level N       zstd level for OUT (default: IN's)\n"
	"  -h, --help      this help\n"
	"\n"
	"At a damaged part of IN the copy stops (exit status 1), OUT keeping what came\n"
	"before it; --skip-damaged reports each and copies the rest.\n";

int cmd_filter(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		{ 0 },
	};
	struct cli_filter f = { 0 };
	struct cli_copy_result res;
	struct aa_filter filter;
	int c, level = 0, status;


	while ((c = cli_getopt("filter", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'l') {
			if (cli_level_option("filter", optarg, &level) != CLI_OK)
				return CLI_USAGE;
		} else if (cli_filter_option(&f, "filter", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage("filter", "needs IN and OUT");
	const char *in = argv[optind];

	if ((status = cli_filter_resolve(&f, "filter", &in, 1, &filter)) != CLI_OK)
		return status;
	return cli_copy("filter", in, argv[optind + 1], &filter, level, &res);
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-replay schema: the record layouts a file says it holds, as C, decoded
 * from the BTF its writer embedded, so that a reader who does not know a
 * layout can still learn it from the file alone.
 */
#include "aa_error.h"
#include "cli.h"
#include "schema_print.h"

static const char help[] =
	"Usage: " CLI_PROG " schema FILE\n"
	"Print the record types of FILE (name and size, from its metadata) and\n"
	"their C definitions, decoded from the BTF the writer embedded. The BTF is\n"
	"checked whole first; text from the file is escaped (\\xNN) where it would\n"
	"drive a terminal or end a C comment.\n"
	"\n"
	CLI_THREADS_HELP
	"  -h, --help      this help\n"
	"\n"
	"Exit status: 0 printed, 1 the file carries no usable schema or its BTF is\n"
	"damaged, 2 usage or I/O.\n";

int cmd_schema(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		CLI_THREADS_LONGOPTS,
		{ 0 },
	};
	struct cli_input in = { 0 };
	int c, status;

	while ((c = cli_getopt("schema", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (cli_input_option("schema", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_usage("schema", "one FILE is needed");
	const char *path = argv[optind];
	cli_stdout_setup();
	if ((status = cli_open(&in, &path, 1, NULL)) != CLI_OK)
		return status;
	const struct aa_file_meta *m = aa_source_meta(in.src);
	if (!m || !m->schema) {
		cli_err("%s: no metadata with a record schema", path);
		status = CLI_DATA;
	} else {
		char why[256];
		int rc = aa_schema_print(stdout, path, m, why, sizeof(why));
		if (rc) {
			/* why[] holds no bytes from the file, only ids and offsets */
			cli_err("%s: the embedded BTF %s: %s", path,
				rc == AA_E_META ? "is damaged" : "cannot be printed", why);
			status = rc == AA_E_META ? CLI_DATA : CLI_USAGE;
		}
	}
	aa_close(in.src);
	return cli_worse(status, cli_output_check(stdout, NULL));
}

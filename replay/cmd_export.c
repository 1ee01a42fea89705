/* SPDX-License-Identifier: MIT */
/* aa-replay export: the records as a plain length-framed stream (--raw, the default). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " export [--raw] [FILTERS] IN OUT\n"
	"Write the records of IN in order as a raw stream: for each record a u32\n"
	"little-endian length, then the record's bytes exactly as captured. This\n"
	"is what 'aa-capture -r' reads; for a whole intact file its XXH64\n"
	"('xxhsum -H64') equals the stream digest stored in the file. OUT '-' is\n"
	"standard output; a file OUT is created 0600 and never overwritten.\n"
	"\n"
	"  --raw           the length-framed format (the default, and so far the only one)\n"
	CLI_FILTER_HELP
	"  -h, --help      this help\n"
	"\n"
	"Damaged chunks of IN are reported on stderr and skipped (exit status 1).\n";

static FILE *open_output(const char *path)
{
	static char buf[1 << 16];
	FILE *out;
	int fd;

	if (!strcmp(path, "-")) {
		if (cli_stdout_binary() < 0)
			return NULL;
		cli_stdout_setup();
		return stdout;
	}
	if ((fd = cli_create(path)) < 0)
		return NULL;
	if (!(out = fdopen(fd, "wb"))) {
		cli_err("%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	setvbuf(out, buf, _IOFBF, sizeof(buf));
	return out;
}

static int export_raw(const char *in_path, const char *out_path, const struct aa_filter *filter)
{
	const char *name = cli_out_name(out_path);
	struct cli_input in = { 0 };
	struct cli_progress prog;
	const struct aa_record *rec;
	FILE *out;
	int status;

	if ((status = cli_open(&in, &in_path, 1, filter)) != CLI_OK)
		return status;
	if (!(out = open_output(out_path))) {
		aa_close(in.src);
		return CLI_USAGE;
	}
	cli_progress_start(&prog, in_path, &in_path, 1);
	while (cli_next(&in, &rec, &status) == 1) {
		uint8_t len[4];

		cli_raw_len(len, rec->ev.len);
		fwrite_unlocked(len, 1, sizeof(len), out);
		fwrite_unlocked(rec->ev.raw, 1, rec->ev.len, out);
		if (ferror_unlocked(out))
			break;
		cli_progress_tick(&prog, in.src);
	}
	cli_progress_end(&prog);
	fflush(out);
	status = cli_worse(status, cli_output_check(out, name));
	if (out != stdout && fclose(out) != 0 && status != CLI_USAGE) {
		cli_err("%s: write failed: %s", name, strerror(errno));
		status = CLI_USAGE;
	}
	return cli_close(&in, status);
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		{ 0 },
	};
	struct cli_filter f = { 0 };
	struct aa_filter filter;
	int c, status;

	/* --raw is the default format: other formats will get their own flag. */
	while ((c = cli_getopt("export", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c != 'r' && cli_filter_option(&f, "export", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage("export", "needs IN and OUT");
	const char *in = argv[optind];

	if ((status = cli_filter_resolve(&f, "export", &in, 1, &filter)) != CLI_OK)
		return status;
	return export_raw(in, argv[optind + 1], &filter);
}

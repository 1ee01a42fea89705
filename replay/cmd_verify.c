/* SPDX-License-Identifier: MIT */
/* aa-replay verify: check each file whole and say whether it is intact. */
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " verify [-q] FILE...\n"
	"Check every block of each FILE, every chunk's checksum and framing, the\n"
	"record totals and the stream digest against the END chunk, and that the\n"
	"file was closed. Each problem is one line on stderr with the file, byte\n"
	"offset and chunk; each file gets one line on stdout: 'PATH: intact' (with\n"
	"the stream digest, XXH64 of 'export IN -', as 'xxhsum -H64' prints it),\n"
	"'PATH: damaged' or 'PATH: unusable'.\n"
	"\n"
	"  -q, --quiet  no stdout lines, only the exit status and the problems\n"
	"  --skip-damaged  accepted, as by every reading command: verify always\n"
	"               reports every damaged part and reads on past it (its job)\n"
	CLI_THREADS_HELP
	"  -h, --help   this help\n"
	"\n"
	"Exit status: 0 every file intact, 1 a file is damaged (cut short, a bad\n"
	"checksum or digest ...), 2 a file cannot be used at all (not a capture\n"
	"file, unreadable, or cut before its metadata and first records).\n";

static int verify_one(const char *path, void *arg)
{
	const int *quiet = arg;
	struct aa_xxh64 digest;
	struct cli_input in = { .digest = &digest };
	struct aa_source_stats st;

	aa_xxh64_init(&digest, 0);
	int status = cli_pass(&in, &path, 1, &st);

	/* Damaged before its metadata and without a single record (cut inside
	 * its first blocks, say): nothing in it can be used. */
	int nothing = in.src && !st.records && !aa_source_meta(in.src);

	if (in.src)
		status = cli_close(&in, status);
	if (nothing && status == CLI_DATA)
		status = CLI_USAGE;
	if (*quiet)
		return status;
	if (status == CLI_OK)
		printf("%s: intact: %llu records in %llu chunks, digest %016llx good\n", path,
		       (unsigned long long)st.records, (unsigned long long)st.chunks,
		       (unsigned long long)aa_xxh64_digest(&digest));
	else if (status == CLI_DATA)
		printf("%s: damaged: %llu records readable in %llu chunks, %llu damaged parts\n",
		       path, (unsigned long long)st.records, (unsigned long long)st.chunks,
		       (unsigned long long)st.damaged);
	else
		printf("%s: unusable\n", path);
	return status;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		CLI_INPUT_LONGOPTS,
		{ 0 },
	};
	int c, quiet = 0;

	while ((c = cli_getopt("verify", argc, argv, "hq" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'q') {
			quiet = 1;
		} else if (cli_input_option("verify", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("verify", "no FILE given");
	cli_input_option("verify", CLI_OPT_SKIP_DAMAGED, NULL); /* every damaged part, whatever is asked */
	return cli_each_file(argv + optind, (size_t)(argc - optind), verify_one, &quiet);
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-replay export: the records as a plain length-framed stream (--raw, the
 * default), or for another tool: Chrome trace JSON (--perfetto), one
 * record per pcapng packet (--pcapng), TLS as TCP streams (--tcp).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#include "export.h"

/* A command's own code (cli.h): not 'T', the reading threads' -T. */
#define CLI_OPT_TCP 0x1100

static const char help[] =
	"Usage: " CLI_PROG " export [--raw|--perfetto|--pcapng|--tcp] [FILTERS] IN OUT\n"
	"Write the records of IN to OUT in one of these formats:\n"
	"\n"
	"  --raw           (the default) in order as a raw stream: for each record a\n"
	"                  u32 little-endian length, then the record's bytes exactly as\n"
	"                  captured. This is what 'aa-capture -r' reads; for a whole\n"
	"                  intact file its XXH64 ('xxhsum -H64') equals the stream\n"
	"                  digest stored in the file.\n"
	"  --perfetto      Chrome trace-event JSON for the Perfetto UI (ui.perfetto.dev)\n"
	"                  and chrome://tracing: a track per process (comm and pid, under\n"
	"                  its parent), each program's run as a slice, file and net\n"
	"                  syscalls as slices of their duration, TLS calls as instants\n"
	"                  joined by flow arrows along their conversation; time order.\n"
	"  --pcapng        one uncompressed packet per record (LINKTYPE_USER1, nanosecond\n"
	"                  time stamps, capture order) for Wireshark and tshark with the\n"
	"                  aa.lua dissector that 'make install' installs (or\n"
	"                  tshark -X lua_script:aa.lua): every field by name (aa.pid,\n"
	"                  aa.comm, aa.argv, aa.path, aa.tls.payload ...).\n"
	"  --tcp           every TLS conversation as a synthetic TCP stream in pcapng\n"
	"                  (Ethernet, IP, TCP with the recorded addresses and ports), so\n"
	"                  that Wireshark's own HTTP and HTTP/2 dissectors read the\n"
	"                  plaintext.\n"
	CLI_FILTER_HELP
	"  -h, --help      this help\n"
	"\n"
	"OUT '-' is standard output (binary formats refuse a terminal); a file OUT is\n"
	"created 0600 and never overwritten, and removed again when the export fails\n"
	"(exit 2). At a damaged part of IN the export stops (exit status 1), OUT\n"
	"holding, well-formed, all that came before it; with --skip-damaged it\n"
	"goes on past each (reported) and OUT holds all that could be read.\n"
	"\n"
	"Examples:\n"
	"  " CLI_PROG " export --perfetto capture.pcapng trace.json\n"
	"  " CLI_PROG " export --pcapng capture.pcapng - | tshark -X lua_script:aa.lua -r - -Y 'aa.type == \"exec\"'\n"
	"  " CLI_PROG " export --tcp capture.pcapng tls.pcapng && tshark -r tls.pcapng -Y http2\n";

enum format { FMT_RAW, FMT_PERFETTO, FMT_PCAPNG, FMT_TCP };

static FILE *open_output(const char *path, enum format fmt)
{
	static char buf[1 << 16];
	FILE *out;
	int fd;

	if (!strcmp(path, "-")) {
		if (fmt != FMT_PERFETTO && cli_stdout_binary() < 0)
			return NULL;
		cli_stdout_setup();
		return stdout;
	}
	if ((fd = cli_create(path)) < 0)
		return NULL;
	if (!(out = fdopen(fd, "wb"))) {
		cli_err("%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	setvbuf(out, buf, _IOFBF, sizeof(buf));
	return out;
}

static int export_raw(struct cli_input *in, FILE *out, const char *in_path)
{
	const struct aa_record *rec;
	struct cli_progress prog;
	int status = CLI_OK;

	cli_progress_start(&prog, in_path, &in_path, 1);
	while (cli_next(in, &rec, &status) == 1) {
		uint8_t len[4];

		cli_raw_len(len, rec->ev.len);
		fwrite_unlocked(len, 1, sizeof(len), out);
		fwrite_unlocked(rec->ev.raw, 1, rec->ev.len, out);
		if (ferror_unlocked(out))
			break;
		cli_progress_tick(&prog, in->src);
	}
	cli_progress_end(&prog);
	return status;
}

static int export(const char *in_path, const char *out_path, const struct aa_filter *filter,
		  enum format fmt)
{
	static int (*const run[])(struct cli_input *, FILE *) = {
		[FMT_PERFETTO] = export_perfetto,
		[FMT_PCAPNG] = export_pcapng,
		[FMT_TCP] = export_tcp,
	};
	const char *name = cli_out_name(out_path);
	struct cli_input in = { 0 };
	FILE *out;
	int status;

	/* The raw stream and the packets keep the capture's order (the digest
	 * is of it; the dissector joins completion records as they come);
	 * the trace and the TCP streams are in time order, as cat prints. */
	in.ordered = (fmt == FMT_PERFETTO || fmt == FMT_TCP) && cli_all_regular_files(&in_path, 1);
	if ((status = cli_open(&in, &in_path, 1, filter)) != CLI_OK)
		return status;
	if (!(out = open_output(out_path, fmt))) {
		aa_close(in.src);
		return CLI_USAGE;
	}
	status = fmt == FMT_RAW ? export_raw(&in, out, in_path) : run[fmt](&in, out);
	fflush(out);
	status = cli_worse(status, cli_output_check(out, name));
	if (out != stdout && fclose(out) != 0 && status != CLI_USAGE) {
		cli_err("%s: write failed: %s", name, strerror(errno));
		status = CLI_USAGE;
	}
	status = cli_close(&in, status);
	/* An export that failed leaves nothing half-written behind. */
	if (status == CLI_USAGE && out != stdout)
		unlink(out_path);
	return status;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "perfetto", no_argument, NULL, 'P' },
		{ "pcapng", no_argument, NULL, 'N' },
		{ "tcp", no_argument, NULL, CLI_OPT_TCP },
		{ "help", no_argument, NULL, 'h' },
		CLI_FILTER_LONGOPTS,
		{ 0 },
	};
	struct cli_filter f = { 0 };
	struct aa_filter filter;
	enum format fmt = FMT_RAW;
	int c, status, nfmt = 0;

	while ((c = cli_getopt("export", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return CLI_OK;
		case 'r': fmt = FMT_RAW; nfmt++; break;
		case 'P': fmt = FMT_PERFETTO; nfmt++; break;
		case 'N': fmt = FMT_PCAPNG; nfmt++; break;
		case CLI_OPT_TCP: fmt = FMT_TCP; nfmt++; break;
		default:
			if (cli_filter_option(&f, "export", c, optarg) != 1)
				return CLI_USAGE;
		}
	}
	if (nfmt > 1)
		return cli_usage("export", "one format only: --raw, --perfetto, --pcapng or --tcp");
	if (argc - optind != 2)
		return cli_usage("export", "needs IN and OUT");
	const char *in = argv[optind];

	if ((status = cli_filter_resolve(&f, "export", &in, 1, &filter)) != CLI_OK)
		return status;
	return export(in, argv[optind + 1], &filter, fmt);
}

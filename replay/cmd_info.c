/* SPDX-License-Identifier: MIT */
/* aa-replay info: a full pass over each file, then its summary. */
#include <string.h>

#include "aa_print.h"
#include "cli.h"
#include "print_enc.h"

static const char help[] =
	"Usage: " CLI_PROG " info [--json] FILE...\n"
	"Read each FILE whole, decoding every chunk, and summarize it: records per\n"
	"type, unknown and invalid records, dropped records, chunks, raw and stored\n"
	"bytes and their ratio, first and last time, duration, host, kernel, writer,\n"
	"and whether the file is intact (every block, chunk and digest good, closed).\n"
	"\n"
	"  --json      one JSON object per FILE, on one line each\n"
	"  -h, --help  this help\n"
	"\n"
	"Exit status 1 when a file is not intact (what is wrong is said on stderr).\n";

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static void print_text(const char *path, const struct aa_source_stats *st,
		       const struct aa_file_meta *m)
{
	char first[AA_TIME_BUF], last[AA_TIME_BUF];
	uint64_t dur = st->last_ns > st->first_ns ? st->last_ns - st->first_ns : 0;

	printf("File:           %s\n", path);
	printf("Intact:         %s\n", st->intact ? "yes" : "no");
	printf("Records:        %llu\n", (unsigned long long)st->records);
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		printf("  %-13s %llu\n", aa_type_name(t), (unsigned long long)st->by_type[t]);
	printf("  %-13s %llu\n", "invalid", (unsigned long long)st->invalid);
	printf("Dropped:        %llu\n", (unsigned long long)st->dropped);
	printf("Chunks:         %llu (damaged %llu)\n", (unsigned long long)st->chunks,
	       (unsigned long long)st->damaged);
	printf("Raw bytes:      %llu\n", (unsigned long long)st->bytes_raw);
	printf("Stored bytes:   %llu\n", (unsigned long long)st->bytes_stored);
	printf("Ratio:          %.2f\n", st->bytes_stored ? (double)st->bytes_raw / (double)st->bytes_stored : 0.0);
	printf("First record:   %s\n", st->records ? aa_format_time(first, st->first_ns) : "-");
	printf("Last record:    %s\n", st->records ? aa_format_time(last, st->last_ns) : "-");
	printf("Duration:       %.9f s\n", dur / 1e9);
	printf("Host:           %s\n", str_or(m ? m->hostname : NULL, "-"));
	printf("Kernel:         %s %s\n", str_or(m ? m->kernel : NULL, "-"), str_or(m ? m->arch : NULL, ""));
	printf("Writer:         %s %s\n", str_or(m ? m->writer : NULL, "-"),
	       str_or(m ? m->writer_version : NULL, ""));
	printf("Source:         %s\n", str_or(m ? m->source : NULL, "-"));
}

static void json_str(const char *key, const char *s)
{
	printf(",\"%s\":", key);
	if (s)
		aa_enc_json_string(stdout, (const uint8_t *)s, strlen(s));
	else
		fputs("null", stdout);
}

static void json_u64(const char *key, uint64_t v)
{
	printf(",\"%s\":%llu", key, (unsigned long long)v);
}

static void print_json(const char *path, const struct aa_source_stats *st,
		       const struct aa_file_meta *m)
{
	char t[AA_TIME_BUF];

	fputs("{\"path\":", stdout);
	aa_enc_json_string(stdout, (const uint8_t *)path, strlen(path));
	json_u64("records", st->records);
	for (int i = 0; i < AA_TYPE_COUNT; i++)
		json_u64(aa_type_name(i), st->by_type[i]);
	json_u64("invalid", st->invalid);
	json_u64("dropped", st->dropped);
	json_u64("chunks", st->chunks);
	json_u64("damaged", st->damaged);
	json_u64("bytes_raw", st->bytes_raw);
	json_u64("bytes_stored", st->bytes_stored);
	printf(",\"ratio\":%.4f", st->bytes_stored ? (double)st->bytes_raw / (double)st->bytes_stored : 0.0);
	json_u64("first_ns", st->first_ns);
	json_u64("last_ns", st->last_ns);
	json_str("first", st->records ? aa_format_time(t, st->first_ns) : NULL);
	json_str("last", st->records ? aa_format_time(t, st->last_ns) : NULL);
	json_u64("duration_ns", st->last_ns > st->first_ns ? st->last_ns - st->first_ns : 0);
	json_str("host", m ? m->hostname : NULL);
	json_str("kernel", m ? m->kernel : NULL);
	json_str("arch", m ? m->arch : NULL);
	json_str("writer", m ? m->writer : NULL);
	json_str("writer_version", m ? m->writer_version : NULL);
	json_str("source", m ? m->source : NULL);
	printf(",\"intact\":%s}\n", st->intact ? "true" : "false");
}

struct info_args {
	int json;
	int count; /* files done, for the blank line between text summaries */
};

static int info_one(const char *path, void *arg)
{
	struct info_args *a = arg;
	struct cli_input in = { 0 };
	struct aa_source_stats st;
	int status = cli_pass(&in, path, &st);

	if (!in.src)
		return status;
	if (!a->json && a->count++)
		putchar('\n');
	/* The META read at open stays valid until the source is closed. */
	if (a->json)
		print_json(path, &st, aa_source_meta(in.src));
	else
		print_text(path, &st, aa_source_meta(in.src));
	return cli_close(&in, status);
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct info_args a = { 0 };
	int c;

	while ((c = cli_getopt("info", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			a.json = 1;
		} else {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("info", "no FILE given");
	return cli_each_file(argv + optind, (size_t)(argc - optind), info_one, &a);
}

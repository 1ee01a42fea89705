/* SPDX-License-Identifier: MIT */
/* aa-replay info: a full pass over the files, then their summary. */
#include <string.h>

#include "aa_print.h"
#include "cli.h"
#include "print_enc.h"

static const char help[] =
	"Usage: " CLI_PROG " info [--json] [--each] FILE...\n"
	"Read FILE... whole as one stream (a rotated set, oldest first), decoding\n"
	"every chunk, and summarize it: records per type, unknown and invalid\n"
	"records, dropped records (per type), chunks, raw and stored bytes and their ratio,\n"
	"first and last time, duration, host, kernel, writer, and whether it is\n"
	"intact (every block, chunk and digest good, every file closed, the set\n"
	"in order).\n"
	"\n"
	"  --json      one JSON object: \"files\", \"records\", \"tls\", \"file\", \"exec\",\n"
	"              \"exit\", \"unknown\", \"invalid\", \"dropped\", \"drops_by_type\" (an object:\n"
	"              tls, file, exec, exit), \"chunks\", \"damaged\",\n"
	"              \"bytes_raw\", \"bytes_stored\", \"ratio\", \"first_ns\", \"last_ns\",\n"
	"              \"first\", \"last\", \"duration_ns\", \"host\", \"kernel\", \"arch\",\n"
	"              \"writer\", \"writer_version\", \"source\", \"format_version\",\n"
	"              \"intact\" (a boolean); with several hosts or sessions,\n"
	"              \"hosts\": one object each, \"host\", \"session\" (hex),\n"
	"              \"files\", \"records\", \"bytes_raw\", \"first_ns\", \"last_ns\",\n"
	"              \"intact\"\n"
	"  --each      one summary for each FILE instead (with --json, one line each)\n"
	"  --skip-damaged  read on past each damaged part (reported in one line):\n"
	"              without it the summary is of what came before the first\n"
	CLI_THREADS_HELP
	"  --host H, --session S, --creds F, --tls-ca F: for an input nats://.../STREAM\n"
	"              (as cat's)\n"
	"  -h, --help  this help\n"
	"\n"
	"Format version 1: the four seed record types only; 2: the evidence\n"
	"records too (META tag 16; a file without it is version 1).\n"
	"Host, kernel and writer are the last file's. Files of several hosts or\n"
	"sessions (or a merged file) are one stream: a line for each, with its\n"
	"records, under 'Hosts:'. Format version 3: a merged file.\n"
	"Exit status 1 when the input is not intact (what is wrong is said on stderr).\n";

struct info_args {
	int json;
	int count; /* summaries printed, for the blank line between text ones */
};

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static double ratio(const struct aa_source_stats *st)
{
	return st->bytes_stored ? (double)st->bytes_raw / (double)st->bytes_stored : 0.0;
}

/* A META string escaped (aa_enc_text_bare): a file could carry terminal
 * escapes, or a newline and a line of its own ("Intact: yes"). */
static void put_meta(const char *s)
{
	aa_enc_text_bare(stdout, (const uint8_t *)s, strlen(s));
}

/* "Label:  a\n" ("-" when a is missing), or "Label:  a b\n" when b is given. */
static void meta_line(const char *label, const char *a, const char *b)
{
	printf("%-16s", label);
	put_meta(str_or(a, "-"));
	if (b) {
		putchar(' ');
		put_meta(b);
	}
	putchar('\n');
}

static void session_hex(char out[33], const uint8_t *session)
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", session ? session[i] : 0);
}

/* Several hosts or sessions: one line each, under the totals. */
static void print_origins_text(const aa_source *src)
{
	uint32_t n = aa_source_origins(src);
	char sess[33];

	if (n < 2)
		return;
	printf("Hosts:          %u\n", n);
	for (uint32_t i = 0; i < n; i++) {
		const struct aa_origin *g = aa_source_origin(src, i);
		session_hex(sess, g->session);
		fputs("  ", stdout);
		put_meta(str_or(g->host, "-"));
		printf(" (session %.8s): %llu records, %u file%s, %s\n", sess,
		       (unsigned long long)g->records, g->files, g->files == 1 ? "" : "s",
		       g->intact ? "intact" : "damaged");
	}
}

static void print_origins_json(const aa_source *src)
{
	uint32_t n = aa_source_origins(src);
	char sess[33];

	if (n < 2)
		return;
	fputs(",\"hosts\":[", stdout);
	for (uint32_t i = 0; i < n; i++) {
		const struct aa_origin *g = aa_source_origin(src, i);
		session_hex(sess, g->session);
		fputs(i ? ",{\"host\":" : "{\"host\":", stdout);
		aa_enc_json_string(stdout, (const uint8_t *)g->host, strlen(g->host));
		printf(",\"session\":\"%s\",\"files\":%u,\"records\":%llu,\"bytes_raw\":%llu,"
		       "\"first_ns\":%llu,\"last_ns\":%llu,\"intact\":%s}",
		       sess, g->files, (unsigned long long)g->records, (unsigned long long)g->bytes_raw,
		       (unsigned long long)g->first_ns, (unsigned long long)g->last_ns,
		       g->intact ? "true" : "false");
	}
	putchar(']');
}

static void print_text(const char *const *paths, size_t n, const struct aa_source_stats *st,
		       const struct aa_file_meta *m)
{
	char first[AA_TIME_BUF], last[AA_TIME_BUF];
	uint64_t dur = st->last_ns > st->first_ns ? st->last_ns - st->first_ns : 0;

	for (size_t i = 0; i < n; i++)
		printf("File:           %s\n", paths[i]);
	printf("Intact:         %s\n", st->intact ? "yes" : "no");
	printf("Records:        %llu\n", (unsigned long long)st->records);
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		printf("  %-13s %llu\n", aa_type_name(t), (unsigned long long)st->by_type[t]);
	printf("  %-13s %llu\n", "invalid", (unsigned long long)st->invalid);
	printf("Dropped:        %llu (", (unsigned long long)st->dropped);
	for (int i = 0; i < AA_DROP_SLOTS; i++) /* a drop slot is its record type */
		printf("%s%s %llu", i ? ", " : "", aa_type_name(i), (unsigned long long)st->drops[i]);
	puts(")");
	printf("Chunks:         %llu (damaged %llu)\n", (unsigned long long)st->chunks,
	       (unsigned long long)st->damaged);
	printf("Raw bytes:      %llu\n", (unsigned long long)st->bytes_raw);
	printf("Stored bytes:   %llu\n", (unsigned long long)st->bytes_stored);
	printf("Ratio:          %.2f\n", ratio(st));
	printf("First record:   %s\n", st->records ? aa_format_time(first, st->first_ns) : "-");
	printf("Last record:    %s\n", st->records ? aa_format_time(last, st->last_ns) : "-");
	printf("Duration:       %.9f s\n", dur / 1e9);
	meta_line("Host:", m ? m->hostname : NULL, NULL);
	meta_line("Kernel:", m ? m->kernel : NULL, str_or(m ? m->arch : NULL, ""));
	meta_line("Writer:", m ? m->writer : NULL, str_or(m ? m->writer_version : NULL, ""));
	meta_line("Source:", m ? m->source : NULL, NULL);
	printf("Format version: %u\n", aa_meta_format_version(m));
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

static void print_json(const char *const *paths, size_t n, const struct aa_source_stats *st,
		       const struct aa_file_meta *m)
{
	char t[AA_TIME_BUF];

	fputs("{\"files\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		aa_enc_json_string(stdout, (const uint8_t *)paths[i], strlen(paths[i]));
	}
	putchar(']');
	json_u64("records", st->records);
	for (int i = 0; i < AA_TYPE_COUNT; i++)
		json_u64(aa_type_name(i), st->by_type[i]);
	json_u64("invalid", st->invalid);
	json_u64("dropped", st->dropped);
	fputs(",\"drops_by_type\":{", stdout);
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		printf("%s\"%s\":%llu", i ? "," : "", aa_type_name(i), (unsigned long long)st->drops[i]);
	putchar('}');
	json_u64("chunks", st->chunks);
	json_u64("damaged", st->damaged);
	json_u64("bytes_raw", st->bytes_raw);
	json_u64("bytes_stored", st->bytes_stored);
	printf(",\"ratio\":%.4f", ratio(st));
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
	json_u64("format_version", aa_meta_format_version(m));
	printf(",\"intact\":%s", st->intact ? "true" : "false");
}

static int summarize(const char *const *paths, size_t n, struct info_args *a)
{
	struct cli_input in = { 0 };
	struct aa_source_stats st;
	int status = cli_pass(&in, paths, n, &st);

	if (!in.src)
		return status;
	if (!a->json && a->count++)
		putchar('\n');
	/* The META of the last file read stays valid until the source is closed. */
	if (a->json) {
		print_json(paths, n, &st, aa_source_meta(in.src));
		print_origins_json(in.src);
		puts("}");
	} else {
		print_text(paths, n, &st, aa_source_meta(in.src));
		print_origins_text(in.src);
	}
	return cli_close(&in, status);
}

static int summarize_one(const char *path, void *arg)
{
	return summarize(&path, 1, arg);
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "each", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		CLI_INPUT_LONGOPTS,
		{ 0 },
	};
	struct info_args a = { 0 };
	int c, each = 0;

	while ((c = cli_getopt("info", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			a.json = 1;
		} else if (c == 'e') {
			each = 1;
		} else if (cli_input_option("info", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("info", "no FILE given");
	size_t n = (size_t)(argc - optind);
	if (each)
		return cli_each_file(argv + optind, n, summarize_one, &a);
	cli_stdout_setup();
	int status = summarize((const char *const *)argv + optind, n, &a);
	fflush(stdout);
	return cli_worse(status, cli_output_check(stdout, "stdout"));
}

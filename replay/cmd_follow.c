/* SPDX-License-Identifier: MIT */
/* aa-replay follow: TLS conversations and the HTTP in them (aa_follow.h). */
#include <stdlib.h>
#include <string.h>

#include "aa_follow.h"
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " follow [OPTIONS] FILE...\n"
	"Show the TLS conversations of FILE... (a rotated set, oldest first): each\n"
	"connection's calls joined from their pieces, both directions in order, and\n"
	"where the bytes are HTTP the messages in them: HTTP/1.1 requests and\n"
	"responses (chunked bodies, gzip, deflate and brotli undone), HTTP/2 streams\n"
	"(HPACK kept across the whole connection), server-sent events one per line.\n"
	"Bytes that are not HTTP print as text with escapes, or as a hex dump.\n"
	"'>' is what the process sent (SSL_write), '<' what it received (SSL_read).\n"	"Messages come in time order across connections, each at the call it began\n"
	"in. Files of several hosts (or a merged file): each host's connections\n"
	"apart, each line starting with its host (\"host\" first in --json).\n"
	"\n"
	"  --conn ID       only the connection of socket inode ID (conn= in the output)\n"
	"  --pid PID       only calls of this pid (repeatable, or comma-separated)\n"
	"  --since T       only calls at or after T; --until T: before T (as cat's)\n"
	"  --host H, --session S, --creds F, --tls-ca F: for an input nats://.../STREAM\n"
	"                  (as cat's)\n"
	CLI_SKIP_HELP
	CLI_THREADS_HELP
	"  --raw           the calls' bytes only, no decoding\n"
	"  --json          one JSON object per message (with --raw: per call): \"conn\",\n"
	"                  \"pid\", \"comm\", \"local\", \"peer\", \"direction\" (write, read),\n"
	"                  \"time\", \"kind\"\n"
	"                  (http, sse, other, note), \"proto\", \"method\", \"path\",\n"
	"                  \"status\", \"headers\" ([name, value] pairs), \"body\" (decoded;\n"
	"                  \"body_b64\" beside it when not UTF-8), \"raw_len\" ...\n"
	"  --pretty        JSON bodies indented (text output)\n"
	"  --max-body N    keep at most N bytes of one body (default 16 MiB); longer\n"
	"                  ones are cut and say so\n"
	"  -h, --help      this help\n"
	"\n"
	"A connection is its socket, as tls_conn records name it (format version 2).\n"
	"Without them (version 1 files) a process's calls are shown as one\n"
	"conversation of conn=?, and said so. A connection that began before the\n"
	"recording is decoded as far as it can be, and said so.\n"
	"\n"
	"Examples:\n"
	"  " CLI_PROG " follow session.pcapng\n"
	"  " CLI_PROG " follow --pid 4242 --pretty session.pcapng\n"
	"  " CLI_PROG " follow --json session.pcapng | jq 'select(.kind == \"http\") | .path'\n"
	"  " CLI_PROG " follow --raw --conn 81234 session.pcapng\n";

struct out {
	FILE *f;
	unsigned flags; /* AA_FOLLOW_JSON, AA_FOLLOW_PRETTY, AA_FOLLOW_HOST ... */
	const aa_source *src;
};

/* Files of several hosts (known at open, or a merged file's at its first
 * read: before any callback): each line says its host, and its session
 * when that host has several. */
static unsigned host_flags(const struct out *o, const struct aa_follow_conn *c)
{
	uint32_t n = aa_source_origins(o->src);
	unsigned flags = o->flags;

	if (n < 2 || !c || !c->host)
		return flags;
	flags |= AA_FOLLOW_HOST;
	for (uint32_t i = 0; i < n; i++)
		if (i != c->origin && !strcmp(aa_source_origin(o->src, i)->host, c->host))
			flags |= AA_FOLLOW_SESSION;
	return flags;
}

static int on_conn(void *user, const struct aa_follow_conn *c)
{
	struct out *o = user;

	return o->flags & AA_FOLLOW_JSON ? 0 : aa_follow_print_conn(o->f, c, host_flags(o, c));
}

static int on_msg(void *user, const struct aa_follow_msg *m)
{
	struct out *o = user;

	return aa_follow_print_msg(o->f, m, host_flags(o, m->conn));
}

static int on_call(void *user, const struct aa_follow_call *c)
{
	struct out *o = user;

	return aa_follow_print_call(o->f, c, host_flags(o, c->conn));
}

int cmd_follow(int argc, char **argv)
{
	enum { OPT_CONN = 0x2001, OPT_RAW, OPT_JSON, OPT_PRETTY, OPT_MAX_BODY };
	static const struct option longopts[] = {
		{ "conn", required_argument, NULL, OPT_CONN },
		{ "pid", required_argument, NULL, CLI_OPT_PID },
		{ "since", required_argument, NULL, CLI_OPT_SINCE },
		{ "until", required_argument, NULL, CLI_OPT_UNTIL },
		CLI_INPUT_LONGOPTS,
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pretty", no_argument, NULL, OPT_PRETTY },
		{ "max-body", required_argument, NULL, OPT_MAX_BODY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct aa_follow_opts fo = { 0 };
	struct cli_filter cf = { 0 };
	struct out o = { .f = stdout };
	struct cli_input in = { .view = 1 };
	struct aa_follow_callbacks cb = { .on_conn = on_conn, .on_msg = on_msg };
	struct aa_filter filter;
	struct aa_error_info err;
	int c, status;
	char *end;

	while ((c = cli_getopt("follow", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		int r;
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == OPT_CONN) {
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || !v)
				return cli_usage("follow", "--conn: '%s' is not a connection id (a socket inode)", optarg);
			fo.conn = v;
		} else if (c == OPT_MAX_BODY) {
			unsigned long long v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || !v || v > (1ull << 30))
				return cli_usage("follow", "--max-body: '%s' is not a size of 1 to 1073741824 bytes", optarg);
			fo.max_body = (size_t)v;
		} else if (c == OPT_RAW) {
			fo.raw = 1;
		} else if (c == OPT_JSON) {
			o.flags |= AA_FOLLOW_JSON;
		} else if (c == OPT_PRETTY) {
			o.flags |= AA_FOLLOW_PRETTY;
		} else if ((r = cli_filter_option(&cf, "follow", c, optarg)) != 1) {
			return r ? r : CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("follow", "no FILE given");
	if (fo.raw) {
		cb.on_call = on_call;
		cb.on_msg = NULL;
	}
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);
	/* TLS, and the exits that end a process's connections */
	cf.types = AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_EXIT) | AA_TYPE_BIT(AA_TYPE_TASK);
	if ((status = cli_filter_resolve(&cf, "follow", paths, npaths, &filter)) != CLI_OK)
		return status;
	/* both directions in the order they happened, when the files can be read so */
	in.ordered = cli_all_regular_files(paths, npaths);
	fo.ordered = in.ordered; /* and messages across connections too */
	if ((status = cli_open(&in, paths, npaths, &filter)) != CLI_OK)
		return status;
	o.src = in.src;
	cli_stdout_setup();
	int rc = aa_follow(in.src, &fo, &cb, &o, &err);
	fflush(stdout);
	status = cli_output_check(stdout, "stdout");
	if (rc < 0 && rc != AA_E_STOPPED)
		status = cli_worse(status, cli_read_failed(&in, rc, &err));
	return cli_close(&in, status);
}

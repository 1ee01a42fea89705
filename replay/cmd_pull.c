/* SPDX-License-Identifier: MIT */
/*
 * aa-replay pull: the sessions of a stream written out as capture files,
 * one per file of each session, byte for byte what aa-capture -w wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capfile.h"
#include "cli.h"
#include "nats_stream.h"

static const char help[] =
	"Usage: " CLI_PROG " pull [--skip-damaged] [--host H] [--session S] [--creds F] [--tls-ca F] nats://HOST:PORT[,...]/STREAM DIR\n"
	"Write every session aa-capture --ship put in STREAM into capture files,\n"
	"DIR/HOST/aa-SESSION-NNNN.pcapng, one per file of the session (NNNN its\n"
	"place in a rotated set: -G, -C, SIGHUP), byte for byte what aa-capture -w\n"
	"wrote; an existing one is replaced. A message that is not a chunk of its\n"
	"session is reported (host, session, stream sequence): pulling stops there,\n"
	"or with --skip-damaged leaves it out and goes on; a chunk sent twice is\n"
	"written once. Check the files with '" CLI_PROG " verify'.\n"
	"\n"
	"  --host H       only the sessions of host H\n"
	"  --session S    only the sessions whose id begins with S\n"
	"  --creds FILE   a NATS credentials file (else $AA_NATS_CREDS)\n"
	"  --tls-ca FILE  TLS, trusting FILE's CA certificates (else $AA_NATS_TLS_CA)\n"
	"  --skip-damaged report each bad message and go on; without it pulling stops\n"
	"                 at the first (the files written so far are kept)\n"
	"  -h, --help     this help\n"
	"\n"
	"Exit status: 0 all written, 1 a bad message stopped the pull (left out with\n"
	"--skip-damaged), 2 usage, the\n"
	"server or a file could not be used.\n";

struct pull {
	const char *dir;
	int fd;
	char path[4096];
	uint64_t chunks, bytes;
	int ended;
	uint64_t bad;
};

static void on_bad(void *user, const struct aa_nats_session *s, uint64_t seq, int64_t chunk,
		   const char *why)
{
	struct pull *p = user;

	p->bad++;
	if (chunk >= 0)
		cli_err("%s: chunk %lld: stream message %llu is not a chunk of this session: %s",
			s->name, (long long)chunk, (unsigned long long)seq, why);
	else
		cli_err("%s: stream message %llu is not a chunk of this session: %s", s->name,
			(unsigned long long)seq, why);
}

static int finish_file(struct pull *p)
{
	int status = CLI_OK;

	if (p->fd < 0)
		return CLI_OK;
	if (fsync(p->fd) != 0 || close(p->fd) != 0) {
		cli_err("%s: %s", p->path, strerror(errno));
		status = CLI_USAGE;
	}
	p->fd = -1;
	printf("%s: %llu chunks, %llu bytes%s\n", p->path, (unsigned long long)p->chunks,
	       (unsigned long long)p->bytes, p->ended ? "" : ", no END chunk (not closed yet)");
	return status;
}

static int start_file(struct pull *p, const struct aa_nats_session *s, uint32_t file_seq)
{
	char sub[3800];

	if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", p->dir, s->host) >= sizeof(sub)) {
		cli_err("%s: directory name too long", p->dir);
		return CLI_USAGE;
	}
	if (mkdir(sub, 0700) != 0 && errno != EEXIST) {
		cli_err("%s: %s", sub, strerror(errno));
		return CLI_USAGE;
	}
	snprintf(p->path, sizeof(p->path), "%s/aa-%s-%04u.pcapng", sub, s->session, file_seq);
	p->fd = open(p->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (p->fd < 0) {
		cli_err("%s: %s", p->path, strerror(errno));
		return CLI_USAGE;
	}
	p->chunks = p->bytes = 0;
	p->ended = 0;
	return CLI_OK;
}

static int write_all(struct pull *p, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = write(p->fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			cli_err("%s: %s", p->path, k < 0 ? strerror(errno) : "short write");
			return CLI_USAGE;
		}
		b += k;
		n -= (size_t)k;
	}
	return CLI_OK;
}

static int pull_session(struct aa_nats *n, const struct aa_nats_session *s, struct pull *p)
{
	struct aa_nats_cursor *c;
	struct aa_nats_msg m;
	char why[512];
	int rc, status = CLI_OK, have_file = 0;
	uint32_t file_seq = 0;

	if (aa_nats_cursor_open(n, s, 0, 0, &c, why, sizeof(why)) != 0) {
		cli_err("%s", why);
		return CLI_USAGE;
	}
	while ((rc = aa_nats_cursor_next(c, &m, on_bad, p, why, sizeof(why))) == 1) {
		if (p->bad && !cli_skip_damaged())
			break; /* stop at the first bad message: what came before it is written */
		if (!have_file || m.file_seq != file_seq) {
			status = cli_worse(status, finish_file(p));
			if ((status = cli_worse(status, start_file(p, s, m.file_seq))) == CLI_USAGE)
				break;
			have_file = 1;
			file_seq = m.file_seq;
		}
		if ((status = cli_worse(status, write_all(p, m.bytes, m.len))) == CLI_USAGE)
			break;
		p->chunks++;
		p->bytes += m.len;
		p->ended = m.kind == AA_CHUNK_END;
	}
	if (rc < 0) {
		cli_err("%s", why);
		status = CLI_USAGE;
	}
	aa_nats_cursor_close(c);
	return cli_worse(status, finish_file(p));
}

int cmd_pull(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_SKIP_LONGOPT, /* no threads: the stream's chunks are copied, not read */
		CLI_NATS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct pull p = { .fd = -1 };
	int c;

	while ((c = cli_getopt("pull", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (cli_input_option("pull", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (argc - optind != 2)
		return cli_usage("pull", "want a stream URL and a directory");
	const char *url = argv[optind];
	p.dir = argv[optind + 1];
	if (!aa_is_nats_url(url))
		return cli_usage("pull", "'%s' is not a nats:// or tls:// URL", url);
	if (mkdir(p.dir, 0700) != 0 && errno != EEXIST) {
		cli_err("%s: %s", p.dir, strerror(errno));
		return CLI_USAGE;
	}

	struct aa_nats *n;
	struct aa_nats_session *list = NULL;
	size_t count = 0;
	char why[512];
	int status = CLI_OK;
	const struct aa_nats_opts *sel = cli_nats_selection();
	if (aa_nats_connect(&n, url, sel, why, sizeof(why)) != 0) {
		cli_err("%s", why);
		return CLI_USAGE;
	}
	if (aa_nats_sessions(n, sel, &list, &count, why, sizeof(why)) != 0) {
		cli_err("%s", why);
		status = CLI_USAGE;
	}
	cli_stdout_setup();
	for (size_t i = 0; i < count && status != CLI_USAGE && (!p.bad || cli_skip_damaged()); i++)
		status = cli_worse(status, pull_session(n, &list[i], &p));
	if (!count && status == CLI_OK)
		cli_err("%s: no session in the stream", url);
	free(list);
	aa_nats_close(n);
	fflush(stdout);
	if (p.bad)
		status = cli_worse(status, CLI_DATA);
	return cli_worse(status, cli_output_check(stdout, "stdout"));
}

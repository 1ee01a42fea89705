/* SPDX-License-Identifier: MIT */
/* aa-replay report: one self-contained HTML page of a recording. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

static const char help[] =
	"Usage: " CLI_PROG " report -o OUT.html FILE...\n"
	"Write one HTML page of FILE... (a rotated set, oldest first) for a person\n"
	"reviewing the session: the summary (host, span, counts, drops, intact or\n"
	"not), the process tree with argv and exit status, a timeline with a lane\n"
	"per process, the files touched, and the TLS conversations; a search box.\n"
	"The page is self-contained: styles, script and data inline, nothing\n"
	"fetched from anywhere. It holds TLS plaintext: it is created 0600.\n"
	"FILE is read once: '-' (standard input) and nats://HOST:PORT/STREAM work.\n"
	"\n"
	"  -o, --output OUT  the page to create (never over an existing file);\n"
	"                    '-' for standard output\n"
	"  --host H, --session S, --creds F, --tls-ca F: for an input\n"
	"                    nats://.../STREAM (as cat's)\n"
	CLI_SKIP_HELP
	CLI_THREADS_HELP
	"  -h, --help        this help\n"
	"\n"
	"A damaged input still gives a page (of what came before its first damaged\n"
	"part, or with --skip-damaged of all but the damaged parts; the page says\n"
	"the recording is not intact) and exit status 1. An input that cannot be\n"
	"read at all, or a page that cannot be written, gives status 2 and no page.\n"
	"\n"
	"Example:\n"
	"  " CLI_PROG " report -o session.html session.pcapng && chromium session.html\n"
	"  ssh host cat /var/log/aa/session.pcapng | " CLI_PROG " report -o session.html -\n";

/*
 * The page is written into a temporary file beside OUT and linked to OUT
 * only when complete: a failure leaves nothing behind, and link() never
 * replaces a file that is there.
 */
static int write_file(const char *out_path, const char *const *paths, size_t npaths)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(out_path, '/');
	int dirlen = slash ? (int)(slash - out_path + 1) : 0;
	struct stat sb;
	int fd, status;
	FILE *out;

	if (lstat(out_path, &sb) == 0) {
		cli_err("%s: cannot create: the file exists (it is never overwritten)", out_path);
		return CLI_USAGE;
	}
	if (snprintf(tmp, sizeof(tmp), "%.*s.aa-report.XXXXXX", dirlen, out_path) >= (int)sizeof(tmp)) {
		cli_err("%s: cannot create: name too long", out_path);
		return CLI_USAGE;
	}
	if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w"))) {
		cli_err("%s: cannot create: %s", out_path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return CLI_USAGE;
	}
	status = report_write(out, paths, npaths);
	if (fflush(out) != 0 || ferror(out) || fsync(fd) != 0) {
		if (status != CLI_USAGE)
			cli_err("%s: write failed: %s", out_path, strerror(errno ? errno : EIO));
		status = CLI_USAGE;
	}
	if (fclose(out) != 0 && status != CLI_USAGE) {
		cli_err("%s: write failed: %s", out_path, strerror(errno));
		status = CLI_USAGE;
	}
	if (status != CLI_USAGE && link(tmp, out_path) != 0) {
		cli_err("%s: cannot create: %s", out_path,
			errno == EEXIST ? "the file exists (it is never overwritten)" : strerror(errno));
		status = CLI_USAGE;
	}
	unlink(tmp);
	return status;
}

/* The page goes to a temporary file first: nothing on stdout for an input
 * that cannot be read at all (the input is read once, so it may be a stream). */
static int write_stdout(const char *const *paths, size_t npaths)
{
	FILE *tmp = tmpfile();
	char buf[65536];
	size_t n;
	int status;

	if (!tmp) {
		cli_err("no temporary file for the page (in $TMPDIR, else /tmp): %s", strerror(errno));
		return CLI_USAGE;
	}
	status = report_write(tmp, paths, npaths);
	if (fflush(tmp) != 0 || ferror(tmp)) {
		if (status != CLI_USAGE)
			cli_err("the page's temporary file (in $TMPDIR, else /tmp): write failed: %s",
				strerror(errno ? errno : EIO));
		status = CLI_USAGE;
	}
	if (status != CLI_USAGE) {
		cli_stdout_setup();
		rewind(tmp);
		while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
			fwrite(buf, 1, n, stdout);
		fflush(stdout);
		status = cli_worse(status, cli_output_check(stdout, "stdout"));
	}
	fclose(tmp);
	return status;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		CLI_INPUT_LONGOPTS,
		{ 0 },
	};
	const char *out = NULL;
	int c;

	while ((c = cli_getopt("report", argc, argv, "ho:" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'o') {
			out = optarg;
		} else if (cli_input_option("report", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("report", "no FILE given");
	if (!out)
		return cli_usage("report", "no output given: -o OUT.html");
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);

	return strcmp(out, "-") ? write_file(out, paths, npaths) : write_stdout(paths, npaths);
}

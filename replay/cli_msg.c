/* SPDX-License-Identifier: MIT */
/* aa-replay's one-line messages, exit statuses and option parsing. */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_status_of(int aa_err)
{
	switch (aa_err) {
	case AA_OK:
		return CLI_OK;
	case AA_E_IO:
	case AA_E_NOMEM:
	case AA_E_INVAL:
	case AA_E_FOREIGN: /* not a file these commands can use at all */
		return CLI_USAGE;
	default:
		return CLI_DATA;
	}
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* One write per line, so lines from concurrent processes do not mix. */
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s: ", prefix);

	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fflush(stdout);
	fprintf(stderr, "%s\n", line);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(CLI_PROG, fmt, ap);
	va_end(ap);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	char prefix[64], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(prefix, sizeof(prefix), CLI_PROG "%s%s", cmd ? " " : "", cmd ? cmd : "");
	cli_err("%s%s%s (see '%s --help')", cmd ? cmd : "", cmd ? ": " : "", msg, prefix);
	return CLI_USAGE;
}

/*
 * Capture files are made 0600 (they hold TLS plaintext): another user's
 * cannot be read, which a bare "Permission denied" does not explain.
 * Empty when path is not such a file.
 */
static void private_note(const char *path, char *note, size_t size)
{
	struct stat st;

	note[0] = 0;
	if (stat(path, &st) != 0 || (st.st_mode & 077) || st.st_uid == geteuid())
		return;
	struct passwd *pw = getpwuid(st.st_uid);
	char uid[16];

	snprintf(uid, sizeof(uid), "uid %u", (unsigned)st.st_uid);
	snprintf(note, size, " (capture files are private to their owner, mode 0600: this one belongs to %s)",
		 pw ? pw->pw_name : uid);
}

void cli_err_info(const struct aa_error_info *err)
{
	char line[512], note[160] = "";

	aa_error_format(err, line, sizeof(line));
	if (err->code == AA_E_IO && err->sys_errno == EACCES && err->path)
		private_note(err->path, note, sizeof(note));
	cli_err("%s%s", line, note);
}

int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char opts[64];
	int c;

	/* A leading ':' makes getopt tell a missing argument from an unknown option. */
	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == ':') {
		cli_usage(cmd, "option '%s' needs a value", argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		if (optopt && optopt < 0x100)
			cli_usage(cmd, "unknown option '-%c'", optopt);
		else
			cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		return '?';
	}
	return c;
}

/* --level N for recover and filter: a zstd level 1..22. */
int cli_level_option(const char *cmd, const char *arg, int *level)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (end == arg || *end || v < 1 || v > 22)
		return cli_usage(cmd, "--level: '%s' is not a zstd level (1..22)", arg);
	*level = (int)v;
	return CLI_OK;
}

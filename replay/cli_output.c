/* SPDX-License-Identifier: MIT */
/* aa-replay's outputs: new files created safely, stdout and closed pipes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_stdout_binary(void)
{
	if (isatty(STDOUT_FILENO)) {
		cli_err("stdout: not writing binary data to a terminal: redirect it or name a file");
		return -1;
	}
	return 0;
}

int cli_create(const char *path)
{
	int fd;

	if (!strcmp(path, "-")) {
		if (cli_stdout_binary() < 0)
			return -1;
		signal(SIGPIPE, SIG_IGN); /* a closed pipe is an EPIPE: see cli_write_failed */
		/* A copy for the writer to own and close; stdout itself stays. */
		if ((fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
			cli_err("stdout: %s", strerror(errno));
		return fd;
	}
	/* Capture data holds TLS plaintext: owner-only, and never written
	 * through a link someone planted or over a file that is there. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		cli_err("%s: cannot create: %s", path,
			errno == EEXIST ? "the file exists (it is never overwritten)" : strerror(errno));
	return fd;
}

const char *cli_out_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdout";
}

void cli_stdout_setup(void)
{
	static char buf[1 << 16];

	/* A closed pipe shows as EPIPE on the write, handled in cli_output_check. */
	signal(SIGPIPE, SIG_IGN);
	if (!isatty(STDOUT_FILENO)) /* a terminal keeps its line buffering */
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

void cli_pipe_closed(void)
{
	_exit(CLI_OK); /* the reader has had enough (| head): stop quietly */
}

int cli_output_check(FILE *out, const char *path)
{
	if (!ferror(out))
		return CLI_OK;
	if (errno == EPIPE && out == stdout)
		cli_pipe_closed();
	cli_err("%s: write failed: %s", path, strerror(errno ? errno : EIO));
	return CLI_USAGE;
}

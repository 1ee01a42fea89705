/* SPDX-License-Identifier: MIT */
/* aa-replay diff: two recordings compared by what happened (aa_diff.h). */
#include <stdlib.h>
#include <string.h>

#include "aa_diff.h"
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " diff [OPTIONS] A B\n"
	"       " CLI_PROG " diff --show [OPTIONS] FILE\n"
	"Compare two recordings of the same job by what happened, not by pids or\n"
	"times: the process tree (children under their parent by start time, then\n"
	"argv), each process's argv, program and exit, the files it opened, wrote,\n"
	"renamed and removed, the peers it connected to, its HTTP requests over\n"
	"TLS (method, path and decoded body, as " CLI_PROG " follow decodes them)\n"
	"and the responses' statuses. Prints a unified diff of the two \"what\n"
	"happened\" texts (--show prints one), each hunk headed by the process it\n"
	"is in, then a summary line.\n"
	"\n"
	"  --ignore-path REGEX   leave out file lines whose path matches this POSIX\n"
	"                        extended regular expression (repeatable)\n"
	"  --ignore-field LIST   leave out these fields, comma-separated, of: argv\n"
	"                        (a process is then known by its comm), exe, exit,\n"
	"                        open, write, rename, remove, mkdir, connect, tls, body\n"
	"  --no-default-masks    keep what is masked by default in paths and argv:\n"
	"                        temporary directories (Python's /tmp/tmpXXXXXXXX,\n"
	"                        mktemp's /tmp/tmp.XXXXXXXXXX, systemd-private-*) as\n"
	"                        $TMP, /proc/PID, /dev/pts/N, pipe:[N] and socket:[N]\n"
	"  -U, --context N       lines of context (default 3)\n"
	"  -q, --quiet           no diff, only the summary and the exit status\n"
	"  --show                print the text of what happened of one FILE\n"
	"  --skip-damaged        read on past each damaged part (reported in one line);\n"
	"                        without it an input is read up to its first\n"
	CLI_THREADS_HELP
	"  -h, --help            this help\n"
	"\n"
	"Examples:\n"
	"  " CLI_PROG " diff run1.pcapng run2.pcapng\n"
	"  " CLI_PROG " diff --ignore-path '\\.pyc$' --ignore-field exe before.pcapng after.pcapng\n"
	"  " CLI_PROG " diff --show run1.pcapng | less\n"
	"\n"
	"Exit status: 0 alike, 1 different, 2 trouble: a usage or I/O error, or a\n"
	"damaged input (its damage is reported and the diff of what could be read\n"
	"is printed, but a recording with a part missing proves neither answer).\n";

struct diff_args {
	const char **ignore;
	size_t nignore;
	struct aa_diff_opts o;
	int quiet, show;
};

static int print_line(void *user, const char *line, size_t len)
{
	(void)user;
	fwrite(line, 1, len, stdout);
	putchar('\n');
	return 0;
}

static int parse_fields(const char *list, unsigned *fields)
{
	char *copy = strdup(list), *save = NULL;
	int status = CLI_OK;

	if (!copy) {
		cli_err("out of memory");
		return CLI_USAGE;
	}
	for (char *w = strtok_r(copy, ",", &save); w && status == CLI_OK; w = strtok_r(NULL, ",", &save)) {
		unsigned bit = aa_diff_field(w);
		if (!bit)
			status = cli_usage("diff", "unknown field '%s' for --ignore-field", w);
		*fields |= bit;
	}
	free(copy);
	return status;
}

/* CLI_OK, CLI_USAGE after reporting, or -1 after --help. */
static int parse_args(int argc, char **argv, struct diff_args *d)
{
	static const struct option longopts[] = {
		{ "ignore-path", required_argument, NULL, 'p' },
		{ "ignore-field", required_argument, NULL, 'f' },
		{ "no-default-masks", no_argument, NULL, 'm' },
		{ "context", required_argument, NULL, 'U' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "show", no_argument, NULL, 's' },
		CLI_SKIP_LONGOPT,
		CLI_THREADS_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char **v;
	char *end;
	unsigned long n;
	int c;

	while ((c = cli_getopt("diff", argc, argv, "hqU:" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return -1;
		case 'p':
			if (!(v = realloc(d->ignore, (d->nignore + 1) * sizeof(*v)))) {
				cli_err("out of memory");
				return CLI_USAGE;
			}
			d->ignore = v;
			d->ignore[d->nignore++] = optarg;
			break;
		case 'f':
			if (parse_fields(optarg, &d->o.ignore_fields))
				return CLI_USAGE;
			break;
		case 'm':
			d->o.no_default_masks = 1;
			break;
		case 'U':
			n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 1000000)
				return cli_usage("diff", "bad --context '%s': a number of lines, 1 to 1000000",
						 optarg);
			d->o.context = (unsigned)n;
			break;
		case 'q':
			d->quiet = 1;
			break;
		case 's':
			d->show = 1;
			break;
		default: /* --skip-damaged, -T, --single-thread */
			if (cli_input_option("diff", c, optarg) != 1)
				return CLI_USAGE;
			break;
		}
	}
	d->o.ignore_paths = d->ignore;
	d->o.nignore_paths = d->nignore;
	if (argc - optind != (d->show ? 1 : 2))
		return cli_usage("diff", d->show ? "--show takes one FILE" : "give two files, A and B");
	return CLI_OK;
}

/* Opens one input of texts made at once: damage reported, and read past
 * with --skip-damaged. */
static int open_one(struct cli_input *in, const char *path, int texts)
{
	in->ordered = cli_all_regular_files(&path, 1);
	in->view = texts;
	return cli_open(in, &path, 1, NULL);
}

/* CLI_USAGE after a damaged input: the answer is of what could be read. */
static int damage_status(struct cli_input *in, const char *path)
{
	struct aa_source_stats st;

	aa_source_get_stats(in->src, &st);
	if (!in->damage_reports && st.intact)
		return CLI_OK;
	cli_err("%s: damaged or incomplete: what could be read was compared, which is no answer", path);
	return CLI_USAGE;
}

static int lib_error(const struct aa_error_info *err)
{
	cli_err_info(err);
	return CLI_USAGE; /* trouble: neither alike nor different */
}

static int show(struct diff_args *d, const char *path)
{
	struct cli_input in = { 0 };
	struct aa_error_info err;
	int status;

	if ((status = open_one(&in, path, 1)) != CLI_OK)
		return status;
	cli_stdout_setup();
	if (aa_diff_describe(in.src, &d->o, stdout, &err) < 0)
		status = lib_error(&err);
	fflush(stdout);
	status = cli_worse(status, cli_output_check(stdout, "stdout"));
	status = cli_worse(status, damage_status(&in, path));
	aa_close(in.src);
	return status;
}

static int compare(struct diff_args *d, const char *pa, const char *pb)
{
	struct cli_input a = { 0 }, b = { 0 };
	struct aa_diff_result res;
	struct aa_error_info err;
	int rc, status;

	if ((status = open_one(&a, pa, 2)) != CLI_OK || (status = open_one(&b, pb, 2)) != CLI_OK) {
		aa_close(a.src);
		return status;
	}
	d->o.label_a = pa;
	d->o.label_b = pb;
	d->o.on_line = d->quiet ? NULL : print_line;
	cli_stdout_setup();
	if ((rc = aa_diff_sources(a.src, b.src, &d->o, &res, &err)) < 0)
		status = lib_error(&err);
	else if (rc)
		printf(CLI_PROG " diff: different: %llu lines only in %s, %llu only in %s\n",
		       (unsigned long long)res.removed, pa, (unsigned long long)res.added, pb);
	else
		printf(CLI_PROG " diff: alike: %u processes, %llu lines of what happened\n", res.processes_a,
		       (unsigned long long)res.lines_a);
	if (rc > 0)
		status = CLI_DATA;
	fflush(stdout);
	status = cli_worse(status, cli_output_check(stdout, "stdout"));
	status = cli_worse(status, cli_worse(damage_status(&a, pa), damage_status(&b, pb)));
	aa_close(a.src);
	aa_close(b.src);
	return status;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_args d = { 0 };
	int status = parse_args(argc, argv, &d);

	if (status == CLI_OK)
		status = d.show ? show(&d, argv[optind]) : compare(&d, argv[optind], argv[optind + 1]);
	else if (status < 0)
		status = CLI_OK;
	free(d.ignore);
	return status;
}

/* SPDX-License-Identifier: MIT */
/* aa-replay ps: the processes a recording saw, from its process table. */
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "cli.h"
#include "print_enc.h"
#include "print_proc.h"

static const char help[] =
	"Usage: " CLI_PROG " ps [--json] FILE...\n"
	"List the processes of FILE... (a rotated set, oldest first), one line each,\n"
	"by start time: pid, ppid, uid, how each is known (snapshot: running when\n"
	"the capture started; fork; exec; exit), comm, program file, argv, start\n"
	"and end time, exit code or killing signal, cgroup and container id.\n"
	"A pid used again is a line of its own for each process it was.\n"
	"\n"
	"  --json          one JSON object per line: \"pid\", \"ppid\", \"uid\", \"gid\",\n"
	"                  \"how\" (array), \"comm\", \"exe\", \"argv\" (array, null when\n"
	"                  unknown; \"args\" instead for format 1 files, whose argv has\n"
	"                  no boundaries), \"start\", \"end\" (null while running), \"exit_code\",\n"
	"                  \"signal\", \"core_dumped\" (null while running), \"cgroup\",\n"
	"                  \"container_id\" (null when none), \"ns_pid\", \"execs\"\n"
	CLI_SKIP_HELP
	CLI_THREADS_HELP
	"  -h, --help      this help\n"
	"\n"
	"The table keeps at most 16384 processes and 16 MiB of their strings: past\n"
	"that, those that exited first are forgotten. A damaged input is read up\n"
	"to its first damaged part (exit status 1) unless --skip-damaged is given.\n";

static int by_start(const void *a, const void *b)
{
	const struct aa_process *x = *(const struct aa_process *const *)a;
	const struct aa_process *y = *(const struct aa_process *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void print_text(FILE *out, const struct aa_process *p)
{
	char t[AA_TIME_BUF];

	fprintf(out, "%s pid=%u ppid=%u uid=%u", aa_format_time(t, p->start_ns), p->pid, p->ppid, p->uid);
	aa_proc_text_how(out, p->how);
	aa_proc_text_program(out, p);
	if (p->how & AA_PROC_EXIT)
		fprintf(out, " end=%s", aa_format_time(t, p->end_ns));
	aa_proc_text_exit(out, p);
	if (p->cgroup[0]) {
		fputs(" cgroup=", out);
		aa_enc_text_string(out, (const uint8_t *)p->cgroup, strlen(p->cgroup));
	}
	if (p->container_id[0])
		fprintf(out, " container=%s", p->container_id);
	putc('\n', out);
}

static void print_json(FILE *out, const struct aa_process *p)
{
	putc('{', out);
	aa_proc_json_fields(out, p);
	fputs("}\n", out);
}

int cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_INPUT_LONGOPTS,
		{ 0 },
	};
	void (*print)(FILE *, const struct aa_process *) = print_text;
	struct cli_input in = { .view = 1 };
	struct aa_source_stats st;
	int c, status;

	while ((c = cli_getopt("ps", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			print = print_json;
		} else if (cli_input_option("ps", c, optarg) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("ps", "no FILE given");
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);

	/* in time order, as the processes lived, when the files can be read so */
	in.ordered = cli_all_regular_files(paths, npaths);
	status = cli_pass(&in, paths, npaths, &st);
	if (!in.src)
		return status;
	size_t n = 0, cap = 0;
	const struct aa_process **all = NULL;
	for (const struct aa_process *p = aa_process_next(in.src, NULL); p; p = aa_process_next(in.src, p)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			const struct aa_process **a = realloc(all, cap * sizeof(*a));
			if (!a) {
				cli_err("out of memory");
				free(all);
				return cli_close(&in, CLI_USAGE);
			}
			all = a;
		}
		all[n++] = p;
	}
	if (n)
		qsort(all, n, sizeof(*all), by_start);
	cli_stdout_setup();
	for (size_t i = 0; i < n; i++)
		print(stdout, all[i]);
	free(all);
	fflush(stdout);
	status = cli_worse(status, cli_output_check(stdout, "stdout"));
	return cli_close(&in, status);
}

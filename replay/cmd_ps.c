/* SPDX-License-Identifier: MIT */
/* aa-replay ps: the processes a recording saw, from its process table. */
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "cli.h"
#include "print_enc.h"

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
	"  -h, --help      this help\n"
	"\n"
	"The table keeps at most 16384 processes and 16 MiB of their strings: past\n"
	"that, those that exited first are forgotten. Damaged chunks are reported\n"
	"on stderr and skipped; the exit status is then 1.\n";

static const char *const how_names[] = { "snapshot", "fork", "exec", "exit" };

static int by_start(const void *a, const void *b)
{
	const struct aa_process *x = *(const struct aa_process *const *)a;
	const struct aa_process *y = *(const struct aa_process *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void text_how(FILE *out, unsigned how)
{
	const char *sep = " how=";

	for (unsigned i = 0; i < sizeof(how_names) / sizeof(how_names[0]); i++)
		if (how & (1u << i)) {
			fputs(sep, out);
			fputs(how_names[i], out);
			sep = ",";
		}
}

static void print_text(FILE *out, const struct aa_process *p)
{
	char t[AA_TIME_BUF];

	fprintf(out, "%s pid=%u ppid=%u uid=%u", aa_format_time(t, p->start_ns), p->pid, p->ppid, p->uid);
	text_how(out, p->how);
	fputs(" comm=", out);
	aa_enc_text_string(out, (const uint8_t *)p->comm, strlen(p->comm));
	if (p->exe.data) {
		fputs(" exe=", out);
		aa_enc_text_string(out, p->exe.data, p->exe.len);
	}
	if (p->argv.data && p->argv_joined) {
		fputs(" args=", out);
		aa_enc_text_string(out, p->argv.data, p->argv.len);
	} else if (p->argv.data) {
		aa_enc_text_argv(out, &p->argv);
	}
	if (p->how & AA_PROC_EXIT) {
		fprintf(out, " end=%s", aa_format_time(t, p->end_ns));
		if (p->signal)
			fprintf(out, " killed by SIG%s", sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?");
		else
			fprintf(out, " exit_code=%d", p->exit_code);
		if (p->core_dumped)
			fputs(" (core dumped)", out);
	} else {
		fputs(" running", out);
	}
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
	char t[AA_TIME_BUF];
	const char *sep = "";

	fprintf(out, "{\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"gid\":%u,\"how\":[", p->pid, p->ppid,
		p->uid, p->gid);
	for (unsigned i = 0; i < sizeof(how_names) / sizeof(how_names[0]); i++)
		if (p->how & (1u << i)) {
			fprintf(out, "%s\"%s\"", sep, how_names[i]);
			sep = ",";
		}
	putc(']', out);
	aa_enc_json_field(out, "comm", (const uint8_t *)p->comm, strlen(p->comm));
	if (p->exe.data)
		aa_enc_json_field(out, "exe", p->exe.data, p->exe.len);
	else
		fputs(",\"exe\":null", out);
	if (p->argv_joined) {
		aa_enc_json_field(out, "args", p->argv.data, p->argv.len);
		fputs(",\"argv\":null,\"argv_truncated\":false", out);
	} else {
		aa_enc_json_argv(out, &p->argv);
	}
	fprintf(out, ",\"start\":\"%s\",\"start_ns\":%llu", aa_format_time(t, p->start_ns),
		(unsigned long long)p->start_ns);
	if (p->how & AA_PROC_EXIT)
		fprintf(out, ",\"end\":\"%s\",\"end_ns\":%llu,\"exit_code\":%d,\"signal\":%d,\"core_dumped\":%s",
			aa_format_time(t, p->end_ns), (unsigned long long)p->end_ns, p->exit_code,
			p->signal, p->core_dumped ? "true" : "false");
	else
		fputs(",\"end\":null,\"end_ns\":null,\"exit_code\":null,\"signal\":null,\"core_dumped\":null", out);
	aa_enc_json_field(out, "cgroup", (const uint8_t *)p->cgroup, strlen(p->cgroup));
	fprintf(out, ",\"cgroup_id\":%llu", (unsigned long long)p->cgroup_id);
	if (p->container_id[0])
		fprintf(out, ",\"container_id\":\"%s\"", p->container_id);
	else
		fputs(",\"container_id\":null", out);
	fprintf(out, ",\"ns_pid\":%u,\"pidns_ino\":%u,\"execs\":%u}\n", p->ns_pid, p->pidns_ino, p->execs);
}


int cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	void (*print)(FILE *, const struct aa_process *) = print_text;
	struct cli_input in = { 0 };
	struct aa_source_stats st;
	int c, status;

	while ((c = cli_getopt("ps", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			print = print_json;
		} else {
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

/* SPDX-License-Identifier: MIT */
/* aa-replay tree: the process tree of a recording (aa_tree.h). */
#include <errno.h>
#include <string.h>

#include "aa_tree.h"
#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " tree [--json] [--pid PID] FILE...\n"
	"Print the process tree of FILE... (a rotated set, oldest first), one line\n"
	"per process, children under their parent by start time (then argv):\n"
	"pid, \"snapshot\" for a process running when the capture started, argv\n"
	"(args=\"...\" for a format 1 file, whose argv has no item boundaries; the\n"
	"comm and \"argv unknown\" when no record told it), start time, duration,\n"
	"exit (exit_code=N, killed by SIGNAME, or running: no end recorded), and\n"
	"the process's file, TLS (pieces and calls) and connect/accept records.\n"
	"A process whose parent is not in the recording is a root, with its ppid\n"
	"marked (not recorded). A pid used again is a process of its own each time.\n"
	"Files of several hosts (or a merged file): each host's processes apart\n"
	"(a pid is its host's), each line starting with its host.\n"
	"\n"
	"  --pid PID       only the subtrees under PID (repeatable, or comma-separated)\n"
	"  --host H, --session S, --creds F, --tls-ca F: for an input nats://.../STREAM\n"
	"                  (as cat's)\n"
	CLI_SKIP_HELP
	CLI_THREADS_HELP
	"  --json          one JSON object per process, in the same order: the fields\n"
	"                  of ps --json (\"host\" first for several hosts) and \"id\",\n"
	"                  \"parent\" (its id, null for a root),\n"
	"                  \"children\" (ids), \"depth\", \"ppid_at_start\", \"counts\"\n"
	"                  ({\"file\", \"tls\", \"tls_calls\", \"net\"})\n"
	"  -h, --help      this help\n"
	"\n"
	"Examples:\n"
	"  " CLI_PROG " tree session.pcapng\n"
	"  " CLI_PROG " tree --pid 4242 --json session.pcapng | jq -r .argv[0]\n"
	"\n"
	"The tree holds the processes running, at most 262144 of them and 128 MiB\n"
	"of their argv and programs (past that a warning says how many were not\n"
	"kept); a process finished 2 s goes to a temporary file in $TMPDIR (else\n"
	"/tmp), so that memory does not grow with the recording.\n"
	"A damaged input ends the tree at its first damaged part (exit status 1)\n"
	"unless --skip-damaged is given.\n";

int cmd_tree(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, CLI_OPT_PID },
		CLI_INPUT_LONGOPTS,
		{ 0 },
	};
	int (*print)(FILE *, aa_tree *, const uint32_t *, size_t) = aa_tree_print_text;
	struct cli_filter f = { 0 };
	struct cli_input in = { .view = 1 };
	struct aa_tree_stats st;
	aa_tree *t;
	int c, rc, status = CLI_OK;

	while ((c = cli_getopt("tree", argc, argv, "h" CLI_INPUT_SHORTOPTS, longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		} else if (c == 'j') {
			print = aa_tree_print_json;
		} else if ((rc = cli_filter_option(&f, "tree", c, optarg)) != 1) {
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		return cli_usage("tree", "no FILE given");
	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);

	in.ordered = cli_all_regular_files(paths, npaths);
	if ((status = cli_open(&in, paths, npaths, NULL)) != CLI_OK)
		return status;
	rc = aa_tree_build(&t, in.src, NULL);
	if (rc < 0) {
		if (!t && rc == AA_E_IO) {
			cli_err("tree: a temporary file (in $TMPDIR, else /tmp): %s", strerror(errno));
			return cli_close(&in, CLI_USAGE);
		} else if (!t) {
			cli_err("tree: %s", aa_strerror(rc));
			return cli_close(&in, CLI_USAGE);
		}
		status = cli_worse(status, cli_read_failed(&in, rc, NULL));
	}
	aa_tree_get_stats(t, &st);
	if (st.lost)
		cli_err("%llu processes not kept: the tree holds at most %u",
			(unsigned long long)st.lost, AA_TREE_MAX_NODES);
	if (st.strings_lost)
		cli_err("%llu argv or program strings not kept: the tree holds at most %u MiB of them",
			(unsigned long long)st.strings_lost, AA_TREE_MAX_BYTES >> 20);
	if (st.unowned)
		cli_err("%llu records of no process the tree holds (no snapshot, fork or exec "
			"record named their pid): not counted in it", (unsigned long long)st.unowned);
	if (st.late)
		cli_err("%llu records of processes that had ended more than %llu s before them: not counted in them",
			(unsigned long long)st.late, AA_TREE_CLOSE_NS / 1000000000ull);
	cli_stdout_setup();
	rc = print(stdout, t, f.pids, f.npids);
	if (rc == AA_E_IO && aa_tree_walk_error(t)) {
		cli_err("tree: reading back its temporary file: %s", strerror(aa_tree_walk_error(t)));
		status = cli_worse(status, CLI_USAGE);
	} else if (!rc && f.npids) {
		cli_err("no process with pid %u in the recording%s", f.pids[0],
			f.npids > 1 ? " (nor the other pids given)" : "");
		status = cli_worse(status, CLI_DATA);
	}
	aa_tree_free(t);
	fflush(stdout);
	status = cli_worse(status, cli_output_check(stdout, "stdout"));
	return cli_close(&in, status);
}

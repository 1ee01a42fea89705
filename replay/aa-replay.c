/* SPDX-License-Identifier: MIT */
/* aa-replay: inspect, check, filter and convert aa capture files. */
#include <string.h>

#include "cli.h"
#include "report.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "info", cmd_info, "summarize files: counts, bytes, times, host, intact or not" },
	{ "cat", cmd_cat, "print records as text lines or JSON Lines" },
	{ "verify", cmd_verify, "check every block, chunk checksum, framing and digest" },
	{ "recover", cmd_recover, "copy every intact chunk into a new file that verifies" },
	{ "filter", cmd_filter, "copy the selected records into a new capture file" },
	{ "export", cmd_export, "the raw records; --pcapng, --tcp for Wireshark; --perfetto trace" },
	{ "schema", cmd_schema, "print the record layouts a file carries, as C" },
	{ "ps", cmd_ps, "list the processes a recording saw, with their identity and exit" },
	{ "pull", cmd_pull, "write the sessions of a NATS stream (aa-capture --ship) into files" },
	{ "tree", cmd_tree, "the process tree: argv, times, exit, file/TLS/net records of each" },
	{ "diff", cmd_diff, "compare two recordings by what happened (0 alike, 1 different)" },
	{ "follow", cmd_follow, "TLS conversations per connection, HTTP/1.1, HTTP/2 and SSE decoded" },
	{ "report", cmd_report, "write one self-contained HTML page of a recording for review" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("Usage: " CLI_PROG " COMMAND [OPTIONS] FILE...\n"
	      "Read aa capture files (pcapng holding eBPF ring-buffer records); no privilege needed.\n"
	      "\nCommands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n"
	      "  -h, --help     this help; '" CLI_PROG " COMMAND --help' for a command's\n"
	      "  -V, --version  the version\n"
	      "\nExit status: 0 ok, 1 a problem in the data (damaged, truncated, not intact),\n"
	      "2 a usage or I/O error, or an input that cannot be used at all.\n"
	      "Errors are one line each on stderr, naming the file and the byte offset.\n"
	      "An input FILE of '-' is standard input.\n"
	      "\nExamples:\n"
	      "  " CLI_PROG " info capture.pcapng\n"
	      "  " CLI_PROG " cat --type exec,exit --since +10s capture.pcapng\n"
	      "  " CLI_PROG " cat --json --pid 4242 capture.pcapng | jq .path\n"
	      "  " CLI_PROG " verify capture.pcapng || " CLI_PROG " recover capture.pcapng fixed.pcapng\n"
	      "  " CLI_PROG " export --perfetto capture.pcapng trace.json   (--pcapng, --tcp: for Wireshark)\n"
	      "  " CLI_PROG " cat --host web1 nats://10.0.0.5:4222/AA   # what aa-capture --ship sent\n"
	      "  " CLI_PROG " tree --pid 4242 capture.pcapng\n"
	      "  " CLI_PROG " diff --ignore-path '^/tmp/' run1.pcapng run2.pcapng\n"
	      "  " CLI_PROG " follow --pid 4242 --pretty capture.pcapng\n"
	      "  " CLI_PROG " report -o session.html capture.pcapng\n",
	      out);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf(CLI_PROG " %s\n", AA_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return cli_usage(NULL, "unknown command '%s'", cmd);
}

/* SPDX-License-Identifier: MIT */
/*
 * What the aa-replay commands share: exit statuses, one-line errors,
 * opening inputs with damage reports, creating outputs, stdout that ends
 * quietly on a closed pipe, the record filter options, and progress.
 */
#ifndef AA_CLI_H
#define AA_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_nats.h"
#include "aa_replay.h"
#include "xxh64.h"

#define CLI_PROG "aa-replay"

enum cli_status {
	CLI_OK = 0,    /* all went well */
	CLI_DATA = 1,  /* a problem in the data: damaged, truncated, not intact */
	CLI_USAGE = 2, /* a usage error, an I/O error, or an input that cannot be used */
};

/* The worse of two statuses (CLI_USAGE over CLI_DATA over CLI_OK). */
static inline int cli_worse(int a, int b)
{
	return a > b ? a : b;
}

/* The status that an AA_E_* error read from a file means. */
int cli_status_of(int aa_err);

/* "aa-replay: " and the message on stderr, as one line. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error of command cmd, with a pointer to its help; returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line for a library error: "aa-replay: PATH: offset N: chunk C: detail". */
void cli_err_info(const struct aa_error_info *err);

/*
 * getopt_long with this tool's conventions: no messages from getopt itself,
 * and an unknown option or a missing argument reported as a usage error of
 * cmd. Returns the option, -1 at the end, or '?' after reporting.
 */
int cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* --type, --pid, --since, --until, as given on the command line. */
struct cli_filter {
	unsigned types;
	uint32_t pids[64];
	size_t npids;
	const char *since; /* as given; resolved by cli_filter_resolve() */
	const char *until;
};

#define CLI_OPT_TYPE 0x1001
#define CLI_OPT_PID 0x1002
#define CLI_OPT_SINCE 0x1003
#define CLI_OPT_UNTIL 0x1004
#define CLI_FILTER_LONGOPTS                                      \
	{ "type", required_argument, NULL, CLI_OPT_TYPE },       \
	{ "pid", required_argument, NULL, CLI_OPT_PID },         \
	{ "since", required_argument, NULL, CLI_OPT_SINCE },     \
	{ "until", required_argument, NULL, CLI_OPT_UNTIL },     \
	CLI_INPUT_LONGOPTS
/* --host, --session, --creds, --tls-ca (an input nats://.../STREAM: cli_nats.c) */
#define CLI_OPT_HOST 0x1005
#define CLI_OPT_SESSION 0x1006
#define CLI_OPT_CREDS 0x1007
#define CLI_OPT_TLS_CA 0x1008
#define CLI_NATS_LONGOPTS                                        \
	{ "host", required_argument, NULL, CLI_OPT_HOST },       \
	{ "session", required_argument, NULL, CLI_OPT_SESSION }, \
	{ "creds", required_argument, NULL, CLI_OPT_CREDS },     \
	{ "tls-ca", required_argument, NULL, CLI_OPT_TLS_CA }
#define CLI_FILTER_HELP                                                           \
	"  --type LIST     only these types, comma-separated, of:" AA_TYPE_NAMES " unknown\n" \
	"  --pid PID       only records of this pid (repeatable, or comma-separated)\n"  \
	"  --since T       only records at or after T\n"                                 \
	"  --until T       only records before T\n"                                      \
	"  T is an RFC 3339 time (2026-11-25T21:30:01.5Z, 2026-11-25T22:30:01+01:00;\n" \
	"  without a zone it is UTC), seconds since the epoch (1795555801.25), or an\n"  \
	"  offset from the first record of the input: +5s, +1.5m, +250ms\n"            \
	"  (units ns, us, ms, s, m, h; s when none), at most 2554-07-21T23:34:33.709551615Z\n" \
	"  (epoch 18446744073.709551615): a later time is refused. An unknown record has no time\n" \
	"  stamp of its own: it has the time its chunk was written.\n"                \
	CLI_INPUT_HELP
#define CLI_NATS_HELP                                                                    \
	"  An input nats://HOST:PORT[,HOST:PORT...]/STREAM reads the sessions aa-capture\n" \
	"  --ship put there, oldest first; --host H: only host H's, --session S: only\n"  \
	"  those whose id begins with S; --creds FILE: a NATS credentials file (as\n"   \
	"  aa-capture --ship-creds; else $AA_NATS_CREDS), --tls-ca FILE: TLS, trusting\n" \
	"  FILE's CA certificates (as --ship-tls-ca; else $AA_NATS_TLS_CA; tls:// URLs\n" \
	"  use TLS too).\n"

/*
 * The options of every command that reads capture files, handled by
 * cli_input_option() and kept for every cli_open of this run. Shared codes
 * are 0x1001-0x10ff; a command's own codes start at 0x1100, and no command
 * uses 'T' for an option of its own.
 *
 * --skip-damaged: without it reading stops at the first damaged part (a
 * bad chunk, a gap, a cut-off tail, a stream message that is no chunk of
 * its session) with its one-line error and exit status 1, after all that
 * came before it was printed or written (as zstd and tcpdump do); with it
 * each damaged part is reported in one line and reading goes on (exit
 * status 1 at the end).
 */
#define CLI_OPT_SKIP_DAMAGED 0x100b
#define CLI_SKIP_LONGOPT { "skip-damaged", no_argument, NULL, CLI_OPT_SKIP_DAMAGED }
#define CLI_SKIP_HELP                                                                  \
	"  --skip-damaged  report each damaged part of the input in one line (a file's\n" \
	"                  path, offset and chunk; a stream's host, session and chunk)\n" \
	"                  and read on past it; without it reading stops at the first,\n" \
	"                  after what came before it. Either way the exit status is 1.\n"
/*
 * -T N, --threads N, --single-thread (cli_threads.c): how many threads
 * read capture files (aa_replay_opts.threads). CLI_INPUT_SHORTOPTS goes in
 * the short options of every command whose long options have these.
 */
#define CLI_INPUT_SHORTOPTS "T:"
#define CLI_OPT_SINGLE_THREAD 0x100a
#define CLI_THREADS_LONGOPTS                                     \
	{ "threads", required_argument, NULL, 'T' },             \
	{ "single-thread", no_argument, NULL, CLI_OPT_SINGLE_THREAD }
#define CLI_THREADS_HELP                                                                \
	"  -T N, --threads N  decompress and check the chunks on N threads beside the\n" \
	"                  one that prints (0, the default: one per CPU; for a view,\n"  \
	"                  whose printing thread is the busier, one fewer, and for\n"    \
	"                  diff, which makes two texts, (CPUs - 2) / 2 a file); the\n"   \
	"                  output is the same whatever N\n"                              \
	"  --single-thread read in the printing thread alone\n"
/* All of them: damage, threads, and a stream input's. */
#define CLI_INPUT_LONGOPTS CLI_SKIP_LONGOPT, CLI_THREADS_LONGOPTS, CLI_NATS_LONGOPTS
#define CLI_INPUT_HELP CLI_SKIP_HELP CLI_THREADS_HELP CLI_NATS_HELP

/*
 * Handles one of the CLI_OPT_* options: 1 when opt was one (0 if not), or
 * CLI_USAGE after reporting a bad value.
 */
int cli_filter_option(struct cli_filter *f, const char *cmd, int opt, const char *arg);
/*
 * --skip-damaged, -T/--threads, --single-thread, --host, --session,
 * --creds, --tls-ca: 1 when opt was one (0 if not), or CLI_USAGE after
 * reporting a bad value as a usage error of cmd. Kept for every cli_open
 * of this run. A command that reads past damage whatever is asked (verify,
 * recover) passes CLI_OPT_SKIP_DAMAGED itself.
 */
int cli_input_option(const char *cmd, int opt, const char *arg);
/* 1 when --skip-damaged was given (or set by the command). */
int cli_skip_damaged(void);
/* The threads options of cli_input_option, as it returns (cli_threads.c). */
int cli_threads_option(const char *cmd, int opt, const char *arg);
/* The reading threads asked for, for aa_replay_opts.threads; the
 * default for a view (cli_input.view) leaves its own threads a CPU each
 * and shares the others among them. */
unsigned cli_threads(int view);
/* The stream options of cli_input_option (cli_nats.c). */
int cli_nats_option(int opt, const char *arg);
/* Those options, with $AA_NATS_CREDS and $AA_NATS_TLS_CA for the ones not given. */
const struct aa_nats_opts *cli_nats_selection(void);
/* aa_open_nats with cli_nats_selection() (cli_nats.c). */
int cli_nats_open(aa_source **src, const char *url, const struct aa_replay_opts *opts,
		  struct aa_error_info *err);

/*
 * The library filter for f; an offset ("+5s") is resolved against the
 * first record of paths. Returns CLI_OK or a status after reporting.
 */
int cli_filter_resolve(const struct cli_filter *f, const char *cmd,
		       const char *const *paths, size_t npaths, struct aa_filter *out);

/*
 * A time argument as wall-clock ns since the epoch; an offset ("+5s") is
 * added to base_ns. Returns 0, -1 when the text is not a time, or -2 when
 * it is outside what u64 ns since the epoch hold (CLI_TIME_RANGE).
 * *is_offset says which form it was.
 */
#define CLI_TIME_RANGE "1970-01-01T00:00:00Z to 2554-07-21T23:34:33.709551615Z, epoch 18446744073.709551615"
int cli_parse_time(const char *text, uint64_t base_ns, uint64_t *ns, int *is_offset);

/* The length in front of each record of a raw stream (export): u32 little-endian. */
static inline void cli_raw_len(uint8_t b[4], uint32_t len)
{
	b[0] = (uint8_t)len;
	b[1] = (uint8_t)(len >> 8);
	b[2] = (uint8_t)(len >> 16);
	b[3] = (uint8_t)(len >> 24);
}

/* Adds rec to digest as export writes it ([length][bytes]): over a whole
 * file, its XXH64 is the stream digest in the file's END chunk. */
void cli_digest_add(struct aa_xxh64 *digest, const struct aa_record *rec);

/* An input opened for a full pass, reporting each damaged part as it goes. */
struct cli_input {
	aa_source *src;
	uint64_t damage_reports; /* damaged parts reported on stderr (or quieted) */
	int quiet_damage;        /* do not print the damage lines */
	int ordered;             /* time order (aa_replay_opts.ordered) */
	int fold;                /* completion records before their record (aa_replay_opts.fold) */
	struct aa_xxh64 *digest; /* if set, cli_pass() adds each record to it as
				    export writes it: the file's stream digest */
	int follow;              /* read the file as it is written (aa_replay_opts.follow) */
	int view;                /* a view: its threads that do most of the work, 1 (tree,
				    follow, ps, report: the printing thread) or 2 (diff:
				    its two texts made at once); cli_threads */
	int (*stop)(void *user); /* and when to stop following (aa_replay_opts.stop) */
};

/*
 * Opens paths as one stream. With --skip-damaged (cli_skip_damaged()) each
 * damaged part is reported on stderr and skipped, so that a pass reads all
 * that can be read; without it cli_next() reports the first and stops there.
 * Returns CLI_OK, or a status after reporting why the input cannot be used.
 */
int cli_open(struct cli_input *in, const char *const *paths, size_t npaths,
	     const struct aa_filter *filter);
/*
 * The next record as aa_next() gives it; after an error, reports it and
 * sets *status to the worse of it and the error's status.
 */
int cli_next(struct cli_input *in, const struct aa_record **rec, int *status);
/*
 * After reading in->src ended with rc < 0 (aa_next, or a view's pass over
 * it): reports err (NULL: the source's) and returns its status, CLI_DATA
 * for a damaged part that stopped the reading whatever its code.
 */
int cli_read_failed(struct cli_input *in, int rc, const struct aa_error_info *err);
/*
 * A whole pass over paths as one stream, with progress: opens in, reads
 * every record and fills *st. Returns the status so far; in->src is NULL
 * when the input could not be opened, else the caller reads what it needs
 * from it (the META) and ends with cli_close().
 */
int cli_pass(struct cli_input *in, const char *const *paths, size_t npaths,
	     struct aa_source_stats *st);
/*
 * Runs one(path, arg) for each of paths[0..n) with stdout flushed and
 * checked after each; returns the worst status.
 */
int cli_each_file(char *const *paths, size_t n, int (*one)(const char *path, void *arg),
		  void *arg);
/*
 * 1 when every path is a regular file, to be read in time order; a stream
 * (standard input, a FIFO) is read as it comes: holding its records back
 * for time order would hold back a live capture's lines.
 */
int cli_all_regular_files(const char *const *paths, size_t n);
/* The status the pass ends with (damage seen, intact or not), and closes. */
int cli_close(struct cli_input *in, int status);

/*
 * Creates an output file for writing: 0600, never through a symbolic link,
 * never over an existing file; "-" is standard output (a copy of its fd),
 * refused when it is a terminal. Returns the fd, or -1 after reporting.
 */
int cli_create(const char *path);
/* 0 when stdout may take binary data, -1 after reporting that it is a terminal. */
int cli_stdout_binary(void);
/* An output path as messages name it: "stdout" for "-". */
const char *cli_out_name(const char *path);
/* Ends the process quietly with status 0: stdout's reader has had enough (| head). */
void cli_pipe_closed(void) __attribute__((noreturn));

/* Sets stdout up for large buffered output, with SIGPIPE ignored. */
void cli_stdout_setup(void);
/*
 * After writing to out (stdout or an export file named path): CLI_OK, or
 * CLI_USAGE after reporting a write error. A closed pipe on stdout ends the
 * process quietly with status 0, as a reader that has had enough is no error.
 */
int cli_output_check(FILE *out, const char *path);

/* Progress on stderr, only when stderr is a terminal. */
struct cli_progress {
	int on;
	int drawn;          /* a line is on the screen */
	const char *label;
	uint64_t total;     /* bytes of the inputs */
	uint64_t next_ns;   /* monotonic time of the next update */
	unsigned countdown; /* records until the clock is looked at again */
};
void cli_progress_start(struct cli_progress *p, const char *label,
			const char *const *paths, size_t npaths);
void cli_progress_tick(struct cli_progress *p, const aa_source *src);
void cli_progress_end(struct cli_progress *p);

/* What cli_copy() did. */
struct cli_copy_result {
	struct aa_source_stats in;   /* the pass over the input */
	uint64_t written;            /* records written to the output */
	uint64_t missing;            /* records known lost: gaps in the stream index
					(a cut-off tail's records cannot be counted) */
};

/*
 * Copies the records of in_path that pass filter into a new capture file
 * out_path (created with cli_create()), keeping the input's clock offset,
 * session, place in its set, flush interval and (unless level is not 0)
 * zstd level, and its drop counters; damaged parts are reported and
 * skipped. what names the copy in the output's META source ("recover",
 * "filter"). Returns the status.
 */
int cli_copy(const char *what, const char *in_path, const char *out_path,
	     const struct aa_filter *filter, int level, struct cli_copy_result *res);

/* --level N of recover and filter: CLI_OK with *level set, or CLI_USAGE after reporting. */
int cli_level_option(const char *cmd, const char *arg, int *level);

/* The commands: each takes its own argv (argv[0] is the command's name). */
int cmd_info(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_follow(int argc, char **argv);

#endif /* AA_CLI_H */

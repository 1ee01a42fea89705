/* SPDX-License-Identifier: MIT */
/* aa-capture's command line: what it says, checked, and its exit codes. */
#ifndef AA_CAP_OPTS_H
#define AA_CAP_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aa_live.h"
#include "ship.h"
#include "runcmd.h"

/* Exit status, one per cause (listed in --help). */
enum cap_exit {
	CAP_EXIT_OK = 0,
	CAP_EXIT_DATA = 1,  /* the input stream is damaged (truncated, bad length) */
	CAP_EXIT_USAGE = 2, /* a wrong flag or value, an input that cannot be opened or read */
	CAP_EXIT_WRITE = 3, /* an output file cannot be created or written */
	CAP_EXIT_PRIV = 4,  /* no privilege for BPF, BPF unavailable, or -Z failed */
	CAP_EXIT_POSTCMD = 5, /* all went well but a -z command failed on some file */
};

#define CAP_DEFAULT_NAME "aa-%Y%m%d-%H%M%S.pcapng"
#define CAP_ARGV_MAX AA_LIVE_ARGV_MAX /* --argv-max at most */

struct cap_opts {
	const char *raw_path;     /* -r: a raw stream instead of the ring buffer */
	const char *out;          /* -w: name pattern, "-" for standard output */
	uint64_t count;           /* -c: stop after this many records; 0: no limit */
	uint64_t duration_ms;     /* --duration; 0: no limit */
	uint64_t rotate_ms;       /* -G; 0: no time rotation */
	uint64_t rotate_bytes;    /* -C (in units of 1,000,000 bytes); 0: no size rotation */
	unsigned ring_files;      /* -W; 0: keep every file */
	const char *post_cmd;     /* -z */
	const char *user;         /* -Z, resolved to the ids below */
	uid_t uid;
	gid_t gid;
	int level;                /* --level; 0: the writer's default */
	unsigned flush_ms;        /* --flush-ms */
	unsigned threads;         /* -T: compression threads; 0: one per core */
	int quiet;                /* -q */
	int print;                /* --print */
	int json;                 /* --json (with --print) */
	unsigned ring_bytes;      /* --ring-size; 0: the live source's default */
	uint32_t *pids;           /* --pid, repeatable */
	size_t npids;
	const char *comm;         /* --comm */
	unsigned events;          /* --events as AA_TYPE_BIT()s; 0: all */
	const char **ssl_libs;    /* --ssl-lib, repeatable */
	size_t nssl_libs;
	int all_files;            /* --all-files */
	int no_snapshot;          /* --no-snapshot: no records of the processes already running */
	unsigned argv_max;        /* --argv-max; 0: the live source's default */
	int ready_fd;             /* --ready-fd; -1: none */
	int list_tls;             /* --list-tls: print the TLS files found, and exit */
	int tls_hold;             /* --tls-hold: a program mapping a new file waits for its TLS probes */
	int out_given;            /* -w was given (--ship without it writes no file) */
	struct ship_opts ship_opts; /* --ship ... (ship.h) */
	struct ship *ship;        /* set by main once shipping runs */
	char *const *command;     /* -- COMMAND [ARGS] (argv, NULL-terminated); NULL: none */
	const char *run_user;     /* -u */
	struct runcmd_user run_as; /* whose identity the command takes */
	char *run_name, *run_home; /* run_as's strings */
};

/*
 * Parses and checks argv into o. Returns -1 to go on, or an exit status:
 * CAP_EXIT_OK after --help or --version, CAP_EXIT_USAGE after a one-line
 * error and the usage line on stderr.
 */
int cap_opts_parse(struct cap_opts *o, int argc, char **argv);
void cap_opts_free(struct cap_opts *o);

#endif /* AA_CAP_OPTS_H */

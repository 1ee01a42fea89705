/* SPDX-License-Identifier: MIT */
/*
 * aa-capture --ship: every chunk the writer finishes (writer.h sink) is
 * queued (spool.h) and published, in order, to a JetStream stream by a
 * thread of its own, with a message id for de-duplication; it counts as
 * shipped once the stream has acknowledged it. The capture never waits on
 * the network: a chunk that finds the queue full is dropped and counted
 * per record type, and those counts go into the files' STATS as drops.
 */
#ifndef AA_CAP_SHIP_H
#define AA_CAP_SHIP_H

#include <stdint.h>

#include "events.h"
#include "writer.h"

struct ship;

struct ship_opts {
	const char *url;        /* nats://HOST:PORT[,HOST:PORT...]/STREAM */
	const char *creds;      /* --ship-creds: a NATS credentials file */
	const char *tls_ca;     /* --ship-tls-ca: CA certificates to trust */
	int replicas;           /* --ship-replicas; 0: 3 with 3 servers or more known, else 1 */
	const char *spool_dir;  /* --spool; NULL: in memory */
	uint64_t spool_max;     /* --spool-max in bytes; 0: the default */
	unsigned wait_ms;       /* at exit, how long to wait for what is queued */
};

#define SHIP_SPOOL_DEFAULT (256ull << 20)
#define SHIP_WAIT_DEFAULT_MS 10000

/* aa-capture's options for shipping (ship_opts.c), for its getopt table. */
enum { SHIP_OPT_URL = 0x2001, SHIP_OPT_REPLICAS, SHIP_OPT_CREDS, SHIP_OPT_TLS_CA,
       SHIP_OPT_SPOOL, SHIP_OPT_SPOOL_MAX, SHIP_OPT_WAIT, SHIP_OPT_LAST = SHIP_OPT_WAIT };
#define SHIP_LONGOPTS                                                   \
	{ "ship", required_argument, NULL, SHIP_OPT_URL },              \
	{ "ship-replicas", required_argument, NULL, SHIP_OPT_REPLICAS }, \
	{ "ship-creds", required_argument, NULL, SHIP_OPT_CREDS },      \
	{ "ship-tls-ca", required_argument, NULL, SHIP_OPT_TLS_CA },    \
	{ "ship-wait", required_argument, NULL, SHIP_OPT_WAIT },        \
	{ "spool", required_argument, NULL, SHIP_OPT_SPOOL },           \
	{ "spool-max", required_argument, NULL, SHIP_OPT_SPOOL_MAX }
#define SHIP_HELP                                                                          \
	"Shipping (to a NATS JetStream stream; README: many hosts):\n"                   \
	"  --ship nats://HOST:PORT[,HOST:PORT...]/STREAM\n"                              \
	"                       publish every chunk (with or without -w) on the subject\n" \
	"                       aa.HOST.SESSION, in order, each counted once the stream\n" \
	"                       acknowledged it; the stream is made if missing\n"         \
	"  --ship-replicas N    its replicas when made (default 3 when 3 servers or\n"    \
	"                       more are known, else 1)\n"                               \
	"  --ship-creds FILE    NATS credentials; --ship-tls-ca FILE: TLS, trusting FILE\n" \
	"  --spool DIR          keep chunks not acknowledged yet in DIR (one file each,\n" \
	"                       fsynced): they survive a restart and go first then;\n"   \
	"                       without it they wait in memory\n"                       \
	"  --spool-max MB       at most MB megabytes waiting (default 256); a chunk of\n" \
	"                       records that does not fit is dropped, and its records\n" \
	"                       counted as drops in the files' statistics\n"             \
	"  --ship-wait SECONDS  at the end, wait this long for the rest (default 10)\n" \
	"  Exit status 3 also when chunks were lost: dropped by a full spool, or left\n" \
	"  unsent at the end without --spool\n"

/*
 * One of the SHIP_OPT_* options into o: -1 to go on, or CAP_EXIT_USAGE after
 * one line on stderr.
 */
int ship_opts_take(struct ship_opts *o, int opt, const char *arg);

struct ship_stats {
	uint64_t shipped;        /* chunks acknowledged */
	uint64_t shipped_bytes;
	uint64_t duplicates;     /* acknowledged as already stored (a resend) */
	uint64_t dropped;        /* chunks refused by a full spool */
	uint64_t dropped_records;
	uint64_t queued;         /* chunks waiting now */
	uint64_t failures;       /* publish attempts that failed */
	uint64_t found;          /* chunks a previous run left in the spool */
};

/* Checks the options, opens the spool and starts the shipping thread (the
 * server need not be up). 0, or -1 after one line on stderr. */
int ship_open(struct ship **s, const struct ship_opts *o);

/* The writer's sink (aa_writer_opts.sink, user: the ship). */
void ship_sink(void *user, const struct aa_writer_chunk *c);

/* Adds the records of the chunks dropped so far, per type, to drops. */
void ship_add_drops(const struct ship *s, uint64_t drops[AA_DROP_SLOTS]);

void ship_get_stats(struct ship *s, struct ship_stats *st);

/*
 * Waits up to wait_ms for the queue to empty, stops the thread and frees s.
 * What is left stays in the spool directory for the next run (said on
 * stderr unless quiet), or with an in-memory queue is lost. Returns 0, or
 * -1 when chunks were lost (dropped, or left in memory). st (not NULL):
 * the final counts.
 */
int ship_close(struct ship *s, int quiet, struct ship_stats *st);

struct cap_opts;
/* aa-capture's two calls (ship_run.c): starts o->ship from o->ship_opts
 * (-1 after saying why); at the end closes it, says what was shipped
 * (unless -q) and returns the exit status: r, or CAP_EXIT_WRITE when r
 * was 0 and chunks were lost. Nothing to do without --ship. */
int ship_start(struct cap_opts *o);
int ship_finish(struct cap_opts *o, int r);

#endif /* AA_CAP_SHIP_H */

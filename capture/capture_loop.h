/* SPDX-License-Identifier: MIT */
/*
 * aa-capture's main loop: drains the source in batches into the output,
 * and between batches waits on the source's descriptor and the signalfd for
 * no longer than the writer's next flush, the next -G rotation, the next
 * status refresh or the end of --duration, so that a chunk is written every
 * --flush-ms even when records are rare.
 */
#ifndef AA_CAP_LOOP_H
#define AA_CAP_LOOP_H

#include "aa_replay.h"
#include "cap_opts.h"
#include "output.h"
#include "runcmd.h"
#include "signals.h"
#include "snapshot.h"
#include "status.h"

struct capture {
	const struct cap_opts *o;
	aa_source *src;
	int live;        /* the kernel's ring buffer (drop counters to read) */
	int src_fd;      /* polls readable when records may be waiting */
	/* reads the records' bytes (take.h); NULL: aa_next() (set by capture_run) */
	int (*take)(aa_source *src, const void **rec, uint32_t *len);
	int sig_fd;
	struct output out;
	struct snapshot snap; /* the processes running at the start: the first records */
	uint64_t snap_taken;  /* of those, written: the live records' place comes after */
	struct status status;
	struct cap_counts counts;
	struct cap_signals sig;
	uint64_t written;
	int64_t end_ms;  /* --duration deadline (monotonic ms), -1: none */
	int64_t drops_ms; /* when the kernel's drop counters were last read */
	/* -- COMMAND: the one recorded (NULL: none). The capture ends once it
	 * has exited and its exit record (exit_type: AA_TYPE_EXIT or
	 * AA_TYPE_TASK, -1 when none is recorded) has been read. */
	struct runcmd *cmd;
	int exit_type;
	int exit_seen;
	int64_t reaped_ms; /* when it was found ended; 0: not yet */
};

/* Monotonic milliseconds. */
int64_t cap_now_ms(void);

/*
 * Writes c->snap's records (and frees them), says that the capture is
 * ready (ready.h) and lets c->cmd exec, then runs until the input ends, -c
 * or --duration is reached, SIGINT or SIGTERM arrives (with c->cmd: they
 * are passed on to it, and the capture runs until it has exited), or
 * something fails; then closes the output. c->out must be started.
 * Returns the exit status (enum cap_exit).
 */
int capture_run(struct capture *c);

#endif /* AA_CAP_LOOP_H */

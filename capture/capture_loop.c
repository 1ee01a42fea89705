/* SPDX-License-Identifier: MIT */
/* aa-capture's main loop (capture_loop.h). */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "aa_live.h"
#include "aa_print.h"
#include "capture_loop.h"
#include "clock.h"
#include "postcmd.h"
#include "ready.h"
#include "take.h"

/* Records taken in one go before the clock, the signals and the writer's
 * timers are looked at again. */
#define BATCH 4096
/* How often the kernel's drop counters are read (a map lookup per CPU). */
#define DROPS_EVERY_MS 250
/* At the end of a live capture, how long the ring may still be drained. */
#define FINAL_DRAIN_MS 1000
/* Once the command has ended: how often the ring is looked at for its exit
 * record, and for how long. */
#define COMMAND_TAIL_POLL_MS 10
#define COMMAND_EXIT_WAIT_MS 1000

enum step { GO_ON = -1 };

int64_t cap_now_ms(void)
{
	return (int64_t)(aa_clock_ns(CLOCK_MONOTONIC) / 1000000u);
}

/* --print on standard output. A reader that went away (EPIPE) ends the
 * capture normally, like `| head`; any other error is an output error.
 * index_shift moves the record's place (--json's index) behind the
 * snapshot's records, as it is in the file. */
static int print_record(struct capture *c, const struct aa_record *rec, uint64_t index_shift)
{
	struct aa_record shifted;
	int r;

	if (index_shift) {
		shifted = *rec;
		shifted.index += index_shift;
		rec = &shifted;
	}
	r = c->o->json ? aa_print_json(stdout, rec) : aa_print_text(stdout, rec);

	if (r == 0)
		return GO_ON;
	if (errno == EPIPE)
		return CAP_EXIT_OK;
	warn("standard output");
	return CAP_EXIT_WRITE;
}

/* Whether ev is the last record of the command's own process. */
static int command_exit(const struct capture *c, const struct aa_event *ev)
{
	uint32_t pid = (uint32_t)c->cmd->pid;

	if ((int)ev->type != c->exit_type || ev->error)
		return 0;
	if (ev->type == AA_TYPE_EXIT)
		return ev->exit->pid == pid;
	return ev->task->kind == AA_TASK_EXIT && ev->task->pid == pid;
}

/* A record received: counted, and the command's exit looked for. */
static void received(struct capture *c, const struct aa_event *ev)
{
	c->counts.by_type[ev->type]++;
	if (c->cmd && !c->exit_seen)
		c->exit_seen = command_exit(c, ev);
}

/* After a record was stored: GO_ON, or CAP_EXIT_OK once -c is reached. */
static int stored(struct capture *c)
{
	if (c->o->count && ++c->written >= c->o->count)
		return CAP_EXIT_OK;
	return GO_ON;
}

static int take_record(struct capture *c, const struct aa_record *rec, int64_t now,
		       uint64_t index_shift)
{
	int r;

	received(c, &rec->ev);
	r = output_add(&c->out, &rec->ev, now);
	if (r)
		return r;
	if (c->o->print && (r = print_record(c, rec, index_shift)) != GO_ON)
		return r;
	return stored(c);
}

/* A record's bytes from c->take, straight to the output (parsed there). */
static int store_bytes(struct capture *c, const void *bytes, uint32_t len, int64_t now)
{
	struct aa_event ev;
	int r = output_take(&c->out, bytes, len, now, &ev);

	if (r) { /* counted as received all the same */
		union aa_record_copy copy;
		aa_parse_copy(bytes, len, &ev, &copy);
		received(c, &ev);
		return r;
	}
	received(c, &ev);
	return stored(c);
}

static int flush_print(struct capture *c)
{
	if (c->o->print && fflush(stdout) != 0)
		return errno == EPIPE ? CAP_EXIT_OK : (warn("standard output"), CAP_EXIT_WRITE);
	return GO_ON;
}

/* The snapshot's records, before any from the ring buffer (then freed):
 * GO_ON, or how the capture ends (-c reached, or an output error). */
static int take_snapshot(struct capture *c)
{
	struct aa_record rec = { .path = NULL };
	int64_t now = cap_now_ms();
	int step = GO_ON;

	for (size_t i = 0; i < c->snap.n && step == GO_ON; i++) {
		aa_parse(&c->snap.recs[i].u, c->snap.recs[i].len, &rec.ev);
		rec.time_ns = aa_wall_ns(rec.ev.mono_ns, c->out.mono_to_wall);
		rec.index = c->snap_taken++;
		step = take_record(c, &rec, now, 0);
	}
	snapshot_free(&c->snap);
	return step == GO_ON ? flush_print(c) : step;
}

/* At most one batch: GO_ON, or how the capture ends. *full says the batch was cut short. */
static int drain(struct capture *c, int *full)
{
	const struct aa_record *rec;
	int64_t now = cap_now_ms();
	int n, r = 1, step;
	char msg[320];

	for (n = 0; n < BATCH; n++) {
		if (c->take) {
			const void *bytes;
			uint32_t len;
			if ((r = c->take(c->src, &bytes, &len)) != 1)
				break;
			step = store_bytes(c, bytes, len, now);
		} else {
			if ((r = aa_next(c->src, &rec)) != 1)
				break;
			step = take_record(c, rec, now, c->snap_taken);
		}
		if (step != GO_ON)
			return step;
	}
	*full = n == BATCH;
	if ((step = flush_print(c)) != GO_ON)
		return step;
	if (r == 0)
		return CAP_EXIT_OK; /* the input ended */
	if (r < 0 && r != AA_E_AGAIN) {
		status_clear(&c->status);
		if (r == AA_E_INVAL && !c->live) {
			/* tcpdump's -r reads capture files: this one reads their export */
			warnx("%s: this is a capture file; use aa-replay (or aa-replay export --raw to convert)",
			      c->o->raw_path);
			return CAP_EXIT_USAGE;
		}
		aa_error_format(aa_source_error(c->src), msg, sizeof(msg));
		warnx("%s", msg);
		/* An input that cannot be read is not a damaged one. */
		return r == AA_E_IO ? CAP_EXIT_USAGE : CAP_EXIT_DATA;
	}
	return GO_ON;
}

static void read_drops(struct capture *c, int64_t now, int force)
{
	if (!c->live || (!force && now - c->drops_ms < DROPS_EVERY_MS))
		return;
	aa_live_drops(c->src, c->counts.drops); /* never less than before */
	output_set_drops(&c->out, c->counts.drops);
	c->drops_ms = now;
}

static void show_stats(struct capture *c)
{
	struct output_totals t;

	output_get_totals(&c->out, &t);
	status_clear(&c->status);
	stats_print(stderr, &c->counts, &t);
	if (c->o->post_cmd)
		postcmd_print(stderr);
}

static int on_signals(struct capture *c, int64_t now)
{
	signals_read(c->sig_fd, &c->sig);
	if (c->sig.child) {
		c->sig.child = 0;
		postcmd_reap();
		if (c->cmd)
			runcmd_reap(c->cmd);
	}
	if (c->cmd) { /* the command's to act on: the capture follows it */
		runcmd_forward(c->cmd, &c->sig);
		c->sig.stop = 0;
	}
	if (c->sig.stats) {
		c->sig.stats = 0;
		show_stats(c);
	}
	if (c->sig.stop)
		return CAP_EXIT_OK;
	if (c->sig.rotate) {
		c->sig.rotate = 0;
		int r = output_rotate(&c->out, now);
		if (r)
			return r;
	}
	return GO_ON;
}

static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Waits for records, a signal or the next timer; GO_ON or how the capture ends. */
static int wait_and_tick(struct capture *c, int batch_full)
{
	int64_t now = cap_now_ms();
	struct output_totals t;
	int timeout, r;

	read_drops(c, now, 0);
	r = output_tick(&c->out, now);
	if (r)
		return r;
	output_get_totals(&c->out, &t);
	status_refresh(&c->status, &c->counts, &t, now);
	if (c->end_ms >= 0 && now >= c->end_ms)
		return CAP_EXIT_OK;

	timeout = min_timeout(output_timeout_ms(&c->out, now), status_timeout_ms(&c->status, now));
	if (c->end_ms >= 0)
		timeout = min_timeout(timeout, c->end_ms - now < INT_MAX ? (int)(c->end_ms - now)
									 : INT_MAX);
	if (c->reaped_ms) /* its exit record is due (the ring wakes us within 10 ms) */
		timeout = min_timeout(timeout, COMMAND_TAIL_POLL_MS);
	if (batch_full)
		timeout = 0;
	struct pollfd pfd[2] = {
		{ .fd = c->src_fd, .events = POLLIN },
		{ .fd = c->sig_fd, .events = POLLIN },
	};
	if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
		warn("poll");
		return CAP_EXIT_USAGE; /* the input cannot be waited on: an I/O error */
	}
	if (pfd[1].revents)
		return on_signals(c, cap_now_ms());
	return GO_ON;
}

/* GO_ON while the command runs, or until its exit record has been read
 * (every record of its own is before that one in the ring); then the
 * capture ends, with what is still queued drained. */
static int command_ended(struct capture *c)
{
	int64_t now;

	if (!c->cmd || !c->cmd->reaped)
		return GO_ON;
	if (c->exit_seen || c->exit_type < 0)
		return CAP_EXIT_OK;
	now = cap_now_ms();
	if (!c->reaped_ms)
		c->reaped_ms = now;
	if (now - c->reaped_ms < COMMAND_EXIT_WAIT_MS)
		return GO_ON;
	status_clear(&c->status);
	warnx("the command's exit record did not come within %d ms (see the drops)",
	      COMMAND_EXIT_WAIT_MS);
	return CAP_EXIT_OK;
}

/* The -z commands still running are waited for (SIGCHLD wakes the poll),
 * unless a SIGINT or SIGTERM says not to. */
static void wait_post_commands(struct capture *c)
{
	struct pollfd pfd = { .fd = c->sig_fd, .events = POLLIN };

	/* A SIGINT still unread when the capture ended otherwise (the input
	 * ended before the loop looked) is the user's first: it must not count
	 * as the second that gives up waiting. After one that stopped the
	 * capture, it is the second. */
	int stopped_by_signal = c->sig.stop;

	c->sig.stop = 0;
	signals_read(c->sig_fd, &c->sig);
	if (!stopped_by_signal)
		c->sig.stop = 0;
	while (postcmd_reap()) {
		if (c->sig.stop) {
			warnx("not waiting for the -z commands still running");
			break;
		}
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		signals_read(c->sig_fd, &c->sig);
	}
}

/* Stopped by a signal or --duration: what the kernel had queued by then
 * still goes into the file (for at most FINAL_DRAIN_MS, in case a flood
 * goes on). Not after -c, which wants exactly COUNT records. */
static int drain_rest(struct capture *c)
{
	int64_t until = cap_now_ms() + FINAL_DRAIN_MS;
	int full = 1, step = GO_ON;

	if (c->o->count && c->written >= c->o->count)
		return CAP_EXIT_OK;
	while (step == GO_ON && full && cap_now_ms() < until)
		step = drain(c, &full);
	return step == GO_ON ? CAP_EXIT_OK : step;
}

/* Says "ready" (ready.h) and lets the command run; 1. */
static int announce_ready(struct capture *c, int step)
{
	ready_announce(c->o->quiet, c->o->ready_fd);
	if (step == GO_ON && c->cmd)
		runcmd_release(c->cmd);
	return 1;
}

/*
 * How records are read: through aa_next() (NULL) when --print shows what
 * its evidence stage adds (the process, the joins) or -r's --events and
 * --pid filter them there; else their bytes go straight to the output
 * (take.h): the same records in the same order, without a process table
 * and joins kept for nothing. Live, --events and --pid filter in the kernel.
 */
static int (*reading(const struct capture *c))(aa_source *, const void **, uint32_t *)
{
	if (c->o->print || (!c->live && (c->o->events || c->o->npids)))
		return NULL;
	return c->live ? aa_live_take : aa_raw_take;
}

int capture_run(struct capture *c)
{
	int step, full = 0, r;

	c->take = reading(c);

	step = take_snapshot(c);
	/* A raw stream is ready once its first read did not refuse it (a
	 * capture file given to -r); it does not wait for data to come. */
	int announced = 0;
	if (c->live && (step == GO_ON || step == CAP_EXIT_OK)) /* not when its records could not be written */
		announced = announce_ready(c, step);
	c->end_ms = c->o->duration_ms ? cap_now_ms() + (int64_t)c->o->duration_ms : -1;
	while (step == GO_ON) {
		step = drain(c, &full);
		if (!announced && (step == GO_ON || step == CAP_EXIT_OK))
			announced = announce_ready(c, step);
		if (step == GO_ON)
			step = command_ended(c);
		if (step == GO_ON)
			step = wait_and_tick(c, full);
	}
	if (step == CAP_EXIT_OK && c->live)
		step = drain_rest(c);

	read_drops(c, cap_now_ms(), 1); /* the final counts go into the last stats */
	status_clear(&c->status);
	if (step != CAP_EXIT_OK)
		output_drop_if_empty(&c->out);
	r = output_finish(&c->out);
	wait_post_commands(c);
	if (!c->o->quiet)
		show_stats(c);
	if (step != CAP_EXIT_OK)
		return step;
	struct postcmd_counts pc;
	postcmd_get_counts(&pc);
	/* The files are whole; what a failed -z did with one is not known. */
	return r == CAP_EXIT_OK && pc.failed ? CAP_EXIT_POSTCMD : r;
}

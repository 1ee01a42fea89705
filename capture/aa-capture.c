/* SPDX-License-Identifier: MIT */
/*
 * aa-capture: records the kernel's EVENTS ring buffer (or, with -r, a raw
 * record stream) into pcapng capture files, with tcpdump's conventions.
 * Order matters for privilege: the input is opened (the BPF programs
 * loaded) first, then the running processes are read from /proc (all of
 * them readable only as root), then -Z gives up root, then the first output
 * file is created as that user. A command to record (-- COMMAND) is forked
 * before all that, stopped at its exec, and let go once the capture is
 * ready (runcmd.h).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aa_live.h"
#include "aa_raw.h"
#include "live_load.h"
#include "cap_opts.h"
#include "capture_loop.h"
#include "privdrop.h"
#include "tls_find.h"
#include "runcmd.h"

static int open_raw(struct capture *c, const struct cap_opts *o, int64_t *mono_to_wall)
{
	struct aa_filter filter = { .types = o->events, .pids = o->pids, .npids = o->npids };
	struct aa_error_info err;

	if (aa_open_raw(&c->src, o->raw_path, &filter, &err) != 0) {
		char msg[320];

		aa_error_format(&err, msg, sizeof(msg)); /* "PATH: cannot open: REASON" */
		warnx("%s", msg);
		return CAP_EXIT_USAGE;
	}
	aa_raw_set_timeout(c->src, 0); /* the loop waits, on the fd and the signals */
	c->src_fd = aa_raw_fd(c->src);
	*mono_to_wall = aa_raw_mono_to_wall(c->src);
	return -1;
}

static int open_live(struct capture *c, const struct cap_opts *o, int64_t *mono_to_wall)
{
	struct aa_live_opts lo = {
		.ring_bytes = o->ring_bytes,
		.timeout_ms = 0,
		.events = o->events,
		.pids = o->pids,
		.npids = o->npids,
		.comm = o->comm,
		.ssl_libs = o->ssl_libs,
		.nssl_libs = o->nssl_libs,
		.all_files = o->all_files,
		.argv_max = o->argv_max,
		.tls_hold = o->tls_hold,
	};
	struct aa_error_info err;
	char msg[320];

	int r = aa_open_live(&c->src, &lo, &err);
	if (r != 0) {
		aa_error_format(&err, msg, sizeof(msg));
		warnx("%s", msg);
		/* A bad --ring-size, --comm or --ssl-lib is a usage error; the rest is
		 * privilege or what the kernel lacks. */
		return r == AA_E_INVAL ? CAP_EXIT_USAGE : CAP_EXIT_PRIV;
	}
	c->live = 1;
	c->src_fd = aa_live_fd(c->src);
	*mono_to_wall = aa_live_mono_to_wall(c->src);
	return -1;
}

/* Once every program is attached: what was already running. */
static void take_snapshot(struct capture *c, const struct cap_opts *o)
{
	struct snapshot_opts so = {
		.events = o->events,
		.pids = o->pids,
		.npids = o->npids,
		.comm = o->comm,
		.argv_max = o->argv_max ? o->argv_max : AA_LIVE_ARGV_DEFAULT,
	};

	if (o->no_snapshot)
		return;
	if (snapshot_take(&c->snap, &so) != 0)
		warnx("out of memory reading the running processes: the snapshot holds %u of them",
		      c->snap.processes);
}

/* The command, stopped before its exec, becomes the one process followed. */
static int start_command(struct capture *c, struct cap_opts *o, struct runcmd *cmd)
{
	int r = runcmd_start(cmd, o->command, &o->run_as);

	if (r >= 0)
		return r;
	o->pids = malloc(sizeof(*o->pids));
	if (!o->pids) {
		warnx("out of memory");
		runcmd_abort(cmd);
		return CAP_EXIT_USAGE;
	}
	o->pids[0] = (uint32_t)cmd->pid;
	o->npids = 1;
	c->cmd = cmd;
	/* The last record of its process, which the capture waits for: none
	 * when --comm may leave it out, or --events has neither. */
	c->exit_type = o->comm ? -1
		     : !o->events || (o->events & AA_TYPE_BIT(AA_TYPE_EXIT)) ? AA_TYPE_EXIT
		     : o->events & AA_TYPE_BIT(AA_TYPE_TASK) ? AA_TYPE_TASK : -1;
	return -1;
}

/* The exit status once the capture is over: aa-capture's own failure
 * first, else the command's, waited for if it still runs (after -c,
 * --duration or a failure). A command never let go is killed. */
static int finish_command(struct capture *c, int r)
{
	struct runcmd *cmd = c->cmd;

	if (!cmd->released) {
		runcmd_abort(cmd);
		return r;
	}
	if (!runcmd_reap(cmd)) {
		if (r != CAP_EXIT_OK || !c->o->quiet)
			warnx("the capture has ended; waiting for the command (pid %d), no longer recorded",
			      (int)cmd->pid);
		runcmd_wait(cmd, c->sig_fd);
	}
	return r == CAP_EXIT_OK ? runcmd_status(cmd) : r;
}

int main(int argc, char **argv)
{
	struct cap_opts o;
	struct capture c = { .o = &o };
	struct runcmd cmd;
	char source[4200];
	int64_t mono_to_wall = 0;
	int r;

	r = cap_opts_parse(&o, argc, argv);
	if (r >= 0)
		goto out_opts;
	if (o.list_tls) {
		r = aa_tls_list(stdout, o.ssl_libs, o.nssl_libs) ? CAP_EXIT_USAGE : CAP_EXIT_OK;
		goto out_opts;
	}
	c.sig_fd = signals_open(o.command != NULL);
	if (c.sig_fd < 0) {
		r = CAP_EXIT_USAGE;
		goto out_opts;
	}
	if (o.command && (r = start_command(&c, &o, &cmd)) >= 0)
		goto out_sig;
	if (o.raw_path) {
		snprintf(source, sizeof(source), "raw:%s", o.raw_path);
		r = open_raw(&c, &o, &mono_to_wall);
	} else {
		snprintf(source, sizeof(source), "ringbuf:EVENTS");
		r = open_live(&c, &o, &mono_to_wall);
		if (r < 0)
			take_snapshot(&c, &o);
	}
	if (r >= 0)
		goto out_cmd;
	if (o.user && !o.raw_path)
		aa_live_unfollow_tls(c.src); /* no attaching once root is given up */
	if (o.user && privdrop(o.user, o.uid, o.gid) != 0) {
		r = CAP_EXIT_PRIV;
		goto out_src;
	}
	/* No status line over a command's own output. */
	status_init(&c.status, !o.quiet && !o.command && isatty(STDERR_FILENO) &&
				       !(o.print && isatty(STDOUT_FILENO)),
		    cap_now_ms());
	if (o.ship_opts.url && ship_start(&o) != 0) { /* --ship (ship_run.c) */
		r = CAP_EXIT_WRITE;
		goto out_src;
	}
	r = output_start(&c.out, &o, source, mono_to_wall, cap_now_ms());
	if (r) {
		output_finish(&c.out);
		goto out_src;
	}
	r = capture_run(&c);
out_src:
	r = ship_finish(&o, r);
	snapshot_free(&c.snap);
	aa_close(c.src);
out_cmd:
	if (c.cmd)
		r = finish_command(&c, r);
out_sig:
	close(c.sig_fd);
out_opts:
	cap_opts_free(&o);
	return r;
}

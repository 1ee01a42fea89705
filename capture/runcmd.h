/* SPDX-License-Identifier: MIT */
/*
 * aa-capture -- COMMAND [ARGS]: the one command whose session is recorded,
 * started the way strace and perf record start theirs. It is forked first
 * and gets ready (its user's identity, its program found on PATH) before
 * any BPF program is attached, then stops itself (SIGSTOP) right before its
 * exec: its pid goes into the kernel's follow set (--pid) while it is
 * stopped, and once the capture is ready a SIGCONT lets it exec. Nothing it
 * did before is recorded; its exec (argv exact) is its first record, and
 * its descendants are followed as --pid follows them.
 */
#ifndef AA_CAP_RUNCMD_H
#define AA_CAP_RUNCMD_H

#include <sys/types.h>

#include "signals.h"

/* Whose identity the command takes (cap_opts.c decides). */
struct runcmd_user {
	int change;       /* 0: aa-capture's own, as it is */
	const char *name; /* for its groups (initgroups) and HOME, USER, LOGNAME */
	const char *home; /* NULL: HOME left as it is */
	uid_t uid;
	gid_t gid;
};

struct runcmd {
	pid_t pid;       /* 0: none started */
	int released;    /* sent on to its exec */
	int reaped;      /* it has ended: wait_status holds how */
	int wait_status;
	int warned;      /* a signal could not be passed on (said once) */
};

/*
 * Forks argv[0] with argv, and waits until it has stopped before its exec.
 * Returns -1 then, or an exit status after saying why (enum cap_exit:
 * CAP_EXIT_PRIV when it could not take the user's identity, CAP_EXIT_USAGE
 * when it could not be forked); no process is left behind then.
 */
int runcmd_start(struct runcmd *rc, char *const argv[], const struct runcmd_user *u);

/* Lets the stopped command exec. */
void runcmd_release(struct runcmd *rc);

/* Reaps the command without waiting; returns rc->reaped. */
int runcmd_reap(struct runcmd *rc);

/* Passes the signals of sig->forward on to the command, and clears them. */
void runcmd_forward(struct runcmd *rc, struct cap_signals *sig);

/* Waits until it has ended, passing on signals from sig_fd meanwhile. */
void runcmd_wait(struct runcmd *rc, int sig_fd);

/* A command never released (the capture could not start): killed and reaped. */
void runcmd_abort(struct runcmd *rc);

/* How it ended, as a shell tells it: its exit status, or 128 + the signal
 * that killed it (SIGKILL: 137). */
int runcmd_status(const struct runcmd *rc);

#endif /* AA_CAP_RUNCMD_H */

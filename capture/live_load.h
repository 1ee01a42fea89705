/* SPDX-License-Identifier: MIT */
/*
 * Loading and attaching the embedded BPF programs for a live source: checks
 * what the machine lacks first (privilege, BTF, ring buffer) so that the one
 * line of error says that, sets the .rodata filters, loads, fills the
 * followed pids, attaches the tracepoints and the TLS probes (live_tls.h).
 */
#ifndef AA_LIVE_LOAD_H
#define AA_LIVE_LOAD_H

#include <stddef.h>

#include "aa_live.h"
#include "live_tls.h"

#define AA_LIVE_RING_DEFAULT (16u << 20)
#define AA_LIVE_MAX_SSL_LIBS 16 /* --ssl-lib paths, at most */

struct aa_live_bpf;

/* What is attached, for a status line and for tests. */
struct aa_live_probes {
	int exec, exit, fork, file; /* tracepoint programs attached (0 or 1; file: both enter and exit) */
	int net;                    /* connect/accept: both enter and exit */
	int tls_conn;               /* the socket syscalls of TLS calls (their tls_conn records) */
	struct aa_live_tls_stats tls; /* the TLS probes, as of the call that returned this */
};

/*
 * Loads and attaches. Returns 0, or AA_E_PERM / AA_E_UNSUPPORTED / AA_E_BPF /
 * AA_E_INVAL / AA_E_NOMEM with why[] saying what in one line. With AA_VERBOSE
 * set in the environment, libbpf's own messages go to stderr.
 */
int aa_live_bpf_open(struct aa_live_bpf **out, const struct aa_live_opts *opts,
		     char *why, size_t whysize);

int aa_live_bpf_events_fd(const struct aa_live_bpf *b);
int aa_live_bpf_drops_fd(const struct aa_live_bpf *b);
size_t aa_live_bpf_ring_bytes(const struct aa_live_bpf *b);
const struct aa_live_probes *aa_live_bpf_probes(struct aa_live_bpf *b);

/* Stops probing files mapped from now on (see aa_live_tls_unfollow). */
void aa_live_bpf_unfollow(struct aa_live_bpf *b);

/* What a live source has attached (live_source.c). */
const struct aa_live_probes *aa_live_probes(aa_source *src);

/* Before giving up privilege (-Z): files mapped from now on are no longer
 * looked at for TLS stacks (it could no longer attach to them). A source
 * that is not live is left alone. */
void aa_live_unfollow_tls(aa_source *src);

/* Sums the per-CPU drop counters into drops; a slot whose read fails is
 * left as it was (0, or AA_E_IO / AA_E_NOMEM when one could not be read). */
int aa_live_bpf_drops(const struct aa_live_bpf *b, uint64_t drops[AA_DROP_SLOTS]);

/* Writes the message into why[0..whysize) and returns code: the one line of
 * a failed open. */
int aa_live_fail(char *why, size_t whysize, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Detaches and unloads everything. */
void aa_live_bpf_close(struct aa_live_bpf *b);

#endif /* AA_LIVE_LOAD_H */

/* SPDX-License-Identifier: MIT */
/*
 * The TLS probes of a live capture: the uprobes of every file found to
 * carry a TLS stack (tls_find.h) at start, and, while capturing, of each
 * file a program maps for execution that was not looked at yet: the BPF
 * side stops such a program (bpf/tls_hold.bpf.h), a thread here reads the
 * files it maps, attaches what they carry, and continues it.
 */
#ifndef AA_LIVE_TLS_H
#define AA_LIVE_TLS_H

#include <stddef.h>
#include <stdint.h>

struct aa_bpf;
struct aa_live_tls;

/* What is probed, for tests, the status and the bench. */
struct aa_live_tls_stats {
	int files;          /* files with at least one probe */
	int probes;         /* uprobes and uretprobes attached */
	int following;      /* files mapped from the start on are probed too */
	uint64_t holds;     /* programs stopped until their files were looked at */
	uint64_t hold_ns;   /* the time they were stopped for, in all */
	uint64_t hold_late; /* ... continued by the bound (hold_guard.h) before they were looked at */
};

/*
 * Attaches to extra[0..n) (--ssl-lib: each must carry a stack), the system's
 * TLS libraries, every file mapped by a running process and, with follow,
 * the files mapped from now on: with AA_TLS_FOLLOW_HOLD, a program that
 * maps one not looked at yet waits for its probes (bpf/tls_hold.bpf.h).
 * Returns 0, or AA_E_INVAL / AA_E_BPF / AA_E_NOMEM with why saying what in
 * one line.
 */
#define AA_TLS_FOLLOW 1      /* as tls_hold_on: files mapped later are probed, the program running on */
#define AA_TLS_FOLLOW_HOLD 2 /* ... the program stopped until they are */
int aa_live_tls_start(struct aa_live_tls **out, struct aa_bpf *skel, const char *const *extra, size_t n,
		      int follow, char *why, size_t whysize);

/* A copy of the counts so far. */
void aa_live_tls_stats(struct aa_live_tls *t, struct aa_live_tls_stats *s);

/* Prints the probed files to stderr, one "path (stack)" each (AA_VERBOSE). */
void aa_live_tls_report(struct aa_live_tls *t);

/* Stops following new files (every program stopped is continued first);
 * the probes attached stay. Needed before giving up privilege (-Z). */
void aa_live_tls_unfollow(struct aa_live_tls *t);

/* Unfollows, then detaches every probe. */
void aa_live_tls_stop(struct aa_live_tls *t);

#endif /* AA_LIVE_TLS_H */

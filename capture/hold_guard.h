/* SPDX-License-Identifier: MIT */
/*
 * The guardian of the programs stopped while capturing (bpf/tls_hold.bpf.h):
 * a small process forked at start, before any program is stopped and while
 * still root, that keeps only the TLS_HELD map's fd (not the BPF links nor
 * the programs: the hold must not outlive aa-capture). It continues every
 * program held longer than a bound (the TLS thread is slow or stuck), and
 * when aa-capture ends in any way (its pipe closes: a SIGKILL, a crash) it
 * turns the hold off, continues every program still held and exits. Its
 * own death is not a hole: its twin (a child told of it) and aa-capture
 * (aa_hold_guard_lost) each turn the stops off and continue the held.
 */
#ifndef AA_HOLD_GUARD_H
#define AA_HOLD_GUARD_H

#include <stdint.h>
#include <sys/types.h>

struct aa_hold_guard {
	pid_t pid;  /* the guardian; 0 none */
	int fd;     /* the write end of its pipe; closing it ends it */
};

/* How long a program may be held, in ns: AA_TLS_HOLD_MAX_MS, else 2 s. */
uint64_t aa_hold_max_ns(void);

/*
 * Forks the guardian over held_fd (the TLS_HELD map) and hold_on (the
 * tls_hold_on word of the skeleton's mmapped .bss, shared with the child).
 * Call it from the thread that lives as long as the capture (its death is
 * the guardian's PR_SET_PDEATHSIG), before any thread starts. 0, or -1 with
 * errno.
 */
int aa_hold_guard_start(struct aa_hold_guard *g, int held_fd, volatile uint32_t *hold_on, uint64_t max_ns);

/*
 * Whether the guardian has ended (killed: it ends by itself only once
 * aa-capture has). Then, once, the stops are turned off (*hold_on from 2 to
 * 1: new files are still followed, their programs run on), every program
 * held is continued, and 1 is returned; else 0. Its twin (a child of the
 * guardian, told of its death) does the same unless killed with it. Call it
 * from the thread that continues the held programs.
 */
int aa_hold_guard_lost(struct aa_hold_guard *g, int held_fd, volatile uint32_t *hold_on);

/* Ends the guardian (it continues whoever is held still) and reaps it. */
void aa_hold_guard_stop(struct aa_hold_guard *g);

#endif /* AA_HOLD_GUARD_H */

/* SPDX-License-Identifier: MIT */
/*
 * Processes a test starts (aa-capture, a busy loop beside it) end with the
 * test's process, whatever way it ends: a failed assertion (Criterion ends
 * the test's process), a crash, the runner's SIGKILL at a timeout. Without
 * this an aa-capture left running when an assertion failed ran on for an
 * hour and more.
 */
#ifndef AAT_CHILDREN_H
#define AAT_CHILDREN_H

#include <sys/types.h>

/*
 * fork(), the child bound to this process: it gets SIGKILL when this
 * process ends (PR_SET_PDEATHSIG, kept across exec; lost only if the child
 * changes its credentials), and at this process's exit(), were it still
 * running, it is killed and reaped. Returns as fork() does.
 */
pid_t aat_fork(void);

/* The two halves of aat_fork(), for a child made otherwise (forkpty):
 * in the child, bound to parent (the pid that forked it, taken before the
 * fork; exits 126 if it has ended already); in the parent, tracked. */
void aat_child_bind(pid_t parent);
void aat_child_track(pid_t pid);

#endif /* AAT_CHILDREN_H */

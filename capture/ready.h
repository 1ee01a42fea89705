/* SPDX-License-Identifier: MIT */
/*
 * Telling whoever started aa-capture that it is recording: every BPF
 * program is attached (or, with -r, the input is open) and the first output
 * file exists, so an event from then on is in the capture. Three ways, for
 * three kinds of caller: a line on stderr for people, READY=1 on
 * $NOTIFY_SOCKET for systemd (Type=notify), a byte on --ready-fd for scripts.
 */
#ifndef AA_CAP_READY_H
#define AA_CAP_READY_H

/* Checks at start that fd is open for writing, and keeps it from children: 0 or an errno. */
int ready_take_fd(int fd);

/*
 * Says ready in every way asked for: the stderr line unless quiet, READY=1
 * when NOTIFY_SOCKET is set, one byte on fd when fd >= 0 (then closed).
 * A way that fails is named in a warning; the capture goes on.
 */
void ready_announce(int quiet, int fd);

#endif /* AA_CAP_READY_H */

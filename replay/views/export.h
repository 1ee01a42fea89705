/* SPDX-License-Identifier: MIT */
/*
 * The formats of `aa-replay export` besides the raw stream, each for
 * another tool: Chrome trace-event JSON (Perfetto UI, chrome://tracing),
 * pcapng of one record per packet (Wireshark with replay/wireshark/aa.lua),
 * and TLS conversations as synthetic TCP streams (Wireshark's own HTTP and
 * HTTP/2 dissectors). Private to aa-replay (not installed).
 *
 * Each reads every record of in (opened by the caller, with in->ordered
 * as it wants) and writes to out; returns the worst status of cli.h (read
 * problems are reported by cli_next; a write error is left in ferror(out)
 * for the caller).
 */
#ifndef AA_EXPORT_H
#define AA_EXPORT_H

#include <stdio.h>

#include "cli.h"

int export_perfetto(struct cli_input *in, FILE *out);
int export_pcapng(struct cli_input *in, FILE *out);
int export_tcp(struct cli_input *in, FILE *out);

#endif /* AA_EXPORT_H */

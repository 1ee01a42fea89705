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

#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* A 64-bit mix (murmur3's finalizer): the exports' table slots. */
static inline uint64_t aa_export_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

int export_perfetto(struct cli_input *in, FILE *out);
int export_pcapng(struct cli_input *in, FILE *out);
int export_tcp(struct cli_input *in, FILE *out);

#endif /* AA_EXPORT_H */

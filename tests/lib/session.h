/* SPDX-License-Identifier: MIT */
/*
 * A session-like stream of records, as an agent's machine produces them:
 * mostly file I/O on realistic paths, some exec with real-looking argv,
 * exits, and TLS calls carrying HTTP and JSON text split into 4096-byte
 * pieces. Deterministic for a seed. Used by the benchmarks and to make the
 * generated fixture.
 */
#ifndef AAT_SESSION_H
#define AAT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "gen.h"
#include "rng.h"

#define AAT_SESSION_PIDS 16

struct aat_session {
	struct aat_rng rng;
	uint64_t ts;                     /* monotonic time of the last record */
	uint32_t pids[AAT_SESSION_PIDS]; /* running processes */
	uint32_t next_pid;
	/* the TLS call being split into pieces */
	uint32_t tls_pid, tls_tid, tls_len, tls_seq, tls_pieces;
	uint8_t tls_dir;
};

void aat_session_init(struct aat_session *s, uint64_t seed, uint64_t start_ns);
/* Writes the next record into buf (AAT_GEN_MAX bytes); returns its size. */
size_t aat_session_next(struct aat_session *s, uint8_t *buf);

#endif

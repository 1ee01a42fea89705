/* SPDX-License-Identifier: MIT */
/*
 * What the TLS tests gather of one process from a capture's records: the
 * plaintext of each direction as one stream, its largest calls, whether its
 * pieces came in order, and what its tls_conn records said.
 */
#ifndef AAT_TLSPEER_H
#define AAT_TLSPEER_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The valid bytes of a direction's pieces, one after another, NUL-ended. */
struct aat_stream {
	char *data;
	size_t len;
};

/* Appends the valid bytes of a piece to s; aborts when out of memory. */
void aat_stream_add(struct aat_stream *s, const struct aa_tls_event *t);
/* Whether s holds text anywhere. */
int aat_stream_has(const struct aat_stream *s, const char *text);

/* One process (pid, and lib its tls_conn records should say, set by the
 * caller; zero the rest before the first aat_tls_peer_add). */
struct aat_tls_peer {
	uint32_t pid;
	uint8_t lib;               /* enum aa_tls_lib expected */
	struct aat_stream out, in; /* its writes, its reads */
	uint32_t max_out, max_in;  /* its largest write and read call (data_len) */
	uint32_t pieces, split_calls; /* its pieces; its calls of more than one */
	int out_of_order;          /* pieces not in seq order (meaningful for one thread) */
	uint32_t next_seq;
	int conns, conns_lib;      /* its tls_conn records, those saying lib */
	int conns_to_port;         /* those naming port at either end */
	int conns_fd;              /* those with a socket (fd and conn) */
	uint8_t last_lib;          /* the lib its last tls_conn record said, 0 none */
};

/* Takes ev into p when it is a tls or tls_conn record of p's pid. */
void aat_tls_peer_add(struct aat_tls_peer *p, const struct aa_event *ev, int port);
void aat_tls_peer_free(struct aat_tls_peer *p);

#endif

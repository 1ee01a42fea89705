/* SPDX-License-Identifier: MIT */
/* Evidence records for tests (format version 2): string records cut into
 * their pieces, task and tls_conn records with the fields tests look at. */
#ifndef AAT_EVID_H
#define AAT_EVID_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "recs.h"

/* The string records carrying data[0..len) (pieces of 1024 bytes, one
 * empty piece for len 0), with orig_len and flags as given. */
void aat_add_string(struct aat_recs *out, uint64_t ts, uint32_t pid, uint32_t tid, uint8_t kind,
		    const void *data, uint32_t len, uint32_t orig_len, uint8_t flags);

/* A task record; comm and cgroup are C strings; start_ns is ts for a fork
 * or snapshot, else 0 (not known: the table keeps the start it has). */
void aat_add_task(struct aat_recs *out, uint8_t kind, uint64_t ts, uint32_t pid, uint32_t tid,
		  uint32_t ppid, const char *comm, const char *cgroup, int32_t exit_status);

/* One TLS call: its tls_conn record (when conn is not NULL: its conn, fd,
 * family, addresses, ports and lib; the rest filled in) and the tls
 * records of its pieces (4096 bytes each). */
void aat_add_tls_call(struct aat_recs *out, uint64_t ts, uint32_t pid, uint32_t tid,
		      const struct aa_tls_conn_event *conn, uint8_t dir, const void *data, uint32_t len);

#endif

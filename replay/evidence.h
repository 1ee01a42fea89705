/* SPDX-License-Identifier: MIT */
/*
 * The evidence stage of a source, between reading (and time order) and the
 * filter: joins each record with the completion records that came before
 * it (struct aa_joins), feeds the process table (proctab.h), and with
 * aa_replay_opts.fold holds the stream at a completion record until it is
 * known whether its record came (aa_record.folded); the order never changes.
 * Private to the library.
 */
#ifndef AA_EVIDENCE_H
#define AA_EVIDENCE_H

#include "aa_replay.h"

/* Groups of completion records waiting for their record, at most; past it
 * the oldest is an orphan. */
#define AA_PENDING_MAX 1024
/* Bytes kept of one string; past it the string is truncated. */
#define AA_JOIN_STRING_MAX (1u << 20)

struct aa_evidence;
struct aa_proctab;

/* NULL when out of memory; max_processes as aa_replay_opts'. */
struct aa_evidence *aa_evidence_new(int fold, uint32_t max_processes);
void aa_evidence_free(struct aa_evidence *e);

/*
 * Takes the next record of the stream (without fold, rec must stay valid
 * until it is popped; with fold it is copied): feeds the table and queues
 * it. 0 or AA_E_NOMEM.
 */
int aa_evidence_push(struct aa_evidence *e, struct aa_record *rec);
/* The stream has ended: every record still held is an orphan. */
void aa_evidence_end(struct aa_evidence *e);
/* The next record to deliver, or NULL when a push is needed first. Valid
 * until the next push, pop or free. */
const struct aa_record *aa_evidence_pop(struct aa_evidence *e);

struct aa_proctab *aa_evidence_procs(const struct aa_evidence *e);

/* 1 for a record that completes another (string, tls_conn, task exec/exit).
 * Inline: asked of every record. A type added later completes nothing
 * until evidence.c joins it (no switch over every type here: source.c,
 * which includes this, needs nothing new for a new type). */
static inline int aa_is_completion(const struct aa_event *ev)
{
	if (ev->error)
		return 0;
	if (ev->type == AA_TYPE_STRING || ev->type == AA_TYPE_TLS_CONN)
		return 1;
	return ev->type == AA_TYPE_TASK && (ev->task->kind == AA_TASK_EXEC || ev->task->kind == AA_TASK_EXIT);
}

#endif /* AA_EVIDENCE_H */

/* SPDX-License-Identifier: MIT */
/*
 * The connections of a conversation (library-internal, under conv.h):
 * found by key in constant time, those of a process found when it exits,
 * the least recently used one at hand for ending when
 * AA_FOLLOW_MAX_CONNS are held, the earliest time a decoder
 * still has a message under way kept per connection. Recordings of long
 * sessions hold thousands of connections, and looking at each of them for
 * every call or every release made follow slower as the file grew.
 */
#ifndef AA_CONV_TABLE_H
#define AA_CONV_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "aa_follow.h"

struct conv;
struct dec_conn;
struct conv_conn;

/* The two orders a table keeps its connections in. */
enum conv_list_id {
	CONV_SEEN, /* in the order first seen: the order they end in at the end */
	CONV_LRU,  /* least recently used first: the one ended to make room */
	CONV_LISTS
};
struct conv_link {
	struct conv_conn *prev, *next;
};
struct conv_list {
	struct conv_conn *first, *last;
};

struct conv_conn {
	struct aa_follow_conn pub;
	uint64_t key;          /* socket inode, or the pid with the top bit for an unknown one,
				  of origin pub.origin (inodes and pids are per host) */
	struct dec_conn *dec;
	struct conv *v;
	uint32_t pid;          /* of the call being decoded */
	uint64_t since;        /* dec_conn_open_since() after the last feed; UINT64_MAX: none */
	size_t busy_at;        /* 1 + its index in conv_table.busy while since is a time, else 0 */
	struct conv_link link[CONV_LISTS];
	struct conv_conn *pid_next;              /* of its pid's bucket */
};

struct conv_table {
	struct conv_conn **slot;                 /* open addressing, CONV_TABLE_SLOTS */
	struct conv_conn **by_pid;               /* CONV_TABLE_PIDS buckets by origin and pub.pid */
	size_t n;                                /* connections held */
	struct conv_list list[CONV_LISTS];
	struct conv_conn **busy;                 /* those with since < UINT64_MAX */
	size_t nbusy;
};

/* 0, or AA_E_NOMEM. */
int conv_table_init(struct conv_table *t);
/* The connection of key and origin, made the most recently used; NULL when none. */
struct conv_conn *conv_table_find(struct conv_table *t, uint64_t key, uint32_t origin);
/* Holds c (not held yet; fewer than AA_FOLLOW_MAX_CONNS are), the most recently used. */
void conv_table_add(struct conv_table *t, struct conv_conn *c);
/* The first connection held of origin and pid (its first call's) after
 * prev (NULL: the first); NULL past the last. */
struct conv_conn *conv_table_of_pid(const struct conv_table *t, uint32_t origin, uint32_t pid,
				    const struct conv_conn *prev);
/* Lets go of c (held); the caller frees it. */
void conv_table_remove(struct conv_table *t, struct conv_conn *c);
/* c's decoder has a message under way since t (UINT64_MAX: none). */
void conv_table_since(struct conv_table *t, struct conv_conn *c, uint64_t since);
/* The earliest since of every connection held; UINT64_MAX when none has one. */
uint64_t conv_table_oldest(const struct conv_table *t);
/* Frees the table (not the connections: walk list[CONV_SEEN] first). */
void conv_table_free(struct conv_table *t);

#endif /* AA_CONV_TABLE_H */

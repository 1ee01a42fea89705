/* SPDX-License-Identifier: MIT */
/*
 * The process tree's insides, shared by its files (private). A process is
 * a tnode while it may still change; once put away (tree_close.c), it is
 * a unit in the spool file and a struct kid in its parent's (or the
 * roots') list; the walk (tree_walk.c) reads the units back.
 */
#ifndef AA_TREE_IMPL_H
#define AA_TREE_IMPL_H

#include "aa_tree.h"
#include "spool.h"

#define TREE_BUCKETS 4096 /* a power of two */

/* A process put away: its place among its siblings and where it is. */
struct kid {
	uint64_t start_ns;
	uint64_t unit;        /* offset of its unit in the spool */
	uint32_t id, origin;
	uint32_t ppid;        /* a root's: a process seen later may take it */
};

/* A root put away whose ppid names a process not seen (yet): a process
 * seen later that started before it (a snapshot's, or one seen only
 * ending) may take it. */
struct orphan {
	struct kid k;
	struct orphan *next;   /* chain of the (origin, ppid) hash */
};

/* A growing list of them. */
struct kids {
	struct kid *v;
	size_t n, cap;
};

struct tnode {
	struct aa_tree_node n;            /* first: handed out as a pointer to it */
	const struct aa_process *key;     /* the process table's incarnation */
	const uint8_t *src_exe, *src_argv; /* its strings when last copied */
	uint32_t src_exe_len, src_argv_len;
	uint8_t *exe_buf, *argv_buf;
	struct tnode *hnext;              /* chain of the key hash */
	struct tnode *pnext;              /* chain of the (origin, pid) hash, newest first */
	struct tnode *up;                 /* its parent while both are running, else NULL */
	struct tnode *first, *sib_prev, *sib_next; /* its children running, and their list */
	struct tnode *all_prev, *all_next; /* every tnode */
	struct tnode *xnext;              /* the exited ones, in the order they exited */
	struct kids kids;                 /* its children put away */
	uint32_t running_children;
	int ready;                        /* exited long enough: put away once its children are */
};

/* A unit in the spool: this head, then exe and argv bytes, then the
 * nchildren ids (u32) and unit offsets (u64) in the walk's order. */
struct unit_head {
	struct aa_process proc;           /* exe, argv, host: no data (lengths kept) */
	struct aa_tree_counts counts;
	uint64_t tag;
	uint32_t id, ppid, nchildren;
	uint8_t has_exe, has_argv;
};

/* Buffers of a unit's exe [0] and argv [1], read back; where its children's ids start. */
struct unit_strings {
	uint8_t *buf[2];
	size_t cap[2];
	uint64_t kids_at;
};

/* A node of the walk: the unit read back, with its children's places. */
struct frame {
	struct aa_tree_node n;
	struct unit_strings s;
	uint32_t *ids;
	uint64_t *units;
	size_t kids_cap;
	size_t index;                     /* its place among its siblings */
};

struct aa_tree {
	struct tnode *bucket[TREE_BUCKETS];  /* by key */
	struct tnode *pids[TREE_BUCKETS];    /* by (origin, pid) */
	struct tnode *first, *last;          /* every tnode */
	struct tnode *xfirst, *xlast;        /* exited, not yet ready */
	struct kids roots;                   /* roots put away; in order once built */
	struct orphan *orphans[TREE_BUCKETS]; /* roots put away that may be taken, by (origin, ppid) */
	struct aa_tree_stats stats;
	struct aa_tree_opts opts;
	uint64_t now;                        /* the latest record time read */
	int nomem;
	uint32_t max_nodes, running;
	size_t bytes;                        /* strings kept */
	FILE *spool;
	char *spool_buf;
	uint64_t spool_len;
	int spool_err;                       /* errno of the spool once it failed */
	struct view_cache cache;             /* of the spool, read back */
	struct unit_strings cmp[2];          /* two units' strings, for a tie in sorting */
	uint8_t *scratch;                    /* a unit's children, while written */
	size_t scratch_cap;
	char **labels;                       /* by origin: its host as lines show it (hosts > 1) */
	uint32_t nlabels;
	size_t label_width;                  /* the longest label */
	struct frame **stack;                /* the walk's path, root first */
	size_t depth_cap;
	int walk_err;
};

size_t tree_ptr_hash(const void *p);
size_t tree_pid_hash(uint32_t origin, uint32_t pid);
/* Reads the unit at off back: its head (with exe and argv pointing into s),
 * and its strings into s: 0, or -1 with errno set. */
int tree_unit_read(struct aa_tree *t, uint64_t off, struct unit_head *h, struct unit_strings *s);
/* Puts x away (tree_close.c): its unit to the spool, its place to its
 * parent's or the roots' list; then its parent, if that was waiting for it. */
void tree_close(struct aa_tree *t, struct tnode *x);
/* Puts every tnode away, children first, and the orphans left among the
 * roots (the end of the input). */
void tree_close_all(struct aa_tree *t);
/* Appends k to l: 0, or -1 when out of memory. */
int tree_kids_push(struct kids *l, const struct kid *k);
/* Sorts a list of kids into the walk's order: origin, start, argv, program, id. */
void tree_sort_kids(struct aa_tree *t, struct kids *k);
/* The node after n in the walk within top's subtree; over: past n's own
 * subtree. */
const struct aa_tree_node *tree_walk_next(struct aa_tree *t, const struct aa_tree_node *top,
					  const struct aa_tree_node *n, int over);
/* Frees the walk's frames. */
void tree_walk_free(struct aa_tree *t);

#endif

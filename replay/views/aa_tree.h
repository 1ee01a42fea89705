/* SPDX-License-Identifier: MIT */
/*
 * The process tree of a recording: every process incarnation it saw, with
 * what the process table knows of it (argv, program, start, end, exit),
 * its parent and children, and how many file, TLS and network records it
 * made. Built in one pass over a source; aa-replay tree prints it and
 * aa_diff (aa_diff.h) compares two of them.
 *
 * Files of several hosts (or a merged file, FORMAT.md section 7): a pid is
 * a process of its origin only (aa_record.origin); each host's processes
 * form trees of their own, its roots together, in the order of the origins.
 *
 * Memory: one node per process (the tree is the answer, so it holds every
 * process, not only the live ones), with copies of its program and argv;
 * at most aa_tree_opts.max_nodes nodes and AA_TREE_MAX_BYTES of strings.
 * Past that, a process is counted in aa_tree_stats.lost (its records in
 * .unowned) and a program or argv in .strings_lost: never guessed.
 */
#ifndef AA_TREE_H
#define AA_TREE_H

#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aa_tree aa_tree;

#define AA_TREE_MAX_NODES 262144u
#define AA_TREE_MAX_BYTES (128u << 20)

/* Records of one process, by kind. */
struct aa_tree_counts {
	uint64_t file;      /* file and fileop records */
	uint64_t tls;       /* TLS pieces */
	uint64_t tls_calls; /* TLS calls (their first piece, seq 0) */
	uint64_t net;       /* connect/accept records */
};

struct aa_tree_node {
	/* The process as of the last record of it: exe, argv and host point
	 * into the tree (data NULL when unknown or not kept; host is the
	 * origin's host name, with "/" and its session's first 8 hex digits
	 * when another origin has the same host name; NULL for a live source). */
	struct aa_process proc;
	uint32_t id;        /* 1, 2 ... in the order the processes became known */
	uint32_t ppid;      /* its parent's pid when first seen (proc.ppid may be a
			       later re-parenting); 0 unknown */
	const struct aa_tree_node *parent; /* NULL: a root (its parent is not in the recording) */
	const struct aa_tree_node *child;  /* first child */
	const struct aa_tree_node *next;   /* next sibling; siblings by start time, then argv */
	struct aa_tree_counts counts;
	unsigned depth;     /* 0 for a root */
	void *user;         /* the caller's, free for aa_tree_opts.on_record to use */
};

struct aa_tree_opts {
	uint32_t max_nodes; /* 0: AA_TREE_MAX_NODES */
	/*
	 * Called for each record read, after the tree has taken it in, with
	 * the node of its process (NULL when no process is known for it).
	 * Links (parent, child, next, depth) are not set yet. A non-zero
	 * return stops the build with AA_E_STOPPED.
	 */
	int (*on_record)(void *user, struct aa_tree_node *node, const struct aa_record *rec);
	void *user;
};

struct aa_tree_stats {
	uint32_t nodes;        /* processes in the tree */
	uint32_t roots;
	uint64_t records;      /* records read */
	uint64_t unowned;      /* file, fileop, TLS and net records of no process the tree holds */
	uint64_t lost;         /* processes not kept (past max_nodes), counted at their
				  fork, snapshot or first exec */
	uint64_t strings_lost; /* programs and argv not kept (past AA_TREE_MAX_BYTES) */
	uint32_t hosts;        /* origins of the records (aa_source_origins): with more
				  than one, pids are per origin and each node's proc.host
				  names its own, as the printers show it */
};

/*
 * Reads src to its end (aa_next) and builds the tree of its processes into
 * *tree. Returns 0, or the negative AA_E_* that ended reading (details in
 * aa_source_error(src)) with *tree holding what was read before it; only
 * for AA_E_NOMEM and AA_E_INVAL is *tree NULL.
 */
AA_MUST_CHECK int aa_tree_build(aa_tree **tree, aa_source *src, const struct aa_tree_opts *opts);

/* The first root (then its ->next); NULL for an empty tree. Nodes and their
 * strings live until aa_tree_free. */
const struct aa_tree_node *aa_tree_roots(const aa_tree *tree);
/* Every node in the order of their ids: NULL prev for the first, NULL after the last. */
const struct aa_tree_node *aa_tree_next(const aa_tree *tree, const struct aa_tree_node *prev);
/* Pre-order, the walk the printers make: the node after n (NULL: the
 * first) within the subtree of top (NULL: the whole tree), NULL after its last. */
const struct aa_tree_node *aa_tree_walk(const aa_tree *tree, const struct aa_tree_node *top,
					const struct aa_tree_node *n);
void aa_tree_get_stats(const aa_tree *tree, struct aa_tree_stats *stats);

/*
 * Prints the subtree of top (NULL: every root) as an indented tree, one
 * line per process like `pstree -A -a`: pid, comm, argv (escaped), start,
 * duration, exit ("exit=3", "killed by SIGKILL", "running" when no end was
 * recorded), record counts, "snapshot" for a process running when the
 * capture started. With more than one host (aa_tree_stats.hosts), each line
 * starts with its process's host in a column. Returns 0, or AA_E_IO (errno
 * set) on a write error.
 */
int aa_tree_print_text(FILE *out, const struct aa_tree_node *top, const aa_tree *tree);
/*
 * The same as JSON Lines, one object per process in the same order: the
 * fields of `aa-replay ps --json`, and "id", "parent" (id or null),
 * "children" (ids), "depth" and "counts"; with more than one host, "host"
 * first.
 */
int aa_tree_print_json(FILE *out, const struct aa_tree_node *top, const aa_tree *tree);

/* Frees the tree and its nodes (not what node->user points to); NULL is allowed. */
void aa_tree_free(aa_tree *tree);

#ifdef __cplusplus
}
#endif

#endif /* AA_TREE_H */

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
 * Memory: bounded by the processes still running, not by the recording.
 * A process is finished AA_TREE_CLOSE_NS after its exit once every child of
 * it is: then it goes to a temporary file (in $TMPDIR, else /tmp), and only
 * its place among its siblings stays in memory (32 bytes) until its parent
 * finishes too. Running at once: at most aa_tree_opts.max_nodes processes
 * and AA_TREE_MAX_BYTES of their strings. Past that, a process is counted
 * in aa_tree_stats.lost (its records in .unowned) and a program or argv in
 * .strings_lost: never guessed. A record of a process the tree had already
 * put away (more than AA_TREE_CLOSE_NS after its exit) is counted in
 * .late, not in the process.
 *
 * A process's parent is the process of its ppid that was running when it
 * started (else one seen later that started before it: a snapshot's, or
 * one seen only ending); without one, it is a root.
 */
#ifndef AA_TREE_H
#define AA_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aa_tree aa_tree;

#define AA_TREE_MAX_NODES 262144u        /* running at once */
#define AA_TREE_MAX_BYTES (128u << 20)     /* of their programs and argv */
#define AA_TREE_CLOSE_NS 2000000000ull     /* a process is put away this long after its exit */

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
	 * when another origin has the same host name; NULL for a live source,
	 * and while the tree is being built). */
	struct aa_process proc;
	uint32_t id;        /* 1, 2 ... in the order the processes became known */
	uint32_t ppid;      /* its parent's pid when first seen (proc.ppid may be a
			       later re-parenting); 0 unknown */
	/* Set by aa_tree_walk only: */
	const struct aa_tree_node *parent; /* NULL: a root (its parent is not in the recording) */
	const uint32_t *children;          /* their ids, in order: by start time, then argv */
	uint32_t nchildren;
	int last;           /* no later sibling follows it */
	unsigned depth;     /* 0 for a root */
	struct aa_tree_counts counts;
	/* The caller's: user while the tree is built (aa_tree_opts.on_record,
	 * .on_close), tag kept with the node and given back by aa_tree_walk. */
	void *user;
	uint64_t tag;
};

struct aa_tree_opts {
	uint32_t max_nodes; /* running at once; 0: AA_TREE_MAX_NODES */
	/*
	 * Called for each record read, after the tree has taken it in, with
	 * the node of its process (NULL when no process is known for it).
	 * Links (parent, children, depth) are not set. A non-zero return
	 * stops the build with AA_E_STOPPED.
	 */
	int (*on_record)(void *user, struct aa_tree_node *node, const struct aa_record *rec);
	/*
	 * Called after the last record (or the read error that ended them),
	 * before the processes still running are put away: what the caller
	 * still holds of them can go to them now. A non-zero return is
	 * AA_E_STOPPED.
	 */
	int (*on_end)(void *user, aa_tree *tree);
	/*
	 * Called once for every node, when it is put away (its process
	 * finished, or at the end): what node->user holds must go now, into
	 * node->tag if the caller wants it back in the walk.
	 */
	void (*on_close)(void *user, struct aa_tree_node *node);
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
	uint64_t late;         /* records of a process already put away: not counted in it */
	uint32_t max_running;  /* the most processes the tree held at once */
	uint32_t hosts;        /* origins of the records (aa_source_origins): with more
				  than one, pids are per origin and each node's proc.host
				  names its own, as the printers show it */
};

/*
 * Reads src to its end (aa_next) and builds the tree of its processes into
 * *tree (set as soon as it is made, so that on_end may use it). Returns 0,
 * or the negative AA_E_* that ended reading (details in aa_source_error(src))
 * with *tree holding what was read before it; only for AA_E_NOMEM,
 * AA_E_INVAL and AA_E_IO (the temporary file: errno set) is *tree NULL.
 */
AA_MUST_CHECK int aa_tree_build(aa_tree **tree, aa_source *src, const struct aa_tree_opts *opts);

/* The latest process of pid of origin not put away yet, while the tree is
 * built (on_record, on_end); else NULL. */
struct aa_tree_node *aa_tree_running(aa_tree *tree, uint32_t origin, uint32_t pid);

/*
 * The walk in pre-order, the one the printers make, reading the processes
 * back: the node after n within the subtree of top (NULL: the whole tree),
 * NULL after its last. n is NULL to start (then the first is top itself,
 * or the first root), else the node this function returned last; top is
 * NULL or a node of the walk at or above n. A node returned and its
 * ancestors (->parent) stay valid until the walk moves past them; every
 * field is set. NULL as well on a read error of the temporary file
 * (aa_tree_walk_error).
 */
const struct aa_tree_node *aa_tree_walk(aa_tree *tree, const struct aa_tree_node *top,
					const struct aa_tree_node *n);
/* 0, or the errno of the temporary file's read that ended the last walk. */
int aa_tree_walk_error(const aa_tree *tree);
void aa_tree_get_stats(const aa_tree *tree, struct aa_tree_stats *stats);

/*
 * Prints the subtrees of the processes of pids[0..npids) (npids 0: the
 * whole tree; a process under another one printed is printed in it) as an
 * indented tree, one
 * line per process like `pstree -A -a`: pid, comm, argv (escaped), start,
 * duration, exit ("exit=3", "killed by SIGKILL", "running" when no end was
 * recorded), record counts, "snapshot" for a process running when the
 * capture started. With more than one host (aa_tree_stats.hosts), each line
 * starts with its process's host in a column. Returns the number of
 * subtrees printed (the roots, without pids), or AA_E_IO (errno set) on a
 * write error or a read error of the temporary file.
 */
int aa_tree_print_text(FILE *out, aa_tree *tree, const uint32_t *pids, size_t npids);
/*
 * The same as JSON Lines, one object per process in the same order: the
 * fields of `aa-replay ps --json`, and "id", "parent" (id or null),
 * "children" (ids), "depth" and "counts"; with more than one host, "host"
 * first.
 */
int aa_tree_print_json(FILE *out, aa_tree *tree, const uint32_t *pids, size_t npids);

/* Frees the tree and its temporary file; NULL is allowed. */
void aa_tree_free(aa_tree *tree);

#ifdef __cplusplus
}
#endif

#endif /* AA_TREE_H */

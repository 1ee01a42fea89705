/* SPDX-License-Identifier: MIT */
/* The process tree's insides, shared by its files (private). */
#ifndef AA_TREE_IMPL_H
#define AA_TREE_IMPL_H

#include "aa_tree.h"

struct tnode {
	struct aa_tree_node n;            /* first: handed out as a pointer to it */
	const struct aa_process *key;     /* the process table's incarnation */
	const uint8_t *src_exe, *src_argv; /* its strings when last copied */
	uint32_t src_exe_len, src_argv_len;
	int mark;                         /* aa_tree_link's walk: 1 on the path, 2 done */
	uint8_t *exe_buf, *argv_buf;
	struct tnode *hnext;              /* chain of the key hash */
	struct tnode *all_next;           /* every node, by id */
};

struct aa_tree {
	struct tnode *bucket[4096];
	struct tnode *first, *last;
	const struct aa_tree_node *root;  /* first root */
	struct tnode **roots;             /* scratch of aa_tree_link, freed with the tree */
	struct aa_tree_stats stats;
	uint32_t max_nodes;
	size_t bytes;                     /* strings kept */
	char **labels;                    /* by origin: its host as lines show it (hosts > 1) */
	uint32_t nlabels;
	size_t label_width;               /* the longest label */
};

/* Sets every node's parent, children, siblings and depth: 0, or -1 when out of memory. */
int aa_tree_link(struct aa_tree *t);

#endif

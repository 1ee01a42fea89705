/* SPDX-License-Identifier: MIT */
/*
 * Temporary files of the views (private): what a view would otherwise
 * hold in memory for the whole recording (the tree's finished processes,
 * the diff's text) goes to disk, unlinked at once, in $TMPDIR (else /tmp).
 */
#ifndef AA_VIEW_SPOOL_H
#define AA_VIEW_SPOOL_H

#include <stdint.h>
#include <stdio.h>

#define VIEW_SPOOL_BUF (256u << 10) /* stdio buffer of a spool file */

/* A temporary file named after prefix ("aa-diff"), already unlinked, with
 * a buffer of VIEW_SPOOL_BUF in *buf (NULL: stdio's own) that
 * view_spool_close frees; NULL with errno set. One thread at a time uses
 * it (no stdio lock). */
FILE *view_spool(const char *prefix, char **buf);
/* Reads all of n bytes at off of f (what its buffer still holds flushed
 * first): 0, or -1 with errno set (EIO for a file shorter than that). */
int view_spool_read(FILE *f, void *buf, size_t n, uint64_t off);
/* A block of a spool file read ahead: what is read back near what was
 * read last (a subtree's units, a process's lines) costs no system call. */
#define VIEW_CACHE_BLOCK (64u << 10)
struct view_cache {
	uint8_t *buf;   /* VIEW_CACHE_BLOCK bytes, NULL until first used */
	uint64_t off;   /* of buf[0] in the file */
	size_t len;     /* bytes valid */
};
/* view_spool_read through c (the file only grows: what c holds stays
 * right): 0, or -1 with errno set. */
int view_cache_read(struct view_cache *c, FILE *f, void *buf, size_t n, uint64_t off);
void view_cache_free(struct view_cache *c);
/* Closes f (NULL: nothing) and then frees its buffer. */
void view_spool_close(FILE *f, char *buf);

#endif

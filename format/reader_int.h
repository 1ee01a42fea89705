/* SPDX-License-Identifier: MIT */
/*
 * The reader's state, shared by its files: reader.c (blocks, checks,
 * resync) and reader_follow.c (a file still being written). Private to
 * the library.
 */
#ifndef AA_READER_INT_H
#define AA_READER_INT_H

#include <stdint.h>
#include <sys/stat.h>
#include <zstd.h>

#include "reader.h"

/* Blocks other than chunks (another tool's comments, name resolution) may be larger. */
#define OTHER_BLOCK_MAX (16u << 20)

/*
 * All input goes through a window of the file: the block being read and what
 * was read ahead. Searching after damage scans forward in it, so a pipe is
 * searched as a file is, within a bounded buffer.
 */
#define WINDOW (2 * AA_BLOCK_MAX)

struct aa_reader {
	int fd;
	aa_reader_read_fn read_fn; /* instead of fd: aa_reader_open_fn */
	void *read_user;
	int own_fd;
	int seekable;
	int64_t offset;  /* of the next block */
	uint8_t *win;    /* at win + win_start: bytes [win_off, win_off + win_len) of the input */
	size_t win_start, win_len;
	int64_t win_off;
	uint8_t *raw;    /* one decoded chunk */
	ZSTD_DCtx *dctx;
	uint8_t *xbuf;   /* the transform's scratch beside dctx: made at the first such chunk */
	int have_shb, have_idb;
	uint32_t nidb;       /* interfaces of this section: one per source of its records */
	int section_chunk;   /* a chunk of this section was read: no interface may follow */
	int had_chunk;       /* a good chunk was read from this input */
	char shb_appl[96];   /* the first section's shb_userappl, printable; "" if none */
	int lost;      /* the block structure was lost: only resync goes on */
	int resyncing; /* since the last resync no chunk was good yet */
	int resynced;  /* since the last resync no chunk was taken yet */
	int ended;     /* this section's END chunk was handed out: only a new section may follow */
	uint32_t expect_index;
	uint64_t isb_recv, isb_drop;
	uint32_t blocks_crc; /* of this section's blocks that are not EPBs */
	struct aa_read_error err;
	/* following a file being written (aa_reader_follow) */
	int follow;
	char *follow_path;
	int ifd;           /* inotify on follow_path, -1 if none: poll's timeout looks again */
	struct stat follow_st;
	int (*stop)(void *user);
	void *stop_user;
	int stopped;       /* stop said so: the input ends where it stands */
	int follow_code;   /* AA_E_* the file was truncated or replaced, 0 */
	char follow_msg[128];
};

/* Fills r->err (and r->lost after a structural error); returns code. */
int reader_fail(struct aa_reader *r, int code, int64_t offset, int64_t chunk, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* At the end of what a followed file holds: waits for more (reader_follow.c).
 * 0 to read again (or stopped), -1 with follow_code set. */
int reader_follow_wait(struct aa_reader *r, uint64_t done);

#endif /* AA_READER_INT_H */

/* SPDX-License-Identifier: MIT */
/*
 * The file source (offline.c) over inputs that are not files: each input
 * is a reader the caller opens (aa_reader_open_fn), read and checked as a
 * capture file (or concatenated files) is. The stream source uses it.
 * Private to the library.
 */
#ifndef AA_OFFLINE_INPUT_H
#define AA_OFFLINE_INPUT_H

#include "aa_replay.h"
#include "reader.h"

struct aa_offline_input {
	/* Opens input i (names[i] in messages). 0 or AA_E_*, e filled. */
	int (*open)(void *user, size_t i, struct aa_reader **r, struct aa_read_error *e);
	/* Frees user, with the source (also when the open fails). */
	void (*destroy)(void *user);
};

/* aa_open_offline over n inputs named names (copied); in and user stay the
 * caller's until destroy. */
int aa_open_offline_input(aa_source **src, const char *const *names, size_t n,
			  const struct aa_offline_input *in, void *user,
			  const struct aa_replay_opts *opts, struct aa_error_info *err);

#endif /* AA_OFFLINE_INPUT_H */

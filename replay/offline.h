/* SPDX-License-Identifier: MIT */
/*
 * The file source's parts (private to the library): one rotated set read
 * in order (offline.c), and several sets merged by time (merge_src.c).
 */
#ifndef AA_OFFLINE_H
#define AA_OFFLINE_H

#include "aa_replay.h"

struct aa_origins;

/* paths read one after the other (aa_open_offline for one set); origins
 * recorded in shared, or in a table of its own when NULL. */
int aa_open_files(aa_source **src, const char *const *paths, size_t npaths,
		  const struct aa_replay_opts *opts, struct aa_origins *shared,
		  struct aa_error_info *err);

/* paths of several (host, session) groups: group[i] is paths[i]'s, 0 ..
 * ngroups-1, each group read in the order given, merged by wall time. */
int aa_open_merged(aa_source **src, const char *const *paths, size_t npaths,
		   const uint32_t *group, uint32_t ngroups, const struct aa_replay_opts *opts,
		   struct aa_error_info *err);

#endif /* AA_OFFLINE_H */

/* SPDX-License-Identifier: MIT */
/* -Z USER: give up root for good once the input is open. */
#ifndef AA_CAP_PRIVDROP_H
#define AA_CAP_PRIVDROP_H

#include <sys/types.h>

/*
 * Sets the supplementary groups to gid alone, then the real, effective and
 * saved group and user ids to gid and uid, and checks that none of them can
 * be turned back into root. Returns 0, or -1 after printing why.
 */
int privdrop(const char *user, uid_t uid, gid_t gid);

#endif /* AA_CAP_PRIVDROP_H */

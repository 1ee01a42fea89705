/* SPDX-License-Identifier: MIT */
/*
 * Giving up root for good: -Z USER once the input is open, and -u USER for
 * the command aa-capture runs, before its exec.
 */
#ifndef AA_CAP_PRIVDROP_H
#define AA_CAP_PRIVDROP_H

#include <sys/types.h>

/*
 * Sets the supplementary groups to gid alone, then the real, effective and
 * saved group and user ids to gid and uid, and checks that none of them can
 * be turned back into root. Returns 0, or -1 after printing why.
 */
int privdrop(const char *user, uid_t uid, gid_t gid);

/*
 * The same with the supplementary groups of user (initgroups(3), as su and
 * sudo -u give them), the messages starting with what ("the command's user").
 */
int privdrop_groups(const char *what, const char *user, uid_t uid, gid_t gid);

#endif /* AA_CAP_PRIVDROP_H */

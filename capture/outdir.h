/* SPDX-License-Identifier: MIT */
/*
 * The directory aa-capture writes into. One where any user may create files
 * lets anyone plant a file or a link at the next rotated name (which stops
 * the capture) or, without the sticky bit, remove and replace the capture
 * files themselves: without the sticky bit it is refused, with it (/tmp)
 * there is a warning. And one -w pattern has one writer at a time: a second
 * aa-capture with the same pattern would replace the first one's files, so
 * it finds the pattern's lock taken and is refused.
 */
#ifndef AA_CAP_OUTDIR_H
#define AA_CAP_OUTDIR_H

#include <limits.h>

/*
 * Checks the directory that path is in. Returns 0 (after one warning line
 * when it is a shared sticky directory and *warned is 0; *warned is then
 * set), or -1 after one line saying why it is refused.
 */
int outdir_check(const char *path, int *warned);

/* The lock of a -w pattern: a file ".PATTERN.lock" beside its files. */
struct outdir_lock {
	int fd; /* -1: not held */
	char path[PATH_MAX];
};

/*
 * Takes the lock of pattern, whose first file is first_path. Returns 0, or
 * -1 after one line (another aa-capture holds it, or the lock file cannot
 * be made).
 */
int outdir_lock(struct outdir_lock *l, const char *pattern, const char *first_path);

/* Removes the lock file and lets the lock go. Nothing when not held. */
void outdir_unlock(struct outdir_lock *l);

#endif /* AA_CAP_OUTDIR_H */

/* SPDX-License-Identifier: MIT */
/*
 * Finding a program as execvp(3) does, without trying to exec each place on
 * PATH: -z checks its command at start with it, and a command given to
 * aa-capture is found with it before the capture starts, so that the one
 * exec recorded is the one that runs it.
 */
#ifndef AA_CAP_PATHFIND_H
#define AA_CAP_PATHFIND_H

#include <stddef.h>

/*
 * Finds command as execvp will: a name holding a '/' is taken as it is,
 * any other is searched for on PATH (glibc's /bin:/usr/bin when PATH is not
 * set; an empty entry is the current directory). Executable means so for
 * the effective ids. Returns 0 with the program's path in out; EACCES
 * when something of that name exists but none is an executable regular
 * file (out: the first such); ENOENT when nothing is there (out: command);
 * ENAMETOOLONG when out cannot hold the path (size PATH_MAX always can).
 */
int path_find(const char *command, char *out, size_t size);

#endif /* AA_CAP_PATHFIND_H */

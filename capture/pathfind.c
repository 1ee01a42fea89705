/* SPDX-License-Identifier: MIT */
/* A program found as execvp finds it (pathfind.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathfind.h"

/* execvp's search path when PATH is not set (glibc's). */
#define DEFAULT_PATH "/bin:/usr/bin"

/* 0: an executable regular file; EACCES: something else is there; ENOENT: nothing. */
static int try_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT || errno == ENOTDIR ? ENOENT : EACCES;
	if (S_ISREG(st.st_mode) && faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 0;
	return EACCES;
}

static int copy_out(char *out, size_t size, const char *path)
{
	if (strlen(path) >= size)
		return ENAMETOOLONG;
	memcpy(out, path, strlen(path) + 1);
	return 0;
}

int path_find(const char *command, char *out, size_t size)
{
	const char *dirs = getenv("PATH");
	char path[4096];
	int denied = 0;

	if (copy_out(out, size, command))
		return ENAMETOOLONG;
	if (!*command)
		return ENOENT;
	if (strchr(command, '/'))
		return try_path(command);
	if (!dirs)
		dirs = DEFAULT_PATH;
	for (const char *d = dirs;; d++) {
		const char *end = strchrnul(d, ':');
		int len = (int)(end - d);

		if (snprintf(path, sizeof(path), "%.*s%s%s", len, d, len ? "/" : "", command) <
		    (int)sizeof(path)) {
			int r = try_path(path);

			if (r == 0 || (r == EACCES && !denied)) {
				if (copy_out(out, size, path))
					return ENAMETOOLONG;
				if (r == 0)
					return 0;
				denied = 1;
			}
		}
		if (!*end)
			break;
		d = end;
	}
	if (denied)
		return EACCES;
	copy_out(out, size, command);
	return ENOENT;
}

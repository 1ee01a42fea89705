/* SPDX-License-Identifier: MIT */
#include "npm.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

char *aat_npm_file(const char *spec, const char *file)
{
	char *npm = aat_build_path("npm"), *path, *lock, *abs = NULL, cmd[2048];
	int fd = -1;

	if (!npm)
		return NULL;
	path = aat_path(npm, file);
	lock = aat_path(npm, ".install.lock");
	/* Criterion runs a file's tests in parallel: two npm installs into one
	 * prefix at once remove each other's files, so one installs while the
	 * others wait, then find the file there. */
	if (path && lock && access(path, R_OK) != 0) {
		mkdir(npm, 0755);
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			flock(fd, LOCK_EX);
		if (access(path, R_OK) != 0) {
			snprintf(cmd, sizeof(cmd),
				 "command -v npm >/dev/null && timeout 300 npm install --prefix '%s' "
				 "--no-audit --no-fund --loglevel=error '%s' >&2", npm, spec);
			aat_run(cmd, NULL, 0);
		}
		if (fd >= 0)
			close(fd); /* and its lock */
	}
	if (path && access(path, R_OK) == 0)
		abs = realpath(path, NULL);
	free(lock);
	free(path);
	free(npm);
	return abs;
}

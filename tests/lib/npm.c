/* SPDX-License-Identifier: MIT */
#include "npm.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "files.h"

char *aat_npm_file(const char *spec, const char *file)
{
	char *npm = aat_build_path("npm"), *path, *abs = NULL, cmd[2048];

	if (!npm)
		return NULL;
	path = aat_path(npm, file);
	if (path && access(path, R_OK) != 0) {
		snprintf(cmd, sizeof(cmd), "command -v npm >/dev/null && timeout 300 npm install --prefix '%s' "
			 "--no-audit --no-fund --loglevel=error '%s' >&2", npm, spec);
		aat_run(cmd, NULL, 0);
	}
	if (path && access(path, R_OK) == 0)
		abs = realpath(path, NULL);
	free(path);
	free(npm);
	return abs;
}

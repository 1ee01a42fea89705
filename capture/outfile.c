/* SPDX-License-Identifier: MIT */
/* Creating an output file safely (outfile.h). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)

static int refuse(const char *path, int e, const char *why)
{
	warnx("%s: %s", path, why);
	errno = e;
	return -1;
}

/* mode 0600 exactly: the umask may have taken bits away, never added any. */
static int owner_only(int fd, const char *path)
{
	if (fchmod(fd, 0600) != 0) {
		int e = errno;
		warn("%s: chmod", path);
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Creates ".NAME.XXXXXX" beside path and renames it over path. */
static int replace_ours(const char *path)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", dirlen, path,
		     path + dirlen) >= (int)sizeof(tmp))
		return refuse(path, ENAMETOOLONG, "file name too long");
	fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0) {
		warn("%s: cannot create a file beside it", path);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		int e = errno;
		warn("%s: cannot replace it", path);
		unlink(tmp);
		close(fd);
		errno = e;
		return -1;
	}
	return owner_only(fd, path);
}

static int create_file(const char *path)
{
	struct stat st;

	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = open(path, CREATE_FLAGS, 0600);
		if (fd >= 0)
			return owner_only(fd, path);
		if (errno != EEXIST && errno != ELOOP) {
			warn("%s", path);
			return -1;
		}
		if (lstat(path, &st) != 0) {
			if (errno == ENOENT)
				continue; /* gone meanwhile: create it */
			warn("%s", path);
			return -1;
		}
		if (S_ISLNK(st.st_mode))
			return refuse(path, ELOOP, "is a symbolic link: not writing through it");
		if (!S_ISREG(st.st_mode))
			return refuse(path, EEXIST, "exists and is not a regular file");
		if (st.st_uid != geteuid()) {
			char why[96];
			snprintf(why, sizeof(why), "exists and belongs to uid %u: not replacing it",
				 (unsigned)st.st_uid);
			return refuse(path, EPERM, why);
		}
		return replace_ours(path);
	}
	return refuse(path, EEXIST, "keeps changing: not creating it");
}

int outfile_create(const char *path)
{
	int fd;

	if (strcmp(path, "-") != 0)
		return create_file(path);
	if (isatty(STDOUT_FILENO))
		return refuse("-", ENOTTY, "not writing a capture file to a terminal");
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		warn("standard output");
	return fd;
}

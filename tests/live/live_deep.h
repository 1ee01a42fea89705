/* SPDX-License-Identifier: MIT */
/*
 * Live-test helper (header only): a file path of an exact length, made of
 * nested directories, longer than PATH_MAX if asked (built with mkdirat and
 * openat from one directory to the next, so no call sees the whole path).
 */
#ifndef AA_LIVE_DEEP_H
#define AA_LIVE_DEEP_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct deep_path {
	char *path;  /* the whole absolute path of the file, exactly the length asked */
	int dirfd;   /* its directory (O_PATH) */
	char *name;  /* the file's name in it */
};

/*
 * Under the directory base (made canonical first), directories of names of
 * comp_len bytes down to a file named with `fill` bytes, so that the file's
 * absolute path is exactly len bytes. The file itself is not created. Two
 * calls with the same base and comp_len share the directories.
 */
static inline void deep_path_make(struct deep_path *d, const char *base, size_t len, size_t comp_len, char fill)
{
	char *real = realpath(base, NULL), name[NAME_MAX + 1];
	size_t used, left;
	int fd;

	cr_assert_not_null(real);
	used = strlen(real);
	cr_assert_lt(used + 2, len);
	d->path = calloc(1, len + 1);
	cr_assert_not_null(d->path);
	memcpy(d->path, real, used);
	free(real);
	fd = open(d->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	for (left = len - used; left > 1 + NAME_MAX;) {
		size_t c = comp_len;
		int next;

		if (left - (c + 1) < 2)
			c = left - 3; /* leave room for "/" and a one-byte file name */
		memset(name, 'd', c);
		name[c] = 0;
		cr_assert(mkdirat(fd, name, 0755) == 0 || errno == EEXIST, "mkdirat: %s", strerror(errno));
		next = openat(fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		cr_assert_geq(next, 0);
		close(fd);
		fd = next;
		d->path[used] = '/';
		memcpy(d->path + used + 1, name, c);
		used += c + 1;
		left -= c + 1;
	}
	memset(name, fill, left - 1);
	name[left - 1] = 0;
	d->path[used] = '/';
	memcpy(d->path + used + 1, name, left - 1);
	cr_assert_eq(strlen(d->path), len);
	d->dirfd = fd;
	d->name = strdup(name);
	cr_assert_not_null(d->name);
}

static inline void deep_path_free(struct deep_path *d)
{
	close(d->dirfd);
	free(d->path);
	free(d->name);
}

/* Removes the tree at dir and frees dir: rm -rf, which, unlike nftw(),
 * goes deeper than PATH_MAX. */
static inline void deep_tree_remove(char *dir)
{
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	cr_expect_eq(st, 0, "rm -rf %s", dir);
	free(dir);
}

#endif /* AA_LIVE_DEEP_H */

/* SPDX-License-Identifier: MIT */
/* The directory aa-capture writes into (outdir.h). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir.h"

/* The directory part of path: "." when there is none, "/" for "/x". */
static void dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

int outdir_check(const char *path, int *warned)
{
	char dir[PATH_MAX];
	struct stat st;

	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) != 0 || !(st.st_mode & S_IWOTH))
		return 0; /* a missing directory fails at the file's creation, named there */
	if (!(st.st_mode & S_ISVTX)) {
		warnx("%s: any user may replace files in this directory: not writing capture files"
		      " there; use a directory owned by the capture user (mode 0700)", dir);
		return -1;
	}
	if (!*warned)
		warnx("warning: %s: any user may create files here and stop the capture by taking"
		      " its next file name; better a directory owned by the capture user", dir);
	*warned = 1;
	return 0;
}

/* Says who holds the lock, from the pid its holder wrote into the file. */
static void refuse_taken(const struct outdir_lock *l, int fd, const char *pattern)
{
	char pid[24] = "";
	ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

	pid[n > 0 ? n : 0] = 0;
	pid[strcspn(pid, "\n")] = 0;
	warnx("-w %s: another aa-capture%s%s%s is writing these files (it holds %s): not starting"
	      " a second one", pattern, *pid ? " (pid " : "", pid, *pid ? ")" : "", l->path);
}

int outdir_lock(struct outdir_lock *l, const char *pattern, const char *first_path)
{
	const char *base = strrchr(pattern, '/');
	char dir[PATH_MAX];
	struct stat held, named;

	l->fd = -1;
	base = base ? base + 1 : pattern;
	dir_of(first_path, dir, sizeof(dir));
	/* .NAME.lock stays within a file name's 255 bytes however long NAME is. */
	if (snprintf(l->path, sizeof(l->path), "%s/.%.200s.lock", dir, base) >= (int)sizeof(l->path)) {
		warnx("%s: file name too long", first_path);
		return -1;
	}
	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (fd < 0) {
			warn("%s: cannot make the lock file", l->path);
			return -1;
		}
		if (fstat(fd, &held) != 0 || !S_ISREG(held.st_mode) || held.st_uid != geteuid()) {
			warnx("%s: not a lock file of this user: remove it if no aa-capture is running",
			      l->path);
			close(fd);
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno == EWOULDBLOCK)
				refuse_taken(l, fd, pattern);
			else
				warn("%s: cannot lock it", l->path);
			close(fd);
			return -1;
		}
		/* Its last holder removes it on leaving: ours only if the name is still this file. */
		if (stat(l->path, &named) == 0 && named.st_dev == held.st_dev &&
		    named.st_ino == held.st_ino) {
			char pid[24];
			int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
			if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
				/* only the message to a second capture lacks the pid */
			}
			l->fd = fd;
			return 0;
		}
		close(fd);
	}
	warnx("%s: keeps changing: not starting", l->path);
	return -1;
}

void outdir_unlock(struct outdir_lock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path); /* while still held: see outdir_lock */
	close(l->fd);
	l->fd = -1;
}

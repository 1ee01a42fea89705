/* SPDX-License-Identifier: MIT */
/* Following a capture file while it is written (see reader.h: aa_reader_follow). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa_error.h"
#include "reader_int.h"

/*
 * At the end of what a followed file holds (read bytes so far): waits until
 * it grows past done (bytes read so far), checking that it was neither
 * cut shorter nor replaced. 0 to read
 * again (or stopped: then the input ends here), -1 with follow_code set.
 */
int reader_follow_wait(struct aa_reader *r, uint64_t done)
{
	struct stat now, named;

	if (r->stop && r->stop(r->stop_user)) {
		r->stopped = 1;
		return 0;
	}
	if (fstat(r->fd, &now) == 0 && (uint64_t)now.st_size < done) {
		r->follow_code = AA_E_TRUNCATED;
		snprintf(r->follow_msg, sizeof(r->follow_msg),
			 "the file was truncated under the reader: %lld bytes, %llu already read",
			 (long long)now.st_size, (unsigned long long)done);
		return -1;
	}
	int gone = stat(r->follow_path, &named) != 0;
	if (gone || named.st_ino != r->follow_st.st_ino || named.st_dev != r->follow_st.st_dev) {
		/* it grows no more: its writer rotated it away or replaced it */
		r->follow_code = AA_E_IO;
		snprintf(r->follow_msg, sizeof(r->follow_msg),
			 "the file was %s while followed, before its END chunk",
			 gone ? "moved or removed" : "replaced by another file");
		return -1;
	}
	if (fstat(r->fd, &now) == 0 && (uint64_t)now.st_size > done)
		return 0;
	struct pollfd p = {.fd = r->ifd, .events = POLLIN};
	/* inotify wakes at once; without it (or missing an event), look again soon */
	if (poll(&p, r->ifd >= 0 ? 1 : 0, r->ifd >= 0 ? 500 : 50) > 0) {
		char buf[4096];
		if (read(r->ifd, buf, sizeof(buf)) < 0) {
			/* drained or interrupted: looked at again anyway */
		}
	}
	return 0;
}

int aa_reader_follow(struct aa_reader *r, const char *path, int (*stop)(void *user), void *user)
{
	if (!(r->follow_path = strdup(path)))
		return AA_E_NOMEM;
	if (fstat(r->fd, &r->follow_st) != 0)
		return reader_fail(r, AA_E_IO, -1, -1, "cannot follow: %s", strerror(errno));
	r->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (r->ifd >= 0 &&
	    inotify_add_watch(r->ifd, path, IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF |
					      IN_CLOSE_WRITE) < 0) {
		close(r->ifd);
		r->ifd = -1;
	}
	r->follow = 1;
	r->stop = stop;
	r->stop_user = user;
	return 0;
}

int aa_reader_stopped(const struct aa_reader *r)
{
	return r->stopped;
}

int aa_reader_follow_failed(const struct aa_reader *r)
{
	return r->follow_code;
}

int aa_reader_is_file(const struct aa_reader *r)
{
	struct stat st;

	return !r->read_fn && r->fd >= 0 && fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* SPDX-License-Identifier: MIT */
/* aa-capture says it is recording (ready.h). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ready.h"

int ready_take_fd(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return errno;
	if ((fl & O_ACCMODE) == O_RDONLY)
		return EBADF;
	/* for us alone: not for -z commands */
	return fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? errno : 0;
}

/*
 * The notify protocol of sd_notify(3): one datagram "READY=1" to the
 * AF_UNIX socket named by $NOTIFY_SOCKET, an abstract one when the name
 * starts with '@'. One datagram needs no library.
 */
static void notify_systemd(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;

	if (!name || !*name)
		return;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof(sa.sun_path)) {
		warnx("NOTIFY_SOCKET=%s: not a socket path; systemd not told that we are ready", name);
		return;
	}
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	static const char msg[] = "READY=1";
	if (fd < 0 || sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL, (struct sockaddr *)&sa,
			     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		warn("NOTIFY_SOCKET=%s: systemd not told that we are ready", name);
	if (fd >= 0)
		close(fd);
}

void ready_announce(int quiet, int fd)
{
	if (!quiet) {
		fputs("aa-capture: ready\n", stderr);
		fflush(stderr);
	}
	notify_systemd();
	if (fd >= 0) {
		ssize_t n;
		while ((n = write(fd, "\n", 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			warn("--ready-fd %d", fd);
		close(fd);
	}
}

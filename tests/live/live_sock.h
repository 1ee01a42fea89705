/* SPDX-License-Identifier: MIT */
/*
 * Live-test helpers for sockets (header only): what user space itself says
 * about a socket (fstat's st_ino, getsockname, getpeername, SO_PROTOCOL) in
 * the records' encoding, to hold the BPF side's records against; and a
 * shared mapping, for a traced child to hand those truths to the test.
 */
#ifndef AA_LIVE_SOCK_H
#define AA_LIVE_SOCK_H

#include "live_capture.h"
#include "files.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* One side of a socket as a record holds it. */
struct live_ep {
	uint16_t family;
	uint8_t addr[16];
	uint16_t port;
};

/* What the kernel says about a socket fd, as the records encode it. */
struct live_sock {
	uint64_t conn;   /* st_ino */
	uint16_t family; /* of getsockname */
	uint8_t protocol;
	struct live_ep local, peer;
};

/*
 * What a traced child found, for the test: the first member of each test's
 * own truth struct, which lives in memory the child and the test share.
 */
struct live_truth {
	int failed_line; /* the line of the child's check that failed; 0 none */
	int have_ipv6;   /* ::1 could be bound */
	char dir[96];    /* a fresh directory for the child's files */
};

/* In the child: unless cond, notes the line in slot and returns ret. */
#define LIVE_CHECK_OR(slot, cond, ret)            \
	do {                                      \
		if (!(cond)) {                    \
			(slot) = __LINE__;        \
			return ret;               \
		}                                 \
	} while (0)

/* A zeroed truth of size bytes, shared with the children to come, with a
 * new directory in its dir (freed by live_truth_free). */
static inline void *live_truth_new(size_t size)
{
	struct live_truth *t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *dir;

	cr_assert_neq(t, MAP_FAILED);
	dir = aat_tmpdir();
	cr_assert_not_null(dir);
	cr_assert_lt(strlen(dir), sizeof(t->dir));
	strcpy(t->dir, dir);
	free(dir);
	return t;
}

static inline void live_truth_free(void *truth, size_t size)
{
	struct live_truth *t = truth;

	aat_tmpdir_remove(strdup(t->dir));
	munmap(truth, size);
}

/* The child ran to its end with every check passed. */
static inline void live_truth_ok(const struct live_truth *t, const struct live_run *run)
{
	cr_assert_eq(t->failed_line, 0, "the child failed at line %d", t->failed_line);
	cr_assert(WIFEXITED(run->status) && WEXITSTATUS(run->status) == 0, "the child's status is %#x",
		  run->status);
}

/* A sockaddr's address and port (AF_INET, AF_INET6; other families: zeros). */
static inline struct live_ep live_ep_of(const struct sockaddr_storage *ss)
{
	struct live_ep ep = { .family = ss->ss_family };

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;

		memcpy(ep.addr, &a->sin_addr, 4);
		ep.port = ntohs(a->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		memcpy(ep.addr, &a->sin6_addr, 16);
		ep.port = ntohs(a->sin6_port);
	}
	return ep;
}

/* Fills s for fd; 0, or -1 when fd is no socket. The peer stays zero when
 * the socket has none. */
static inline int live_sock_of(int fd, struct live_sock *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct stat st;
	int proto = 0;
	socklen_t plen = sizeof(proto);

	memset(s, 0, sizeof(*s));
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return -1;
	s->conn = st.st_ino;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	s->family = ss.ss_family;
	s->local = live_ep_of(&ss);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) == 0)
		s->protocol = (uint8_t)proto;
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		s->peer = live_ep_of(&ss);
	return 0;
}

/* "127.0.0.1:443" or "[::1]:443", for messages. */
static inline const char *live_ep_str(uint16_t family, const uint8_t addr[16], uint16_t port, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	snprintf(buf, n, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

#endif /* AA_LIVE_SOCK_H */

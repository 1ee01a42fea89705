/* SPDX-License-Identifier: MIT */
/* Live capture of connect, accept and accept4: a child makes each call
 * kind (TCP over 127.0.0.1 and ::1, a refused and a non-blocking connect,
 * AF_UNIX by path and by abstract name), writes down what the kernel says of
 * each socket afterwards (fstat, getsockname, getpeername, SO_PROTOCOL) as
 * the net record it expects, and every net record of the child must be
 * exactly that, in order. Needs root. */
#include "live_sock.h"

#include <errno.h>

#define MAX_CALLS 32

/* Filled by the child: the records it expects, in the order of its calls. */
struct net_truth {
	struct live_truth head; /* dir: where the AF_UNIX path socket lives */
	int n;
	struct aa_net_event want[MAX_CALLS];
};

static struct net_truth *truth;

#define CHILD_CHECK(cond) LIVE_CHECK_OR(truth->head.failed_line, cond, 1)

/* The record expected of a call on fd (connect: the socket; accept: ret). */
static struct aa_net_event *expect(uint8_t syscall, int fd, long ret, int sockfd)
{
	struct aa_net_event *w = &truth->want[truth->n++];
	struct live_sock s;

	w->syscall = syscall;
	w->fd = fd;
	w->return_code = ret;
	if (sockfd >= 0 && live_sock_of(sockfd, &s) == 0) {
		w->conn = s.conn;
		w->family = s.family;
		w->protocol = s.protocol;
		memcpy(w->local_addr, s.local.addr, 16);
		w->local_port = s.local.port;
		memcpy(w->peer_addr, s.peer.addr, 16);
		w->peer_port = s.peer.port;
	}
	return w;
}

/* connect(fd, sa); the expected record, peer from what was asked. */
static long do_connect(int fd, const void *sa, socklen_t len)
{
	struct sockaddr_storage ss = { 0 };
	long ret = connect(fd, sa, len) ? -errno : 0;
	struct aa_net_event *w = expect(AA_NET_CONNECT, fd, ret, fd);
	struct live_ep peer;

	memcpy(&ss, sa, len < sizeof(ss) ? len : sizeof(ss));
	if (ss.ss_family == AF_UNIX) {
		memcpy(w->unix_path, ((const struct sockaddr_un *)sa)->sun_path, len - offsetof(struct sockaddr_un, sun_path));
	} else {
		peer = live_ep_of(&ss);
		memcpy(w->peer_addr, peer.addr, 16);
		w->peer_port = peer.port;
	}
	return ret;
}

/* accept or accept4 on lfd; the expected record of the new socket. */
static int do_accept(int lfd, int four)
{
	int fd = four ? accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : accept(lfd, NULL, NULL);
	struct aa_net_event *w = expect(AA_NET_ACCEPT, lfd, fd < 0 ? -errno : fd, fd);
	struct sockaddr_un own;
	socklen_t len = sizeof(own);

	if (fd >= 0 && w->family == AF_UNIX && getsockname(fd, (struct sockaddr *)&own, &len) == 0 &&
	    len > offsetof(struct sockaddr_un, sun_path))
		memcpy(w->unix_path, own.sun_path, len - offsetof(struct sockaddr_un, sun_path));
	return fd;
}

/* A TCP listener on addr (port 0: any) with this backlog; its address back in addr. */
static int tcp_listener(struct sockaddr_storage *addr, socklen_t len, int backlog)
{
	int fd = socket(addr->ss_family, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)addr, len) || listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		return -1;
	return fd;
}

static int net_workload(void)
{
	struct sockaddr_storage l4 = { 0 }, l6 = { 0 }, closed = { 0 }, full = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&l4;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&l6;
	struct sockaddr_un up = { .sun_family = AF_UNIX }, ua = { .sun_family = AF_UNIX };
	socklen_t ua_len;
	int lfd, lfd6 = -1, c, s, nb, ul, ul2;
	long ret;

	a4->sin_family = AF_INET;
	a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHILD_CHECK((lfd = tcp_listener(&l4, sizeof(*a4), 8)) >= 0);

	/* TCP: a blocking connect, accept; another, accept4. */
	CHILD_CHECK((c = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &l4, sizeof(*a4)) == 0);
	CHILD_CHECK(do_accept(lfd, 0) >= 0);
	CHILD_CHECK((c = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &l4, sizeof(*a4)) == 0);
	CHILD_CHECK(do_accept(lfd, 1) >= 0);

	/* A port nobody listens on: one just bound and closed. */
	closed = l4;
	((struct sockaddr_in *)&closed)->sin_port = 0;
	CHILD_CHECK((s = tcp_listener(&closed, sizeof(*a4), 8)) >= 0);
	close(s);
	CHILD_CHECK((c = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &closed, sizeof(*a4)) == -ECONNREFUSED);

	/* Non-blocking: -EINPROGRESS (or done at once over loopback), then accept. */
	CHILD_CHECK((nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) >= 0);
	ret = do_connect(nb, &l4, sizeof(*a4));
	CHILD_CHECK(ret == -EINPROGRESS || ret == 0);
	CHILD_CHECK(do_accept(lfd, 0) >= 0);
	/* Surely -EINPROGRESS: a listener whose queue is full (backlog 0, one
	 * connection waiting) drops the SYN, the socket stays in SYN_SENT. */
	full = l4;
	((struct sockaddr_in *)&full)->sin_port = 0;
	CHILD_CHECK((s = tcp_listener(&full, sizeof(*a4), 0)) >= 0);
	CHILD_CHECK((c = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &full, sizeof(*a4)) == 0);
	CHILD_CHECK((nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) >= 0);
	CHILD_CHECK(do_connect(nb, &full, sizeof(*a4)) == -EINPROGRESS);

	/* IPv6 when the machine has ::1. */
	a6->sin6_family = AF_INET6;
	a6->sin6_addr = in6addr_loopback;
	lfd6 = tcp_listener(&l6, sizeof(*a6), 8);
	truth->head.have_ipv6 = lfd6 >= 0;
	if (lfd6 >= 0) {
		CHILD_CHECK((c = socket(AF_INET6, SOCK_STREAM, 0)) >= 0);
		CHILD_CHECK(do_connect(c, &l6, sizeof(*a6)) == 0);
		CHILD_CHECK(do_accept(lfd6, 1) >= 0);
	}

	/* AF_UNIX by path: the path as given (up to its NUL), accept's own the same. */
	snprintf(up.sun_path, sizeof(up.sun_path), "%s/s.sock", truth->head.dir);
	CHILD_CHECK((ul = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(bind(ul, (struct sockaddr *)&up, sizeof(up)) == 0 && listen(ul, 8) == 0);
	CHILD_CHECK((c = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &up, offsetof(struct sockaddr_un, sun_path) + strlen(up.sun_path) + 1) == 0);
	CHILD_CHECK(do_accept(ul, 0) >= 0);

	/* Abstract: a leading NUL and exactly addrlen's bytes, a NUL inside too. */
	ua_len = offsetof(struct sockaddr_un, sun_path) + 1 +
		 (socklen_t)snprintf(ua.sun_path + 1, sizeof(ua.sun_path) - 1, "aa-test-%d", (int)getpid());
	ua.sun_path[ua_len - offsetof(struct sockaddr_un, sun_path)] = 0;
	ua.sun_path[ua_len - offsetof(struct sockaddr_un, sun_path) + 1] = 'z';
	ua_len += 2;
	CHILD_CHECK((ul2 = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(bind(ul2, (struct sockaddr *)&ua, ua_len) == 0 && listen(ul2, 8) == 0);
	CHILD_CHECK((c = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &ua, ua_len) == 0);
	CHILD_CHECK(do_accept(ul2, 1) >= 0);
	/* Refused: an abstract name nobody is bound to. */
	ua.sun_path[1] = 'X';
	CHILD_CHECK((c = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHILD_CHECK(do_connect(c, &ua, ua_len) == -ECONNREFUSED);
	/* A failed accept: the listener non-blocking with nobody waiting. */
	CHILD_CHECK(fcntl(lfd, F_SETFL, O_NONBLOCK) == 0);
	CHILD_CHECK(do_accept(lfd, 0) == -1);
	truth->want[truth->n - 1].conn = 0; /* a failed accept has no new socket */
	{
		struct live_sock ls;

		CHILD_CHECK(live_sock_of(lfd, &ls) == 0);
		truth->want[truth->n - 1].family = ls.family; /* it describes the listener */
		truth->want[truth->n - 1].protocol = ls.protocol;
		memcpy(truth->want[truth->n - 1].local_addr, ls.local.addr, 16);
		truth->want[truth->n - 1].local_port = ls.local.port;
	}
	return 0;
}

static void assert_same(const struct aa_net_event *got, const struct aa_net_event *w, int k)
{
	char a[64], b[64];

	cr_assert_eq(got->syscall, w->syscall, "call %d: syscall %u, expected %u", k, got->syscall, w->syscall);
	cr_assert_eq(got->return_code, w->return_code, "call %d: ret %lld, expected %lld", k,
		     (long long)got->return_code, (long long)w->return_code);
	cr_assert_eq(got->fd, w->fd, "call %d: fd %d, expected %d", k, got->fd, w->fd);
	cr_assert_eq(got->conn, w->conn, "call %d: conn %llu, expected %llu", k, (unsigned long long)got->conn,
		     (unsigned long long)w->conn);
	cr_assert_eq(got->family, w->family, "call %d: family %u, expected %u", k, got->family, w->family);
	cr_assert_eq(got->protocol, w->protocol, "call %d: protocol %u, expected %u", k, got->protocol, w->protocol);
	cr_assert(!memcmp(got->local_addr, w->local_addr, 16) && got->local_port == w->local_port,
		  "call %d: local %s, expected %s", k,
		  live_ep_str(got->family, got->local_addr, got->local_port, a, sizeof(a)),
		  live_ep_str(w->family, w->local_addr, w->local_port, b, sizeof(b)));
	cr_assert(!memcmp(got->peer_addr, w->peer_addr, 16) && got->peer_port == w->peer_port,
		  "call %d: peer %s, expected %s", k,
		  live_ep_str(got->family, got->peer_addr, got->peer_port, a, sizeof(a)),
		  live_ep_str(w->family, w->peer_addr, w->peer_port, b, sizeof(b)));
	cr_assert(!memcmp(got->unix_path, w->unix_path, sizeof(w->unix_path)), "call %d: unix path '%.*s' (%02x...), expected '%.*s'",
		  k, (int)sizeof(got->unix_path) - 1, got->unix_path + 1, got->unix_path[0],
		  (int)sizeof(w->unix_path) - 1, w->unix_path + 1);
}

/* The workload under a capture of these events. */
static void net_run(struct live_run *run, unsigned events)
{
	struct aa_live_opts o = { .events = events };

	live_require_root();
	truth = live_truth_new(sizeof(*truth));
	live_run(run, NULL, net_workload, &o, -1);
	live_truth_ok(&truth->head, run);
}

Test(live_net, connect_and_accept_exact, .timeout = 60)
{
	struct live_run run;
	int k = 0;

	net_run(&run, AA_TYPE_BIT(AA_TYPE_NET) | AA_TYPE_BIT(AA_TYPE_EXIT));
	LIVE_FOREACH(&run, i, ev) {
		if (ev.type != AA_TYPE_NET || ev.net->pid != (uint32_t)run.pid)
			continue;
		cr_assert_lt(k, truth->n, "more net records than calls (%d)", truth->n);
		cr_assert_eq(ev.net->tid, ev.net->pid);
		cr_assert_gt(ev.net->duration_ns, 0);
		assert_same(ev.net, &truth->want[k], k);
		k++;
	}
	cr_assert_eq(k, truth->n, "%d net records for %d calls", k, truth->n);
	cr_assert_eq(run.drops[AA_DROP_NET], 0);
	cr_log_info("net: %d calls checked, ipv6 %s", k, truth->head.have_ipv6 ? "yes" : "no");
	live_run_free(&run);
	live_truth_free(truth, sizeof(*truth));
}

/* --events without net: the programs are not there, no net record. */
Test(live_net, not_selected_not_recorded, .timeout = 60)
{
	struct live_run run;

	net_run(&run, AA_TYPE_BIT(AA_TYPE_FILE) | AA_TYPE_BIT(AA_TYPE_EXIT));
	LIVE_FOREACH(&run, i, ev)
		cr_assert_neq(ev.type, AA_TYPE_NET);
	live_run_free(&run);
	live_truth_free(truth, sizeof(*truth));
}

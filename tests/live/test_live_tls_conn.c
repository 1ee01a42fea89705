/* SPDX-License-Identifier: MIT */
/* Live capture of tls_conn records: one process, two client threads talking
 * TLS at once (OpenSSL, linked in) to two server threads on two ports
 * (127.0.0.1, and ::1 when the machine has it). Every piece of every call
 * must come after its call's tls_conn, and that record must name the
 * socket exactly as the thread's own fstat, getsockname and getpeername do;
 * the plaintext both ways must be exact. A 64-byte reply is read as two
 * 32-byte SSL_reads: the second moves only buffered bytes and makes no
 * syscall, so its fd comes from what the first one used. Needs root. */
#include "live_sock.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define MSGS 24
#define REPLY_LEN 64
#define BIG_MSG 9000 /* the last message: three pieces */

/* One end of one connection, as its thread saw it. */
struct tls_side {
	uint32_t tid;
	int fd;
	uint64_t ssl;
	struct live_sock sock;
	uint32_t calls; /* SSL calls that moved bytes: one tls_conn each */
};

/* Filled by the child: sides 0 and 1 the clients, 2 and 3 their servers. */
struct tls_truth {
	struct live_truth head; /* dir: c.pem, k.pem */
	struct tls_side side[4];
};

static struct tls_truth *truth;

static size_t msg_len(int i)
{
	return i == MSGS - 1 ? BIG_MSG : 40 + (size_t)i * 37;
}

/* Message i of connection k, into buf (msg_len(i) bytes). */
static void msg_fill(char *buf, int k, int i)
{
	size_t n = msg_len(i);
	int head = snprintf(buf, n, "conn%d-msg%02d-", k, i);

	for (size_t j = (size_t)head; j < n; j++)
		buf[j] = (char)('a' + (j + (size_t)k * 7) % 26);
}

static void reply_fill(char *buf, int k, int i)
{
	memset(buf, 'A' + k, REPLY_LEN);
	snprintf(buf, REPLY_LEN, "reply-conn%d-%02d", k, i);
	buf[REPLY_LEN - 1] = '\n';
}

struct tls_thread {
	int k;            /* connection 0 or 1 */
	int listen_fd;    /* server: its listener */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	SSL_CTX *ctx;
	pthread_barrier_t *both; /* the two clients, once connected */
	int failed_line;
};

#define THREAD_CHECK(t, cond) LIVE_CHECK_OR((t)->failed_line, cond, NULL)

static void side_note(struct tls_side *s, int fd, SSL *ssl)
{
	s->tid = (uint32_t)syscall(SYS_gettid);
	s->fd = fd;
	s->ssl = (uint64_t)(uintptr_t)ssl;
	live_sock_of(fd, &s->sock);
}

/* Exactly n bytes with SSL_read, or SSL_read_ex every other call. */
static int read_all(SSL *ssl, char *buf, size_t n, uint32_t *calls)
{
	size_t got = 0;

	while (got < n) {
		size_t r = 0;
		int ok;

		if (*calls % 2) {
			ok = SSL_read_ex(ssl, buf + got, n - got, &r) == 1;
		} else {
			int v = SSL_read(ssl, buf + got, (int)(n - got));

			ok = v > 0;
			r = ok ? (size_t)v : 0;
		}
		if (!ok)
			return -1;
		got += r;
		(*calls)++;
	}
	return 0;
}

static int write_one(SSL *ssl, const char *buf, size_t n, int ex, uint32_t *calls)
{
	size_t w = 0;

	if (ex ? SSL_write_ex(ssl, buf, n, &w) != 1 || w != n : SSL_write(ssl, buf, (int)n) != (int)n)
		return -1;
	(*calls)++;
	return 0;
}

static void *server(void *arg)
{
	struct tls_thread *t = arg;
	struct tls_side *s = &truth->side[2 + t->k];
	char buf[BIG_MSG], want[BIG_MSG], reply[REPLY_LEN];
	SSL *ssl;
	int fd;

	THREAD_CHECK(t, (fd = accept(t->listen_fd, NULL, NULL)) >= 0);
	THREAD_CHECK(t, (ssl = SSL_new(t->ctx)) && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1);
	side_note(s, fd, ssl);
	for (int i = 0; i < MSGS; i++) {
		THREAD_CHECK(t, read_all(ssl, buf, msg_len(i), &s->calls) == 0);
		msg_fill(want, t->k, i);
		THREAD_CHECK(t, memcmp(buf, want, msg_len(i)) == 0);
		reply_fill(reply, t->k, i);
		THREAD_CHECK(t, write_one(ssl, reply, REPLY_LEN, i % 2, &s->calls) == 0);
	}
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static void *client(void *arg)
{
	struct tls_thread *t = arg;
	struct tls_side *s = &truth->side[t->k];
	char buf[BIG_MSG], reply[REPLY_LEN], want[REPLY_LEN];
	SSL *ssl;
	int fd;

	THREAD_CHECK(t, (fd = socket(t->addr.ss_family, SOCK_STREAM, 0)) >= 0);
	THREAD_CHECK(t, connect(fd, (struct sockaddr *)&t->addr, t->addr_len) == 0);
	THREAD_CHECK(t, (ssl = SSL_new(t->ctx)) && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1);
	side_note(s, fd, ssl);
	pthread_barrier_wait(t->both); /* both connections open from here on */
	for (int i = 0; i < MSGS; i++) {
		msg_fill(buf, t->k, i);
		THREAD_CHECK(t, write_one(ssl, buf, msg_len(i), i % 2, &s->calls) == 0);
		/* Two halves: the second half is in OpenSSL's buffer already. */
		THREAD_CHECK(t, read_all(ssl, reply, REPLY_LEN / 2, &s->calls) == 0);
		THREAD_CHECK(t, read_all(ssl, reply + REPLY_LEN / 2, REPLY_LEN / 2, &s->calls) == 0);
		reply_fill(want, t->k, i);
		THREAD_CHECK(t, memcmp(reply, want, REPLY_LEN) == 0);
	}
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static int listener(struct tls_thread *t, int family)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&t->addr;
	int fd = socket(family, SOCK_STREAM, 0);

	memset(&t->addr, 0, sizeof(t->addr));
	if (family == AF_INET) {
		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		t->addr_len = sizeof(*a4);
	} else {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		t->addr_len = sizeof(*a6);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&t->addr, t->addr_len) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&t->addr, &t->addr_len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

#define CHILD_CHECK(cond) LIVE_CHECK_OR(truth->head.failed_line, cond, 1)

static int tls_workload(void)
{
	struct tls_thread srv[2] = { { .k = 0 }, { .k = 1 } }, cli[2] = { { .k = 0 }, { .k = 1 } };
	char cert[160], key[160];
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method()), *cctx = SSL_CTX_new(TLS_client_method());
	pthread_barrier_t both;
	pthread_t th[4];

	CHILD_CHECK(sctx && cctx);
	snprintf(cert, sizeof(cert), "%s/c.pem", truth->head.dir);
	snprintf(key, sizeof(key), "%s/k.pem", truth->head.dir);
	CHILD_CHECK(SSL_CTX_use_certificate_file(sctx, cert, SSL_FILETYPE_PEM) == 1 &&
		    SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) == 1);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	CHILD_CHECK((srv[0].listen_fd = listener(&srv[0], AF_INET)) >= 0);
	srv[1].listen_fd = listener(&srv[1], AF_INET6);
	truth->head.have_ipv6 = srv[1].listen_fd >= 0;
	if (srv[1].listen_fd < 0)
		CHILD_CHECK((srv[1].listen_fd = listener(&srv[1], AF_INET)) >= 0);
	CHILD_CHECK(pthread_barrier_init(&both, NULL, 2) == 0);
	for (int k = 0; k < 2; k++) {
		srv[k].ctx = sctx;
		cli[k].ctx = cctx;
		cli[k].addr = srv[k].addr;
		cli[k].addr_len = srv[k].addr_len;
		cli[k].both = &both;
		CHILD_CHECK(pthread_create(&th[k], NULL, server, &srv[k]) == 0);
		CHILD_CHECK(pthread_create(&th[2 + k], NULL, client, &cli[k]) == 0);
	}
	for (int k = 0; k < 4; k++)
		pthread_join(th[k], NULL);
	for (int k = 0; k < 2; k++) {
		CHILD_CHECK(srv[k].failed_line == 0 || (truth->head.failed_line = srv[k].failed_line, 0));
		CHILD_CHECK(cli[k].failed_line == 0 || (truth->head.failed_line = cli[k].failed_line, 0));
	}
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	return 0;
}

/* What a side should have written (dir AA_TLS_WRITE) or read. */
static void expected_stream(int side, int dir, char **data, size_t *len)
{
	int k = side % 2, is_client = side < 2;
	size_t n = 0;

	*data = malloc((size_t)MSGS * (BIG_MSG + REPLY_LEN));
	cr_assert_not_null(*data);
	for (int i = 0; i < MSGS; i++) {
		if (is_client == (dir == AA_TLS_WRITE)) {
			msg_fill(*data + n, k, i);
			n += msg_len(i);
		} else {
			reply_fill(*data + n, k, i);
			n += REPLY_LEN;
		}
	}
	*len = n;
}

static void assert_conn(const struct aa_tls_conn_event *c, const struct tls_side *s, int side)
{
	char a[64], b[64];

	cr_assert_eq(c->conn, s->sock.conn, "side %d: conn %llu, its socket is %llu", side,
		     (unsigned long long)c->conn, (unsigned long long)s->sock.conn);
	cr_assert_eq(c->fd, s->fd, "side %d: fd %d, expected %d", side, c->fd, s->fd);
	cr_assert_eq(c->family, s->sock.family, "side %d: family %u", side, c->family);
	cr_assert_eq(c->lib, AA_TLS_LIB_OPENSSL);
	cr_assert_eq(c->ssl, s->ssl, "side %d: ssl %llx, expected %llx", side, (unsigned long long)c->ssl,
		     (unsigned long long)s->ssl);
	cr_assert(!memcmp(c->local_addr, s->sock.local.addr, 16) && c->local_port == s->sock.local.port,
		  "side %d: local %s, getsockname %s", side,
		  live_ep_str(c->family, c->local_addr, c->local_port, a, sizeof(a)),
		  live_ep_str(s->sock.family, s->sock.local.addr, s->sock.local.port, b, sizeof(b)));
	cr_assert(!memcmp(c->peer_addr, s->sock.peer.addr, 16) && c->peer_port == s->sock.peer.port,
		  "side %d: peer %s, getpeername %s", side,
		  live_ep_str(c->family, c->peer_addr, c->peer_port, a, sizeof(a)),
		  live_ep_str(s->sock.family, s->sock.peer.addr, s->sock.peer.port, b, sizeof(b)));
}

/* Per thread: the tls_conn of the call whose pieces come next. */
struct call_state {
	int open;                     /* a tls_conn seen, its pieces not all yet */
	struct aa_tls_conn_event conn;
	uint32_t next_seq;
	uint32_t conns;               /* tls_conn records */
	char *stream[2];              /* the plaintext recorded, per direction */
	size_t len[2];
};

static void stream_add(struct call_state *cs, const struct aa_tls_event *t)
{
	uint32_t n = aa_tls_piece_len(t);
	char **s = &cs->stream[t->direction];

	*s = realloc(*s, cs->len[t->direction] + n);
	cr_assert_not_null(*s);
	memcpy(*s + cs->len[t->direction], t->payload, n);
	cs->len[t->direction] += n;
}

static int side_of_tid(uint32_t tid)
{
	for (int s = 0; s < 4; s++)
		if (truth->side[s].tid == tid)
			return s;
	return -1;
}

/* The workload under a capture of these events, with a certificate made first. */
static void tls_run(struct live_run *run, unsigned events)
{
	struct aa_live_opts o = { .events = events };
	char cmd[512];

	live_require_root();
	truth = live_truth_new(sizeof(*truth));
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/k.pem -out %s/c.pem -days 1 "
		 "-subj /CN=localhost 2>/dev/null", truth->head.dir, truth->head.dir);
	if (aat_run(cmd, NULL, 0) != 0)
		cr_skip_test("no openssl command to make a certificate");
	live_run(run, NULL, tls_workload, &o, -1);
	live_truth_ok(&truth->head, run);
}

Test(live_tls_conn, two_connections_at_once_exact, .timeout = 90)
{
	struct call_state cs[4] = { 0 };
	struct live_run run;

	tls_run(&run, AA_TYPE_BIT(AA_TYPE_TLS) | AA_TYPE_BIT(AA_TYPE_TLS_CONN) | AA_TYPE_BIT(AA_TYPE_EXIT));
	/* Two connections open at once: four sockets, none the same. */
	for (int a = 0; a < 4; a++)
		for (int b = a + 1; b < 4; b++)
			cr_assert_neq(truth->side[a].sock.conn, truth->side[b].sock.conn);

	LIVE_FOREACH(&run, i, ev) {
		int s;
		struct call_state *c;

		if (ev.type == AA_TYPE_TLS_CONN)
			cr_assert_eq(ev.tls_conn->pid, (uint32_t)run.pid);
		else if (ev.type == AA_TYPE_TLS)
			cr_assert_eq(ev.tls->pid, (uint32_t)run.pid);
		else
			continue;
		s = side_of_tid(ev.type == AA_TYPE_TLS ? ev.tls->tid : ev.tls_conn->tid);
		cr_assert_geq(s, 0, "a TLS record from a thread that is no side");
		c = &cs[s];
		if (ev.type == AA_TYPE_TLS_CONN) {
			cr_assert(!c->open, "side %d: a tls_conn before the last call's pieces all came", s);
			assert_conn(ev.tls_conn, &truth->side[s], s);
			c->conn = *ev.tls_conn;
			c->open = 1;
			c->next_seq = 0;
			c->conns++;
			continue;
		}
		cr_assert(c->open, "side %d: a piece without its tls_conn before it", s);
		cr_assert_eq(ev.tls->timestamp_ns, c->conn.timestamp_ns);
		cr_assert_eq(ev.tls->direction, c->conn.direction);
		cr_assert_eq(ev.tls->data_len, c->conn.data_len);
		cr_assert_eq(ev.tls->seq, c->next_seq, "side %d: piece %u, expected %u", s, ev.tls->seq, c->next_seq);
		stream_add(c, ev.tls);
		c->next_seq++;
		if ((uint64_t)c->next_seq * AA_TLS_PAYLOAD_MAX >= ev.tls->data_len)
			c->open = 0;
	}
	for (int s = 0; s < 4; s++) {
		cr_assert(!cs[s].open, "side %d: the last call's pieces are missing", s);
		cr_assert_eq(cs[s].conns, truth->side[s].calls, "side %d: %u tls_conn records for %u calls", s,
			     cs[s].conns, truth->side[s].calls);
		for (int dir = 0; dir < 2; dir++) {
			char *want;
			size_t n;

			expected_stream(s, dir, &want, &n);
			cr_assert_eq(cs[s].len[dir], n, "side %d dir %d: %zu bytes, expected %zu", s, dir,
				     cs[s].len[dir], n);
			cr_assert(!memcmp(cs[s].stream[dir], want, n), "side %d dir %d: the bytes differ", s, dir);
			free(want);
			free(cs[s].stream[dir]);
		}
	}
	cr_assert_eq(run.drops[AA_DROP_TLS], 0);
	cr_assert_eq(run.drops[AA_DROP_TLS_CONN], 0);
	cr_log_info("tls_conn: %u + %u + %u + %u calls, ipv6 %s", cs[0].conns, cs[1].conns, cs[2].conns,
		    cs[3].conns, truth->head.have_ipv6 ? "yes" : "no");
	live_run_free(&run);
	live_truth_free(truth, sizeof(*truth));
}

/* tls_conn without tls: one record per call, right, and no plaintext. */
Test(live_tls_conn, conn_records_without_the_plaintext, .timeout = 90)
{
	uint32_t conns[4] = { 0 }, bytes[4] = { 0 };
	struct live_run run;

	tls_run(&run, AA_TYPE_BIT(AA_TYPE_TLS_CONN) | AA_TYPE_BIT(AA_TYPE_EXIT));
	LIVE_FOREACH(&run, i, ev) {
		int s;

		cr_assert_neq(ev.type, AA_TYPE_TLS, "a TLS piece recorded though not selected");
		if (ev.type != AA_TYPE_TLS_CONN || ev.tls_conn->pid != (uint32_t)run.pid)
			continue;
		s = side_of_tid(ev.tls_conn->tid);
		cr_assert_geq(s, 0);
		assert_conn(ev.tls_conn, &truth->side[s], s);
		conns[s]++;
		bytes[s] += ev.tls_conn->data_len;
	}
	for (int s = 0; s < 4; s++) {
		char *w[2];
		size_t n[2];

		cr_assert_eq(conns[s], truth->side[s].calls, "side %d: %u tls_conn records for %u calls", s, conns[s],
			     truth->side[s].calls);
		expected_stream(s, AA_TLS_WRITE, &w[0], &n[0]);
		expected_stream(s, AA_TLS_READ, &w[1], &n[1]);
		cr_assert_eq(bytes[s], n[0] + n[1], "side %d: the calls' lengths add up to %u", s, bytes[s]);
		free(w[0]);
		free(w[1]);
	}
	live_run_free(&run);
	live_truth_free(truth, sizeof(*truth));
}

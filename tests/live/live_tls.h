/* SPDX-License-Identifier: MIT */
/*
 * TLS live-test helpers (header only): a throwaway certificate, the pid of
 * an exec, the known message the test clients send, one process's streams
 * and calls (tests/lib/tlspeer.h) gathered from a run.
 */
#ifndef AA_LIVE_TLS_H
#define AA_LIVE_TLS_H

#include "live_capture.h"
#include "files.h"
#include "tls_msg.h"
#include "tlspeer.h"

/* A throwaway self-signed certificate and key: DIR/c.pem, DIR/k.pem. */
static inline void make_cert(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/k.pem -out %s/c.pem -days 1 "
		 "-subj /CN=localhost 2>/dev/null", dir, dir);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0, "cannot make a certificate");
}

/* A new directory holding a throwaway certificate; aat_tmpdir_remove() it. */
static inline char *tls_dir_with_cert(void)
{
	char *dir = aat_tmpdir();

	cr_assert_not_null(dir);
	make_cert(dir);
	return dir;
}

/* A script line (with $d the directory of tls_dir_with_cert and $p the
 * port): openssl s_server for one client on 127.0.0.1, sending it
 * "server-says-hello\n" after PRE seconds and quitting POST seconds later
 * (at its stdin's end), in the background. */
#define TLS_S_SERVER_HELLO(pre, post)                                                                   \
	"{ sleep " pre "; echo server-says-hello; sleep " post "; } | openssl s_server -accept 127.0.0.1:$p " \
	"-cert $d/c.pem -key $d/k.pem -quiet -naccept 1 >$d/srv.out 2>/dev/null &\n"

/* The pid of the first exec whose args start with prefix. */
static inline uint32_t exec_pid(const struct live_run *run, const char *prefix)
{
	LIVE_FOREACH(run, i, ev)
		if (ev.type == AA_TYPE_EXEC && !strncmp((const char *)ev.exec->args, prefix, strlen(prefix)))
			return ev.exec->pid;
	return 0;
}

/* Skips the test unless root and cmd is on the PATH. */
static inline void tls_need(const char *cmd)
{
	char check[128];

	live_require_root();
	snprintf(check, sizeof(check), "command -v %s >/dev/null", cmd);
	if (aat_run(check, NULL, 0) != 0)
		cr_skip_test("no %s command", cmd);
}

/* The path of program name beside this test's binary (built by make
 * tests) into path; skips the test when it is not there. */
static inline void live_beside_self(const char *name, char *path, size_t size)
{
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	cr_assert_gt(n, 0);
	self[n] = 0;
	slash = strrchr(self, '/');
	cr_assert_not_null(slash);
	*slash = 0;
	snprintf(path, size, "%s/%s", self, name);
	if (access(path, X_OK))
		cr_skip_test("%s not built (make tests; its packages: make deps)", path);
}

/* len bytes of tls_msg_fill(who) written to DIR/name; the bytes returned
 * (free them). */
static inline char *tls_msg_file(const char *dir, const char *name, size_t len, const char *who)
{
	char *msg = malloc(len), *path = aat_path(dir, name);

	cr_assert_not_null(msg);
	tls_msg_fill(msg, len, who);
	cr_assert_eq(aat_write_file(path, msg, len), 0);
	free(path);
	return msg;
}

/* The pid of the last exec whose args start with prefix (a retried client:
 * the last one connected). */
static inline uint32_t last_exec_pid(const struct live_run *run, const char *prefix)
{
	uint32_t pid = 0;

	LIVE_FOREACH(run, i, ev)
		if (ev.type == AA_TYPE_EXEC && !strncmp((const char *)ev.exec->args, prefix, strlen(prefix)))
			pid = ev.exec->pid;
	return pid;
}

/* p's tls and tls_conn records in run (p->pid set; tlspeer.h). */
static inline void tls_peer_collect(const struct live_run *run, struct aat_tls_peer *p, int port)
{
	LIVE_FOREACH(run, i, ev)
		aat_tls_peer_add(p, &ev, port);
}

/* s holds exactly len bytes of tls_msg_fill(who) (tls_msg.h). */
static inline void stream_expect_msg(const struct aat_stream *s, size_t len, const char *who, const char *what)
{
	char *want = malloc(len);

	cr_assert_not_null(want);
	tls_msg_fill(want, len, who);
	cr_assert_eq(s->len, len, "%s: %zu bytes, not %zu", what, s->len, len);
	cr_assert_eq(memcmp(s->data, want, len), 0, "%s: the plaintext differs", what);
	free(want);
}

#endif /* AA_LIVE_TLS_H */

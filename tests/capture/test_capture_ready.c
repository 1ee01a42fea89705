/* SPDX-License-Identifier: MIT */
/*
 * aa-capture says when it is recording: 'aa-capture: ready' on stderr,
 * READY=1 on $NOTIFY_SOCKET, a byte on --ready-fd; by then the first file
 * exists and, live, every program is attached: a command started right
 * after the byte is in the file (root and BPF; skipped otherwise).
 */
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cap_test.h"

TestSuite(capture_ready, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

/* Waits up to 20 s for the ready byte on rfd: 1 when it came, 0 when aa-capture ended first. */
static int wait_ready(int rfd)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	char b;

	cr_assert_eq(poll(&p, 1, 20000), 1, "no ready byte in 20 s");
	return read(rfd, &b, 1) == 1 && b == '\n';
}

/* aa-capture with its ready byte on a pipe; *rfd is our end, the child's is closed here. */
static pid_t spawn_ready(const char *const *args, int in_fd, const char *errf, int *rfd)
{
	int p[2];
	char num[16];
	const char *argv[40] = { "--ready-fd", num };
	size_t n = 2;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(fcntl(p[1], F_SETFD, 0), 0); /* only the write end goes to aa-capture */
	snprintf(num, sizeof(num), "%d", p[1]);
	while (*args && n < 39)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid_t pid = cap_spawn(argv, in_fd, errf);
	close(p[1]);
	*rfd = p[0];
	return pid;
}

Test(capture_ready, raw_input_ready_once_the_first_file_exists)
{
	char *path = aat_path(dir, "r.pcapng"), *errf = aat_path(dir, "err.txt");
	struct aat_recs recs = { 0 }, back = { 0 };
	int in[2], rfd;

	cap_mix(&recs, 50, 7, NULL);
	cr_assert_eq(pipe2(in, O_CLOEXEC), 0); /* stdin is dup2'd: our end stays ours */
	pid_t pid = spawn_ready((const char *[]){ "-r", "-", "-w", path, NULL }, in[0], errf, &rfd);
	close(in[0]);
	cr_assert(wait_ready(rfd), "the ready byte");
	cr_expect_eq(access(path, F_OK), 0, "the file exists when ready is said");
	char b;
	cr_expect_eq(read(rfd, &b, 1), 0, "one byte, then the descriptor is closed");
	cap_write_raw(in[1], &recs, 0, recs.n);
	close(in[1]);
	cr_assert_eq(cap_wait(pid), 0);
	cr_assert_eq(aat_read_capture(path, NULL, &back, NULL, NULL), 0);
	cr_expect_eq(aat_recs_diff(&recs, &back), -1, "every record");
	char *msg = cap_slurp(errf);
	cr_expect_eq(strncmp(msg, "aa-capture: ready\n", 18), 0, "the first line: %s", msg);
	cr_expect_null(strstr(msg + 18, "ready"), "said once: %s", msg);
	free(msg);
	close(rfd);
	aat_recs_free(&recs);
	aat_recs_free(&back);
	free(path);
	free(errf);
}

Test(capture_ready, quiet_still_writes_the_byte)
{
	char *path = aat_path(dir, "q.pcapng"), *errf = aat_path(dir, "err.txt");
	int rfd;

	pid_t pid = spawn_ready((const char *[]){ "-q", "-r", "/dev/null", "-w", path, NULL }, -1,
				errf, &rfd);
	cr_expect(wait_ready(rfd));
	cr_assert_eq(cap_wait(pid), 0);
	char *msg = cap_slurp(errf);
	cr_expect_str_eq(msg, "", "-q: nothing on stderr");
	free(msg);
	close(rfd);
	free(path);
	free(errf);
}

/* Runs a capture of /dev/null with NOTIFY_SOCKET=name; returns what the socket at addr got. */
static void notify_case(const char *name, const struct sockaddr_un *sa, socklen_t salen)
{
	char *path = aat_path(dir, "n.pcapng"), buf[64] = "";
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	cr_assert_geq(s, 0);
	cr_assert_eq(bind(s, (const struct sockaddr *)sa, salen), 0, "bind: %s", strerror(errno));
	setenv("NOTIFY_SOCKET", name, 1);
	int rc = cap_run(NULL, NULL, (const char *[]){ "-q", "-r", "/dev/null", "-w", path, NULL });
	unsetenv("NOTIFY_SOCKET");
	cr_expect_eq(rc, 0);
	ssize_t n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	cr_expect_eq(n, 7, "one datagram: %zd", n);
	cr_expect_str_eq(buf, "READY=1");
	close(s);
	free(path);
}

Test(capture_ready, notify_socket_gets_ready_1)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *sock = aat_path(dir, "notify");

	cr_assert_lt(strlen(sock), sizeof(sa.sun_path));
	strcpy(sa.sun_path, sock);
	notify_case(sock, &sa, sizeof(sa));

	/* an abstract socket: '@' in the variable, a NUL in the address */
	char name[64];
	snprintf(name, sizeof(name), "@aa-ready-test-%d", (int)getpid());
	memset(sa.sun_path, 0, sizeof(sa.sun_path));
	memcpy(sa.sun_path + 1, name + 1, strlen(name) - 1);
	notify_case(name, &sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name)));
	free(sock);
}

Test(capture_ready, a_ready_fd_that_is_not_open_is_a_usage_error)
{
	char *path = aat_path(dir, "x.pcapng"), *errf = aat_path(dir, "err.txt");

	int rc = cap_run(NULL, errf, (const char *[]){ "--ready-fd", "57", "-r", "/dev/null", "-w",
						       path, NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 2, "exit %d: %s", rc, msg);
	cr_expect(strstr(msg, "--ready-fd 57: not open for writing"), "%s", msg);
	cr_expect_eq(access(path, F_OK), -1, "no file made");
	free(msg);
	rc = cap_run(NULL, errf, (const char *[]){ "--ready-fd", "x", "-r", "/dev/null", NULL });
	cr_expect_eq(rc, 2);
	free(path);
	free(errf);
}

/* Live: a command started the moment the byte comes is recorded, every time. */
Test(capture_ready, live_a_command_started_right_after_ready_is_recorded)
{
	enum { ROUNDS = 5 };
	char *errf = aat_path(dir, "err.txt");

	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
	for (int round = 0; round < ROUNDS; round++) {
		char name[32], marker[64];
		snprintf(name, sizeof(name), "live%d.pcapng", round);
		char *path = aat_path(dir, name);
		int rfd;
		pid_t cap = spawn_ready((const char *[]){ "-q", "-w", path, "--events", "exec",
							  "--flush-ms", "100", "--duration", "60",
							  NULL }, -1, errf, &rfd);
		if (!wait_ready(rfd)) {
			int rc = cap_wait(cap);
			char *msg = cap_slurp(errf);
			if (rc == 4)
				cr_skip_test("BPF is not available here: %s", msg);
			cr_assert_fail("aa-capture ended before ready (exit %d): %s", rc, msg);
		}
		snprintf(marker, sizeof(marker), "aa-ready-%d-%d", (int)getpid(), round);
		pid_t child = fork();
		cr_assert_geq(child, 0);
		if (child == 0) {
			execl("/bin/true", "true", marker, (char *)NULL);
			_exit(127);
		}
		cr_assert_eq(cap_wait(child), 0);
		cap_sleep_ms(300);
		kill(cap, SIGINT);
		cr_assert_eq(cap_wait(cap), 0);

		struct aat_recs out = { 0 };
		char want[96];
		int found = 0;
		snprintf(want, sizeof(want), "true %s", marker);
		aat_read_capture(path, NULL, &out, NULL, NULL);
		for (size_t i = 0; i < out.n; i++) {
			struct aa_event ev;
			aa_parse(aat_recs_at(&out, i), out.len[i], &ev);
			found += ev.type == AA_TYPE_EXEC && (uint32_t)child == ev.exec->pid &&
				 strcmp((const char *)ev.exec->args, want) == 0;
		}
		cr_expect_eq(found, 1, "round %d: the exec of %s right after ready", round, marker);
		aat_recs_free(&out);
		close(rfd);
		free(path);
	}
	free(errf);
}

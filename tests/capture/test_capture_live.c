/* SPDX-License-Identifier: MIT */
/*
 * aa-capture on the live ring buffer, end to end (root and BPF, skipped
 * otherwise): a known program's exec and exit reach the file through the
 * program, also after -Z has dropped root; kernel drops on a tiny ring are
 * counted and stored in the file, the same number the statistics print.
 */
#include <inttypes.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>

#include "cap_test.h"

static void setup(void)
{
	struct passwd *pw = getpwnam("nobody");

	cap_setup();
	/* For -Z nobody: a directory of nobody's own (one anyone may write in is refused). */
	if (pw && geteuid() == 0)
		cr_assert_eq(chown(dir, pw->pw_uid, pw->pw_gid), 0);
}

TestSuite(capture_live, .init = setup, .fini = cap_teardown, .timeout = 120);

/* Starts a live capture into path and waits until its file exists (the BPF
 * programs are attached by then); skips the test when BPF is not there. */
static pid_t start_live(const char *path, const char *errf, const char *const *more)
{
	const char *args[32] = { "-w", path, "--duration", "60", "--flush-ms", "100" };
	size_t n = 6;

	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
	while (*more && n < 31)
		args[n++] = *more++;
	args[n] = NULL;
	return cap_start_live(path, errf, args);
}

static void stop_live(pid_t pid)
{
	cap_sleep_ms(400); /* a few flush intervals for the last records */
	kill(pid, SIGINT);
	cr_expect_eq(cap_wait(pid), 0, "SIGINT: exit 0");
}

Test(capture_live, a_known_program_reaches_the_file_after_dropping_root)
{
	struct passwd *pw = getpwnam("nobody");
	char *path = aat_path(dir, "live.pcapng"), *errf = aat_path(dir, "err.txt");
	char marker[64], cmd[256], want_args[256];
	const char *paths[1] = { path };
	aa_source *src;
	const struct aa_record *rec;
	struct stat st;
	uint32_t sh_pid = 0;
	int exit_code = -1;

	if (!pw)
		cr_skip_test("no user nobody");
	pid_t cap = start_live(path, errf, (const char *[]){ "-q", "-Z", "nobody", "--events",
							      "exec,exit", NULL });
	snprintf(marker, sizeof(marker), "aa-capture-live-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "sh -c 'exit 42' %s", marker);
	snprintf(want_args, sizeof(want_args), "sh -c exit 42 %s", marker); /* argv joined by spaces */
	cr_assert_eq(aat_run(cmd, NULL, 0), 42);
	stop_live(cap);

	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_uid, pw->pw_uid, "created after -Z, as nobody");
	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, NULL), 0);
	cr_expect_str_eq(aa_source_meta(src)->source, "ringbuf:EVENTS");
	while (aa_next(src, &rec) == 1) {
		/* popen's shell runs "sh -c 'exit 42' MARKER" whose argv is want_args. */
		if (rec->ev.type == AA_TYPE_EXEC &&
		    strcmp((const char *)rec->ev.exec->args, want_args) == 0) {
			const char *file = (const char *)rec->ev.exec->filename;
			cr_expect(strlen(file) > 3 && strcmp(file + strlen(file) - 3, "/sh") == 0,
				  "filename %s", file);
			sh_pid = rec->ev.exec->pid;
		} else if (rec->ev.type == AA_TYPE_EXIT && sh_pid && rec->ev.exit->pid == sh_pid) {
			exit_code = rec->ev.exit->exit_code;
		}
		cr_expect_neq(rec->ev.type, AA_TYPE_FILE, "--events exec,exit: no file records");
	}
	aa_close(src);
	cr_expect_neq(sh_pid, 0, "the exec of sh ... %s is in the file", marker);
	cr_expect_eq(exit_code, 42, "its exit code 42 is in the file");
	free(path);
	free(errf);
}

/* --events fileop reaches the kernel: the fileop syscalls (mkdir, rmdir)
 * under their own names, and no file record (cat's openat and reads). */
Test(capture_live, events_fileop_records_no_file_records)
{
	char *path = aat_path(dir, "fileop.pcapng"), *errf = aat_path(dir, "err.txt");
	char *made = aat_path(dir, "made"), cmd[512];
	const char *paths[1] = { path };
	const struct aa_record *rec;
	int mkdirs = 0, rmdirs = 0, files = 0;
	aa_source *src;

	pid_t cap = start_live(path, errf, (const char *[]){ "-q", "--events", "fileop", NULL });
	snprintf(cmd, sizeof(cmd), "mkdir %s && rmdir %s && cat /etc/hostname >/dev/null", made, made);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	stop_live(cap);

	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, NULL), 0);
	while (aa_next(src, &rec) == 1) {
		files += rec->ev.type == AA_TYPE_FILE;
		if (rec->ev.type != AA_TYPE_FILEOP || strcmp((const char *)rec->ev.fileop->path, made))
			continue;
		mkdirs += rec->ev.fileop->syscall == AA_SYS_MKDIR || rec->ev.fileop->syscall == AA_SYS_MKDIRAT;
		rmdirs += rec->ev.fileop->syscall == AA_SYS_RMDIR;
	}
	aa_close(src);
	cr_expect_eq(mkdirs, 1, "one mkdir of %s", made);
	cr_expect_eq(rmdirs, 1, "one rmdir of %s", made);
	cr_expect_eq(files, 0, "--events fileop: no file records");
	free(made);
	free(path);
	free(errf);
}

Test(capture_live, kernel_drops_are_counted_in_the_file_and_the_statistics)
{
	char *path = aat_path(dir, "drops.pcapng"), *errf = aat_path(dir, "err.txt");
	struct aat_recs out = { 0 };
	struct aa_source_stats st;

	pid_t cap = start_live(path, errf, (const char *[]){ "--ring-size", "4096", "--events",
							      "file", NULL });
	/* Thousands of file records at once into a 4 KiB ring (13 records fit). */
	cr_assert_eq(aat_run("for i in $(seq 300); do cat /etc/hostname /etc/hostname; done "
			     "> /dev/null", NULL, 0), 0);
	stop_live(cap);

	aat_read_capture(path, NULL, &out, &st, NULL);
	cr_expect_gt(st.dropped, 0, "a 4 KiB ring overflows: %" PRIu64 " dropped", st.dropped);
	cr_expect_eq(st.dropped, st.drops[AA_DROP_FILE], "all drops are file records");
	char *msg = cap_slurp(errf), want[96];
	snprintf(want, sizeof(want), "aa-capture: %" PRIu64 " dropped in the kernel", st.dropped);
	cr_expect(strstr(msg, want), "the statistics say %s: %s", want, msg);
	free(msg);
	aat_recs_free(&out);
	free(path);
	free(errf);
}

/* --argv-max sets how much of an exec's argv the string records hold. */
Test(capture_live, argv_max_cuts_the_argv_with_its_length)
{
	char *path = aat_path(dir, "argv.pcapng"), *errf = aat_path(dir, "err.txt");
	char cmd[8192], marker[64];
	const char *paths[1] = { path };
	const struct aa_record *rec;
	uint32_t sh_pid = 0, total = 0, orig = 0, flags = 0, pieces = 0;
	aa_source *src;

	pid_t cap = start_live(path, errf, (const char *[]){ "-q", "--events", "exec,string", "--argv-max", "5000", NULL });
	/* sh -c 'exit 0' MARKER and 6000 x's: 3 + 3 + 7 + (MARKER+1) + 6001 bytes. */
	snprintf(marker, sizeof(marker), "aa-argv-max-%d", (int)getpid());
	int n = snprintf(cmd, sizeof(cmd), "sh -c 'exit 0' %s ", marker);
	memset(cmd + n, 'x', 6000);
	cmd[n + 6000] = 0;
	cr_assert_eq(aat_run(cmd, NULL, 0), 0);
	stop_live(cap);

	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, NULL), 0);
	while (aa_next(src, &rec) == 1) {
		/* The inner sh, not popen's shell running the whole command line. */
		if (rec->ev.type == AA_TYPE_EXEC && !strncmp((const char *)rec->ev.exec->args, "sh -c exit 0 ", 13) &&
		    strstr((const char *)rec->ev.exec->args, marker))
			sh_pid = rec->ev.exec->pid;
		if (rec->ev.type == AA_TYPE_STRING && rec->ev.string->kind == AA_STRING_ARGV && !sh_pid &&
		    !memcmp(rec->ev.string->data, "sh\0-c\0exit 0\0", 13) &&
		    memmem(rec->ev.string->data, AA_STRING_PIECE_MAX, marker, strlen(marker))) {
			total = rec->ev.string->total_len;
			orig = rec->ev.string->orig_len;
			flags = rec->ev.string->flags;
			pieces++;
		}
	}
	aa_close(src);
	cr_assert_neq(sh_pid, 0, "no exec of the marked sh");
	cr_expect_eq(pieces, 1, "the marker is in the first piece only");
	cr_expect_eq(total, 5000);
	cr_expect_eq(orig, 3 + 3 + 7 + strlen(marker) + 1 + 6001);
	cr_expect_eq(flags, AA_STRING_TRUNCATED);
	free(path);
	free(errf);
}

Test(capture_live, a_missing_ssl_library_is_a_usage_error)
{
	char *path = aat_path(dir, "x.pcapng"), *errf = aat_path(dir, "err.txt");

	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
	int rc = cap_run(NULL, errf, (const char *[]){ "-w", path, "--duration", "1", "--ssl-lib",
						       "/nonexistent/libssl.so.3", NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 2, "exit %d: %s", rc, msg);
	cr_expect(strstr(msg, "/nonexistent/libssl.so.3"), "the message names it: %s", msg);
	cr_expect_eq(access(path, F_OK), -1, "no file made");
	free(msg);
	free(path);
	free(errf);
}

/* --events net: this process's connect to its own listener is in the file,
 * with its socket and the port it went to; nothing else is. */
Test(capture_live, events_net_records_a_connect)
{
	char *path = aat_path(dir, "net.pcapng"), *errf = aat_path(dir, "err.txt");
	const char *paths[1] = { path };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	const struct aa_record *rec;
	aa_source *src;
	struct stat st;
	int l, c, found = 0;

	pid_t cap = start_live(path, errf, (const char *[]){ "-q", "--events", "net", NULL });
	l = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(l >= 0 && bind(l, (struct sockaddr *)&a, alen) == 0 && listen(l, 1) == 0 &&
		  getsockname(l, (struct sockaddr *)&a, &alen) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(c >= 0 && connect(c, (struct sockaddr *)&a, alen) == 0 && fstat(c, &st) == 0);
	stop_live(cap);
	close(c);
	close(l);

	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, NULL), 0);
	while (aa_next(src, &rec) == 1) {
		cr_assert_eq(rec->ev.type, AA_TYPE_NET, "only net records selected");
		if (rec->ev.net->pid == (uint32_t)getpid() && rec->ev.net->syscall == AA_NET_CONNECT) {
			cr_expect_eq(rec->ev.net->fd, c);
			cr_expect_eq(rec->ev.net->conn, st.st_ino);
			cr_expect_eq(rec->ev.net->peer_port, ntohs(a.sin_port));
			cr_expect_eq(rec->ev.net->return_code, 0);
			found++;
		}
	}
	aa_close(src);
	cr_expect_eq(found, 1, "%d connect records of this process", found);
	free(path);
	free(errf);
}

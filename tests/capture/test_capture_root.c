/* SPDX-License-Identifier: MIT */
/*
 * aa-capture where root is needed to set the scene (skipped otherwise): a
 * full disk (a 256 KiB tmpfs) must give exit 3, one line naming the file and
 * the error, a file that reads intact up to its last whole block, and a
 * summary that counts what is in it; -Z must leave no way back to root and
 * create the files as that user.
 */
#include <pwd.h>
#include <sys/mount.h>

#include "cap_test.h"

TestSuite(capture_root, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (mount a tmpfs, change user)");
}

/* A 256 KiB tmpfs at dir/name (malloc'd path); skips the test when none can be mounted. */
static char *small_disk(const char *name)
{
	char *mnt = aat_path(dir, name);

	need_root();
	cr_assert_eq(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=256k,mode=0700") != 0)
		cr_skip_test("cannot mount a tmpfs here: %s", strerror(errno));
	return mnt;
}

/* The figures of aa-capture's summary at exit. */
struct summary {
	unsigned long long records, by_type[AA_TYPE_COUNT], invalid, bytes_raw, bytes_file, files;
};

static void read_summary(const char *msg, struct summary *s)
{
	const char *p = strstr(msg, "aa-capture: "), *q;

	cr_assert(p && (p = strstr(p, " records written")), "summary: %s", msg);
	while (p > msg && p[-1] != ' ')
		p--;
	cr_assert_eq(sscanf(p, "%llu records written (tls %llu, file %llu, exec %llu, exit %llu,"
			       " task %llu, string %llu, tls_conn %llu, fileop %llu, net %llu,"
			       " unknown %llu; %llu invalid)",
			    &s->records, &s->by_type[AA_TYPE_TLS], &s->by_type[AA_TYPE_FILE],
			    &s->by_type[AA_TYPE_EXEC], &s->by_type[AA_TYPE_EXIT],
			    &s->by_type[AA_TYPE_TASK], &s->by_type[AA_TYPE_STRING],
			    &s->by_type[AA_TYPE_TLS_CONN], &s->by_type[AA_TYPE_FILEOP],
			    &s->by_type[AA_TYPE_NET], &s->by_type[AA_TYPE_UNKNOWN], &s->invalid),
		     12, "summary: %s", msg);
	q = strstr(msg, " record bytes, ");
	cr_assert(q, "summary: %s", msg);
	while (q > msg && q[-1] != ' ')
		q--;
	cr_assert_eq(sscanf(q, "%llu record bytes, %llu bytes written in %llu file", &s->bytes_raw,
			    &s->bytes_file, &s->files), 3, "summary: %s", msg);
}

Test(capture_root, full_disk_exits_3_and_keeps_whole_blocks)
{
	struct aat_recs in = { 0 }, out = { 0 };
	struct aa_source_stats st;
	struct summary sum;
	char *mnt = small_disk("small"), *raw = aat_path(dir, "in.raw");
	char *cap = aat_path(mnt, "full.pcapng"), *errf = aat_path(dir, "err.txt");

	cap_mix(&in, 4000, 6000, NULL); /* random bytes: hardly compressible, well over 256 KiB */
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);

	int rc = cap_run(NULL, errf, (const char *[]){ "-r", raw, "-w", cap, NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 3, "exit %d", rc);
	/* "ready" comes after the first read that could be written: before the
	 * error when the disk filled later, not at all when the first read did. */
	size_t ready = strncmp(msg, "aa-capture: ready\n", 18) == 0 ? 18 : 0;
	char *first = strdup(msg + ready);
	first[strcspn(first, "\n")] = 0;
	cr_expect(strstr(first, "full.pcapng") && strstr(first, "No space left on device"),
		  "one line naming the file and ENOSPC: %s", msg);
	const char *rest = msg + ready + strlen(first) + 1;
	cr_expect(strncmp(rest, "aa-capture: ", 12) == 0 && !strstr(rest, "full.pcapng"),
		  "then the summary alone: %s", msg);

	/* Cut back to its last whole block: it reads to its very end, where only
	 * the END chunk is missing. */
	struct aa_error_info err;
	rc = aat_read_capture(cap, NULL, &out, &st, &err);
	cr_expect_eq(rc, AA_E_UNCLOSED, "%s", aa_error_name(rc));
	cr_expect_eq(err.offset, (int64_t)cap_size(cap), "the last whole block ends at %jd, the file at %jd",
		     (intmax_t)err.offset, (intmax_t)cap_size(cap));
	cr_expect_gt(out.n, 0, "records written before the disk filled are kept");
	cr_expect_lt(out.n, in.n);
	struct aat_recs head = { 0 };
	for (size_t i = 0; i < out.n; i++)
		aat_recs_add(&head, aat_recs_at(&in, i), in.len[i]);
	cr_expect_eq(aat_recs_diff(&out, &head), -1, "what is there is the input's beginning");

	/* The summary counts what is in the file, not what was handed to the writer. */
	read_summary(msg, &sum);
	cr_expect_eq(sum.records, out.n, "summary %llu records, the file %zu", sum.records, out.n);
	cr_expect_eq(sum.records, st.records);
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		cr_expect_eq(sum.by_type[t], st.by_type[t], "type %d: summary %llu, file %llu", t,
			     sum.by_type[t], (unsigned long long)st.by_type[t]);
	cr_expect_eq(sum.invalid, st.invalid);
	cr_expect_eq(sum.bytes_raw, st.bytes_raw, "record bytes: summary %llu, file %llu",
		     sum.bytes_raw, (unsigned long long)st.bytes_raw);
	cr_expect_eq(sum.bytes_file, (unsigned long long)cap_size(cap), "bytes: summary %llu, file %jd",
		     sum.bytes_file, (intmax_t)cap_size(cap));
	cr_expect_eq(sum.bytes_file, st.bytes_stored, "as aa-replay info reads the file");
	cr_expect_eq(sum.files, 1);

	umount2(mnt, MNT_DETACH);
	free(first);
	free(msg);
	aat_recs_free(&in);
	aat_recs_free(&out);
	aat_recs_free(&head);
	free(raw);
	free(mnt);
	free(cap);
	free(errf);
}

/* No room even for the file's first block: ENOSPC named, exit 3, no empty file left. */
Test(capture_root, disk_full_at_the_start_names_enospc)
{
	struct aat_recs in = { 0 };
	char *mnt = small_disk("small"), *raw = aat_path(dir, "in.raw");
	char *filler = aat_path(mnt, "filler"), *cap = aat_path(mnt, "none.pcapng");
	char *errf = aat_path(dir, "err.txt"), *bin = cap_bin(), cmd[2048];

	cap_mix(&in, 50, 7, NULL);
	cr_assert_eq(aat_recs_write_raw(&in, raw), 0);
	snprintf(cmd, sizeof(cmd), "cat /dev/zero > '%s' 2> /dev/null", filler);
	aat_run(cmd, NULL, 0); /* until the disk is full */

	int rc = cap_run(NULL, errf, (const char *[]){ "-q", "-r", raw, "-w", cap, NULL });
	char *msg = cap_slurp(errf);
	cr_expect_eq(rc, 3, "exit %d", rc);
	cr_expect(strstr(msg, "none.pcapng") && strstr(msg, "No space left on device"),
		  "message: %s", msg);
	cr_expect_eq(strchr(msg, '\n') - msg + 1, (long)strlen(msg), "one line: %s", msg);
	cr_expect_eq(access(cap, F_OK), -1, "no empty file left behind");
	free(msg);

	/* The same on standard output: /dev/full says ENOSPC to every write. */
	snprintf(cmd, sizeof(cmd), "'%s' -q -r '%s' -w - > /dev/full 2> '%s'", bin, raw, errf);
	cr_expect_eq(aat_run(cmd, NULL, 0), 3);
	msg = cap_slurp(errf);
	cr_expect_str_eq(msg, "aa-capture: -: write failed: No space left on device\n");

	umount2(mnt, MNT_DETACH);
	free(msg);
	aat_recs_free(&in);
	free(raw);
	free(mnt);
	free(filler);
	free(cap);
	free(errf);
	free(bin);
}

/* The value after key in /proc/PID/status, e.g. "65534\t65534\t65534\t65534"
 * for "Uid:", trailing blanks cut. (Read with stdio: the file's size is 0.) */
static void status_line(pid_t pid, const char *key, char *out, size_t size)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		char *p = line + strlen(key);
		p += strspn(p, "\t ");
		size_t n = strlen(p);
		while (n && (p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		snprintf(out, size, "%.*s", (int)n, p);
		break;
	}
	fclose(f);
	cr_assert(out[0], "%s in %s", key, path);
}

Test(capture_root, drop_privileges_for_good)
{
	struct passwd *pw = getpwnam("nobody");
	char *pub = aat_path(dir, "pub"), *cap, *script, *log;
	char want[64], line[256], body[512];
	int p[2];
	struct stat st;

	need_root();
	if (!pw)
		cr_skip_test("no user nobody");
	/* The files go where they should: a directory of the capture user's own. */
	cr_assert_eq(mkdir(pub, 0700), 0);
	cr_assert_eq(chown(pub, pw->pw_uid, pw->pw_gid), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	cap = aat_path(pub, "z.pcapng");
	script = aat_path(pub, "whoami.sh");
	log = aat_path(pub, "whoami.log");
	snprintf(body, sizeof(body), "#!/bin/sh\nid -u > '%s'\n", log);
	cr_assert_eq(aat_write_file(script, body, strlen(body)), 0);
	cr_assert_eq(chmod(script, 0755), 0);

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = cap_spawn((const char *[]){ "-q", "-r", "-", "-w", cap, "-Z", "nobody", "-z",
						script, "--duration", "30", NULL },
			      p[0], NULL);
	close(p[0]);
	for (int waited = 0; access(cap, F_OK) != 0 && waited < 3000; waited += 20)
		cap_sleep_ms(20);

	/* Every uid and gid is nobody's, no supplementary group but its own, no capability. */
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_uid, pw->pw_uid, pw->pw_uid, pw->pw_uid);
	status_line(pid, "Uid:", line, sizeof(line));
	cr_expect_str_eq(line, want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", pw->pw_gid, pw->pw_gid, pw->pw_gid, pw->pw_gid);
	status_line(pid, "Gid:", line, sizeof(line));
	cr_expect_str_eq(line, want);
	snprintf(want, sizeof(want), "%u", pw->pw_gid);
	status_line(pid, "Groups:", line, sizeof(line));
	cr_expect_str_eq(line, want);
	status_line(pid, "CapEff:", line, sizeof(line));
	cr_expect_str_eq(line, "0000000000000000");
	status_line(pid, "CapPrm:", line, sizeof(line));
	cr_expect_str_eq(line, "0000000000000000");

	kill(pid, SIGTERM);
	cr_expect_eq(cap_wait(pid), 0);
	close(p[1]);
	cr_assert_eq(stat(cap, &st), 0);
	cr_expect_eq(st.st_uid, pw->pw_uid, "the file was created as nobody");
	cr_expect_eq(st.st_mode & 07777, 0600);
	char *who = cap_slurp(log);
	snprintf(want, sizeof(want), "%u\n", pw->pw_uid);
	cr_expect_str_eq(who, want, "-z ran as nobody");
	free(who);
	free(pub);
	free(cap);
	free(script);
	free(log);
}

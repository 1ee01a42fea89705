/* SPDX-License-Identifier: MIT */
/*
 * The process tree (aa_tree.h) and the comparison by what happened
 * (aa_diff.h) on jobs written through the real writer: parents and
 * children from fork records, exact argv, exits and deaths by signal,
 * counts per process, a reused pid, and two runs of one job with other
 * pids, times and temporary directory names found alike, a changed one
 * found different with the change named.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>

#include "aa_diff.h"
#include "aa_tree.h"
#include "capio.h"
#include "evid.h"
#include "files.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(tree_diff);

struct job {
	struct aat_recs r;
	uint64_t ts;    /* monotonic time of the next record */
	uint32_t pid0;  /* the job's first pid */
	const char *tmp; /* its temporary directory's name */
	const char *final; /* what the mv renames out.txt to */
	int swap;       /* fork the two first children the other way round */
};

static void fork_exec(struct job *j, uint32_t pid, uint32_t ppid, const char *comm, const char *argv,
		      uint32_t argv_len)
{
	struct aa_exec_event ex = { .pid = pid, .ppid = ppid, .uid = 1000 };
	const char *file = "/usr/bin/prog";

	aat_add_task(&j->r, AA_TASK_FORK, j->ts++, pid, pid, ppid, comm, "job.scope", 0);
	ex.timestamp_ns = j->ts++;
	aat_add_task(&j->r, AA_TASK_EXEC, ex.timestamp_ns, pid, pid, ppid, comm, "job.scope", 0);
	aat_add_string(&j->r, ex.timestamp_ns, pid, pid, AA_STRING_ARGV, argv, argv_len, argv_len, 0);
	aat_add_string(&j->r, ex.timestamp_ns, pid, pid, AA_STRING_FILENAME, file, (uint32_t)strlen(file),
		       (uint32_t)strlen(file), 0);
	strcpy((char *)ex.filename, file);
	aat_recs_add(&j->r, &ex, sizeof(ex));
}

static void file_op(struct job *j, uint32_t pid, uint32_t syscall, uint32_t flags, int64_t ret,
		    const char *path, size_t len)
{
	struct aa_file_event f = { .pid = pid, .tid = pid, .timestamp_ns = j->ts++, .syscall = syscall,
				   .flags = flags, .return_code = ret, .duration_ns = 1000 };

	memcpy(f.path, path, len);
	aat_recs_add(&j->r, &f, sizeof(f));
}

/* A failed execve of file by pid: ENOENT. */
static void exec_failed(struct job *j, uint32_t pid, const char *file)
{
	struct aa_task_event t = { .timestamp_ns = j->ts++, .pid = pid, .tid = pid, .ppid = 1,
				   .kind = AA_TASK_EXEC_FAILED, .error = 2 };

	aat_add_string(&j->r, t.timestamp_ns, pid, pid, AA_STRING_FILENAME, file, (uint32_t)strlen(file),
		       (uint32_t)strlen(file), 0);
	strcpy((char *)t.comm, "sh");
	aat_recs_add(&j->r, &t, sizeof(t));
}

static void exit_with(struct job *j, uint32_t pid, uint32_t ppid, int32_t status)
{
	struct aa_exit_event e = { .pid = pid, .exit_code = status & 0x7f ? 128 + (status & 0x7f) : status >> 8 };

	e.timestamp_ns = j->ts++;
	aat_add_task(&j->r, AA_TASK_EXIT, e.timestamp_ns, pid, pid, ppid, "x", "job.scope", status);
	aat_recs_add(&j->r, &e, sizeof(e));
}

#define ARGV(s) s, (uint32_t)sizeof(s)

/* Writes the job's records to a capture file at path. */
static void job_save(struct job *j, const char *path)
{
	struct aa_writer_opts o = { .mono_to_wall = 1795642201000000000LL, .source = "test" };

	cr_assert_eq(aat_write_capture(path, &j->r, 0, j->r.n, &o, 0, NULL), 0);
	aat_recs_free(&j->r);
}

/*
 * sh -c job: cat of a file in the job's temporary directory (exit 1,
 * ENOENT), mv out.txt to final (a rename), and a child killed by SIGKILL;
 * then pid0+1 is used again by a last process.
 */
static void job_write(struct job *j, const char *path)
{
	uint32_t p = j->pid0;
	char catv[128], in[96], ren[200];
	int n;

	fork_exec(j, p, 1, "sh", ARGV("sh\0-c\0job"));
	exec_failed(j, p, "/nonexistent-prog");
	n = snprintf(catv, sizeof(catv), "cat%c/tmp/%s/in.txt", 0, j->tmp);
	snprintf(in, sizeof(in), "/tmp/%s/in.txt", j->tmp);
	if (j->swap) /* the sleep first: start order decides, not pids */
		fork_exec(j, p + 3, p, "sleep", ARGV("sleep\0" "9"));
	fork_exec(j, p + 1, p, "cat", catv, (uint32_t)n + 1);
	file_op(j, p + 1, AA_SYS_OPENAT, 0, -2, in, strlen(in));
	exit_with(j, p + 1, p, 1 << 8);
	if (!j->swap)
		fork_exec(j, p + 3, p, "sleep", ARGV("sleep\0" "9"));
	fork_exec(j, p + 2, p, "mv", ARGV("mv\0out.txt\0final"));
	n = snprintf(ren, sizeof(ren), "/w/out.txt%c/w/%s", 0, j->final);
	file_op(j, p + 2, AA_SYS_RENAME, 0, 0, ren, (size_t)n);
	exit_with(j, p + 2, p, 0);
	exit_with(j, p + 3, p, 9); /* SIGKILL */
	fork_exec(j, p + 1, p, "true", ARGV("true"));
	exit_with(j, p + 1, p, 0);
	exit_with(j, p, 1, 0);
	job_save(j, path);
}

static char *job_file(const char *name, uint32_t pid0, uint64_t ts, const char *tmp, const char *final, int swap)
{
	struct job j = { .ts = ts, .pid0 = pid0, .tmp = tmp, .final = final, .swap = swap };
	char *path = aat_path(dir, name);

	job_write(&j, path);
	return path;
}

static aa_source *open_one(const char *path)
{
	aa_source *src;

	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0);
	return src;
}

/* What aa_diff_describe says of the capture file at path with options o
 * (NULL: the defaults); the caller frees it. */
static char *describe(const char *path, const struct aa_diff_opts *o)
{
	aa_source *src = open_one(path);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	cr_assert_eq(aa_diff_describe(src, o, out, NULL), 0);
	cr_assert_eq(fclose(out), 0);
	aa_close(src);
	return text;
}

static int argv_is(const struct aa_tree_node *n, const char *argv, size_t len)
{
	return n && n->proc.argv.data && n->proc.argv.len == len && !memcmp(n->proc.argv.data, argv, len);
}

Test(tree_diff, tree_links_children_in_start_order_with_exits_and_counts)
{
	char *path = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	aa_source *src = open_one(path);
	struct aa_tree_stats st;
	aa_tree *t;

	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 5, "sh, cat, sleep, mv and the pid used again: %u", st.nodes);
	cr_assert_eq(st.roots, 1);
	/* the walk is the pre-order: sh, then its children by start time */
	const struct aa_tree_node *sh = aa_tree_walk(t, NULL, NULL);
	cr_assert(argv_is(sh, "sh\0-c\0job", 10));
	cr_assert(sh->last, "the only root");
	cr_assert_null(sh->parent);
	cr_assert_eq(sh->proc.exit_code, 0);
	cr_assert_eq(sh->nchildren, 4);
	uint32_t sh_id = sh->id, kids[4];
	memcpy(kids, sh->children, sizeof(kids));
	const struct aa_tree_node *cat = aa_tree_walk(t, NULL, sh);
	cr_assert_eq(cat->proc.pid, 101);
	cr_assert_eq(cat->id, kids[0]);
	cr_assert_eq(cat->proc.exit_code, 1);
	cr_assert_eq(cat->counts.file, 1);
	cr_assert_eq(cat->parent->id, sh_id);
	cr_assert_eq(cat->depth, 1);
	cr_assert_not(cat->last);
	uint32_t cat_id = cat->id;
	/* a subtree's walk stays in it */
	cr_assert_null(aa_tree_walk(t, cat, cat));
	cr_assert_eq(aa_tree_walk(t, cat, NULL), cat, "its first is itself");
	const struct aa_tree_node *sleep = aa_tree_walk(t, NULL, cat);
	cr_assert(argv_is(sleep, "sleep\0" "9", 8));
	cr_assert_eq(sleep->id, kids[1]);
	cr_assert_eq(sleep->proc.signal, 9, "killed by SIGKILL");
	const struct aa_tree_node *mv = aa_tree_walk(t, NULL, sleep);
	cr_assert(argv_is(mv, "mv\0out.txt\0final", 17));
	cr_assert_eq(mv->counts.file, 1);
	const struct aa_tree_node *tr = aa_tree_walk(t, NULL, mv);
	cr_assert_eq(tr->proc.pid, 101, "pid 101 again: a process of its own");
	cr_assert(argv_is(tr, "true", 5));
	cr_assert_eq(tr->id, kids[3]);
	cr_assert(tr->last);
	cr_assert_neq(tr->id, cat_id);
	cr_assert_eq(tr->parent->id, sh_id);
	cr_assert_null(aa_tree_walk(t, NULL, tr));
	cr_assert_eq(aa_tree_walk_error(t), 0);
	aa_tree_free(t);
	aa_close(src);
	free(path);
}

struct lines {
	char buf[16384];
	size_t len;
};

static int collect(void *user, const char *line, size_t len)
{
	struct lines *l = user;

	cr_assert_eq(strlen(line), len);
	if (l->len + len + 2 < sizeof(l->buf)) {
		memcpy(l->buf + l->len, line, len);
		l->buf[l->len + len] = '\n';
		l->len += len + 1;
		l->buf[l->len] = 0;
	}
	return 0;
}

Test(tree_diff, same_job_other_pids_times_and_temp_dirs_is_alike)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	char *b = job_file("b.pcapng", 7000, 99000000, "tmpzz99yy88", "final", 0);
	struct lines l = { .len = 0 };
	struct aa_diff_opts o = { .on_line = collect, .user = &l };
	struct aa_diff_result res;
	struct aa_error_info err;

	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, &err), 0,
		     "%s", l.buf);
	cr_assert_eq(res.different, 0);
	cr_assert_eq(res.processes_a, 5);
	cr_assert_eq(res.processes_b, 5);
	cr_assert_eq(res.lines_a, res.lines_b);
	cr_assert(res.intact_a && res.intact_b);
	cr_assert_eq(l.len, 0, "no diff lines: %s", l.buf);

	/* the temporary directory told apart when masks are off */
	o.no_default_masks = 1;
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, &err), 1);
	cr_assert(strstr(l.buf, "-  process \"cat\" \"/tmp/tmpab12cd34/in.txt\"\n"), "%s", l.buf);
	cr_assert(strstr(l.buf, "+  process \"cat\" \"/tmp/tmpzz99yy88/in.txt\"\n"), "%s", l.buf);
	cr_assert(strstr(l.buf, "open \"/tmp/tmpzz99yy88/in.txt\" O_RDONLY -> ENOENT\n"), "%s", l.buf);
	free(a);
	free(b);
}

Test(tree_diff, a_file_against_itself_is_alike)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	struct aa_diff_result res;

	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&a, 1, NULL, &res, NULL), 0);
	cr_assert_eq(res.removed + res.added, 0);
	free(a);
}

Test(tree_diff, changed_rename_is_different_and_named)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	char *b = job_file("b.pcapng", 300, 5000, "tmpab12cd34", "result", 0);
	struct lines l = { .len = 0 };
	struct aa_diff_opts o = { .on_line = collect, .user = &l, .label_a = "A", .label_b = "B" };
	struct aa_diff_result res;

	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, NULL), 1);
	cr_assert_eq(res.removed, 1, "%s", l.buf);
	cr_assert_eq(res.added, 1, "%s", l.buf);
	cr_assert(!strncmp(l.buf, "--- A\n+++ B\n@@ -", 16), "%s", l.buf);
	cr_assert(strstr(l.buf, " @@ process \"mv\" \"out.txt\" \"final\"\n"), "the hunk names its process: %s", l.buf);
	cr_assert(strstr(l.buf, "\n-    rename \"/w/out.txt\" -> \"/w/final\"\n"), "%s", l.buf);
	cr_assert(strstr(l.buf, "\n+    rename \"/w/out.txt\" -> \"/w/result\"\n"), "%s", l.buf);

	/* leaving those paths out makes the two alike */
	const char *ign[] = { "/w/(final|result)$" };
	o.ignore_paths = ign;
	o.nignore_paths = 1;
	l.len = 0;
	l.buf[0] = 0;
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, NULL), 0,
		     "%s", l.buf);

	/* read on threads: the same answer, line for line */
	struct lines t = { .len = 0 };
	o.nignore_paths = 0;
	o.user = &t;
	o.threads = 3;
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, NULL), 1);
	l.len = 0;
	l.buf[0] = 0;
	o.user = &l;
	o.threads = 0;
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, NULL), 1);
	cr_assert_str_eq(t.buf, l.buf);
	free(a);
	free(b);
}

Test(tree_diff, siblings_by_start_order_then_argv)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	char *b = job_file("b.pcapng", 100, 1000, "tmpab12cd34", "final", 1);
	struct aa_diff_result res;

	/* sleep forked before cat: another order of the same children */
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, NULL, &res, NULL), 1);
	cr_assert_eq(res.removed, res.added);
	free(a);
	free(b);
}

/*
 * sh with two children, cat and ls; cat opens /a then /b, ls opens /c.
 * how: 0 as said, 1 cat opens /b first, 2 /b is opened by ls (after its
 * /c) instead of cat. The three have the same lines, as many of each.
 */
static char *moved_file(const char *name, uint32_t p, int how)
{
	struct job j = { .ts = 1000 + p };
	char *path = aat_path(dir, name);

	fork_exec(&j, p, 1, "sh", ARGV("sh\0-c\0job"));
	fork_exec(&j, p + 1, p, "cat", ARGV("cat"));
	file_op(&j, p + 1, AA_SYS_OPENAT, 0, 3, how == 1 ? "/b" : "/a", 2);
	if (how != 2)
		file_op(&j, p + 1, AA_SYS_OPENAT, 0, 3, how == 1 ? "/a" : "/b", 2);
	exit_with(&j, p + 1, p, 0);
	fork_exec(&j, p + 2, p, "ls", ARGV("ls"));
	file_op(&j, p + 2, AA_SYS_OPENAT, 0, 3, "/c", 2);
	if (how == 2)
		file_op(&j, p + 2, AA_SYS_OPENAT, 0, 3, "/b", 2);
	exit_with(&j, p + 2, p, 0);
	exit_with(&j, p, 1, 0);
	job_save(&j, path);
	return path;
}

Test(tree_diff, the_same_lines_in_another_order_or_process_are_different)
{
	/* two texts of as many lines are alike only when their lines are in
	 * the same order under the same processes: the texts' fingerprints
	 * must tell these apart, or no diff would be made */
	char *a = moved_file("a.pcapng", 100, 0), *same = moved_file("same.pcapng", 500, 0);
	char *swapped = moved_file("swapped.pcapng", 200, 1), *moved = moved_file("moved.pcapng", 300, 2);
	struct lines l = { .len = 0 };
	struct aa_diff_opts o = { .on_line = collect, .user = &l, .context = 1 };
	struct aa_diff_result res;

	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&same, 1, &o, &res, NULL), 0,
		     "%s", l.buf);
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&swapped, 1, &o, &res, NULL), 1);
	cr_assert_eq(res.lines_a, res.lines_b);
	cr_assert_eq(res.removed, 1, "%s", l.buf);
	cr_assert_eq(res.added, 1, "%s", l.buf);
	cr_assert(strstr(l.buf, " @@ process \"cat\"\n     exit 0\n-    open \"/a\" O_RDONLY\n"
				"     open \"/b\" O_RDONLY\n+    open \"/a\" O_RDONLY\n"), "%s", l.buf);
	l.len = 0;
	l.buf[0] = 0;
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&moved, 1, &o, &res, NULL), 1);
	cr_assert_eq(res.lines_a, res.lines_b);
	cr_assert_eq(res.removed, 1, "%s", l.buf);
	cr_assert_eq(res.added, 1, "%s", l.buf);
	cr_assert(strstr(l.buf, "\n-    open \"/b\" O_RDONLY\n"), "%s", l.buf);
	cr_assert(strstr(l.buf, "\n     open \"/c\" O_RDONLY\n+    open \"/b\" O_RDONLY\n"), "%s", l.buf);
	free(a);
	free(same);
	free(swapped);
	free(moved);
}

Test(tree_diff, ignore_field_and_bad_input)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	char *b = job_file("b.pcapng", 300, 5000, "tmpab12cd34", "result", 0);
	char *missing = aat_path(dir, "none.pcapng");
	struct aa_diff_opts o = { .ignore_fields = aa_diff_field("rename") | aa_diff_field("argv") };
	struct aa_diff_result res;
	struct aa_error_info err;

	cr_assert_eq(aa_diff_field("nonsense"), 0);
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, &err), 0);

	const char *bad[] = { "a(" };
	o.ignore_paths = bad;
	o.nignore_paths = 1;
	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, &o, &res, &err),
		     AA_E_INVAL);
	cr_assert(strstr(err.detail, "bad regular expression 'a('"), "%s", err.detail);

	cr_assert_eq(aa_diff_files((const char *const *)&a, 1, (const char *const *)&missing, 1, NULL, &res, &err),
		     AA_E_IO);
	cr_assert_str_eq(err.path, missing);
	cr_assert_eq(res.different, 0);
	free(a);
	free(b);
	free(missing);
}

Test(tree_diff, describe_names_a_failed_exec_and_masks_the_temp_dir)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	char *text = describe(a, NULL);

	cr_assert(!strncmp(text, "process \"sh\" \"-c\" \"job\"\n  exe \"/usr/bin/prog\"\n  exit 0\n"
			   "  exec failed \"/nonexistent-prog\" -> ENOENT\n", 90), "%s", text);
	cr_assert(strstr(text, "\n  process \"cat\" \"$TMP/in.txt\"\n    exe \"/usr/bin/prog\"\n    exit 1\n"
			       "    open \"$TMP/in.txt\" O_RDONLY -> ENOENT\n"), "%s", text);
	cr_assert(strstr(text, "\n  process \"sleep\" \"9\"\n    exe \"/usr/bin/prog\"\n    killed by SIGKILL\n"), "%s", text);
	free(text);
	free(a);
}

/* Each default mask is tried only on strings holding its literal part
 * (diff.c's default_needles): a path with several of them is masked by
 * each, the same whether met first (argv) or again (the open, from the memo). */
Test(tree_diff, describe_applies_every_default_mask_in_one_path)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmp.AbCdEfGhIj/proc/42/pipe:[7]/dev/pts/3/socket:[9]", "final", 0);
	char *text = describe(a, NULL);
	struct aa_diff_opts o = { .no_default_masks = 1 };

	cr_assert(strstr(text, "\n  process \"cat\" \"$TMP/proc/$PID/$PIPE/dev/pts/$N/$PIPE/in.txt\"\n"), "%s", text);
	cr_assert(strstr(text, "\n    open \"$TMP/proc/$PID/$PIPE/dev/pts/$N/$PIPE/in.txt\" O_RDONLY -> ENOENT\n"),
		  "%s", text);
	free(text);

	text = describe(a, &o);
	cr_assert(strstr(text, "\n    open \"/tmp/tmp.AbCdEfGhIj/proc/42/pipe:[7]/dev/pts/3/socket:[9]/in.txt\""),
		  "%s", text);
	free(text);
	free(a);
}

/* The same path opened, written, removed and failed to exec in several
 * ways, by two processes: each way is a line of its own (made once, then found again:
 * diff_text.c's line memo), each line once per process. */
Test(tree_diff, a_path_met_again_in_other_ways_is_a_line_each)
{
	struct job j = { .ts = 1000, .pid0 = 100 };
	const char *f = "/w/data.txt";
	char *path = aat_path(dir, "ways.pcapng"), *text;

	fork_exec(&j, 100, 1, "sh", ARGV("sh"));
	file_op(&j, 100, AA_SYS_OPENAT, O_RDONLY, 3, f, strlen(f));
	file_op(&j, 100, AA_SYS_OPENAT, O_RDONLY | O_CLOEXEC, 4, f, strlen(f)); /* the same line */
	file_op(&j, 100, AA_SYS_OPENAT, O_WRONLY | O_CREAT | O_TRUNC, 5, f, strlen(f));
	file_op(&j, 100, AA_SYS_OPENAT, O_RDONLY, -2, f, strlen(f));
	file_op(&j, 100, AA_SYS_OPENAT, O_RDONLY, -13, f, strlen(f));
	file_op(&j, 100, AA_SYS_WRITE, 0, 6, f, strlen(f));
	file_op(&j, 100, AA_SYS_UNLINK, 0, 0, f, strlen(f));
	file_op(&j, 100, AA_SYS_UNLINK, 0, -2, f, strlen(f));
	file_op(&j, 100, AA_SYS_OPENAT, O_RDONLY, -2, f, strlen(f)); /* the same line */
	exec_failed(&j, 100, f);
	exec_failed(&j, 100, f); /* the same line */
	fork_exec(&j, 101, 100, "cat", ARGV("cat"));
	exec_failed(&j, 101, f);
	file_op(&j, 101, AA_SYS_OPENAT, O_RDONLY, -13, f, strlen(f));
	file_op(&j, 101, AA_SYS_OPENAT, O_RDONLY, 3, f, strlen(f));
	file_op(&j, 101, AA_SYS_OPENAT, O_RDONLY, 3, "/w/data.tx", strlen("/w/data.tx"));
	exit_with(&j, 101, 100, 0);
	exit_with(&j, 100, 1, 0);
	job_save(&j, path);
	text = describe(path, NULL);
	cr_assert_str_eq(text, "process \"sh\"\n  exe \"/usr/bin/prog\"\n  exit 0\n"
			       "  open \"/w/data.txt\" O_RDONLY\n"
			       "  open \"/w/data.txt\" O_WRONLY|O_CREAT|O_TRUNC\n"
			       "  open \"/w/data.txt\" O_RDONLY -> ENOENT\n"
			       "  open \"/w/data.txt\" O_RDONLY -> EACCES\n"
			       "  write \"/w/data.txt\"\n"
			       "  unlink \"/w/data.txt\"\n"
			       "  unlink \"/w/data.txt\" -> ENOENT\n"
			       "  exec failed \"/w/data.txt\" -> ENOENT\n"
			       "  process \"cat\"\n    exe \"/usr/bin/prog\"\n    exit 0\n"
			       "    exec failed \"/w/data.txt\" -> ENOENT\n"
			       "    open \"/w/data.txt\" O_RDONLY -> EACCES\n"
			       "    open \"/w/data.txt\" O_RDONLY\n"
			       "    open \"/w/data.tx\" O_RDONLY\n");
	free(text);
	free(path);
}

Test(tree_diff, tree_bounded_by_max_nodes)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	aa_source *src = open_one(a);
	struct aa_tree_opts o = { .max_nodes = 2 };
	struct aa_tree_stats st;
	aa_tree *t;

	cr_assert_eq(aa_tree_build(&t, src, &o), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 2);
	cr_assert_eq(st.lost, 3, "sleep, mv and the last one not kept: %llu", (unsigned long long)st.lost);
	cr_assert_gt(st.unowned, 0);
	aa_tree_free(t);
	aa_close(src);
	free(a);
}

Test(tree_diff, damaged_input_is_an_error_naming_the_file)
{
	char *a = job_file("a.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	char *b = job_file("b.pcapng", 100, 1000, "tmpab12cd34", "final", 0);
	struct aa_diff_result res;
	struct aa_error_info err;
	uint8_t *data;
	size_t size;

	cr_assert_eq(aat_read_file(b, &data, &size), 0);
	data[size / 2] ^= 0xff; /* inside the one record chunk */
	cr_assert_eq(aat_write_file(b, data, size), 0);
	free(data);
	int rc = aa_diff_files((const char *const *)&a, 1, (const char *const *)&b, 1, NULL, &res, &err);
	cr_assert_lt(rc, 0, "a damaged file gives no answer: %d", rc);
	cr_assert_str_eq(err.path, b);
	cr_assert_eq(res.different, 0);
	free(a);
	free(b);
}

Test(tree_diff, records_of_no_known_process_are_compared_as_such)
{
	struct job j = { .ts = 50 };
	char *path = aat_path(dir, "noproc.pcapng");
	char *text;
	struct aa_tree_stats st;
	aa_tree *t;

	for (int i = 0; i < 3; i++)
		file_op(&j, 999, AA_SYS_WRITE, 1, 10, "/var/log/x.log", 14);
	job_save(&j, path);

	aa_source *src = open_one(path);
	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 0);
	cr_assert_eq(st.unowned, 3, "the tree says what it could not place");
	cr_assert_null(aa_tree_walk(t, NULL, NULL));
	aa_tree_free(t);
	aa_close(src);

	text = describe(path, NULL);
	cr_assert_str_eq(text, "process (records of no known process)\n  write \"/var/log/x.log\"\n");
	free(text);
	free(path);
}

Test(tree_diff, a_loop_of_parents_is_cut)
{
	struct job j = { .ts = 50 };
	char *path = aat_path(dir, "loop.pcapng");
	struct aa_tree_stats st;
	aa_tree *t;
	size_t walked = 0;

	/* 600 forked by 500, 500 seen only ending, its parent said to be 600 */
	fork_exec(&j, 600, 500, "b", ARGV("b"));
	exit_with(&j, 500, 600, 0);
	job_save(&j, path);

	aa_source *src = open_one(path);
	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 2);
	cr_assert_eq(st.roots, 1);
	for (const struct aa_tree_node *n = aa_tree_walk(t, NULL, NULL); n && walked < 10; n = aa_tree_walk(t, NULL, n))
		walked++;
	cr_assert_eq(walked, 2, "every process once under the root");
	aa_tree_free(t);
	aa_close(src);
	free(path);
}

/*
 * An agent (pid 10) running all along starts N tools one after another, a
 * second apart, each with a child of its own. The tree holds only the
 * processes running (a tool is put away 2 s after it ends), yet walks all
 * of them back in order, with their counts; the diff's text has them all.
 */
#define TOOLS 3000
Test(tree_diff, memory_is_the_processes_running_not_the_recording)
{
	struct job j = { .ts = 1000 };
	char *path = aat_path(dir, "agent.pcapng");
	struct aa_tree_stats st;
	aa_tree *t;

	fork_exec(&j, 10, 1, "agent", ARGV("agent"));
	for (uint32_t i = 0; i < TOOLS; i++) {
		uint32_t p = 100 + 2 * i;
		j.ts += 1000000000ull;
		fork_exec(&j, p, 10, "sh", ARGV("sh\0-c\0tool"));
		fork_exec(&j, p + 1, p, "tool", ARGV("tool"));
		file_op(&j, p + 1, AA_SYS_OPENAT, 0, 3, "/etc/tool.conf", 15);
		exit_with(&j, p + 1, p, (int32_t)(i % 3) << 8);
		exit_with(&j, p, 10, 0);
	}
	job_save(&j, path);

	aa_source *src = open_one(path);
	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 1 + 2 * TOOLS);
	cr_assert_eq(st.roots, 1);
	cr_assert_eq(st.late, 0);
	cr_assert_leq(st.max_running, 9, "held at once: %u of %u", st.max_running, st.nodes);
	const struct aa_tree_node *n = aa_tree_walk(t, NULL, NULL);
	cr_assert(argv_is(n, "agent", 6));
	cr_assert_eq(n->nchildren, TOOLS);
	uint32_t i = 0;
	while ((n = aa_tree_walk(t, NULL, n))) {
		cr_assert_eq(n->depth, 1 + (i & 1), "pre-order: tool under its sh");
		cr_assert_eq(n->proc.pid, 100 + i, "in start order: %u at %u", n->proc.pid, i);
		if (i & 1) {
			cr_assert(argv_is(n, "tool", 5));
			cr_assert_eq(n->proc.exit_code, (int)(i / 2 % 3));
			cr_assert_eq(n->counts.file, 1);
			cr_assert_eq(n->last, 1);
		} else {
			cr_assert_eq(n->nchildren, 1);
			cr_assert_eq(n->last, i + 2 == 2 * TOOLS);
		}
		i++;
	}
	cr_assert_eq(i, 2 * TOOLS);
	cr_assert_eq(aa_tree_walk_error(t), 0);
	aa_tree_free(t);
	aa_close(src);

	char *text = describe(path, NULL);
	size_t lines = 0;
	for (const char *s = text; *s; s++)
		lines += *s == '\n';
	/* agent: process, exe, end; each sh: the same; each tool: those and its open */
	cr_assert_eq(lines, 3 + TOOLS * (3 + 4), "%zu lines", lines);
	cr_assert(strstr(text, "\n  process \"sh\" \"-c\" \"tool\"\n    exe \"/usr/bin/prog\"\n    exit 0\n"
			       "    process \"tool\"\n      exe \"/usr/bin/prog\"\n      exit 2\n"
			       "      open \"/etc/tool.conf\" O_RDONLY\n  process"), "%.600s", text);
	free(text);
	free(path);
}

/* A pid seen only ending, twice: the child goes under the one running
 * when it started (the first to end after that), not the later one. */
Test(tree_diff, a_child_goes_under_the_incarnation_running_when_it_started)
{
	struct job j = { .ts = 100 };
	char *path = aat_path(dir, "incarnations.pcapng");
	aa_tree *t;

	fork_exec(&j, 700, 500, "c", ARGV("c"));
	j.ts = 200;
	exit_with(&j, 500, 1, 0);
	j.ts = 300;
	exit_with(&j, 500, 1, 3 << 8);
	j.ts = 400;
	exit_with(&j, 700, 1, 0);
	job_save(&j, path);

	aa_source *src = open_one(path);
	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	const struct aa_tree_node *n = aa_tree_walk(t, NULL, NULL);
	cr_assert_eq(n->proc.pid, 500);
	cr_assert_eq(n->proc.exit_code, 0, "the first 500");
	cr_assert_eq(n->nchildren, 1);
	n = aa_tree_walk(t, NULL, n);
	cr_assert_eq(n->proc.pid, 700);
	cr_assert_eq(n->depth, 1);
	n = aa_tree_walk(t, NULL, n);
	cr_assert_eq(n->proc.pid, 500);
	cr_assert_eq(n->proc.exit_code, 3, "the second 500");
	cr_assert_eq(n->nchildren, 0);
	cr_assert_null(aa_tree_walk(t, NULL, n));
	aa_tree_free(t);
	aa_close(src);
	free(path);
}

/* A record of a process more than AA_TREE_CLOSE_NS after its exit comes
 * after the tree put it away: counted as late, not in it; one within it
 * is the process's. */
Test(tree_diff, a_record_after_the_process_was_put_away_is_counted_late)
{
	struct job j = { .ts = 100 };
	char *path = aat_path(dir, "late.pcapng");
	struct aa_tree_stats st;
	aa_tree *t;

	fork_exec(&j, 800, 1, "w", ARGV("w"));
	exit_with(&j, 800, 1, 0);
	j.ts += AA_TREE_CLOSE_NS / 2;
	file_op(&j, 800, AA_SYS_WRITE, 1, 10, "/var/log/w.log", 14);
	j.ts += AA_TREE_CLOSE_NS * 2;
	fork_exec(&j, 801, 1, "v", ARGV("v"));
	file_op(&j, 800, AA_SYS_WRITE, 1, 10, "/var/log/w.log", 14);
	job_save(&j, path);

	aa_source *src = open_one(path);
	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 2);
	cr_assert_eq(st.late, 1);
	cr_assert_eq(st.unowned, 0);
	const struct aa_tree_node *n = aa_tree_walk(t, NULL, NULL);
	cr_assert_eq(n->proc.pid, 800);
	cr_assert_eq(n->counts.file, 1, "the write within 2 s of its exit");
	aa_tree_free(t);
	aa_close(src);
	free(path);
}

/* A child that ended and was put away long before its parent was seen
 * (only ending: it ran from before the recording) is still under it. */
Test(tree_diff, a_root_put_away_is_taken_by_its_parent_seen_later)
{
	struct job j = { .ts = 100 };
	char *path = aat_path(dir, "orphan.pcapng");
	struct aa_tree_stats st;
	aa_tree *t;

	fork_exec(&j, 700, 500, "c", ARGV("c"));
	exit_with(&j, 700, 500, 0);
	j.ts += 3 * AA_TREE_CLOSE_NS;
	fork_exec(&j, 900, 1, "other", ARGV("other"));
	j.ts += 3 * AA_TREE_CLOSE_NS;
	exit_with(&j, 500, 1, 0);
	job_save(&j, path);

	aa_source *src = open_one(path);
	cr_assert_eq(aa_tree_build(&t, src, NULL), 0);
	aa_tree_get_stats(t, &st);
	cr_assert_eq(st.nodes, 3);
	cr_assert_eq(st.roots, 2, "500 (with 700) and 900");
	cr_assert_leq(st.max_running, 2, "700 was put away before 500 came");
	/* roots by start: 500's is unknown, so when it was seen (last) */
	const struct aa_tree_node *n = aa_tree_walk(t, NULL, NULL);
	cr_assert_eq(n->proc.pid, 900);
	n = aa_tree_walk(t, NULL, n);
	cr_assert_eq(n->proc.pid, 500);
	cr_assert_eq(n->nchildren, 1);
	n = aa_tree_walk(t, NULL, n);
	cr_assert_eq(n->proc.pid, 700);
	cr_assert_eq(n->depth, 1);
	cr_assert_null(aa_tree_walk(t, NULL, n));
	aa_tree_free(t);
	aa_close(src);
	free(path);
}

/* SPDX-License-Identifier: MIT */
/*
 * The "what happened" text of a recording (aa_diff.h): the process tree,
 * and for each process the lines of what it did, each line once, in the
 * order first seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "aa_print.h"
#include "diff_impl.h"
#include "print_enc.h"
#include "xxh64.h"

/* The lines of one process, with a set of their hashes to keep each once. */
struct diff_proc {
	struct diff_line *l;
	size_t n, cap;
	uint64_t *set; /* open addressing, 0 empty */
	size_t setcap;
};

struct build {
	const struct diff_rules *r;
	struct diff_tls *tls;
	struct aa_tree_node *cur; /* the process of the record being taken in */
	struct pending {          /* TLS lines of no current process, placed at the end */
		uint32_t pid;
		char *s;
	} *pend;
	size_t npend;
	struct diff_proc unknown; /* the lines of records of no known process */
	FILE *ms; /* the line being made */
	char *buf;
	size_t len;
	int nomem;
};

static uint64_t hash_of(const char *s, size_t len)
{
	struct aa_xxh64 h;
	uint64_t v;

	aa_xxh64_init(&h, 0);
	aa_xxh64_update(&h, s, len);
	v = aa_xxh64_digest(&h);
	return v ? v : 1;
}

/* Adds the line made in b->ms to p, unless p has it. */
static void proc_add(struct build *b, struct diff_proc *p)
{
	if (fflush(b->ms) || b->nomem) {
		b->nomem = 1;
		return;
	}
	uint64_t h = hash_of(b->buf, b->len);
	if (p->n * 2 >= p->setcap) {
		size_t cap = p->setcap ? p->setcap * 2 : 16;
		uint64_t *set = calloc(cap, sizeof(*set));
		if (!set) {
			b->nomem = 1;
			return;
		}
		for (size_t i = 0; i < p->setcap; i++)
			for (size_t j = p->set[i] & (cap - 1); p->set[i]; j = (j + 1) & (cap - 1))
				if (!set[j]) {
					set[j] = p->set[i];
					break;
				}
		free(p->set);
		p->set = set;
		p->setcap = cap;
	}
	size_t j = h & (p->setcap - 1);
	for (; p->set[j]; j = (j + 1) & (p->setcap - 1))
		if (p->set[j] == h)
			return; /* 64-bit hashes: a line seen before */
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct diff_line *l = realloc(p->l, cap * sizeof(*l));
		if (!l) {
			b->nomem = 1;
			return;
		}
		p->l = l;
		p->cap = cap;
	}
	char *s = malloc(b->len + 1);
	if (!s) {
		b->nomem = 1;
		return;
	}
	memcpy(s, b->buf, b->len + 1);
	p->set[j] = h;
	p->l[p->n++] = (struct diff_line){ .s = s, .len = b->len, .hash = h };
}

static void line_start(struct build *b)
{
	fseeko(b->ms, 0, SEEK_SET);
}

static int matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/* s[0..len) (up to a NUL) with every mask applied, escaped, into b->ms. */
static void put_masked(struct build *b, const uint8_t *s, size_t len)
{
	char *cur = strndup((const char *)s, len), *next;

	for (size_t i = 0; cur && i < b->r->nmasks; i++) {
		const struct diff_mask *m = &b->r->masks[i];
		regmatch_t mt;
		size_t off = 0;
		while (cur[off] && regexec(&m->re, cur + off, 1, &mt, off ? REG_NOTBOL : 0) == 0 &&
		       mt.rm_eo > mt.rm_so) {
			size_t pre = off + (size_t)mt.rm_so, rl = strlen(m->repl);
			size_t rest = strlen(cur + off + mt.rm_eo);
			if (!(next = malloc(pre + rl + rest + 1)))
				break;
			memcpy(next, cur, pre);
			memcpy(next + pre, m->repl, rl);
			memcpy(next + pre + rl, cur + off + mt.rm_eo, rest + 1);
			free(cur);
			cur = next;
			off = pre + rl;
		}
	}
	if (!cur) {
		b->nomem = 1;
		return;
	}
	aa_enc_text_string(b->ms, (const uint8_t *)cur, strlen(cur));
	free(cur);
}

static int path_ignored(const struct diff_rules *r, const uint8_t *s, size_t len)
{
	char *c = strndup((const char *)s, len);
	int hit = 0;

	for (size_t i = 0; c && i < r->nignore && !hit; i++)
		hit = matches(&r->ignore[i], c);
	free(c);
	return hit;
}

static void put_errno(struct build *b, int64_t ret)
{
	const char *name = ret < 0 && ret > -4096 ? strerrorname_np((int)-ret) : NULL;

	if (ret >= 0)
		return;
	if (name)
		fprintf(b->ms, " -> %s", name);
	else
		fprintf(b->ms, " -> %lld", (long long)ret);
}

/* The open flags that say what a program meant; not O_CLOEXEC, O_LARGEFILE ... */
static void put_open_mode(struct build *b, uint32_t flags)
{
	static const struct { unsigned bit; const char *name; } bits[] = {
		{ O_CREAT, "|O_CREAT" }, { O_EXCL, "|O_EXCL" }, { O_TRUNC, "|O_TRUNC" },
		{ O_APPEND, "|O_APPEND" }, { O_DIRECTORY, "|O_DIRECTORY" },
	};
	unsigned acc = flags & O_ACCMODE;

	fputs(acc == O_WRONLY ? " O_WRONLY" : acc == O_RDWR ? " O_RDWR" : " O_RDONLY", b->ms);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (flags & bits[i].bit)
			fputs(bits[i].name, b->ms);
}

/* A path: its string record when one came, else the field up to its NUL. */
static struct aa_string path_of(const struct aa_record *rec, enum aa_string_kind kind, const uint8_t *field,
				size_t max)
{
	if (rec->joins && rec->joins->str[kind].data)
		return rec->joins->str[kind];
	return (struct aa_string){ .data = field, .len = (uint32_t)strnlen((const char *)field, max) };
}

enum file_what { F_NONE, F_OPEN, F_WRITE, F_UNLINK, F_RMDIR, F_MKDIR, F_RENAME };

static enum file_what file_what(uint32_t syscall, uint32_t flags)
{
	switch (syscall) {
	case AA_SYS_OPENAT: case AA_SYS_OPEN: case AA_SYS_CREAT: case AA_SYS_OPENAT2:
		return F_OPEN;
	case AA_SYS_WRITE: case AA_SYS_PWRITE64: case AA_SYS_WRITEV: case AA_SYS_PWRITEV:
	case AA_SYS_PWRITEV2:
		return F_WRITE;
	case AA_SYS_UNLINK:
		return flags & AT_REMOVEDIR ? F_RMDIR : F_UNLINK;
	case AA_SYS_RMDIR:
		return F_RMDIR;
	case AA_SYS_MKDIR: case AA_SYS_MKDIRAT:
		return F_MKDIR;
	case AA_SYS_RENAME:
		return F_RENAME;
	default:
		return F_NONE;
	}
}

static void file_line(struct build *b, struct diff_proc *p, const struct aa_record *rec, uint32_t syscall,
		      uint32_t flags, int64_t ret, const uint8_t *field)
{
	static const char *const word[] = { [F_OPEN] = "open ", [F_WRITE] = "write ",
					    [F_UNLINK] = "unlink ", [F_RMDIR] = "rmdir ",
					    [F_MKDIR] = "mkdir ", [F_RENAME] = "rename " };
	static const unsigned field_bit[] = { [F_OPEN] = AA_DIFF_OPEN, [F_WRITE] = AA_DIFF_WRITE,
					      [F_UNLINK] = AA_DIFF_REMOVE, [F_RMDIR] = AA_DIFF_REMOVE,
					      [F_MKDIR] = AA_DIFF_MKDIR, [F_RENAME] = AA_DIFF_RENAME };
	enum file_what w = file_what(syscall, flags);
	struct aa_string path = path_of(rec, AA_STRING_PATH, field, AA_PATH_MAX), to = { 0 };

	if (w == F_NONE || (b->r->fields & field_bit[w]))
		return;
	if (w == F_RENAME) { /* "old\0new" in the field */
		size_t n = strnlen((const char *)field, AA_PATH_MAX);
		to = n + 1 < AA_PATH_MAX ? path_of(rec, AA_STRING_NEW_PATH, field + n + 1, AA_PATH_MAX - n - 1)
					 : path_of(rec, AA_STRING_NEW_PATH, field + n, 0);
		if (path_ignored(b->r, to.data, to.len))
			return;
	}
	if (path_ignored(b->r, path.data, path.len))
		return;
	line_start(b);
	fputs(word[w], b->ms);
	put_masked(b, path.data, path.len);
	if (w == F_RENAME) {
		fputs(" -> ", b->ms);
		put_masked(b, to.data, to.len);
	}
	if (w == F_OPEN)
		put_open_mode(b, flags);
	put_errno(b, ret);
	proc_add(b, p);
}

static void net_line(struct build *b, struct diff_proc *p, const struct aa_net_event *e)
{
	char ep[AA_ENDPOINT_BUF];

	if (e->syscall != AA_NET_CONNECT || (b->r->fields & AA_DIFF_CONNECT))
		return;
	line_start(b);
	fputs("connect ", b->ms);
	if (e->family == AF_UNIX)
		put_masked(b, e->unix_path, strnlen((const char *)e->unix_path, sizeof(e->unix_path)));
	else if (*aa_format_endpoint(ep, e->family, e->peer_addr, e->peer_port))
		fputs(ep, b->ms);
	else
		fprintf(b->ms, "family=%u", e->family);
	if (e->return_code != -EINPROGRESS)
		put_errno(b, e->return_code);
	proc_add(b, p);
}

/* The lines of a process, made when it has its first one. */
static struct diff_proc *proc_of(struct build *b, struct aa_tree_node *node)
{
	if (!node->user && !(node->user = calloc(1, sizeof(struct diff_proc))))
		b->nomem = 1;
	return node->user;
}

/* A TLS line of pid: in its process's lines, or kept until the tree is whole. */
static int tls_emit(void *user, uint32_t pid)
{
	struct build *b = user;
	struct pending *p;

	if (b->cur && b->cur->proc.pid == pid) {
		struct diff_proc *dp = proc_of(b, b->cur);
		if (dp)
			proc_add(b, dp);
		return b->nomem;
	}
	if (fflush(b->ms) || !(p = realloc(b->pend, (b->npend + 1) * sizeof(*p))) ||
	    !(p[b->npend].s = strndup(b->buf, b->len)))
		return b->nomem = 1;
	b->pend = p;
	p[b->npend++].pid = pid;
	return 0;
}

/* The pending TLS lines, each to the last process of its pid. */
static void place_pending(struct build *b, aa_tree *tree)
{
	for (size_t i = 0; i < b->npend; i++) {
		struct aa_tree_node *last = NULL;
		for (const struct aa_tree_node *n = tree ? aa_tree_next(tree, NULL) : NULL; n; n = aa_tree_next(tree, n))
			if (n->proc.pid == b->pend[i].pid)
				last = (struct aa_tree_node *)n;
		struct diff_proc *dp = last ? proc_of(b, last) : &b->unknown;
		if (dp && tree) {
			line_start(b);
			fputs(b->pend[i].s, b->ms);
			proc_add(b, dp);
		}
		free(b->pend[i].s);
	}
	free(b->pend);
	b->pend = NULL;
	b->npend = 0;
}

/* A failed exec: the file it tried and why, its line under its process. */
static void exec_failed_line(struct build *b, struct diff_proc *p, const struct aa_record *rec)
{
	const struct aa_task_event *e = rec->ev.task;
	const struct aa_string *file = rec->joins ? &rec->joins->str[AA_STRING_FILENAME] : NULL;

	if (e->kind != AA_TASK_EXEC_FAILED || (b->r->fields & AA_DIFF_EXE))
		return;
	line_start(b);
	fputs("exec failed ", b->ms);
	if (file && file->data)
		put_masked(b, file->data, file->len);
	else
		fputs("(file not recorded)", b->ms);
	put_errno(b, -(int64_t)e->error);
	proc_add(b, p);
}

static int on_record(void *user, struct aa_tree_node *node, const struct aa_record *rec)
{
	struct build *b = user;
	struct diff_proc *p;

	if (rec->ev.error)
		return 0;
	if (!node) /* compared too, as of no process: the views do not guess one */
		p = &b->unknown;
	else if (!(p = proc_of(b, node)))
		return 1;
	switch (rec->ev.type) {
	case AA_TYPE_FILE:
		file_line(b, p, rec, rec->ev.file->syscall, rec->ev.file->flags, rec->ev.file->return_code,
			  rec->ev.file->path);
		break;
	case AA_TYPE_FILEOP:
		file_line(b, p, rec, rec->ev.fileop->syscall, rec->ev.fileop->flags,
			  rec->ev.fileop->return_code, rec->ev.fileop->path);
		break;
	case AA_TYPE_NET:
		net_line(b, p, rec->ev.net);
		break;
	case AA_TYPE_TLS:
		b->cur = node;
		if (diff_tls_piece(b->tls, rec))
			b->nomem = 1;
		break;
	case AA_TYPE_TASK:
		exec_failed_line(b, p, rec);
		break;
	case AA_TYPE_EXEC:
	case AA_TYPE_EXIT:
	case AA_TYPE_STRING:
	case AA_TYPE_TLS_CONN:
	case AA_TYPE_UNKNOWN:
		break;
	}
	return b->nomem;
}

/* Appends the line made in b->ms to the text. */
static void text_add(struct build *b, struct diff_text *t, size_t proc)
{
	char *s;

	if (fflush(b->ms) || b->nomem || !(s = malloc(b->len + 1))) {
		b->nomem = 1;
		return;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct diff_line *l = realloc(t->l, cap * sizeof(*l));
		if (!l) {
			free(s);
			b->nomem = 1;
			return;
		}
		t->l = l;
		t->cap = cap;
	}
	memcpy(s, b->buf, b->len + 1);
	t->l[t->n++] = (struct diff_line){ .s = s, .len = b->len, .hash = hash_of(s, b->len), .proc = proc };
}

static void indent(struct build *b, unsigned n)
{
	line_start(b);
	for (unsigned i = 0; i < n; i++)
		fputs("  ", b->ms);
}

static void process_lines(struct build *b, struct diff_text *t, const struct aa_tree_node *n)
{
	const struct aa_process *pr = &n->proc;
	size_t at = t->n;

	indent(b, n->depth);
	fputs("process", b->ms);
	if ((b->r->fields & AA_DIFF_ARGV) || !pr->argv.data) {
		fputs(" comm=", b->ms);
		aa_enc_text_string(b->ms, (const uint8_t *)pr->comm, strlen(pr->comm));
		if (!(b->r->fields & AA_DIFF_ARGV))
			fputs(" (argv unknown)", b->ms);
	} else if (pr->argv_joined) {
		fputs(" args=", b->ms);
		put_masked(b, pr->argv.data, pr->argv.len);
	} else {
		const uint8_t *item;
		uint32_t pos = 0, len;
		while (aa_argv_item(&pr->argv, &pos, &item, &len)) {
			putc(' ', b->ms);
			put_masked(b, item, len);
		}
		if (pr->argv.truncated)
			fputs(" (argv truncated)", b->ms);
	}
	text_add(b, t, at);
	if (pr->exe.data && !(b->r->fields & AA_DIFF_EXE)) {
		indent(b, n->depth + 1);
		fputs("exe ", b->ms);
		put_masked(b, pr->exe.data, pr->exe.len);
		text_add(b, t, at);
	}
	if (!(b->r->fields & AA_DIFF_EXIT)) {
		indent(b, n->depth + 1);
		if (!(pr->how & AA_PROC_EXIT))
			fputs("running (no end recorded)", b->ms);
		else if (pr->signal)
			fprintf(b->ms, "killed by SIG%s%s", sigabbrev_np(pr->signal) ? sigabbrev_np(pr->signal) : "?",
				pr->core_dumped ? " (core dumped)" : "");
		else
			fprintf(b->ms, "exit %d", pr->exit_code);
		text_add(b, t, at);
	}
	const struct diff_proc *p = n->user;
	for (size_t i = 0; p && i < p->n; i++) {
		indent(b, n->depth + 1);
		fwrite(p->l[i].s, 1, p->l[i].len, b->ms);
		text_add(b, t, at);
	}
	t->processes++;
}

static void proc_clear(struct diff_proc *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->l[i].s);
	free(p->l);
	free(p->set);
}

static void proc_free(struct diff_proc *p)
{
	if (p)
		proc_clear(p);
	free(p);
}

/* The lines of records no process is known for, as a root of their own. */
static void unknown_lines(struct build *b, struct diff_text *t)
{
	size_t at = t->n;

	if (!b->unknown.n)
		return;
	line_start(b);
	fputs("process (records of no known process)", b->ms);
	text_add(b, t, at);
	for (size_t i = 0; i < b->unknown.n; i++) {
		indent(b, 1);
		fwrite(b->unknown.l[i].s, 1, b->unknown.l[i].len, b->ms);
		text_add(b, t, at);
	}
}

int diff_text_build(struct diff_text *t, aa_source *src, const struct diff_rules *r,
		    struct aa_error_info *err)
{
	struct build b = { .r = r };
	struct aa_tree_opts o = { .on_record = on_record, .user = &b };
	aa_tree *tree = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!(b.ms = open_memstream(&b.buf, &b.len)) || !(b.tls = diff_tls_new(r, b.ms, tls_emit, &b))) {
		rc = AA_E_NOMEM;
		goto out;
	}
	rc = aa_tree_build(&tree, src, &o);
	b.cur = NULL;
	if (tree && diff_tls_end(b.tls))
		b.nomem = 1;
	place_pending(&b, tree);
	if ((rc == AA_E_STOPPED || !rc) && b.nomem)
		rc = AA_E_NOMEM;
	if (rc < 0) {
		if (err)
			*err = *aa_source_error(src);
		goto out;
	}
	for (const struct aa_tree_node *n = aa_tree_walk(tree, NULL, NULL); n && !b.nomem;
	     n = aa_tree_walk(tree, NULL, n))
		process_lines(&b, t, n);
	unknown_lines(&b, t);
	if (b.nomem)
		rc = AA_E_NOMEM;
out:
	if (rc == AA_E_NOMEM && err)
		*err = (struct aa_error_info){ .code = rc, .offset = -1, .chunk = -1,
					       .detail = "out of memory making the text of what happened" };
	for (const struct aa_tree_node *n = tree ? aa_tree_next(tree, NULL) : NULL; n; n = aa_tree_next(tree, n))
		proc_free(n->user);
	aa_tree_free(tree);
	proc_clear(&b.unknown);
	diff_tls_free(b.tls);
	if (b.ms)
		fclose(b.ms);
	free(b.buf);
	return rc;
}

void diff_text_free(struct diff_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->l[i].s);
	free(t->l);
	memset(t, 0, sizeof(*t));
}

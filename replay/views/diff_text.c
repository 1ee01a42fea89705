/* SPDX-License-Identifier: MIT */
/*
 * The "what happened" text of a recording (aa_diff.h): the process tree,
 * and for each process the lines of what it did, each line once, in the
 * order first seen. A process's lines wait in a spool file (a buffer of at
 * most PROC_BUF bytes each in memory: diff_proc.c) until the tree is whole.
 * The text is then counted and fingerprinted in the tree's order
 * (diff_walk.c), and its index written only when a diff needs it: two
 * recordings alike (what a regression test hopes for) are known so
 * without reading lines back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "aa_print.h"
#include "diff_build.h"
#include "print_enc.h"

#define MASK_MEMO 4096  /* paths and argv items whose masked form is kept */
#define LINE_MEMO 4096  /* file and failed exec lines kept as made (made_of) */

void diff_line_start(struct build *b)
{
	fseeko(b->ms, 0, SEEK_SET);
	b->indent = 0;
}

static int matches(const regex_t *re, const char *s)
{
	return regexec(re, s, 0, NULL, 0) == 0;
}

/* The key of s[0..n) in a memo: cheaper than diff_hash (a memo compares
 * the bytes of what it finds anyway; diff_hash names the lines). */
static uint64_t memo_hash(const uint8_t *s, size_t n)
{
	uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ull, v;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&v, s + i, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	for (v = 0; i < n; i++)
		v = v << 8 | s[i];
	return diff_fold(h, v);
}

/* s[0..len) (up to a NUL) with every mask applied, escaped, into b->ms.
 * The same paths come again and again (libraries, locales): the last
 * result (escaped) of each of MASK_MEMO slots is kept, found by the
 * string's hash. */
void diff_put_masked(struct build *b, const uint8_t *s, size_t len)
{
	size_t n = strnlen((const char *)s, len);
	uint64_t h = memo_hash(s, n);
	struct mask_memo *m = b->memo ? &b->memo[h & (MASK_MEMO - 1)] : NULL;

	if (m && m->in && m->h == h && m->in_len == n && !memcmp(m->in, s, n)) {
		fwrite(m->out, 1, m->out_len, b->ms);
		return;
	}
	char *cur = strndup((const char *)s, n), *next;

	for (size_t i = 0; cur && i < b->r->nmasks; i++) {
		const struct diff_mask *m = &b->r->masks[i];
		regmatch_t mt;
		size_t off = 0;
		if (m->needle && !strstr(cur, m->needle))
			continue;
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
	off_t at = m ? ftello(b->ms) : -1;
	aa_enc_text_string(b->ms, (const uint8_t *)cur, strlen(cur));
	free(cur);
	char *in = NULL, *out = NULL;
	if (at < 0 || fflush(b->ms) || (size_t)at > b->len || !(in = malloc(n ? n : 1)) ||
	    !(out = malloc(b->len - (size_t)at + 1))) {
		free(in);
		return; /* not kept: made again next time */
	}
	memcpy(in, s, n);
	memcpy(out, b->buf + at, b->len - (size_t)at);
	free(m->in);
	free(m->out);
	*m = (struct mask_memo){ h, in, n, out, b->len - (size_t)at };
}

static int path_ignored(const struct diff_rules *r, const uint8_t *s, size_t len)
{
	char *c;
	int hit = 0;

	if (!r->nignore)
		return 0;
	c = strndup((const char *)s, len);
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
	if (name) {
		fputs(" -> ", b->ms);
		fputs(name, b->ms);
	} else
		fprintf(b->ms, " -> %lld", (long long)ret);
}

/* The open flags that say what a program meant; not O_CLOEXEC, O_LARGEFILE ...
 * (this machine's numbers: aa_open_flags_here) */
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

/* A path: its string record when one came, else the field; up to a NUL
 * either way (as put_masked reads it). */
static struct aa_string path_of(const struct aa_record *rec, enum aa_string_kind kind, const uint8_t *field,
				size_t max)
{
	struct aa_string s = { .data = field, .len = (uint32_t)max };

	if (rec->joins && rec->joins->str[kind].data)
		s = rec->joins->str[kind];
	s.len = (uint32_t)strnlen((const char *)s.data, s.len);
	return s;
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

/*
 * What a kept line is made of: a kind (a file_what, or LINE_EXEC_FAILED), a
 * path, an open mode and an error. The same few opens and failed execs come
 * again and again (libraries, locales, the shells' files, each directory
 * of PATH tried): a line found in the memo is neither masked, made nor
 * hashed again.
 */
#define LINE_EXEC_FAILED 0x100u
struct made_of {
	unsigned what;
	struct aa_string path;
	uint32_t mode;
	int64_t err;
	uint64_t key;             /* set by line_memo_add */
	struct line_memo *slot;   /* where the line is kept once made; NULL: not kept */
};

/* 1 when the line of *o was made before: added to p. Else 0, o->slot
 * where line_made_add keeps it. */
static int line_memo_add(struct build *b, struct diff_proc *p, struct made_of *o)
{
	struct line_memo *m;

	o->key = memo_hash(o->path.data, o->path.len) + o->what * 0x9e3779b97f4a7c15ull +
		 o->mode * 0xc2b2ae3d27d4eb4full + (uint64_t)o->err * 0x165667b19e3779f9ull;
	o->slot = m = b->lines_memo ? &b->lines_memo[(o->key ^ o->key >> 29) & (LINE_MEMO - 1)] : NULL;
	if (!m || !m->mem || m->key != o->key || m->what != o->what || m->mode != o->mode || m->err != o->err ||
	    m->path_len != o->path.len || memcmp(m->mem, o->path.data, o->path.len))
		return 0;
	diff_proc_add_line(b, p, m->mem + m->path_len, m->line_len, m->hash);
	return 1;
}

/* Adds the line made in b->ms to p, and keeps it in o->slot (o NULL, or
 * an allocation that fails: not kept, made again next time). */
static void line_made_add(struct build *b, struct diff_proc *p, const struct made_of *o)
{
	struct line_memo *m = o ? o->slot : NULL;
	char *mem;

	if (fflush(b->ms) || b->nomem) {
		b->nomem = 1;
		return;
	}
	uint64_t hash = diff_hash(b->buf, b->len);
	if (m && (mem = malloc(o->path.len + b->len + 1))) {
		memcpy(mem, o->path.data, o->path.len);
		memcpy(mem + o->path.len, b->buf, b->len);
		free(m->mem);
		*m = (struct line_memo){ o->key, o->path.len, (uint32_t)b->len, o->what, o->mode, o->err, hash, mem };
	}
	diff_proc_add_line(b, p, b->buf, b->len, hash);
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
	struct made_of o = { .what = w, .err = ret < 0 ? ret : 0 }; /* (what the line says of ret) */
	struct aa_string to = { 0 };

	if (w == F_NONE || (b->r->fields & field_bit[w]))
		return; /* a read, a close ...: before looking for its path */
	o.path = path_of(rec, AA_STRING_PATH, field, AA_PATH_MAX);
	if (w == F_RENAME) { /* "old\0new" in the field */
		size_t n = strnlen((const char *)field, AA_PATH_MAX);
		to = n + 1 < AA_PATH_MAX ? path_of(rec, AA_STRING_NEW_PATH, field + n + 1, AA_PATH_MAX - n - 1)
					 : path_of(rec, AA_STRING_NEW_PATH, field + n, 0);
		if (path_ignored(b->r, to.data, to.len))
			return;
	}
	if (path_ignored(b->r, o.path.data, o.path.len))
		return;
	if (w == F_OPEN)
		o.mode = aa_open_flags_here(rec->arch, flags) &
			 (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY);
	if (w != F_RENAME && line_memo_add(b, p, &o)) /* (two paths: rare, not kept) */
		return;
	diff_line_start(b);
	fputs(word[w], b->ms);
	diff_put_masked(b, o.path.data, o.path.len);
	if (w == F_RENAME) {
		fputs(" -> ", b->ms);
		diff_put_masked(b, to.data, to.len);
	}
	if (w == F_OPEN)
		put_open_mode(b, o.mode);
	put_errno(b, o.err);
	line_made_add(b, p, w != F_RENAME ? &o : NULL);
}

static void net_line(struct build *b, struct diff_proc *p, const struct aa_net_event *e)
{
	char ep[AA_ENDPOINT_BUF];

	if (e->syscall != AA_NET_CONNECT || (b->r->fields & AA_DIFF_CONNECT))
		return;
	diff_line_start(b);
	fputs("connect ", b->ms);
	if (e->family == AF_UNIX)
		diff_put_masked(b, e->unix_path, strnlen((const char *)e->unix_path, sizeof(e->unix_path)));
	else if (*aa_format_endpoint(ep, e->family, e->peer_addr, e->peer_port))
		fputs(ep, b->ms);
	else
		fprintf(b->ms, "family=%u", e->family);
	if (e->return_code != -EINPROGRESS)
		put_errno(b, e->return_code);
	diff_proc_add(b, p);
}

/* The lines of a process, made when it has its first one. */
static struct diff_proc *proc_of(struct build *b, struct aa_tree_node *node)
{
	if (!node->user && !(node->user = calloc(1, sizeof(struct diff_proc))))
		b->nomem = 1;
	return node->user;
}

/* A TLS line of pid: in its process's lines, or kept until the tree is whole. */
static int tls_emit(void *user, uint32_t origin, uint32_t pid)
{
	struct build *b = user;
	struct pending *p;

	if (b->cur && b->cur->proc.pid == pid && b->cur->proc.origin == origin) {
		struct diff_proc *dp = proc_of(b, b->cur);
		if (dp)
			diff_proc_add(b, dp);
		return b->nomem || b->io;
	}
	if (fflush(b->ms) || !(p = realloc(b->pend, (b->npend + 1) * sizeof(*p))) ||
	    !(p[b->npend].s = strndup(b->buf, b->len)))
		return b->nomem = 1;
	b->pend = p;
	p[b->npend].origin = origin;
	p[b->npend++].pid = pid;
	return 0;
}

/* The pending TLS lines, each to the process of its pid still held (the
 * latest), else to those of no known process. */
static void place_pending(struct build *b, aa_tree *tree)
{
	for (size_t i = 0; i < b->npend; i++) {
		struct aa_tree_node *last = aa_tree_running(tree, b->pend[i].origin, b->pend[i].pid);
		struct diff_proc *dp = last ? proc_of(b, last) : &b->unknown;
		if (dp) {
			diff_line_start(b);
			fputs(b->pend[i].s, b->ms);
			diff_proc_add(b, dp);
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
	struct made_of o = { .what = LINE_EXEC_FAILED, .err = -(int64_t)e->error };
	int known = rec->joins && rec->joins->str[AA_STRING_FILENAME].data; /* (else not kept) */

	if (e->kind != AA_TASK_EXEC_FAILED || (b->r->fields & AA_DIFF_EXE))
		return;
	if (known) {
		o.path = rec->joins->str[AA_STRING_FILENAME];
		if (line_memo_add(b, p, &o))
			return;
	}
	diff_line_start(b);
	fputs("exec failed ", b->ms);
	if (known)
		diff_put_masked(b, o.path.data, o.path.len);
	else
		fputs("(file not recorded)", b->ms);
	put_errno(b, o.err);
	line_made_add(b, p, known ? &o : NULL);
}

/* An exit (or task exit) record: the process's connections end, and what
 * their decoders still held comes now, as lines of that process. */
static void tls_exit(struct build *b, struct aa_tree_node *node, const struct aa_record *rec)
{
	b->cur = node;
	if (diff_tls_piece(b->tls, rec))
		b->nomem = 1;
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
		tls_exit(b, node, rec);
		break;
	case AA_TYPE_EXIT:
		tls_exit(b, node, rec);
		break;
	case AA_TYPE_EXEC:
	case AA_TYPE_STRING:
	case AA_TYPE_TLS_CONN:
	case AA_TYPE_UNKNOWN:
		break;
	}
	if (node && (node->proc.how & AA_PROC_EXIT) && !p->ended)
		diff_proc_end(b, p); /* no more records of it: its lines to the spool */
	return b->nomem || b->io;
}

/* err for rc (AA_E_NOMEM, AA_E_IO) from b. */
static void build_error(const struct build *b, int rc, struct aa_error_info *err)
{
	if (rc == AA_E_NOMEM && err)
		*err = (struct aa_error_info){ .code = rc, .offset = -1, .chunk = -1,
					       .detail = "out of memory making the text of what happened" };
	if (rc == AA_E_IO && b->io && err) {
		*err = (struct aa_error_info){ .code = rc, .sys_errno = b->io, .offset = -1, .chunk = -1 };
		snprintf(err->detail, sizeof(err->detail), "a temporary file of the text of what happened "
			 "(in $TMPDIR, else /tmp): %s", strerror(b->io));
	}
}

/* The input's end: what the TLS decoders still held comes now, and the
 * lines of no current process go to theirs, before the tree puts the
 * processes still running away. */
static int on_end(void *user, aa_tree *tree)
{
	struct build *b = user;

	b->cur = NULL;
	if (diff_tls_end(b->tls))
		b->nomem = 1;
	place_pending(b, tree);
	return 0;
}

/* A process the tree puts away: its lines' places go with it. */
static void on_close(void *user, struct aa_tree_node *node)
{
	struct build *b = user;
	struct diff_proc *p = node->user;

	if (!p)
		return;
	node->tag = diff_proc_put_away(b, p);
	diff_proc_free(p);
	node->user = NULL;
	if (b->cur == node)
		b->cur = NULL;
}

/* Frees what b holds and b. */
static void build_free(struct build *b)
{
	if (!b)
		return;
	aa_tree_free(b->tree);
	diff_proc_clear(&b->back);
	for (size_t i = 0; i < b->npend; i++)
		free(b->pend[i].s);
	free(b->pend);
	diff_proc_clear(&b->unknown);
	diff_tls_free(b->tls);
	if (b->ms)
		fclose(b->ms);
	view_spool_close(b->spool, b->spool_buf);
	view_spool_close(b->heads, b->heads_buf);
	view_cache_free(&b->heads_cache);
	for (size_t i = 0; b->memo && i < MASK_MEMO; i++) {
		free(b->memo[i].in);
		free(b->memo[i].out);
	}
	free(b->memo);
	for (size_t i = 0; b->lines_memo && i < LINE_MEMO; i++)
		free(b->lines_memo[i].mem);
	free(b->lines_memo);
	free(b->in_spool);
	free(b->spare);
	free(b->buf);
	free(b);
}

int diff_text_build(struct diff_text *t, aa_source *src, const struct diff_rules *r,
		    struct aa_error_info *err)
{
	struct build *b = calloc(1, sizeof(*b));
	struct aa_tree_opts o = { .on_record = on_record, .on_end = on_end, .on_close = on_close, .user = b };
	int rc;

	memset(t, 0, sizeof(*t));
	if (!b) {
		build_error(b, AA_E_NOMEM, err);
		return AA_E_NOMEM;
	}
	b->r = r;
	b->memo = calloc(MASK_MEMO, sizeof(*b->memo)); /* without them, slower */
	b->lines_memo = calloc(LINE_MEMO, sizeof(*b->lines_memo));
	b->in_spool = calloc(SPOOLED_SEEN, sizeof(*b->in_spool));
	if (!(b->ms = open_memstream(&b->buf, &b->len)) || !(b->tls = diff_tls_new(r, b->ms, tls_emit, b))) {
		rc = AA_E_NOMEM;
		goto out;
	}
	__fsetlocking(b->ms, FSETLOCKING_BYCALLER); /* this thread's alone: no lock per write */
	rc = aa_tree_build(&b->tree, src, &o);
	if (rc == AA_E_IO && !b->tree && !b->io)
		b->io = errno ? errno : EIO; /* the tree's temporary file */
	if ((rc == AA_E_STOPPED || !rc) && (b->nomem || b->io))
		rc = b->nomem ? AA_E_NOMEM : AA_E_IO;
	if (rc < 0 && rc != AA_E_NOMEM && rc != AA_E_IO) {
		if (err)
			*err = *aa_source_error(src);
		goto out;
	}
	if (rc < 0)
		goto out;
	struct aa_tree_stats st;
	aa_tree_get_stats(b->tree, &st);
	b->hosts = st.hosts;
	diff_text_walk(b, t, 1);
	rc = b->nomem ? AA_E_NOMEM : b->io ? AA_E_IO : 0;
out:
	if (rc) {
		build_error(b, rc, err);
		build_free(b);
	} else {
		t->pending = b;
	}
	return rc;
}

int diff_text_index(struct diff_text *t, struct aa_error_info *err)
{
	struct build *b = t->pending;
	uint64_t n = t->n;
	int rc;

	if (!b)
		return 0;
	t->pending = NULL;
	/* the processes' spool becomes the text's lines file: their lines are
	 * not written a second time, only their heads are read back */
	t->lines = b->spool;
	t->lines_buf = b->spool_buf;
	t->bytes = b->spooled;
	b->spool = NULL;
	b->spool_buf = NULL;
	diff_text_walk(b, t, 0);
	if (!b->io && !b->nomem && diff_text_done(t))
		diff_io_failed(b);
	if (!b->io && !b->nomem && t->n != n) {
		errno = EIO; /* the lines read back are not the ones counted */
		diff_io_failed(b);
	}
	rc = b->nomem ? AA_E_NOMEM : b->io ? AA_E_IO : 0;
	build_error(b, rc, err);
	build_free(b);
	return rc;
}

void diff_text_free(struct diff_text *t)
{
	build_free(t->pending);
	t->pending = NULL;
	diff_text_spool_free(t);
}

/* SPDX-License-Identifier: MIT */
/* Comparing two recordings by what happened (aa_diff.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "diff_impl.h"

static const struct {
	const char *name;
	unsigned bit;
} field_names[] = {
	{ "argv", AA_DIFF_ARGV },	{ "exe", AA_DIFF_EXE },	      { "exit", AA_DIFF_EXIT },
	{ "open", AA_DIFF_OPEN },	{ "write", AA_DIFF_WRITE },   { "rename", AA_DIFF_RENAME },
	{ "remove", AA_DIFF_REMOVE },	{ "mkdir", AA_DIFF_MKDIR },   { "connect", AA_DIFF_CONNECT },
	{ "tls", AA_DIFF_TLS },		{ "body", AA_DIFF_TLS_BODY },
};

unsigned aa_diff_field(const char *name)
{
	for (size_t i = 0; name && i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (!strcmp(name, field_names[i].name))
			return field_names[i].bit;
	return 0;
}

#define X(re, repl) { re, repl },
static const struct {
	const char *re, *repl;
} default_masks[] = { AA_DIFF_DEFAULT_MASKS };
#undef X
#define NDEFAULT (sizeof(default_masks) / sizeof(default_masks[0]))

/* A text each default mask's every match holds, in their order: most
 * strings hold none and are not given to regexec. */
static const char *const default_needles[] = { "/tmp", "/tmp", "/tmp/systemd-private-",
					       "/proc/", "/dev/pts/", ":[" };
typedef char needles_match_masks[sizeof(default_needles) / sizeof(default_needles[0]) == NDEFAULT ? 1 : -1];

static void rules_free(struct diff_rules *r)
{
	for (size_t i = 0; i < r->nmasks; i++)
		regfree(&r->masks[i].re);
	for (size_t i = 0; i < r->nignore; i++)
		regfree(&r->ignore[i]);
	free(r->masks);
	free(r->ignore);
	memset(r, 0, sizeof(*r));
}

static int bad_regex(struct aa_error_info *err, int code, const regex_t *re, const char *text)
{
	char why[96];

	if (err) {
		regerror(code, re, why, sizeof(why));
		*err = (struct aa_error_info){ .code = AA_E_INVAL, .offset = -1, .chunk = -1 };
		snprintf(err->detail, sizeof(err->detail), "bad regular expression '%.64s': %s", text, why);
	}
	return AA_E_INVAL;
}

static int rules_make(struct diff_rules *r, const struct aa_diff_opts *o, struct aa_error_info *err)
{
	size_t nm = o->no_default_masks ? 0 : NDEFAULT;
	int code;

	memset(r, 0, sizeof(*r));
	r->fields = o->ignore_fields & AA_DIFF_FIELDS_ALL;
	if ((nm && !(r->masks = calloc(nm, sizeof(*r->masks)))) ||
	    (o->nignore_paths && !(r->ignore = calloc(o->nignore_paths, sizeof(*r->ignore))))) {
		rules_free(r);
		if (err)
			*err = (struct aa_error_info){ .code = AA_E_NOMEM, .offset = -1, .chunk = -1 };
		return AA_E_NOMEM;
	}
	for (; r->nmasks < nm; r->nmasks++) {
		if ((code = regcomp(&r->masks[r->nmasks].re, default_masks[r->nmasks].re, REG_EXTENDED))) {
			bad_regex(err, code, &r->masks[r->nmasks].re, default_masks[r->nmasks].re);
			rules_free(r);
			return AA_E_INVAL;
		}
		r->masks[r->nmasks].repl = default_masks[r->nmasks].repl;
		r->masks[r->nmasks].needle = default_needles[r->nmasks];
	}
	for (; r->nignore < o->nignore_paths; r->nignore++) {
		const char *text = o->ignore_paths[r->nignore];
		if (!text || (code = regcomp(&r->ignore[r->nignore], text, REG_EXTENDED | REG_NOSUB))) {
			if (text)
				bad_regex(err, code, &r->ignore[r->nignore], text);
			else if (err)
				*err = (struct aa_error_info){ .code = AA_E_INVAL, .offset = -1, .chunk = -1,
							       .detail = "ignore_paths holds NULL" };
			rules_free(r);
			return AA_E_INVAL;
		}
	}
	return 0;
}

int aa_diff_describe(aa_source *src, const struct aa_diff_opts *opts, FILE *out, struct aa_error_info *err)
{
	struct aa_diff_opts o = { 0 };
	struct diff_rules r;
	struct diff_text t = { 0 };
	struct diff_entry e;
	const char *line;
	int rc;

	if (opts)
		o = *opts;
	if (!src || !out) {
		if (err)
			*err = (struct aa_error_info){ .code = AA_E_INVAL, .offset = -1, .chunk = -1,
						       .detail = "no source or no output" };
		return AA_E_INVAL;
	}
	if ((rc = rules_make(&r, &o, err)))
		return rc;
	if (!(rc = diff_text_build(&t, src, &r, err)) && !(rc = diff_text_index(&t, err))) {
		for (uint64_t i = 0; !rc && i < t.n; i++) {
			if ((rc = diff_text_entry(&t, i, &e)) == 0 && !(line = diff_text_line(&t, &e)))
				rc = AA_E_IO;
			if (!rc) {
				fwrite(line, 1, e.len, out);
				putc('\n', out);
			}
		}
		if (rc) {
			if (err)
				*err = (struct aa_error_info){ .code = rc, .sys_errno = errno, .offset = -1,
							       .chunk = -1, .detail = "reading the text back" };
		} else if (ferror(out)) {
			rc = AA_E_IO;
			if (err)
				*err = (struct aa_error_info){ .code = rc, .sys_errno = errno, .offset = -1,
							       .chunk = -1, .detail = "writing the text" };
		}
	}
	diff_text_free(&t);
	rules_free(&r);
	return rc;
}

/* One text, made (or its index written) on a thread of its own while
 * the other is. */
struct side {
	struct diff_text *t;
	aa_source *src; /* NULL: the index of t, made already */
	const struct diff_rules *r;
	struct aa_error_info err;
	int rc;
};

static void *side_run(void *arg)
{
	struct side *s = arg;

	s->rc = s->src ? diff_text_build(s->t, s->src, s->r, &s->err) : diff_text_index(s->t, &s->err);
	return NULL;
}

/* The texts of a and b (a, b NULL: their indexes), b's on a second
 * thread when one can be started (and b is not a): the two take about
 * the time of one. Returns 0, or a's error, else b's (in *err). */
static int texts_run(struct diff_text *ta, struct diff_text *tb, aa_source *a, aa_source *b,
		     const struct diff_rules *r, struct aa_error_info *err)
{
	struct side sa = { ta, a, r, { 0 }, 0 }, sb = { tb, b, r, { 0 }, 0 };
	pthread_t th;
	int threaded = (a != b || !a) && !pthread_create(&th, NULL, side_run, &sb);

	side_run(&sa);
	if (threaded)
		pthread_join(th, NULL);
	else if (!sa.rc)
		side_run(&sb);
	if (err && (sa.rc || sb.rc))
		*err = sa.rc ? sa.err : sb.err;
	return sa.rc ? sa.rc : sb.rc;
}

int aa_diff_sources(aa_source *a, aa_source *b, const struct aa_diff_opts *opts,
		    struct aa_diff_result *res, struct aa_error_info *err)
{
	struct aa_diff_opts o = { 0 };
	struct aa_diff_result dummy;
	struct aa_source_stats st;
	struct diff_rules r;
	struct diff_text ta = { 0 }, tb = { 0 };
	int rc;

	if (opts)
		o = *opts;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	if (!a || !b) {
		if (err)
			*err = (struct aa_error_info){ .code = AA_E_INVAL, .offset = -1, .chunk = -1,
						       .detail = "a source is NULL" };
		return AA_E_INVAL;
	}
	if ((rc = rules_make(&r, &o, err)))
		return rc;
	if ((rc = texts_run(&ta, &tb, a, b, &r, err)))
		goto out;
	aa_source_get_stats(a, &st);
	res->intact_a = st.intact;
	aa_source_get_stats(b, &st);
	res->intact_b = st.intact;
	res->lines_a = ta.n;
	res->lines_b = tb.n;
	res->processes_a = ta.processes;
	res->processes_b = tb.processes;
	if (ta.n == tb.n && ta.fp == tb.fp)
		goto out; /* alike: no index, no diff (there would be no line of it) */
	if ((rc = texts_run(&ta, &tb, NULL, NULL, &r, err)))
		goto out;
	rc = diff_unified(&ta, &tb, o.context ? o.context : 3, o.label_a ? o.label_a : "a",
			  o.label_b ? o.label_b : "b", o.on_line, o.user, &res->removed, &res->added);
	if (rc < 0) {
		if (err)
			*err = (struct aa_error_info){ .code = rc, .offset = -1, .chunk = -1,
						       .detail = "making the unified diff" };
		goto out;
	}
	res->different = res->removed || res->added;
	rc = res->different;
out:
	diff_text_free(&ta);
	diff_text_free(&tb);
	rules_free(&r);
	return rc;
}

int aa_diff_files(const char *const *a, size_t na, const char *const *b, size_t nb,
		  const struct aa_diff_opts *opts, struct aa_diff_result *res, struct aa_error_info *err)
{
	struct aa_replay_opts ro = { .ordered = 1, .threads = opts ? opts->threads : 0 };
	aa_source *sa = NULL, *sb = NULL;
	int rc;

	if ((rc = aa_open_offline(&sa, a, na, &ro, err)) || (rc = aa_open_offline(&sb, b, nb, &ro, err))) {
		aa_close(sa);
		if (res)
			memset(res, 0, sizeof(*res));
		return rc;
	}
	rc = aa_diff_sources(sa, sb, opts, res, err);
	if (rc < 0 && err && err->path) /* the source's copy, freed below: name it from ours */
		for (size_t i = 0; i < na + nb; i++)
			if (!strcmp(err->path, i < na ? a[i] : b[i - na])) {
				err->path = i < na ? a[i] : b[i - na];
				break;
			}
	aa_close(sa);
	aa_close(sb);
	return rc;
}

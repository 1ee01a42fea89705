/* SPDX-License-Identifier: MIT */
/* aa_follow: TLS conversations and the HTTP in them (aa_follow.h). */
#include <stdlib.h>
#include <string.h>

#include "conv.h"

const char *aa_follow_proto_name(enum aa_follow_proto p)
{
	switch (p) {
	case AA_FOLLOW_PROTO_HTTP1:
		return "http/1.1";
	case AA_FOLLOW_PROTO_H2:
		return "h2";
	case AA_FOLLOW_PROTO_OTHER:
		return "other";
	case AA_FOLLOW_PROTO_UNKNOWN:
		break;
	}
	return "unknown";
}

static void set_err(struct aa_error_info *err, int code, const char *detail)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->offset = err->chunk = -1;
	snprintf(err->detail, sizeof(err->detail), "%s", detail);
}

struct aa_follower {
	struct conv v;
	struct aa_follow_opts opts;
	struct aa_follow_callbacks cb;
	int ended;
};

int aa_follower_new(aa_follower **out, const struct aa_follow_opts *opts,
		    const struct aa_follow_callbacks *cb, void *user)
{
	aa_follower *f;

	if (!out)
		return AA_E_INVAL;
	*out = NULL;
	if (!(f = calloc(1, sizeof(*f))))
		return AA_E_NOMEM;
	if (opts)
		f->opts = *opts;
	if (cb)
		f->cb = *cb;
	if (conv_init(&f->v, &f->opts, &f->cb, user)) {
		free(f);
		return AA_E_NOMEM;
	}
	*out = f;
	return 0;
}

int aa_follower_add(aa_follower *f, const struct aa_record *rec)
{
	if (!f || !rec || f->ended)
		return AA_E_INVAL;
	if (f->v.stop)
		return AA_E_STOPPED;
	if (rec->ev.error)
		return 0;
	if (rec->ev.type == AA_TYPE_TLS)
		conv_piece(&f->v, rec);
	else if (rec->ev.type == AA_TYPE_EXIT)
		conv_exit(&f->v, rec->origin, rec->ev.exit->pid);
	else if (rec->ev.type == AA_TYPE_TASK && rec->ev.task->kind == AA_TASK_EXIT)
		conv_exit(&f->v, rec->origin, rec->ev.task->pid);
	return f->v.stop ? AA_E_STOPPED : 0;
}

int aa_follower_end(aa_follower *f)
{
	if (!f || f->ended)
		return AA_E_INVAL;
	f->ended = 1;
	if (!f->v.stop)
		conv_end(&f->v);
	return f->v.stop ? AA_E_STOPPED : 0;
}

void aa_follower_free(aa_follower *f)
{
	if (!f)
		return;
	conv_free(&f->v);
	free(f);
}

int aa_follow(aa_source *src, const struct aa_follow_opts *opts,
	      const struct aa_follow_callbacks *cb, void *user, struct aa_error_info *err)
{
	const struct aa_record *rec;
	aa_follower *f;
	int rc = 0, fr;

	set_err(err, 0, "");
	if (!src) {
		set_err(err, AA_E_INVAL, "aa_follow: no source");
		return AA_E_INVAL;
	}
	if (aa_follower_new(&f, opts, cb, user)) {
		set_err(err, AA_E_NOMEM, "aa_follow: out of memory");
		return AA_E_NOMEM;
	}
	fr = 0;
	while (!fr && (rc = aa_next(src, &rec)) == 1)
		fr = aa_follower_add(f, rec);
	if (!fr)
		fr = aa_follower_end(f);
	aa_follower_free(f);
	if (fr == AA_E_STOPPED) {
		set_err(err, AA_E_STOPPED, "aa_follow: a callback returned non-zero");
		return AA_E_STOPPED;
	}
	if (rc < 0) {
		if (err)
			*err = *aa_source_error(src);
		return rc;
	}
	return 0;
}

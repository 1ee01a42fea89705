/* SPDX-License-Identifier: MIT */
/* aa_follow: TLS conversations and the HTTP in them (aa_follow.h). */
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

int aa_follow(aa_source *src, const struct aa_follow_opts *opts,
	      const struct aa_follow_callbacks *cb, void *user, struct aa_error_info *err)
{
	static const struct aa_follow_opts no_opts;
	static const struct aa_follow_callbacks no_cb;
	const struct aa_record *rec;
	struct conv v;
	int rc = 0, stop;

	if (!src) {
		set_err(err, AA_E_INVAL, "aa_follow: no source");
		return AA_E_INVAL;
	}
	if (conv_init(&v, opts ? opts : &no_opts, cb ? cb : &no_cb, user)) {
		set_err(err, AA_E_NOMEM, "aa_follow: out of memory");
		return AA_E_NOMEM;
	}
	while (!v.stop && (rc = aa_next(src, &rec)) == 1)
		if (rec->ev.type == AA_TYPE_TLS && !rec->ev.error)
			conv_piece(&v, rec);
	if (!v.stop)
		conv_end(&v);
	stop = v.stop;
	conv_free(&v);
	if (stop) {
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

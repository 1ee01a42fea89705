/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * String records: a string too long (or too exact) for the record it
 * completes, cut into pieces of AA_STRING_PIECE_MAX bytes, every piece a
 * record of its own, the way TLS pieces are. They are emitted before the
 * record they complete, with its timestamp_ns, pid and tid (events.h).
 */
#ifndef AA_STRINGS_BPF_H
#define AA_STRINGS_BPF_H

struct string_call {
	__u64 src;       /* where the bytes are */
	__u64 len;       /* bytes to record */
	__u64 ts;        /* the completed record's timestamp_ns */
	__u64 pid_tgid;
	__u32 orig_len;  /* the whole string's length, 0xffffffff unknown */
	__u8 kind;       /* enum aa_string_kind */
	__u8 flags;      /* AA_STRING_* */
	__u8 user;       /* src is user memory (else kernel memory) */
	const void *zero;
};

static long string_piece(__u32 i, void *arg)
{
	struct string_call *c = arg;
	struct aa_string_event *e;
	__u64 off = (__u64)i * AA_STRING_PIECE_MAX;
	__u64 n = c->len - off;

	e = reserve(sizeof(*e), AA_DROP_STRING);
	if (!e)
		return 0; /* counted; the next pieces may still fit */
	bounded(n, AA_STRING_PIECE_MAX);
	e->timestamp_ns = c->ts;
	e->pid = c->pid_tgid >> 32;
	e->tid = (__u32)c->pid_tgid;
	e->total_len = c->len;
	e->orig_len = c->orig_len;
	e->seq = i;
	e->kind = c->kind;
	e->flags = c->flags;
	e->_pad[0] = 0;
	e->_pad[1] = 0;
	if (n < AA_STRING_PIECE_MAX)
		bpf_probe_read_kernel(e->data, AA_STRING_PIECE_MAX, c->zero);
	if (c->user)
		bpf_probe_read_user(e->data, n, (const void *)(c->src + off));
	else
		bpf_probe_read_kernel(e->data, n, (const void *)(c->src + off));
	submit(e);
	return 0;
}

/*
 * Emits len bytes at src as string records of `kind` (an empty string is
 * one piece). orig_len is the whole string's length: when it is above len,
 * AA_STRING_TRUNCATED is set. Calls longer than AA_STRING_MAX_PIECES pieces
 * are cut there (and marked truncated).
 */
#define AA_STRING_MAX_PIECES 16384 /* 16 MiB */
static __always_inline void emit_string(__u8 kind, __u8 flags, const void *src, __u64 len,
					__u32 orig_len, bool user, __u64 ts, __u64 pid_tgid)
{
	struct string_call c = {
		.src = (__u64)src, .len = len, .ts = ts, .pid_tgid = pid_tgid,
		.orig_len = orig_len, .kind = kind, .flags = flags, .user = user,
	};
	__u32 pieces;

	if (!cfg_emit_string)
		return;
	c.zero = zeros();
	if (!c.zero)
		return;
	if (c.len > (__u64)AA_STRING_MAX_PIECES * AA_STRING_PIECE_MAX)
		c.len = (__u64)AA_STRING_MAX_PIECES * AA_STRING_PIECE_MAX;
	if (c.orig_len != 0xffffffff && c.orig_len < c.len)
		c.orig_len = c.len;
	if (c.orig_len > c.len)
		c.flags |= AA_STRING_TRUNCATED;
	pieces = c.len ? (c.len + AA_STRING_PIECE_MAX - 1) / AA_STRING_PIECE_MAX : 1;
	bpf_loop(pieces, string_piece, &c, 0);
}

#endif /* AA_STRINGS_BPF_H */

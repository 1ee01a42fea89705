/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * An argv read from the user's NULL-terminated array of string pointers
 * (a failed execve has no new program whose memory would hold it), as
 * string records: each item followed by its NUL, like the argument area of
 * a process. Two walks: the first measures the whole (every piece carries
 * total_len), the second copies up to cfg_argv_max bytes, item after item,
 * into a piece buffer that is emitted each time it is full.
 */
#ifndef AA_ARGV_BPF_H
#define AA_ARGV_BPF_H

#define AA_ARGV_MEASURE_MAX (16u << 20) /* longer: orig_len unknown */
#define AA_ARGV_STEPS_MAX (1u << 23)    /* bpf_loop's own limit */

/* The walks' state, per CPU (see path.bpf.h: unknown values for the verifier). */
struct argv_walk {
	__u8 piece[2 * AA_STRING_PIECE_MAX]; /* the piece being filled, and room for one read past it */
	__u64 argv;     /* user address of the pointer array */
	__u64 item;     /* user address of the current item; 0: take the next one */
	__u64 item_off; /* its bytes consumed already */
	__u64 idx;      /* next index into argv */
	__u64 pos;      /* bytes measured (first walk) or recorded (second) */
	__u64 total;    /* bytes to record */
	__u64 fill;     /* bytes in piece */
	__u64 ts;
	__u64 pid_tgid;
	__u32 orig_len;
	__u32 seq;
	__u8 flags;
	__u8 ended;     /* the array ended (or could not be read) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct argv_walk);
} ARGV_WALK SEC(".maps");

static __always_inline struct argv_walk *argv_walk(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ARGV_WALK, &zero);
}

/* Moves to the next item when the current one is done; 0 at the end. */
static __always_inline int argv_next_item(struct argv_walk *w)
{
	__u64 p = 0;

	if (w->item)
		return 1;
	if (w->ended || bpf_probe_read_user(&p, sizeof(p), (const void *)(w->argv + w->idx * 8)) || !p) {
		w->ended = 1;
		return 0;
	}
	w->idx++;
	w->item = p;
	w->item_off = 0;
	return 1;
}

/* First walk, one step: an item's end, or AA_STRING_PIECE_MAX of its bytes. */
static long argv_measure(__u32 i, void *unused)
{
	struct argv_walk *w = argv_walk();
	long r;

	if (!w)
		return 1;
	if (w->pos > AA_ARGV_MEASURE_MAX)
		return 1;
	if (!argv_next_item(w))
		return 1;
	r = bpf_probe_read_user_str(w->piece, AA_STRING_PIECE_MAX, (const void *)(w->item + w->item_off));
	if (r <= 0) { /* an item that cannot be read ends the argv */
		w->ended = 1;
		return 1;
	}
	if (r < AA_STRING_PIECE_MAX) {
		w->pos += r; /* its NUL included */
		w->item = 0;
	} else { /* r bytes read, the last of them a NUL put there by the helper */
		w->pos += r - 1;
		w->item_off += r - 1;
	}
	return 0;
}

/* Emits the piece buffer as the next string record, NUL-padded. */
static __always_inline void argv_flush(struct argv_walk *w, const void *zero)
{
	struct aa_string_event *e;
	__u64 fill = w->fill;

	bounded(fill, AA_STRING_PIECE_MAX);
	if (fill < AA_STRING_PIECE_MAX)
		bpf_probe_read_kernel(&w->piece[fill], AA_STRING_PIECE_MAX - fill, zero);
	e = reserve(sizeof(*e), AA_DROP_STRING);
	if (e) {
		e->timestamp_ns = w->ts;
		e->pid = w->pid_tgid >> 32;
		e->tid = (__u32)w->pid_tgid;
		e->total_len = w->total;
		e->orig_len = w->orig_len;
		e->seq = w->seq;
		e->kind = AA_STRING_ARGV;
		e->flags = w->flags;
		e->_pad[0] = 0;
		e->_pad[1] = 0;
		bpf_probe_read_kernel(e->data, AA_STRING_PIECE_MAX, w->piece);
		submit(e);
	}
	w->seq++;
	w->fill = 0;
}

/*
 * Second walk, one step: the rest of an item, or as much of it as the
 * piece (or the limit) takes. The read asks one byte more than there is
 * room for: a string that fills the room exactly then still shows whether
 * it ended there (its NUL falls in the spare byte, to be read again next).
 */
static long argv_copy(__u32 i, void *unused)
{
	struct argv_walk *w = argv_walk();
	const void *zero = zeros();
	__u64 room, fill;
	long r;

	if (!w || !zero || w->pos >= w->total)
		return 1;
	fill = w->fill;
	bounded(fill, AA_STRING_PIECE_MAX - 1);
	room = AA_STRING_PIECE_MAX - fill;
	if (room > w->total - w->pos)
		room = w->total - w->pos;
	bounded(room, AA_STRING_PIECE_MAX);
	if (room == 0)
		return 1;
	if (argv_next_item(w)) {
		r = bpf_probe_read_user_str(&w->piece[fill], room + 1, (const void *)(w->item + w->item_off));
		if (r <= 0) {
			w->ended = 1;
			return 0; /* the next steps pad with NULs */
		}
		if (r <= room) {
			w->item = 0;
			room = r;
		} else {
			w->item_off += room;
		}
	} else {
		/* Shorter than measured (changed meanwhile): NULs up to total_len,
		 * so that every piece announced comes. */
		bpf_probe_read_kernel(&w->piece[fill], room, zero);
	}
	w->fill = fill + room;
	w->pos += room;
	if (w->fill >= AA_STRING_PIECE_MAX || w->pos >= w->total)
		argv_flush(w, zero);
	return 0;
}

/* Emits the argv at user address `argv` as AA_STRING_ARGV records. */
static __always_inline void emit_user_argv(__u64 argv, __u64 ts, __u64 pid_tgid)
{
	struct argv_walk *w = argv_walk();
	const void *zero = zeros();
	__u64 steps;

	if (!w || !zero)
		return;
	w->argv = argv;
	w->item = 0;
	w->idx = 0;
	w->pos = 0;
	w->ended = 0;
	bpf_loop(AA_ARGV_STEPS_MAX, argv_measure, NULL, 0);
	/* Not ended: the walk stopped first, the length is a lower bound. */
	w->orig_len = !w->ended || w->pos > 0xfffffffe ? 0xffffffff : w->pos;
	w->total = w->pos < cfg_argv_max ? w->pos : cfg_argv_max;
	w->flags = w->total < w->pos || !w->ended ? AA_STRING_TRUNCATED : 0;
	w->ts = ts;
	w->pid_tgid = pid_tgid;
	w->seq = 0;
	w->fill = 0;
	if (w->total == 0) { /* an empty argv: one empty piece */
		argv_flush(w, zero);
		return;
	}
	w->item = 0;
	w->idx = 0;
	w->pos = 0;
	w->ended = 0;
	/* Each step ends an item or fills a piece. */
	steps = w->total + w->total / AA_STRING_PIECE_MAX + 2;
	bpf_loop(steps < AA_ARGV_STEPS_MAX ? steps : AA_ARGV_STEPS_MAX, argv_copy, NULL, 0);
}

#endif /* AA_ARGV_BPF_H */

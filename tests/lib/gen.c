/* SPDX-License-Identifier: MIT */
#include "gen.h"

#include <string.h>

/* A NUL-terminated string of printable bytes in field[0..size), random after the NUL. */
static void random_string(struct aat_rng *r, uint8_t *field, size_t size)
{
	aat_fill(r, field, size);
	size_t n = aat_below(r, (uint32_t)size); /* string length, NUL at field[n] */
	for (size_t i = 0; i < n; i++)
		field[i] = (uint8_t)(0x20 + aat_below(r, 0x5f));
	field[n] = 0;
}

size_t aat_gen_valid(struct aat_rng *r, enum aa_type type, uint64_t ts, void *buf)
{
	switch (type) {
	case AA_TYPE_TLS: {
		struct aa_tls_event *e = buf;
		memset(e, 0, sizeof(*e));
		e->timestamp_ns = ts;
		e->pid = (uint32_t)aat_rand(r);
		e->tid = (uint32_t)aat_rand(r);
		e->direction = (uint8_t)aat_below(r, 2);
		e->data_len = aat_below(r, 4) == 0 ? (uint32_t)aat_rand(r) : aat_below(r, 5 * 4096);
		uint32_t pieces = e->data_len ? (uint32_t)((e->data_len + 4095ull) / 4096) : 1;
		e->seq = aat_below(r, pieces);
		aat_fill(r, e->payload, aa_tls_piece_len(e));
		return sizeof(*e);
	}
	case AA_TYPE_FILE: {
		struct aa_file_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		e->syscall = aat_below(r, AA_SYS_COUNT);
		random_string(r, e->path, sizeof(e->path));
		return sizeof(*e);
	}
	case AA_TYPE_EXEC: {
		struct aa_exec_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		random_string(r, e->filename, sizeof(e->filename));
		random_string(r, e->args, sizeof(e->args));
		return sizeof(*e);
	}
	case AA_TYPE_EXIT: {
		struct aa_exit_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		return sizeof(*e);
	}
	default:
		return 0;
	}
}

size_t aat_gen_unknown_len(struct aat_rng *r, size_t max)
{
	for (;;) {
		size_t len = 1 + aat_below(r, (uint32_t)max);
		int known = 0;
		for (int t = 0; t < AA_TYPE_UNKNOWN; t++)
			known |= len == aa_type_size((enum aa_type)t);
		if (!known)
			return len;
	}
}

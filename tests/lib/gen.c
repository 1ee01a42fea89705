/* SPDX-License-Identifier: MIT */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

#include "aa_error.h"
#include "recs.h"

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
	case AA_TYPE_TASK: {
		struct aa_task_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		e->kind = (uint8_t)aat_below(r, AA_TASK_KIND_COUNT);
		random_string(r, e->comm, sizeof(e->comm));
		random_string(r, e->cgroup, sizeof(e->cgroup));
		return sizeof(*e);
	}
	case AA_TYPE_STRING: {
		struct aa_string_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		e->kind = (uint8_t)aat_below(r, AA_STRING_KIND_COUNT);
		e->flags = (uint8_t)aat_below(r, AA_STRING_FLAGS_ALL + 1);
		e->total_len = aat_below(r, 4) == 0 ? (uint32_t)aat_rand(r) : aat_below(r, 5 * 1024);
		uint32_t pieces = e->total_len ? (uint32_t)((e->total_len + 1023ull) / 1024) : 1;
		e->seq = aat_below(r, pieces);
		return sizeof(*e);
	}
	case AA_TYPE_TLS_CONN: {
		struct aa_tls_conn_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		e->direction = (uint8_t)aat_below(r, 2);
		e->lib = (uint8_t)aat_below(r, AA_TLS_LIB_COUNT);
		return sizeof(*e);
	}
	case AA_TYPE_FILEOP: {
		struct aa_fileop_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		e->syscall = AA_SYS_PREAD64 + aat_below(r, AA_SYS_FILEOP_END - AA_SYS_PREAD64);
		e->marks &= AA_MARK_ALL;
		random_string(r, e->path, sizeof(e->path));
		return sizeof(*e);
	}
	case AA_TYPE_NET: {
		struct aa_net_event *e = buf;
		aat_fill(r, e, sizeof(*e));
		e->timestamp_ns = ts;
		e->syscall = (uint8_t)aat_below(r, AA_NET_SYSCALL_COUNT);
		return sizeof(*e);
	}
	case AA_TYPE_UNKNOWN:
		break;
	}
	return 0;
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

int aat_gen_invalid(struct aat_rng *r, enum aa_type type, uint64_t ts, void *buf)
{
	aat_gen_valid(r, type, ts, buf);
	switch (type) {
	case AA_TYPE_TLS: {
		struct aa_tls_event *e = buf;
		if (aat_below(r, 2)) {
			e->direction = (uint8_t)(2 + aat_below(r, 254));
			return AA_REC_DIRECTION;
		}
		/* a piece that starts at or past the end of the call */
		e->data_len = aat_below(r, 3 * 4096);
		e->seq = e->data_len / 4096 + 1 + aat_below(r, 1000);
		if (e->data_len % 4096 == 0 && e->data_len)
			e->seq--;
		return AA_REC_TLS_SEQ;
	}
	case AA_TYPE_FILE: {
		struct aa_file_event *e = buf;
		if (aat_below(r, 2)) {
			e->syscall = AA_SYS_COUNT + aat_below(r, 0xfffffff0u);
			return AA_REC_SYSCALL;
		}
		memset(e->path, 'p', sizeof(e->path));
		return AA_REC_STRING;
	}
	case AA_TYPE_EXEC: {
		struct aa_exec_event *e = buf;
		if (aat_below(r, 2))
			memset(e->filename, 'f', sizeof(e->filename));
		else
			memset(e->args, 'a', sizeof(e->args));
		return AA_REC_STRING;
	}
	case AA_TYPE_TASK: {
		struct aa_task_event *e = buf;
		if (aat_below(r, 2)) {
			e->kind = (uint8_t)(AA_TASK_KIND_COUNT + aat_below(r, 256 - AA_TASK_KIND_COUNT));
			return AA_REC_KIND;
		}
		memset(e->comm, 'c', sizeof(e->comm));
		return AA_REC_STRING;
	}
	case AA_TYPE_STRING: {
		struct aa_string_event *e = buf;
		if (aat_below(r, 2)) {
			e->kind = (uint8_t)(AA_STRING_KIND_COUNT + aat_below(r, 256 - AA_STRING_KIND_COUNT));
			return AA_REC_KIND;
		}
		e->total_len = aat_below(r, 3 * 1024);
		e->seq = e->total_len / 1024 + 1 + aat_below(r, 1000);
		if (e->total_len % 1024 == 0 && e->total_len)
			e->seq--;
		return AA_REC_PIECE;
	}
	case AA_TYPE_TLS_CONN: {
		struct aa_tls_conn_event *e = buf;
		if (aat_below(r, 2)) {
			e->direction = (uint8_t)(2 + aat_below(r, 254));
			return AA_REC_DIRECTION;
		}
		e->lib = (uint8_t)(AA_TLS_LIB_COUNT + aat_below(r, 256 - AA_TLS_LIB_COUNT));
		return AA_REC_KIND;
	}
	case AA_TYPE_FILEOP: {
		struct aa_fileop_event *e = buf;
		if (aat_below(r, 2)) {
			e->syscall = aat_below(r, 2) ? aat_below(r, AA_SYS_PREAD64)
						     : AA_SYS_FILEOP_END + aat_below(r, 0xfffffff0u);
			return AA_REC_SYSCALL;
		}
		memset(e->path, 'p', sizeof(e->path));
		return AA_REC_STRING;
	}
	case AA_TYPE_NET: {
		struct aa_net_event *e = buf;
		e->syscall = (uint8_t)(AA_NET_SYSCALL_COUNT + aat_below(r, 256 - AA_NET_SYSCALL_COUNT));
		return AA_REC_SYSCALL;
	}
	case AA_TYPE_EXIT: /* no invalid exit record exists */
	case AA_TYPE_UNKNOWN:
		break;
	}
	abort();
}

void aat_gen_mix(struct aat_rng *r, size_t n, size_t max_len, uint64_t *ts, struct aat_recs *out,
		 struct aat_mix_counts *counts)
{
	uint8_t buf[AAT_GEN_MAX > 8192 ? AAT_GEN_MAX : 8192];
	struct aat_mix_counts none;
	if (!counts)
		counts = &none;
	while (n) {
		enum aa_type t = (enum aa_type)aat_below(r, AA_TYPE_COUNT);
		uint32_t k = aat_below(r, 10);
		size_t len;
		if (t == AA_TYPE_UNKNOWN || aa_type_size(t) > max_len) {
			len = aat_gen_unknown_len(r, max_len < sizeof(buf) ? max_len : sizeof(buf));
			aat_fill(r, buf, len);
			counts->by_type[AA_TYPE_UNKNOWN]++;
		} else if (k == 0 && t != AA_TYPE_EXIT) {
			aat_gen_invalid(r, t, *ts, buf);
			len = aa_type_size(t);
			counts->by_type[t]++;
			counts->invalid++;
		} else {
			len = aat_gen_valid(r, t, *ts, buf);
			counts->by_type[t]++;
		}
		*ts += 1 + aat_below(r, 100000);
		aat_recs_add(out, buf, len);
		n--;
	}
}

void aat_mix(uint64_t seed, size_t n, size_t max_len, struct aat_recs *out,
	     struct aat_mix_counts *counts)
{
	struct aat_rng r;
	uint64_t ts = 1;
	aat_rng_seed(&r, seed);
	aat_gen_mix(&r, n, max_len, &ts, out, counts);
}

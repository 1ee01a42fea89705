/* SPDX-License-Identifier: MIT */
/*
 * The time-order stage (replay/order.c) on its own: records pushed out of
 * order within the window come out sorted by (time, arrival), each once,
 * whether the source lets their buffer be kept (struct aa_pin: then the
 * record comes out pointing into that buffer, not copied, and every
 * reference is given back) or not (then an aligned copy, its typed view
 * on the copy).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "files.h"
#include "order.h"
#include "parse.h"

#define N 6000
#define WINDOW 1000u

/* one buffer per record, as a source's decoded chunks are (8-byte aligned) */
static uint8_t bufs[N][AA_EXIT_EVENT_SIZE] __attribute__((aligned(8)));

/* Record i's time: in arrival order, but up to half a window early (as a
 * file record carries its syscall's entry time); every 9th ties its predecessor. */
static uint64_t time_of(unsigned i)
{
	if (i % 9 == 8)
		return time_of(i - 1);
	return 100000 + (uint64_t)i * 10 - (uint64_t)((i * 7919u) % (WINDOW / 2));
}

static void run(int pinned)
{
	struct aa_order *o = aa_order_new(WINDOW);
	struct aa_pin pins[3] = {{0, 4096}, {0, 4096}, {0, 4096}};
	static unsigned char seen[N];
	uint64_t last_t = 0, newest = 0;
	unsigned out = 0, last_pid = 0;

	cr_assert_not_null(o);
	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i <= N; i++) {
		if (i < N) {
			struct aa_record rec;
			memset(&rec, 0, sizeof(rec));
			aat_put_le64(bufs[i], time_of(i));
			aat_put_le32(bufs[i] + 8, i); /* the pid says which record it is */
			cr_assert_eq(aa_parse(bufs[i], AA_EXIT_EVENT_SIZE, &rec.ev), 0);
			rec.time_ns = time_of(i);
			rec.index = i;
			if (rec.time_ns > newest)
				newest = rec.time_ns;
			cr_assert_eq(aa_order_push(o, &rec, pinned ? &pins[i % 3] : NULL), 0);
		}
		struct aa_record *r;
		while ((r = aa_order_pop(o, i == N)) != NULL) {
			unsigned pid = r->ev.exit->pid;
			cr_assert_lt(pid, N);
			cr_assert_not(seen[pid], "record %u out twice", pid);
			seen[pid] = 1;
			out++;
			cr_assert_eq(r->time_ns, time_of(pid));
			cr_assert_eq(r->index, pid);
			cr_assert(r->time_ns > last_t || (out == 1) ||
					  (r->time_ns == last_t && pid > last_pid),
				  "record %u (time %llu) after record %u (time %llu)", pid,
				  (unsigned long long)r->time_ns, last_pid, (unsigned long long)last_t);
			cr_assert(i == N || newest - r->time_ns >= WINDOW, "record %u out before its window", pid);
			last_t = r->time_ns;
			last_pid = pid;
			cr_assert_eq((const void *)r->ev.exit, (const void *)r->ev.raw);
			cr_assert_eq((uintptr_t)r->ev.raw % 8, 0);
			int in_place = r->ev.raw == bufs[pid];
			cr_assert_eq(in_place, pinned, "record %u: %s", pid,
				     pinned ? "copied although its buffer was pinned" : "not copied");
		}
	}
	cr_expect_eq(out, N);
	cr_expect_eq(pins[0].refs + pins[1].refs + pins[2].refs, 0, "every reference given back");
	aa_order_free(o);
}

Test(order, pinned_records_stay_in_their_buffer)
{
	run(1);
}

Test(order, unpinned_records_are_copied)
{
	run(0);
}

/* A record viewed through a source's aligned copy (not its bytes) is copied even when pinned. */
Test(order, a_record_viewed_elsewhere_is_copied)
{
	static uint8_t raw[AA_EXIT_EVENT_SIZE + 8] __attribute__((aligned(8)));
	union aa_record_copy copy;
	struct aa_pin pin = {0, 4096};
	struct aa_record rec;
	struct aa_order *o = aa_order_new(WINDOW);

	memset(&rec, 0, sizeof(rec));
	aat_put_le32(raw + 1 + 8, 77);
	cr_assert_eq(aa_parse_copy(raw + 1, AA_EXIT_EVENT_SIZE, &rec.ev, &copy), 0);
	cr_assert_eq(aa_order_push(o, &rec, &pin), 0);
	cr_expect_eq(pin.refs, 0, "not kept: its view is not in its bytes");
	memset(&copy, 0xff, sizeof(copy));
	struct aa_record *r = aa_order_pop(o, 1);
	cr_assert_not_null(r);
	cr_expect_eq(r->ev.exit->pid, 77);
	cr_expect_eq((const void *)r->ev.exit, (const void *)r->ev.raw);
	aa_order_free(o);
}

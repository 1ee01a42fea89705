/* SPDX-License-Identifier: MIT */
/*
 * The live source (aa_live.h): records straight from the EVENTS ring buffer,
 * read in place and parsed with the same aa_parse as recorded files, behind
 * the aa_source interface. A record handed out stays valid until the next
 * call, which gives its space back to the kernel.
 */
#include "aa_live.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "live_load.h"
#include "live_ring.h"
#include "source.h"
#include "take.h"

/*
 * The BPF programs wake the reader only every 10 ms or when an eighth of the
 * ring is full (bpf/common.bpf.h, submit()). Records committed after the
 * last wakeup are picked up by a one-shot timer in the same epoll set, armed
 * whenever the reader empties the ring after taking records: the epoll fd
 * (aa_live_fd) is readable at most 10 ms after any record arrived.
 */
#define LIVE_TAIL_MS 10

struct live_source {
	aa_source base; /* first: the common layer sees only this */
	struct aa_live_bpf *bpf;
	struct aa_ring ring;
	int epfd;
	int timerfd;
	int took;       /* records taken since the timer was last armed */
	int timeout_ms;
	int64_t mono_to_wall;
	struct aa_record rec;
};

static struct live_source *live_of(aa_source *src)
{
	return (struct live_source *)src;
}

/* The ring is empty: clears a timer that went off, and arms it again if
 * records were taken since, for those that may come without a wakeup.
 * 0, or AA_E_IO when the timer cannot be armed: records could then wait
 * unseen in the ring for as long as no other comes. */
static int ring_emptied(struct live_source *ls)
{
	struct itimerspec t = { .it_value = { .tv_nsec = LIVE_TAIL_MS * 1000000L } };
	uint64_t expirations;

	if (read(ls->timerfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return 0; /* nothing to clear */
	if (!ls->took)
		return 0;
	if (timerfd_settime(ls->timerfd, 0, &t, NULL) != 0)
		return aa_source_fail(&ls->base, AA_E_IO, NULL, -1, -1,
				      "arming the ring buffer's tail timer: %s", strerror(errno));
	ls->took = 0;
	return 0;
}

static int timed_out(aa_source *src, int timeout_ms)
{
	return aa_source_fail(src, AA_E_AGAIN, NULL, -1, -1, "no record within %d ms", timeout_ms);
}

/* Waits until the ring may hold a record; AA_E_AGAIN once the deadline
 * (unused when timeout_ms is -1) has passed. */
static int wait_ready(struct live_source *ls, uint64_t deadline_ms, int busy)
{
	struct epoll_event ev;
	int ms = -1, n;

	if (ls->timeout_ms >= 0) {
		uint64_t now = aa_clock_ns(CLOCK_MONOTONIC) / 1000000;

		ms = now >= deadline_ms ? 0 : (int)(deadline_ms - now);
	}
	if (busy) {
		/* A record is reserved and being filled: the producer commits it
		 * within microseconds, and epoll would report ready at once. */
		sched_yield();
		return ms == 0 ? timed_out(&ls->base, ls->timeout_ms) : 0;
	}
	n = epoll_wait(ls->epfd, &ev, 1, ms);
	if (n < 0 && errno != EINTR)
		return aa_source_fail(&ls->base, AA_E_IO, NULL, -1, -1, "waiting for the ring buffer: %s",
				      strerror(errno));
	if (n <= 0) /* time up, or a signal for the caller to look at */
		return timed_out(&ls->base, ls->timeout_ms);
	return 0;
}

/* The next record in the ring, in place: 0 (*raw, *len set) or AA_E_*. */
static int live_frame(struct live_source *ls, const void **raw, uint32_t *len)
{
	uint64_t deadline_ms = 0;
	int rc;

	for (;;) {
		enum aa_ring_state st = aa_ring_next(&ls->ring, raw, len);

		if (st == AA_RING_RECORD)
			break;
		/* The clock only when about to wait: a record ready at once (the
		 * usual case while draining) costs no clock read. */
		if (ls->timeout_ms >= 0 && !deadline_ms)
			deadline_ms = aa_clock_ns(CLOCK_MONOTONIC) / 1000000 + (uint64_t)ls->timeout_ms;
		if (st == AA_RING_EMPTY && (rc = ring_emptied(ls)) != 0)
			return rc;
		/* Even with no time to wait (aa-capture's 0), epoll_wait() runs: on
		 * the empty ring it takes the ring off the epoll's ready list, so
		 * that the caller's poll() of aa_live_fd() sleeps until the
		 * kernel's next wakeup instead of waking for every few records. */
		rc = wait_ready(ls, deadline_ms, st == AA_RING_BUSY);
		if (rc)
			return rc;
	}
	ls->took = 1;
	return 0;
}

static int live_next(aa_source *src, struct aa_record **out)
{
	struct live_source *ls = live_of(src);
	const void *raw;
	uint32_t len;
	int rc = live_frame(ls, &raw, &len);

	if (rc)
		return rc;
	aa_parse(raw, len, &ls->rec.ev);
	ls->rec.time_ns = ls->rec.ev.mono_ns ? aa_wall_ns(ls->rec.ev.mono_ns, ls->mono_to_wall)
					     : aa_clock_ns(CLOCK_REALTIME);
	ls->rec.index = src->stats.records;
	ls->rec.path = NULL;
	ls->rec.chunk = 0;
	*out = &ls->rec;
	return 1;
}

static void live_destroy(aa_source *src)
{
	struct live_source *ls = live_of(src);

	aa_ring_unmap(&ls->ring);
	if (ls->epfd >= 0)
		close(ls->epfd);
	if (ls->timerfd >= 0)
		close(ls->timerfd);
	aa_live_bpf_close(ls->bpf);
	free(ls);
}

static const struct aa_source_ops live_ops = {
	.next = live_next,
	.meta = NULL, /* a live source has no META: aa_source_meta() gives NULL */
	.destroy = live_destroy,
};

static int open_fail(struct aa_error_info *err, int code, const char *detail)
{
	return aa_error_set(err, code, 0, NULL, "%s", detail);
}

int aa_open_live(aa_source **src, const struct aa_live_opts *opts, struct aa_error_info *err)
{
	static const struct aa_live_opts none = { .timeout_ms = -1 };
	const struct aa_live_opts *o = opts ? opts : &none;
	struct epoll_event ev = { .events = EPOLLIN };
	struct live_source *ls;
	char why[sizeof(err->detail)];
	int rc;

	*src = NULL;
	ls = calloc(1, sizeof(*ls));
	if (!ls)
		return open_fail(err, AA_E_NOMEM, "out of memory");
	ls->epfd = ls->timerfd = -1;
	rc = aa_source_init(&ls->base, &live_ops, &o->filter);
	if (!rc)
		rc = aa_live_bpf_open(&ls->bpf, o, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "out of memory");
	if (rc) {
		free((void *)ls->base.filter.pids);
		free(ls);
		return open_fail(err, rc, why);
	}
	ls->timeout_ms = o->timeout_ms;
	ls->mono_to_wall = aa_mono_to_wall();
	rc = aa_ring_map(&ls->ring, aa_live_bpf_events_fd(ls->bpf), aa_live_bpf_ring_bytes(ls->bpf));
	if (rc) {
		snprintf(why, sizeof(why), "mapping the EVENTS ring buffer: %s", strerror(-rc));
		rc = AA_E_BPF;
	} else if ((ls->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
		   (ls->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
		   epoll_ctl(ls->epfd, EPOLL_CTL_ADD, aa_live_bpf_events_fd(ls->bpf), &ev) ||
		   epoll_ctl(ls->epfd, EPOLL_CTL_ADD, ls->timerfd, &ev)) {
		snprintf(why, sizeof(why), "polling the EVENTS ring buffer: %s", strerror(errno));
		rc = AA_E_IO;
	}
	if (rc) {
		aa_close(&ls->base);
		return open_fail(err, rc, why);
	}
	*src = &ls->base;
	return 0;
}

void aa_live_drops(aa_source *src, uint64_t drops[AA_DROP_SLOTS])
{
	if (!aa_source_is(src, &live_ops, __func__, "a live source")) {
		memset(drops, 0, AA_DROP_SLOTS * sizeof(drops[0]));
		return;
	}
	struct live_source *ls = live_of(src);
	uint64_t now[AA_DROP_SLOTS];

	/* The kernel's counters only grow: a read that fails, or a value
	 * below the last one, keeps the last one (never a step back to 0). */
	memcpy(now, src->stats.drops, sizeof(now));
	aa_live_bpf_drops(ls->bpf, now);
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		if (now[i] > src->stats.drops[i])
			src->stats.drops[i] = now[i];
	memcpy(drops, src->stats.drops, sizeof(src->stats.drops));
	src->stats.dropped = 0;
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		src->stats.dropped += drops[i];
}

int aa_live_fd(aa_source *src)
{
	AA_SOURCE_REQUIRE(src, &live_ops, "a live source", AA_E_INVAL);
	return live_of(src)->epfd;
}

int64_t aa_live_mono_to_wall(aa_source *src)
{
	AA_SOURCE_REQUIRE(src, &live_ops, "a live source", 0);
	return live_of(src)->mono_to_wall;
}

const struct aa_live_probes *aa_live_probes(aa_source *src)
{
	AA_SOURCE_REQUIRE(src, &live_ops, "a live source", NULL);
	return aa_live_bpf_probes(live_of(src)->bpf);
}

void aa_live_unfollow_tls(aa_source *src)
{
	if (src && src->ops == &live_ops)
		aa_live_bpf_unfollow(live_of(src)->bpf);
}

int aa_live_take(aa_source *src, const void **rec, uint32_t *len)
{
	AA_SOURCE_REQUIRE(src, &live_ops, "a live source", AA_E_INVAL);
	int rc = live_frame(live_of(src), rec, len);

	return rc ? rc : 1;
}

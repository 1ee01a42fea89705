/* SPDX-License-Identifier: MIT */
/*
 * The library's error contract: a call that fails fills the caller's error
 * (code equal to what it returned, a one-line detail), also when it failed
 * for want of memory; a callback that stops aa_dispatch gets AA_E_STOPPED,
 * not a record-content code. Allocation failure is real: a child caps its
 * own address space (tests/lib/memcap.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aa_live.h"
#include "aa_raw.h"
#include "aa_replay.h"
#include "memcap.h"

#define FIXTURE "tests/fixtures/generated.pcapng"

static int stop_at_exec(void *user, const struct aa_record *rec)
{
	(void)rec;
	++*(int *)user;
	return -1; /* what a C programmer writes for "stop": once AA_E_SYSCALL's value */
}

Test(error_contract, callback_stop_has_its_own_code)
{
	const char *path = FIXTURE;
	struct aa_callbacks cb = {.on_exec = stop_at_exec};
	aa_source *src;
	int calls = 0;

	cr_assert_eq(aa_open_offline(&src, &path, 1, NULL, NULL), 0);
	int rc = aa_dispatch(src, &cb, &calls);
	cr_expect_eq(rc, AA_E_STOPPED, "aa_dispatch returned %d (%s)", rc, aa_error_name(rc));
	cr_expect_eq(calls, 1);
	const struct aa_error_info *e = aa_source_error(src);
	cr_expect_eq(e->code, AA_E_STOPPED);
	char msg[256];
	aa_error_format(e, msg, sizeof(msg));
	cr_expect_str_eq(msg, "stopped by a callback: the exec callback returned -1");
	cr_expect_str_eq(aa_error_name(rc), "AA_E_STOPPED");
	/* the next call goes on after the record that stopped it */
	rc = aa_dispatch(src, &cb, &calls);
	cr_expect_eq(rc, AA_E_STOPPED);
	cr_expect_eq(calls, 2);
	aa_close(src);
}

#if defined(__SANITIZE_ADDRESS__)
#define NO_CAP 1 /* no address-space cap under ASan */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_CAP 1
#endif
#endif

#ifndef NO_CAP
/* The error a failed call left must be whole: its code, and a detail that
 * says out of memory when that was the cause. */
static int check_err(const struct aa_error_info *e, int rc)
{
	if (e->code != rc)
		return 10;
	if (!memchr(e->detail, 0, sizeof(e->detail)) || !e->detail[0])
		return 11;
	if (rc == AA_E_NOMEM && !strstr(e->detail, "out of memory"))
		return 12;
	return 0;
}

enum opener { OFFLINE, RAW, LIVE };

/* In a child: opens FIXTURE with about leave bytes of memory left, reads it
 * to the end, and exits 0 if every failure on the way filled its error,
 * else 10 and up; 1 if nothing failed. */
static int run_capped(enum opener how, size_t leave)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *path = FIXTURE;
		struct aa_error_info err;
		const struct aa_record *rec;
		aa_source *src = NULL;
		int rc;

		memset(&err, 0x5a, sizeof(err)); /* what the caller's stack held */
		aat_leave_memory(leave);
		if (how == OFFLINE)
			rc = aa_open_offline(&src, &path, 1, NULL, &err);
		else if (how == RAW)
			rc = aa_open_raw(&src, path, NULL, &err);
		else
			rc = aa_open_live(&src, NULL, &err);
		if (rc)
			_exit(src ? 13 : check_err(&err, rc));
		while ((rc = aa_next(src, &rec)) == 1)
			;
		if (rc < 0 && how == OFFLINE)
			_exit(check_err(aa_source_error(src), rc));
		_exit(1);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "the child died (status 0x%x)", st);
	return WEXITSTATUS(st);
}

#endif /* NO_CAP */

Test(error_contract, out_of_memory_fills_the_error)
{
#ifdef NO_CAP
	cr_skip_test("address-space caps do not work under AddressSanitizer");
#else
	static const char *const names[] = {"aa_open_offline", "aa_open_raw", "aa_open_live"};
	/* No heap at all: the very first allocation of each open fails. */
	for (int how = OFFLINE; how <= LIVE; how++) {
		int r = run_capped(how, 0);
		cr_expect_eq(r, 0, "%s with no memory: child exit %d", names[how], r);
	}
	/* Then more and more room: wherever the first failure falls (the read
	 * buffers, the chunk, zstd's context), its error is whole. */
	int failed = 0;
	for (size_t leave = 0; leave <= 2u << 20; leave += 64u << 10) {
		int r = run_capped(OFFLINE, leave);
		cr_expect(r == 0 || r == 1, "aa_open_offline + aa_next with %zu bytes left: child exit %d",
			  leave, r);
		failed += r == 0;
	}
	cr_expect_gt(failed, 0, "no margin made a call fail: the test tests nothing");
#endif
}

/* The error a wrong-kind call left: AA_E_INVAL naming the call. */
static void expect_refused(aa_source *src, const char *what)
{
	const struct aa_error_info *e = aa_source_error(src);
	cr_expect_eq(e->code, AA_E_INVAL, "%s: code %d", what, e->code);
	cr_expect_str_eq(e->detail, what);
}

Test(error_contract, calls_of_another_source_kind_are_refused)
{
	const char *path = FIXTURE;
	aa_source *file, *raw;
	uint64_t drops[AA_DROP_SLOTS];

	cr_assert_eq(aa_open_offline(&file, &path, 1, NULL, NULL), 0);
	cr_assert_eq(aa_open_raw(&raw, path, NULL, NULL), 0);

	cr_expect_eq(aa_live_fd(file), AA_E_INVAL);
	expect_refused(file, "aa_live_fd: not a live source");
	memset(drops, 0x5a, sizeof(drops));
	aa_live_drops(file, drops);
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		cr_expect_eq(drops[i], 0);
	expect_refused(file, "aa_live_drops: not a live source");
	cr_expect_eq(aa_live_mono_to_wall(raw), 0);
	expect_refused(raw, "aa_live_mono_to_wall: not a live source");

	cr_expect_eq(aa_raw_fd(file), AA_E_INVAL);
	expect_refused(file, "aa_raw_fd: not a raw-stream source");
	cr_expect_eq(aa_raw_offset(file), 0);
	cr_expect_eq(aa_raw_mono_to_wall(file), 0);
	aa_raw_set_timeout(file, 0);
	expect_refused(file, "aa_raw_set_timeout: not a raw-stream source");
	/* NULL is refused too, not dereferenced */
	cr_expect_eq(aa_raw_fd(NULL), AA_E_INVAL);
	cr_expect_eq(aa_live_fd(NULL), AA_E_INVAL);

	/* the right kind still works, and the file source still reads */
	cr_expect_geq(aa_raw_fd(raw), 0);
	const struct aa_record *rec;
	cr_expect_eq(aa_next(file, &rec), 1);
	aa_close(raw);
	aa_close(file);
}

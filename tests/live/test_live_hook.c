/* SPDX-License-Identifier: MIT */
/*
 * A program that uses libbpf itself keeps its own print hook: opening (and
 * failing to open) a live source borrows libbpf's process-wide hook only
 * while it loads, then puts the caller's back. Needs root.
 */
#include <bpf/libbpf.h>

#include "live_capture.h"

static int callers_lines;

static int callers_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	callers_lines++;
	return 0;
}

Test(live_hook, the_callers_libbpf_print_hook_is_put_back, .timeout = 30)
{
	struct aa_live_opts bad = { .ring_bytes = 3 }; /* refused: not a power of two */
	struct aa_error_info err;
	aa_source *src;

	live_require_root();
	libbpf_set_print(callers_print);
	int rc = aa_open_live(&src, NULL, &err);
	cr_assert_eq(rc, 0, "aa_open_live: %s: %s", aa_error_name(rc), err.detail);
	cr_expect(libbpf_set_print(callers_print) == callers_print,
		  "after a successful open, libbpf prints through the caller's hook again");
	aa_close(src);

	cr_expect_neq(aa_open_live(&src, &bad, &err), 0, "a ring of 3 bytes is refused");
	cr_expect(libbpf_set_print(NULL) == callers_print,
		  "after a failed open, libbpf prints through the caller's hook again");
}

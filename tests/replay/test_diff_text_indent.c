/* SPDX-License-Identifier: MIT */
/* diff_text_add_indented (diff_spool.c): a line spooled with n spaces
 * before it reads back, and is hashed, as the whole indented line; the
 * unified diff compares lines by that hash, so it must be the hash of the
 * line a --show prints. */
#include <criterion/criterion.h>
#include <string.h>

#include "diff_impl.h"
#include "diff_build.h" /* diff_hash: a line's hash as the texts keep it */

Test(diff_text_indent, indented_lines_read_back_whole_with_the_whole_lines_hash)
{
	static const size_t indents[] = { 0, 2, 64, 130 }; /* past the 64 spaces written at once */
	struct diff_text t = { 0 };
	char want[256];
	struct diff_entry e;

	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(diff_text_add_indented(&t, indents[i], "open \"x\"", 8, 7 + i), 0);
	cr_assert_eq(diff_text_done(&t), 0);
	cr_assert_eq(t.n, 4);
	cr_assert_eq(t.bytes, 4 * 9 + 0 + 2 + 64 + 130);
	for (size_t i = 0; i < 4; i++) {
		memset(want, ' ', indents[i]);
		memcpy(want + indents[i], "open \"x\"", 9);
		cr_assert_eq(diff_text_entry(&t, i, &e), 0);
		cr_assert_eq(e.len, indents[i] + 8);
		cr_assert_eq(e.proc, 7 + i);
		cr_assert_eq(e.hash, diff_hash(want, indents[i] + 8), "line %zu", i);
		const char *got = diff_text_line(&t, &e);
		cr_assert_not_null(got);
		cr_assert_str_eq(got, want);
	}
	diff_text_free(&t);
}

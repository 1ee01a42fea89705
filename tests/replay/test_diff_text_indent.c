/* SPDX-License-Identifier: MIT */
/* diff_text_add_indented (diff_spool.c): a line kept with n spaces before
 * it reads back as the whole indented line, while only its bytes are in
 * the lines file; it is compared by the hash of its bytes and its indent,
 * so that the same bytes at another depth (a process moved in the tree)
 * are another line, and the same line in two texts is the same. */
#include <criterion/criterion.h>
#include <string.h>

#include "diff_impl.h"

Test(diff_text_indent, indented_lines_read_back_whole_and_hash_with_their_indent)
{
	static const uint32_t indents[] = { 0, 2, 64, 130 };
	struct diff_text t = { 0 }, u = { 0 };
	char want[256];
	struct diff_entry e, f;

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(diff_text_add_indented(&t, indents[i], "open \"x\"", 8, 7 + i), 0);
		cr_assert_eq(diff_text_add_indented(&u, indents[3 - i], "open \"x\"", 8, 7 + i), 0);
	}
	cr_assert_eq(diff_text_done(&t), 0);
	cr_assert_eq(diff_text_done(&u), 0);
	cr_assert_eq(t.n, 4);
	cr_assert_eq(t.bytes, 4 * 8, "the bytes of each line once, no spaces, no newlines");
	for (size_t i = 0; i < 4; i++) {
		memset(want, ' ', indents[i]);
		memcpy(want + indents[i], "open \"x\"", 9);
		cr_assert_eq(diff_text_entry(&t, i, &e), 0);
		cr_assert_eq(e.len, indents[i] + 8);
		cr_assert_eq(e.indent, indents[i]);
		cr_assert_eq(e.proc, 7 + i);
		cr_assert_eq(e.hash, diff_text_hash(diff_hash("open \"x\"", 8), indents[i]), "line %zu", i);
		for (size_t j = 0; j < 4; j++) {
			cr_assert_eq(diff_text_entry(&u, j, &f), 0);
			if (indents[3 - j] == indents[i])
				cr_expect_eq(f.hash, e.hash, "the same line in another text");
			else
				cr_expect_neq(f.hash, e.hash, "indents %u and %u", indents[i], indents[3 - j]);
		}
		const char *got = diff_text_line(&t, &e);
		cr_assert_not_null(got);
		cr_assert_str_eq(got, want);
	}
	diff_text_free(&t);
	diff_text_free(&u);
}

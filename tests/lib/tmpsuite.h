/* SPDX-License-Identifier: MIT */
/* A Criterion test suite whose every test gets a fresh private temporary
 * directory in `dir` (removed after the test). Include after criterion.h. */
#ifndef AAT_TMPSUITE_H
#define AAT_TMPSUITE_H

#include "files.h"

#define AAT_TMPDIR_SUITE(name)                                                          \
	static char *dir;                                                               \
	static void name##_tmp_setup(void)                                              \
	{                                                                               \
		dir = aat_tmpdir();                                                     \
		cr_assert_not_null(dir, "cannot make a temporary directory");          \
	}                                                                               \
	static void name##_tmp_teardown(void)                                           \
	{                                                                               \
		aat_tmpdir_remove(dir);                                                 \
	}                                                                               \
	TestSuite(name, .init = name##_tmp_setup, .fini = name##_tmp_teardown)

#endif

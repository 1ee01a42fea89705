/* SPDX-License-Identifier: MIT */
/*
 * The four record layouts against the reference: every offset and size
 * below is typed from the tables of FORMAT.md section 6 (the original
 * consumer's layouts), not taken from events.h, so a change to the header
 * that breaks the wire contract fails.
 */
#include <criterion/criterion.h>
#include <stddef.h>

#include "parse.h"

#define AT(type, field, off, size)                                                          \
	do {                                                                                \
		cr_expect_eq(offsetof(struct type, field), (size_t)(off), #type "." #field  \
			     " is at %zu, the reference says %d",                           \
			     offsetof(struct type, field), off);                            \
		cr_expect_eq(sizeof(((struct type *)0)->field), (size_t)(size),             \
			     #type "." #field " is %zu bytes, the reference says %d",       \
			     sizeof(((struct type *)0)->field), size);                      \
	} while (0)

/* Through double, so the compiler does not call the test always false. */
#define SIGNED(type, field) ((double)(__typeof__(((struct type *)0)->field))-1 < 0)

Test(layout, tls_4128)
{
	cr_assert_eq(sizeof(struct aa_tls_event), 4128);
	AT(aa_tls_event, timestamp_ns, 0, 8);
	AT(aa_tls_event, pid, 8, 4);
	AT(aa_tls_event, tid, 12, 4);
	AT(aa_tls_event, data_len, 16, 4);
	AT(aa_tls_event, seq, 20, 4);
	AT(aa_tls_event, direction, 24, 1);
	AT(aa_tls_event, _pad, 25, 7);
	AT(aa_tls_event, payload, 32, 4096);
	cr_expect(!SIGNED(aa_tls_event, data_len));
	cr_expect(!SIGNED(aa_tls_event, seq));
}

Test(layout, file_296)
{
	cr_assert_eq(sizeof(struct aa_file_event), 296);
	AT(aa_file_event, pid, 0, 4);
	AT(aa_file_event, tid, 4, 4);
	AT(aa_file_event, timestamp_ns, 8, 8);
	AT(aa_file_event, syscall, 16, 4);
	AT(aa_file_event, flags, 20, 4);
	AT(aa_file_event, return_code, 24, 8);
	AT(aa_file_event, duration_ns, 32, 8);
	AT(aa_file_event, path, 40, 256);
	cr_expect(SIGNED(aa_file_event, return_code), "return_code is i64");
	cr_expect(!SIGNED(aa_file_event, duration_ns));
	cr_expect(!SIGNED(aa_file_event, syscall));
}

Test(layout, exec_792)
{
	cr_assert_eq(sizeof(struct aa_exec_event), 792);
	AT(aa_exec_event, timestamp_ns, 0, 8);
	AT(aa_exec_event, pid, 8, 4);
	AT(aa_exec_event, ppid, 12, 4);
	AT(aa_exec_event, uid, 16, 4);
	AT(aa_exec_event, _pad, 20, 4);
	AT(aa_exec_event, filename, 24, 256);
	AT(aa_exec_event, args, 280, 512);
}

Test(layout, exit_16)
{
	cr_assert_eq(sizeof(struct aa_exit_event), 16);
	AT(aa_exit_event, timestamp_ns, 0, 8);
	AT(aa_exit_event, pid, 8, 4);
	AT(aa_exit_event, exit_code, 12, 4);
	cr_expect(SIGNED(aa_exit_event, exit_code), "exit_code is i32");
}

Test(layout, enum_values)
{
	cr_expect_eq(AA_SYS_OPENAT, 0);
	cr_expect_eq(AA_SYS_READ, 1);
	cr_expect_eq(AA_SYS_WRITE, 2);
	cr_expect_eq(AA_SYS_UNLINK, 3);
	cr_expect_eq(AA_SYS_RENAME, 4);
	cr_expect_eq(AA_TLS_WRITE, 0);
	cr_expect_eq(AA_TLS_READ, 1);
}

Test(layout, sizes_by_type)
{
	cr_expect_eq(aa_type_size(AA_TYPE_TLS), 4128);
	cr_expect_eq(aa_type_size(AA_TYPE_FILE), 296);
	cr_expect_eq(aa_type_size(AA_TYPE_EXEC), 792);
	cr_expect_eq(aa_type_size(AA_TYPE_EXIT), 16);
	cr_expect_eq(aa_type_size(AA_TYPE_UNKNOWN), 0);
}

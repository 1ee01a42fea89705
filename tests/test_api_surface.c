/* SPDX-License-Identifier: MIT */
/*
 * The public structs and codes as a program sees them (issue 11, items 1
 * and 3): struct aa_event holds no private copy buffer (the aligned copy a
 * misaligned record needs is the caller's, or the source's own), and the
 * codes a call returns (AA_E_*) and what a record says of itself (AA_REC_*)
 * are two spaces that never share a value, each with its own names.
 */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <string.h>

#include "aa_error.h"
#include "aa_replay.h"
#include "files.h"
#include "parse.h"

#define FIXTURE "tests/fixtures/generated.pcapng"

Test(api_surface, event_has_no_copy_buffer)
{
	/* type, error, raw, len, mono_ns and the view pointer: no 4 KiB inside */
	cr_expect_leq(sizeof(struct aa_event), 48, "struct aa_event is %zu bytes", sizeof(struct aa_event));
	cr_expect_geq(sizeof(union aa_record_copy), AA_TLS_EVENT_SIZE);
	cr_expect_eq(alignof(union aa_record_copy) % 8, 0);
}

static void some_file(uint8_t *b)
{
	memset(b, 0, AA_FILE_EVENT_SIZE);
	aat_put_le32(b + 0, 4242);
	aat_put_le64(b + 8, 123456789);
	aat_put_le32(b + 16, 9); /* syscall 9: out of range for a file record */
	memcpy(b + 40, "/etc/passwd", 12);
}

Test(api_surface, misaligned_bytes_need_the_callers_copy)
{
	static uint8_t buf[AA_FILE_EVENT_SIZE + 8] __attribute__((aligned(8)));
	union aa_record_copy copy;
	struct aa_event ev;

	some_file(buf + 3);
	cr_expect_eq(aa_parse(buf + 3, AA_FILE_EVENT_SIZE, &ev), AA_E_INVAL,
		     "misaligned bytes are the caller's mistake: a call error");
	cr_expect_eq(ev.type, AA_TYPE_FILE);
	cr_expect_null(ev.file);
	cr_expect_eq(aa_parse_copy(buf + 3, AA_FILE_EVENT_SIZE, &ev, &copy), AA_REC_SYSCALL,
		     "the record's own status, positive");
	cr_expect_eq(ev.error, AA_REC_SYSCALL);
	cr_expect_eq((const void *)ev.file, (const void *)&copy);
	cr_expect_eq(ev.file->pid, 4242);
	cr_expect_eq(ev.mono_ns, 123456789);
	cr_expect_str_eq((const char *)ev.file->path, "/etc/passwd");

	/* aligned bytes are viewed in place, with or without a copy offered */
	memmove(buf, buf + 3, AA_FILE_EVENT_SIZE);
	cr_expect_eq(aa_parse_copy(buf, AA_FILE_EVENT_SIZE, &ev, &copy), AA_REC_SYSCALL);
	cr_expect_eq((const void *)ev.file, (const void *)buf);
	cr_expect_eq(aa_parse(buf, AA_FILE_EVENT_SIZE, &ev), AA_REC_SYSCALL);
	cr_expect_eq((const void *)ev.file, (const void *)buf);
}

Test(api_surface, record_status_and_call_errors_are_apart)
{
	static const struct {
		int status;
		const char *name;
	} st[] = {
		{AA_REC_OK, "AA_REC_OK"},           {AA_REC_SYSCALL, "AA_REC_SYSCALL"},
		{AA_REC_DIRECTION, "AA_REC_DIRECTION"}, {AA_REC_TLS_SEQ, "AA_REC_TLS_SEQ"},
		{AA_REC_STRING, "AA_REC_STRING"},   {AA_REC_KIND, "AA_REC_KIND"},
		{AA_REC_PIECE, "AA_REC_PIECE"},
	};
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		cr_expect_eq(st[i].status, (int)i, "statuses count up from 0");
		cr_expect_str_eq(aa_record_status_name(st[i].status), st[i].name);
		const char *s = aa_record_status_str(st[i].status);
		cr_expect(s && *s && s[strlen(s) - 1] != '.', "%s: \"%s\"", st[i].name, s);
		/* a status is no call error, and its value no AA_E_* */
		if (st[i].status)
			cr_expect_str_eq(aa_error_name(st[i].status), "AA_E_UNKNOWN", "%s", st[i].name);
	}
	/* what a callback says "stop" with is no call error either: AA_E_STOPPED has its own */
	cr_expect_str_eq(aa_error_name(-1), "AA_E_UNKNOWN");
	cr_expect_str_eq(aa_record_status_name(-1), "AA_REC_UNKNOWN");
	cr_expect_str_eq(aa_record_status_name(AA_E_INVAL), "AA_REC_UNKNOWN");
	cr_expect_str_eq(aa_record_status_name(AA_E_STOPPED), "AA_REC_UNKNOWN");
	cr_expect_str_eq(aa_error_name(AA_E_STOPPED), "AA_E_STOPPED");
}

/* The records a file source hands out: typed views aligned, statuses as parsed. */
Test(api_surface, source_records_keep_their_status)
{
	const char *paths[] = {FIXTURE};
	const struct aa_record *rec;
	struct aa_error_info err;
	aa_source *src;
	uint64_t invalid = 0, n = 0;
	int rc;

	cr_assert_eq(aa_open_offline(&src, paths, 1, NULL, &err), 0, "%s", err.detail);
	while ((rc = aa_next(src, &rec)) == 1) {
		n++;
		cr_assert_geq(rec->ev.error, 0, "record %llu: a status, not a call error",
			      (unsigned long long)rec->index);
		invalid += rec->ev.error != 0;
		if (rec->ev.type != AA_TYPE_UNKNOWN)
			cr_assert_eq((uintptr_t)rec->ev.tls % 8, 0);
	}
	cr_expect_eq(rc, 0);
	struct aa_source_stats s;
	aa_source_get_stats(src, &s);
	cr_expect_eq(s.invalid, invalid);
	cr_expect_gt(invalid, 0, "the generated fixture holds invalid records");
	cr_expect_eq(s.records, n);
	aa_close(src);
}

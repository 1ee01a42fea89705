/* SPDX-License-Identifier: MIT */
/*
 * The size-dispatch parser on every type and every malformed case. Records
 * are built byte by byte at the reference offsets (not through the structs)
 * and parsed from exactly-sized heap buffers, so that under ASan (make
 * SAN=1 test) a read past the record's end fails the test.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aa_error.h"
#include "files.h"
#include "parse.h"

/* A heap copy of exactly len bytes (ASan catches any read past it). */
static uint8_t *exact(const uint8_t *rec, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	cr_assert_not_null(p);
	if (len)
		memcpy(p, rec, len);
	return p;
}

/* Parses rec[0..len) from an exact heap copy; returns the error, checks the common fields. */
static int parse_exact(const uint8_t *rec, size_t len, enum aa_type want_type, struct aa_event *ev)
{
	uint8_t *p = exact(rec, len);
	int rc = aa_parse(p, len, ev);
	cr_expect_eq(rc, ev->error, "aa_parse returns ev->error");
	cr_expect_eq(ev->type, want_type, "size %zu: type %d, want %d", len, ev->type, want_type);
	cr_expect_eq(ev->raw, p, "raw points at the record");
	cr_expect_eq(ev->len, len);
	/* Copy the record back so the typed view (which points into p) stays valid. */
	static union aa_record_copy kept[8];
	static unsigned next_kept;
	ev->raw = NULL;
	if (want_type != AA_TYPE_UNKNOWN && (const void *)ev->tls == (const void *)p) {
		union aa_record_copy *c = &kept[next_kept++ % 8];
		memcpy(c, p, len);
		ev->tls = &c->tls;
	}
	free(p);
	return rc;
}

static void tls_record(uint8_t *b, uint32_t data_len, uint32_t seq, uint8_t dir)
{
	memset(b, 0, 4128);
	aat_put_le64(b + 0, 0x1122334455667788ull);
	aat_put_le32(b + 8, 4242);
	aat_put_le32(b + 12, 4243);
	aat_put_le32(b + 16, data_len);
	aat_put_le32(b + 20, seq);
	b[24] = dir;
	memcpy(b + 32, "GET / HTTP/1.1\r\n", 16);
	b[32 + 4095] = 0x5a;
}

static void file_record(uint8_t *b, uint32_t syscall)
{
	memset(b, 0, 296);
	aat_put_le32(b + 0, 777);
	aat_put_le32(b + 4, 778);
	aat_put_le64(b + 8, 123456789012345ull);
	aat_put_le32(b + 16, syscall);
	aat_put_le32(b + 20, 0x80241);
	aat_put_le64(b + 24, (uint64_t)-2); /* -ENOENT */
	aat_put_le64(b + 32, 31337);
	strcpy((char *)b + 40, "/etc/hosts");
}

static void exec_record(uint8_t *b)
{
	memset(b, 0, 792);
	aat_put_le64(b + 0, 99);
	aat_put_le32(b + 8, 5000);
	aat_put_le32(b + 12, 4999);
	aat_put_le32(b + 16, 1000);
	strcpy((char *)b + 24, "/usr/bin/git");
	strcpy((char *)b + 280, "git commit -m fix");
}

static void exit_record(uint8_t *b)
{
	aat_put_le64(b + 0, 0xfffffffffffffffeull);
	aat_put_le32(b + 8, 5000);
	aat_put_le32(b + 12, (uint32_t)-137);
}

Test(parse, tls_fields)
{
	uint8_t b[4128];
	struct aa_event ev;
	tls_record(b, 5000, 1, AA_TLS_READ);
	cr_assert_eq(parse_exact(b, sizeof(b), AA_TYPE_TLS, &ev), 0);
	cr_expect_eq(ev.mono_ns, 0x1122334455667788ull);
	cr_expect_eq(ev.tls->timestamp_ns, 0x1122334455667788ull);
	cr_expect_eq(ev.tls->pid, 4242);
	cr_expect_eq(ev.tls->tid, 4243);
	cr_expect_eq(ev.tls->data_len, 5000);
	cr_expect_eq(ev.tls->seq, 1);
	cr_expect_eq(ev.tls->direction, AA_TLS_READ);
	cr_expect_eq(memcmp(ev.tls->payload, "GET / HTTP/1.1\r\n", 16), 0);
	cr_expect_eq(ev.tls->payload[4095], 0x5a);
	cr_expect_eq(aa_tls_piece_len(ev.tls), 5000 - 4096);
}

Test(parse, tls_seq_and_data_len)
{
	static const struct {
		uint32_t data_len, seq;
		int error;
		uint32_t piece;
	} cases[] = {
		{0, 0, 0, 0},              /* an empty call is one empty piece */
		{1, 0, 0, 1},
		{4096, 0, 0, 4096},
		{4097, 1, 0, 1},
		{8192, 1, 0, 4096},
		{0xffffffffu, 0xfffffu, 0, 4095}, /* the last piece of the largest call */
		{0, 1, AA_REC_TLS_SEQ, 0},   /* seq > 0 with data_len 0 */
		{4096, 1, AA_REC_TLS_SEQ, 0}, /* seq*4096 == data_len */
		{100, 1, AA_REC_TLS_SEQ, 0},
		{8193, 3, AA_REC_TLS_SEQ, 0},
		{100, 0x100000u, AA_REC_TLS_SEQ, 0},     /* seq*4096 wraps to 0 in 32 bits */
		{0xffffffffu, 0x100000u, AA_REC_TLS_SEQ, 0},
		{5, 0xffffffffu, AA_REC_TLS_SEQ, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[4128];
		struct aa_event ev;
		tls_record(b, cases[i].data_len, cases[i].seq, AA_TLS_WRITE);
		int rc = parse_exact(b, sizeof(b), AA_TYPE_TLS, &ev);
		cr_expect_eq(rc, cases[i].error, "data_len %u seq %u: %s, want %s", cases[i].data_len,
			     cases[i].seq, aa_error_name(rc), aa_error_name(cases[i].error));
		cr_expect_eq(aa_tls_piece_len(ev.tls), cases[i].piece, "data_len %u seq %u: piece %u",
			     cases[i].data_len, cases[i].seq, aa_tls_piece_len(ev.tls));
		cr_expect_eq(ev.tls->seq, cases[i].seq, "typed view set even when invalid");
	}
}

Test(parse, tls_direction)
{
	static const uint8_t dirs[] = {2, 3, 0x80, 0xff};
	uint8_t b[4128];
	struct aa_event ev;
	for (size_t i = 0; i < sizeof(dirs); i++) {
		tls_record(b, 10, 0, dirs[i]);
		cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_TLS, &ev), AA_REC_DIRECTION,
			     "direction %u", dirs[i]);
		cr_expect_eq(ev.tls->direction, dirs[i]);
		cr_expect_eq(ev.tls->pid, 4242, "typed view set even when invalid");
	}
	tls_record(b, 10, 0, AA_TLS_WRITE);
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_TLS, &ev), 0);
}

Test(parse, file_fields)
{
	for (uint32_t sc = 0; sc < 5; sc++) {
		uint8_t b[296];
		struct aa_event ev;
		file_record(b, sc);
		cr_assert_eq(parse_exact(b, sizeof(b), AA_TYPE_FILE, &ev), 0, "syscall %u", sc);
		cr_expect_eq(ev.mono_ns, 123456789012345ull);
		cr_expect_eq(ev.file->pid, 777);
		cr_expect_eq(ev.file->tid, 778);
		cr_expect_eq(ev.file->syscall, sc);
		cr_expect_eq(ev.file->flags, 0x80241);
		cr_expect_eq(ev.file->return_code, -2);
		cr_expect_eq(ev.file->duration_ns, 31337);
		cr_expect_str_eq((const char *)ev.file->path, "/etc/hosts");
	}
}

Test(parse, file_syscall_out_of_range)
{
	/* 5 and up are fileop's syscalls (named), never a file record's. */
	static const uint32_t bad[] = {5, 6, 18, 19, 255, 0x80000000u, 0xffffffffu};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t b[296];
		struct aa_event ev;
		file_record(b, bad[i]);
		cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_FILE, &ev), AA_REC_SYSCALL,
			     "syscall %u", bad[i]);
		cr_expect_eq(ev.file->syscall, bad[i]);
		cr_expect_eq(ev.file->pid, 777);
		if (bad[i] >= AA_SYS_FILEOP_END)
			cr_expect_null(aa_syscall_name(bad[i]));
	}
}

Test(parse, file_path_without_nul)
{
	uint8_t b[296];
	struct aa_event ev;
	file_record(b, AA_SYS_OPENAT);
	memset(b + 40, 'a', 256);
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_FILE, &ev), AA_REC_STRING);
	b[40 + 255] = 0; /* the longest path that fits */
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_FILE, &ev), 0);
	b[40 + 255] = 'a';
	b[40] = 0; /* empty path */
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_FILE, &ev), 0);
}

Test(parse, exec_fields)
{
	uint8_t b[792];
	struct aa_event ev;
	exec_record(b);
	cr_assert_eq(parse_exact(b, sizeof(b), AA_TYPE_EXEC, &ev), 0);
	cr_expect_eq(ev.mono_ns, 99);
	cr_expect_eq(ev.exec->pid, 5000);
	cr_expect_eq(ev.exec->ppid, 4999);
	cr_expect_eq(ev.exec->uid, 1000);
	cr_expect_str_eq((const char *)ev.exec->filename, "/usr/bin/git");
	cr_expect_str_eq((const char *)ev.exec->args, "git commit -m fix");
}

Test(parse, exec_strings_without_nul)
{
	uint8_t b[792];
	struct aa_event ev;
	exec_record(b);
	memset(b + 24, 'f', 256);
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_EXEC, &ev), AA_REC_STRING, "filename");
	exec_record(b);
	memset(b + 280, 'a', 512);
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_EXEC, &ev), AA_REC_STRING, "args");
	cr_expect_eq(ev.exec->pid, 5000, "typed view set even when invalid");
	b[280 + 511] = 0;
	memset(b + 24, 'f', 255);
	b[24 + 255] = 0;
	cr_expect_eq(parse_exact(b, sizeof(b), AA_TYPE_EXEC, &ev), 0, "both full, NUL last");
}

Test(parse, exit_fields)
{
	uint8_t b[16];
	struct aa_event ev;
	exit_record(b);
	cr_assert_eq(parse_exact(b, sizeof(b), AA_TYPE_EXIT, &ev), 0);
	cr_expect_eq(ev.mono_ns, 0xfffffffffffffffeull);
	cr_expect_eq(ev.exit->pid, 5000);
	cr_expect_eq(ev.exit->exit_code, -137);
}

Test(parse, unknown_sizes_kept)
{
	static const size_t sizes[] = {0, 1, 15, 17, 295, 297, 791, 793, 4127, 4129, 70000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint8_t *rec = malloc(n ? n : 1);
		cr_assert_not_null(rec);
		for (size_t j = 0; j < n; j++)
			rec[j] = (uint8_t)(j * 7 + 1);
		struct aa_event ev;
		memset(&ev, 0xa5, sizeof(ev));
		int rc = aa_parse(rec, n, &ev);
		cr_expect_eq(rc, 0, "size %zu", n);
		cr_expect_eq(ev.error, 0, "size %zu", n);
		cr_expect_eq(ev.type, AA_TYPE_UNKNOWN, "size %zu", n);
		cr_expect_eq(ev.raw, rec, "size %zu: raw kept", n);
		cr_expect_eq(ev.len, n, "size %zu: len kept", n);
		cr_expect_eq(ev.mono_ns, 0, "size %zu", n);
		size_t changed = 0;
		for (size_t j = 0; j < n; j++)
			changed += rec[j] != (uint8_t)(j * 7 + 1);
		cr_expect_eq(changed, 0, "size %zu: %zu bytes changed", n, changed);
		free(rec);
	}
}

static void some_tls(uint8_t *b) { tls_record(b, 9000, 2, AA_TLS_READ); }
static void some_file(uint8_t *b) { file_record(b, AA_SYS_RENAME); }

/* Each type parsed at every misalignment gives the same typed fields as aligned. */
Test(parse, misaligned_input)
{
	static const struct {
		void (*make)(uint8_t *);
		size_t len;
	} types[] = {{some_tls, 4128}, {some_file, 296}, {exec_record, 792}, {exit_record, 16}};
	static uint8_t aligned[4128] __attribute__((aligned(8)));
	uint8_t *buf = malloc(4128 + 8);
	cr_assert_not_null(buf);
	for (int t = 0; t < 4; t++) {
		size_t len = types[t].len;
		types[t].make(aligned);
		struct aa_event want;
		cr_assert_eq(aa_parse(aligned, len, &want), 0);
		for (size_t shift = 1; shift < 8; shift++) {
			struct aa_event ev;
			union aa_record_copy copy;
			memcpy(buf + shift, aligned, len);
			/* aa_parse wants it aligned; aa_parse_copy copies it */
			cr_assert_eq(aa_parse(buf + shift, len, &ev), AA_E_INVAL);
			cr_expect_null(ev.tls, "no typed view of a misaligned record");
			cr_assert_eq(aa_parse_copy(buf + shift, len, &ev, &copy), 0);
			cr_expect_eq((const void *)ev.tls, (const void *)&copy);
			cr_expect_eq(ev.type, want.type);
			cr_expect_eq(ev.raw, buf + shift);
			cr_expect_eq(ev.mono_ns, want.mono_ns);
			cr_expect_eq((uintptr_t)ev.tls % 8, 0, "typed view is aligned");
			cr_expect_eq(memcmp(ev.tls, want.tls, len), 0, "type %d shift %zu", t, shift);
		}
	}
	free(buf);
}

Test(parse, names)
{
	static const char *const types[] = {"tls",    "file",     "exec",   "exit", "task",
					    "string", "tls_conn", "fileop", "net",  "unknown"};
	cr_assert_eq(sizeof(types) / sizeof(types[0]), AA_TYPE_COUNT);
	for (int t = 0; t < AA_TYPE_COUNT; t++) {
		cr_expect_str_eq(aa_type_name((enum aa_type)t), types[t]);
		cr_expect_eq(aa_type_from_name(types[t]), t);
	}
	cr_expect_eq(aa_type_from_name("files"), -1);
	cr_expect_eq(aa_type_from_name(""), -1);
	static const char *const sys[] = {"openat",  "read",     "write",   "unlink",   "rename",
					  "pread64", "pwrite64", "readv",   "writev",   "preadv",
					  "pwritev", "preadv2",  "pwritev2", "open",    "creat",
					  "openat2", "mkdir",    "mkdirat", "rmdir"};
	for (uint32_t s = 0; s < AA_SYS_FILEOP_END; s++)
		cr_expect_str_eq(aa_syscall_name(s), sys[s]);
	cr_expect_null(aa_syscall_name(AA_SYS_FILEOP_END));
	cr_expect_str_eq(aa_task_kind_name(AA_TASK_EXEC_FAILED), "exec_failed");
	cr_expect_null(aa_task_kind_name(AA_TASK_KIND_COUNT));
	cr_expect_str_eq(aa_string_kind_name(AA_STRING_NEW_PATH), "new_path");
	cr_expect_null(aa_string_kind_name(AA_STRING_KIND_COUNT));
	cr_expect_str_eq(aa_tls_lib_name(AA_TLS_LIB_GO), "go");
	cr_expect_null(aa_tls_lib_name(AA_TLS_LIB_COUNT));
	cr_expect_str_eq(aa_net_syscall_name(AA_NET_ACCEPT), "accept");
	cr_expect_null(aa_net_syscall_name(AA_NET_SYSCALL_COUNT));
}

Test(parse, error_names)
{
	static const struct {
		int code;
		const char *name;
	} errs[] = {
		/* the AA_REC_* record statuses are another space: test_api_surface.c */
		{AA_E_NOMEM, "AA_E_NOMEM"},         {AA_E_IO, "AA_E_IO"},
		{AA_E_INVAL, "AA_E_INVAL"},         {AA_E_TOO_BIG, "AA_E_TOO_BIG"},
		{AA_E_NOT_PCAPNG, "AA_E_NOT_PCAPNG"}, {AA_E_ENDIAN, "AA_E_ENDIAN"},
		{AA_E_TRUNCATED, "AA_E_TRUNCATED"}, {AA_E_BLOCK, "AA_E_BLOCK"},
		{AA_E_INTERFACE, "AA_E_INTERFACE"}, {AA_E_CHUNK, "AA_E_CHUNK"},
		{AA_E_CHECKSUM, "AA_E_CHECKSUM"},   {AA_E_ZSTD, "AA_E_ZSTD"},
		{AA_E_FRAMING, "AA_E_FRAMING"},     {AA_E_SEQUENCE, "AA_E_SEQUENCE"},
		{AA_E_DIGEST, "AA_E_DIGEST"},       {AA_E_UNCLOSED, "AA_E_UNCLOSED"},
		{AA_E_META, "AA_E_META"},           {AA_E_SET, "AA_E_SET"},
		{AA_E_FOREIGN, "AA_E_FOREIGN"},
		{AA_E_AGAIN, "AA_E_AGAIN"},         {AA_E_PERM, "AA_E_PERM"},
		{AA_E_UNSUPPORTED, "AA_E_UNSUPPORTED"}, {AA_E_BPF, "AA_E_BPF"},
	};
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		cr_expect_str_eq(aa_error_name(errs[i].code), errs[i].name);
		const char *msg = aa_strerror(errs[i].code);
		cr_assert_not_null(msg);
		size_t n = strlen(msg);
		cr_expect(n > 0 && msg[n - 1] != '.' && msg[n - 1] != '\n', "%s: \"%s\"",
			  errs[i].name, msg);
		for (size_t j = 0; j < i; j++)
			cr_expect_str_neq(msg, aa_strerror(errs[j].code), "%s and %s share a message",
					  errs[i].name, errs[j].name);
	}
	cr_expect_str_eq(aa_error_name(-999), "AA_E_UNKNOWN");
	cr_expect_str_eq(aa_error_name(AA_OK), "AA_OK");
}

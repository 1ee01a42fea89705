/* SPDX-License-Identifier: MIT */
/*
 * The record printers and their encoders: exact text and JSON lines for a
 * known record of each type, escaping of hostile strings (quotes, controls,
 * invalid UTF-8, terminal escapes), base64 test vectors and times.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "print_enc.h"

/* What a print function wrote, as a malloc'd string. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	cr_assert_not_null(c->f);
	return c->f;
}

static char *cap_close(struct capture *c)
{
	cr_assert_eq(fclose(c->f), 0);
	return c->buf;
}

/* A record parsed from raw, wrapped as the library delivers it. */
static void make_record(struct aa_record *rec, const void *raw, size_t len, uint64_t time_ns)
{
	memset(rec, 0, sizeof(*rec));
	aa_parse(raw, len, &rec->ev);
	rec->time_ns = time_ns;
	rec->index = 7;
}

#define T0 1795642201123456789ull /* 2026-11-25T21:30:01.123456789Z */

static char *json_of(const void *raw, size_t len)
{
	struct aa_record rec;
	struct capture c;

	make_record(&rec, raw, len, T0);
	cr_assert_eq(aa_print_json(cap_open(&c), &rec), 0);
	return cap_close(&c);
}

static char *text_of(const void *raw, size_t len)
{
	struct aa_record rec;
	struct capture c;

	make_record(&rec, raw, len, T0);
	cr_assert_eq(aa_print_text(cap_open(&c), &rec), 0);
	return cap_close(&c);
}

static struct aa_file_event file_event(void)
{
	struct aa_file_event e = {
		.pid = 777, .tid = 778, .timestamp_ns = 123456789012345ull,
		.syscall = AA_SYS_OPENAT, .flags = 0x80241, .return_code = -2,
		.duration_ns = 31337,
	};
	strcpy((char *)e.path, "/etc/\"hosts\"\n");
	return e;
}

Test(print, time_format)
{
	char buf[AA_TIME_BUF];

	cr_expect_str_eq(aa_format_time(buf, 0), "1970-01-01T00:00:00.000000000Z");
	cr_expect_str_eq(aa_format_time(buf, 951782400ull * 1000000000ull + 1),
			 "2000-02-29T00:00:00.000000001Z");
	cr_expect_str_eq(aa_format_time(buf, T0), "2026-11-25T21:30:01.123456789Z");
	cr_expect_str_eq(aa_format_time(buf, UINT64_MAX), "2554-07-21T23:34:33.709551615Z");
}

Test(print, json_file)
{
	struct aa_file_event e = file_event();
	char *s = json_of(&e, sizeof(e));

	cr_expect_str_eq(s, "{\"type\":\"file\",\"time\":\"2026-11-25T21:30:01.123456789Z\","
			    "\"time_ns\":1795642201123456789,\"index\":7,\"comm\":null,\"pid\":777,\"tid\":778,"
			    "\"timestamp_ns\":123456789012345,\"syscall\":\"openat\",\"flags\":524865,"
			    "\"flags_names\":\"O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC\","
			    "\"return_code\":-2,\"duration_ns\":31337,"
			    "\"path\":\"/etc/\\\"hosts\\\"\\u000a\",\"path_truncated\":false,\"unlinked\":false}\n");
	free(s);
}

Test(print, text_file)
{
	struct aa_file_event e = file_event();
	char *s = text_of(&e, sizeof(e));

	cr_expect_str_eq(s, "2026-11-25T21:30:01.123456789Z file pid=777 tid=778 openat "
			    "\"/etc/\\\"hosts\\\"\\n\" flags=O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC ret=-2(ENOENT) dur=31.337us\n");
	free(s);
}

/* The flag names of each syscall, from the one table (asm-generic values). */
Test(print, flag_names_per_syscall)
{
	static const struct {
		uint32_t syscall, flags;
		const char *want;
	} cases[] = {
		{ AA_SYS_OPENAT, 0x241, "O_WRONLY|O_CREAT|O_TRUNC" },
		{ AA_SYS_OPENAT, 0, "O_RDONLY" },
		{ AA_SYS_OPENAT, 02 | 0200 | 02000000, "O_RDWR|O_EXCL|O_CLOEXEC" },
		{ AA_SYS_OPENAT, 04010000, "O_RDONLY|O_SYNC" },
		{ AA_SYS_OPENAT, 010000, "O_RDONLY|O_DSYNC" },
		{ AA_SYS_OPENAT, 020200002, "O_RDWR|O_TMPFILE" },
		{ AA_SYS_OPENAT, 0200000 | 0400000, "O_RDONLY|O_DIRECTORY|O_NOFOLLOW" },
		{ AA_SYS_OPENAT, 0x40000001, "O_WRONLY|0x40000000" },
		{ AA_SYS_OPENAT, 3 | 0100, "O_CREAT|0x3" }, /* access mode 3 has no name */
		{ AA_SYS_READ, 0100000, "O_RDONLY|O_LARGEFILE" },
		{ AA_SYS_WRITE, 0100001 | 02000, "O_WRONLY|O_APPEND|O_LARGEFILE" },
		{ AA_SYS_UNLINK, 0, "0" },
		{ AA_SYS_UNLINK, 0x200, "AT_REMOVEDIR" },
		{ AA_SYS_UNLINK, 0x201, "AT_REMOVEDIR|0x1" },
		{ AA_SYS_RENAME, 1, "RENAME_NOREPLACE" },
		{ AA_SYS_RENAME, 6, "RENAME_EXCHANGE|RENAME_WHITEOUT" },
		{ AA_SYS_RENAME, 0x241, "RENAME_NOREPLACE|0x240" },
		{ AA_SYS_MKDIR, 0x241, "0x241" }, /* no flags of its own: bits only */
		{ AA_SYS_PREAD64, 0x241, "O_WRONLY|O_CREAT|O_TRUNC" }, /* the file's f_flags */
		{ AA_SYS_PWRITEV2, 0x14, "RWF_SYNC|RWF_APPEND" },
		{ AA_SYS_FILEOP_END, 0x241, "0x241" }, /* no such syscall: bits only */
		{ 99, 0, "0" },
		{ AA_SYS_OPENAT, 0xffffffff, "O_TMPFILE|O_SYNC|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|"
		  "O_APPEND|O_NONBLOCK|O_ASYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|"
		  "0xff80003f" },
	};
	char buf[AA_FLAGS_BUF];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(aa_flags_names(buf, cases[i].syscall, cases[i].flags), cases[i].want,
				 "syscall %u flags %#x", cases[i].syscall, cases[i].flags);
}

Test(print, rename_shows_old_and_new_path)
{
	struct aa_file_event e = file_event();
	static const char both[] = "/tmp/old name\0/tmp/new";

	e.syscall = AA_SYS_RENAME;
	e.return_code = 0;
	memset(e.path, 0, sizeof(e.path));
	memcpy(e.path, both, sizeof(both));
	char *j = json_of(&e, sizeof(e));
	cr_expect(strstr(j, "\"syscall\":\"rename\""), "%s", j);
	cr_expect(strstr(j, "\"path\":\"/tmp/old name\",\"path_truncated\":false,\"unlinked\":false,\"new_path\":\"/tmp/new\",\"new_path_truncated\":false}"), "%s", j);
	char *t = text_of(&e, sizeof(e));
	cr_expect(strstr(t, " rename \"/tmp/old name\" -> \"/tmp/new\" flags="), "%s", t);
	free(j);
	free(t);

	/* not a rename: what follows the first NUL is not a second path */
	e.syscall = AA_SYS_UNLINK;
	j = json_of(&e, sizeof(e));
	cr_expect(!strstr(j, "new_path"), "%s", j);
	free(j);
}

Test(print, json_and_text_exec)
{
	struct aa_exec_event e = { .timestamp_ns = 99, .pid = 5000, .ppid = 4999, .uid = 1000 };
	char *s;

	strcpy((char *)e.filename, "/usr/bin/git");
	strcpy((char *)e.args, "git commit -m \xc3\xa9t\xc3\xa9 \x1b[31m");
	s = json_of(&e, sizeof(e));
	cr_expect_str_eq(s, "{\"type\":\"exec\",\"time\":\"2026-11-25T21:30:01.123456789Z\","
			    "\"time_ns\":1795642201123456789,\"index\":7,\"comm\":null,\"timestamp_ns\":99,"
			    "\"pid\":5000,\"ppid\":4999,\"uid\":1000,\"filename\":\"/usr/bin/git\",\"filename_truncated\":false,"
			    "\"args\":\"git commit -m \xc3\xa9t\xc3\xa9 \\u001b[31m\",\"argv\":null,\"argv_truncated\":false}\n");
	free(s);
	s = text_of(&e, sizeof(e));
	cr_expect_str_eq(s, "2026-11-25T21:30:01.123456789Z exec pid=5000 ppid=4999 uid=1000 "
			    "\"/usr/bin/git\" args=\"git commit -m \xc3\xa9t\xc3\xa9 \\x1b[31m\"\n");
	free(s);
}

/* Bytes that are not UTF-8 decode from a JSON string as other text ("\u00ff" is
 * also a real "ÿ"): such a field comes with name_b64, the exact bytes. */
Test(print, json_gives_exact_bytes_of_strings_that_are_not_utf8)
{
	struct aa_file_event e = file_event();
	char *j;

	strcpy((char *)e.path, "/tmp/\xff");
	j = json_of(&e, sizeof(e));
	cr_expect(strstr(j, "\"path\":\"/tmp/\\u00ff\",\"path_b64\":\"L3RtcC//\",\"path_truncated\""), "%s", j);
	free(j);
	strcpy((char *)e.path, "/tmp/\xc3\xbf"); /* a real ÿ: the string is exact, no _b64 */
	j = json_of(&e, sizeof(e));
	cr_expect(strstr(j, "\"path\":\"/tmp/\xc3\xbf\","), "%s", j);
	cr_expect_null(strstr(j, "_b64"), "%s", j);
	free(j);

	static const char both[] = "/a\xc3\0/b\xe9";
	e.syscall = AA_SYS_RENAME;
	memset(e.path, 0, sizeof(e.path));
	memcpy(e.path, both, sizeof(both));
	j = json_of(&e, sizeof(e));
	cr_expect(strstr(j, "\"path\":\"/a\\u00c3\",\"path_b64\":\"L2HD\",\"path_truncated\":false,\"unlinked\":false,\"new_path\":\"/b\\u00e9\","
			    "\"new_path_b64\":\"L2Lp\","), "%s", j);
	free(j);

	struct aa_exec_event x = { .pid = 1 };
	strcpy((char *)x.filename, "/bin/\x80x");
	strcpy((char *)x.args, "x \xed\xa0\x80"); /* a surrogate is not UTF-8 either */
	j = json_of(&x, sizeof(x));
	cr_expect(strstr(j, "\"filename\":\"/bin/\\u0080x\",\"filename_b64\":\"L2Jpbi+AeA==\","), "%s", j);
	cr_expect(strstr(j, "\"args_b64\":\"eCDtoIA=\",\"argv\":null"), "%s", j);
	free(j);
}

Test(print, json_and_text_exit)
{
	struct aa_exit_event e = { .timestamp_ns = 5, .pid = 5000, .exit_code = -1 };
	char *s = json_of(&e, sizeof(e));

	cr_expect_str_eq(s, "{\"type\":\"exit\",\"time\":\"2026-11-25T21:30:01.123456789Z\","
			    "\"time_ns\":1795642201123456789,\"index\":7,\"comm\":null,\"timestamp_ns\":5,"
			    "\"pid\":5000,\"exit_code\":-1,\"signal\":0,\"core_dumped\":false}\n");
	free(s);
	s = text_of(&e, sizeof(e));
	cr_expect_str_eq(s, "2026-11-25T21:30:01.123456789Z exit pid=5000 exit_code=-1\n");
	free(s);
}

Test(print, tls_payload_only_valid_bytes)
{
	static struct aa_tls_event e = { .timestamp_ns = 1, .pid = 10, .tid = 11,
					 .data_len = 4096 + 5, .seq = 1, .direction = AA_TLS_READ };
	char *s;

	memcpy(e.payload, "hi\"\x00\xff", 5);
	e.payload[5] = 'X'; /* past the piece: must not be shown */
	s = json_of(&e, sizeof(e));
	cr_expect_str_eq(s, "{\"type\":\"tls\",\"time\":\"2026-11-25T21:30:01.123456789Z\","
			    "\"time_ns\":1795642201123456789,\"index\":7,\"comm\":null,\"timestamp_ns\":1,"
			    "\"pid\":10,\"tid\":11,\"data_len\":4101,\"seq\":1,\"direction\":\"read\","
			    "\"payload\":\"hi\\\"\\u0000\\u00ff\",\"payload_b64\":\"aGkiAP8=\"}\n");
	free(s);
	s = text_of(&e, sizeof(e));
	cr_expect_str_eq(s, "2026-11-25T21:30:01.123456789Z tls pid=10 tid=11 read seq=1 "
			    "data_len=4101 len=5 \"hi\\\"\\x00\\xff\"\n");
	free(s);
}

Test(print, tls_text_preview_is_cut)
{
	static struct aa_tls_event e = { .data_len = 100, .direction = AA_TLS_WRITE };
	char *s;

	memset(e.payload, 'a', 100);
	s = text_of(&e, sizeof(e));
	cr_expect(strstr(s, " write seq=0 data_len=100 len=100 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"...\n"),
		  "got %s", s);
	free(s);
}

Test(print, unknown_record)
{
	uint8_t raw[20];
	char *s;

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(0xf0 + i);
	s = json_of(raw, 3);
	cr_expect_str_eq(s, "{\"type\":\"unknown\",\"time\":\"2026-11-25T21:30:01.123456789Z\","
			    "\"time_ns\":1795642201123456789,\"index\":7,\"comm\":null,\"size\":3,"
			    "\"raw_b64\":\"8PHy\"}\n");
	free(s);
	s = text_of(raw, sizeof(raw));
	cr_expect_str_eq(s, "2026-11-25T21:30:01.123456789Z unknown size=20 f0 f1 f2 f3 f4 f5 "
			    "f6 f7 f8 f9 fa fb fc fd fe ff ...\n");
	free(s);
}

Test(print, invalid_record_names_its_error)
{
	struct aa_file_event e = file_event();
	char *s;

	e.syscall = 9;
	s = json_of(&e, sizeof(e));
	cr_expect(strstr(s, "\"syscall\":9,"), "got %s", s);
	cr_expect(strstr(s, ",\"error\":\"AA_REC_SYSCALL\"}\n"), "got %s", s);
	free(s);
	s = text_of(&e, sizeof(e));
	cr_expect(!strncmp(s + 31, "file invalid=AA_REC_SYSCALL pid=777 tid=778 syscall=9 ", 52),
		  "got %s", s);
	free(s);
}

Test(print, string_without_nul_stays_inside_its_field)
{
	struct aa_exec_event e = { .pid = 1 };
	char *s;

	memset(e.filename, 'f', sizeof(e.filename));
	memset(e.args, 'a', sizeof(e.args));
	s = json_of(&e, sizeof(e));
	char *f = strstr(s, "\"filename\":\"");
	cr_assert_not_null(f);
	cr_expect_eq(strspn(f + 12, "f"), 256);
	cr_expect_eq(f[12 + 256], '"');
	cr_expect(strstr(s, "\"error\":\"AA_REC_STRING\""));
	free(s);
}

static char *enc(void (*fn)(FILE *, const uint8_t *, size_t), const char *s, size_t len)
{
	struct capture c;

	fn(cap_open(&c), (const uint8_t *)s, len);
	return cap_close(&c);
}

#define EXPECT_ENC(fn, in, len, want)                       \
	do {                                                \
		char *got_ = enc(fn, in, len);              \
		cr_expect_str_eq(got_, want, "for %s", #in); \
		free(got_);                                 \
	} while (0)

Test(encode, base64_vectors)
{
	EXPECT_ENC(aa_enc_base64, "", 0, "");
	EXPECT_ENC(aa_enc_base64, "f", 1, "Zg==");
	EXPECT_ENC(aa_enc_base64, "fo", 2, "Zm8=");
	EXPECT_ENC(aa_enc_base64, "foo", 3, "Zm9v");
	EXPECT_ENC(aa_enc_base64, "foob", 4, "Zm9vYg==");
	EXPECT_ENC(aa_enc_base64, "fooba", 5, "Zm9vYmE=");
	EXPECT_ENC(aa_enc_base64, "foobar", 6, "Zm9vYmFy");
	EXPECT_ENC(aa_enc_base64, "\xff\xfe\xfd", 3, "//79");
}

Test(encode, json_strings)
{
	EXPECT_ENC(aa_enc_json_string, "a\\b\"c/", 6, "\"a\\\\b\\\"c/\"");
	EXPECT_ENC(aa_enc_json_string, "\t\x7f\x01", 3, "\"\\u0009\\u007f\\u0001\"");
	/* valid UTF-8 of 2, 3 and 4 bytes kept as is */
	EXPECT_ENC(aa_enc_json_string, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		   "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* invalid: lone continuation, overlong, surrogate, cut sequence, past U+10FFFF */
	EXPECT_ENC(aa_enc_json_string, "\x80", 1, "\"\\u0080\"");
	EXPECT_ENC(aa_enc_json_string, "\xc0\xaf", 2, "\"\\u00c0\\u00af\"");
	EXPECT_ENC(aa_enc_json_string, "\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\"");
	EXPECT_ENC(aa_enc_json_string, "\xe2\x82", 2, "\"\\u00e2\\u0082\"");
	EXPECT_ENC(aa_enc_json_string, "\xf4\x90\x80\x80", 4, "\"\\u00f4\\u0090\\u0080\\u0080\"");
}

Test(encode, text_strings_hide_terminal_controls)
{
	EXPECT_ENC(aa_enc_text_string, "a b\r\n\t\x1b", 7, "\"a b\\r\\n\\t\\x1b\"");
	/* C1 control U+009B (CSI) and U+202E (right-to-left override) */
	EXPECT_ENC(aa_enc_text_string, "\xc2\x9b\xe2\x80\xae", 5, "\"\\xc2\\x9b\\xe2\\x80\\xae\"");
	EXPECT_ENC(aa_enc_text_string, "\xc2\xa0\xe2\x82\xac", 5, "\"\xc2\xa0\xe2\x82\xac\"");
}

Test(encode, numbers)
{
	EXPECT_ENC((void (*)(FILE *, const uint8_t *, size_t))aa_enc_hex, "\x00\xab", 2, "00 ab");
	struct capture c;

	aa_enc_u64(cap_open(&c), UINT64_MAX);
	aa_enc_i64(c.f, INT64_MIN);
	char *s = cap_close(&c);
	cr_expect_str_eq(s, "18446744073709551615-9223372036854775808");
	free(s);
}

/* One byte as the JSON encoder must write it, alone between plain bytes. */
static void json_byte(char *out, uint8_t b)
{
	if (b == '"' || b == '\\')
		sprintf(out, "\\%c", b);
	else if (b < 0x20 || b >= 0x7f)
		sprintf(out, "\\u%04x", b);
	else
		sprintf(out, "%c", b);
}

Test(encode, every_byte_at_every_place_of_a_word)
{
	/* the encoders look at eight bytes at a time: each byte value at each
	 * place in strings of 1 to 19 bytes (words, a tail, a word and a
	 * tail), among plain bytes, is escaped exactly where it is */
	for (unsigned b = 0; b < 256; b++)
		for (size_t len = 1; len < 20; len++)
			for (size_t at = 0; at < len; at++) {
				uint8_t s[20];
				char want[80], one[8];
				struct capture c;
				memset(s, 'x', len);
				s[at] = (uint8_t)b;
				json_byte(one, (uint8_t)b);
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at, "xxxxxxxxxxxxxxxxxxx", one,
					 (int)(len - at - 1), "xxxxxxxxxxxxxxxxxxx");
				aa_enc_json_string(cap_open(&c), s, len);
				char *got = cap_close(&c);
				cr_assert_str_eq(got, want, "byte 0x%02x at %zu of %zu", b, at, len);
				free(got);
				cr_assert_eq(aa_utf8_valid(s, len), b < 0x80, "byte 0x%02x at %zu of %zu", b, at, len);
			}
	/* a valid sequence, then a bad byte, at every place past a run of ASCII */
	for (size_t at = 0; at < 17; at++) {
		uint8_t s[24];
		memset(s, 'a', sizeof(s));
		memcpy(s + at, "\xe2\x82\xac", 3);
		cr_assert(aa_utf8_valid(s, sizeof(s)), "euro sign at %zu", at);
		s[at + 3 + at % 4] = 0xbf; /* a lone continuation byte after it */
		cr_assert_not(aa_utf8_valid(s, sizeof(s)), "lone continuation after the sign at %zu", at);
	}
}

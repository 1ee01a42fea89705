/* SPDX-License-Identifier: MIT */
/* Byte-string encoders: JSON strings, quoted text, base64, hex, numbers. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "aa_error.h"
#include "print_enc.h"

static const char hexdig[16] = "0123456789abcdef";

size_t aa_utf8_seq_len(const uint8_t *s, size_t len)
{
	uint8_t c = s[0];
	size_t n;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0; /* a continuation byte, or a lead byte never valid */
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Eight bytes at a time (SWAR): bodies and paths are mostly ASCII, and a
 * byte at a time was the JSON printer's hottest loop. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t word_at(const uint8_t *s)
{
	uint64_t v;

	memcpy(&v, s, 8);
	return v;
}

/* Non-zero when a byte of v is 0 (and only then). */
static uint64_t zero_byte(uint64_t v)
{
	return (v - ONES) & ~v & HIGHS;
}

/* The length of the run of ASCII bytes (below 0x80) at s. */
static size_t ascii_run(const uint8_t *s, size_t len)
{
	size_t n = 0;

	while (n + 8 <= len && !(word_at(s + n) & HIGHS))
		n += 8;
	while (n < len && s[n] < 0x80)
		n++;
	return n;
}

int aa_utf8_valid(const uint8_t *s, size_t len)
{
	for (size_t i = ascii_run(s, len), n; i < len; i += n + ascii_run(s + i + n, len - i - n))
		if ((n = aa_utf8_seq_len(s + i, len - i)) == 0)
			return 0;
	return 1;
}

/* Printable ASCII that needs no escape in either encoding. */
static int plain_ascii(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The length of the run of plain ASCII bytes at s. */
static size_t plain_run(const uint8_t *s, size_t len)
{
	size_t n = 0;

	for (; n + 8 <= len; n += 8) {
		uint64_t v = word_at(s + n);
		/* a byte below 0x20 (v - 0x20 borrows into its high bit where
		 * v's is clear), of 0x7f or more (+1 sets its high bit), '"', '\\' */
		if (((v - 0x20 * ONES) & ~v & HIGHS) | (((v + ONES) | v) & HIGHS) | zero_byte(v ^ '"' * ONES) |
		    zero_byte(v ^ '\\' * ONES))
			break;
	}
	while (n < len && plain_ascii(s[n]))
		n++;
	return n;
}

static void put_escaped_byte(FILE *out, const char *prefix, uint8_t c)
{
	fputs_unlocked(prefix, out);
	putc_unlocked(hexdig[c >> 4], out);
	putc_unlocked(hexdig[c & 15], out);
}

/*
 * Valid UTF-8 that still must not reach a terminal raw: C1 controls
 * (U+0080..U+009F), the line and paragraph separators and the bidirectional
 * overrides and isolates (U+2028..U+202E, U+2066..U+2069), which could make
 * a line read other than it is.
 */
static int unsafe_for_text(const uint8_t *s, size_t n)
{
	if (n == 2)
		return s[0] == 0xc2 && s[1] < 0xa0;
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x80)
		return s[2] >= 0xa8 && s[2] <= 0xae;
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x81)
		return s[2] >= 0xa6 && s[2] <= 0xa9;
	return 0;
}

/* The escape for one byte that cannot go out as it is. */
static void put_escape(FILE *out, uint8_t c, int json)
{
	if (c == '"' || c == '\\') {
		putc_unlocked('\\', out);
		putc_unlocked(c, out);
		return;
	}
	if (!json) {
		switch (c) {
		case '\n': fputs_unlocked("\\n", out); return;
		case '\r': fputs_unlocked("\\r", out); return;
		case '\t': fputs_unlocked("\\t", out); return;
		}
	}
	put_escaped_byte(out, json ? "\\u00" : "\\x", c);
}

enum str_form { FORM_JSON, FORM_TEXT, FORM_BARE };

/* A '/' that would close a C comment: the one right after a '*'. */
static int ends_comment(const uint8_t *s, size_t i)
{
	return s[i] == '/' && i > 0 && s[i - 1] == '*';
}

/* The string encoders: runs of plain ASCII and valid UTF-8 go out as they
 * are (for text, not the sequences a terminal must not see), the rest as
 * escapes; the bare form is text without the quotes and never ends a C
 * comment. */
static void put_string(FILE *out, const uint8_t *s, size_t len, enum str_form form)
{
	int json = form == FORM_JSON;
	size_t i = 0;

	if (form != FORM_BARE)
		putc_unlocked('"', out);
	while (i < len) {
		size_t run = plain_run(s + i, len - i);

		if (form == FORM_BARE && run) {
			size_t k = i == 0 ? 1 : 0; /* the first byte has no '*' before it */
			while (k < run && !ends_comment(s, i + k))
				k++;
			run = k;
		}
		if (run) {
			fwrite_unlocked(s + i, 1, run, out);
			i += run;
			continue;
		}
		size_t n = s[i] >= 0x80 ? aa_utf8_seq_len(s + i, len - i) : 0;

		if (n && (json || !unsafe_for_text(s + i, n))) {
			fwrite_unlocked(s + i, 1, n, out);
			i += n;
		} else {
			put_escape(out, s[i], json);
			i++;
		}
	}
	if (form != FORM_BARE)
		putc_unlocked('"', out);
}

void aa_enc_json_string(FILE *out, const uint8_t *s, size_t len)
{
	put_string(out, s, len, FORM_JSON);
}

void aa_enc_json_key(FILE *out, const char *name)
{
	fputs_unlocked(",\"", out);
	fputs_unlocked(name, out);
	fputs_unlocked("\":", out);
}

void aa_enc_json_field(FILE *out, const char *name, const uint8_t *s, size_t len)
{
	aa_enc_json_key(out, name);
	aa_enc_json_string(out, s, len);
	if (!aa_utf8_valid(s, len)) {
		fprintf(out, ",\"%s_b64\":\"", name);
		aa_enc_base64(out, s, len);
		putc_unlocked('"', out);
	}
}

void aa_enc_text_string(FILE *out, const uint8_t *s, size_t len)
{
	put_string(out, s, len, FORM_TEXT);
}

void aa_enc_text_bare(FILE *out, const uint8_t *s, size_t len)
{
	put_string(out, s, len, FORM_BARE);
}

void aa_enc_base64(FILE *out, const uint8_t *s, size_t len)
{
	static const char b64[65] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];
	size_t i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];

		quad[0] = b64[v >> 18];
		quad[1] = b64[(v >> 12) & 63];
		quad[2] = b64[(v >> 6) & 63];
		quad[3] = b64[v & 63];
		fwrite_unlocked(quad, 1, 4, out);
	}
	if (i < len) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		quad[0] = b64[v >> 18];
		quad[1] = b64[(v >> 12) & 63];
		quad[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		quad[3] = '=';
		fwrite_unlocked(quad, 1, 4, out);
	}
}

void aa_enc_hex(FILE *out, const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i)
			putc_unlocked(' ', out);
		putc_unlocked(hexdig[s[i] >> 4], out);
		putc_unlocked(hexdig[s[i] & 15], out);
	}
}

void aa_enc_u64(FILE *out, uint64_t v)
{
	char buf[20];
	size_t n = sizeof(buf);

	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite_unlocked(buf + n, 1, sizeof(buf) - n, out);
}

void aa_enc_i64(FILE *out, int64_t v)
{
	if (v < 0) {
		putc_unlocked('-', out);
		aa_enc_u64(out, -(uint64_t)v);
	} else {
		aa_enc_u64(out, (uint64_t)v);
	}
}

int aa_enc_status(FILE *out)
{
	if (!ferror_unlocked(out))
		return 0;
	if (!errno)
		errno = EIO;
	return AA_E_IO;
}

void aa_print_fields(FILE *out, const struct aa_record *rec, const struct aa_type_printer *p)
{
	const struct aa_event *ev = &rec->ev;

	switch (ev->type) {
#define X(name, NAME, size) case AA_TYPE_##NAME: p->name(out, ev->name, rec); return;
	AA_RECORD_TYPES(X)
#undef X
	case AA_TYPE_UNKNOWN: break;
	}
	p->unknown(out, ev); /* also a type value out of range */
}

const char *aa_format_endpoint(char buf[AA_ENDPOINT_BUF], unsigned family, const uint8_t addr[16],
			       uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	buf[0] = 0;
	if (family == AF_INET && inet_ntop(AF_INET, addr, a, sizeof(a)))
		snprintf(buf, AA_ENDPOINT_BUF, "%s:%u", a, port);
	else if (family == AF_INET6 && inet_ntop(AF_INET6, addr, a, sizeof(a)))
		snprintf(buf, AA_ENDPOINT_BUF, "[%s]:%u", a, port);
	return buf;
}

int aa_argv_item(const struct aa_string *argv, uint32_t *pos, const uint8_t **item, uint32_t *len)
{
	if (!argv->data || *pos >= argv->len)
		return 0;
	const uint8_t *s = argv->data + *pos, *nul = memchr(s, 0, argv->len - *pos);
	*item = s;
	*len = nul ? (uint32_t)(nul - s) : argv->len - *pos;
	*pos += *len + (nul != NULL);
	return 1;
}

void aa_enc_text_argv(FILE *out, const struct aa_string *argv)
{
	const uint8_t *item;
	uint32_t len, pos = 0;

	fputs_unlocked(" argv=[", out);
	for (int n = 0; aa_argv_item(argv, &pos, &item, &len); n++) {
		if (n)
			putc_unlocked(' ', out);
		aa_enc_text_string(out, item, len);
	}
	putc_unlocked(']', out);
	if (argv->truncated)
		fputs_unlocked(" argv_truncated", out);
}

void aa_enc_json_argv(FILE *out, const struct aa_string *argv)
{
	const uint8_t *item;
	uint32_t len, pos = 0;
	int utf8 = 1;

	fputs_unlocked(",\"argv\":", out);
	if (!argv->data) {
		fputs_unlocked("null,\"argv_truncated\":false", out);
		return;
	}
	putc_unlocked('[', out);
	for (int n = 0; aa_argv_item(argv, &pos, &item, &len); n++) {
		if (n)
			putc_unlocked(',', out);
		aa_enc_json_string(out, item, len);
		utf8 = utf8 && aa_utf8_valid(item, len);
	}
	putc_unlocked(']', out);
	if (!utf8) {
		fputs_unlocked(",\"argv_b64\":[", out);
		pos = 0;
		for (int n = 0; aa_argv_item(argv, &pos, &item, &len); n++) {
			fputs_unlocked(n ? ",\"" : "\"", out);
			aa_enc_base64(out, item, len);
			putc_unlocked('"', out);
		}
		putc_unlocked(']', out);
	}
	fputs_unlocked(argv->truncated ? ",\"argv_truncated\":true" : ",\"argv_truncated\":false", out);
}

void aa_enc_duration(FILE *out, uint64_t ns)
{
	if (ns < 1000)
		fprintf(out, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		fprintf(out, "%.3fus", ns / 1e3);
	else if (ns < 1000000000)
		fprintf(out, "%.3fms", ns / 1e6);
	else
		fprintf(out, "%.3fs", ns / 1e9);
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz entry: BTF through aa_btf_check and, when it passes, libbpf's dump
 * as `aa-replay schema` runs it; and the printing of every META string as
 * info and schema print them (see entries.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aa_error.h"
#include "btf_check.h"
#include "entries.h"
#include "print_enc.h"
#include "schema_print.h"

/* The code point of the UTF-8 sequence of n bytes at s. */
static uint32_t code_point(const uint8_t *s, size_t n)
{
	uint32_t cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/*
 * Nothing in s[0..len) that a terminal acts on: valid UTF-8, no C0 control
 * but those allowed, no DEL, no C1 control, no line or paragraph separator,
 * no bidirectional override or isolate.
 */
static int terminal_safe(const uint8_t *s, size_t len, const char *allowed)
{
	for (size_t i = 0; i < len;) {
		size_t n = aa_utf8_seq_len(s + i, len - i);
		if (!n)
			return 0;
		uint32_t cp = code_point(s + i, n);
		if ((cp < 0x20 && !(cp && strchr(allowed, (int)cp))) || (cp >= 0x7f && cp < 0xa0) ||
		    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		i += n;
	}
	return 1;
}

/* s[0..len) is one JSON string: quoted, escapes well formed, valid UTF-8, no raw control. */
static int json_string(const uint8_t *s, size_t len)
{
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return 0;
	for (size_t i = 1; i < len - 1;) {
		if (s[i] == '"' || s[i] < 0x20)
			return 0;
		if (s[i] == '\\') {
			if (i + 1 >= len - 1)
				return 0;
			if (s[i + 1] == 'u') {
				if (i + 6 > len - 1)
					return 0;
				for (size_t k = i + 2; k < i + 6; k++)
					if (!strchr("0123456789abcdefABCDEF", s[k]) || !s[k])
						return 0;
				i += 6;
			} else if (s[i + 1] && strchr("\"\\/bfnrt", s[i + 1])) {
				i += 2;
			} else {
				return 0;
			}
			continue;
		}
		size_t n = aa_utf8_seq_len(s + i, len - 1 - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

/* C comments in out[0..len) open and close in turn, and all are closed at the end. */
static int comments_balanced(const char *s, size_t len)
{
	int in = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		if (!in && s[i] == '/' && s[i + 1] == '*')
			in = 1, i++;
		else if (s[i] == '*' && s[i + 1] == '/') {
			if (!in)
				return 0;
			in = 0, i++;
		}
	}
	return !in;
}

/* One META string as info prints it: as text and as JSON. */
static void print_string(const char *str)
{
	char *buf;
	size_t len;
	FILE *f;

	if (!str)
		return;
	REQUIRE((f = open_memstream(&buf, &len)) != NULL);
	aa_enc_text_bare(f, (const uint8_t *)str, strlen(str));
	REQUIRE(fclose(f) == 0);
	REQUIRE(terminal_safe((const uint8_t *)buf, len, ""));
	REQUIRE(!memmem(buf, len, "*/", 2));
	free(buf);
	REQUIRE((f = open_memstream(&buf, &len)) != NULL);
	aa_enc_json_string(f, (const uint8_t *)str, strlen(str));
	REQUIRE(fclose(f) == 0);
	REQUIRE(json_string((const uint8_t *)buf, len));
	free(buf);
}

void aaf_print_meta(const struct aa_file_meta *m)
{
	const char *const strs[] = {m->writer, m->writer_version, m->hostname, m->kernel,
				    m->arch, m->source, m->schema};
	char why[256], check_why[256], *buf;
	size_t len;
	FILE *f;

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		print_string(strs[i]);
	int accepted = !m->btf || !m->btf_len ||
		       aa_btf_check(m->btf, m->btf_len, check_why, sizeof(check_why)) == 0;
	REQUIRE((f = open_memstream(&buf, &len)) != NULL);
	int rc = aa_schema_print(f, "f", m, why, sizeof(why));
	REQUIRE(fclose(f) == 0);
	/* what the check lets through, libbpf prints */
	REQUIRE(accepted ? rc == 0 : rc == AA_E_META);
	if (rc) {
		REQUIRE(memchr(why, 0, sizeof(why)) && why[0]);
		REQUIRE(terminal_safe((const uint8_t *)why, strlen(why), ""));
	}
	REQUIRE(terminal_safe((const uint8_t *)buf, len, "\n\t"));
	REQUIRE(comments_balanced(buf, len));
	free(buf);
}

int aaf_btf(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes: a read past the blob is caught */
	uint8_t *blob = malloc(size ? size : 1);
	char why[256];

	REQUIRE(blob != NULL);
	memcpy(blob, data, size);
	memset(why, 'x', sizeof(why));
	int rc = aa_btf_check(blob, size, why, sizeof(why));
	REQUIRE(rc == 0 || rc == -1);
	REQUIRE(memchr(why, 0, sizeof(why)));
	REQUIRE(rc == 0 ? why[0] == 0 : why[0] != 0);
	struct aa_file_meta m = {.schema = "tls 4128\nexit 16\n", .btf = blob,
				 .btf_len = (uint32_t)size};
	aaf_print_meta(&m);
	free(blob);
	return 0;
}

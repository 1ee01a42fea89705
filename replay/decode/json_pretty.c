/* SPDX-License-Identifier: MIT */
/*
 * JSON bodies for people: checked whole first (one value, depth at most
 * 256, strings of printable UTF-8 only: nothing a terminal would act on),
 * then written again with two spaces a level. Anything else is left to the
 * caller's escaped form.
 */
#include <string.h>

#include "decode.h"
#include "print_enc.h"

#define JSON_MAX_DEPTH 256

struct jp {
	const uint8_t *s;
	size_t len, i;
	FILE *out;          /* NULL: only check */
	const char *indent;
};

static void ws(struct jp *j)
{
	while (j->i < j->len && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
				 j->s[j->i] == '\r'))
		j->i++;
}

static void newline(struct jp *j, int depth)
{
	if (!j->out)
		return;
	putc('\n', j->out);
	fputs(j->indent, j->out);
	for (int k = 0; k < depth; k++)
		fputs("  ", j->out);
}

static void put(struct jp *j, const uint8_t *p, size_t n)
{
	if (j->out)
		fwrite(p, 1, n, j->out);
}

static int string(struct jp *j)
{
	size_t start = j->i++;

	while (j->i < j->len) {
		uint8_t c = j->s[j->i];
		if (c == '"') {
			j->i++;
			put(j, j->s + start, j->i - start);
			return 0;
		}
		if (c == '\\') {
			if (j->i + 1 >= j->len || !strchr("\"\\/bfnrtu", j->s[j->i + 1]))
				return -1;
			j->i += 2;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		size_t l = aa_utf8_seq_len(j->s + j->i, j->len - j->i);
		if (!l || (l == 2 && c == 0xc2 && j->s[j->i + 1] < 0xa0))
			return -1; /* not UTF-8, or a C1 control */
		j->i += l;
	}
	return -1;
}

static int scalar(struct jp *j)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t start = j->i;

	for (int k = 0; k < 3; k++) {
		size_t n = strlen(words[k]);
		if (j->len - j->i >= n && !memcmp(j->s + j->i, words[k], n)) {
			j->i += n;
			put(j, j->s + start, n);
			return 0;
		}
	}
	if (j->i < j->len && j->s[j->i] == '-')
		j->i++;
	size_t digits = j->i;
	while (j->i < j->len && ((j->s[j->i] >= '0' && j->s[j->i] <= '9') || j->s[j->i] == '.' ||
				 j->s[j->i] == 'e' || j->s[j->i] == 'E' || j->s[j->i] == '+' ||
				 j->s[j->i] == '-'))
		j->i++;
	if (j->i == digits || j->s[digits] < '0' || j->s[digits] > '9')
		return -1;
	put(j, j->s + start, j->i - start);
	return 0;
}

static int value(struct jp *j, int depth)
{
	ws(j);
	if (j->i >= j->len || depth > JSON_MAX_DEPTH)
		return -1;
	uint8_t c = j->s[j->i];
	if (c == '"')
		return string(j);
	if (c != '{' && c != '[')
		return scalar(j);
	uint8_t close = c == '{' ? '}' : ']';
	put(j, &c, 1);
	j->i++;
	ws(j);
	if (j->i < j->len && j->s[j->i] == close) {
		j->i++;
		put(j, &close, 1);
		return 0;
	}
	for (;;) {
		newline(j, depth + 1);
		if (c == '{') {
			ws(j);
			if (j->i >= j->len || j->s[j->i] != '"' || string(j))
				return -1;
			ws(j);
			if (j->i >= j->len || j->s[j->i++] != ':')
				return -1;
			put(j, (const uint8_t *)": ", 2);
		}
		if (value(j, depth + 1))
			return -1;
		ws(j);
		if (j->i >= j->len)
			return -1;
		if (j->s[j->i] == ',') {
			j->i++;
			put(j, (const uint8_t *)",", 1);
			continue;
		}
		if (j->s[j->i] != close)
			return -1;
		j->i++;
		newline(j, depth);
		put(j, &close, 1);
		return 0;
	}
}

int dec_json_pretty(FILE *out, const uint8_t *s, size_t len, const char *indent)
{
	struct jp j = { .s = s, .len = len, .indent = indent ? indent : "" };

	if (value(&j, 0))
		return -1;
	ws(&j);
	if (j.i != len)
		return -1;
	j.i = 0;
	j.out = out;
	value(&j, 0);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * META strings that would drive a terminal or break out of C, through
 * `aa-replay info` and `schema`: every string from a file comes out escaped
 * (\xNN, \n) as `cat` escapes record strings, a file cannot print a line of
 * its own ("Intact: yes" for a file that is not), schema's C comments
 * cannot be closed from inside, and `info --json` stays valid JSON.
 */
#include "hostile_build.h"

static char out[1 << 16];

TestSuite(hostile_meta, .init = hb_setup_cli, .fini = hb_teardown_cli);

/* Clears the screen, homes the cursor, then a line of its own. */
#define EVIL_HOST "\x1b[2J\x1b[Hevil\nIntact:         yes"
/* Sets the terminal title (OSC ... BEL). */
#define EVIL_KERNEL "6.18\x1b]0;owned\x07"
/* A CSI as a lone byte (not UTF-8) and as the UTF-8 of U+009B. */
#define EVIL_WRITER "aa\x9b\xc2\x9b" "31m"
/* A right-to-left override and a tab. */
#define EVIL_SOURCE "raw:\xe2\x80\xae" "gpj.exe\t"

/* A file with these META strings: closed (with an END) or cut short before it. */
static void write_file(const char *schema, int closed)
{
	struct aa_file_meta m = {.writer = EVIL_WRITER, .writer_version = "0\r",
				 .hostname = EVIL_HOST, .kernel = EVIL_KERNEL, .arch = "x86_64",
				 .source = EVIL_SOURCE, .schema = schema, .mono_to_wall = 1000,
				 .level = 1, .flush_ms = 1000};
	struct hb f = {0};
	hb_shb(&f);
	hb_idb(&f);
	size_t head = f.len;
	hb_meta_of(&f, &m);
	if (closed)
		hb_empty_end(&f, 1, head);
	hb_save(&f);
}

static int run(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' %s '%s' 2>/dev/null", hb_prog, args, hb_path);
	return aat_run(cmd, out, sizeof(out));
}

/* No byte that a terminal acts on: C0 controls but newline, DEL, C1 (raw or as UTF-8). */
static void expect_terminal_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cr_expect(*p >= 0x20 || *p == '\n', "control byte 0x%02x at %td: %s", *p,
			  (const char *)p - s, s);
		cr_expect(*p != 0x7f && *p != 0x9b, "byte 0x%02x at %td: %s", *p,
			  (const char *)p - s, s);
	}
	cr_expect(!strstr(s, "\xe2\x80\xae"), "a bidi override: %s", s);
}

Test(hostile_meta, info_text_escapes_every_meta_string)
{
	write_file("exit 16\n", 0);
	cr_expect_eq(run("info"), 1, "a file with no END is not intact");
	expect_terminal_safe(out);
	cr_expect(strstr(out, "\nHost:           \\x1b[2J\\x1b[Hevil\\nIntact:         yes\n"),
		  "%s", out);
	cr_expect(strstr(out, "\nKernel:         6.18\\x1b]0;owned\\x07 x86_64\n"), "%s", out);
	cr_expect(strstr(out, "\nWriter:         aa\\x9b\\xc2\\x9b31m 0\\r\n"), "%s", out);
	cr_expect(strstr(out, "\nSource:         raw:\\xe2\\x80\\xaegpj.exe\\t\n"), "%s", out);
	/* the one Intact line is the real one */
	size_t lines = 0;
	for (const char *p = out; (p = strstr(p, "\nIntact:")); p++)
		lines++;
	cr_expect_eq(lines, 1, "%s", out);
	cr_expect(strstr(out, "\nIntact:         no\n"), "%s", out);
}

/* JSON was right before too: kept so that the escaping of text does not leak into it. */
Test(hostile_meta, info_json_is_valid_for_any_bytes)
{
	write_file("exit 16\n", 1);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "'%s' info --json '%s' | python3 -c 'import json, sys; d = json.load(sys.stdin); "
		 "print(ascii(d[\"host\"]), ascii(d[\"kernel\"]), ascii(d[\"writer\"]), "
		 "ascii(d[\"source\"]), d[\"intact\"])'",
		 hb_prog, hb_path);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0, "not JSON: %s", out);
	/* a byte that is not UTF-8 reads as its Latin-1 character */
	cr_expect_str_eq(out, "'\\x1b[2J\\x1b[Hevil\\nIntact:         yes' '6.18\\x1b]0;owned\\x07' "
			      "'aa\\x9b\\x9b31m' 'raw:\\u202egpj.exe\\t' True\n");
}

Test(hostile_meta, schema_text_cannot_close_its_comment)
{
	write_file("tls 4128\n*/ #include <evil.h> /*\n\x1b[2Jexit 16\nfile 296*/", 1);
	cr_assert_eq(run("schema"), 0, "%s", out);
	expect_terminal_safe(out);
	cr_expect(strstr(out, "\n/*   tls 4128 */\n"
			      "/*   *\\x2f #include <evil.h> /* */\n"
			      "/*   \\x1b[2Jexit 16 */\n"
			      "/*   file 296*\\x2f */\n"
			      "/* the file carries no BTF of its record structs */\n"),
		  "%s", out);
	/* every comment closes where it opened: each line is one comment */
	for (const char *line = out; *line;) {
		const char *nl = strchr(line, '\n');
		cr_assert_not_null(nl);
		const char *close = strstr(line, "*/");
		cr_expect(line[0] == '/' && line[1] == '*' && close == nl - 2, "line: %.*s",
			  (int)(nl - line), line);
		line = nl + 1;
	}
}

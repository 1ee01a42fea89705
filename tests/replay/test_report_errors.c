/* SPDX-License-Identifier: MIT */
/*
 * aa-replay report's bad inputs and outputs: an input that cannot be read
 * gives one line, status 2 and no page; a damaged one gives a page that
 * says it is not intact, and status 1; an output that cannot be created or
 * written gives one line, status 2, and leaves nothing behind.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "report_page.h"

/* The names in dir other than the fixture's own files. */
static size_t leftovers(const struct fx *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "cap.pcapng") &&
		    strcmp(e->d_name, "stderr") && strcmp(e->d_name, "exists.html"))
			n++;
	closedir(d);
	return n;
}

static void one_line(const char *e, const char *starts)
{
	cr_expect_eq(fx_lines(e), 1, "not one line: %s", e);
	cr_expect(fx_starts(e, starts), "%s", e);
}

Test(report_errors, unreadable_inputs_give_no_page)
{
	struct fx f;

	fx_init(&f);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html missing.pcapng"), 2);
	one_line(err, "aa-replay: missing.pcapng: ");
	cr_expect_eq(leftovers(&f), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o - missing.pcapng"), 2);
	one_line(err, "aa-replay: missing.pcapng: ");
	cr_expect_str_eq(out, "", "a page begun on stdout");
	cr_assert_eq(aat_write_file(f.path, "not a capture file\n", 19), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html cap.pcapng"), 2);
	one_line(err, "aa-replay: cap.pcapng: ");
	cr_expect_eq(leftovers(&f), 0);
	/* usage */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report cap.pcapng"), 2);
	cr_expect(strstr(err, "-o"), "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html"), 2);
	/* standard input is read once like a file: not a capture file either */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html - < cap.pcapng"), 2);
	one_line(err, "aa-replay: ");
	cr_expect_eq(leftovers(&f), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o - - < cap.pcapng"), 2);
	cr_expect_str_eq(out, "", "a page begun on stdout");
	fx_free(&f);
}

/* One pass: a page from standard input, or through a pipe, is the page of
 * the file (its data but the input's name). */
Test(report_errors, standard_input_gives_the_pages_data)
{
	struct fx f;

	fx_make(&f, 11, 3000, 32768, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "report -o a.html cap.pcapng && cat cap.pcapng | '%s' report -o - - > b.html && "
			    "sed 's/\"inputs\":\\[[^]]*\\]//' a.html > a2 && sed 's/\"inputs\":\\[[^]]*\\]//' b.html > b2 && "
			    "cmp a2 b2 && grep -c '\"tls\":{\"shift\":0,\"items\":\\[{' b.html", f.replay), 0, "%s", err);
	cr_expect_str_eq(out, "1\n");
	fx_free(&f);
}

Test(report_errors, a_damaged_input_gives_a_page_not_intact)
{
	struct fx f;
	uint8_t *file;
	size_t size;

	fx_make(&f, 7, 3000, 32768, 0);
	struct aat_block b = fx_record_chunk(&f, 1, &file, &size);
	file[b.data_off + b.data_len / 2] ^= 0x55; /* the chunk's checksum no longer holds */
	cr_assert_eq(aat_write_file(f.path, file, size), 0);
	free(file);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html cap.pcapng"), 1, "%s", err);
	/* the damage reported once (the page reads the file twice), the page written */
	one_line(err, "aa-replay: cap.pcapng: offset ");
	char *page = aat_path(f.dir, "page.html");
	uint8_t *data;
	cr_assert_eq(aat_read_file(page, &data, &size), 0);
	data[size - 1] = 0;
	cr_expect(strstr((char *)data, "\"damaged\":1,"), "the page does not count the damage");
	cr_expect(strstr((char *)data, "\"intact\":false"), "the page says intact");
	cr_expect(strstr((char *)data, "</html>"), "the page is not whole");
	free(data);
	/* in the browser: the red banner, saying why */
	char *dom = dom_of(page);
	cr_expect(strstr(dom, "<div class=\"banner bad\">✗ Not intact: 1 damaged part(s) skipped"), "no red banner");
	free(dom);
	free(page);
	fx_free(&f);
}

Test(report_errors, outputs_that_cannot_be_written_leave_nothing)
{
	struct fx f;
	struct stat st;

	fx_make(&f, 8, 500, 0, 0);
	/* never over an existing file */
	char *exists = aat_path(f.dir, "exists.html");
	cr_assert_eq(aat_write_file(exists, "mine", 4), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o exists.html cap.pcapng"), 2);
	one_line(err, "aa-replay: exists.html: cannot create: the file exists");
	cr_assert_eq(stat(exists, &st), 0);
	cr_expect_eq(st.st_size, 4, "the existing file was touched");
	/* a directory that is not there */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o nodir/page.html cap.pcapng"), 2);
	one_line(err, "aa-replay: nodir/page.html: cannot create: ");
	/* a full device on standard output */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o - cap.pcapng > /dev/full"), 2);
	one_line(err, "aa-replay: stdout: write failed: ");
	cr_expect_eq(leftovers(&f), 0, "a half-written page or temporary file was left");
	/* and standard output works */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o - cap.pcapng | tail -c 8"), 0, "%s", err);
	cr_expect_str_eq(out, "</html>\n");
	free(exists);
	fx_free(&f);
}

/* SPDX-License-Identifier: MIT */
/*
 * Shared by the aa-replay report tests (header only): a page made from a
 * capture, and the DOM Chromium builds of it with the script elements cut
 * out, so that checks look at what the page shows, not at its data or code.
 */
#ifndef AAT_REPORT_PAGE_H
#define AAT_REPORT_PAGE_H

#include "browser.h"
#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

/* The page of capture (absolute, or relative to the repository) in f's directory. */
static inline char *make_report(struct fx *f, const char *capture, const char *name, int want)
{
	char *abs = capture[0] == '/' ? strdup(capture) : realpath(capture, NULL);

	cr_assert_not_null(abs, "%s missing", capture);
	cr_assert_eq(fx_run(f, out, sizeof(out), err, sizeof(err), "report -o %s '%s'", name, abs), want,
		     "%s", err);
	free(abs);
	return aat_path(f->dir, name);
}

/*
 * Cuts the script elements out of dom (the data island and the page's
 * code): what is left is what the page built.
 */
static inline void cut_scripts(char *dom)
{
	char *p;

	while ((p = strstr(dom, "<script"))) {
		char *end = strstr(p, "</script>");
		cr_assert_not_null(end, "a script element without its end");
		memmove(p, end + 9, strlen(end + 9) + 1);
	}
}

/* The DOM of page (with #fragment when not NULL), its scripts cut out. */
static inline char *dom_at(const char *page, const char *fragment)
{
	if (!aat_browser())
		cr_skip_test("chromium is not installed (make deps installs it)");
	size_t len;
	char *dom = aat_browser_dom_at(page, fragment, &len);
	cr_assert_not_null(dom, "chromium could not load %s", page);
	cr_assert_eq(strlen(dom), len, "a NUL in the page's DOM, at %zu", strlen(dom));
	cr_assert(strstr(dom, "data-ready=\"1\""), "the page's script did not run to its end");
	cut_scripts(dom);
	return dom;
}

static inline char *dom_of(const char *page)
{
	return dom_at(page, NULL);
}

/* A screenshot of page kept for people to look at (the test prints where). */
static inline void screenshot(const char *page, const char *name)
{
	char *png = aat_artifact_path(name);

	cr_assert_not_null(png);
	cr_assert_eq(aat_browser_screenshot(page, png, 1400, 1000), 0, "no screenshot of %s", page);
	fprintf(stderr, "report screenshot: %s\n", png);
	free(png);
}

#endif

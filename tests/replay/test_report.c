/* SPDX-License-Identifier: MIT */
/*
 * aa-replay report, checked in a real browser: headless Chromium loads the
 * page from disk with no way to the network, and the test reads the DOM its
 * script built (the session fixture's process tree, failing cat, files and
 * requests; hostile strings shown as text, never as markup) and keeps a
 * screenshot in build/artifacts/. Bad inputs and outputs leave no page.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "report_page.h"

#define SESSION "tests/fixtures/session/session-a.pcapng"

/* The opening tag of the tree node of pid, or NULL. */
static const char *node_of(const char *dom, unsigned pid)
{
	char pat[64];

	snprintf(pat, sizeof(pat), "class=\"node\" data-pid=\"%u\"", pid);
	const char *p = strstr(dom, pat);
	return p ? p - 5 : NULL; /* at "<div " */
}

/* The pid of the tree node that holds the node at tag (walking back over the divs), or 0. */
static unsigned parent_node_pid(const char *dom, const char *tag)
{
	int depth = 0;

	for (const char *p = tag - 1; p >= dom; p--) {
		if (!strncmp(p, "</div>", 6)) {
			depth++;
		} else if (!strncmp(p, "<div", 4) && depth-- == 0) {
			if (!strncmp(p, "<div class=\"node\" data-pid=\"", 28))
				return (unsigned)strtoul(p + 28, NULL, 10);
			depth = 0; /* a div around the node (its parent's children): go on up */
		}
	}
	return 0;
}

/* The text from the start of the row of node at tag to the row's end. */
static char *row_of(const char *tag)
{
	const char *row = strstr(tag, "<div class=\"row");
	const char *end = row ? strstr(row, "</div>") : NULL;

	cr_assert(row && end);
	return strndup(row, (size_t)(end - row));
}

Test(report, session_tree_files_and_requests_in_the_browser, .timeout = 120)
{
	struct fx f;

	fx_init(&f);
	char *page = make_report(&f, SESSION, "session.html", 0);
	struct stat st;
	cr_assert_eq(stat(page, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "the page holds TLS plaintext: owner only");
	char *dom = dom_of(page);

	/* the agent, with its argv, at the root; curl and the shells under it */
	const char *agent = node_of(dom, 7754);
	cr_assert_not_null(agent, "no tree node for the agent");
	char *row = row_of(agent);
	cr_expect(strstr(row, ">python3<"), "%s", row);
	cr_expect(strstr(row, "/usr/bin/python3 tests/fixtures/session/agent.py /tmp/aa-session "
			      "/tmp/aa-session-tls/cert.pem"), "%s", row);
	cr_expect(strstr(row, "exit 0"), "%s", row);
	free(row);
	const char *curl = node_of(dom, 7760);
	cr_assert_not_null(curl);
	cr_expect_eq(parent_node_pid(dom, curl), 7754);
	row = row_of(curl);
	cr_expect(strstr(row, ">curl<") && strstr(row, "https://127.0.0.1:24480/v1/models"), "%s", row);
	free(row);
	/* the failing cat, under its sh, highlighted with its exit status */
	const char *cat = node_of(dom, 7766);
	cr_assert_not_null(cat);
	cr_expect_eq(parent_node_pid(dom, cat), 7765);
	cr_expect_eq(parent_node_pid(dom, node_of(dom, 7765)), 7754);
	row = row_of(cat);
	cr_expect(fx_starts(row, "<div class=\"row failed\""), "%s", row);
	cr_expect(strstr(row, "cat /tmp/aa-session/missing.txt"), "%s", row);
	cr_expect(strstr(row, "<span class=\"badge bad\">exit 1</span>"), "%s", row);
	free(row);
	row = row_of(node_of(dom, 7768));
	cr_expect(fx_starts(row, "<div class=\"row\""), "mv succeeded: %s", row);
	free(row);

	/* the summary, the files, the requests */
	cr_expect(strstr(dom, "<div class=\"banner ok\">✓ Intact: every block"), "the summary does not say intact");
	cr_expect(strstr(dom, "<div class=\"v\">vm</div>"), "the host is not shown");
	cr_expect(strstr(dom, "<td class=\"fpath\">/tmp/aa-session/final.txt"), "final.txt not in the files");
	cr_expect(strstr(dom, "renamed to /tmp/aa-session/final.txt"), "the rename is not shown");
	/* the requests decoded: method, path, status, a gzip body pretty, SSE events, HTTP/2 */
	const char *chat = strstr(dom, "<span class=\"method\">POST</span><span class=\"path\">/v1/chat</span>");
	cr_assert_not_null(chat, "the request POST /v1/chat is not shown");
	const char *resp = strstr(chat, "<div class=\"msg resp\">");
	cr_assert_not_null(resp, "no response after the request");
	cr_expect(fx_starts(resp, "<div class=\"msg resp\"><div class=\"msg-line\"><span class=\"status ok\">200</span>"
				  "<span class=\"muted\">OK</span>"), "%.200s", resp);
	cr_expect(strstr(resp, "gzip decoded"), "the response's encoding is not shown");
	cr_expect(strstr(resp, "<pre>{\n  \"id\": \"chat-1\",\n  \"choices\": ["), "the body is not pretty JSON");
	cr_expect(strstr(dom, "<span class=\"method\">event: token</span><span class=\"path\">{\"t\": \"hello\"}</span>"),
		  "the first SSE event is not shown");
	cr_expect(strstr(dom, "<span class=\"method\">event: done</span><span class=\"path\">[DONE]</span>"));
	cr_expect(strstr(dom, "<span class=\"method\">GET</span><span class=\"path\">/v1/limits</span>"
			      "<span class=\"muted\">127.0.0.1:24480</span>"), "the second HTTP/2 request is not shown");
	cr_expect(strstr(dom, "<span class=\"badge info\">HTTP/2</span>"));
	cr_expect(strstr(dom, "<pre>{\n  \"limits\": {\n    \"rpm\": 60\n  }\n}</pre>"));
	/* a lane per process in the timeline, the failed one marked */
	cr_expect(strstr(dom, "class=\"lane-label failed\">7766 cat<"), "no red lane for cat");
	cr_expect(strstr(dom, ">7768 mv<"), "no lane for mv");
	screenshot(page, "report-session-a.png");
	free(dom);
	free(page);
	fx_free(&f);
}

Test(report, live_fixture_renders, .timeout = 120)
{
	struct fx f;

	fx_init(&f);
	char *page = make_report(&f, "tests/fixtures/live.pcapng", "live.html", 0);
	char *dom = dom_of(page);

	/* the fixture's TLS exchange and its openssl processes */
	cr_expect(strstr(dom, ">openssl<"), "no openssl process");
	cr_expect(strstr(dom, "TLS conversations"));
	cr_expect(!strstr(dom, "No TLS traffic"), "the fixture's TLS exchange is missing");
	cr_expect(strstr(dom, "<pre>fixture client hello</pre>"), "the client's TLS write is missing");
	cr_expect(strstr(dom, "<pre>fixture server hello</pre>"), "the server's TLS write is missing");
	screenshot(page, "report-live.png");
	free(dom);
	free(page);
	fx_free(&f);
}

/* A search (here from the page's URL, as a link can carry it) keeps what matches and its ancestors. */
Test(report, search_filters_the_tree_files_and_messages, .timeout = 120)
{
	struct fx f;

	fx_init(&f);
	char *page = make_report(&f, SESSION, "session.html", 0);
	char *dom = dom_at(page, "search=missing.txt");

	/* cat and its sh match, python3 shows as their ancestor, curl is hidden */
	cr_expect(strstr(dom, "<div class=\"node\" data-pid=\"7766\"><div class=\"row failed match\">"),
		  "cat does not match");
	cr_expect(strstr(dom, "<div class=\"node\" data-pid=\"7754\"><div class=\"row\">"),
		  "python3 is not shown as the ancestor");
	cr_expect(strstr(dom, "<div class=\"node hidden\" data-pid=\"7760\">"), "curl is not hidden");
	cr_expect(strstr(dom, "<div class=\"node hidden\" data-pid=\"7768\">"), "mv is not hidden");
	/* the file that was missing is listed, final.txt not; no request matches */
	cr_expect(strstr(dom, "<tr class=\"failed\"><td class=\"fpath\">/tmp/aa-session/missing.txt"), "missing.txt not shown");
	cr_expect(!strstr(dom, "<td class=\"fpath\">/tmp/aa-session/final.txt"), "final.txt not hidden");
	cr_expect(!strstr(dom, "<div class=\"msg req\">"), "a request that does not match is shown");
	cr_expect(strstr(dom, "<span id=\"search-count\" class=\"muted\">3 matches</span>"), "no match count");
	free(dom);
	free(page);
	fx_free(&f);
}

Test(report, an_empty_recording_gives_a_page_that_says_so, .timeout = 120)
{
	struct fx f;
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };

	fx_init(&f);
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, 0, &o, 0, NULL), 0);
	char *page = make_report(&f, f.path, "empty.html", 0);
	char *dom = dom_of(page);

	cr_expect(strstr(dom, "<div class=\"banner ok\">"), "an empty file that is whole is intact");
	cr_expect(strstr(dom, "<p class=\"empty\">No process is known in this recording.</p>"));
	cr_expect(strstr(dom, "<p class=\"empty\">No process and no event in this recording.</p>"));
	cr_expect(strstr(dom, "<p class=\"empty\">No file record in this recording.</p>"));
	cr_expect(strstr(dom, "<p class=\"empty\">No TLS traffic in this recording.</p>"));
	free(dom);
	free(page);
	fx_free(&f);
}

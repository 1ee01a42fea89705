/* SPDX-License-Identifier: MIT */
/*
 * aa-replay report with hostile strings: argv, comm, a path, the host name
 * and TLS bytes holding </script>, tags and event handlers are shown as
 * text in the browser, never run or parsed as markup; and the page needs
 * no network: a Content-Security-Policy that allows nothing to be fetched,
 * no URL outside the recording's (escaped) data, loaded with every host
 * name unresolvable.
 */
#include <strings.h>

#include "evid.h"
#include "report_page.h"

#define TS 1000000ull
static const char ARGV[] = "</script><script>document.title=\"pwned\"</script>\0"
			   "<img src=x onerror=\"document.title='pwned'\">\0"
			   "&amp; &lt;\0";
static const char PATH[] = "/tmp/</script><h1 id=pwn>x";
static const char HOST[] = "<script>alert('host')</script>";
static const char TLS[] = "GET /</script><svg/onload=alert(1)> HTTP/1.1\r\nHost: x\r\n\r\n\0\x01\xff";

static void make_hostile(struct fx *f)
{
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test", .hostname = HOST,
				    .kernel = "<b>k</b>", .arch = "x86_64" };
	struct aa_exec_event ex = { .timestamp_ns = TS + 2000, .pid = 11, .ppid = 10, .uid = 1000 };
	struct aa_exit_event xe = { .timestamp_ns = TS + 9000, .pid = 11, .exit_code = 1 };
	struct aa_file_event fi = { .pid = 11, .tid = 11, .timestamp_ns = TS + 3000, .syscall = AA_SYS_OPENAT,
				    .flags = 0x241, .return_code = -13, .duration_ns = 10 };
	struct aa_tls_conn_event c = { .timestamp_ns = TS + 4000, .pid = 11, .tid = 11, .conn = 555, .fd = 3,
				       .family = 2, .lib = AA_TLS_LIB_OPENSSL, .local_port = 40000,
				       .peer_port = 443, .data_len = sizeof(TLS) - 1 };
	struct aa_tls_event t = { .timestamp_ns = TS + 4000, .pid = 11, .tid = 11,
				  .data_len = sizeof(TLS) - 1, .direction = AA_TLS_WRITE };

	fx_init(f);
	aat_add_string(&f->recs, TS, 10, 10, AA_STRING_ARGV, "sh", 3, 3, 0);
	aat_add_string(&f->recs, TS, 10, 10, AA_STRING_EXE, "/bin/sh", 7, 7, 0);
	aat_add_task(&f->recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "sh", "", 0);
	aat_add_task(&f->recs, AA_TASK_FORK, TS + 1000, 11, 11, 10, "sh", "", 0);
	aat_add_task(&f->recs, AA_TASK_EXEC, TS + 2000, 11, 11, 10, "<i>x</i>", "", 0);
	aat_add_string(&f->recs, TS + 2000, 11, 11, AA_STRING_ARGV, ARGV, sizeof(ARGV) - 1, sizeof(ARGV) - 1, 0);
	aat_add_string(&f->recs, TS + 2000, 11, 11, AA_STRING_FILENAME, PATH, sizeof(PATH) - 1,
		       sizeof(PATH) - 1, 0);
	strcpy((char *)ex.filename, PATH);
	aat_recs_add(&f->recs, &ex, sizeof(ex));
	strcpy((char *)fi.path, PATH);
	aat_recs_add(&f->recs, &fi, sizeof(fi));
	memcpy(c.local_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(c.peer_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	aat_recs_add(&f->recs, &c, sizeof(c));
	memcpy(t.payload, TLS, sizeof(TLS) - 1);
	aat_recs_add(&f->recs, &t, sizeof(t));
	aat_add_task(&f->recs, AA_TASK_EXIT, TS + 9000, 11, 11, 10, "<i>x</i>", "", 1 << 8);
	aat_recs_add(&f->recs, &xe, sizeof(xe));
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &o, 0, NULL), 0);
}

static size_t count_ci(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strcasestr(p, what)); p++)
		n++;
	return n;
}

/* The page's text, and the same without its data island. */
static char *read_page(struct fx *f, const char *name, char **outside)
{
	char *path = aat_path(f->dir, name);
	uint8_t *data;
	size_t n;

	cr_assert_eq(aat_read_file(path, &data, &n), 0);
	free(path);
	char *page = realloc(data, n + 1);
	cr_assert_not_null(page);
	page[n] = 0;
	cr_assert_eq(strlen(page), n, "a NUL byte in the page");
	const char *island = strstr(page, "<script type=\"application/json\" id=\"aa-data\">");
	cr_assert_not_null(island);
	const char *end = strstr(island, "</script>");
	cr_assert_not_null(end);
	size_t a = (size_t)(island - page), b = (size_t)(end - page);
	*outside = malloc(n + 1);
	memcpy(*outside, page, a);
	strcpy(*outside + a, page + b);
	return page;
}

Test(report_safety, hostile_strings_are_text, .timeout = 120)
{
	struct fx f;
	char *outside;

	make_hostile(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html cap.pcapng"), 0,
		     "%s", err);
	char *page = read_page(&f, "page.html", &outside);
	/* two script elements, the page's own: the data cannot open or close one */
	cr_expect_eq(count_ci(page, "<script"), 2);
	cr_expect_eq(count_ci(page, "</script"), 2);
	cr_expect_eq(count_ci(page, "<img"), 0);
	cr_expect_eq(count_ci(page, "<h1"), 0);
	cr_expect_eq(count_ci(page, "<svg"), 0);
	cr_expect_eq(count_ci(page, "<!--"), 0);
	/* the strings are in the data, with < > & as \u escapes */
	cr_expect(strstr(page, "\\u003c/script\\u003e\\u003ch1 id=pwn\\u003ex"), "the path is not in the data");
	cr_expect(strstr(page, "\\u0026amp; \\u0026lt;"), "the & of argv is not escaped");

	char *pagepath = aat_path(f.dir, "page.html");
	char *dom = dom_of(pagepath);
	free(pagepath);
	cr_expect(!strstr(dom, "pwned</title>"), "a script of the recording ran");
	cr_expect(!strstr(dom, "id=\"pwn\""), "markup of the recording became an element");
	cr_expect_eq(count_ci(dom, "<img"), 0);
	cr_expect_eq(count_ci(dom, "<h1"), 0);
	/* shown as the text it is: argv item quoted as a shell would, the path, host, comm, TLS */
	cr_expect(strstr(dom, "'&lt;/script&gt;&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;' "
			      "'&lt;img src=x onerror=\"document.title='\\''pwned'\\''\"&gt;' '&amp;amp; &amp;lt;'"),
		  "the argv is not shown as text");
	cr_expect(strstr(dom, "<td class=\"fpath\">/tmp/&lt;/script&gt;&lt;h1 id=pwn&gt;x"), "the path is not shown");
	cr_expect(strstr(dom, "<div class=\"v\">&lt;script&gt;alert('host')&lt;/script&gt;</div>"),
		  "the host is not shown");
	cr_expect(strstr(dom, "<span class=\"comm\">&lt;i&gt;x&lt;/i&gt;</span>"), "the comm is not shown");
	cr_expect(strstr(dom, "<span class=\"path\">/&lt;/script&gt;&lt;svg/onload=alert(1)&gt;</span>"),
		  "the request path is not shown");
	cr_expect(strstr(dom, "<span class=\"badge bad\">exit 1</span>"));
	pagepath = aat_path(f.dir, "page.html");
	screenshot(pagepath, "report-hostile.png");
	free(pagepath);
	free(dom);
	free(page);
	free(outside);
	fx_free(&f);
}

Test(report_safety, the_page_needs_no_network, .timeout = 120)
{
	struct fx f;
	char *outside, *abs = realpath("tests/fixtures/session/session-a.pcapng", NULL);

	cr_assert_not_null(abs);
	fx_init(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "report -o page.html '%s'", abs), 0,
		     "%s", err);
	char *page = read_page(&f, "page.html", &outside);
	/* the recording's own URLs are data (curl's argv) */
	cr_expect(strstr(page, "https://127.0.0.1:24480/v1/models"));
	/* nothing may be fetched, and nothing outside the data names a place to
	 * fetch from: the SVG namespace is a name that is never fetched */
	cr_expect(strstr(outside, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
		  "no policy against fetching");
	size_t urls = count_ci(outside, "http://") + count_ci(outside, "https://") + count_ci(outside, "//cdn");
	cr_expect_eq(urls, count_ci(outside, "'http://www.w3.org/2000/svg'"), "a URL in the page outside the data");
	cr_expect_eq(count_ci(outside, "src="), 0, "something loaded from elsewhere");
	cr_expect_eq(count_ci(outside, "<link"), 0, "a stylesheet or resource loaded from elsewhere");
	cr_expect_eq(count_ci(outside, "@import"), 0);
	cr_expect_eq(count_ci(outside, "url("), count_ci(outside, "url(#"), "a url() not in the page");
	/* loaded with every host name unresolvable (aat_browser_dom), it is whole */
	char *pagepath = aat_path(f.dir, "page.html");
	char *dom = dom_of(pagepath);
	free(pagepath);
	cr_expect(strstr(dom, "class=\"node\" data-pid=\"7766\""));
	free(dom);
	free(page);
	free(outside);
	free(abs);
	fx_free(&f);
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-replay report: one self-contained HTML page of a recording for a
 * person to review (private to aa-replay). The page (report/page.html,
 * page.css, page.js) is compiled in; the recording goes into it as one
 * JSON object in a <script type="application/json"> element, every '<',
 * '>' and '&' written as a \u escape so no byte of the file can end that
 * element or be read as markup. The page builds everything it shows with
 * DOM text nodes, never from markup.
 */
#ifndef AA_REPORT_H
#define AA_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

/* The page's parts, generated from replay/views/report/ at build time. */
extern const unsigned char report_page_html[], report_page_css[], report_page_js[];
extern const unsigned int report_page_html_len, report_page_css_len, report_page_js_len;

/*
 * A JSON writer over out that turns '<', '>' and '&' into \u003c, \u003e,
 * \u0026: in JSON they can stand only inside strings, where these escapes
 * mean the same characters. Returns NULL when out of memory; fclose it
 * before using out again (out itself stays open).
 */
FILE *report_json_open(FILE *out);

/*
 * The TLS conversations, made in the same pass (report_tls.c): a feeder of
 * every record read (NULL when out of memory or no temporary file can be
 * made), and at the end the member ,"tls":{...} of the data object written
 * into j, times after base_ns (a CLI status after reporting).
 */
struct report_tls;
struct report_tls *report_tls_new(void);
void report_tls_add(struct report_tls *t, const struct aa_record *rec);
int report_tls_finish(struct report_tls *t, FILE *j, uint64_t base_ns);
void report_tls_free(struct report_tls *t);

/*
 * The one pass: reads paths (once: a stream such as standard input or a
 * nats:// URL works) and writes the members "summary", "procs", "files",
 * "events" and "tls" of the data object (each as ,"name":value) into j;
 * times in them are ns after the wall clock of the earliest record.
 * Returns a CLI status after reporting what went wrong.
 */
int report_collect(FILE *j, const char *const *paths, size_t npaths);

/* aa-replay report (replay/cmd_report.c). */
int cmd_report(int argc, char **argv);

/* The whole page for paths into out; a CLI status. */
int report_write(FILE *out, const char *const *paths, size_t npaths);

#endif

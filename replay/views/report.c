/* SPDX-License-Identifier: MIT */
/* aa-replay report: the page around the data, and the data's safe writer. */
#include <string.h>

#include "cli.h"
#include "print_enc.h"
#include "report.h"

/* The cookie of report_json_open: the FILE it writes through. */
static ssize_t json_write(void *cookie, const char *buf, size_t size)
{
	FILE *out = cookie;
	size_t from = 0;

	for (size_t i = 0; i < size; i++) {
		const char *esc = buf[i] == '<' ? "\\u003c" : buf[i] == '>' ? "\\u003e"
				: buf[i] == '&' ? "\\u0026" : NULL;
		if (!esc)
			continue;
		fwrite(buf + from, 1, i - from, out);
		fputs(esc, out);
		from = i + 1;
	}
	fwrite(buf + from, 1, size - from, out);
	return ferror(out) ? -1 : (ssize_t)size;
}

FILE *report_json_open(FILE *out)
{
	cookie_io_functions_t io = { .write = json_write };
	FILE *j = fopencookie(out, "w", io);

	if (j)
		setvbuf(j, NULL, _IOFBF, 1 << 16);
	return j;
}

/*
 * Writes the template from *pos up to the marker, and moves *pos past it;
 * the rest when the marker is not there (then the page is broken: 0).
 */
static int put_until(FILE *out, const char *tpl, size_t len, size_t *pos, const char *marker)
{
	size_t m = strlen(marker);

	for (size_t i = *pos; i + m <= len; i++)
		if (!memcmp(tpl + i, marker, m)) {
			fwrite(tpl + *pos, 1, i - *pos, out);
			*pos = i + m;
			return 1;
		}
	fwrite(tpl + *pos, 1, len - *pos, out);
	*pos = len;
	return 0;
}

int report_write(FILE *out, const char *const *paths, size_t npaths)
{
	const char *tpl = (const char *)report_page_html;
	size_t len = report_page_html_len, pos = 0;
	int status;
	FILE *j;

	if (!put_until(out, tpl, len, &pos, "/*@CSS@*/"))
		goto broken;
	fwrite(report_page_css, 1, report_page_css_len, out);
	if (!put_until(out, tpl, len, &pos, "@DATA@"))
		goto broken;
	if (!(j = report_json_open(out))) {
		cli_err("out of memory");
		return CLI_USAGE;
	}
	fputs("{\"v\":1,\"inputs\":[", j);
	for (size_t i = 0; i < npaths; i++) {
		if (i)
			putc(',', j);
		aa_enc_json_string(j, (const uint8_t *)paths[i], strlen(paths[i]));
	}
	putc(']', j);
	status = report_collect(j, paths, npaths);
	putc('}', j);
	/* a write error on out is the caller's to report (it names out) */
	if (fclose(j) != 0 && !ferror(out) && status != CLI_USAGE) {
		cli_err("writing the page failed");
		status = CLI_USAGE;
	}
	if (!put_until(out, tpl, len, &pos, "/*@JS@*/"))
		goto broken;
	fwrite(report_page_js, 1, report_page_js_len, out);
	fwrite(tpl + pos, 1, len - pos, out);
	return status;
broken:
	cli_err("the compiled-in page has lost a marker: a bug");
	return CLI_USAGE;
}

/* SPDX-License-Identifier: MIT */
/*
 * export --perfetto opens in a real consumer of Chrome trace-event JSON.
 * The Perfetto UI needs the network and chrome://tracing is gone from
 * Chromium (ERR_FAILED in Debian's 156, internal pages enabled or not), so
 * the consumer is speedscope (npm package speedscope 1.25.0, its release
 * page), run in headless Chromium from disk with no network: it imports
 * the trace and lists its tracks; the test checks it found a track per
 * process of the session fixture, named by comm and pid. Skipped when
 * speedscope is not there and cannot be installed ($AA_SPEEDSCOPE: its
 * dist/release/index.html; else build/npm/, made with npm when it can be).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "browser.h"
#include "files.h"
#include "npm.h"
#include "print_enc.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(perfetto);

#define SESSION "tests/fixtures/session/session-a.pcapng"
#define SPEEDSCOPE "speedscope@1.25.0"

/* speedscope's page: $AA_SPEEDSCOPE, else installed into $AA_BUILD/npm; NULL: none. */
static char *speedscope(void)
{
	const char *env = getenv("AA_SPEEDSCOPE");

	if (env)
		return access(env, R_OK) == 0 ? strdup(env) : NULL;
	return aat_npm_file(SPEEDSCOPE, "node_modules/speedscope/dist/release/index.html");
}

Test(perfetto, speedscope_sees_a_track_per_process)
{
	static char out[4096];
	static const struct { const char *comm; unsigned pid; } procs[] = {
		{ "python3", 7754 }, { "curl", 7760 }, { "sh", 7761 }, { "ls", 7762 }, { "sh", 7763 },
		{ "wc", 7764 }, { "sh", 7765 }, { "cat", 7766 }, { "sh", 7767 }, { "mv", 7768 },
	};
	char *page, *trace = aat_path(dir, "trace.json"), *js = aat_path(dir, "trace.js"), frag[4200];
	uint8_t *data;
	size_t size, len;

	if (access(SESSION, R_OK) != 0)
		cr_skip_test("the session fixture is not there");
	if (!aat_browser())
		cr_skip_test("no chromium");
	if (!(page = speedscope()))
		cr_skip_test("speedscope (npm " SPEEDSCOPE ") is not there and npm could not install it");
	char *abs = realpath(SESSION, NULL);
	cr_assert_eq(aat_replay_in(dir, out, sizeof(out), "export --perfetto '%s' trace.json", abs), 0, "%s", out);
	free(abs);
	/* as speedscope's own command line hands it a file: a script that loads it */
	cr_assert_eq(aat_read_file(trace, &data, &size), 0);
	FILE *f = fopen(js, "w");
	cr_assert_not_null(f);
	fputs("speedscope.loadFileFromBase64(\"trace.json\", \"", f);
	aa_enc_base64(f, data, size);
	fputs("\")\n", f);
	cr_assert_eq(fclose(f), 0);
	free(data);
	snprintf(frag, sizeof(frag), "localProfilePath=%s", js);
	char *dom = aat_browser_dom_at(page, frag, &len);
	cr_assert_not_null(dom, "chromium failed");
	cr_expect(strstr(dom, "<title>trace.json - speedscope</title>") != NULL, "not imported:\n%s", dom);
	cr_expect(strstr(dom, ">(1/10)<") != NULL, "10 tracks:\n%s", dom);
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		char name[96];
		snprintf(name, sizeof(name), ">%s (pid %u), %s (tid %u)<", procs[i].comm, procs[i].pid, procs[i].comm,
			 procs[i].pid);
		cr_expect(strstr(dom, name) != NULL, "no track %s:\n%s", name, dom);
	}
	free(dom);
	free(page);
	free(trace);
	free(js);
}

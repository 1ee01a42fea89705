/* SPDX-License-Identifier: MIT */
/*
 * export --perfetto as real viewers' engines read it: the Performance panel
 * of Chromium's own DevTools (devtools://devtools/bundled/trace_app.html in
 * Debian's chromium, headless, loaded by tests/replay/perfetto_devtools.mjs,
 * which keeps a screenshot as an artifact), and the same trace engine as an
 * npm package (@paulirish/trace_engine, pinned; the one Lighthouse runs in
 * node, loaded by tests/replay/perfetto_engine.mjs). Both print, through
 * tests/replay/perfetto_describe.mjs, the tracks, the slice trees with their
 * depths and the flows the engine bound; each is checked against the
 * session fixture's known processes, runs, syscalls and its two TLS
 * conversations, and against the live fixture's processes running at once.
 * Skipped when node, chromium or the npm package is missing (the package is
 * installed into $AA_BUILD/npm when npm can; $AA_TRACE_ENGINE: its dir).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "browser.h"
#include "files.h"
#include "npm.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(perfetto_engine);

#define SESSION "tests/fixtures/session/session-a.pcapng"
#define LIVE "tests/fixtures/live.pcapng"
#define ENGINE "@paulirish/trace_engine@0.0.65"

static char *engine_dir(void)
{
	const char *env = getenv("AA_TRACE_ENGINE");
	char *pkg, *slash;

	if (env)
		return access(env, R_OK) == 0 ? strdup(env) : NULL;
	pkg = aat_npm_file(ENGINE, "node_modules/@paulirish/trace_engine/package.json");
	if (pkg && (slash = strrchr(pkg, '/')))
		*slash = 0;
	return pkg;
}

enum engine { NPM, DEVTOOLS };

/* What an engine made of `export --perfetto fixture`, malloc'd. */
static char *engine_view(enum engine which, const char *fixture, const char *name)
{
	static char out[4096];
	char *abs = realpath(fixture, NULL), *js, *eng = NULL, *shot = NULL, *txt, cmd[8192];
	uint8_t *data;
	size_t size;

	if (access(fixture, R_OK) != 0)
		cr_skip_test("%s is not there", fixture);
	if (system("command -v node >/dev/null 2>&1") != 0)
		cr_skip_test("no node");
	if (which == NPM && !(eng = engine_dir()))
		cr_skip_test("npm could not install " ENGINE " (no registry?)");
	if (which == DEVTOOLS && !aat_browser())
		cr_skip_test("no chromium");
	cr_assert_not_null(abs);
	cr_assert_eq(aat_replay_in(dir, out, sizeof(out), "export --perfetto '%s' %s.json", abs, name), 0, "%s", out);
	if (which == NPM) {
		js = realpath("tests/replay/perfetto_engine.mjs", NULL);
		cr_assert_not_null(js);
		snprintf(cmd, sizeof(cmd), "cd '%s' && node '%s' '%s' %s.json >%s.txt", dir, js, eng, name, name);
	} else { /* and a screenshot of the panel for people to look at */
		js = realpath("tests/replay/perfetto_devtools.mjs", NULL);
		cr_assert_not_null(js);
		snprintf(cmd, sizeof(cmd), "perfetto-devtools-%s.png", name);
		shot = aat_artifact_path(cmd);
		cr_assert_not_null(shot);
		if (shot[0] != '/') { /* the script runs in dir */
			char *cwd = getcwd(NULL, 0), *a;

			cr_assert_not_null(cwd);
			a = aat_path(cwd, shot);
			free(cwd);
			free(shot);
			shot = a;
		}
		snprintf(cmd, sizeof(cmd), "cd '%s' && node '%s' '%s' %s.json '%s' >%s.txt", dir, js, aat_browser(), name,
			 shot, name);
	}
	cr_assert_eq(aat_run(cmd, NULL, 0), 0, "%s", cmd);
	txt = aat_path(dir, name);
	snprintf(cmd, sizeof(cmd), "%s.txt", txt);
	cr_assert_eq(aat_read_file(cmd, &data, &size), 0);
	data = realloc(data, size + 1);
	cr_assert_not_null(data);
	data[size] = 0;
	free(txt);
	free(abs);
	free(js);
	free(eng);
	free(shot);
	return (char *)data;
}

static void has(const char *view, const char *line)
{
	cr_expect(strstr(view, line) != NULL, "the engine has no '%s'", line);
}

/* The session fixture, as either engine sees it. */
static void check_session(const char *v)
{
	static const char *procs[] = { "7754 python3", "7760 curl", "7761 sh", "7762 ls",  "7763 sh",
				       "7764 wc",      "7765 sh",   "7766 cat", "7767 sh", "7768 mv" };
	char line[128];

	/* the engine dropped nothing (an end under another name is dropped) */
	cr_expect(strstr(v, "\nwarning ") == NULL, "the engine warned:\n%.2000s", strstr(v, "\nwarning "));
	/* a track per process, named by its comm, its pid the engine's */
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		unsigned pid;
		const char *comm = strchr(procs[i], ' ') + 1;

		sscanf(procs[i], "%u", &pid);
		snprintf(line, sizeof(line), "\nprocess %s\n", procs[i]);
		has(v, line);
		snprintf(line, sizeof(line), "\nthread %u/%u %s\n", pid, pid, comm);
		has(v, line);
	}
	/* runs: fork (the parent's program) to exec to exit, at the top */
	has(v, "\nslice 7754/7754 0 process python3 @463959.850 +377832.287 in -\n");
	has(v, "\nslice 7760/7760 0 process python3 @804422.918 +443.812 in -\n");
	has(v, "\nslice 7760/7760 0 process curl @804866.730 +15236.556 in -\n");
	has(v, "\nslice 7766/7766 0 process cat @829396.623 +825.603 in -\n");
	/* syscalls of their duration, inside their process's run */
	has(v, "\nslice 7766/7766 1 file openat @830163.870 +14.401 in cat /tmp/aa-session/missing.txt\n");
	has(v, "\nslice 7768/7768 1 file rename @833213.080 +23.505 in mv /tmp/aa-session/out.txt\n");
	has(v, "\nslice 7754/7754 1 tls tls write @522539.476 +0.000 in python3\n");
	/* TLS calls (24) bound into 22 arrows, two conversations: the agent's
	 * HTTP/1.1 connection (17 calls) and curl's HTTP/2 one (7) */
	has(v, "\nflow 7754/7754@522539.476 tls write -> 7754/7754@522595.429 tls write\n");
	has(v, "\nflow 7760/7760@819243.282 tls write -> 7760/7760@819423.899 tls read\n");
	has(v, "\nconversation 7754/7754@522539.476 -> 7754/7754@522595.429 -> 7754/7754@523230.230 -> ");
	has(v, " -> 7754/7754@760814.859 -> 7754/7754@803781.337 17\n");
	has(v, "\nconversation 7760/7760@818472.178 -> 7760/7760@818538.917 -> 7760/7760@818626.988 -> "
	       "7760/7760@818658.244 -> 7760/7760@818871.200 -> 7760/7760@819243.282 -> 7760/7760@819423.899 7\n");
	has(v, "\nsummary processes=10 threads=10 slices=602 instants=69 nested_syscalls=583 top_syscalls=0 "
	       "flows=22 conversations=2\n");
}

Test(perfetto_engine, devtools_session)
{
	char *v = engine_view(DEVTOOLS, SESSION, "session");

	has(v, "engine chromium ");
	check_session(v);
	free(v);
}

Test(perfetto_engine, npm_engine_session)
{
	char *v = engine_view(NPM, SESSION, "session");

	has(v, "engine 0.0.65\n");
	check_session(v);
	free(v);
}

/*
 * The live fixture: processes that ran at once (the openssl server and
 * client, sleeps of a background job). Each run is one whole slice, so the
 * engine, which pairs begin and end events on one stack for all threads,
 * has none to pair: before, the server's run ended at the sleep's end.
 */
static void check_live(const char *v)
{
	cr_expect(strstr(v, "\nwarning ") == NULL, "the engine warned:\n%.2000s", strstr(v, "\nwarning "));
	has(v, "\nprocess 9574 sh\n");
	has(v, "\nprocess 9584 openssl\n");
	has(v, "\nprocess 9588 openssl\n");
	has(v, "\nslice 9574/9574 0 process sh @290980.759 +669.817 in -\n"); /* the kill -9 */
	has(v, "\nslice 9584/9584 0 process openssl @704599.351 +1512972.054 in -\n");
	has(v, "\nslice 9588/9588 0 process openssl @710801.290 +1510563.324 in -\n");
	has(v, "\nslice 9586/9586 0 process sleep @706827.242 +501460.337 in -\n");
	has(v, "\nslice 9567/9567 1 file openat @300348.340 +77.085 in bash /tmp/aa-fixture/note.txt\n");
	has(v, "\nslice 9584/9584 1 tls tls read @816399.840 +0.000 in openssl\n");
	/* format 1: no connection known, a conversation is a process's calls */
	has(v, "\nflow 9588/9588@816110.417 tls write -> 9588/9588@1209357.647 tls read\n");
	has(v, "\nflow 9584/9584@816399.840 tls read -> 9584/9584@1208933.060 tls write\n");
	/* the 9 outside a run: redirections before an exec (format 1 has no
	 * fork records) and processes seen only by their records */
	has(v, "\nsummary processes=18 threads=21 slices=683 instants=7 nested_syscalls=656 top_syscalls=9 "
	       "flows=2 conversations=2\n");
}

Test(perfetto_engine, devtools_live)
{
	char *v = engine_view(DEVTOOLS, LIVE, "live");

	check_live(v);
	free(v);
}

Test(perfetto_engine, npm_engine_live)
{
	char *v = engine_view(NPM, LIVE, "live");

	check_live(v);
	free(v);
}

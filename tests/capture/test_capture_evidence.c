/* SPDX-License-Identifier: MIT */
/*
 * The evidence end to end (root and BPF, skipped otherwise): a live capture
 * of a small workload, read back by `aa-replay cat --json` and `ps` as a
 * user would, checked with python3's json: a death by SIGKILL and an
 * exit(137) told apart, an argv with a space and a byte that is not UTF-8
 * item for item, a 400-byte path whole, a failed exec with its error, and a
 * process started before the capture named on its own records.
 */
#include "cap_test.h"

TestSuite(capture_evidence, .init = cap_setup, .fini = cap_teardown, .timeout = 120);

static char out[1 << 20];

Test(capture_evidence, cat_json_and_ps_say_who_did_what)
{
	char *path = aat_path(dir, "ev.pcapng"), *errf = aat_path(dir, "err.txt");
	char *script = aat_path(dir, "work.sh"), *longdir = aat_path(dir, "");
	char *replay = aat_build_path("aa-replay"), cmd[4096], body[2048];
	const char *args[] = { "-w", path, "--duration", "60", "--flush-ms", "100", NULL };
	char dirs[420];

	if (geteuid() != 0)
		cr_skip_test("live capture needs root (BPF)");
	/* 2 components of 200 bytes: a path of about 420 bytes from dir. */
	memset(dirs, 'x', 200);
	dirs[200] = '/';
	memset(dirs + 201, 'y', 200);
	dirs[401] = 0;
	snprintf(body, sizeof(body),
		 "#!/bin/sh\n"
		 "sh -c 'kill -9 $$'\n"
		 "sh -c 'exit 137'\n"
		 "/bin/echo 'a b' c \"$(printf '\\377')\" evidence-marker > /dev/null\n"
		 "mkdir -p '%s/%s' && echo hi > '%s/%s/f'\n"
		 "/nonexistent-evidence-prog 2>/dev/null\n"
		 "exit 0\n",
		 longdir, dirs, longdir, dirs);
	cap_write_script(script, body);

	/* A process running before the capture: only the snapshot names it. */
	pid_t before = fork();
	cr_assert_geq(before, 0);
	if (before == 0) {
		execl("/bin/sleep", "sleep", "3.5", (char *)NULL);
		_exit(127);
	}
	cap_sleep_ms(100);
	pid_t cap = cap_start_live(path, errf, args);
	cap_sleep_ms(300);
	snprintf(cmd, sizeof(cmd), "'%s' > /dev/null 2>&1", script);
	aat_run(cmd, NULL, 0);
	int st;
	cr_assert_eq(waitpid(before, &st, 0), before);
	cap_sleep_ms(400);
	kill(cap, SIGINT);
	cr_assert_eq(cap_wait(cap), 0);

	snprintf(cmd, sizeof(cmd),
		 "'%s' cat --json '%s' | python3 -c '\n"
		 "import json, sys, base64\n"
		 "recs = [json.loads(l) for l in sys.stdin]\n"
		 "assert all(\"comm\" in r for r in recs), \"a record without comm\"\n"
		 "ex = [r for r in recs if r[\"type\"] == \"exit\" and r[\"exit_code\"] == 137]\n"
		 "print(\"exits\", sorted((r[\"signal\"], r[\"core_dumped\"]) for r in ex))\n"
		 "e = [r for r in recs if r[\"type\"] == \"exec\" and \"evidence-marker\" in r[\"args\"]][0]\n"
		 "print(\"argv\", [base64.b64decode(x) for x in e[\"argv_b64\"]], e[\"argv_truncated\"], e[\"comm\"])\n"
		 "f = [r for r in recs if r[\"type\"] == \"file\" and r[\"path\"].endswith(\"/f\") and \"yyy\" in r[\"path\"]][0]\n"
		 "print(\"path\", f[\"path\"] == sys.argv[1], f[\"path_truncated\"])\n"
		 /* the test's own failed exec: the capture sees the whole machine */
		 "t = [r for r in recs if r[\"type\"] == \"task\" and r[\"kind\"] == \"exec_failed\"\n"
		 "     and r[\"filename\"] == \"/nonexistent-evidence-prog\"][0]\n"
		 "print(\"failed\", t[\"filename\"], t[\"error\"])\n"
		 "s = [r for r in recs if r[\"type\"] == \"exit\" and r[\"pid\"] == %d][0]\n"
		 "print(\"before\", s[\"comm\"], s[\"exit_code\"])\n"
		 "' '%s/%s/f'",
		 replay, path, (int)before, longdir, dirs);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, "exits [(0, False), (9, False)]\n"), "kill -9 and exit 137 apart: %s", out);
	cr_expect(strstr(out, "argv [b'/bin/echo', b'a b', b'c', b'\\xff', b'evidence-marker'] False echo\n"),
		  "%s", out);
	cr_expect(strstr(out, "path True False\n"), "the 400-byte path whole: %s", out);
	cr_expect(strstr(out, "failed /nonexistent-evidence-prog 2\n"), "%s", out);
	cr_expect(strstr(out, "before sleep 0\n"), "the process from before the capture: %s", out);

	snprintf(cmd, sizeof(cmd), "'%s' ps --json '%s' | grep '\"pid\":%d,'", replay, path, (int)before);
	cr_assert_eq(aat_run(cmd, out, sizeof(out)), 0, "ps lists pid %d", (int)before);
	cr_expect(strstr(out, "\"argv\":[\"sleep\",\"3.5\"]"), "%s", out);
	cr_expect(strstr(out, "snapshot"), "known from the snapshot: %s", out);
	free(path);
	free(errf);
	free(script);
	free(longdir);
	free(replay);
}

/* SPDX-License-Identifier: MIT */
/*
 * The views over files of several hosts: the session fixture as host "vm"
 * captured it, and the same recording as if host "beta" had captured it
 * a few milliseconds later (the same pids on two hosts, their records
 * interleaved in time). tree and follow keep each host's processes and
 * connections apart and say the host; a merged file of both reads the same.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capio.h"
#include "files.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(hosts);

#define SESSION "tests/fixtures/session/session-a.pcapng"
#define SHIFT_NS 3000000 /* beta's records 3 ms after vm's: interleaved */

#define replay(out, size, ...) aat_replay_in(dir, out, size, __VA_ARGS__)

/* dir/a.pcapng (the fixture, host "vm") and dir/beta.pcapng. */
static void two_hosts(void)
{
	char *a = aat_path(dir, "a.pcapng"), *b = aat_path(dir, "beta.pcapng");
	uint8_t *data;
	size_t size;

	if (aat_read_file(SESSION, &data, &size) != 0)
		cr_skip_test("the session fixture is not there");
	cr_assert_eq(aat_write_file(a, data, size), 0);
	cr_assert_eq(aat_rehost(SESSION, b, "beta", SHIFT_NS), 0);
	free(data);
	free(a);
	free(b);
}

/* How many lines of s contain needle. */
static int lines_with(const char *s, const char *needle)
{
	int n = 0;

	for (const char *l = s; l && *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		const char *hit = strstr(l, needle);
		n += hit && hit < l + len;
		l = eol ? eol + 1 : NULL;
	}
	return n;
}

/* How many lines of s begin with prefix. */
static int lines_starting(const char *s, const char *prefix)
{
	int n = 0;

	for (const char *l = s; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		n += !strncmp(l, prefix, strlen(prefix));
	return n;
}

Test(hosts, tree_keeps_each_hosts_processes_apart)
{
	static char out[65536];

	two_hosts();
	cr_assert_eq(replay(out, sizeof(out), "tree a.pcapng beta.pcapng"), 0, "%s", out);
	/* two roots, the agent of each host, each with its own 4 shells and curl */
	cr_expect_eq(lines_with(out, "snapshot argv=[\"/usr/bin/python3\""), 2, "%s", out);
	cr_expect_eq(lines_with(out, "vm   7754 snapshot"), 1, "host column, padded to beta's width:\n%s", out);
	cr_expect_eq(lines_with(out, "beta 7754 snapshot"), 1, "%s", out);
	cr_expect_eq(lines_with(out, "vm   |-7765 argv=[\"sh\" \"-c\" \"cat /tmp/aa-session/missing.txt\"]"), 1,
		     "%s", out);
	cr_expect_eq(lines_with(out, "beta |-7765 argv=[\"sh\" \"-c\" \"cat /tmp/aa-session/missing.txt\"]"), 1,
		     "%s", out);
	cr_expect_eq(lines_with(out, "beta | `-7766 argv=[\"cat\" \"/tmp/aa-session/missing.txt\"]"), 1, "%s", out);
	/* vm's lines first (its root), then beta's: 10 processes each */
	cr_expect(!strncmp(out, "vm   7754 ", 10), "%s", out);
	cr_expect_eq(lines_starting(out, "vm   "), 10, "%s", out);
	cr_expect_eq(lines_starting(out, "beta "), 10, "%s", out);
	/* each agent's counts are its own: not both hosts' records on one */
	cr_expect_eq(lines_with(out, "tls=19(17 calls) net=1"), 2, "%s", out);

	cr_assert_eq(replay(out, sizeof(out), "tree --json a.pcapng beta.pcapng"), 0, "%s", out);
	cr_expect_eq(lines_with(out, "{\"host\":\"vm\",\"id\":"), 10, "%s", out);
	cr_expect_eq(lines_with(out, "{\"host\":\"beta\",\"id\":"), 10, "%s", out);
	cr_expect_eq(lines_with(out, "\"parent\":null"), 2, "%s", out);

	/* --pid: that pid of each host */
	cr_assert_eq(replay(out, sizeof(out), "tree --pid 7767 a.pcapng beta.pcapng"), 0, "%s", out);
	cr_expect_eq(lines_with(out, "7768 argv=[\"mv\""), 2, "%s", out);
	cr_expect_eq(lines_starting(out, "beta "), 2, "%s", out);

	/* one host: no host column */
	cr_assert_eq(replay(out, sizeof(out), "tree beta.pcapng | head -1"), 0, "%s", out);
	cr_expect(!strncmp(out, "7754 snapshot", 13), "%s", out);
}

Test(hosts, a_merged_file_reads_as_its_hosts)
{
	static char out[65536], merged[65536];

	two_hosts();
	cr_assert_eq(replay(out, sizeof(out), "merge m.pcapng a.pcapng beta.pcapng"), 0, "%s", out);
	cr_assert_eq(replay(merged, sizeof(merged), "tree m.pcapng"), 0, "%s", merged);
	cr_assert_eq(replay(out, sizeof(out), "tree a.pcapng beta.pcapng"), 0, "%s", out);
	cr_expect_str_eq(merged, out);
}

/* The lines of s that do not begin with a space (a message's or a
 * connection's line, not its headers and body), with the first word cut
 * when cut_host; into out. */
static void head_lines(const char *s, int cut_host, const char *only_host, char *out, size_t size)
{
	size_t used = 0;

	out[0] = 0;
	for (const char *l = s; l && *l;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) + 1 : strlen(l);
		const char *from = l;
		if (*l != ' ' && (!only_host || (!strncmp(l, only_host, strlen(only_host)) &&
						  l[strlen(only_host)] == ' '))) {
			if (cut_host) {
				const char *sp = memchr(l, ' ', len);
				from = sp ? sp + 1 : l;
			}
			size_t n = len - (size_t)(from - l);
			cr_assert_lt(used + n, size);
			memcpy(out + used, from, n);
			out[used += n] = 0;
		}
		l = eol ? eol + 1 : NULL;
	}
}

/* Each line's time (its first word after the host) is not before the one above. */
static void expect_time_order(const char *heads)
{
	char prev[64] = "";
	int n = 0;

	for (const char *l = heads; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL, n++) {
		char t[64];
		cr_assert_eq(sscanf(l, "%63s", t), 1);
		cr_expect_geq(strcmp(t, prev), 0, "line %d at %s comes after one at %s:\n%s", n, t, prev, heads);
		memcpy(prev, t, sizeof(t));
	}
	cr_expect_gt(n, 30, "%s", heads);
}

Test(hosts, follow_keeps_each_hosts_connections_apart_in_time_order)
{
	static char out[1 << 20], one[1 << 20], heads[65536], want[65536], got[65536];
	char *b = aat_path(dir, "beta.pcapng");

	two_hosts();
	/* beta 1 ms after vm: the two agents' calls interleave */
	cr_assert_eq(aat_rehost(SESSION, b, "beta", 1000000), 0);
	free(b);
	cr_assert_eq(replay(out, sizeof(out), "follow a.pcapng beta.pcapng"), 0, "%s", out);
	head_lines(out, 1, NULL, heads, sizeof(heads));
	expect_time_order(heads);
	/* vm's then beta's: each first POST /v1/chat, its response 0.7 ms later */
	cr_expect(strstr(heads, "2026-12-03T06:24:56.522539476Z conn=12801 pid=7754 > http/1.1 POST /v1/chat body=81\n"
				"2026-12-03T06:24:56.523230230Z conn=12801 pid=7754 < http/1.1 200 body=86 (gzip from 93)\n") != NULL,
		  "%s", heads);
	cr_expect(strstr(heads, "2026-12-03T06:24:56.523539476Z conn=12801 pid=7754 > http/1.1 POST /v1/chat body=81\n"
				"2026-12-03T06:24:56.524230230Z conn=12801 pid=7754 < http/1.1 200 body=86 (gzip from 93)\n") != NULL,
		  "%s", heads);
	/* each host's lines are that host's file's conversation, whole and in its order */
	static const char *const host[] = { "vm", "beta" }, *const file[] = { "a.pcapng", "beta.pcapng" };
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(replay(one, sizeof(one), "follow %s", file[i]), 0, "%s", one);
		head_lines(one, 0, NULL, want, sizeof(want));
		head_lines(out, 1, host[i], got, sizeof(got));
		cr_expect_str_eq(got, want, "host %s", host[i]);
	}
	/* the SSE events and the HTTP/2 streams of both */
	cr_expect_eq(lines_starting(out, "beta 2026-12-03T06:24:56.608706996Z conn=12801 pid=7754 < event event=\"token\""), 1, "%s", out);
	cr_expect_eq(lines_with(out, "> h2 stream=3 GET /v1/limits"), 2, "%s", out);

	/* --json: "host" first, as cat --json has it */
	cr_assert_eq(replay(out, sizeof(out), "follow --json a.pcapng beta.pcapng"), 0, "%s", out);
	cr_expect_eq(lines_starting(out, "{\"host\":\"vm\",\"conn\":"), 15, "%s", out);
	cr_expect_eq(lines_starting(out, "{\"host\":\"beta\",\"conn\":"), 15, "%s", out);
	cr_expect_eq(lines_with(out, "\"path\":\"/v1/brotli\""), 2, "%s", out);
}

Test(hosts, one_host_two_sessions_say_which)
{
	static char out[1 << 20];
	char *b = aat_path(dir, "again.pcapng");

	two_hosts();
	/* the same recording as a second capture session of host vm */
	cr_assert_eq(aat_rehost(SESSION, b, "vm", 1000000), 0);
	free(b);
	cr_assert_eq(replay(out, sizeof(out), "follow a.pcapng again.pcapng | grep -c '^vm/[0-9a-f]\\{8\\} 2026-'"), 0,
		     "%s", out);
	cr_expect_str_eq(out, "34\n");
	cr_assert_eq(replay(out, sizeof(out), "tree a.pcapng again.pcapng | grep -c '^vm/[0-9a-f]\\{8\\} '"), 0, "%s",
		     out);
	cr_expect_str_eq(out, "20\n");
}

Test(hosts, diff_of_merged_files_compares_each_host)
{
	static char out[1 << 20];
	char *b2 = aat_path(dir, "beta2.pcapng"), *bc = aat_path(dir, "betac.pcapng");

	two_hosts();
	cr_assert_eq(aat_rehost(SESSION, b2, "beta", 2000000), 0);
	if (aat_rehost("tests/fixtures/session/session-changed.pcapng", bc, "beta", SHIFT_NS) != 0)
		cr_skip_test("the changed session fixture is not there");
	free(b2);
	free(bc);
	cr_assert_eq(replay(out, sizeof(out), "merge m1.pcapng a.pcapng beta.pcapng && \"$R\" merge m2.pcapng "
			    "a.pcapng beta2.pcapng && \"$R\" merge m3.pcapng a.pcapng betac.pcapng"), 0, "%s", out);
	/* each host's tree under its name, the TLS lines under that host's agent */
	cr_assert_eq(replay(out, sizeof(out), "diff --show m1.pcapng | grep -n -e '^host' -e 'tls > POST \"/v1/chat\"'"),
		     0, "%s", out);
	cr_expect(!strncmp(out, "1:host \"vm\"\n", 12), "%s", out);
	cr_expect_eq(lines_with(out, ":host \"beta\""), 1, "%s", out);
	cr_expect_eq(lines_with(out, ":  tls > POST \"/v1/chat\" (http/1.1)"), 2, "one under each agent: %s", out);
	/* the same job on both hosts again, at other times: alike */
	cr_assert_eq(replay(out, sizeof(out), "diff m1.pcapng m2.pcapng 2>&1"), 0, "%s", out);
	cr_expect(strstr(out, "alike: 20 processes") != NULL, "%s", out);
	/* beta ran the changed job: its hunks, under its name, and only those */
	cr_assert_eq(replay(out, sizeof(out), "diff -U1 m1.pcapng m3.pcapng"), 1, "%s", out);
	cr_expect(strstr(out, "@@ host \"beta\"\n   tls > POST \"/v1/chat\" (http/1.1)\n-  body ") != NULL, "%s", out);
	cr_expect(strstr(out, "list all files") != NULL, "%s", out);
	cr_expect_eq(lines_with(out, "@@ host \"vm\""), 0, "%s", out);
}

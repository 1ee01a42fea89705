/* SPDX-License-Identifier: MIT */
/*
 * Time options at the edge of what they can hold: u64 nanoseconds since the
 * epoch end at 18446744073.709551615 s (2554-07-21T23:34:33.709551615Z).
 * The largest time is taken as a bound; one nanosecond past it is a usage
 * error, never a value that wraps round to 0, which means "no bound".
 */
#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];
static struct fx f;

static void setup(void)
{
	fx_make(&f, 61, 300, 0, 0);
}

static void teardown(void)
{
	fx_free(&f);
}

TestSuite(cli_time, .init = setup, .fini = teardown);

/* "cat OPT T cap.pcapng": the number of records printed, or -status. */
static long cat_count(const char *opt, const char *t)
{
	char *path = aat_path(f.dir, "cat.out");
	uint8_t *data;
	size_t n;
	int rc = fx_run(&f, NULL, 0, err, sizeof(err), "cat %s '%s' cap.pcapng >cat.out", opt, t);
	long lines = 0;

	cr_assert_eq(aat_read_file(path, &data, &n), 0);
	for (size_t i = 0; i < n; i++)
		lines += data[i] == '\n';
	free(data);
	free(path);
	if (rc)
		cr_expect_eq(lines, 0, "%s %s: refused, yet printed", opt, t);
	return rc ? -rc : lines;
}

/* A usage error of one line that names the option and the value. */
static void expect_refused(const char *opt, const char *t)
{
	cr_expect_eq(cat_count(opt, t), -2, "%s %s: %s", opt, t, err);
	cr_expect_eq(fx_lines(err), 1, "%s %s: %s", opt, t, err);
	cr_expect(strstr(err, opt) && strstr(err, t) && strstr(err, "out of range"), "%s", err);
}

/* last, the latest time, bounds both ways; past, one nanosecond later, is refused both ways. */
static void expect_the_limit(const char *last, const char *past)
{
	/* nothing is at or after the last nanosecond, everything is before it */
	cr_expect_eq(cat_count("--since", last), 0, "%s", err);
	cr_expect_eq(cat_count("--until", last), 300, "%s", err);
	expect_refused("--since", past);
	expect_refused("--until", past);
}

Test(cli_time, epoch_seconds_at_the_limit)
{
	expect_the_limit("18446744073.709551615", "18446744073.709551616");
	expect_refused("--since", "18446744074");
	expect_refused("--since", "99999999999999999999999");
}

Test(cli_time, rfc3339_at_the_limit)
{
	expect_the_limit("2554-07-21T23:34:33.709551615Z", "2554-07-21T23:34:33.709551616Z");
	expect_refused("--until", "2554-07-22T00:34:33.709551616+01:00");
	expect_refused("--until", "9999-12-31T23:59:59Z");
	expect_refused("--since", "1969-12-31T23:59:59Z");
}

Test(cli_time, offsets_at_the_limit)
{
	/* the offset itself fits; added to the first record's time it does not */
	expect_refused("--since", "+18446744073709551616ns");
	expect_refused("--until", "+5124095576.030432h");
	cr_expect_eq(cat_count("--since", "+18446744073709551615ns"), -2);
	cr_expect(strstr(err, "a +OFFSET time is out of range"), "%s", err);
	cr_expect_eq(fx_lines(err), 1, "%s", err);
}

Test(cli_time, until_zero_is_not_no_bound)
{
	/* 0 is how the library says "no bound": an --until there would select everything */
	expect_refused("--until", "0");
	expect_refused("--until", "1970-01-01T00:00:00Z");
	cr_expect_eq(cat_count("--until", "0.000000001"), 0, "%s", err);
	cr_expect_eq(cat_count("--since", "0"), 300, "%s", err);
}

Test(cli_time, every_command_with_time_options_refuses)
{
	const char *cmds[] = { "cat", "export --raw", "filter" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
				    "%s --until 18446744073.709551616 cap.pcapng out%zu", cmds[i], i),
			     2, "%s: %s", cmds[i], err);
		cr_expect_eq(fx_lines(err), 1, "%s: %s", cmds[i], err);
		cr_expect(strstr(err, "out of range"), "%s: %s", cmds[i], err);
		char *o = aat_path(f.dir, "out0");
		o[strlen(o) - 1] = (char)('0' + i);
		cr_expect_neq(access(o, F_OK), 0, "%s wrote an output", cmds[i]);
		free(o);
	}
}

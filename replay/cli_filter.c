/* SPDX-License-Identifier: MIT */
/* The record filter options shared by cat, filter and export. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int add_types(struct cli_filter *f, const char *cmd, const char *list)
{
	char buf[256];
	char *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return cli_usage(cmd, "--type list too long");
	strcpy(buf, list);
	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int t = aa_type_from_name(name);

		if (t < 0)
			return cli_usage(cmd, "--type: unknown type '%s' (one of" AA_TYPE_NAMES " unknown)",
					 name);
		f->types |= AA_TYPE_BIT(t);
	}
	if (!f->types)
		return cli_usage(cmd, "--type needs at least one type");
	return 1;
}

static int add_pids(struct cli_filter *f, const char *cmd, const char *list)
{
	const char *p = list;

	do {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || *p == '-' || *p == '+' || errno || v > UINT32_MAX ||
		    (*end && *end != ','))
			return cli_usage(cmd, "--pid: '%s' is not a process id", list);
		if (f->npids == sizeof(f->pids) / sizeof(f->pids[0]))
			return cli_usage(cmd, "--pid: at most %zu pids", f->npids);
		f->pids[f->npids++] = (uint32_t)v;
		p = *end ? end + 1 : end;
	} while (*p);
	return 1;
}

static int check_time(const char *cmd, const char *opt, const char *arg)
{
	uint64_t ns;
	int rel, rc = cli_parse_time(arg, 0, &ns, &rel);

	if (rc == -2)
		return cli_usage(cmd, "%s: '%s' is out of range (times go from %s)", opt, arg,
				 CLI_TIME_RANGE);
	if (rc < 0)
		return cli_usage(cmd, "%s: '%s' is not a time (RFC 3339, epoch seconds or +OFFSET)",
				 opt, arg);
	/* The library reads 0 as no bound: "before 1970" would select everything. */
	if (!rel && !ns && !strcmp(opt, "--until"))
		return cli_usage(cmd, "--until: '%s' is out of range (the earliest is 0.000000001)", arg);
	return 1;
}

int cli_filter_option(struct cli_filter *f, const char *cmd, int opt, const char *arg)
{
	int r = cli_input_option(cmd, opt, arg);

	if (r)
		return r;
	switch (opt) {
	case CLI_OPT_TYPE:
		return add_types(f, cmd, arg);
	case CLI_OPT_PID:
		return add_pids(f, cmd, arg);
	case CLI_OPT_SINCE:
		f->since = arg;
		return check_time(cmd, "--since", arg);
	case CLI_OPT_UNTIL:
		f->until = arg;
		return check_time(cmd, "--until", arg);
	default:
		return 0;
	}
}

/*
 * The wall-clock time of the first record of paths with a time stamp of its
 * own (an unknown record only has its chunk's), for "+OFFSET" times.
 */
static int first_record_time(const char *cmd, const char *const *paths, size_t npaths,
			     uint64_t *ns)
{
	struct cli_input in = { .quiet_damage = 1 };
	const struct aa_record *rec;
	int status = CLI_OK;

	*ns = 0;
	if ((status = cli_open(&in, paths, npaths, NULL)) != CLI_OK)
		return status;
	while (cli_next(&in, &rec, &status) == 1) {
		if (!*ns || rec->ev.type != AA_TYPE_UNKNOWN)
			*ns = rec->time_ns;
		if (rec->ev.type != AA_TYPE_UNKNOWN)
			break;
	}
	aa_close(in.src);
	if (status == CLI_OK && !*ns)
		cli_usage(cmd, "a +OFFSET time needs a record to count from, and the input has none");
	return *ns ? CLI_OK : cli_worse(status, CLI_DATA);
}

int cli_filter_resolve(const struct cli_filter *f, const char *cmd,
		       const char *const *paths, size_t npaths, struct aa_filter *out)
{
	uint64_t base = 0;
	int rel;

	memset(out, 0, sizeof(*out));
	out->types = f->types;
	out->pids = f->npids ? f->pids : NULL;
	out->npids = f->npids;
	if ((f->since && f->since[0] == '+') || (f->until && f->until[0] == '+')) {
		for (size_t i = 0; i < npaths; i++)
			if (!strcmp(paths[i], "-"))
				return cli_usage(cmd, "a +OFFSET time reads the input twice: "
						 "not possible from standard input");
		int status = first_record_time(cmd, paths, npaths, &base);

		if (status != CLI_OK)
			return status;
	}
	/* Checked when parsed; resolving can only fail on an overflowing offset. */
	if ((f->since && cli_parse_time(f->since, base, &out->since_ns, &rel) < 0) ||
	    (f->until && cli_parse_time(f->until, base, &out->until_ns, &rel) < 0))
		return cli_usage(cmd, "a +OFFSET time is out of range (times go from %s)",
				 CLI_TIME_RANGE);
	return CLI_OK;
}

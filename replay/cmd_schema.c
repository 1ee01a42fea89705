/* SPDX-License-Identifier: MIT */
/*
 * aa-replay schema: the record layouts a file says it holds, as C, decoded
 * from the BTF its writer embedded, so that a reader who does not know a
 * layout can still learn it from the file alone.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"

static const char help[] =
	"Usage: " CLI_PROG " schema FILE\n"
	"Print the record types of FILE (name and size, from its metadata) and\n"
	"their C definitions, decoded from the BTF the writer embedded.\n"
	"\n"
	"Exit status: 0 printed, 1 the file carries no usable schema, 2 usage or I/O.\n";

static void print_btf(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* Every named struct of the blob, as C. */
static int dump_structs(const struct aa_file_meta *m, const char *path)
{
	struct btf *btf = btf__new(m->btf, m->btf_len);
	if (!btf) {
		cli_err("%s: the embedded BTF does not decode: %s", path, strerror(errno));
		return CLI_DATA;
	}
	struct btf_dump *d = btf_dump__new(btf, print_btf, stdout, NULL);
	if (!d) {
		btf__free(btf);
		cli_err("%s: cannot print the embedded BTF: %s", path, strerror(errno));
		return CLI_USAGE;
	}
	for (unsigned id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_struct(t) || !t->name_off)
			continue;
		btf_dump__dump_type(d, id);
		printf("/* struct %s: %u bytes */\n", btf__name_by_offset(btf, t->name_off), t->size);
	}
	btf_dump__free(d);
	btf__free(btf);
	return CLI_OK;
}

int cmd_schema(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_input in = { 0 };
	int c, status;

	while ((c = cli_getopt("schema", argc, argv, "h", longopts)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return CLI_OK;
		}
		return CLI_USAGE;
	}
	if (argc - optind != 1)
		return cli_usage("schema", "one FILE is needed");
	const char *path = argv[optind];
	cli_stdout_setup();
	if ((status = cli_open(&in, &path, 1, NULL)) != CLI_OK)
		return status;
	const struct aa_file_meta *m = aa_source_meta(in.src);
	if (!m || !m->schema) {
		cli_err("%s: no metadata with a record schema", path);
		status = CLI_DATA;
	} else {
		printf("/* record types of %s: name and size in bytes */\n", path);
		for (const char *p = m->schema; *p;) {
			size_t n = strcspn(p, "\n");
			printf("/*   %.*s */\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
		if (m->btf && m->btf_len)
			status = dump_structs(m, path);
		else
			printf("/* the file carries no BTF of its record structs */\n");
	}
	aa_close(in.src);
	return cli_worse(status, cli_output_check(stdout, NULL));
}

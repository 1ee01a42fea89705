/* SPDX-License-Identifier: MIT */
/* The schema of a file as C: its META schema text and its embedded BTF. */
#include "schema_print.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "aa_error.h"
#include "btf_check.h"
#include "print_enc.h"

static void print_btf(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

/* libbpf's own warnings would only repeat, less clearly, what why[] says. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

/* Every named struct of a checked blob, as C. */
static int dump_structs(FILE *out, const struct aa_file_meta *m, char *why, size_t why_len)
{
	struct btf *btf = btf__new(m->btf, m->btf_len);
	if (!btf) {
		snprintf(why, why_len, "libbpf refuses it: %s", strerror(errno));
		return AA_E_META;
	}
	struct btf_dump *d = btf_dump__new(btf, print_btf, out, NULL);
	if (!d) {
		snprintf(why, why_len, "libbpf cannot print it: %s", strerror(errno));
		btf__free(btf);
		return AA_E_NOMEM;
	}
	int rc = 0;
	for (unsigned id = 1; id < btf__type_cnt(btf) && !rc; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!btf_is_struct(t) || !t->name_off)
			continue;
		int err = btf_dump__dump_type(d, id);
		if (err) {
			snprintf(why, why_len, "libbpf cannot print type %u: %s", id, strerror(-err));
			rc = AA_E_META;
			break;
		}
		/* a checked name: a C identifier */
		fprintf(out, "/* struct %s: %u bytes */\n", btf__name_by_offset(btf, t->name_off),
			t->size);
	}
	btf_dump__free(d);
	btf__free(btf);
	return rc;
}

int aa_schema_print(FILE *out, const char *name, const struct aa_file_meta *m, char *why,
		    size_t why_len)
{
	fputs("/* record types of ", out);
	aa_enc_text_bare(out, (const uint8_t *)name, strlen(name));
	fputs(": name and size in bytes */\n", out);
	for (const char *p = m->schema ? m->schema : ""; *p;) {
		size_t n = strcspn(p, "\n");
		fputs("/*   ", out);
		aa_enc_text_bare(out, (const uint8_t *)p, n);
		fputs(" */\n", out);
		p += n + (p[n] == '\n');
	}
	if (!m->btf || !m->btf_len) {
		fputs("/* the file carries no BTF of its record structs */\n", out);
		return 0;
	}
	if (aa_btf_check(m->btf, m->btf_len, why, why_len))
		return AA_E_META;
	libbpf_print_fn_t old = libbpf_set_print(quiet);
	int rc = dump_structs(out, m, why, why_len);
	libbpf_set_print(old);
	return rc;
}

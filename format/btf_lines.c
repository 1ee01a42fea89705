/* SPDX-License-Identifier: MIT */
/*
 * The bound on the lines of C a BTF blob may make libbpf print
 * (btf_check_int.h), counted the way btf_dump prints them.
 */
#include "btf_check_int.h"

#include <stdlib.h>

/* The most lines of C the blob may make libbpf print: an anonymous struct is
 * printed whole wherever it is used, so a small blob could print gigabytes. */
#define LINES_MAX (1u << 18)

static uint64_t add_lines(uint64_t a, uint64_t b)
{
	return a + b > LINES_MAX ? LINES_MAX + 1 : a + b;
}

static uint64_t def_lines(struct chk *c, uint32_t id);

/*
 * The lines of C printed where type id is used: an anonymous struct, union
 * or enum is printed whole there, a named type by its name alone; through
 * qualifiers, pointers, arrays and function prototypes. Saturates past
 * LINES_MAX. The graph is known to be acyclic (but through a pointer to a
 * named struct or union, which stops here) and shallow.
 */
static uint64_t inline_lines(struct chk *c, uint32_t id)
{
	if (!id)
		return 0;
	if (c->lines[id])
		return c->lines[id] - 1;
	struct btf_type t = type_of(c, id);
	uint32_t vlen = BTF_INFO_VLEN(t.info);
	uint64_t n = 0;
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		n = t.name_off ? 0 : def_lines(c, id);
		break;
	case BTF_KIND_PTR: case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		n = inline_lines(c, t.type);
		break;
	case BTF_KIND_ARRAY:
		n = inline_lines(c, word(c, id, 0));
		break;
	case BTF_KIND_FUNC_PROTO:
		n = add_lines(1, inline_lines(c, t.type));
		for (uint32_t i = 0; i < vlen; i++)
			n = add_lines(n, inline_lines(c, word(c, id, i * 2 + 1)));
		break;
	}
	c->lines[id] = n + 1;
	return n;
}

/* The lines of C of a definition: a struct or union (members, and padding at
 * most one line per 8 bytes and nine per gap), an enum, a typedef. */
static uint64_t def_lines(struct chk *c, uint32_t id)
{
	struct btf_type t = type_of(c, id);
	uint32_t vlen = BTF_INFO_VLEN(t.info);
	uint64_t n = 0;
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		n = 2 + 9 * ((uint64_t)vlen + 1) + t.size / 8;
		for (uint32_t i = 0; i < vlen; i++)
			n = add_lines(n, 1 + inline_lines(c, word(c, id, i * 3 + 1)));
		break;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		n = 2 + (uint64_t)vlen;
		break;
	case BTF_KIND_TYPEDEF:
		n = add_lines(1, inline_lines(c, t.type));
		break;
	}
	return n > LINES_MAX ? LINES_MAX + 1 : n;
}

/* All that libbpf may print: each named definition once, and a line per type for forward declarations. */
int aa_btf_check_lines(struct chk *c)
{
	uint64_t total = c->n;

	c->lines = calloc((size_t)c->n + 1, sizeof(*c->lines));
	if (!c->lines)
		return fail(c, "out of memory for %u types", c->n);
	for (uint32_t id = 1; id <= c->n && total <= LINES_MAX; id++) {
		unsigned kind = kind_of(c, id);
		if (type_of(c, id).name_off &&
		    (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM ||
		     kind == BTF_KIND_ENUM64 || kind == BTF_KIND_TYPEDEF))
			total = add_lines(total, def_lines(c, id));
	}
	if (total > LINES_MAX)
		return fail(c, "its C would be more than %u lines", LINES_MAX);
	return 0;
}

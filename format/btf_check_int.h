/* SPDX-License-Identifier: MIT */
/*
 * What the parts of the BTF check (btf_check.c: the records, names and
 * references; btf_graph.c: the reference graph and the members' sizes;
 * btf_lines.c: the bound on the C libbpf would print) share: the blob being
 * checked and how its fields are read (with memcpy: the blob need not be
 * aligned). Private to those three files.
 */
#ifndef AA_BTF_CHECK_INT_H
#define AA_BTF_CHECK_INT_H

#include <linux/btf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "btf_check.h"

struct chk {
	const uint8_t *types; /* the type section */
	const char *strs;     /* the string section */
	uint32_t types_len, strs_len;
	uint32_t n;           /* type ids 1..n */
	uint32_t *off;        /* off[id]: the record's offset in the type section */
	uint8_t *state;       /* per (id, reached through a pointer): enum visit_state (btf_graph.c) */
	uint8_t *height;      /* and the longest chain of references from it */
	uint64_t *lines;      /* per id: 1 + inline_lines() once known, else 0 */
	char *why;
	size_t why_len;
};

static inline int fail(struct chk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int fail(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (c->why_len)
		vsnprintf(c->why, c->why_len, fmt, ap);
	va_end(ap);
	return -1;
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The common part of a type record (id 1..n). */
static inline struct btf_type type_of(const struct chk *c, uint32_t id)
{
	struct btf_type t;

	memcpy(&t, c->types + c->off[id], sizeof(t));
	return t;
}

/* The i-th 32-bit word after a type's common part. */
static inline uint32_t word(const struct chk *c, uint32_t id, size_t i)
{
	return get32(c->types + c->off[id] + sizeof(struct btf_type) + 4 * i);
}

static inline unsigned kind_of(const struct chk *c, uint32_t id)
{
	return id ? BTF_INFO_KIND(type_of(c, id).info) : 0;
}

/* Depth-first from (id, ptr), `depth` nodes above it: no loop, no chain
 * too deep (btf_graph.c). c->state and c->height are allocated. */
int aa_btf_visit(struct chk *c, uint32_t id, int ptr, unsigned depth);
/* Each member of struct or union id has a complete type and lies inside it
 * (btf_graph.c); the graph is known to be acyclic and shallow. */
int aa_btf_check_members(struct chk *c, uint32_t id);
/* No more lines of C from the blob than a bound (btf_lines.c); the graph
 * is known to be acyclic and shallow. */
int aa_btf_check_lines(struct chk *c);

#endif /* AA_BTF_CHECK_INT_H */

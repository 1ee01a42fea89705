/* SPDX-License-Identifier: MIT */
/*
 * The BTF check's walk of the type graph (btf_check_int.h): references
 * followed as libbpf's dumper follows them, with a bounded depth and no
 * loop, before any size is computed; then the members of each struct or
 * union by their sizes.
 */
#include "btf_check_int.h"

#define PTR_SIZE 8

enum visit_state { UNSEEN, ACTIVE, DONE };

/*
 * The i-th reference out of (id, through_ptr) as libbpf's dumper follows
 * them: a pointer sets through_ptr, an array or a member clears it, and a
 * named struct or union reached through a pointer is where a chain ends
 * (it can be declared ahead). Returns 0 when there is no i-th one.
 */
static int edge(const struct chk *c, uint32_t id, int ptr, uint32_t i, uint32_t *to, int *to_ptr)
{
	struct btf_type t = type_of(c, id);
	uint32_t vlen = BTF_INFO_VLEN(t.info);

	*to_ptr = 0;
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_PTR:
		*to_ptr = 1;
		*to = t.type;
		return i == 0;
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		*to_ptr = ptr;
		*to = t.type;
		return i == 0;
	case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		*to = t.type;
		return i == 0;
	case BTF_KIND_ARRAY:
		if (i > 1)
			return 0;
		*to = word(c, id, i);
		return 1;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		if ((ptr && t.name_off) || i >= vlen)
			return 0;
		*to = word(c, id, i * 3 + 1);
		return 1;
	case BTF_KIND_FUNC_PROTO:
		if (i > vlen)
			return 0;
		*to_ptr = ptr;
		*to = i ? word(c, id, (i - 1) * 2 + 1) : t.type;
		return 1;
	case BTF_KIND_DATASEC:
		if (i >= vlen)
			return 0;
		*to = word(c, id, i * 3);
		return 1;
	}
	return 0;
}

/* Depth-first from (id, ptr), `depth` nodes above it: no loop, no chain too deep. */
int aa_btf_visit(struct chk *c, uint32_t id, int ptr, unsigned depth)
{
	size_t node = (size_t)id * 2 + (size_t)ptr;

	if (c->state[node] == ACTIVE)
		return fail(c, "type %u refers back to itself through its references", id);
	if (c->state[node] == UNSEEN) {
		if (depth >= AA_BTF_MAX_DEPTH)
			return fail(c, "type %u: a chain of references deeper than %d", id,
				    AA_BTF_MAX_DEPTH);
		unsigned h = 0;
		uint32_t to;
		int to_ptr;
		c->state[node] = ACTIVE;
		for (uint32_t i = 0; edge(c, id, ptr, i, &to, &to_ptr); i++) {
			if (!to)
				continue;
			if (aa_btf_visit(c, to, to_ptr, depth + 1))
				return -1;
			if (c->height[(size_t)to * 2 + (size_t)to_ptr] > h)
				h = c->height[(size_t)to * 2 + (size_t)to_ptr];
		}
		c->state[node] = DONE;
		c->height[node] = (uint8_t)(h + 1);
	}
	if (depth + c->height[node] > AA_BTF_MAX_DEPTH)
		return fail(c, "type %u: a chain of references deeper than %d", id,
			    AA_BTF_MAX_DEPTH);
	return 0;
}

/*
 * The byte size of a data type, with *scalar its underlying int or enum
 * kind (0 for others); -1 if it has none (void, a forward declaration, a
 * function), -2 if it is 2^32 bytes or more. The graph is known to be
 * acyclic and shallow here.
 */
static int64_t data_size(const struct chk *c, uint32_t id, unsigned *scalar)
{
	uint64_t mult = 1;

	*scalar = 0;
	for (;;) {
		if (!id)
			return -1;
		struct btf_type t = type_of(c, id);
		unsigned kind = BTF_INFO_KIND(t.info);
		switch (kind) {
		case BTF_KIND_INT: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
			*scalar = kind;
			/* fall through */
		case BTF_KIND_FLOAT: case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			return mult * t.size > UINT32_MAX ? -2 : (int64_t)(mult * t.size);
		case BTF_KIND_PTR:
			return mult * PTR_SIZE > UINT32_MAX ? -2 : (int64_t)(mult * PTR_SIZE);
		case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
			id = t.type;
			break;
		case BTF_KIND_ARRAY:
			mult *= word(c, id, 2);
			if (mult > UINT32_MAX)
				return -2;
			id = word(c, id, 0);
			break;
		default:
			return -1;
		}
	}
}

/* Each member of a struct or union has a complete type and lies inside it. */
int aa_btf_check_members(struct chk *c, uint32_t id)
{
	struct btf_type t = type_of(c, id);
	uint32_t vlen = BTF_INFO_VLEN(t.info);

	for (uint32_t i = 0; i < vlen; i++) {
		uint32_t type = word(c, id, i * 3 + 1), off = word(c, id, i * 3 + 2);
		uint32_t bitfield = BTF_INFO_KFLAG(t.info) ? BTF_MEMBER_BITFIELD_SIZE(off) : 0;
		uint32_t bit_off = BTF_INFO_KFLAG(t.info) ? BTF_MEMBER_BIT_OFFSET(off) : off;
		unsigned scalar;
		int64_t size = data_size(c, type, &scalar);
		if (size < 0)
			return fail(c, "type %u: member %u (type %u) has %s", id, i, type,
				    size == -1 ? "no size" : "a size of 4 GiB or more");
		if (bitfield && (!scalar || bitfield > size * 8))
			return fail(c, "type %u: member %u is a bit field of %u bits of type %u",
				    id, i, bitfield, type);
		if (!bitfield && bit_off % 8)
			return fail(c, "type %u: member %u at bit %u, not at a byte", id, i,
				    bit_off);
		uint64_t end = (uint64_t)bit_off + (bitfield ? bitfield : (uint64_t)size * 8);
		if (end > (uint64_t)t.size * 8)
			return fail(c, "type %u: member %u ends at bit %llu, past the end of its "
				       "%u bytes", id, i, (unsigned long long)end, t.size);
	}
	return 0;
}

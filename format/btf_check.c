/* SPDX-License-Identifier: MIT */
/*
 * The BTF check (btf_check.h). libbpf takes a blob's word for everything:
 * a type id past the end makes btf_dump write out of bounds, a typedef that
 * names itself makes it recurse until the stack runs out. So nothing is
 * taken on trust here: each field is read with memcpy (the blob need not be
 * aligned), each offset is checked before it is followed, and the type
 * graph is walked with a bounded depth before any size is computed.
 */
#include "btf_check_int.h"

#include <stdlib.h>

#define NAME_MAX_LEN 255
#define TYPE_SIZE_MAX (1u << 24) /* the largest struct, enum or float accepted */

#define KIND_BIT(k) (1u << (k))
#define VOID_BIT KIND_BIT(0) /* type id 0; no record has kind 0 */
#define DATA_BITS                                                                          \
	(KIND_BIT(BTF_KIND_INT) | KIND_BIT(BTF_KIND_PTR) | KIND_BIT(BTF_KIND_ARRAY) |      \
	 KIND_BIT(BTF_KIND_STRUCT) | KIND_BIT(BTF_KIND_UNION) | KIND_BIT(BTF_KIND_ENUM) |  \
	 KIND_BIT(BTF_KIND_ENUM64) | KIND_BIT(BTF_KIND_FWD) | KIND_BIT(BTF_KIND_TYPEDEF) | \
	 KIND_BIT(BTF_KIND_VOLATILE) | KIND_BIT(BTF_KIND_CONST) |                          \
	 KIND_BIT(BTF_KIND_RESTRICT) | KIND_BIT(BTF_KIND_FLOAT) | KIND_BIT(BTF_KIND_TYPE_TAG))
/* What a pointer, a typedef or a qualifier may refer to. */
#define REFERABLE_BITS (VOID_BIT | DATA_BITS | KIND_BIT(BTF_KIND_FUNC_PROTO))

enum name_rule {
	NAME_NONE,     /* must be empty */
	NAME_OPTIONAL, /* empty or a C identifier */
	NAME_IDENT,    /* a C identifier */
	NAME_WORDS,    /* C identifiers separated by single spaces ("unsigned int") */
	NAME_SECTION,  /* letters, digits, '_' and '.' (".bss") */
};

static const char *kind_name(unsigned k)
{
	static const char *const names[] = {
		"void", "int", "pointer", "array", "struct", "union", "enum", "forward declaration",
		"typedef", "volatile", "const", "restrict", "function", "function prototype",
		"variable", "data section", "float", "declaration tag", "type tag", "enum64"};
	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown kind";
}

/* The bytes a record of this kind and vlen takes after its common part; -1 for no known kind. */
static long extra_size(unsigned kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static int ident_char(char ch, int first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
	       (!first && ch >= '0' && ch <= '9');
}

/* Whether s[0..n) keeps to the rule (n > 0). */
static int name_fits(const char *s, size_t n, enum name_rule rule)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int word_start = i == 0 || s[i - 1] == ' ';
		if (rule == NAME_SECTION) {
			if (!ident_char(ch, 0) && ch != '.')
				return 0;
		} else if (ch == ' ') {
			if (rule != NAME_WORDS || i == 0 || i == n - 1 || s[i - 1] == ' ')
				return 0;
		} else if (!ident_char(ch, word_start)) {
			return 0;
		}
	}
	return 1;
}

/* Checks a name offset of type id (what: where it stands) against rule. */
static int check_name(struct chk *c, uint32_t id, const char *what, uint32_t name_off,
		      enum name_rule rule)
{
	if (name_off >= c->strs_len)
		return fail(c, "type %u: %s name offset %u is past the string section (%u bytes)",
			    id, what, name_off, c->strs_len);
	/* the section ends with a NUL (checked first), so this ends */
	size_t n = strlen(c->strs + name_off);
	if (rule == NAME_NONE)
		return n ? fail(c, "type %u: a %s has a name", id, what) : 0;
	if (!n)
		return rule == NAME_OPTIONAL ? 0 : fail(c, "type %u: %s has no name", id, what);
	if (n > NAME_MAX_LEN)
		return fail(c, "type %u: %s name at offset %u is %zu bytes long (at most %d)", id,
			    what, name_off, n, NAME_MAX_LEN);
	if (!name_fits(c->strs + name_off, n, rule))
		return fail(c, "type %u: %s name at offset %u is not a C identifier", id, what,
			    name_off);
	return 0;
}

static enum name_rule name_rule_of(unsigned kind)
{
	switch (kind) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		return NAME_OPTIONAL;
	case BTF_KIND_INT: case BTF_KIND_FLOAT:
		return NAME_WORDS;
	case BTF_KIND_DATASEC:
		return NAME_SECTION;
	case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_FUNC: case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
		return NAME_IDENT;
	default:
		return NAME_NONE;
	}
}

static int size_in(uint32_t size, const uint32_t *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (size == ok[i])
			return 1;
	return 0;
}

/* What one record says of itself alone: flags, names, sizes. */
static int check_record(struct chk *c, uint32_t id)
{
	static const uint32_t int_sizes[] = {1, 2, 4, 8, 16}, enum_sizes[] = {1, 2, 4, 8},
			      float_sizes[] = {2, 4, 8, 12, 16};
	struct btf_type t = type_of(c, id);
	unsigned kind = BTF_INFO_KIND(t.info);
	uint32_t vlen = BTF_INFO_VLEN(t.info);
	const char *kn = kind_name(kind);

	if (t.info & 0x60ff0000u)
		return fail(c, "type %u: reserved bits set in its info word 0x%08x", id, t.info);
	if (BTF_INFO_KFLAG(t.info) && kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION &&
	    kind != BTF_KIND_FWD && kind != BTF_KIND_ENUM && kind != BTF_KIND_ENUM64)
		return fail(c, "type %u: a %s with the kind flag set", id, kn);
	if (vlen && kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION && kind != BTF_KIND_ENUM &&
	    kind != BTF_KIND_ENUM64 && kind != BTF_KIND_FUNC_PROTO && kind != BTF_KIND_DATASEC &&
	    (kind != BTF_KIND_FUNC || vlen > BTF_FUNC_EXTERN))
		return fail(c, "type %u: a %s with vlen %u", id, kn, vlen);
	if (check_name(c, id, kn, t.name_off, name_rule_of(kind)))
		return -1;
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t d = word(c, id, 0), bits = BTF_INT_BITS(d), enc = BTF_INT_ENCODING(d);
		if (!size_in(t.size, int_sizes, 5) || (d & 0xf000ff00u) || !bits ||
		    BTF_INT_OFFSET(d) + bits > t.size * 8 ||
		    (enc != 0 && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL))
			return fail(c, "type %u: an int of size %u with bad encoding 0x%08x", id,
				    t.size, d);
		break;
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
		size_t step = kind == BTF_KIND_ENUM ? 2 : 3;
		if (!size_in(t.size, enum_sizes, 4))
			return fail(c, "type %u: an enum of size %u", id, t.size);
		for (uint32_t i = 0; i < vlen; i++)
			if (check_name(c, id, "enum value", word(c, id, i * step), NAME_IDENT))
				return -1;
		break;
	}
	case BTF_KIND_FLOAT:
		if (!size_in(t.size, float_sizes, 5))
			return fail(c, "type %u: a float of size %u", id, t.size);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		if (t.size > TYPE_SIZE_MAX)
			return fail(c, "type %u: a %s of %u bytes (at most %u)", id, kn, t.size,
				    TYPE_SIZE_MAX);
		for (uint32_t i = 0; i < vlen; i++)
			if (check_name(c, id, "member", word(c, id, i * 3), NAME_OPTIONAL))
				return -1;
		break;
	case BTF_KIND_FUNC_PROTO:
		for (uint32_t i = 0; i < vlen; i++)
			if (check_name(c, id, "parameter", word(c, id, i * 2), NAME_OPTIONAL))
				return -1;
		break;
	case BTF_KIND_VAR:
		if (word(c, id, 0) > BTF_VAR_GLOBAL_EXTERN)
			return fail(c, "type %u: a variable of linkage %u", id, word(c, id, 0));
		break;
	case BTF_KIND_DECL_TAG:
		if ((int32_t)word(c, id, 0) < -1)
			return fail(c, "type %u: a declaration tag of component %d", id,
				    (int32_t)word(c, id, 0));
		break;
	}
	return 0;
}

/* Checks that a reference of type id (what) to type `to` is in range and of an allowed kind. */
static int check_ref(struct chk *c, uint32_t id, const char *what, uint32_t to, uint32_t allowed)
{
	if (to > c->n)
		return fail(c, "type %u: its %s is type %u, past the last type %u", id, what, to,
			    c->n);
	if (!(KIND_BIT(kind_of(c, to)) & allowed))
		return fail(c, "type %u: its %s is type %u, a %s, which cannot stand there", id,
			    what, to, kind_name(kind_of(c, to)));
	return 0;
}

/* Every type id a record refers to. */
static int check_refs(struct chk *c, uint32_t id)
{
	struct btf_type t = type_of(c, id);
	uint32_t vlen = BTF_INFO_VLEN(t.info);

	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return check_ref(c, id, "target", t.type, REFERABLE_BITS);
	case BTF_KIND_ARRAY:
		return check_ref(c, id, "element type", word(c, id, 0), DATA_BITS) ||
		       check_ref(c, id, "index type", word(c, id, 1), KIND_BIT(BTF_KIND_INT));
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (uint32_t i = 0; i < vlen; i++)
			if (check_ref(c, id, "member type", word(c, id, i * 3 + 1), DATA_BITS))
				return -1;
		return 0;
	case BTF_KIND_FUNC_PROTO:
		if (check_ref(c, id, "return type", t.type, VOID_BIT | DATA_BITS))
			return -1;
		for (uint32_t i = 0; i < vlen; i++) {
			uint32_t name = word(c, id, i * 2), type = word(c, id, i * 2 + 1);
			if (i == vlen - 1 && !name && !type)
				break; /* "..." */
			if (check_ref(c, id, "parameter type", type, DATA_BITS))
				return -1;
		}
		return 0;
	case BTF_KIND_FUNC:
		return check_ref(c, id, "prototype", t.type, KIND_BIT(BTF_KIND_FUNC_PROTO));
	case BTF_KIND_VAR:
		return check_ref(c, id, "type", t.type, DATA_BITS);
	case BTF_KIND_DATASEC:
		for (uint32_t i = 0; i < vlen; i++)
			if (check_ref(c, id, "variable", word(c, id, i * 3),
				      KIND_BIT(BTF_KIND_VAR) | KIND_BIT(BTF_KIND_FUNC)))
				return -1;
		return 0;
	case BTF_KIND_DECL_TAG: {
		int32_t comp = (int32_t)word(c, id, 0);
		uint32_t members = KIND_BIT(BTF_KIND_STRUCT) | KIND_BIT(BTF_KIND_UNION);
		if (check_ref(c, id, "target", t.type,
			      comp >= 0 ? members
					: members | KIND_BIT(BTF_KIND_FUNC) | KIND_BIT(BTF_KIND_VAR) |
						  KIND_BIT(BTF_KIND_TYPEDEF)))
			return -1;
		if (comp >= 0 && (uint32_t)comp >= BTF_INFO_VLEN(type_of(c, t.type).info))
			return fail(c, "type %u: tags member %d of type %u, which has fewer", id,
				    comp, t.type);
		return 0;
	}
	}
	return 0;
}

/* Header and section bounds; sets the sections in c. */
static int check_header(struct chk *c, const uint8_t *btf, size_t len)
{
	struct btf_header h;

	if (len < sizeof(h))
		return fail(c, "%zu bytes, shorter than a BTF header", len);
	memcpy(&h, btf, sizeof(h));
	if (h.magic == 0x9feb)
		return fail(c, "BTF of the other byte order");
	if (h.magic != BTF_MAGIC)
		return fail(c, "bad magic 0x%04x", h.magic);
	if (h.version != BTF_VERSION || h.flags)
		return fail(c, "version %u flags 0x%x, not version %d", h.version, h.flags,
			    BTF_VERSION);
	if (h.hdr_len < sizeof(h) || h.hdr_len > len)
		return fail(c, "header length %u in %zu bytes", h.hdr_len, len);
	for (size_t i = sizeof(h); i < h.hdr_len; i++)
		if (btf[i])
			return fail(c, "unknown header fields set");
	size_t data_len = len - h.hdr_len;
	if (h.type_off % 4 || (uint64_t)h.type_off + h.type_len > h.str_off ||
	    (uint64_t)h.str_off + h.str_len > data_len)
		return fail(c, "sections (types %u+%u, strings %u+%u) do not fit in %zu bytes",
			    h.type_off, h.type_len, h.str_off, h.str_len, data_len);
	c->types = btf + h.hdr_len + h.type_off;
	c->types_len = h.type_len;
	c->strs = (const char *)btf + h.hdr_len + h.str_off;
	c->strs_len = h.str_len;
	if (!h.str_len || h.str_len > BTF_MAX_NAME_OFFSET || c->strs[0] ||
	    c->strs[h.str_len - 1])
		return fail(c, "the string section (%u bytes) does not start and end with NUL",
			    h.str_len);
	return 0;
}

/* Walks the type section record by record: each complete; fills c->off and c->n. */
static int index_types(struct chk *c)
{
	size_t pos = 0, max = c->types_len / sizeof(struct btf_type);

	c->off = malloc((max + 1) * sizeof(*c->off));
	if (!c->off)
		return fail(c, "out of memory for %zu types", max);
	while (pos < c->types_len) {
		uint32_t id = c->n + 1;
		if (c->types_len - pos < sizeof(struct btf_type))
			return fail(c, "type %u: its record is cut short at the end of the type "
				       "section", id);
		uint32_t info = get32(c->types + pos + 4);
		long extra = extra_size(BTF_INFO_KIND(info), BTF_INFO_VLEN(info));
		if (extra < 0)
			return fail(c, "type %u: unknown kind %u", id, BTF_INFO_KIND(info));
		if ((size_t)extra > c->types_len - pos - sizeof(struct btf_type))
			return fail(c, "type %u: its record (%zu bytes) runs past the end of the "
				       "type section", id, sizeof(struct btf_type) + (size_t)extra);
		c->off[id] = (uint32_t)pos;
		c->n = id;
		pos += sizeof(struct btf_type) + (size_t)extra;
	}
	return 0;
}

static int check_all(struct chk *c, const uint8_t *btf, size_t len)
{
	if (check_header(c, btf, len) || index_types(c))
		return -1;
	for (uint32_t id = 1; id <= c->n; id++)
		if (check_record(c, id))
			return -1;
	for (uint32_t id = 1; id <= c->n; id++)
		if (check_refs(c, id))
			return -1;
	c->state = calloc(((size_t)c->n + 1) * 2, 1);
	c->height = calloc(((size_t)c->n + 1) * 2, 1);
	if (!c->state || !c->height)
		return fail(c, "out of memory for %u types", c->n);
	for (uint32_t id = 1; id <= c->n; id++)
		if (aa_btf_visit(c, id, 0, 0) || aa_btf_visit(c, id, 1, 0))
			return -1;
	for (uint32_t id = 1; id <= c->n; id++) {
		unsigned kind = kind_of(c, id);
		if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) && aa_btf_check_members(c, id))
			return -1;
	}
	return aa_btf_check_lines(c);
}

int aa_btf_check(const uint8_t *btf, size_t len, char *why, size_t why_len)
{
	struct chk c = {.why = why, .why_len = why_len};

	if (why_len)
		why[0] = 0;
	int rc = check_all(&c, btf, len);
	free(c.off);
	free(c.state);
	free(c.height);
	free(c.lines);
	return rc;
}

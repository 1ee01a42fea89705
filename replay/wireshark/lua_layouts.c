/* SPDX-License-Identifier: MIT */
/*
 * Build tool: prints the record layouts as a Lua table for aa.lua, read
 * from the BTF that clang made of format/events.h (build/events.btf, the
 * same BTF every capture file carries). The dissector's field offsets and
 * widths are thus those of the C structs: a new record type in
 * AA_RECORD_TYPES or a new field needs no edit of the Lua, and a type whose
 * struct the BTF lacks, or whose size differs, stops the build.
 *
 * Usage: lua_layouts EVENTS.BTF > layouts.lua
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* One member: { "name", offset, width, "u"|"s"|"a" } (a: array of bytes). */
static int member(const struct btf *btf, const char *st, const struct btf_member *m, __u32 off)
{
	const char *name = btf__name_by_offset(btf, m->name_off);
	__u32 id = m->type;
	const struct btf_type *t = skip_mods(btf, &id);
	long size = btf__resolve_size(btf, m->type);
	const char *kind;

	if (!t || size <= 0 || off % 8) {
		fprintf(stderr, "lua_layouts: %s.%s: not a byte-aligned sized member\n", st, name);
		return -1;
	}
	if (btf_is_int(t)) {
		kind = btf_int_encoding(t) & BTF_INT_SIGNED ? "s" : "u";
	} else if (btf_is_array(t)) {
		__u32 elem = btf_array(t)->type;
		const struct btf_type *e = skip_mods(btf, &elem);

		if (!e || !btf_is_int(e) || e->size != 1) {
			fprintf(stderr, "lua_layouts: %s.%s: an array of other than bytes\n", st, name);
			return -1;
		}
		kind = "a";
	} else {
		fprintf(stderr, "lua_layouts: %s.%s: neither a number nor bytes\n", st, name);
		return -1;
	}
	if (!strncmp(name, "_pad", 4)) /* padding: no field */
		return 0;
	printf("\t\t{ \"%s\", %u, %ld, \"%s\" },\n", name, off / 8, size, kind);
	return 0;
}

static int layout(const struct btf *btf, const char *name, unsigned size)
{
	char st[64];
	int id;
	const struct btf_type *t;

	snprintf(st, sizeof(st), "aa_%s_event", name);
	if ((id = btf__find_by_name_kind(btf, st, BTF_KIND_STRUCT)) < 0 ||
	    !(t = btf__type_by_id(btf, (__u32)id))) {
		fprintf(stderr, "lua_layouts: struct %s is not in the BTF\n", st);
		return -1;
	}
	if (t->size != size) {
		fprintf(stderr, "lua_layouts: struct %s is %u bytes in the BTF, %u in events.h\n", st, t->size, size);
		return -1;
	}
	printf("\t{ name = \"%s\", size = %u, fields = {\n", name, size);
	for (unsigned i = 0; i < btf_vlen(t); i++)
		if (member(btf, st, btf_members(t) + i, btf_member_bit_offset(t, i)) < 0)
			return -1;
	printf("\t} },\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct btf *btf;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: lua_layouts EVENTS.BTF\n");
		return 2;
	}
	if (!(btf = btf__parse_raw(argv[1]))) {
		fprintf(stderr, "lua_layouts: %s: cannot read BTF\n", argv[1]);
		return 2;
	}
	printf("-- Made by replay/wireshark/lua_layouts.c from the BTF of format/events.h:\n"
	       "-- every record type of AA_RECORD_TYPES, in its order (its type number),\n"
	       "-- with each field's name, byte offset, width and kind (u/s: unsigned or\n"
	       "-- signed little-endian number, a: bytes). Do not edit.\n"
	       "local AA_LAYOUTS = {\n");
#define X(name, NAME, size) rc = rc ? rc : layout(btf, #name, size);
	AA_RECORD_TYPES(X)
#undef X
	printf("}\n");
	btf__free(btf);
	return rc ? 1 : 0;
}

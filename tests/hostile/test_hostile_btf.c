/* SPDX-License-Identifier: MIT */
/*
 * Damaged BTF in files that verify intact, through `aa-replay schema`: the
 * BTF of the record structs (the writer's own) changed in one place, put in
 * a META chunk with a right crc32, in a file with a matching END. Each must
 * end in one line on stderr naming the file and the damaged type, and exit
 * status 1: never a crash (libbpf used to be handed the blob unchecked),
 * never a wrong C definition. The record offsets are found by a walk of
 * this file's own, written from the BTF spec, for the kinds the writer's
 * BTF holds.
 */
#include <linux/btf.h>

#include "events_btf.h"
#include "hostile_build.h"

static char out[1 << 16], err[4096];

TestSuite(hostile_btf, .init = hb_setup_cli, .fini = hb_teardown_cli);

/* The writer's BTF, to change. */
struct blob {
	uint8_t p[8192];
	size_t len;
};

static void blob_real(struct blob *b)
{
	uint32_t len;
	const uint8_t *btf = aa_events_btf(&len);
	cr_assert(btf && len > sizeof(struct btf_header) && len < sizeof(b->p) - 256,
		  "the build has no BTF of the record structs");
	memcpy(b->p, btf, len);
	b->len = len;
}

static struct btf_header *hdr(struct blob *b)
{
	return (struct btf_header *)b->p; /* p is the struct's first member: aligned */
}

static uint8_t *types(struct blob *b)
{
	return b->p + hdr(b)->hdr_len + hdr(b)->type_off;
}

/* Bytes of type i's record: its common part and what its kind adds. */
static size_t rec_len(const struct btf_type *t, uint32_t i)
{
	size_t extra = 0;
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: case BTF_KIND_VAR: extra = 4; break;
	case BTF_KIND_ARRAY: extra = 12; break;
	case BTF_KIND_STRUCT: case BTF_KIND_DATASEC: extra = 12u * BTF_INFO_VLEN(t->info); break;
	case BTF_KIND_TYPEDEF: extra = 0; break;
	default: cr_assert_fail("type %u: kind %u not in the writer's BTF", i, BTF_INFO_KIND(t->info));
	}
	return sizeof(*t) + extra;
}

/* The record of type id (1..), found by walking the type section; id 0: the
 * last one, its id in *last. */
static struct btf_type *type_walk(struct blob *b, uint32_t id, uint32_t *last)
{
	uint8_t *p = types(b), *end = p + hdr(b)->type_len;
	struct btf_type *t = NULL;
	for (uint32_t i = 1; p < end; i++) {
		t = (struct btf_type *)p;
		if (i == id)
			return t;
		*last = i;
		p += rec_len(t, i);
	}
	cr_assert(id == 0 && t, "no type %u", id);
	return t;
}

static struct btf_type *type_rec(struct blob *b, uint32_t id)
{
	uint32_t last;
	cr_assert_neq(id, 0);
	return type_walk(b, id, &last);
}

/* Member i of struct type id. */
static struct btf_member *member(struct blob *b, uint32_t id, uint32_t i)
{
	struct btf_type *t = type_rec(b, id);
	cr_assert_eq(BTF_INFO_KIND(t->info), BTF_KIND_STRUCT);
	return (struct btf_member *)(t + 1) + i;
}

/* Adds a string at the end of the string section (the last part of the blob); returns its offset. */
static uint32_t add_string(struct blob *b, const char *s)
{
	struct btf_header *h = hdr(b);
	cr_assert_eq(h->hdr_len + h->str_off + h->str_len, b->len, "strings are not last");
	uint32_t off = h->str_len;
	size_t n = strlen(s) + 1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	h->str_len += (uint32_t)n;
	return off;
}

/* A file that verifies intact, its META carrying this BTF. */
static void write_file(const struct blob *b)
{
	struct aa_file_meta m = {.writer = "aa-hostile", .writer_version = "0", .hostname = "h",
				 .kernel = "6.18", .arch = "x86_64", .source = "test",
				 .schema = "tls 4128\nfile 296\nexec 792\nexit 16\n",
				 .mono_to_wall = 1000, .level = 1, .flush_ms = 1000,
				 .btf = b->p, .btf_len = (uint32_t)b->len};
	struct hb f = {0};
	hb_shb(&f);
	hb_idb(&f);
	size_t head = f.len;
	hb_meta_of(&f, &m);
	hb_empty_end(&f, 1, head);
	hb_save(&f);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' verify -q '%s' 2>&1", hb_prog, hb_path);
	cr_assert_eq(aat_run(cmd, err, sizeof(err)), 0, "the file does not verify: %s", err);
}

/* aa-replay schema on the file: its exit status, stdout in out, stderr in err. */
static int schema(void)
{
	char cmd[1024], *errp = aat_path(hb_dir, "stderr");
	snprintf(cmd, sizeof(cmd), "'%s' schema '%s' 2>'%s'", hb_prog, hb_path, errp);
	int rc = aat_run(cmd, out, sizeof(out));
	uint8_t *e;
	size_t n;
	cr_assert_eq(aat_read_file(errp, &e, &n), 0);
	n = n < sizeof(err) - 1 ? n : sizeof(err) - 1;
	memcpy(err, e, n);
	err[n] = 0;
	free(e);
	free(errp);
	return rc;
}

/* The file with this BTF is refused: exit 1, one line naming the file and `what`, no C definitions. */
static void expect_refused(const struct blob *b, const char *what)
{
	write_file(b);
	int rc = schema();
	cr_expect_eq(rc, 1, "exit %d (a crash is 128 + its signal); stderr: %s", rc, err);
	const char *nl = strchr(err, '\n');
	cr_expect(nl && nl[1] == 0, "not one line: [%s]", err);
	cr_expect(strstr(err, hb_path), "file not named: [%s]", err);
	cr_expect(strstr(err, what), "no \"%s\" in [%s]", what, err);
	cr_expect(!strstr(out, "struct aa_"), "C definitions from a damaged BTF: %s", out);
}

Test(hostile_btf, the_writers_btf_is_printed)
{
	struct blob b;
	blob_real(&b);
	write_file(&b);
	cr_assert_eq(schema(), 0, "%s", err);
	cr_expect_str_empty(err);
	cr_expect(strstr(out, "struct aa_exit_event {\n\t__u64 timestamp_ns;\n\t__u32 pid;\n"
			      "\t__s32 exit_code;\n};"), "%s", out);
	cr_expect(strstr(out, "/* struct aa_tls_event: 4128 bytes */"), "%s", out);
}

/* Not too strict: pointers to itself, unions, anonymous structs, bit fields,
 * enums, function pointers, qualifiers, flexible arrays all print. */
Test(hostile_btf, btf_of_every_kind_is_printed)
{
	struct blob b;
	uint8_t *data;
	cr_assert_eq(aat_read_file("tests/fuzz/corpus/btf/kinds", &data, &b.len), 0);
	cr_assert_lt(b.len, sizeof(b.p));
	memcpy(b.p, data, b.len);
	free(data);
	write_file(&b);
	cr_assert_eq(schema(), 0, "%s", err);
	cr_expect(strstr(out, "struct node {\n\tstruct node *next;\n"
			      "\tvolatile const u32 * restrict counter;\n\tunion {\n"), "%s", out);
	cr_expect(strstr(out, "\t\tunsigned int b: 5;\n\t\tsigned char c: 4;\n"), "%s", out);
	cr_expect(strstr(out, "typedef int (*visit_fn)(struct node *, const char *, ...);"), "%s", out);
	cr_expect(strstr(out, "\tchar name[3][7];\n\tstruct node *children[0];\n};\n"), "%s", out);
	cr_expect(strstr(out, "/* struct node: 80 bytes */"), "%s", out);
}

/* The reported crash: ASan WRITE in btf_dump__new, SIGSEGV without it. */
Test(hostile_btf, member_type_id_raised_by_0x10000)
{
	struct blob b;
	blob_real(&b);
	member(&b, 1, 0)->type += 0x10000;
	expect_refused(&b, "type 1: its member type is type 65538, past the last type");
}

/* The reported stack overflow: typedef a -> b -> a. */
Test(hostile_btf, typedef_loop)
{
	struct blob b;
	blob_real(&b);
	cr_assert_eq(BTF_INFO_KIND(type_rec(&b, 2)->info), BTF_KIND_TYPEDEF);
	cr_assert_eq(BTF_INFO_KIND(type_rec(&b, 4)->info), BTF_KIND_TYPEDEF);
	type_rec(&b, 2)->type = 4;
	type_rec(&b, 4)->type = 2;
	expect_refused(&b, "refers back to itself");
}

Test(hostile_btf, array_of_itself)
{
	struct blob b;
	blob_real(&b);
	struct btf_type *t = type_rec(&b, 10); /* __u8 payload[4096] */
	cr_assert_eq(BTF_INFO_KIND(t->info), BTF_KIND_ARRAY);
	((struct btf_array *)(t + 1))->type = 10;
	expect_refused(&b, "type 10 refers back to itself");
}

Test(hostile_btf, name_offset_past_the_strings)
{
	struct blob b;
	blob_real(&b);
	type_rec(&b, 1)->name_off = hdr(&b)->str_len + 5;
	expect_refused(&b, "type 1: struct name offset");
}

/* Cut inside the last record's common part: libbpf takes the rest as if it were not there. */
Test(hostile_btf, type_section_cut_short)
{
	struct blob b;
	blob_real(&b);
	uint32_t id = 0;
	struct btf_type *last = type_walk(&b, 0, &id);
	size_t last_len = rec_len(last, id);
	cr_assert_gt(last_len, 8u);
	cr_assert_eq((uint8_t *)last + last_len, types(&b) + hdr(&b)->type_len, "%u is the last type", id);
	hdr(&b)->type_len -= (uint32_t)last_len - 8;
	char why[64];
	snprintf(why, sizeof(why), "type %u: its record is cut short", id);
	expect_refused(&b, why);
}

Test(hostile_btf, huge_vlen)
{
	struct blob b;
	blob_real(&b);
	type_rec(&b, 1)->info |= 0xffff;
	expect_refused(&b, "type 1: its record (786432 bytes) runs past the end");
}

/* vlen raised within bounds: the struct swallows the records after it. */
Test(hostile_btf, vlen_swallowing_the_next_records)
{
	struct blob b;
	blob_real(&b);
	struct btf_type *t = type_rec(&b, 20); /* aa_exit_event, 3 members, then a VAR and a DATASEC */
	t->info = (t->info & ~0xffffu) | 9;
	expect_refused(&b, "type 21: unknown kind"); /* where the framing goes wrong */
}

Test(hostile_btf, member_past_the_end_of_its_struct)
{
	struct blob b;
	blob_real(&b);
	type_rec(&b, 20)->size = 12; /* exit_code sits at 12..16 */
	expect_refused(&b, "type 20: member 2 ends at bit 128, past the end of its 12 bytes");
}

/* A name that would break out of the C comment after each struct, and out of C itself. */
Test(hostile_btf, name_that_closes_a_comment)
{
	struct blob b;
	blob_real(&b);
	type_rec(&b, 20)->name_off = add_string(&b, "x */\n#include \"/etc/shadow\"\n/* y");
	expect_refused(&b, "type 20: struct name at offset");
	cr_expect(!strstr(out, "#include"), "%s", out);
	cr_expect(!strstr(err, "#include"), "%s", err);
}

Test(hostile_btf, member_name_with_a_terminal_escape)
{
	struct blob b;
	blob_real(&b);
	member(&b, 20, 1)->name_off = add_string(&b, "pid\x1b]0;owned\x07");
	expect_refused(&b, "type 20: member name at offset");
	cr_expect(!strchr(out, 0x1b) && !strchr(err, 0x1b), "an ESC reached the terminal");
}

/* libbpf pads it out line by line: 2 million lines of C from 1110 bytes. */
Test(hostile_btf, struct_of_16_mib)
{
	struct blob b;
	blob_real(&b);
	type_rec(&b, 20)->size = 1u << 24;
	expect_refused(&b, "its C would be more than 262144 lines");
}

Test(hostile_btf, int_of_size_3)
{
	struct blob b;
	blob_real(&b);
	type_rec(&b, 5)->size = 3; /* unsigned int */
	expect_refused(&b, "type 5: an int of size 3");
}

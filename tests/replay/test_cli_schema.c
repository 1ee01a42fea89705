/* SPDX-License-Identifier: MIT */
/* aa-replay schema: the record layouts, as C, from the BTF inside the file. */
#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

Test(cli_schema, prints_the_four_layouts_from_the_embedded_btf)
{
	struct fx f;

	fx_make(&f, 41, 200, 0, 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "schema cap.pcapng"), 0, "%s", err);
	cr_expect(strstr(out, "/*   tls 4128 */") && strstr(out, "/*   file 296 */") &&
			  strstr(out, "/*   exec 792 */") && strstr(out, "/*   exit 16 */"),
		  "%s", out);
	/* from BTF, not from this program's headers: field names, types, array sizes */
	cr_expect(strstr(out, "struct aa_tls_event {"), "%s", out);
	cr_expect(strstr(out, "\t__u8 payload[4096];"), "%s", out);
	cr_expect(strstr(out, "\t__s64 return_code;"), "%s", out);
	cr_expect(strstr(out, "\t__u8 args[512];"), "%s", out);
	cr_expect(strstr(out, "\t__s32 exit_code;"), "%s", out);
	cr_expect(strstr(out, "/* struct aa_file_event: 296 bytes */"), "%s", out);
	cr_expect(strstr(out, "/* struct aa_exec_event: 792 bytes */"), "%s", out);
	fx_free(&f);
}

Test(cli_schema, usage_and_unusable_input)
{
	struct fx f;

	fx_init(&f);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "schema"), 2);
	cr_expect(strstr(err, "aa-replay"), "%s", err);
	FILE *t = fopen(f.path, "w");
	cr_assert_not_null(t);
	fputs("not a capture file\n", t);
	fclose(t);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "schema cap.pcapng"), 2);
	cr_expect(strstr(err, "cap.pcapng"), "%s", err);
	fx_free(&f);
}

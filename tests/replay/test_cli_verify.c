/* SPDX-License-Identifier: MIT */
/* aa-replay verify: 0 intact, 1 damaged (saying where), 2 unusable. */
#include <inttypes.h>
#include <sys/stat.h>

#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

Test(cli_verify, intact_file)
{
	struct fx f;

	fx_make(&f, 31, 1000, 16384, 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify cap.pcapng"), 0, "%s", err);
	cr_expect(fx_starts(out, "cap.pcapng: intact: 1000 records in "), "%s", out);
	cr_expect_str_empty(err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), NULL, 0, "verify -q cap.pcapng"), 0);
	cr_expect_str_empty(out);
	fx_free(&f);
}

/* The digest verify found good is shown: the writer's, and what xxhsum
 * says of the export stream. */
Test(cli_verify, intact_shows_the_digest)
{
	struct fx f;
	char want[64], sum[64];

	fx_make(&f, 33, 1500, 16384, 0);
	cr_assert_eq(fx_run(&f, sum, sizeof(sum), NULL, 0, "export cap.pcapng - | xxhsum -H64"), 0);
	cr_assert_eq(strlen(sum), 16 + strlen("  stdin\n"), "xxhsum printed %s", sum);
	snprintf(want, sizeof(want), "%016" PRIx64, f.digest);
	cr_assert(!strncmp(sum, want, 16), "xxhsum %s, writer %s", sum, want);
	snprintf(want, sizeof(want), "cap.pcapng: intact: 1500 records in %s", "");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify cap.pcapng"), 0, "%s", err);
	cr_expect(fx_starts(out, want), "%s", out);
	snprintf(want, sizeof(want), " chunks, digest %.16s good\n", sum);
	cr_expect(strstr(out, want), "want '%s' in %s", want, out);
	fx_free(&f);
}

Test(cli_verify, flipped_byte_in_a_chunk)
{
	struct fx f;
	uint8_t *file;
	size_t size;

	fx_make(&f, 32, 1000, 16384, 0);
	struct aat_block c = fx_record_chunk(&f, 3, &file, &size);
	size_t at = c.data_off + c.data_len / 2;

	file[at] ^= 0x10;
	cr_assert_eq(aat_write_file(f.path, file, size), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify cap.pcapng"), 1);
	cr_expect(fx_starts(out, "cap.pcapng: damaged: "), "%s", out);
	char where[96];
	snprintf(where, sizeof(where), "aa-replay: cap.pcapng: offset %zu: ", c.off);
	cr_expect(!strncmp(err, where, strlen(where)), "want %s, got %s", where, err);
	free(file);
	fx_free(&f);
}

Test(cli_verify, flipped_byte_anywhere_is_found)
{
	struct fx f;
	uint8_t *file;
	size_t size;

	fx_make(&f, 33, 300, 8192, 0);
	cr_assert_eq(aat_read_file(f.path, &file, &size), 0);
	/* a spread of positions over the whole file, headers included */
	for (size_t at = 7; at < size; at += size / 37 + 1) {
		file[at] ^= 0x01;
		cr_assert_eq(aat_write_file(f.path, file, size), 0);
		int rc = fx_run(&f, out, sizeof(out), err, sizeof(err), "verify -q cap.pcapng");
		cr_expect(rc == 1 || rc == 2, "flip at %zu of %zu: status %d", at, size, rc);
		cr_expect_neq(err[0], 0, "flip at %zu: a message", at);
		file[at] ^= 0x01;
	}
	free(file);
	fx_free(&f);
}

Test(cli_verify, truncated_and_unusable)
{
	struct fx f;
	struct stat st;

	fx_make(&f, 34, 500, 16384, 0);
	cr_assert_eq(stat(f.path, &st), 0);
	cr_assert_eq(truncate(f.path, st.st_size - 100), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify cap.pcapng"), 1);
	cr_expect(strstr(err, "cap.pcapng: offset "), "%s", err);

	/* cut inside its header blocks, nothing in it can be used */
	cr_assert_eq(truncate(f.path, 150), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify cap.pcapng"), 2);
	cr_expect_str_eq(out, "cap.pcapng: unusable\n");
	cr_expect(fx_starts(err, "aa-replay: cap.pcapng: offset "), "%s", err);

	char *other = aat_path(f.dir, "notes.txt");
	cr_assert_eq(aat_write_file(other, "hello, not a capture\n", 21), 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify notes.txt"), 2);
	cr_expect_str_eq(out, "notes.txt: unusable\n");
	cr_expect(fx_starts(err, "aa-replay: notes.txt: offset 0: "), "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify missing.pcapng"), 2);
	cr_expect_str_eq(err, "aa-replay: missing.pcapng: cannot open: No such file or directory\n");
	cr_expect_eq(fx_lines(err), 1, "%s", err);
	/* the worst status wins; every file gets its line */
	cr_expect_eq(fx_run(&f, out, sizeof(out), NULL, 0, "verify cap.pcapng notes.txt"), 2);
	cr_expect_eq(fx_lines(out), 2, "%s", out);
	free(other);
	fx_free(&f);
}

Test(cli_verify, usage)
{
	struct fx f;

	fx_make(&f, 35, 120, 0, 0);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify"), 2);
	cr_expect_str_eq(err, "aa-replay: verify: no FILE given (see 'aa-replay verify --help')\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify --nope cap.pcapng"), 2);
	cr_expect_str_eq(err, "aa-replay: verify: unknown option '--nope' (see 'aa-replay verify --help')\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "frobnicate"), 2);
	cr_expect_str_eq(err, "aa-replay: unknown command 'frobnicate' (see 'aa-replay --help')\n");
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "%s", ""), 2);
	cr_expect(strstr(err, "Usage: aa-replay COMMAND"), "%s", err);
	cr_expect_eq(fx_run(&f, out, sizeof(out), NULL, 0, "--version"), 0);
	cr_expect_str_eq(out, "aa-replay " AA_VERSION "\n");
	const char *cmds[] = { "info", "cat", "verify", "recover", "filter", "export" };
	for (size_t i = 0; i < 6; i++) {
		cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "%s --help", cmds[i]), 0);
		char want[64];
		snprintf(want, sizeof(want), "Usage: aa-replay %s ", cmds[i]);
		cr_expect(!strncmp(out, want, strlen(want)), "%s", out);
		cr_expect_str_empty(err);
	}
	fx_free(&f);
}

/* Another user's capture (0600) cannot be read: the line says why, and
 * whose it is. Run as nobody (needs root to switch; skipped without). */
Test(cli_verify, another_users_private_capture_is_explained)
{
	struct fx f;

	if (geteuid() != 0)
		cr_skip_test("needs root to run aa-replay as another user");
	fx_make(&f, 35, 300, 0, 0);
	/* nobody may pass through the directory and run the program, not read the file */
	cr_assert_eq(chmod(f.dir, 0755), 0);
	cr_assert_eq(chmod(f.path, 0600), 0);
	char cmd[4096];

	/* its stderr into our pipe: nobody cannot create a file in the directory */
	snprintf(cmd, sizeof(cmd), "cd '%s' && setpriv --reuid=65534 --regid=65534 --clear-groups "
		 "'%s' verify cap.pcapng 2>&1", f.dir, f.replay);
	cr_expect_eq(aat_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_expect_str_eq(out, "aa-replay: cap.pcapng: cannot open: Permission denied (capture files are "
			      "private to their owner, mode 0600: this one belongs to root)\n"
			      "cap.pcapng: unusable\n");
	/* the owner reads it */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "verify -q cap.pcapng"), 0, "%s", err);
	fx_free(&f);
}

/* SPDX-License-Identifier: MIT */
/*
 * A pcapng file that Wireshark's tools wrote is not a damaged capture file:
 * every command says so in one line, naming the program from the section
 * header's shb_userappl, and exits 2. The file is made here by text2pcap
 * (and passed through editcap), so it is what those tools really write.
 */
#include "cli_fixture.h"

static char out[1 << 16], err[1 << 14];

/* An Ethernet frame with a UDP datagram on 127.0.0.1, as text2pcap reads a hex dump. */
static const char hexdump[] =
	"0000  00 11 22 33 44 55 66 77 88 99 aa bb 08 00 45 00\n"
	"0010  00 1c 00 00 40 00 40 11 00 00 7f 00 00 01 7f 00\n"
	"0020  00 01 00 35 00 35 00 08 00 00\n";

/* A pcapng of two frames by text2pcap, then editcap, as f's cap.pcapng; skips without them. */
static void make_wireshark_file(struct fx *f)
{
	char cmd[2048];

	fx_init(f);
	if (aat_run("command -v text2pcap >/dev/null && command -v editcap >/dev/null", NULL, 0) != 0)
		cr_skip_test("text2pcap or editcap (package wireshark-common or tshark) not installed");
	char *hex = aat_path(f->dir, "frames.hex");
	char twice[sizeof(hexdump) * 2];
	snprintf(twice, sizeof(twice), "%s%s", hexdump, hexdump);
	cr_assert_eq(aat_write_file(hex, twice, strlen(twice)), 0);
	free(hex);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && text2pcap -q frames.hex t2p.pcapng 2>/dev/null && "
		 "editcap -F pcapng t2p.pcapng cap.pcapng", f->dir);
	cr_assert_eq(aat_run(cmd, NULL, 0), 0, "%s", cmd);
}

/* Every command: status 2 and exactly the one line want on stderr; no OUT made. */
static void every_command_says(struct fx *f, const char *in, const char *want)
{
	const char *cmds[] = { "info", "info --json", "cat", "cat --json", "verify", "recover",
			       "filter --type exec", "export --raw" };
	char line[512];

	snprintf(line, sizeof(line), "aa-replay: %s: %s\n", in, want);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int writes = !strncmp(cmds[i], "recover", 7) || !strncmp(cmds[i], "filter", 6) ||
			     !strncmp(cmds[i], "export", 6);
		int rc = fx_run(f, out, sizeof(out), err, sizeof(err), "%s %s%s", cmds[i], in,
				writes ? " out.x" : "");
		cr_expect_eq(rc, 2, "%s %s: status %d", cmds[i], in, rc);
		cr_expect_str_eq(err, line, "%s %s", cmds[i], in);
		if (!strcmp(cmds[i], "verify"))
			cr_expect(!strcmp(out, "cap.pcapng: unusable\n") || !strcmp(out, "-: unusable\n"),
				  "%s", out);
		else
			cr_expect_str_eq(out, "", "%s %s", cmds[i], in);
		char *o = aat_path(f->dir, "out.x");
		cr_expect_neq(access(o, F_OK), 0, "%s made an output", cmds[i]);
		free(o);
	}
}

/* "Text2pcap (Wireshark) 4.0.17 (...)" as the file says it: from its SHB's strings. */
static void file_writer(struct fx *f, char *appl, size_t size)
{
	uint8_t *file;
	size_t n;

	cr_assert_eq(aat_read_file(f->path, &file, &n), 0);
	cr_assert(n > 28 && aat_le32(file) == 0x0A0D0D0Au, "a pcapng section header first");
	uint32_t len = aat_le32(file + 4);
	appl[0] = 0;
	for (size_t at = 24; at + 4 <= len - 4;) { /* the SHB's options */
		uint16_t code = aat_le16(file + at), olen = aat_le16(file + at + 2);
		if (code == 0)
			break;
		if (code == 4) /* shb_userappl */
			snprintf(appl, size, "%.*s", (int)olen, (const char *)file + at + 4);
		at += 4 + ((olen + 3u) & ~3u);
	}
	free(file);
}

Test(cli_foreign, a_wireshark_pcapng_is_not_a_capture_file)
{
	struct fx f;
	char appl[256], want[512];

	make_wireshark_file(&f);
	file_writer(&f, appl, sizeof(appl));
	cr_assert(fx_starts(appl, "Text2pcap"), "the SHB says it was written by '%s'", appl);
	snprintf(want, sizeof(want), "not an aa capture file (pcapng from %s)", appl);
	every_command_says(&f, "cap.pcapng", want);
	/* read as a stream, the same */
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat - <cap.pcapng"), 2);
	snprintf(want, sizeof(want), "aa-replay: -: not an aa capture file (pcapng from %s)\n", appl);
	cr_expect_str_eq(err, want);
	fx_free(&f);
}

Test(cli_foreign, without_shb_userappl_the_writer_is_unknown)
{
	struct fx f;
	uint8_t *file;
	size_t n;

	make_wireshark_file(&f);
	/* the same file with its shb_userappl option turned into a comment */
	cr_assert_eq(aat_read_file(f.path, &file, &n), 0);
	uint32_t len = aat_le32(file + 4);
	int found = 0;
	for (size_t at = 24; at + 4 <= len - 4;) {
		uint16_t code = aat_le16(file + at), olen = aat_le16(file + at + 2);
		if (code == 0)
			break;
		if (code == 4) {
			file[at] = 1; /* opt_comment */
			found = 1;
		}
		at += 4 + ((olen + 3u) & ~3u);
	}
	cr_assert(found, "text2pcap wrote no shb_userappl");
	cr_assert_eq(aat_write_file(f.path, file, n), 0);
	free(file);
	every_command_says(&f, "cap.pcapng", "not an aa capture file (pcapng from unknown writer)");
	fx_free(&f);
}

/* The control: a capture file whose interface block is damaged is damaged, not foreign. */
Test(cli_foreign, a_capture_file_with_a_bad_link_type_is_damaged)
{
	struct fx f;
	uint8_t *file;
	size_t n;
	struct aat_block *b;

	fx_make(&f, 91, 300, 0, 0);
	cr_assert_eq(aat_read_file(f.path, &file, &n), 0);
	long nb = aat_blocks(file, n, &b);
	cr_assert_gt(nb, 2);
	cr_assert_eq(b[1].type, AA_PCAPNG_IDB);
	file[b[1].off + 8] = 1; /* LINKTYPE_ETHERNET */
	cr_assert_eq(aat_write_file(f.path, file, n), 0);
	free(b);
	free(file);
	cr_expect_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info cap.pcapng"), 1, "%s", err);
	cr_expect(strstr(err, "link type 1 is not LINKTYPE_USER0..15"), "%s", err);
	cr_expect(!strstr(err, "not an aa capture file"), "%s", err);
	fx_free(&f);
}

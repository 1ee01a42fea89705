/* SPDX-License-Identifier: MIT */
/*
 * gen_session: writes a session-like raw record stream ([u32 little-endian
 * length][bytes] per record, the input of `aa-capture -r`) to standard
 * output, the same for the same seed.
 *
 *   gen_session [--seed N] (--records N | --bytes N) [--fixture] [--golden FILE]
 *
 * --fixture mixes in three records of unknown sizes and one invalid record
 * at fixed places; --golden writes what the stream holds (counts per type
 * and the exact fields of a few records) for tests/test_fixture.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aa_error.h"
#include "files.h"
#include "golden.h"
#include "parse.h"
#include "session.h"

static void usage(void)
{
	fprintf(stderr, "usage: gen_session [--seed N] (--records N | --bytes N) [--fixture] "
			"[--golden FILE]\n");
	exit(2);
}

static uint64_t number(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

/* One golden line for a record the golden file shows. */
static void golden_record(FILE *g, uint64_t index, const uint8_t *rec, size_t len)
{
	struct aa_event ev;
	char line[1200];
	aa_parse(rec, len, &ev);
	aat_golden_line(&ev, index, line, sizeof(line));
	fprintf(g, "%s\n", line);
}

/* The fixture's odd records, at fixed places: three unknown sizes, one invalid. */
static size_t odd_record(struct aat_session *s, uint64_t index, uint8_t *buf)
{
	static const size_t unknown_len[] = {24, 1000, 5000};
	switch (index) {
	case 10:
	case 400:
	case 777: {
		size_t len = unknown_len[index == 10 ? 0 : index == 400 ? 1 : 2];
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(index + i * 31);
		return len;
	}
	case 500: { /* a file record the kernel side got wrong: syscall out of range */
		size_t len;
		do
			len = aat_session_next(s, buf);
		while (len != AA_FILE_EVENT_SIZE);
		((struct aa_file_event *)buf)->syscall = 7;
		return len;
	}
	default:
		return 0;
	}
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, records = 0, bytes = 0;
	int fixture = 0;
	const char *golden = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fixture"))
			fixture = 1;
		else if (i + 1 >= argc)
			usage();
		else if (!strcmp(argv[i], "--seed"))
			seed = number(argv[++i]);
		else if (!strcmp(argv[i], "--records"))
			records = number(argv[++i]);
		else if (!strcmp(argv[i], "--bytes"))
			bytes = number(argv[++i]);
		else if (!strcmp(argv[i], "--golden"))
			golden = argv[++i];
		else
			usage();
	}
	if (!records == !bytes)
		usage();
	FILE *g = golden ? fopen(golden, "w") : NULL;
	if (golden && !g) {
		fprintf(stderr, "gen_session: %s: %s\n", golden, strerror(errno));
		return 2;
	}

	struct aat_session s;
	aat_session_init(&s, seed, 5000000000ull);
	static uint8_t buf[8192] __attribute__((aligned(8)));
	uint64_t n = 0, total = 0, by_type[AA_TYPE_COUNT] = {0}, invalid = 0;
	int64_t first_of[AA_TYPE_COUNT];
	memset(first_of, -1, sizeof(first_of));
	int tls_piece_seen = 0; /* the golden file shows one second piece of a TLS call */
	for (;;) {
		if (records ? n >= records : total >= bytes)
			break;
		size_t len = fixture ? odd_record(&s, n, buf) : 0;
		if (!len)
			len = aat_session_next(&s, buf);
		uint8_t hdr[4];
		aat_put_le32(hdr, (uint32_t)len);
		if (fwrite(hdr, 4, 1, stdout) != 1 || fwrite(buf, len, 1, stdout) != 1) {
			fprintf(stderr, "gen_session: write: %s\n", strerror(errno));
			return 2;
		}
		struct aa_event ev;
		int err = aa_parse(buf, len, &ev);
		by_type[ev.type]++;
		invalid += err != 0;
		int second_piece = ev.type == AA_TYPE_TLS && ev.tls->seq == 1 && !tls_piece_seen;
		if (g && (first_of[ev.type] < 0 || err || ev.type == AA_TYPE_UNKNOWN ||
			  second_piece || n + 1 == records)) {
			golden_record(g, n, buf, len);
			if (first_of[ev.type] < 0)
				first_of[ev.type] = (int64_t)n;
			tls_piece_seen |= second_piece;
		}
		n++;
		total += 4 + len;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gen_session: write: %s\n", strerror(errno));
		return 2;
	}
	if (g) {
		fprintf(g, "records\t%" PRIu64 "\n", n);
		for (int t = 0; t < AA_TYPE_COUNT; t++)
			fprintf(g, "%s\t%" PRIu64 "\n", aa_type_name((enum aa_type)t), by_type[t]);
		fprintf(g, "invalid\t%" PRIu64 "\n", invalid);
		fprintf(g, "bytes_raw\t%" PRIu64 "\n", total - 4 * n);
		if (fclose(g) != 0)
			return 2;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Other tools read our files: libpcap's pcap_open_offline sees every chunk
 * block as one packet of LINKTYPE_USER0 with nanosecond time stamps, also
 * for chunks of incompressible records near the 256 KiB block limit, and
 * Wireshark's capinfos opens the file without error.
 */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "capfile.h"
#include "capio.h"
#include "files.h"
#include "gen.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(pcap);

/* Reads the file with libpcap and checks each packet against the chunk block it must be. */
static void pcap_reads_every_chunk(const char *path)
{
	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b);
	cr_assert_gt(nb, 0);

	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	cr_assert_not_null(p, "pcap_open_offline: %s", errbuf);
	cr_expect_eq(pcap_datalink(p), 147, "LINKTYPE_USER0");
	cr_expect_eq(pcap_get_tstamp_precision(p), PCAP_TSTAMP_PRECISION_NANO);

	struct pcap_pkthdr *h;
	const u_char *data;
	long k = 0, packets = 0, chunks = 0, records_chunks = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		while (k < nb && !b[k].kind)
			k++;
		cr_assert_lt(k, nb, "more packets than chunk blocks");
		cr_expect_eq(h->caplen, b[k].data_len, "packet %ld", packets);
		cr_expect_eq(h->len, b[k].data_len);
		cr_expect_eq(memcmp(data, file + b[k].data_off, h->caplen), 0, "packet %ld", packets);
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		cr_expect_eq(ts, aat_le64(file + b[k].data_off + AA_CH_WRITTEN_NS),
			     "packet %ld: time stamp in ns is the chunk's written_ns", packets);
		records_chunks += b[k].kind == AA_CHUNK_RECORDS;
		packets++;
		k++;
	}
	cr_expect_eq(rc, PCAP_ERROR_BREAK, "pcap_next_ex ended with %d: %s", rc, pcap_geterr(p));
	for (long i = 0; i < nb; i++)
		chunks += b[i].kind != 0;
	cr_expect_eq(packets, chunks, "libpcap read %ld packets of %ld chunk blocks", packets, chunks);
	cr_expect_geq(records_chunks, 2);

	/* META + record chunks + stats + END, as the library counts them too */
	struct aat_recs back = {0};
	struct aa_source_stats st;
	cr_assert_eq(aat_read_capture(path, NULL, &back, &st, NULL), 0);
	cr_expect_eq((long)st.chunks, records_chunks);
	pcap_close(p);
	aat_recs_free(&back);
	free(b);
	free(file);
}

Test(pcap, mixed_records)
{
	struct aat_recs recs = {0};
	aat_mix(11, 3000, 8000, &recs, NULL);
	char *path = aat_path(dir, "mixed.pcapng");
	struct aa_writer_opts wo = {.chunk_raw_max = 65536};
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &wo, 500, NULL), 0);
	pcap_reads_every_chunk(path);
	aat_recs_free(&recs);
	free(path);
}

/* Random bytes do not compress: each block is as large as a chunk can make it. */
Test(pcap, incompressible_chunks_at_the_limit)
{
	struct aat_rng r;
	aat_rng_seed(&r, 12);
	struct aat_recs recs = {0};
	static uint8_t buf[AA_RECORD_MAX];
	for (int i = 0; i < 12; i++) {
		size_t len = i % 3 == 0 ? AA_RECORD_MAX : 1 + aat_below(&r, 100000);
		aat_fill(&r, buf, len);
		aat_recs_add(&recs, buf, len);
	}
	char *path = aat_path(dir, "random.pcapng");
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, NULL, 0, NULL), 0);

	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b);
	size_t largest = 0;
	for (long i = 0; i < nb; i++)
		if (b[i].len > largest)
			largest = b[i].len;
	cr_expect_leq(largest, AA_BLOCK_MAX);
	cr_expect_gt(largest, AA_BLOCK_MAX - 8192, "largest block %zu: the test must reach the limit",
		     largest);
	free(b);
	free(file);
	pcap_reads_every_chunk(path);
	aat_recs_free(&recs);
	free(path);
}

Test(pcap, capinfos_opens_the_file)
{
	struct aat_recs recs = {0};
	aat_mix(13, 500, 8000, &recs, NULL);
	char *path = aat_path(dir, "ci.pcapng");
	struct aa_writer_opts wo = {.chunk_raw_max = 16384};
	cr_assert_eq(aat_write_capture(path, &recs, 0, recs.n, &wo, 0, NULL), 0);

	uint8_t *file;
	size_t size;
	cr_assert_eq(aat_read_file(path, &file, &size), 0);
	struct aat_block *b;
	long nb = aat_blocks(file, size, &b), chunks = 0;
	for (long i = 0; i < nb; i++)
		chunks += b[i].kind != 0;
	free(b);
	free(file);

	char cmd[600], out[4096];
	snprintf(cmd, sizeof(cmd), "capinfos -c -E -T -M '%s'", path);
	int rc = aat_run(cmd, out, sizeof(out));
	cr_assert_eq(rc, 0, "capinfos exit %d (make deps installs tshark): %s", rc, out);
	/* -T: a table row "file<TAB>encapsulation<TAB>packets" */
	char *row = strchr(out, '\n');
	cr_assert_not_null(row, "capinfos printed: %s", out);
	char name[512], encap[128];
	long packets = -1;
	cr_assert_eq(sscanf(row + 1, "%511[^\t]\t%127[^\t]\t%ld", name, encap, &packets), 3,
		     "capinfos printed: %s", out);
	cr_expect_eq(packets, chunks, "capinfos counts %ld packets, the file has %ld chunks", packets,
		     chunks);
	cr_expect_str_eq(encap, "user0", "capinfos's name for LINKTYPE_USER0");
	aat_recs_free(&recs);
	free(path);
}

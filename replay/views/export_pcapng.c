/* SPDX-License-Identifier: MIT */
/*
 * aa-replay export --pcapng: one packet per record, its bytes exactly as
 * captured, uncompressed, in capture order, for Wireshark and tshark with
 * the aa.lua dissector (replay/wireshark/). The interface is
 * LINKTYPE_USER1 (148), not USER0 (147): an aa capture file's own chunks
 * are USER0, so a user's Wireshark setting for one never misreads the
 * other. Each packet's time is the record's wall-clock time, in ns.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "pcapng.h"

#define LINKTYPE_USER1 148u
#define SNAPLEN 262144u

int export_pcapng(struct cli_input *in, FILE *out)
{
	uint8_t blk[AA_SMALL_BLOCK_MAX];
	struct aa_shb_info shb = { .userappl = "records exported by " CLI_PROG " " AA_VERSION " (export --pcapng)" };
	const struct aa_record *rec;
	uint8_t *pkt = NULL;
	size_t cap = 0, n;
	int status = CLI_OK;

	n = aa_pcapng_shb(blk, &shb);
	fwrite(blk, 1, n, out);
	n = aa_pcapng_idb(blk, LINKTYPE_USER1, SNAPLEN, "aa",
			  "aa ring-buffer records, one per packet (Wireshark: aa.lua)");
	fwrite(blk, 1, n, out);
	while (cli_next(in, &rec, &status) == 1) {
		size_t need = AA_EPB_HEAD + rec->ev.len + 8;

		if (need > cap) { /* at most the largest record, itself within one chunk */
			uint8_t *p = realloc(pkt, need);

			if (!p) {
				cli_err("out of memory");
				status = CLI_USAGE;
				break;
			}
			pkt = p;
			cap = need;
		}
		memcpy(pkt + AA_EPB_HEAD, rec->ev.raw, rec->ev.len);
		n = aa_pcapng_epb_frame(pkt, rec->time_ns, rec->ev.len);
		fwrite_unlocked(pkt, 1, n, out);
		if (ferror_unlocked(out))
			break;
	}
	free(pkt);
	return status;
}

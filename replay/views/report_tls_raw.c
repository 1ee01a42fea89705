/* SPDX-License-Identifier: MIT */
/*
 * The report's TLS conversations without decoding: each call's plaintext
 * as recorded, piece by piece, with the connection it used (tls_conn). The
 * page groups them by connection and shows them as escaped text.
 */
#include <string.h>

#include "cli.h"
#include "print_enc.h"
#include "report.h"

/* Plaintext bytes put into the page at most; past that, pieces are only counted. */
#define REPORT_TLS_MAX (64u << 20)

int report_tls(FILE *j, const char *const *paths, size_t npaths, uint64_t base_ns)
{
	struct cli_input in = { .ordered = cli_all_regular_files(paths, npaths), .quiet_damage = 1 };
	const struct aa_record *rec;
	struct aa_filter f = { .types = AA_TYPE_BIT(AA_TYPE_TLS) };
	uint64_t bytes = 0, omitted = 0, n = 0;
	char ep[2][AA_ENDPOINT_BUF];
	int status;

	if ((status = cli_open(&in, paths, npaths, &f)) != CLI_OK)
		return status;
	fputs(",\"tls\":{\"decoded\":false,\"pieces\":[", j);
	while (cli_next(&in, &rec, &status) == 1) {
		const struct aa_tls_event *e = rec->ev.tls;
		const struct aa_tls_conn_event *c = rec->joins ? rec->joins->tls_conn : NULL;
		uint32_t len = rec->ev.error ? 0 : aa_tls_piece_len(e);

		if (rec->ev.error)
			continue;
		if (bytes + len > REPORT_TLS_MAX) {
			omitted++;
			continue;
		}
		bytes += len;
		/* {conn, pid, t, dir, seq, data_len, peer, local, text} */
		fprintf(j, "%s{\"conn\":%llu,\"pid\":%u,\"t\":%llu,\"dir\":\"%s\",\"seq\":%u,\"len\":%u",
			n++ ? "," : "", c ? (unsigned long long)c->conn : 0ull, e->pid,
			(unsigned long long)(rec->time_ns - base_ns),
			e->direction == AA_TLS_WRITE ? "write" : "read", e->seq, e->data_len);
		if (c)
			fprintf(j, ",\"local\":\"%s\",\"peer\":\"%s\"",
				aa_format_endpoint(ep[0], c->family, c->local_addr, c->local_port),
				aa_format_endpoint(ep[1], c->family, c->peer_addr, c->peer_port));
		fputs(",\"text\":", j);
		aa_enc_json_string(j, e->payload, len);
		putc('}', j);
	}
	fprintf(j, "],\"omitted\":%llu}", (unsigned long long)omitted);
	return cli_close(&in, status);
}

/* SPDX-License-Identifier: MIT */
#include "tlspeer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aat_stream_add(struct aat_stream *s, const struct aa_tls_event *t)
{
	uint32_t n = aa_tls_piece_len(t);
	char *d = realloc(s->data, s->len + n + 1);

	if (!d) {
		fprintf(stderr, "aat_stream: out of memory\n");
		abort();
	}
	s->data = d;
	memcpy(s->data + s->len, t->payload, n);
	s->len += n;
	s->data[s->len] = 0;
}

int aat_stream_has(const struct aat_stream *s, const char *text)
{
	return s->data && memmem(s->data, s->len, text, strlen(text)) != NULL;
}

void aat_tls_peer_add(struct aat_tls_peer *p, const struct aa_event *ev, int port)
{
	if (ev->type == AA_TYPE_TLS_CONN && ev->tls_conn->pid == p->pid) {
		const struct aa_tls_conn_event *c = ev->tls_conn;

		p->conns++;
		p->conns_lib += c->lib == p->lib;
		p->conns_to_port += c->peer_port == port || c->local_port == port;
		p->conns_fd += c->fd >= 0 && c->conn != 0;
		p->last_lib = c->lib;
	} else if (ev->type == AA_TYPE_TLS && ev->tls->pid == p->pid) {
		const struct aa_tls_event *t = ev->tls;
		int out = t->direction == AA_TLS_WRITE;
		uint32_t *max = out ? &p->max_out : &p->max_in;

		aat_stream_add(out ? &p->out : &p->in, t);
		if (t->data_len > *max)
			*max = t->data_len;
		p->pieces++;
		p->split_calls += t->seq == 1;
		p->out_of_order += t->seq != p->next_seq;
		p->next_seq = (t->seq + 1) * AA_TLS_PAYLOAD_MAX < t->data_len ? t->seq + 1 : 0;
	}
}

void aat_tls_peer_free(struct aat_tls_peer *p)
{
	free(p->out.data);
	free(p->in.data);
	p->out = p->in = (struct aat_stream){ 0 };
}

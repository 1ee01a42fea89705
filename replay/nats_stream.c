/* SPDX-License-Identifier: MIT */
/* Sessions and chunk messages of a JetStream stream (nats_stream.h). */
#include "nats_stream.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aa_error.h"
#include "capfile.h"
#include "meta_codec.h"
#include "nats_int.h"
#include "pcapng.h"

int nats_fail(char *why, size_t n, const char *what, const char *url)
{
	snprintf(why, n, "%s: %s: %s", url, what, nats_GetLastError(NULL));
	return AA_E_IO;
}

int aa_nats_connect(struct aa_nats **np, const char *url, const struct aa_nats_opts *o,
		    char *why, size_t why_len)
{
	struct aa_nats *n = calloc(1, sizeof(*n));
	natsStatus st;

	*np = NULL;
	if (!n) {
		snprintf(why, why_len, "out of memory");
		return AA_E_NOMEM;
	}
	snprintf(n->url_text, sizeof(n->url_text), "%s", url);
	n->timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 5000;
	if (aa_ship_url_parse(&n->url, url, why, why_len) != 0) {
		aa_nats_close(n);
		return AA_E_INVAL;
	}
	st = natsOptions_Create(&n->opts);
	if (st == NATS_OK)
		st = natsOptions_SetServers(n->opts, n->url.servers, n->url.nservers);
	if (st == NATS_OK)
		st = natsOptions_SetName(n->opts, "aa-replay");
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(n->opts, n->timeout_ms);
	if (st == NATS_OK)
		st = natsOptions_SetMaxReconnect(n->opts, 20);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectWait(n->opts, 250);
	if (st == NATS_OK && o && o->creds)
		st = aa_ship_creds_set(n->opts, &n->creds, o->creds);
	if (st == NATS_OK && ((o && o->tls_ca) || n->url.tls))
		st = natsOptions_SetSecure(n->opts, true);
	if (st == NATS_OK && o && o->tls_ca)
		st = natsOptions_LoadCATrustedCertificates(n->opts, o->tls_ca);
	if (st == NATS_OK)
		st = aa_ship_creds_connect(&n->nc, n->opts, &n->creds);
	if (st != NATS_OK) {
		int rc = nats_fail(why, why_len, "cannot connect", url);
		aa_nats_close(n);
		return rc;
	}
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.Wait = n->timeout_ms;
	if (natsConnection_JetStream(&n->js, n->nc, &jo) != NATS_OK) {
		int rc = nats_fail(why, why_len, "JetStream", url);
		aa_nats_close(n);
		return rc;
	}
	*np = n;
	return 0;
}

const uint8_t *nats_last_block(const uint8_t *b, size_t len, char *why, size_t why_len)
{
	size_t at = 0;

	while (at < len) {
		if (len - at < 12) {
			snprintf(why, why_len, "%zu bytes left over after the blocks", len - at);
			return NULL;
		}
		uint32_t type = aa_get32(b + at), blen = aa_get32(b + at + 4);
		if (blen < 12 || blen % 4 || blen > len - at || aa_get32(b + at + blen - 4) != blen) {
			snprintf(why, why_len, "no pcapng block at byte %zu", at);
			return NULL;
		}
		if (type == AA_PCAPNG_EPB) {
			if (at + blen != len) {
				snprintf(why, why_len, "blocks after its chunk");
				return NULL;
			}
			if (blen < AA_EPB_HEAD + AA_CHUNK_HEADER_SIZE + 4 ||
			    aa_get32(b + at + AA_EPB_HEAD) != AA_CHUNK_MAGIC) {
				snprintf(why, why_len, "a packet block that holds no chunk");
				return NULL;
			}
			return b + at;
		}
		if (type != AA_PCAPNG_SHB && type != AA_PCAPNG_IDB && type != AA_PCAPNG_ISB) {
			snprintf(why, why_len, "a block of type 0x%x", type);
			return NULL;
		}
		at += blen;
	}
	snprintf(why, why_len, "no chunk in it");
	return NULL;
}

static uint64_t chunk_written_ns(natsMsg *m)
{
	char why[80];
	const uint8_t *epb = nats_last_block((const uint8_t *)natsMsg_GetData(m),
					(size_t)natsMsg_GetDataLength(m), why, sizeof(why));
	return epb ? aa_get64(epb + AA_EPB_HEAD + AA_CH_WRITTEN_NS) : 0;
}

int nats_chunk_of(natsMsg *m, struct aa_chunk_hdr *h, const uint8_t **stored)
{
	char why[80];
	const uint8_t *epb = nats_last_block((const uint8_t *)natsMsg_GetData(m),
					     (size_t)natsMsg_GetDataLength(m), why, sizeof(why));
	if (!epb)
		return -1;
	uint64_t ts = (uint64_t)aa_get32(epb + 12) << 32 | aa_get32(epb + 16);
	uint32_t caplen = aa_get32(epb + 20);
	if (caplen > aa_get32(epb + 4) - AA_EPB_HEAD - 4 ||
	    aa_chunk_check(epb + AA_EPB_HEAD, caplen, ts, h, stored, why) != 0)
		return -1;
	return 0;
}

/* A message's chunk, checked and decompressed into out (AA_CHUNK_RAW_MAX):
 * 0, or -1 when it is not a whole chunk. */
static int chunk_body(ZSTD_DCtx *dctx, natsMsg *m, struct aa_chunk_hdr *h, uint8_t *out)
{
	char why[80];
	const uint8_t *stored;

	if (nats_chunk_of(m, h, &stored) != 0 || aa_chunk_decompress(dctx, h, stored, out, why) != 0)
		return -1;
	return 0;
}

/* The session's clock from its first message (META), and its record times
 * from its last (END of its only file: the first and last time stamps). */
static void find_times(struct aa_nats_session *s, natsMsg *first, natsMsg *last)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	uint8_t *buf = malloc(AA_CHUNK_RAW_MAX);
	struct aa_chunk_hdr h;
	struct aa_file_meta meta;
	const char *file_seq = NULL;

	if (!dctx || !buf || chunk_body(dctx, first, &h, buf) != 0 || h.kind != AA_CHUNK_META ||
	    aa_meta_decode(buf, h.raw_len, &meta) != 0)
		goto out;
	int64_t off = meta.mono_to_wall;
	s->have_clock = 1;
	s->mono_to_wall = off;
	s->reorder_ns = aa_meta_reorder_ns(&meta);
	/* several files: the END of the last one does not bound the first */
	if (natsMsgHeader_Get(last, AA_SHIP_HDR_FILE_SEQ, &file_seq) != NATS_OK || !file_seq ||
	    strcmp(file_seq, "0") != 0)
		goto out;
	s->one_file = 1;
	if (chunk_body(dctx, last, &h, buf) != 0 || h.kind != AA_CHUNK_END ||
	    h.raw_len < sizeof(struct aa_end_body))
		goto out;
	uint64_t first_ts = aa_get64(buf + offsetof(struct aa_end_body, first_ts));
	uint64_t last_ts = aa_get64(buf + offsetof(struct aa_end_body, last_ts));
	if (aa_get64(buf + offsetof(struct aa_end_body, records)) == 0)
		s->empty = 1;
	else if (first_ts && last_ts >= first_ts) {
		s->first_wall = first_ts + (uint64_t)off;
		s->last_wall = last_ts + (uint64_t)off;
	}
out:
	free(buf);
	ZSTD_freeDCtx(dctx);
}

int aa_nats_session_in_time(const struct aa_nats_session *s, uint64_t since_ns, uint64_t until_ns)
{
	if (!since_ns && !until_ns)
		return 1;
	if (s->empty)
		return 0;
	if (!s->first_wall)
		return 1;
	return !(since_ns && s->last_wall < since_ns) && !(until_ns && s->first_wall >= until_ns);
}

/* "aa.HOST.SESSION": 0, or -1 when the subject is not a session's. */
static int split_subject(const char *subj, struct aa_nats_session *s)
{
	const char *h = subj + 3, *dot;

	if (strncmp(subj, "aa.", 3) != 0 || !(dot = strchr(h, '.')) || dot == h ||
	    strchr(dot + 1, '.') || !dot[1] || (size_t)(dot - h) >= sizeof(s->host) ||
	    strlen(dot + 1) >= sizeof(s->session))
		return -1;
	snprintf(s->subject, sizeof(s->subject), "%s", subj);
	snprintf(s->host, sizeof(s->host), "%.*s", (int)(dot - h), h);
	snprintf(s->session, sizeof(s->session), "%s", dot + 1);
	return 0;
}

static void find_ends(struct aa_nats *n, struct aa_nats_session *s, int direct)
{
	natsMsg *m = NULL, *first = NULL;
	jsDirectGetMsgOptions dg;
	jsOptions jo;

	jsOptions_Init(&jo);
	jo.Wait = n->timeout_ms;
	jsDirectGetMsgOptions_Init(&dg);
	dg.Sequence = 1;
	dg.NextBySubject = s->subject;
	/* (a stream without allow_direct would only answer after the timeout) */
	if (direct && js_DirectGetMsg(&m, n->js, n->url.stream, &jo, &dg) == NATS_OK) {
		s->first_seq = natsMsg_GetSequence(m);
		s->first_ns = chunk_written_ns(m);
		first = m;
		m = NULL;
	}
	if (js_GetLastMsg(&m, n->js, n->url.stream, s->subject, &jo, NULL) == NATS_OK) {
		s->last_seq = natsMsg_GetSequence(m);
		s->last_ns = chunk_written_ns(m);
		if (first)
			find_times(s, first, m);
		natsMsg_Destroy(m);
	}
	natsMsg_Destroy(first);
}

static int by_start(const void *a, const void *b)
{
	const struct aa_nats_session *x = a, *y = b;
	uint64_t kx = x->first_seq ? x->first_seq : x->last_seq;
	uint64_t ky = y->first_seq ? y->first_seq : y->last_seq;
	return kx < ky ? -1 : kx > ky;
}

int aa_nats_sessions(struct aa_nats *n, const struct aa_nats_opts *o,
		     struct aa_nats_session **list, size_t *count, char *why, size_t why_len)
{
	char filter[128], tok[80];
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	jsOptions jo;

	*list = NULL;
	*count = 0;
	if (o && o->host)
		aa_ship_host_token(o->host, tok, sizeof(tok));
	snprintf(filter, sizeof(filter), "aa.%s.*", o && o->host ? tok : "*");
	jsOptions_Init(&jo);
	jo.Wait = n->timeout_ms;
	jo.Stream.Info.SubjectsFilter = filter;
	natsStatus st = js_GetStreamInfo(&si, n->js, n->url.stream, &jo, &jerr);
	if (st == NATS_NOT_FOUND) {
		snprintf(why, why_len, "%s: no stream %s on the server", n->url_text, n->url.stream);
		return AA_E_INVAL;
	}
	if (st != NATS_OK)
		return nats_fail(why, why_len, "stream information", n->url_text);
	int total = si->State.Subjects ? si->State.Subjects->Count : 0;
	struct aa_nats_session *l = calloc(total ? (size_t)total : 1, sizeof(*l));
	size_t k = 0;
	if (!l) {
		jsStreamInfo_Destroy(si);
		snprintf(why, why_len, "out of memory");
		return AA_E_NOMEM;
	}
	for (int i = 0; i < total; i++) {
		struct aa_nats_session *s = &l[k];
		const jsStreamStateSubject *ss = &si->State.Subjects->List[i];
		if (split_subject(ss->Subject, s) != 0)
			continue;
		if (o && o->session && strncasecmp(s->session, o->session, strlen(o->session)) != 0)
			continue;
		s->msgs = ss->Msgs;
		snprintf(s->name, sizeof(s->name), "%s/%s/%s", n->url_text, s->host, s->session);
		find_ends(n, s, si->Config && si->Config->AllowDirect);
		k++;
	}
	jsStreamInfo_Destroy(si);
	qsort(l, k, sizeof(*l), by_start);
	*list = l;
	*count = k;
	return 0;
}

natsStatus nats_direct_get(struct aa_nats *n, const struct aa_nats_session *s, uint64_t seq,
			   natsMsg **m)
{
	jsDirectGetMsgOptions dg;
	jsOptions jo;

	jsOptions_Init(&jo);
	jo.Wait = n->timeout_ms;
	jsDirectGetMsgOptions_Init(&dg);
	dg.Sequence = seq;
	dg.NextBySubject = s->subject;
	natsStatus st = js_DirectGetMsg(m, n->js, n->url.stream, &jo, &dg);
	if (st == NATS_OK) {
		n->stats.messages++;
		n->stats.bytes += (uint64_t)natsMsg_GetDataLength(*m);
	}
	return st;
}

void aa_nats_get_stats(const struct aa_nats *n, struct aa_nats_stats *st)
{
	*st = n->stats;
}

int aa_nats_cursor_open(struct aa_nats *n, const struct aa_nats_session *s, uint64_t since_ns,
			uint64_t until_ns, struct aa_nats_cursor **cp, char *why, size_t why_len)
{
	struct aa_nats_cursor *c = calloc(1, sizeof(*c));
	jsSubOptions so;
	jsOptions jo;
	jsErrCode jerr = 0;
	uint64_t start = 0;

	*cp = NULL;
	if (!c) {
		snprintf(why, why_len, "out of memory");
		return AA_E_NOMEM;
	}
	c->n = n;
	c->s = s;
	if (since_ns || until_ns)
		nats_seek_setup(c, since_ns, until_ns, &start);
	jsOptions_Init(&jo);
	jo.Wait = n->timeout_ms;
	jsSubOptions_Init(&so);
	so.Stream = n->url.stream;
	so.Config.DeliverPolicy = start ? js_DeliverByStartSequence : js_DeliverAll;
	so.Config.OptStartSeq = start;
	so.Config.AckPolicy = js_AckNone;
	so.Config.MemoryStorage = true;
	so.Config.InactiveThreshold = 60ll * 1000000000ll;
	if (js_PullSubscribe(&c->sub, n->js, s->subject, NULL, &jo, &so, &jerr) != NATS_OK) {
		int rc = nats_fail(why, why_len, "cannot read", s->name);
		natsMsg_Destroy(c->head);
		free(c);
		return rc;
	}
	*cp = c;
	return 0;
}

static void drop_msg(struct aa_nats_cursor *c)
{
	natsMsg_Destroy(c->msg);
	c->msg = NULL;
}

static int header_u32(natsMsg *m, const char *key, uint32_t *v)
{
	const char *s = NULL;
	char *end;

	if (natsMsgHeader_Get(m, key, &s) != NATS_OK || !s || !*s)
		return -1;
	unsigned long x = strtoul(s, &end, 10);
	if (*end || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* A message as a chunk of the session: 1 good, 0 a resend, -1 bad (why). */
static int take(struct aa_nats_cursor *c, natsMsg *msg, struct aa_nats_msg *m, int64_t *chunk,
		char *why, size_t why_len)
{
	const uint8_t *b = (const uint8_t *)natsMsg_GetData(msg);
	size_t len = (size_t)natsMsg_GetDataLength(msg);
	uint32_t hdr_index, file_seq;
	int have_index = header_u32(msg, AA_SHIP_HDR_CHUNK, &hdr_index) == 0;

	*chunk = have_index ? (int64_t)hdr_index : -1;
	const uint8_t *epb = nats_last_block(b, len, why, why_len);
	if (!epb)
		return -1;
	const uint8_t *data = epb + AA_EPB_HEAD;
	m->index = aa_get32(data + AA_CH_INDEX);
	m->kind = data[AA_CH_KIND];
	*chunk = m->index;
	if (have_index && hdr_index != m->index) {
		snprintf(why, why_len, "its header says chunk %u, its chunk is %u", hdr_index, m->index);
		return -1;
	}
	if (header_u32(msg, AA_SHIP_HDR_FILE_SEQ, &file_seq) != 0) {
		/* without the header: each META chunk after the first starts the next file */
		if (m->kind == AA_CHUNK_META && c->seen_any)
			c->file_guess++;
		file_seq = c->file_guess;
	}
	c->seen_any = 1;
	m->file_seq = file_seq;
	m->bytes = b;
	m->len = len;
	if (c->have_last && (file_seq < c->last_file ||
			     (file_seq == c->last_file && m->index <= c->last_index)))
		return 0; /* sent again (after a restart): read once */
	c->have_last = 1;
	c->last_file = file_seq;
	c->last_index = m->index;
	return 1;
}

int aa_nats_cursor_next(struct aa_nats_cursor *c, struct aa_nats_msg *m, aa_nats_bad_fn bad,
			void *user, char *why, size_t why_len)
{
	drop_msg(c);
	for (;;) {
		natsMsgList list = { 0 };
		jsErrCode jerr = 0;
		natsMsg *msg;
		uint64_t seq = 0;

		if (c->head) { /* the META, fetched alone: the rest starts further on */
			msg = c->head;
			c->head = NULL;
			seq = natsMsg_GetSequence(msg);
		} else {
			if (c->ended)
				return 0;
			natsStatus st = natsSubscription_Fetch(&list, c->sub, 1, c->n->timeout_ms, &jerr);
			if (st != NATS_OK || list.Count < 1) {
				natsMsgList_Destroy(&list);
				return nats_fail(why, why_len, "no message from the server", c->s->name);
			}
			msg = list.Msgs[0];
			list.Msgs[0] = NULL;
			natsMsgList_Destroy(&list);
			c->n->stats.messages++;
			c->n->stats.bytes += (uint64_t)natsMsg_GetDataLength(msg);
			jsMsgMetaData *md = NULL;
			if (natsMsg_GetMetaData(&md, msg) == NATS_OK) {
				seq = md->Sequence.Stream;
				c->ended = md->NumPending == 0;
				jsMsgMetaData_Destroy(md);
			}
		}
		char bad_why[128];
		int64_t chunk = -1;
		int rc = take(c, msg, m, &chunk, bad_why, sizeof(bad_why));
		enum nats_seek_verdict v = rc == 1 && c->seek ? nats_seek_judge(c, msg, m) : NATS_TAKE;
		if (rc == 1 && v == NATS_STOP) {
			natsMsg_Destroy(msg);
			c->cut = 1;
			c->ended = 1;
			c->n->stats.sessions_cut++;
			return 0;
		}
		if (rc == 1 && v == NATS_LEAVE) {
			natsMsg_Destroy(msg);
			c->skipped = 1;
			c->n->stats.chunks_skipped++;
			continue;
		}
		if (rc == 1) {
			if (c->seek)
				nats_seek_handed_out(c, m);
			c->msg = msg;
			m->seq = seq;
			return 1;
		}
		if (rc < 0 && bad) {
			char where[200];
			if (chunk < 0 && c->have_last) /* where it sits in the session */
				snprintf(where, sizeof(where), "after chunk %u of file %u: %s",
					 c->last_index, c->last_file, bad_why);
			else
				snprintf(where, sizeof(where), "%s", bad_why);
			bad(user, c->s, seq, chunk, where);
		}
		natsMsg_Destroy(msg);
	}
}

void aa_nats_cursor_close(struct aa_nats_cursor *c)
{
	if (!c)
		return;
	drop_msg(c);
	natsMsg_Destroy(c->head);
	if (c->sub) {
		natsSubscription_Unsubscribe(c->sub);
		natsSubscription_Destroy(c->sub);
	}
	free(c);
}

void aa_nats_close(struct aa_nats *n)
{
	if (!n)
		return;
	jsCtx_Destroy(n->js);
	natsConnection_Destroy(n->nc);
	natsOptions_Destroy(n->opts);
	free(n);
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-capture --ship (ship.h). One thread publishes the queue's oldest
 * chunk with js_PublishMsg and waits for its acknowledgement before the
 * next, so the stream holds every session's chunks in their order; a
 * failure (no server, no quorum, a timeout) is retried with the same
 * message id, which JetStream de-duplicates if the first try was stored.
 */
#include "ship.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "capfile.h"
#include "chunk.h"
#include "parse.h"
#include "pcapng.h"
#include "ship_creds.h"
#include "ship_url.h"
#include "spool.h"

#define PUB_WAIT_MS 2000
#define DUP_WINDOW_NS (3600ll * 1000000000ll) /* resends after a restart within an hour are found */

struct ship {
	struct aa_ship_url url;
	const struct ship_opts *o;
	struct aa_ship_creds creds; /* nopts' handlers use it */
	char host[256];
	natsOptions *nopts;
	natsConnection *nc;
	jsCtx *js;
	int stream_ready;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	struct timespec deadline; /* with stop: give up what is left then */
	struct spool *spool;
	struct ship_stats st;
	uint64_t drops[AA_DROP_SLOTS]; /* records of dropped chunks, per type */
	int warned_io;
	unsigned failing;  /* tries failed in a row */
	int warned_failing;
	ZSTD_DCtx *dctx;
	uint8_t *raw;
};

static void ms_from_now(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static int past(const struct timespec *ts)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec || (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

/* Sleeps ms (lock held), less when told to stop meanwhile; once stopping,
 * never past the deadline, and never a busy loop. */
static void nap(struct ship *s, unsigned ms)
{
	struct timespec ts;
	int stopping = s->stop;

	ms_from_now(&ts, ms);
	if (stopping && (s->deadline.tv_sec < ts.tv_sec ||
			 (s->deadline.tv_sec == ts.tv_sec && s->deadline.tv_nsec < ts.tv_nsec)))
		ts = s->deadline;
	while (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == 0)
		if (s->stop != stopping)
			break;
}

/* The stream exists, or is created: subjects aa.>, file storage, replicas. */
static int ensure_stream(struct ship *s)
{
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus st = js_GetStreamInfo(&si, s->js, s->url.stream, NULL, &jerr);

	if (st == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return 0;
	}
	if (st != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr)
		return -1;
	int replicas = s->o->replicas;
	if (!replicas) {
		char **servers = NULL;
		int n = 0;
		if (natsConnection_GetServers(s->nc, &servers, &n) == NATS_OK) {
			for (int i = 0; i < n; i++)
				free(servers[i]);
			free(servers);
		}
		replicas = n >= 3 ? 3 : 1;
	}
	const char *subjects[] = { "aa.>" };
	jsStreamConfig cfg;
	jsStreamConfig_Init(&cfg);
	cfg.Name = s->url.stream;
	cfg.Subjects = subjects;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Replicas = replicas;
	cfg.Duplicates = DUP_WINDOW_NS;
	cfg.AllowDirect = true;
	st = js_AddStream(&si, s->js, &cfg, NULL, &jerr);
	if (st != NATS_OK)
		return -1;
	jsStreamInfo_Destroy(si);
	return 0;
}

/* "SESSION-FILESEQ-INDEX" into the message's own headers. */
static void add_headers(struct ship *s, natsMsg *m, const char *msg_id)
{
	char session[40] = "", seq[16] = "", idx[16] = "";

	sscanf(msg_id, "%39[0-9a-f]-%15[0-9]-%15[0-9]", session, seq, idx);
	natsMsgHeader_Set(m, AA_SHIP_HDR_HOST, s->host);
	natsMsgHeader_Set(m, AA_SHIP_HDR_SESSION, session);
	natsMsgHeader_Set(m, AA_SHIP_HDR_FILE_SEQ, seq);
	natsMsgHeader_Set(m, AA_SHIP_HDR_CHUNK, idx);
}

static int publish(struct ship *s, const struct spool_item *it, int *dup)
{
	natsMsg *m = NULL;
	jsPubAck *ack = NULL;
	jsPubOptions po;
	jsErrCode jerr = 0;

	if (natsMsg_Create(&m, it->subject, NULL, (const char *)it->bytes, (int)it->len) != NATS_OK)
		return -1;
	add_headers(s, m, it->msg_id);
	jsPubOptions_Init(&po);
	po.MsgId = it->msg_id;
	po.MaxWait = PUB_WAIT_MS;
	po.ExpectStream = s->url.stream;
	natsStatus st = js_PublishMsg(&ack, s->js, m, &po, &jerr);
	natsMsg_Destroy(m);
	if (st != NATS_OK) {
		if (jerr == JSStreamNotFoundErr || st == NATS_NO_RESPONDERS)
			s->stream_ready = 0; /* deleted meanwhile, or never made */
		return -1;
	}
	*dup = ack->Duplicate;
	jsPubAck_Destroy(ack);
	return 0;
}

/* A try failed: after a few in a row, said once (with nats.c's reason),
 * as a stream that cannot be made or a subject no stream takes would
 * otherwise only fill the spool. Lock held. */
static void failed_try(struct ship *s, const char *what)
{
	s->st.failures++;
	if (++s->failing < 5 || s->warned_failing)
		return;
	s->warned_failing = 1;
	const char *why = NULL;
	if (natsConnection_GetLastError(s->nc, &why) == NATS_OK || !why || !*why)
		why = nats_GetLastError(NULL); /* the connection has none: this thread's */
	fprintf(stderr, "aa-capture: --ship %s: %s: %s (still trying; chunks wait in the spool)\n",
		s->o->url, what, why && *why ? why : "no reason given");
}

/* After a failed try: waits, 50 ms doubling up to 1 s. Lock held. */
static void retry_later(struct ship *s, const char *what, unsigned *backoff)
{
	failed_try(s, what);
	nap(s, *backoff);
	*backoff = *backoff < 1000 ? *backoff * 2 : 1000;
}

static void *run(void *arg)
{
	struct ship *s = arg;
	unsigned backoff = 50;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->stop && spool_count(s->spool) == 0)
			pthread_cond_wait(&s->cond, &s->lock);
		if (spool_count(s->spool) == 0 || (s->stop && past(&s->deadline)))
			break;
		/* Not while reconnecting: nats.c would buffer each try, to send them all later. */
		if (natsConnection_Status(s->nc) != NATS_CONN_STATUS_CONNECTED) {
			retry_later(s, "no server reached", &backoff);
			continue;
		}
		if (!s->stream_ready) {
			pthread_mutex_unlock(&s->lock);
			int ok = ensure_stream(s) == 0;
			pthread_mutex_lock(&s->lock);
			if (!ok) {
				retry_later(s, "cannot find or create the stream", &backoff);
				continue;
			}
			s->stream_ready = 1;
		}
		struct spool_item it;
		int rc = spool_peek(s->spool, &it);
		if (rc <= 0) {
			if (rc < 0)
				fprintf(stderr, "aa-capture: --ship: a spool file could not be read (%s): "
						"its chunk is lost\n", strerror(errno));
			continue;
		}
		/* The item's bytes stay put until the next peek or pop, which only this thread makes. */
		pthread_mutex_unlock(&s->lock);
		int dup = 0;
		rc = publish(s, &it, &dup);
		pthread_mutex_lock(&s->lock);
		if (rc != 0) {
			retry_later(s, "not acknowledged", &backoff);
			continue;
		}
		backoff = 50;
		s->failing = 0;
		s->st.shipped++;
		s->st.shipped_bytes += it.len;
		s->st.duplicates += dup != 0;
		spool_pop(s->spool);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* With a handler, a first connect that fails goes on in the background
 * instead of blocking (nats.c's rule); nothing to do here. */
static void on_connected(natsConnection *nc, void *closure)
{
	(void)nc;
	(void)closure;
}

static int setup_nats(struct ship *s)
{
	natsStatus st = natsOptions_Create(&s->nopts);

	if (st == NATS_OK)
		st = natsOptions_SetServers(s->nopts, s->url.servers, s->url.nservers);
	if (st == NATS_OK)
		st = natsOptions_SetName(s->nopts, "aa-capture");
	if (st == NATS_OK)
		st = natsOptions_SetMaxReconnect(s->nopts, -1);
	if (st == NATS_OK)
		st = natsOptions_SetReconnectWait(s->nopts, 250);
	if (st == NATS_OK)
		st = natsOptions_SetRetryOnFailedConnect(s->nopts, true, on_connected, NULL);
	if (st == NATS_OK)
		st = natsOptions_SetTimeout(s->nopts, 2000);
	if (st == NATS_OK && s->o->creds)
		st = aa_ship_creds_set(s->nopts, &s->creds, s->o->creds);
	if (st == NATS_OK && (s->o->tls_ca || s->url.tls))
		st = natsOptions_SetSecure(s->nopts, true);
	if (st == NATS_OK && s->o->tls_ca)
		st = natsOptions_LoadCATrustedCertificates(s->nopts, s->o->tls_ca);
	if (st != NATS_OK) {
		fprintf(stderr, "aa-capture: --ship %s: %s\n", s->o->url, nats_GetLastError(NULL));
		return -1;
	}
	/* Not connected yet is fine: it goes on trying, and chunks wait in the
	 * spool (a first attempt given up for a signature nats.c would drop is
	 * made again at once: nats.c 3.4 would not). */
	st = aa_ship_creds_connect(&s->nc, s->nopts, &s->creds);
	if (st != NATS_OK && st != NATS_NOT_YET_CONNECTED) {
		fprintf(stderr, "aa-capture: --ship %s: %s\n", s->o->url, nats_GetLastError(NULL));
		return -1;
	}
	jsOptions jo;
	jsOptions_Init(&jo);
	jo.Wait = PUB_WAIT_MS;
	if (natsConnection_JetStream(&s->js, s->nc, &jo) != NATS_OK) {
		fprintf(stderr, "aa-capture: --ship %s: %s\n", s->o->url, nats_GetLastError(NULL));
		return -1;
	}
	return 0;
}

int ship_open(struct ship **sp, const struct ship_opts *o)
{
	struct ship *s = calloc(1, sizeof(*s));
	char why[512];

	*sp = NULL;
	if (!s) {
		fprintf(stderr, "aa-capture: --ship: out of memory\n");
		return -1;
	}
	s->o = o;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	gethostname(s->host, sizeof(s->host) - 1);
	if (aa_ship_url_parse(&s->url, o->url, why, sizeof(why)) != 0) {
		fprintf(stderr, "aa-capture: --ship %s: %s\n", o->url, why);
		goto fail;
	}
	if (spool_open(&s->spool, o->spool_dir, o->spool_max ? o->spool_max : SHIP_SPOOL_DEFAULT,
		       why, sizeof(why)) != 0) {
		fprintf(stderr, "aa-capture: --spool: %s\n", why);
		goto fail;
	}
	s->st.found = spool_found(s->spool);
	s->dctx = ZSTD_createDCtx();
	s->raw = malloc(AA_CHUNK_RAW_MAX);
	if (!s->dctx || !s->raw || setup_nats(s) != 0)
		goto fail;
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		fprintf(stderr, "aa-capture: --ship: cannot start its thread\n");
		goto fail;
	}
	s->started = 1;
	*sp = s;
	return 0;
fail:
	ship_close(s, 1, NULL);
	return -1;
}

/* A dropped RECORDS chunk's records, counted by type (its bytes are an EPB). */
static uint64_t count_dropped(struct ship *s, const struct aa_writer_chunk *c)
{
	struct aa_chunk_hdr h;
	const uint8_t *stored;
	char detail[64];
	uint64_t n = 0;

	if (c->len < AA_EPB_HEAD + 4 || aa_get32(c->bytes) != AA_PCAPNG_EPB)
		return 0;
	uint32_t caplen = aa_get32(c->bytes + 20);
	uint64_t ts = ((uint64_t)aa_get32(c->bytes + 12) << 32) | aa_get32(c->bytes + 16);
	if (caplen > c->len - AA_EPB_HEAD ||
	    aa_chunk_check(c->bytes + AA_EPB_HEAD, caplen, ts, &h, &stored, detail) != 0 ||
	    aa_chunk_decompress(s->dctx, &h, stored, s->raw, detail) != 0)
		return 0;
	for (size_t at = 0; at + AA_FRAME_HEADER <= h.raw_len;) {
		uint32_t len = aa_get32(s->raw + at);
		struct aa_event ev;
		if (len > h.raw_len - at - AA_FRAME_HEADER)
			break;
		aa_parse(s->raw + at + AA_FRAME_HEADER, len, &ev);
		if (ev.type != AA_TYPE_UNKNOWN)
			s->drops[ev.type]++;
		n++;
		at += AA_FRAME_HEADER + (((size_t)len + 7) & ~(size_t)7);
	}
	return n;
}

void ship_sink(void *user, const struct aa_writer_chunk *c)
{
	struct ship *s = user;
	char subject[AA_SHIP_SUBJECT_MAX], msg_id[80];

	aa_ship_subject(s->host, c->session, subject, sizeof(subject));
	aa_ship_msg_id(c->session, c->file_seq, c->index, msg_id, sizeof(msg_id));
	pthread_mutex_lock(&s->lock);
	int rc = spool_put(s->spool, subject, msg_id, c->bytes, c->len, c->kind != AA_CHUNK_RECORDS);
	int e = errno;
	if (rc == 0) {
		s->st.queued = spool_count(s->spool);
		pthread_cond_signal(&s->cond);
	} else {
		s->st.dropped++;
	}
	pthread_mutex_unlock(&s->lock);
	if (rc == 0)
		return;
	if (rc < 0 && !s->warned_io) {
		s->warned_io = 1;
		fprintf(stderr, "aa-capture: --spool: cannot keep a chunk (%s): chunks that cannot be "
				"kept are dropped and counted\n", strerror(e));
	}
	uint64_t n = count_dropped(s, c); /* only this thread touches drops */
	pthread_mutex_lock(&s->lock);
	s->st.dropped_records += n;
	pthread_mutex_unlock(&s->lock);
}

void ship_add_drops(const struct ship *s, uint64_t drops[AA_DROP_SLOTS])
{
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		drops[i] += s->drops[i];
}

void ship_get_stats(struct ship *s, struct ship_stats *st)
{
	pthread_mutex_lock(&s->lock);
	s->st.queued = spool_count(s->spool);
	*st = s->st;
	pthread_mutex_unlock(&s->lock);
}

int ship_close(struct ship *s, int quiet, struct ship_stats *st)
{
	int lost = 0;

	if (!s)
		return 0;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = 1;
		ms_from_now(&s->deadline, s->o->wait_ms);
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	if (s->spool) {
		uint64_t left = spool_count(s->spool);
		if (left && !s->o->spool_dir)
			lost = 1;
		if (left && !quiet)
			fprintf(stderr, s->o->spool_dir
				? "aa-capture: --ship: %llu chunks not acknowledged yet: kept in %s, sent by the next aa-capture --spool there\n"
				: "aa-capture: --ship: %llu chunks not acknowledged: lost (%s)\n",
				(unsigned long long)left,
				s->o->spool_dir ? s->o->spool_dir : "no --spool directory");
	}
	lost |= s->st.dropped != 0;
	if (st) {
		s->st.queued = s->spool ? spool_count(s->spool) : 0;
		*st = s->st;
	}
	jsCtx_Destroy(s->js);
	natsConnection_Destroy(s->nc);
	natsOptions_Destroy(s->nopts);
	spool_close(s->spool);
	ZSTD_freeDCtx(s->dctx);
	free(s->raw);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
	nats_Close();
	return lost ? -1 : 0;
}

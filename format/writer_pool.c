/* SPDX-License-Identifier: MIT */
/* The writer's compression workers and writing thread (writer_pool.h). */
#include "writer_pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "aa_error.h"
#include "capfile.h"
#include "xform.h"

long (*wp_encode)(ZSTD_CCtx *, struct aa_chunk_hdr *, const void *, uint8_t *,
		  uint8_t *) = aa_chunk_encode_scratch;

enum { WP_FREE, WP_QUEUED, WP_BUSY, WP_DONE, WP_WRITTEN };

struct wp_worker {
	struct aa_wpool *p;
	ZSTD_CCtx *cctx;
	uint8_t *xbuf; /* the transform's scratch (AA_XFORM_MAX), this worker's only */
	pthread_t thread;
	int started;
};

struct aa_wpool {
	pthread_mutex_t mu;
	pthread_cond_t work;  /* to the workers: a job sealed, or stop */
	pthread_cond_t done;  /* a job compressed, or stop: to the writing thread and wp_reached */
	pthread_cond_t freed; /* a job written, or an error: to the caller */
	struct wp_job *jobs;
	unsigned njobs;
	struct wp_job **order; /* sealed jobs by sequence number % njobs */
	struct wp_job **free;
	unsigned nfree;
	/* sequence numbers: sealed < next_seq, taken by a worker < next_compress,
	 * written < next_write, reaped < next_reap */
	uint64_t next_seq, next_compress, next_write, next_reap;
	int stop;
	int err, sys_errno; /* first error; err also read without the lock */
	/* for wp_reached: bytes of jobs compressed, bounds of those still to be */
	uint64_t done_bytes, pending_ub;
	uint64_t cached_ub; /* the caller's: at least done_bytes + pending_ub */
	uint64_t bytes_written, records_chunks; /* read without the lock */
	int fd;
	off_t good_end; /* the writing thread's: end of the last whole block */
	struct wp_worker *workers;
	unsigned nworkers;
	pthread_t writer;
	int writer_started;
};

int wp_write_all(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : ENOSPC;
		done += (size_t)n;
	}
	return 0;
}

static uint64_t job_ub(const struct wp_job *j)
{
	return j->pre_len + AA_EPB_HEAD + AA_CHUNK_HEADER_SIZE + ZSTD_COMPRESSBOUND(j->h.raw_len) +
	       3 + 4;
}

static void *worker_main(void *arg)
{
	struct wp_worker *wk = arg;
	struct aa_wpool *p = wk->p;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->next_compress < p->next_seq) {
			struct wp_job *j = p->order[p->next_compress++ % p->njobs];
			int skip = p->err != 0; /* nothing more is written after an error */
			j->state = WP_BUSY;
			pthread_mutex_unlock(&p->mu);
			long len = skip ? AA_E_IO : wp_encode(wk->cctx, &j->h, j->raw, j->buf + WP_PRE,
						    wk->xbuf);
			if (len > 0) /* the EPB's interface id: not under the chunk's crc */
				aa_put32(j->buf + WP_PRE + 8, j->iface);
			pthread_mutex_lock(&p->mu);
			j->len = len;
			j->state = WP_DONE;
			p->pending_ub -= j->ub;
			p->done_bytes += len > 0 ? j->pre_len + (uint64_t)len : 0;
			pthread_cond_broadcast(&p->done);
			continue;
		}
		if (p->stop)
			break;
		pthread_cond_wait(&p->work, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* A failed write: keep what was whole (ENOSPC may have left half a block). */
static void write_failed(struct aa_wpool *p, int err, int sys_errno)
{
	if (err == AA_E_IO && ftruncate(p->fd, p->good_end) != 0) {
		/* nothing more to save (or a pipe): the reader stops at the half block */
	}
	pthread_mutex_lock(&p->mu);
	if (!p->err) {
		p->sys_errno = sys_errno;
		__atomic_store_n(&p->err, err, __ATOMIC_RELEASE);
	}
	pthread_cond_broadcast(&p->freed);
	pthread_mutex_unlock(&p->mu);
}

static void *writer_main(void *arg)
{
	struct aa_wpool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct wp_job *j = p->next_write < p->next_seq ? p->order[p->next_write % p->njobs]
							       : NULL;
		if (j && j->state == WP_DONE) {
			int failed = p->err != 0, e = 0;
			pthread_mutex_unlock(&p->mu);
			size_t n = j->pre_len + (size_t)(j->len > 0 ? j->len : 0);
			if (!failed && j->len < 0)
				write_failed(p, (int)j->len, 0);
			else if (!failed && (e = wp_write_all(p->fd, j->buf + WP_PRE - j->pre_len, n)) != 0)
				write_failed(p, AA_E_IO, e);
			else if (!failed)
				p->good_end += (off_t)n;
			pthread_mutex_lock(&p->mu);
			j->written = !failed && j->len > 0 && !e;
			if (j->written) {
				__atomic_add_fetch(&p->bytes_written, n, __ATOMIC_RELEASE);
				if (j->h.kind == AA_CHUNK_RECORDS)
					__atomic_add_fetch(&p->records_chunks, 1, __ATOMIC_RELEASE);
			}
			j->state = WP_WRITTEN;
			p->next_write++;
			pthread_cond_broadcast(&p->freed);
			continue;
		}
		if (p->stop && p->next_write == p->next_seq)
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void free_pool(struct aa_wpool *p)
{
	if (p->jobs)
		for (unsigned i = 0; i < p->njobs; i++) {
			free(p->jobs[i].raw);
			free(p->jobs[i].buf);
		}
	if (p->workers)
		for (unsigned i = 0; i < p->nworkers; i++) {
			ZSTD_freeCCtx(p->workers[i].cctx);
			free(p->workers[i].xbuf);
		}
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->mu);
	free(p->workers);
	free(p->jobs);
	free(p->order);
	free(p->free);
	free(p);
}

int wp_start(struct aa_wpool **pp, unsigned nworkers, int level, int fd, off_t good_end)
{
	struct aa_wpool *p;

	*pp = NULL;
	if (nworkers < 1 || nworkers > WP_THREADS_MAX)
		return AA_E_INVAL;
	if (!(p = calloc(1, sizeof(*p))))
		return AA_E_NOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->fd = fd;
	p->good_end = good_end;
	p->nworkers = nworkers;
	/* each worker busy, one more queued for each, one gathering, one writing */
	p->njobs = 2 * nworkers + 2;
	p->jobs = calloc(p->njobs, sizeof(*p->jobs));
	p->order = calloc(p->njobs, sizeof(*p->order));
	p->free = calloc(p->njobs, sizeof(*p->free));
	p->workers = calloc(nworkers, sizeof(*p->workers));
	if (!p->jobs || !p->order || !p->free || !p->workers)
		goto nomem;
	for (unsigned i = 0; i < p->njobs; i++) {
		struct wp_job *j = &p->jobs[i];
		if (!(j->raw = malloc(AA_CHUNK_RAW_MAX)) || !(j->buf = malloc(WP_PRE + AA_BLOCK_MAX)))
			goto nomem;
		p->free[p->nfree++] = j;
	}
	for (unsigned i = 0; i < nworkers; i++) {
		struct wp_worker *wk = &p->workers[i];
		wk->p = p;
		if (!(wk->cctx = ZSTD_createCCtx()) || !(wk->xbuf = malloc(AA_XFORM_MAX)))
			goto nomem;
		if (ZSTD_isError(ZSTD_CCtx_setParameter(wk->cctx, ZSTD_c_compressionLevel, level)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(wk->cctx, ZSTD_c_checksumFlag, 1))) {
			free_pool(p);
			return AA_E_INVAL;
		}
	}
	/* The threads take no signal: the caller's thread gets them, as without
	 * threads (a write past the file size limit then fails with EFBIG). */
	sigset_t all, saved;
	int ok = 1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	for (unsigned i = 0; i < nworkers && ok; i++)
		ok = p->workers[i].started =
			pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) == 0;
	ok = ok && (p->writer_started = pthread_create(&p->writer, NULL, writer_main, p) == 0);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (!ok) {
		wp_stop(p);
		return AA_E_NOMEM;
	}
	*pp = p;
	return 0;
nomem:
	free_pool(p);
	return AA_E_NOMEM;
}

void wp_reap(struct aa_wpool *p, void (*sink)(void *u, const struct wp_job *job), void *u)
{
	pthread_mutex_lock(&p->mu);
	while (p->next_reap < p->next_write) {
		struct wp_job *j = p->order[p->next_reap % p->njobs];
		if (sink && j->written) {
			pthread_mutex_unlock(&p->mu);
			sink(u, j);
			pthread_mutex_lock(&p->mu);
		}
		j->state = WP_FREE;
		p->free[p->nfree++] = j;
		p->next_reap++;
	}
	pthread_mutex_unlock(&p->mu);
}

struct wp_job *wp_acquire(struct aa_wpool *p, void (*sink)(void *u, const struct wp_job *job),
			  void *u)
{
	struct wp_job *j = NULL;

	wp_reap(p, sink, u);
	pthread_mutex_lock(&p->mu);
	while (!p->err && !p->nfree && p->next_reap == p->next_write)
		pthread_cond_wait(&p->freed, &p->mu);
	pthread_mutex_unlock(&p->mu);
	wp_reap(p, sink, u);
	pthread_mutex_lock(&p->mu);
	if (!p->err && p->nfree) {
		j = p->free[--p->nfree];
		j->pre_len = 0;
		j->iface = 0;
		j->written = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return j;
}

void wp_seal(struct aa_wpool *p, struct wp_job *j)
{
	j->ub = job_ub(j);
	p->cached_ub += j->ub;
	pthread_mutex_lock(&p->mu);
	j->state = WP_QUEUED;
	p->order[p->next_seq++ % p->njobs] = j;
	p->pending_ub += j->ub;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void wp_drain(struct aa_wpool *p, void (*sink)(void *u, const struct wp_job *job), void *u)
{
	pthread_mutex_lock(&p->mu);
	while (p->next_write < p->next_seq)
		pthread_cond_wait(&p->freed, &p->mu);
	pthread_mutex_unlock(&p->mu);
	wp_reap(p, sink, u);
}

int wp_error(struct aa_wpool *p, int *sys_errno)
{
	int err = __atomic_load_n(&p->err, __ATOMIC_ACQUIRE);

	if (err) {
		pthread_mutex_lock(&p->mu);
		*sys_errno = p->sys_errno;
		pthread_mutex_unlock(&p->mu);
	}
	return err;
}

uint64_t wp_in_flight(struct aa_wpool *p)
{
	pthread_mutex_lock(&p->mu);
	uint64_t n = p->next_seq - p->next_reap;
	pthread_mutex_unlock(&p->mu);
	return n;
}

uint64_t wp_bytes_written(const struct aa_wpool *p)
{
	return __atomic_load_n(&p->bytes_written, __ATOMIC_ACQUIRE);
}

off_t wp_good_end(struct aa_wpool *p)
{
	pthread_mutex_lock(&p->mu);
	off_t end = p->good_end;
	pthread_mutex_unlock(&p->mu);
	return end;
}

uint64_t wp_records_chunks(const struct aa_wpool *p)
{
	return __atomic_load_n(&p->records_chunks, __ATOMIC_ACQUIRE);
}

int wp_reached(struct aa_wpool *p, uint64_t bytes)
{
	int r = -1;

	if (p->cached_ub < bytes)
		return 0; /* even if every chunk came out at its largest */
	pthread_mutex_lock(&p->mu);
	while (r < 0) {
		if (p->err || p->done_bytes + p->pending_ub < bytes)
			r = 0;
		else if (p->done_bytes >= bytes)
			r = 1;
		else
			pthread_cond_wait(&p->done, &p->mu);
	}
	p->cached_ub = p->done_bytes + p->pending_ub;
	pthread_mutex_unlock(&p->mu);
	return r;
}

void wp_stop(struct aa_wpool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nworkers; i++)
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
	if (p->writer_started)
		pthread_join(p->writer, NULL);
	free_pool(p);
}

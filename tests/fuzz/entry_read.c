/* SPDX-License-Identifier: MIT */
/* What every fuzz entry shares: files in memory, reading them through the
 * library to the end, and touching every field of what comes out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aa_print.h"
#include "capfile.h"
#include "entries.h"
#include "xxh64.h"

/* Anything read lands here, so that no read is optimised away. */
static volatile uint64_t sink;

FILE *aaf_devnull(void)
{
	static FILE *f;
	if (!f)
		f = fopen("/dev/null", "w");
	if (!f)
		abort();
	return f;
}

static void touch_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += b[i];
	sink += s;
}

void aaf_touch_record(const struct aa_record *rec)
{
	const struct aa_event *ev = &rec->ev;
	uint32_t pid;

	REQUIRE(ev->len <= AA_RECORD_MAX);
	REQUIRE((unsigned)ev->type < AA_TYPE_COUNT);
	REQUIRE(aa_type_size(ev->type) == (ev->type == AA_TYPE_UNKNOWN ? 0 : ev->len));
	REQUIRE(aa_event_pid(ev, &pid) == (ev->type != AA_TYPE_UNKNOWN));
	touch_bytes(ev->raw, ev->len);
	switch (ev->type) {
	case AA_TYPE_TLS:
		REQUIRE(aa_tls_piece_len(ev->tls) <= AA_TLS_PAYLOAD_MAX);
		touch_bytes(ev->tls, sizeof(*ev->tls));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_DIRECTION || ev->error == AA_REC_TLS_SEQ);
		break;
	case AA_TYPE_FILE:
		touch_bytes(ev->file, sizeof(*ev->file));
		sink += aa_syscall_name(ev->file->syscall) != NULL;
		REQUIRE(ev->error == 0 || ev->error == AA_REC_SYSCALL || ev->error == AA_REC_STRING);
		break;
	case AA_TYPE_EXEC:
		touch_bytes(ev->exec, sizeof(*ev->exec));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_STRING);
		break;
	case AA_TYPE_EXIT:
		touch_bytes(ev->exit, sizeof(*ev->exit));
		REQUIRE(ev->error == 0);
		break;
	case AA_TYPE_TASK:
		touch_bytes(ev->task, sizeof(*ev->task));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_KIND || ev->error == AA_REC_STRING);
		break;
	case AA_TYPE_STRING:
		REQUIRE(aa_string_piece_len(ev->string) <= AA_STRING_PIECE_MAX);
		touch_bytes(ev->string, sizeof(*ev->string));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_KIND || ev->error == AA_REC_PIECE);
		break;
	case AA_TYPE_TLS_CONN:
		touch_bytes(ev->tls_conn, sizeof(*ev->tls_conn));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_DIRECTION || ev->error == AA_REC_KIND);
		break;
	case AA_TYPE_FILEOP:
		touch_bytes(ev->fileop, sizeof(*ev->fileop));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_SYSCALL || ev->error == AA_REC_KIND ||
			ev->error == AA_REC_STRING);
		break;
	case AA_TYPE_NET:
		touch_bytes(ev->net, sizeof(*ev->net));
		REQUIRE(ev->error == 0 || ev->error == AA_REC_SYSCALL);
		break;
	case AA_TYPE_UNKNOWN:
		REQUIRE(ev->error == 0);
		break;
	}
	REQUIRE(ev->mono_ns == aa_record_mono_ns(ev->raw, ev->len));
	sink += rec->time_ns + rec->index + rec->chunk + strlen(aa_type_name(ev->type));
	if (rec->path)
		sink += strlen(rec->path);
	REQUIRE(aa_print_text(aaf_devnull(), rec) == 0);
	REQUIRE(aa_print_json(aaf_devnull(), rec) == 0);
}

int aaf_memfile(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("aaf", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < size) {
		ssize_t k = write(fd, data + done, size - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)k;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

/* print: also through the info and schema printers (once per open: libbpf is slow) */
static void touch_meta(const aa_source *src, int print)
{
	const struct aa_file_meta *m = aa_source_meta(src);
	const char *const strs[] = {m ? m->writer : NULL, m ? m->writer_version : NULL,
				    m ? m->hostname : NULL, m ? m->kernel : NULL,
				    m ? m->arch : NULL, m ? m->source : NULL,
				    m ? m->schema : NULL};
	if (!m)
		return;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i])
			sink += strlen(strs[i]);
	touch_bytes(m->session, sizeof(m->session));
	if (m->btf)
		touch_bytes(m->btf, m->btf_len);
	if (print)
		aaf_print_meta(m);
	sink += (uint64_t)m->mono_to_wall + m->start_ns + m->file_seq + (uint64_t)m->level +
		m->flush_ms;
}

static void touch_error(const struct aa_error_info *e)
{
	char line[512];
	REQUIRE(e->code <= 0);
	REQUIRE(memchr(e->detail, 0, sizeof(e->detail)) != NULL);
	aa_error_format(e, line, sizeof(line));
	sink += strlen(line) + strlen(aa_error_name(e->code)) + strlen(aa_strerror(e->code));
}

static void count_damage(void *user, const struct aa_error_info *err)
{
	touch_error(err);
	(*(uint64_t *)user)++;
}

/* What a dispatch pass checks as it goes. */
struct pass {
	const struct aa_filter *filter;
	aa_source *src;
	/* per file of the set: what was delivered from it, for determinism */
	struct aa_xxh64 digest[2];
	uint64_t count[2];
};

/* A delivered record must pass the filter it was read with. */
static int on_record(void *user, const struct aa_record *rec)
{
	struct pass *p = user;
	const struct aa_filter *f = p->filter;
	struct aa_source_stats st;
	uint32_t pid;

	REQUIRE(!f->types || (f->types & AA_TYPE_BIT(rec->ev.type)));
	REQUIRE(!f->since_ns || rec->time_ns >= f->since_ns);
	REQUIRE(!f->until_ns || rec->time_ns < f->until_ns);
	if (f->npids) {
		REQUIRE(aa_event_pid(&rec->ev, &pid));
		int found = 0;
		for (size_t i = 0; i < f->npids; i++)
			found |= f->pids[i] == pid;
		REQUIRE(found);
	}
	aaf_touch_record(rec);
	aa_source_get_stats(p->src, &st);
	if (st.files >= 1 && st.files <= 2) {
		struct aa_xxh64 *d = &p->digest[st.files - 1];
		aa_xxh64_update(d, &rec->ev.len, sizeof(rec->ev.len));
		aa_xxh64_update(d, rec->ev.raw, rec->ev.len);
		aa_xxh64_update(d, &rec->time_ns, sizeof(rec->time_ns));
		aa_xxh64_update(d, &rec->chunk, sizeof(rec->chunk));
		p->count[st.files - 1]++;
	}
	return 0;
}

/* One step: the next record (aa_next) or the rest of the records (aa_dispatch). */
static int step(aa_source *src, struct pass *p)
{
	if (p->filter) {
		static const struct aa_callbacks cb = {
#define X(name, NAME, size) .on_##name = on_record,
			AA_RECORD_TYPES(X)
#undef X
			.on_unknown = on_record};
		return aa_dispatch(src, &cb, p);
	}
	const struct aa_record *rec;
	int rc = aa_next(src, &rec);
	if (rc == 1)
		aaf_touch_record(rec);
	return rc;
}

int aaf_read_paths(const char *const *paths, size_t n, int skip_damaged,
		   const struct aa_filter *filter)
{
	uint64_t damages = 0;
	struct aa_replay_opts opts = {.skip_damaged = skip_damaged,
				      .on_damage = count_damage,
				      .user = &damages};
	struct aa_error_info err;
	aa_source *src;
	if (filter)
		opts.filter = *filter;
	int rc = aa_open_offline(&src, paths, n, &opts, &err);

	if (rc) {
		REQUIRE(rc < 0 && src == NULL);
		/* The handle is gone: a path in its error must be the caller's own. */
		int callers = 0;
		for (size_t i = 0; i < n; i++)
			callers |= err.path == paths[i];
		REQUIRE(!err.path || callers); /* bug B1, fixed in c3f1cd3 */
		touch_error(&err);
		return rc;
	}
	touch_meta(src, 1);
	/* Without skip_damaged each error is reported once and reading goes on:
	 * a file of any size holds a bounded number of damaged places. */
	uint64_t errors = 0, bound = 64;
	struct aa_source_stats st;
	const struct aa_record *rec;
	struct pass pass = {.filter = filter, .src = src};
	aa_xxh64_init(&pass.digest[0], 0);
	aa_xxh64_init(&pass.digest[1], 0);
	while ((rc = step(src, &pass)) != 0) {
		if (rc == 1)
			continue;
		REQUIRE(rc < 0);
		touch_error(aa_source_error(src));
		REQUIRE(aa_source_error(src)->code == rc);
		if (skip_damaged) /* only what cannot be skipped comes back */
			REQUIRE(rc == AA_E_IO || rc == AA_E_NOMEM);
		if (++errors > bound) {
			aa_source_get_stats(src, &st);
			bound = 64 + st.bytes_stored / 4 + 4 * st.files;
			REQUIRE(errors <= bound);
		}
	}
	REQUIRE(aa_next(src, &rec) == 0); /* the end stays the end */
	touch_meta(src, 0); /* bug B7, fixed in 82aea00 */
	aa_source_get_stats(src, &st);
	if (skip_damaged)
		REQUIRE(damages == st.damaged);
	if (st.intact)
		REQUIRE(st.damaged == 0 && errors == 0);
	REQUIRE(st.delivered <= st.records && st.invalid <= st.records);
	if (!filter || !(filter->types || filter->npids || filter->since_ns || filter->until_ns))
		REQUIRE(st.delivered == st.records);
	/* The same file twice in a set: the second delivers what the first did. */
	if (filter && n == 2 && paths[0] == paths[1]) {
		REQUIRE(pass.count[0] == pass.count[1]);
		REQUIRE(aa_xxh64_digest(&pass.digest[0]) == aa_xxh64_digest(&pass.digest[1]));
	}
	uint64_t sum = 0;
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		sum += st.by_type[t];
	REQUIRE(sum == st.records);
	aa_close(src);
	return 0;
}

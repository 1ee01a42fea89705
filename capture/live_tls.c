/* SPDX-License-Identifier: MIT */
/* The TLS probes of a live capture, found at start and on the way (live_tls.h). */
#include "live_tls.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "aa.skel.h"
#include "aa_error.h"
#include "clock.h"
#include "events.h"
#include "gotls.h"
#include "hold_guard.h"
#include "live_load.h"
#include "parse.h"
#include "tls_find.h"

/* How long a stopped program is waited for before its files are read anyway
 * (it may not stop: the init of a pid namespace ignores SIGSTOP). */
#define HOLD_WAIT_NS (100 * 1000000ull)

struct aa_live_tls {
	struct aa_bpf *skel;
	pthread_mutex_t mu; /* finder, links, stats */
	struct aa_tls_finder finder;
	struct bpf_link **links;
	size_t nlinks, caplinks;
	int hooked;         /* functions hooked in the last file looked at */
	const struct aa_tls_key *want; /* the file a notification named */
	int found;          /* ... seen in the maps read since */
	struct aa_live_tls_stats stats;
	struct ring_buffer *notify;
	struct bpf_link *hold;
	struct aa_hold_guard guard; /* continues the held if this process dies */
	uint64_t hold_max_ns;
	pthread_t thread;
	int running;
	int stop; /* set by the main thread, read by the TLS thread: __atomic only */
};

/* As bpf/tls_hold.bpf.h sends it. */
struct tls_notify {
	uint32_t pid;
	uint32_t held; /* 0: not stopped (it has a controlling terminal) */
	uint64_t at;   /* its TLS_HELD time */
	struct aa_tls_key file;
};

/* Room for two more links; -1 out of memory. */
static int links_room(struct aa_live_tls *t)
{
	if (t->nlinks + 2 > t->caplinks) {
		size_t cap = t->caplinks ? t->caplinks * 2 : 64;
		struct bpf_link **links = realloc(t->links, cap * sizeof(*links));

		if (!links)
			return -1;
		t->links = links;
		t->caplinks = cap;
	}
	return 0;
}

static void mark_seen(struct aa_live_tls *t, const struct aa_tls_key *k)
{
	uint8_t one = 1;

	bpf_map__update_elem(t->skel->maps.TLS_SEEN, k, sizeof(*k), &one, 1, BPF_ANY);
}

static void on_key(void *ctx, const struct aa_tls_key *k)
{
	struct aa_live_tls *t = ctx;

	mark_seen(t, k);
	if (t->want && !memcmp(t->want, k, sizeof(*k)))
		t->found = 1;
}

/* The entry and return programs of function i (enum aa_tls_func); either may be NULL. */
static void progs_of(struct aa_bpf *s, int i, struct bpf_program **entry, struct bpf_program **ret)
{
	struct bpf_program *entries[AA_TLS_F_COUNT] = {
		[AA_TLS_F_SSL_WRITE] = s->progs.aa_ssl_write,       [AA_TLS_F_SSL_READ] = s->progs.aa_ssl_read,
		[AA_TLS_F_SSL_WRITE_EX] = s->progs.aa_ssl_write_ex, [AA_TLS_F_SSL_READ_EX] = s->progs.aa_ssl_read_ex,
		[AA_TLS_F_GNUTLS_SEND] = s->progs.aa_gnutls_send,   [AA_TLS_F_GNUTLS_RECV] = s->progs.aa_gnutls_recv,
		[AA_TLS_F_PR_WRITE] = s->progs.aa_nss_write,        [AA_TLS_F_PR_SEND] = s->progs.aa_nss_write,
		[AA_TLS_F_PR_READ] = s->progs.aa_nss_read,          [AA_TLS_F_PR_RECV] = s->progs.aa_nss_read,
		[AA_TLS_F_PR_CLOSE] = s->progs.aa_nss_close,
		[AA_TLS_F_GO_WRITE] = s->progs.aa_go_write,         [AA_TLS_F_GO_READ] = s->progs.aa_go_read,
	};
	struct bpf_program *rets[AA_TLS_F_COUNT] = {
		[AA_TLS_F_SSL_WRITE] = s->progs.aa_ssl_ret,     [AA_TLS_F_SSL_READ] = s->progs.aa_ssl_ret,
		[AA_TLS_F_SSL_WRITE_EX] = s->progs.aa_ssl_ret,  [AA_TLS_F_SSL_READ_EX] = s->progs.aa_ssl_ret,
		[AA_TLS_F_GNUTLS_SEND] = s->progs.aa_gnutls_ret, [AA_TLS_F_GNUTLS_RECV] = s->progs.aa_gnutls_ret,
		[AA_TLS_F_NSS_IMPORT] = s->progs.aa_nss_import_ret,
		[AA_TLS_F_PR_WRITE] = s->progs.aa_nss_ret,      [AA_TLS_F_PR_SEND] = s->progs.aa_nss_ret,
		[AA_TLS_F_PR_READ] = s->progs.aa_nss_ret,       [AA_TLS_F_PR_RECV] = s->progs.aa_nss_ret,
	};

	*entry = entries[i];
	*ret = rets[i];
}

/* A Go program's return side: a plain uprobe on each RET of function i
 * (gotls.h says why not a uretprobe). Returns the probes attached; all of
 * them or none. */
static int attach_go_rets(struct aa_live_tls *t, const struct aa_tls_file *f, int i)
{
	int k = i == AA_TLS_F_GO_WRITE ? AA_GO_WRITE : AA_GO_READ;
	size_t first = t->nlinks;

	for (uint32_t r = 0; r < f->go->nrets[k]; r++) {
		struct bpf_link *l;

		if (links_room(t) ||
		    !(l = bpf_program__attach_uprobe(t->skel->progs.aa_go_ret, false, -1, f->path, f->go->rets[k][r]))) {
			while (t->nlinks > first)
				bpf_link__destroy(t->links[--t->nlinks]);
			return 0;
		}
		t->links[t->nlinks++] = l;
	}
	return (int)f->go->nrets[k];
}

/* A new file with a stack: each of its functions' entry and return probes
 * (the entry's cookie is the stack, for OpenSSL's API), at the offsets
 * found already (libbpf would read the file's symbols again for each). */
static int on_tls(void *ctx, const struct aa_tls_file *f)
{
	struct aa_live_tls *t = ctx;
	int hooked = 0;

	for (int i = 0; i < AA_TLS_F_COUNT; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, eo, .bpf_cookie = f->lib);
		LIBBPF_OPTS(bpf_uprobe_opts, ro, .retprobe = true);
		struct bpf_program *entry, *ret;
		struct bpf_link *e, *r;

		if (!(f->funcs & (1u << i)) || links_room(t))
			continue;
		progs_of(t->skel, i, &entry, &ret);
		e = entry ? bpf_program__attach_uprobe_opts(entry, -1, f->path, f->offsets[i], &eo) : NULL;
		if (entry && !e)
			continue;
		if (f->go) { /* its returns before its entry is kept: an entry alone would never end */
			int rets = attach_go_rets(t, f, i);

			if (!rets || links_room(t)) {
				bpf_link__destroy(e);
				continue;
			}
			t->links[t->nlinks++] = e;
			t->stats.probes += 1 + rets;
			hooked++;
			continue;
		}
		r = ret ? bpf_program__attach_uprobe_opts(ret, -1, f->path, f->offsets[i], &ro) : NULL;
		if (ret && !r) {
			bpf_link__destroy(e);
			continue;
		}
		if (e)
			t->links[t->nlinks++] = e;
		if (r)
			t->links[t->nlinks++] = r;
		t->stats.probes += (e != NULL) + (r != NULL);
		hooked++;
	}
	t->hooked = hooked;
	if (hooked)
		t->stats.files++;
	{ /* no hold for it (stacked file systems key the mapping otherwise: held once then) */
		struct aa_tls_key k = { ((uint64_t)major(f->dev) << 20) | minor(f->dev), f->ino, f->ctime };

		mark_seen(t, &k);
	}
	return 0;
}

/* 1 once pid is stopped, 0 when it is not (yet), -1 gone. */
static int stopped(uint32_t pid)
{
	char name[64], buf[512], *paren;
	ssize_t n;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%u/stat", pid);
	f = fopen(name, "re");
	if (!f)
		return -1;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = 0;
	paren = strrchr(buf, ')'); /* the comm may hold a ')' */
	return paren && paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
}

/* A program stopped after mapping a file not seen yet: once it is stopped
 * (all it maps is in place), every file it maps is looked at; then it goes
 * on. One not stopped is read until the file is in its maps (a library's
 * mmap was still under way when it was told of). */
static int on_notify(void *ctx, void *data, size_t size)
{
	struct aa_live_tls *t = ctx;
	const struct tls_notify *n = data;
	uint64_t start = aa_clock_ns(CLOCK_MONOTONIC);
	struct timespec nap = { .tv_nsec = 100000 };
	int st = 0;

	if (size < sizeof(*n))
		return 0;
	while (n->held && (st = stopped(n->pid)) == 0 && aa_clock_ns(CLOCK_MONOTONIC) - start < HOLD_WAIT_NS)
		nanosleep(&nap, NULL);
	pthread_mutex_lock(&t->mu);
	t->want = &n->file;
	t->found = 0;
	for (int tries = 0; st >= 0 && !t->found && tries < (n->held ? 1 : 50); tries++) {
		if (tries)
			nanosleep(&nap, NULL);
		aa_tls_find_maps(&t->finder, (pid_t)n->pid);
	}
	t->want = NULL;
	mark_seen(t, &n->file);
	if (n->held) {
		int held_fd = bpf_map__fd(t->skel->maps.TLS_HELD);
		uint64_t at;
		int ours = !bpf_map_lookup_elem(held_fd, &n->pid, &at) && at == n->at;

		/* Not in TLS_HELD any more after the bound: the guardian has
		 * continued it, and it ran on before its files were probed. */
		if (!ours && aa_clock_ns(CLOCK_MONOTONIC) - n->at >= t->hold_max_ns)
			t->stats.hold_late++;
		kill((pid_t)n->pid, SIGCONT); /* first: see release() in hold_guard.c */
		if (ours)
			bpf_map_delete_elem(held_fd, &n->pid);
		t->stats.holds++;
		t->stats.hold_ns += aa_clock_ns(CLOCK_MONOTONIC) - start;
	}
	pthread_mutex_unlock(&t->mu);
	return 0;
}

static void *follow_thread(void *arg)
{
	struct aa_live_tls *t = arg;

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		int rc = ring_buffer__poll(t->notify, 50);

		if (rc < 0 && rc != -EINTR)
			break;
		pthread_mutex_lock(&t->mu);
		if (aa_hold_guard_lost(&t->guard, bpf_map__fd(t->skel->maps.TLS_HELD), &t->skel->bss->tls_hold_on))
			fprintf(stderr, "aa: tls: the hold guardian was killed: programs are no longer stopped "
				"for their TLS probes (--tls-hold off)\n");
		pthread_mutex_unlock(&t->mu);
	}
	return NULL;
}

/* From here on, files mapped are looked at; with AA_TLS_FOLLOW_HOLD their programs wait. */
static int follow(struct aa_live_tls *t, int mode, char *why, size_t whysize)
{
	int err;

	t->notify = ring_buffer__new(bpf_map__fd(t->skel->maps.TLS_NOTIFY), on_notify, t, NULL);
	if (!t->notify)
		return aa_live_fail(why, whysize, AA_E_BPF, "TLS_NOTIFY ring buffer: %s", strerror(errno));
	/* No program is stopped without a guardian to continue it. */
	t->hold_max_ns = aa_hold_max_ns();
	if (mode == AA_TLS_FOLLOW_HOLD && aa_hold_guard_start(&t->guard, bpf_map__fd(t->skel->maps.TLS_HELD), &t->skel->bss->tls_hold_on,
				t->hold_max_ns))
		return aa_live_fail(why, whysize, AA_E_NOMEM, "starting the TLS hold guardian: %s", strerror(errno));
	err = pthread_create(&t->thread, NULL, follow_thread, t);
	if (err)
		return aa_live_fail(why, whysize, AA_E_NOMEM, "starting the TLS thread: %s", strerror(err));
	t->running = 1;
	/* under mu: the thread's aa_hold_guard_lost reads and writes it too */
	pthread_mutex_lock(&t->mu);
	t->skel->bss->tls_hold_on = mode;
	pthread_mutex_unlock(&t->mu);
	t->hold = bpf_program__attach(t->skel->progs.aa_tls_hold_exec);
	if (!t->hold) {
		pthread_mutex_lock(&t->mu);
		t->skel->bss->tls_hold_on = 0;
		pthread_mutex_unlock(&t->mu);
		return aa_live_fail(why, whysize, AA_E_BPF, "attaching the TLS follower at exec: %s", strerror(errno));
	}
	return 0;
}

int aa_live_tls_start(struct aa_live_tls **out, struct aa_bpf *skel, const char *const *extra, size_t n,
		      int follow_new, char *why, size_t whysize)
{
	struct aa_live_tls *t = calloc(1, sizeof(*t));
	const struct aa_tls_file *f;
	int rc = 0;

	*out = NULL;
	if (!t)
		return aa_live_fail(why, whysize, AA_E_NOMEM, "out of memory");
	t->skel = skel;
	pthread_mutex_init(&t->mu, NULL);
	t->finder.on_tls = on_tls;
	t->finder.on_key = on_key;
	t->finder.ctx = t;
	for (size_t i = 0; i < n && !rc; i++) {
		int r;

		t->hooked = -1; /* stays so for a file looked at already */
		r = aa_tls_look(&t->finder, extra[i], "--ssl-lib", &f);

		if (r == -1)
			rc = aa_live_fail(why, whysize, AA_E_INVAL, "%s: %s", extra[i], strerror(errno));
		else if (r)
			rc = aa_live_fail(why, whysize, AA_E_NOMEM, "out of memory");
		else if (f->lib == AA_TLS_LIB_UNKNOWN)
			rc = aa_live_fail(why, whysize, AA_E_BPF, "%s: no SSL_read or SSL_write (nor gnutls_record_recv or "
					      "_send) to attach to", extra[i]);
		else if (!t->hooked)
			rc = aa_live_fail(why, whysize, AA_E_BPF, "%s: attaching to %s failed", extra[i],
				      aa_tls_lib_name(f->lib));
	}
	if (!rc) {
		aa_tls_find_system(&t->finder);
		/* Followed first, then the running processes read: a file mapped
		 * between the two is seen by one or the other. A kernel that
		 * cannot follow (no fentry) still has the files found now. */
		if (follow_new && follow(t, follow_new, why, whysize) && getenv("AA_VERBOSE"))
			fprintf(stderr, "aa: not following new TLS files: %s\n", why);
		t->stats.following = t->running && t->hold;
		why[0] = 0;
	}
	if (!rc) {
		pthread_mutex_lock(&t->mu);
		aa_tls_find_maps(&t->finder, 0);
		pthread_mutex_unlock(&t->mu);
	}
	if (rc) {
		aa_live_tls_stop(t);
		return rc;
	}
	*out = t;
	return 0;
}

void aa_live_tls_stats(struct aa_live_tls *t, struct aa_live_tls_stats *s)
{
	pthread_mutex_lock(&t->mu);
	*s = t->stats;
	pthread_mutex_unlock(&t->mu);
}

void aa_live_tls_report(struct aa_live_tls *t)
{
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < t->finder.n; i++) {
		const struct aa_tls_file *f = &t->finder.files[i];

		if (f->lib != AA_TLS_LIB_UNKNOWN)
			fprintf(stderr, "aa: tls: %s (%s, %s)\n", f->path, aa_tls_lib_name(f->lib), f->why);
	}
	pthread_mutex_unlock(&t->mu);
}

void aa_live_tls_unfollow(struct aa_live_tls *t)
{
	struct timespec settle = { .tv_nsec = 20 * 1000000L };

	if (!t)
		return;
	if (!t->running) {
		aa_hold_guard_stop(&t->guard); /* (follow() failed after starting it) */
		return;
	}
	/* No program is stopped from here on; one stopped just before is
	 * still in the ring, read below once the thread has ended. Under mu:
	 * else the thread's aa_hold_guard_lost could read 2 before this and
	 * write 1 after it, turning following back on. */
	pthread_mutex_lock(&t->mu);
	t->skel->bss->tls_hold_on = 0;
	pthread_mutex_unlock(&t->mu);
	bpf_link__destroy(t->hold);
	t->hold = NULL;
	nanosleep(&settle, NULL);
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	pthread_join(t->thread, NULL);
	t->running = 0;
	ring_buffer__consume(t->notify);
	t->stats.following = 0;
	aa_hold_guard_stop(&t->guard); /* it continues any left in TLS_HELD */
}

void aa_live_tls_stop(struct aa_live_tls *t)
{
	if (!t)
		return;
	aa_live_tls_unfollow(t);
	if (getenv("AA_VERBOSE") && t->stats.holds)
		fprintf(stderr, "aa: tls: %llu programs held until their new files were looked at, %.0f us each on average\n",
			(unsigned long long)t->stats.holds, t->stats.hold_ns / 1000.0 / (double)t->stats.holds);
	if (getenv("AA_VERBOSE") && t->stats.hold_late)
		fprintf(stderr, "aa: tls: %llu programs continued after %llu ms before their files were looked at "
			"(they ran unprobed until then)\n",
			(unsigned long long)t->stats.hold_late, (unsigned long long)(t->hold_max_ns / 1000000));
	ring_buffer__free(t->notify);
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	free(t->links);
	aa_tls_finder_free(&t->finder);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

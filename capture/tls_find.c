/* SPDX-License-Identifier: MIT */
/* Finding the files that carry a TLS stack (tls_find.h). */
#include "tls_find.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "elf_syms.h"
#include "events.h"
#include "gotls.h"
#include "live_ssl.h"
#include "print_enc.h"

const char *const aa_tls_funcs[AA_TLS_F_COUNT] = {
	[AA_TLS_F_SSL_WRITE] = "SSL_write",         [AA_TLS_F_SSL_READ] = "SSL_read",
	[AA_TLS_F_SSL_WRITE_EX] = "SSL_write_ex",   [AA_TLS_F_SSL_READ_EX] = "SSL_read_ex",
	[AA_TLS_F_GNUTLS_SEND] = "gnutls_record_send", [AA_TLS_F_GNUTLS_RECV] = "gnutls_record_recv",
	[AA_TLS_F_NSS_IMPORT] = "SSL_ImportFD",     [AA_TLS_F_PR_WRITE] = "PR_Write",
	[AA_TLS_F_PR_READ] = "PR_Read",             [AA_TLS_F_PR_SEND] = "PR_Send",
	[AA_TLS_F_PR_RECV] = "PR_Recv",             [AA_TLS_F_PR_CLOSE] = "PR_Close",
	[AA_TLS_F_GO_WRITE] = "crypto/tls.(*Conn).Write", [AA_TLS_F_GO_READ] = "crypto/tls.(*Conn).Read",
};

/* Symbols looked up: the probed functions first (same bits), then tell-tales. */
enum { SYM_BORINGSSL_SELF_TEST = AA_TLS_F_COUNT, SYM_STRICT_CIPHER_LIST, SYM_COUNT };

#define BIT(i) (1u << (i))
#define OPENSSL_FUNCS (BIT(AA_TLS_F_SSL_WRITE) | BIT(AA_TLS_F_SSL_READ) | BIT(AA_TLS_F_SSL_WRITE_EX) | \
		       BIT(AA_TLS_F_SSL_READ_EX))
#define GNUTLS_FUNCS (BIT(AA_TLS_F_GNUTLS_SEND) | BIT(AA_TLS_F_GNUTLS_RECV))
#define NSPR_FUNCS (BIT(AA_TLS_F_PR_WRITE) | BIT(AA_TLS_F_PR_READ) | BIT(AA_TLS_F_PR_SEND) | \
		    BIT(AA_TLS_F_PR_RECV) | BIT(AA_TLS_F_PR_CLOSE))

/* A Go program with crypto/tls (gotls.h): its two functions and their RETs. */
static void classify_go(const char *path, struct aa_tls_file *e)
{
	struct aa_go_tls *g = malloc(sizeof(*g));

	if (g && aa_go_tls_find(path, g) == 1) {
		e->lib = AA_TLS_LIB_GO;
		e->funcs = BIT(AA_TLS_F_GO_WRITE) | BIT(AA_TLS_F_GO_READ);
		e->offsets[AA_TLS_F_GO_WRITE] = g->entry[AA_GO_WRITE];
		e->offsets[AA_TLS_F_GO_READ] = g->entry[AA_GO_READ];
		e->go = g;
		return;
	}
	free(g);
}

/* Which stack a file's symbols say it carries, and the functions to probe. */
static void classify(const char *path, struct aa_tls_file *e)
{
	static const char *names[SYM_COUNT];
	uint64_t def, imp, off[SYM_COUNT] = { 0 };

	if (!names[0]) {
		for (int i = 0; i < AA_TLS_F_COUNT; i++)
			names[i] = aa_tls_funcs[i]; /* (Go's are looked up by gotls.c, with their sizes) */
		names[SYM_BORINGSSL_SELF_TEST] = "BORINGSSL_self_test";
		names[SYM_STRICT_CIPHER_LIST] = "SSL_CTX_set_strict_cipher_list";
	}
	e->lib = AA_TLS_LIB_UNKNOWN;
	e->funcs = 0;
	if (aa_elf_syms(path, names, SYM_COUNT, &def, &imp, off))
		return;
	memcpy(e->offsets, off, sizeof(e->offsets));
	if (def & GNUTLS_FUNCS) {
		e->lib = AA_TLS_LIB_GNUTLS;
		e->funcs = (uint32_t)def & GNUTLS_FUNCS;
	} else if ((def & OPENSSL_FUNCS) && !(imp & GNUTLS_FUNCS)) {
		/* (GnuTLS's OpenSSL layer, libgnutls-openssl, defines SSL_write
		 * over gnutls_record_send, which is probed already.) */
		e->lib = def & (BIT(SYM_BORINGSSL_SELF_TEST) | BIT(SYM_STRICT_CIPHER_LIST)) ? AA_TLS_LIB_BORINGSSL
											 : AA_TLS_LIB_OPENSSL;
		e->funcs = (uint32_t)def & OPENSSL_FUNCS;
	} else if (def & BIT(AA_TLS_F_NSS_IMPORT)) { /* NSS's libssl3: which sockets are TLS */
		e->lib = AA_TLS_LIB_NSS;
		e->funcs = BIT(AA_TLS_F_NSS_IMPORT);
	} else if ((def & NSPR_FUNCS) == NSPR_FUNCS) { /* NSPR: the calls, taken on those sockets only */
		e->lib = AA_TLS_LIB_NSS;
		e->funcs = NSPR_FUNCS;
	} else {
		classify_go(path, e);
	}
}

static uint64_t ctime_ns(const struct stat *st)
{
	return (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec;
}

struct aa_tls_key aa_tls_key_of(const struct stat *st)
{
	struct aa_tls_key k = { ((uint64_t)major(st->st_dev) << 20) | minor(st->st_dev), st->st_ino,
				ctime_ns(st) };
	return k;
}

/* The entry of this file. A file with a stack stays what it was (its
 * probes hold its inode: the number cannot name another file); one
 * without is looked at again when changed. */
static struct aa_tls_file *known(struct aa_tls_finder *f, const struct stat *st, int *stale)
{
	*stale = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct aa_tls_file *e = &f->files[i];

		if (e->dev == st->st_dev && e->ino == st->st_ino) {
			*stale = e->lib == AA_TLS_LIB_UNKNOWN && e->ctime != ctime_ns(st);
			return e;
		}
	}
	return NULL;
}

int aa_tls_look(struct aa_tls_finder *f, const char *path, const char *why, const struct aa_tls_file **out)
{
	struct aa_tls_file *e;
	struct stat st;
	int stale;

	*out = NULL;
	if (stat(path, &st))
		return -1;
	e = known(f, &st, &stale);
	if (e && !stale) {
		*out = e;
		return 0;
	}
	if (stale) { /* looked at again in its place */
		f->n--;
		if (e != &f->files[f->n]) {
			struct aa_tls_file last = f->files[f->n];

			*e = last;
		}
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct aa_tls_file *files = realloc(f->files, cap * sizeof(*files));

		if (!files)
			return -2;
		f->files = files;
		f->cap = cap;
	}
	e = &f->files[f->n];
	memset(e, 0, sizeof(*e));
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->ctime = ctime_ns(&st);
	if (S_ISREG(st.st_mode))
		classify(path, e);
	if (e->lib != AA_TLS_LIB_UNKNOWN) { /* the names are kept only for files with a stack */
		e->path = strdup(path);
		e->why = strdup(why);
		if (!e->path || !e->why) {
			free(e->path);
			free(e->why);
			free(e->go);
			return -2;
		}
	}
	f->n++;
	*out = e;
	if (e->lib != AA_TLS_LIB_UNKNOWN && f->on_tls)
		f->on_tls(f->ctx, e);
	return 0;
}

void aa_tls_find_system(struct aa_tls_finder *f)
{
	char *sys[16];
	size_t n = aa_tls_system_libs(AA_LDCACHE_PATH, sys, 16);
	const struct aa_tls_file *e;

	for (size_t i = 0; i < n; i++) {
		aa_tls_look(f, sys[i], "system library", &e);
		free(sys[i]);
	}
}

/* Whether a maps line's file was handled already; if not, notes it. */
static int key_seen(struct aa_tls_finder *f, const struct aa_tls_key *k)
{
	for (size_t i = 0; i < f->nkeys; i++)
		if (f->keys[i].ino == k->ino && f->keys[i].kdev == k->kdev && f->keys[i].ctime == k->ctime)
			return 1;
	if (f->nkeys == f->capkeys) {
		size_t cap = f->capkeys ? f->capkeys * 2 : 256;
		struct aa_tls_key *keys = realloc(f->keys, cap * sizeof(*keys));

		if (!keys)
			return 0; /* looked at again next time: only slower */
		f->keys = keys;
		f->capkeys = cap;
	}
	f->keys[f->nkeys++] = *k;
	return 0;
}

/* One line of /proc/PID/maps: "start-end perms offset major:minor inode path". */
static void maps_line(struct aa_tls_finder *f, pid_t pid, const char *root, char *line)
{
	char perms[8], why[48], path[PATH_MAX + 64];
	unsigned maj, min;
	unsigned long long ino;
	struct aa_tls_key k;
	const struct aa_tls_file *e;
	struct stat st;
	int at = 0;
	size_t len;

	if (sscanf(line, "%*x-%*x %7s %*x %x:%x %llu %n", perms, &maj, &min, &ino, &at) != 4 || !at ||
	    perms[2] != 'x' || !ino || line[at] != '/')
		return;
	len = strcspn(line + at, "\n");
	line[at + len] = 0;
	if (len > 10 && !strcmp(line + at + len - 10, " (deleted)"))
		return;
	/* The file as the process sees it (its mount namespace), if that
	 * path still names the file mapped. */
	if ((size_t)snprintf(path, sizeof(path), "%s%s", root, line + at) >= sizeof(path) || stat(path, &st) ||
	    st.st_ino != ino)
		return;
	/* the device as the kernel gave it (for a stacked file system, the
	 * layer the mapping holds) */
	k.kdev = ((uint64_t)maj << 20) | min;
	k.ino = ino;
	k.ctime = ctime_ns(&st);
	if (f->on_key)
		f->on_key(f->ctx, &k);
	if (key_seen(f, &k))
		return;
	snprintf(why, sizeof(why), "mapped by pid %d", (int)pid);
	aa_tls_look(f, path, why, &e);
}

/* The prefix that makes a path of pid's mount namespace a path here: "" when
 * its root is ours. */
static void root_of(pid_t pid, char *root, size_t size)
{
	char link[64], target[8];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
	n = readlink(link, target, sizeof(target));
	if (n == 1 && target[0] == '/')
		root[0] = 0;
	else
		snprintf(root, size, "%s", link);
}

static void find_pid(struct aa_tls_finder *f, pid_t pid)
{
	char name[64], root[64], *line = NULL;
	size_t cap = 0;
	FILE *maps;

	snprintf(name, sizeof(name), "/proc/%d/maps", (int)pid);
	maps = fopen(name, "re");
	if (!maps)
		return; /* gone, or a kernel thread's */
	root_of(pid, root, sizeof(root));
	while (getline(&line, &cap, maps) > 0)
		maps_line(f, pid, root, line);
	free(line);
	fclose(maps);
}

void aa_tls_find_maps(struct aa_tls_finder *f, pid_t pid)
{
	struct dirent *d;
	DIR *proc;

	if (pid) {
		find_pid(f, pid);
		return;
	}
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((d = readdir(proc))) {
		char *end;
		long p = strtol(d->d_name, &end, 10);

		if (*end == 0 && p > 0 && p != getpid())
			find_pid(f, (pid_t)p);
	}
	closedir(proc);
}

void aa_tls_funcs_names(uint32_t funcs, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (int i = 0; i < AA_TLS_F_COUNT && used < size; i++)
		if (funcs & BIT(i))
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "," : "", aa_tls_funcs[i]);
}

void aa_tls_finder_free(struct aa_tls_finder *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->files[i].path);
		free(f->files[i].why);
		free(f->files[i].go);
	}
	free(f->files);
	free(f->keys);
	memset(f, 0, sizeof(*f));
}

static int list_one(void *ctx, const struct aa_tls_file *e)
{
	FILE *out = ctx;
	char funcs[160];

	aa_tls_funcs_names(e->funcs, funcs, sizeof(funcs));
	aa_enc_text_bare(out, (const uint8_t *)e->path, strlen(e->path));
	fprintf(out, " stack=%s symbols=%s", aa_tls_lib_name(e->lib), funcs);
	if (e->go) /* where the functions were found, and their return points */
		fprintf(out, " go=%s from=%s rets=%u,%u", e->go->version, e->go->from_pclntab ? ".gopclntab" : ".symtab",
			e->go->nrets[AA_GO_WRITE], e->go->nrets[AA_GO_READ]);
	fprintf(out, " why=\"%s\"\n", e->why);
	return 0;
}

int aa_tls_list(FILE *out, const char *const *extra, size_t nextra)
{
	struct aa_tls_finder f = { .on_tls = list_one, .ctx = out };
	const struct aa_tls_file *e;
	int rc = 0;

	for (size_t i = 0; i < nextra; i++) {
		int r = aa_tls_look(&f, extra[i], "--ssl-lib", &e);

		if (r || e->lib == AA_TLS_LIB_UNKNOWN) {
			fprintf(stderr, "aa-capture: %s: %s\n", extra[i],
				r == -1 ? strerror(errno) : r ? "out of memory" : "no TLS functions to attach to");
			rc = 1;
		}
	}
	aa_tls_find_system(&f);
	aa_tls_find_maps(&f, 0);
	aa_tls_finder_free(&f);
	return rc;
}

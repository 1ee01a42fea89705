/* SPDX-License-Identifier: MIT */
/*
 * Finding the files that carry a TLS stack: which stack a file holds (by the
 * functions its ELF symbol tables define; a Go program by gotls.h, stripped
 * or not), and where to look: paths given by
 * hand, the system's libssl, libgnutls, NSS's libssl3 and NSPR's libnspr4
 * (the dynamic linker's cache), and
 * every file mapped for execution by running processes (/proc/PID/maps),
 * libraries and programs alike (OpenSSL or BoringSSL linked into a program).
 * Each file is looked at once, known by its device and inode.
 */
#ifndef AA_TLS_FIND_H
#define AA_TLS_FIND_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The functions probed, by stack; bit i of aa_tls_file.funcs is aa_tls_funcs[i]. */
enum aa_tls_func {
	AA_TLS_F_SSL_WRITE,
	AA_TLS_F_SSL_READ,
	AA_TLS_F_SSL_WRITE_EX,
	AA_TLS_F_SSL_READ_EX,
	AA_TLS_F_GNUTLS_SEND,
	AA_TLS_F_GNUTLS_RECV,
	AA_TLS_F_NSS_IMPORT, /* SSL_ImportFD (NSS's libssl3): which fds are TLS */
	AA_TLS_F_PR_WRITE,   /* NSPR's libnspr4 */
	AA_TLS_F_PR_READ,
	AA_TLS_F_PR_SEND,
	AA_TLS_F_PR_RECV,
	AA_TLS_F_PR_CLOSE,
	AA_TLS_F_GO_WRITE, /* Go's crypto/tls.(*Conn).Write and Read (gotls.h): */
	AA_TLS_F_GO_READ,  /* the return side on their RETs, aa_tls_file.go */
	AA_TLS_F_COUNT,
};
extern const char *const aa_tls_funcs[AA_TLS_F_COUNT];

/* A file looked at: lib is an enum aa_tls_lib, AA_TLS_LIB_UNKNOWN when it
 * carries no stack (then funcs is 0). */
struct aa_tls_file {
	dev_t dev;
	ino_t ino;
	uint64_t ctime;  /* st_ctim in ns: a file without a stack is looked at
			    again once changed (or its inode number reused) */
	uint8_t lib;
	uint32_t funcs;
	uint64_t offsets[AA_TLS_F_COUNT]; /* of each function in funcs, in the file */
	char *path; /* a path that opens it now (for a process's file, under /proc/PID/root) */
	char *why;  /* how it was found: "--ssl-lib", "system library", "mapped by pid N" */
	struct aa_go_tls *go; /* a Go program's: its RETs (owned; NULL for the other stacks) */
};

/* A file as the kernel knows it: device (major << 20 | minor), inode, ctime in ns. */
struct aa_go_tls;

struct aa_tls_key {
	uint64_t kdev, ino, ctime;
};

/*
 * The files looked at so far. on_tls is called once for each new file that
 * carries a stack (its return value is kept for the caller, 0 ok); on_key
 * (may be NULL) for each file of a process's maps, also for files looked at
 * before.
 */
struct aa_tls_finder {
	struct aa_tls_file *files;
	size_t n, cap;
	struct aa_tls_key *keys; /* of the maps lines handled */
	size_t nkeys, capkeys;
	int (*on_tls)(void *ctx, const struct aa_tls_file *f);
	void (*on_key)(void *ctx, const struct aa_tls_key *k);
	void *ctx;
};

/* The key of a file stat(2) describes. */
struct stat;
struct aa_tls_key aa_tls_key_of(const struct stat *st);

/*
 * Looks at the file at path (found as why says), once: *out is its entry,
 * new or known. Returns 0, -1 when it cannot be stat'ed (errno set), or -2
 * out of memory. A file that is not ELF is an entry without a stack.
 */
int aa_tls_look(struct aa_tls_finder *f, const char *path, const char *why, const struct aa_tls_file **out);

/* The system's TLS libraries (ld.so.cache, live_ssl.h). */
void aa_tls_find_system(struct aa_tls_finder *f);

/* The files mapped for execution by process pid, or (pid 0) by every process. */
void aa_tls_find_maps(struct aa_tls_finder *f, pid_t pid);

/* The names of the functions in funcs, comma-separated, into buf. */
void aa_tls_funcs_names(uint32_t funcs, char *buf, size_t size);

void aa_tls_finder_free(struct aa_tls_finder *f);

/*
 * aa-capture --list-tls: finds as a capture would (extra paths as by
 * --ssl-lib) and prints one line per file with a stack: path, stack,
 * functions, why. Returns 0, or 1 when an extra path cannot be read or has
 * no stack (said on stderr).
 */
int aa_tls_list(FILE *out, const char *const *extra, size_t nextra);

#endif /* AA_TLS_FIND_H */

/* SPDX-License-Identifier: MIT */
/*
 * The live source: the kernel's EVENTS ring buffer behind the same aa_source
 * interface as capture files (aa_replay.h). Loads and attaches the BPF
 * programs embedded in the library; needs root.
 */
#ifndef AA_LIVE_H
#define AA_LIVE_H

#include <stdint.h>

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AA_LIVE_ARGV_DEFAULT (128u << 10) /* an exec's argv recorded whole up to this */
#define AA_LIVE_ARGV_MAX (16u << 20)      /* the most argv_max may be (bpf/strings.bpf.h's limit) */

struct aa_live_opts {
	struct aa_filter filter;   /* applied in user space after the kernel filters below */
	unsigned ring_bytes;       /* EVENTS size, a power of two; 0: 16 MiB */
	int timeout_ms;            /* aa_next() waits at most this long, then AA_E_AGAIN; -1: forever */
	unsigned events;           /* AA_TYPE_BIT() mask of the types to record in the kernel; 0: all */
	const uint32_t *pids;      /* record only these processes and their descendants */
	size_t npids;
	const char *comm;          /* record only tasks with this comm; NULL: all */
	const char *const *ssl_libs; /* extra libssl paths to attach to, besides the system one */
	size_t nssl_libs;
	int all_files;             /* read/write on every fd kind, not only regular files */
	unsigned argv_max;         /* bytes of an exec's argv recorded whole, at most
				      AA_LIVE_ARGV_MAX; 0: AA_LIVE_ARGV_DEFAULT */
	/* A program that maps a file not looked at yet (its executable, a
	 * library) is stopped (SIGSTOP) until that file's TLS probes are
	 * attached, so none of its TLS is missed; a parent that watches its
	 * children's stops (waitpid WUNTRACED) sees that stop. 0: it runs on
	 * and is probed as soon as can be (its first TLS calls may be missed). */
	int tls_hold;
};

/* Returns 0 or AA_E_PERM / AA_E_UNSUPPORTED / AA_E_BPF, with err saying what is missing in one line.
 * AA_E_INVAL for a bad ring size, comm or SSL library. With AA_VERBOSE=1 in the environment,
 * libbpf's own messages and what was attached go to stderr (silent otherwise). */
AA_MUST_CHECK int aa_open_live(aa_source **src, const struct aa_live_opts *opts, struct aa_error_info *err);

/*
 * The calls below are for a live source only: on any other source they
 * refuse, setting aa_source_error() to AA_E_INVAL ("aa_live_fd: not a live
 * source"), and return AA_E_INVAL, 0, or zeroed drops.
 */

/* Records lost in the kernel so far (failed reservations), per enum aa_drop_slot;
 * never less than the last call gave (a failed read of the counters keeps those). */
void aa_live_drops(aa_source *src, uint64_t drops[AA_DROP_SLOTS]);

/* An fd (owned by the source) that polls readable when records are waiting (for a caller's own loop): at most
 * 10 ms after a record arrived, as the kernel wakes the reader in batches. */
int aa_live_fd(aa_source *src);

/* The offset that turns the records' monotonic time stamps into wall-clock time. */
int64_t aa_live_mono_to_wall(aa_source *src);

#ifdef __cplusplus
}
#endif

#endif /* AA_LIVE_H */

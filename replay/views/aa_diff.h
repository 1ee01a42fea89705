/* SPDX-License-Identifier: MIT */
/*
 * Comparing two recordings of the same job by what happened, not by pids
 * or times: for regression tests without root. Each recording is turned
 * into its "what happened" text: its process tree (aa_tree.h), each
 * process as one line of its argv, then its program (and execs that
 * failed), its exit, the files it opened, wrote, renamed and removed, the
 * peers it connected to, its HTTP requests over TLS (line and decoded
 * body, aa_follow.h) and the responses' statuses, each line once per
 * process in the order first seen. Children are indented under their
 * parent, siblings by start time, then argv; records of no process the
 * recording names (no snapshot, fork or exec of their pid) come under a
 * last root, "process (records of no known process)". Two recordings are
 * alike when their texts are equal; the differences are a unified diff of
 * the two texts (aa-replay diff --show prints one text).
 *
 * Volatile parts: pids and times are never in the text. Paths and argv
 * items have their temporary directories and other per-run names masked
 * by default (AA_DIFF_DEFAULT_MASKS); aa_diff_opts adds regular
 * expressions of paths to leave out and fields to leave out.
 *
 * Memory: the two texts are written to temporary files (in $TMPDIR, else
 * /tmp; removed when done), not kept: while a recording is read, each live
 * process keeps at most 64 KiB of its lines and a set of their 64-bit
 * hashes (dropped when it ends); then the trees (aa_tree.h's bounds), the
 * follow library's open connections, and for the comparison 8 bytes per
 * line between the texts' common start and common end. Lines are compared
 * by their XXH64; two texts of as many lines whose lines' hashes, in order
 * and under the same processes, fold to the same 64-bit fingerprint are
 * alike without being read back (texts that differ do so but with odds of
 * 2^-64). The unified diff of texts that differ in more than
 * AA_DIFF_MAX_EDITS lines is coarser (the differing middle shown removed
 * and added whole), so that finding it takes at most
 * 4 * AA_DIFF_MAX_EDITS^2 bytes (16 MB). A temporary file that cannot be
 * made or written is AA_E_IO, with err->sys_errno.
 *
 * Threads: when a and b are two sources, b's text is built on a second
 * thread while a's is built on the caller's, so both recordings' live
 * processes and connections are held at once (the bounds above, twice),
 * and b is read to its end even when a fails (a's error is the one
 * reported). The same source given twice is read once after the other.
 */
#ifndef AA_DIFF_H
#define AA_DIFF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What can be left out of the comparison (aa_diff_opts.ignore_fields), by
 * the word that starts its line in the text. */
#define AA_DIFF_ARGV 0x001    /* a process line shows only its comm */
#define AA_DIFF_EXE 0x002     /* "exe PATH", "exec failed PATH -> ERRNO" */
#define AA_DIFF_EXIT 0x004    /* "exit N", "killed by SIGNAME", "running" */
#define AA_DIFF_OPEN 0x008    /* "open PATH MODE [-> ERRNO]" */
#define AA_DIFF_WRITE 0x010   /* "write PATH" */
#define AA_DIFF_RENAME 0x020  /* "rename OLD -> NEW" */
#define AA_DIFF_REMOVE 0x040  /* "unlink PATH", "rmdir PATH" */
#define AA_DIFF_MKDIR 0x080   /* "mkdir PATH" */
#define AA_DIFF_CONNECT 0x100 /* "connect PEER" */
#define AA_DIFF_TLS 0x200     /* "tls > METHOD PATH (PROTO)", "tls < STATUS (PROTO)": each
				 HTTP request and response aa_follow (aa_follow.h) decodes */
#define AA_DIFF_TLS_BODY 0x400 /* "body ...": a request's decoded body (past 160 bytes,
				  its length and XXH64); response bodies are not compared */
#define AA_DIFF_FIELDS_ALL 0x7ff

/*
 * The field bit of a name ("argv", "exe", "exit", "open", "write",
 * "rename", "remove", "mkdir", "connect", "tls", "body"), 0 for none.
 */
unsigned aa_diff_field(const char *name);

#define AA_DIFF_MAX_EDITS 2000

/* The masks applied to every path and argv item unless no_default_masks:
 * POSIX extended regular expressions and what replaces each match. */
#define AA_DIFF_DEFAULT_MASKS                                                     \
	X("(/tmp|/var/tmp|/dev/shm)/tmp[a-z0-9_]{8}", "$TMP") /* Python tempfile */ \
	X("(/tmp|/var/tmp|/dev/shm)/tmp\\.[A-Za-z0-9]{10}", "$TMP") /* mktemp */    \
	X("/tmp/systemd-private-[0-9a-f]{32}-[^/]*", "$TMP")                        \
	X("/proc/[0-9]+", "/proc/$PID")                                             \
	X("/dev/pts/[0-9]+", "/dev/pts/$N")                                         \
	X("(pipe|socket):\\[[0-9]+\\]", "$PIPE")

struct aa_diff_opts {
	/* Paths to leave out: a file line whose path (or either path of a
	 * rename) matches one of these POSIX extended regular expressions is
	 * not in the text. */
	const char *const *ignore_paths;
	size_t nignore_paths;
	unsigned ignore_fields;  /* AA_DIFF_* */
	int no_default_masks;    /* leave temporary directories and pids in paths */
	unsigned context;        /* lines of context around a difference; 0: 3 */
	const char *label_a, *label_b; /* the "---" and "+++" names; NULL: "a", "b" */
	/* Each line of the unified diff (its first byte ' ', '-', '+', or the
	 * "---", "+++", "@@" lines), without its newline; a non-zero return
	 * stops with AA_E_STOPPED. NULL: not made. */
	int (*on_line)(void *user, const char *line, size_t len);
	void *user;
	/* aa_diff_files: threads that read each file ahead
	 * (aa_replay_opts.threads); 0: none. The answer is the same. Since 0.4.0. */
	unsigned threads;
};

struct aa_diff_result {
	int different;          /* 1 when the texts differ */
	uint64_t lines_a, lines_b; /* lines of each text */
	uint64_t removed, added;   /* lines only in a, only in b */
	uint32_t processes_a, processes_b;
	int intact_a, intact_b; /* aa_source_stats.intact of each source at its end: when 0,
				   the text is of what could be read, and the answer is too */
};

/*
 * Compares the recordings a and b, each read to its end. Returns 0 alike
 * or 1 different (res filled), or a negative AA_E_*: a bad regular
 * expression is AA_E_INVAL with err->detail naming it; an error reading
 * a source ends the comparison with that error in err (path, offset) and
 * aa_source_error() of that source. A source opened with skip_damaged
 * reads past damage: then res says it was not intact.
 */
AA_MUST_CHECK int aa_diff_sources(aa_source *a, aa_source *b, const struct aa_diff_opts *opts,
				  struct aa_diff_result *res, struct aa_error_info *err);

/* aa_diff_sources of two capture files (or rotated sets), opened with
 * aa_open_offline in time order (with opts->threads), stopping at damage. */
AA_MUST_CHECK int aa_diff_files(const char *const *a, size_t na, const char *const *b, size_t nb,
				const struct aa_diff_opts *opts, struct aa_diff_result *res,
				struct aa_error_info *err);

/*
 * Writes the "what happened" text of src (read to its end) to out, as
 * aa_diff compares it with opts (ignore_paths, ignore_fields,
 * no_default_masks). Returns 0 or a negative AA_E_* as aa_diff_sources.
 */
AA_MUST_CHECK int aa_diff_describe(aa_source *src, const struct aa_diff_opts *opts, FILE *out,
				   struct aa_error_info *err);

#ifdef __cplusplus
}
#endif

#endif /* AA_DIFF_H */

/* SPDX-License-Identifier: MIT */
/*
 * The consumer interface: one way to read ring-buffer records, whatever is
 * behind it. aa_open_offline() reads capture files; aa_open_live() (in
 * aa_live.h) reads the kernel's ring buffer. Code written against aa_next()
 * or aa_dispatch() runs unchanged on both, the way libpcap's live and
 * offline handles do.
 *
 * No global state: each aa_source is independent, and separate sources may
 * be used from separate threads. Memory stays bounded by one chunk whatever
 * the size of the files, plus the time order's and the process table's own
 * bounds (see aa_replay_opts and aa_process_at).
 *
 * Lifetimes: every pointer the library hands out is owned by the library,
 * never freed by the caller, and valid as each declaration below says; at
 * the latest it ends with aa_close() of its source. Strings from a file
 * (META, records) are untrusted bytes: print them escaped (aa_print.h).
 */
#ifndef AA_REPLAY_H
#define AA_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "aa_error.h"
#include "meta.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aa_source aa_source;

/* Where and why reading failed. */
struct aa_error_info {
	int code;          /* AA_E_* */
	int sys_errno;     /* for AA_E_IO */
	const char *path;  /* the file, NULL for a live source; from aa_open_offline's err: one
			      of the caller's paths, else the source's copy, valid until aa_close */
	int64_t offset;    /* byte offset in the file of the block concerned, -1 if none */
	int64_t chunk;     /* chunk number in the file, -1 if none */
	char detail[192];  /* what exactly, one line */
};

/* "PATH: offset N: chunk C: detail" (the parts that apply), one line, no newline. */
void aa_error_format(const struct aa_error_info *err, char *buf, size_t size);

/* Which records to deliver; zero values select everything. */
struct aa_filter {
	unsigned types;        /* AA_TYPE_BIT() mask; 0: all types. Records of the
				  types left out that give nothing delivered its
				  evidence (net; file and fileop without strings;
				  path strings) are dropped early: a view of a few
				  types reads faster */
	const uint32_t *pids;  /* deliver only records of these pids (copied) */
	size_t npids;
	uint64_t since_ns;     /* wall clock, inclusive; 0: no bound */
	uint64_t until_ns;     /* wall clock, exclusive; 0: no bound */
};

struct aa_replay_opts {
	struct aa_filter filter;
	/* Skip a damaged chunk (or the damaged rest of a file), report it to
	 * on_damage and go on, instead of stopping with its error. */
	int skip_damaged;
	void (*on_damage)(void *user, const struct aa_error_info *err);
	/* Called before each block is read. From a pipe that read may wait for
	 * the writer (aa-capture -w - | ...): a program printing the records
	 * flushes its output here, so each chunk shows as it arrives. */
	void (*on_read)(void *user);
	void *user;
	/* Deliver records in time order (time_ns, then capture order) instead of
	 * capture order: each is held until a record the file's reorder window
	 * (aa_meta_reorder_ns) later has been read, with at most 64 MiB held. A
	 * record that still comes after a later one is counted in stats.late. */
	int ordered;
	/* Set aa_record.folded on each completion record (string, tls_conn,
	 * task exec/exit: see struct aa_joins) whose record came, so that a
	 * printer can show it only in that record. The order stays the same:
	 * a completion record, and every record after it, is held (copied)
	 * until its record comes or it is known to be an orphan (its thread's
	 * next record, the end, or past 1024 such groups or 64 MiB held). */
	int fold;
	/* Process incarnations the process table keeps at most; 0: AA_PROC_MAX. */
	uint32_t max_processes;
	/* Follow the one file given while it is written, as tail -f: at the end
	 * of what it holds (a block not yet whole included) aa_next waits for
	 * more, until the file's END chunk, and ends there. stop(user) is called
	 * before each wait (at least every half second, and when a signal
	 * interrupts the wait): non-zero ends the stream where it stands, as a
	 * clean end. A file truncated or moved away meanwhile is an error
	 * (AA_E_TRUNCATED, AA_E_IO) that ends it. Use it with capture order:
	 * time order would hold the last records back. */
	int follow;
	int (*stop)(void *user);
	/* Worker threads that read ahead: 0 reads in the caller's thread alone,
	 * as before; N (at most 64) decompress, undo the transform and check
	 * zstd's checksum of the chunks ahead in parallel, while the caller's
	 * thread reads the blocks (their structure, order and crc32 checked),
	 * parses and hands out the records in order. Records, errors, damage
	 * reports, stats and the END checks are exactly those of 0 threads.
	 * Memory: at most 2 * N + 1 chunks read ahead (each its stored frame and
	 * its decoded records, at most 256 KiB each) and per worker a zstd
	 * context and a transform buffer: about 1.3 MiB per thread (files of
	 * several hosts: N for each host's files). Only regular
	 * files are read ahead: a pipe, FIFO, followed file or stream (whose
	 * reads may wait for the writer) is read in the caller's thread. */
	unsigned threads;
};

/*
 * One string a string record (or several, seq 0..n) carried: exact bytes,
 * NOT NUL-terminated (an argv holds each item followed by its NUL).
 */
struct aa_string {
	const uint8_t *data;  /* NULL when the record has no such string */
	uint32_t len;         /* bytes recorded */
	uint32_t orig_len;    /* the real length (0xffffffff: unknown) */
	int truncated;        /* shorter than the real string, or a piece was lost */
	int unlinked;         /* PATH of a read or write: the file had been unlinked */
};

/*
 * What completes a record: the string, tls_conn and task records of the
 * same pid, tid (for a record that has one) and timestamp_ns that came
 * just before it (format version 2). A TLS call's conn stays with every
 * piece of the call.
 */
struct aa_joins {
	struct aa_string str[AA_STRING_KIND_COUNT]; /* by enum aa_string_kind */
	const struct aa_tls_conn_event *tls_conn;    /* a TLS piece's connection, or NULL */
	const struct aa_task_event *task;            /* an exec or exit record's task record, or NULL */
};

/* How a process is known (aa_process.how). */
#define AA_PROC_SNAPSHOT 0x1 /* running when the capture started */
#define AA_PROC_FORK 0x2     /* seen being created */
#define AA_PROC_EXEC 0x4     /* seen executing a program */
#define AA_PROC_EXIT 0x8     /* seen ending */

/*
 * One process incarnation (a pid until it exits; a reused pid is a new
 * one), as the records delivered so far tell. Byte strings are untrusted.
 */
struct aa_process {
	uint32_t pid, ppid, uid, gid;
	uint32_t ns_pid;      /* pid in its own pid namespace, 0 unknown */
	uint32_t pidns_ino;   /* its pid namespace, 0 unknown */
	uint64_t cgroup_id;   /* 0 unknown */
	char comm[16];        /* NUL-terminated; "" unknown */
	char cgroup[AA_CGROUP_NAME_MAX]; /* the cgroup's own name, NUL-terminated; "" unknown */
	char container_id[65]; /* the 64 hex digits in cgroup (docker-ID.scope,
				  cri-containerd-ID.scope, libpod-ID, ID), else "" */
	struct aa_string exe;  /* the program: exec file name, or snapshot's exe */
	struct aa_string argv; /* each item followed by its NUL */
	int argv_joined;       /* format 1: argv is the exec record's args, items
				  joined by spaces (boundaries unknown) */
	uint64_t start_ns;     /* wall clock: its start time, else when first seen */
	uint64_t end_ns;       /* wall clock of its exit, 0 while not seen ending */
	unsigned how;          /* AA_PROC_* */
	int exit_code;         /* the exit(2) value (format 1: the exit record's exit_code) */
	int signal;            /* the signal that killed it, 0 none */
	int core_dumped;
	uint32_t execs;        /* exec records seen */
	/* Whose pid it is: the origin of its records (aa_record.origin; pids
	 * of other hosts are other processes) and its host (NULL live). */
	uint32_t origin;
	const char *host;
};

/* One record as delivered: the parsed event and where it came from. */
struct aa_record {
	struct aa_event ev;
	uint64_t time_ns;  /* wall clock: the record's time stamp plus the file's offset;
			      for an unknown record, the time its chunk was written */
	uint64_t index;    /* place in the whole stream, counting filtered-out records */
	const char *path;  /* file it came from (valid until aa_close), NULL for a live source */
	uint32_t chunk;    /* chunk number in that file */
	/* Evidence, valid as long as the record: who its pid is as of this
	 * record (NULL when unknown; with fold, as of the records read so far,
	 * which may be a few past it), what completed it (NULL when nothing
	 * did), and with aa_replay_opts.fold, 1 for a completion record that
	 * a record delivered later carries in joins. */
	const struct aa_process *process;
	const struct aa_joins *joins;
	int folded;
	/* Its origin (see aa_source_origin): the capturing host as its META
	 * names it ("" when it names none) and that capture's 16-byte session;
	 * NULL for a live source. Valid until aa_close. */
	const char *host;
	const uint8_t *session;
	uint32_t origin;   /* aa_source_origin(src, origin) */
	/* The capturing machine's architecture as its origin's META names it
	 * (`uname -m`: "x86_64", "aarch64"; "" when it names none), which says
	 * how the record's architecture-defined numbers (open flags) read;
	 * NULL when no META is known (a live or raw source: this machine's).
	 * Valid until aa_close. */
	const char *arch;
};

/*
 * Where records come from: one capture session of one host (a rotated set
 * of files; a source of a merged file). Files of several hosts or sessions
 * given together are one stream in time order, each record naming its
 * origin. Counted over what was read so far.
 */
struct aa_origin {
	const char *host;         /* META host name, "" when none */
	const uint8_t *session;   /* 16 bytes */
	const struct aa_file_meta *meta; /* the META of its first file (a copy) */
	uint32_t files;           /* files (sections, merged-file sources) read of it */
	uint64_t records;         /* records read of it, filtered-out ones included */
	uint64_t by_type[AA_TYPE_COUNT];
	uint64_t bytes_raw;
	uint64_t first_ns, last_ns; /* wall clock of its earliest and latest record, 0 if none */
	int intact;               /* nothing damaged in its files so far */
};

/* Per-type callbacks; NULL skips that type. rec is valid during the call only. A non-zero return stops aa_dispatch()
 * with AA_E_STOPPED. */
typedef int (*aa_record_cb)(void *user, const struct aa_record *rec);
#define AA_X_CALLBACK(name, NAME, size) aa_record_cb on_##name;
struct aa_callbacks {
	AA_RECORD_TYPES(AA_X_CALLBACK) /* on_tls, on_file, on_exec, on_exit ... */
	aa_record_cb on_unknown; /* unknown sizes, and known sizes with ev.error set (AA_REC_*) */
};
#undef AA_X_CALLBACK

/* Counters over everything read so far (filtered-out records included). */
struct aa_source_stats {
	uint64_t records;
	uint64_t by_type[AA_TYPE_COUNT];
	uint64_t invalid;         /* known size, ev.error an AA_REC_* (also counted in by_type) */
	uint64_t delivered;       /* records that passed the filter */
	uint64_t late;            /* ordered: delivered after a record of a later time */
	uint64_t dropped;         /* lost before the writer, from the files' counters */
	uint64_t drops[AA_DROP_SLOTS]; /* per enum aa_drop_slot */
	uint64_t chunks;          /* record chunks decoded */
	uint64_t damaged;         /* chunks or file tails skipped as damaged */
	uint64_t bytes_raw;       /* record bytes */
	uint64_t bytes_stored;    /* file bytes read */
	uint64_t first_ns;        /* wall clock of the earliest record, 0 if none */
	uint64_t last_ns;         /* of the latest */
	uint32_t files;           /* files opened */
	uint32_t files_closed;    /* files that ended with a verified END chunk */
	int intact;               /* all read so far is whole: every block and chunk
				     good, every file closed, every digest equal */
};


/*
 * Opens capture files to be read as one stream. Files of one host and
 * session are a rotated set, read one after the other in the order given
 * (oldest first). Files of several hosts or sessions are grouped by (host,
 * session) from their META, each group a rotated set in the order given,
 * and the groups merged by wall-clock time (FORMAT.md section 7): memory
 * holds one chunk per group (and with ordered, its window). Returns 0 or
 * AA_E_*; on error *src is NULL and err (if not NULL) says why.
 */
AA_MUST_CHECK int aa_open_offline(aa_source **src, const char *const *paths, size_t npaths,
		    const struct aa_replay_opts *opts, struct aa_error_info *err);

/*
 * The next record that passes the filter: 1 and *rec set (it, its ev.raw and
 * its typed view, which point into the source's own aligned storage, are
 * valid until the next aa_next, aa_dispatch or aa_close on src; copy what
 * must live longer), 0 at the end, or a negative AA_E_* (details in
 * aa_source_error()). Records come in exact capture order, or with
 * aa_replay_opts.ordered in time order; then an error comes after the
 * records read before it.
 */
AA_MUST_CHECK int aa_next(aa_source *src, const struct aa_record **rec);

/*
 * Reads to the end, calling the callback of each record's type. Returns 0 at
 * the end, AA_E_STOPPED when a callback returned non-zero (aa_source_error()
 * names the callback and its value; a next call goes on after that record),
 * or another negative AA_E_*.
 */
AA_MUST_CHECK int aa_dispatch(aa_source *src, const struct aa_callbacks *cb, void *user);

/* The last error of src: valid until aa_close, its content replaced by the next error. */
const struct aa_error_info *aa_source_error(const aa_source *src);
void aa_source_get_stats(const aa_source *src, struct aa_source_stats *stats);
/* The META of the file being read (the first one before any read; of files
 * of several hosts, the first group's; of a merged file, its first
 * source's: aa_source_origin has each one's); NULL for live and raw sources. It and its strings stay valid until the next aa_next()
 * or aa_dispatch() (which may move to the next file and its META) or aa_close(). */
const struct aa_file_meta *aa_source_meta(const aa_source *src);
/*
 * The i-th origin of src's records, in the order they became known (all of
 * them at open when several files are given; a merged file's at its first
 * read), NULL past the last and for a live source. Valid until aa_close;
 * the counts are as of the last record read.
 */
const struct aa_origin *aa_source_origin(const aa_source *src, uint32_t i);
/* How many origins src knows so far. */
uint32_t aa_source_origins(const aa_source *src);

/*
 * The process table: fed with every record in delivery order (time order
 * with aa_replay_opts.ordered), whether the filter passes it or not. It
 * holds at most aa_replay_opts.max_processes (AA_PROC_MAX) incarnations and
 * AA_PROC_MAX_BYTES of their strings: past either, the incarnation that
 * exited first is forgotten (then, while none has exited, a new one is not
 * kept). With the pending completion records (at most 1024 groups and 64
 * MiB), this is the memory a source holds beyond its chunk and time order.
 */
#define AA_PROC_MAX 16384
#define AA_PROC_MAX_BYTES (16u << 20)
/*
 * Process pid at wall time time_ns: the incarnation alive then, else the
 * last one that started before it; NULL when none is known. Valid until the
 * next aa_next, aa_dispatch or aa_close; its content is as of the last
 * record delivered.
 */
const struct aa_process *aa_process_at(const aa_source *src, uint32_t pid, uint64_t time_ns);
/* aa_process_at for the pids of one origin (aa_record.origin) of a stream
 * of several hosts: aa_process_at is origin 0's. */
const struct aa_process *aa_process_at_origin(const aa_source *src, uint32_t origin, uint32_t pid,
					      uint64_t time_ns);
/* Every incarnation known, in the order they became known: NULL prev for
 * the first, NULL after the last. Valid as aa_process_at's. */
const struct aa_process *aa_process_next(const aa_source *src, const struct aa_process *prev);
/*
 * The container id in a cgroup name: the run of exactly 64 hex digits that
 * is the name or is framed by '-' and '.' (docker-ID.scope,
 * cri-containerd-ID.scope, crio-ID.scope, libpod-ID); copied to id with its
 * NUL. Returns 1, or 0 with id "".
 */
int aa_container_id(const char *cgroup, char id[65]);
/* Frees src and everything it handed out; NULL is allowed. */
void aa_close(aa_source *src);

#ifdef __cplusplus
}
#endif

#endif /* AA_REPLAY_H */

/* SPDX-License-Identifier: MIT */
/*
 * The ring-buffer records: the wire contract between the BPF programs (bpf/)
 * and every user-space reader. The four seed layouts are byte for byte those
 * of the original consumer (their tables: FORMAT.md section 6): a record's
 * type is known from its size alone, so no two types may ever share a size.
 *
 * This header is included by BPF C (after vmlinux.h, which defines the __u*
 * types) and by user C; it holds no code, only layouts and their asserts,
 * and AA_RECORD_TYPES, the one list every per-type table is made from.
 */
#ifndef AA_EVENTS_H
#define AA_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Every record type, one X(name, NAME, size) each: the struct is
 * struct aa_<name>_event, exactly size bytes (asserted below), with the
 * fields timestamp_ns (CLOCK_MONOTONIC) and pid; its type is AA_TYPE_<NAME>,
 * its size AA_<NAME>_EVENT_SIZE, its drop slot AA_DROP_<NAME>. The place in
 * the list is the type's number, which files and the DROPS map carry: a new
 * type goes at the end, and none is ever renumbered. The parser's switch on
 * sizes is made from this list, so two equal sizes do not compile. The
 * parser, names, drop slots, printers, callbacks, schema text and BTF are
 * all made from it; a type needs its struct here, then whatever the compiler
 * asks for (a check_<name> in parse.c, a print_<name> per output format).
 */
#define AA_RECORD_TYPES(X)   \
	X(tls, TLS, 4128)    \
	X(file, FILE, 296)   \
	X(exec, EXEC, 792)   \
	X(exit, EXIT, 16)

#define AA_X_TYPE_ENUM(name, NAME, size) AA_TYPE_##NAME,
enum aa_type {
	AA_RECORD_TYPES(AA_X_TYPE_ENUM)
	AA_TYPE_UNKNOWN, /* a size no layout has: kept, counted, shown */
};
#undef AA_X_TYPE_ENUM
#define AA_TYPE_COUNT (AA_TYPE_UNKNOWN + 1) /* with unknown */

#define AA_X_TYPE_SIZE(name, NAME, size) AA_##NAME##_EVENT_SIZE = size,
enum aa_event_size { AA_RECORD_TYPES(AA_X_TYPE_SIZE) };
#undef AA_X_TYPE_SIZE

/* " tls file exec exit": the known names, for help texts. */
#define AA_X_TYPE_NAME(name, NAME, size) " " #name
#define AA_TYPE_NAMES AA_RECORD_TYPES(AA_X_TYPE_NAME)

#define AA_TLS_PAYLOAD_MAX 4096 /* bytes of plaintext in one TLS piece */
#define AA_PATH_MAX 256         /* file path and exec filename, NUL included */
#define AA_ARGS_MAX 512         /* exec argv joined by spaces, NUL included */

enum aa_file_syscall {
	AA_SYS_OPENAT = 0,
	AA_SYS_READ = 1,
	AA_SYS_WRITE = 2,
	AA_SYS_UNLINK = 3, /* unlink and unlinkat */
	AA_SYS_RENAME = 4, /* rename, renameat and renameat2 */
	AA_SYS_COUNT = 5,  /* first invalid value */
};

enum aa_tls_direction {
	AA_TLS_WRITE = 0, /* outbound: SSL_write, SSL_write_ex */
	AA_TLS_READ = 1,  /* inbound: SSL_read, SSL_read_ex */
};

/* TLS plaintext: one piece of at most 4096 bytes of one SSL call. */
struct aa_tls_event {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC */
	__u32 pid;          /* tgid */
	__u32 tid;
	__u32 data_len;     /* whole plaintext length of the call */
	__u32 seq;          /* piece index; piece length min(4096, data_len - seq*4096) */
	__u8 direction;     /* enum aa_tls_direction */
	__u8 _pad[7];
	__u8 payload[AA_TLS_PAYLOAD_MAX];
};

/* File I/O: one syscall, paired entry and exit. */
struct aa_file_event {
	__u32 pid;
	__u32 tid;
	__u64 timestamp_ns; /* CLOCK_MONOTONIC at syscall entry */
	__u32 syscall;      /* enum aa_file_syscall */
	__u32 flags;        /* open flags for openat */
	__s64 return_code;  /* negative errno on failure */
	__u64 duration_ns;  /* exit time minus entry time */
	__u8 path[AA_PATH_MAX]; /* read/write: the fd's file; rename: "old\0new", as much as fits */
};

/* Process exec: the new program, its parent and its real argv. */
struct aa_exec_event {
	__u64 timestamp_ns;
	__u32 pid;
	__u32 ppid; /* real_parent->tgid */
	__u32 uid;
	__u32 _pad;
	__u8 filename[AA_PATH_MAX];
	__u8 args[AA_ARGS_MAX]; /* NULs between arguments turned into spaces */
};

/* Process exit: one per process (thread group), with its exit status. */
struct aa_exit_event {
	__u64 timestamp_ns;
	__u32 pid;
	__s32 exit_code; /* exit code, or 128 + signal number for a death by signal */
};

/* C11's _Static_assert, C++'s static_assert; __extension__ keeps a C99
 * -pedantic build of a program that includes this header quiet. */
#ifdef __cplusplus
#define AA_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define AA_STATIC_ASSERT(cond, msg) __extension__ _Static_assert(cond, msg)
#endif

#define AA_ASSERT_AT(type, field, off) \
	AA_STATIC_ASSERT(__builtin_offsetof(struct type, field) == (off), #type "." #field " at " #off)

#define AA_X_ASSERT_SIZE(name, NAME, size) \
	AA_STATIC_ASSERT(sizeof(struct aa_##name##_event) == (size), #name " size");
AA_RECORD_TYPES(AA_X_ASSERT_SIZE)
#undef AA_X_ASSERT_SIZE

AA_ASSERT_AT(aa_tls_event, timestamp_ns, 0);
AA_ASSERT_AT(aa_tls_event, pid, 8);
AA_ASSERT_AT(aa_tls_event, tid, 12);
AA_ASSERT_AT(aa_tls_event, data_len, 16);
AA_ASSERT_AT(aa_tls_event, seq, 20);
AA_ASSERT_AT(aa_tls_event, direction, 24);
AA_ASSERT_AT(aa_tls_event, _pad, 25);
AA_ASSERT_AT(aa_tls_event, payload, 32);

AA_ASSERT_AT(aa_file_event, pid, 0);
AA_ASSERT_AT(aa_file_event, tid, 4);
AA_ASSERT_AT(aa_file_event, timestamp_ns, 8);
AA_ASSERT_AT(aa_file_event, syscall, 16);
AA_ASSERT_AT(aa_file_event, flags, 20);
AA_ASSERT_AT(aa_file_event, return_code, 24);
AA_ASSERT_AT(aa_file_event, duration_ns, 32);
AA_ASSERT_AT(aa_file_event, path, 40);

AA_ASSERT_AT(aa_exec_event, timestamp_ns, 0);
AA_ASSERT_AT(aa_exec_event, pid, 8);
AA_ASSERT_AT(aa_exec_event, ppid, 12);
AA_ASSERT_AT(aa_exec_event, uid, 16);
AA_ASSERT_AT(aa_exec_event, _pad, 20);
AA_ASSERT_AT(aa_exec_event, filename, 24);
AA_ASSERT_AT(aa_exec_event, args, 280);

AA_ASSERT_AT(aa_exit_event, timestamp_ns, 0);
AA_ASSERT_AT(aa_exit_event, pid, 8);
AA_ASSERT_AT(aa_exit_event, exit_code, 12);

/*
 * Drop counters kept by the BPF programs: one slot per known record type
 * (its type number), in a per-CPU array map named DROPS, bumped on every
 * failed ring-buffer reservation.
 */
#define AA_X_DROP_SLOT(name, NAME, size) AA_DROP_##NAME = AA_TYPE_##NAME,
enum aa_drop_slot {
	AA_RECORD_TYPES(AA_X_DROP_SLOT)
	AA_DROP_SLOTS = AA_TYPE_UNKNOWN,
};
#undef AA_X_DROP_SLOT

#endif /* AA_EVENTS_H */

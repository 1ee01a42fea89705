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
#define AA_RECORD_TYPES(X)          \
	X(tls, TLS, 4128)           \
	X(file, FILE, 296)          \
	X(exec, EXEC, 792)          \
	X(exit, EXIT, 16)           \
	X(task, TASK, 176)          \
	X(string, STRING, 1056)     \
	X(tls_conn, TLS_CONN, 80)   \
	X(fileop, FILEOP, 320)      \
	X(net, NET, 200)

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

/*
 * The file syscalls, one numbering for both record types that carry them:
 * the seed's file record holds 0…4 only (AA_SYS_COUNT is its first invalid
 * value), the fileop record 5…18 (up to AA_SYS_FILEOP_END).
 */
enum aa_file_syscall {
	AA_SYS_OPENAT = 0,
	AA_SYS_READ = 1,
	AA_SYS_WRITE = 2,
	AA_SYS_UNLINK = 3, /* unlink and unlinkat */
	AA_SYS_RENAME = 4, /* rename, renameat and renameat2 */
	AA_SYS_COUNT = 5,  /* first value the file record may not hold */
	AA_SYS_PREAD64 = 5,
	AA_SYS_PWRITE64 = 6,
	AA_SYS_READV = 7,
	AA_SYS_WRITEV = 8,
	AA_SYS_PREADV = 9,
	AA_SYS_PWRITEV = 10,
	AA_SYS_PREADV2 = 11,
	AA_SYS_PWRITEV2 = 12,
	AA_SYS_OPEN = 13,
	AA_SYS_CREAT = 14,
	AA_SYS_OPENAT2 = 15,
	AA_SYS_MKDIR = 16,
	AA_SYS_MKDIRAT = 17,
	AA_SYS_RMDIR = 18,
	AA_SYS_FILEOP_END = 19, /* first invalid value */
};

/* What a task record says happened to the process. */
enum aa_task_kind {
	AA_TASK_SNAPSHOT = 0,    /* running when the capture started (written by aa-capture from /proc) */
	AA_TASK_FORK = 1,        /* a new process (not a thread) */
	AA_TASK_EXEC = 2,        /* a successful exec: comes just before its exec record */
	AA_TASK_EXIT = 3,        /* the process ended: comes just before its exit record */
	AA_TASK_EXEC_FAILED = 4, /* an execve/execveat that failed: error holds its errno */
	AA_TASK_KIND_COUNT = 5,  /* first invalid value */
};

/* What a string record holds, and what it completes. */
enum aa_string_kind {
	AA_STRING_ARGV = 0,     /* exec, failed exec, snapshot: argv, each item followed by its NUL */
	AA_STRING_FILENAME = 1, /* exec, failed exec: the file name given to execve */
	AA_STRING_PATH = 2,     /* file, fileop: the path whole */
	AA_STRING_NEW_PATH = 3, /* file (rename): the new path whole */
	AA_STRING_EXE = 4,      /* snapshot: the program's file (/proc/PID/exe) */
	AA_STRING_KIND_COUNT = 5, /* first invalid value */
};

/* string flags */
#define AA_STRING_TRUNCATED 0x1 /* the string is longer than what was recorded (orig_len) */
#define AA_STRING_UNLINKED 0x2  /* PATH of a read or write: the file had been unlinked */
#define AA_STRING_FLAGS_ALL 0x3

/* fileop marks */
#define AA_MARK_UNLINKED 0x1 /* the file the fd refers to had been unlinked */
#define AA_MARK_ALL 0x1

/* The TLS library a piece came from. */
enum aa_tls_lib {
	AA_TLS_LIB_UNKNOWN = 0,
	AA_TLS_LIB_OPENSSL = 1,
	AA_TLS_LIB_GNUTLS = 2,
	AA_TLS_LIB_NSS = 3,
	AA_TLS_LIB_BORINGSSL = 4,
	AA_TLS_LIB_GO = 5,
	AA_TLS_LIB_COUNT = 6, /* first invalid value */
};

enum aa_net_syscall {
	AA_NET_CONNECT = 0,
	AA_NET_ACCEPT = 1,  /* accept and accept4 */
	AA_NET_SYSCALL_COUNT = 2, /* first invalid value */
};

#define AA_STRING_PIECE_MAX 1024 /* bytes of a string in one string record */
#define AA_CGROUP_NAME_MAX 96    /* bytes of a cgroup's own name in a task record, NUL included */
#define AA_UNIX_PATH_MAX 108     /* sun_path */

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

/*
 * The evidence records (format version 2). A string or tls_conn record
 * completes the next record of the same pid and tid with the same
 * timestamp_ns, and comes before it in the stream: a reader holds them per
 * thread until that record, so it is whole when it is handed out.
 */

/* Who a process is: at capture start, and at each fork, exec and exit. */
struct aa_task_event {
	__u64 timestamp_ns;
	__u32 pid;          /* tgid */
	__u32 tid;          /* the thread the event happened in (fork: the new process's) */
	__u32 ppid;         /* real_parent->tgid */
	__u32 uid;          /* real uid */
	__u32 gid;          /* real gid */
	__u8 kind;          /* enum aa_task_kind */
	__u8 _pad[3];
	__s32 exit_status;  /* AA_TASK_EXIT: the raw wait status (code << 8, signal in bits 0-6, 0x80 core dumped); else 0 */
	__u32 ns_pid;       /* the pid inside the process's own pid namespace */
	__u64 start_ns;     /* when the process started, CLOCK_MONOTONIC like timestamp_ns */
	__u64 cgroup_id;    /* its cgroup v2 id (the inode number of the cgroup's directory) */
	__u32 pidns_ino;    /* inode number of its pid namespace (as /proc/PID/ns/pid shows) */
	__s32 error;        /* AA_TASK_EXEC_FAILED: the errno; else 0 */
	__u8 comm[16];      /* the process's comm (the group leader's), NUL-padded */
	__u8 cgroup[AA_CGROUP_NAME_MAX]; /* the cgroup's own name (last component of its path), cut to fit */
};

/* A piece of a string too long, or too exact, for the record it completes. */
struct aa_string_event {
	__u64 timestamp_ns; /* that of the record it completes */
	__u32 pid;
	__u32 tid;
	__u32 total_len;    /* bytes recorded of the whole string, over all its pieces */
	__u32 orig_len;     /* the string's real length (> total_len when truncated; 0xffffffff: unknown) */
	__u32 seq;          /* piece index: bytes seq*1024 up to min(seq*1024+1024, total_len) */
	__u8 kind;          /* enum aa_string_kind */
	__u8 flags;         /* AA_STRING_* */
	__u8 _pad[2];
	__u8 data[AA_STRING_PIECE_MAX]; /* NUL-padded past the piece's bytes */
};

/* The connection of one TLS call: comes before the call's pieces. */
struct aa_tls_conn_event {
	__u64 timestamp_ns; /* that of the call's pieces */
	__u32 pid;
	__u32 tid;
	__u64 conn;         /* the socket's inode number ("socket:[N]"): one connection's id; 0 unknown */
	__s32 fd;           /* the socket's file descriptor, -1 unknown */
	__u16 family;       /* AF_INET, AF_INET6, AF_UNIX; 0 unknown */
	__u8 lib;           /* enum aa_tls_lib */
	__u8 direction;     /* enum aa_tls_direction, as the pieces */
	__u8 local_addr[16]; /* IPv4 in the first 4 bytes, network order */
	__u8 peer_addr[16];
	__u16 local_port;   /* host order */
	__u16 peer_port;
	__u32 data_len;     /* the call's whole length, as its pieces say */
	__u64 ssl;          /* the library's connection object (SSL *), as an id */
};

/* File syscalls beyond the seed's five: one syscall, paired entry and exit. */
struct aa_fileop_event {
	__u64 timestamp_ns; /* CLOCK_MONOTONIC at syscall entry */
	__u32 pid;
	__u32 tid;
	__u32 syscall;      /* enum aa_file_syscall, AA_SYS_PREAD64 … AA_SYS_RMDIR */
	__u32 flags;        /* open flags (open, creat, openat2), RWF_* (preadv2, pwritev2), the file's f_flags (other fd syscalls) */
	__s64 return_code;  /* negative errno on failure */
	__u64 duration_ns;
	__s64 offset;       /* the file offset of pread64 … pwritev2; -1 when none (or preadv2/pwritev2's -1: current offset) */
	__s32 fd;           /* the fd of fd syscalls (dirfd of mkdirat; AT_FDCWD -100), else -1 */
	__u32 mode;         /* mode of open, creat, openat2, mkdir, mkdirat; else 0 */
	__u32 marks;        /* AA_MARK_* */
	__u32 _pad;
	__u8 path[AA_PATH_MAX]; /* as the file record's path (a string record carries one that does not fit) */
};

/* connect, accept, accept4: who a process talked to. */
struct aa_net_event {
	__u64 timestamp_ns; /* at syscall entry */
	__u32 pid;
	__u32 tid;
	__s64 return_code;  /* connect: 0 or -errno (-EINPROGRESS too); accept: the new fd or -errno */
	__u64 duration_ns;
	__u64 conn;         /* inode number of the socket (accept: the new one); 0 unknown */
	__s32 fd;           /* connect: the socket; accept: the listening socket */
	__u16 family;       /* AF_INET, AF_INET6, AF_UNIX; 0 unknown */
	__u8 syscall;       /* enum aa_net_syscall */
	__u8 protocol;      /* IPPROTO_TCP, IPPROTO_UDP ... of the socket; 0 unknown */
	__u8 local_addr[16];
	__u8 peer_addr[16];
	__u16 local_port;   /* host order */
	__u16 peer_port;
	__u32 _pad;
	__u8 unix_path[AA_UNIX_PATH_MAX]; /* AF_UNIX: the peer's (connect) or own (accept) sun_path, raw bytes */
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

AA_ASSERT_AT(aa_task_event, pid, 8);
AA_ASSERT_AT(aa_task_event, kind, 28);
AA_ASSERT_AT(aa_task_event, exit_status, 32);
AA_ASSERT_AT(aa_task_event, start_ns, 40);
AA_ASSERT_AT(aa_task_event, cgroup_id, 48);
AA_ASSERT_AT(aa_task_event, pidns_ino, 56);
AA_ASSERT_AT(aa_task_event, error, 60);
AA_ASSERT_AT(aa_task_event, comm, 64);
AA_ASSERT_AT(aa_task_event, cgroup, 80);

AA_ASSERT_AT(aa_string_event, total_len, 16);
AA_ASSERT_AT(aa_string_event, seq, 24);
AA_ASSERT_AT(aa_string_event, kind, 28);
AA_ASSERT_AT(aa_string_event, data, 32);

AA_ASSERT_AT(aa_tls_conn_event, conn, 16);
AA_ASSERT_AT(aa_tls_conn_event, fd, 24);
AA_ASSERT_AT(aa_tls_conn_event, family, 28);
AA_ASSERT_AT(aa_tls_conn_event, lib, 30);
AA_ASSERT_AT(aa_tls_conn_event, local_addr, 32);
AA_ASSERT_AT(aa_tls_conn_event, peer_addr, 48);
AA_ASSERT_AT(aa_tls_conn_event, local_port, 64);
AA_ASSERT_AT(aa_tls_conn_event, data_len, 68);
AA_ASSERT_AT(aa_tls_conn_event, ssl, 72);

AA_ASSERT_AT(aa_fileop_event, syscall, 16);
AA_ASSERT_AT(aa_fileop_event, return_code, 24);
AA_ASSERT_AT(aa_fileop_event, offset, 40);
AA_ASSERT_AT(aa_fileop_event, fd, 48);
AA_ASSERT_AT(aa_fileop_event, marks, 56);
AA_ASSERT_AT(aa_fileop_event, path, 64);

AA_ASSERT_AT(aa_net_event, return_code, 16);
AA_ASSERT_AT(aa_net_event, conn, 32);
AA_ASSERT_AT(aa_net_event, fd, 40);
AA_ASSERT_AT(aa_net_event, family, 44);
AA_ASSERT_AT(aa_net_event, syscall, 46);
AA_ASSERT_AT(aa_net_event, local_addr, 48);
AA_ASSERT_AT(aa_net_event, peer_addr, 64);
AA_ASSERT_AT(aa_net_event, local_port, 80);
AA_ASSERT_AT(aa_net_event, unix_path, 88);

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

/* SPDX-License-Identifier: MIT */
/*
 * The size-dispatch parser. A record's type is its size; its content is then
 * checked for what the kernel side can get wrong. Nothing outside
 * raw[0..len) is read, and a record of any other size is kept as unknown.
 */
#include "parse.h"

#include <stdalign.h>
#include <string.h>

#include "aa_error.h"

static const char *const syscalls[AA_SYS_FILEOP_END] = {
	[AA_SYS_OPENAT] = "openat", [AA_SYS_READ] = "read", [AA_SYS_WRITE] = "write",
	[AA_SYS_UNLINK] = "unlink", [AA_SYS_RENAME] = "rename",
	[AA_SYS_PREAD64] = "pread64", [AA_SYS_PWRITE64] = "pwrite64",
	[AA_SYS_READV] = "readv", [AA_SYS_WRITEV] = "writev",
	[AA_SYS_PREADV] = "preadv", [AA_SYS_PWRITEV] = "pwritev",
	[AA_SYS_PREADV2] = "preadv2", [AA_SYS_PWRITEV2] = "pwritev2",
	[AA_SYS_OPEN] = "open", [AA_SYS_CREAT] = "creat", [AA_SYS_OPENAT2] = "openat2",
	[AA_SYS_MKDIR] = "mkdir", [AA_SYS_MKDIRAT] = "mkdirat", [AA_SYS_RMDIR] = "rmdir",
};

const char *aa_syscall_name(uint32_t syscall)
{
	return syscall < AA_SYS_FILEOP_END ? syscalls[syscall] : NULL;
}

const char *aa_task_kind_name(uint32_t kind)
{
	static const char *const names[AA_TASK_KIND_COUNT] = {
		[AA_TASK_SNAPSHOT] = "snapshot", [AA_TASK_FORK] = "fork", [AA_TASK_EXEC] = "exec",
		[AA_TASK_EXIT] = "exit", [AA_TASK_EXEC_FAILED] = "exec_failed",
	};
	return kind < AA_TASK_KIND_COUNT ? names[kind] : NULL;
}

const char *aa_string_kind_name(uint32_t kind)
{
	static const char *const names[AA_STRING_KIND_COUNT] = {
		[AA_STRING_ARGV] = "argv", [AA_STRING_FILENAME] = "filename",
		[AA_STRING_PATH] = "path", [AA_STRING_NEW_PATH] = "new_path", [AA_STRING_EXE] = "exe",
	};
	return kind < AA_STRING_KIND_COUNT ? names[kind] : NULL;
}

const char *aa_tls_lib_name(uint32_t lib)
{
	static const char *const names[AA_TLS_LIB_COUNT] = {
		[AA_TLS_LIB_UNKNOWN] = "unknown", [AA_TLS_LIB_OPENSSL] = "openssl",
		[AA_TLS_LIB_GNUTLS] = "gnutls", [AA_TLS_LIB_NSS] = "nss",
		[AA_TLS_LIB_BORINGSSL] = "boringssl", [AA_TLS_LIB_GO] = "go",
	};
	return lib < AA_TLS_LIB_COUNT ? names[lib] : NULL;
}

const char *aa_net_syscall_name(uint32_t syscall)
{
	static const char *const names[AA_NET_SYSCALL_COUNT] = {
		[AA_NET_CONNECT] = "connect", [AA_NET_ACCEPT] = "accept",
	};
	return syscall < AA_NET_SYSCALL_COUNT ? names[syscall] : NULL;
}


/* Bytes in piece seq of a whole of total bytes cut into pieces of max: 0 past the end. */
static uint32_t piece_len(uint32_t seq, uint32_t total, uint32_t max)
{
	uint64_t start = (uint64_t)seq * max;

	if (start >= total)
		return 0;
	uint64_t left = total - start;
	return left < max ? (uint32_t)left : max;
}

uint32_t aa_tls_piece_len(const struct aa_tls_event *tls)
{
	return piece_len(tls->seq, tls->data_len, AA_TLS_PAYLOAD_MAX);
}

uint32_t aa_string_piece_len(const struct aa_string_event *s)
{
	return piece_len(s->seq, s->total_len, AA_STRING_PIECE_MAX);
}

static int has_nul(const __u8 *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static int check_tls(const struct aa_tls_event *e)
{
	if (e->direction > AA_TLS_READ)
		return AA_REC_DIRECTION;
	/* An empty call is one piece, seq 0; otherwise piece seq must start inside data_len. */
	if (e->data_len == 0 ? e->seq != 0 : aa_tls_piece_len(e) == 0)
		return AA_REC_TLS_SEQ;
	return 0;
}

static int check_file(const struct aa_file_event *e)
{
	if (e->syscall >= AA_SYS_COUNT)
		return AA_REC_SYSCALL;
	return has_nul(e->path, sizeof(e->path)) ? 0 : AA_REC_STRING;
}

static int check_exec(const struct aa_exec_event *e)
{
	if (!has_nul(e->filename, sizeof(e->filename)) || !has_nul(e->args, sizeof(e->args)))
		return AA_REC_STRING;
	return 0;
}

static int check_exit(const struct aa_exit_event *e)
{
	(void)e; /* every exit code and pid is possible */
	return 0;
}

static int check_task(const struct aa_task_event *e)
{
	if (e->kind >= AA_TASK_KIND_COUNT)
		return AA_REC_KIND;
	return has_nul(e->comm, sizeof(e->comm)) && has_nul(e->cgroup, sizeof(e->cgroup)) ? 0 : AA_REC_STRING;
}

static int check_string(const struct aa_string_event *e)
{
	if (e->kind >= AA_STRING_KIND_COUNT || (e->flags & ~AA_STRING_FLAGS_ALL))
		return AA_REC_KIND;
	/* An empty string is one piece, seq 0; otherwise the piece starts inside total_len. */
	if (e->total_len == 0 ? e->seq != 0 : aa_string_piece_len(e) == 0)
		return AA_REC_PIECE;
	return 0;
}

static int check_tls_conn(const struct aa_tls_conn_event *e)
{
	if (e->direction > AA_TLS_READ)
		return AA_REC_DIRECTION;
	return e->lib < AA_TLS_LIB_COUNT ? 0 : AA_REC_KIND;
}

static int check_fileop(const struct aa_fileop_event *e)
{
	if (e->syscall < AA_SYS_PREAD64 || e->syscall >= AA_SYS_FILEOP_END)
		return AA_REC_SYSCALL;
	if (e->marks & ~AA_MARK_ALL)
		return AA_REC_KIND;
	return has_nul(e->path, sizeof(e->path)) ? 0 : AA_REC_STRING;
}

static int check_net(const struct aa_net_event *e)
{
	return e->syscall < AA_NET_SYSCALL_COUNT ? 0 : AA_REC_SYSCALL;
}

/* What the parser knows of each type, made from AA_RECORD_TYPES. */
struct type_info {
	const char *name;
	uint32_t size;
	uint32_t ts_off, pid_off; /* offsets of timestamp_ns and pid */
	int (*check)(const void *view);
};

#define X(name, NAME, size)                                                \
	static int check_any_##name(const void *view) { return check_##name(view); }
AA_RECORD_TYPES(X)
#undef X

static const struct type_info types[AA_TYPE_COUNT] = {
#define X(name, NAME, size)                                                \
	[AA_TYPE_##NAME] = { #name, size,                                  \
			     __builtin_offsetof(struct aa_##name##_event, timestamp_ns), \
			     __builtin_offsetof(struct aa_##name##_event, pid), check_any_##name },
	AA_RECORD_TYPES(X)
#undef X
	[AA_TYPE_UNKNOWN] = { "unknown", 0, 0, 0, NULL },
};

/* A switch, not a search: two types of one size are a duplicate case. */
static enum aa_type type_of_size(size_t len)
{
	switch (len) {
#define X(name, NAME, size) case size: return AA_TYPE_##NAME;
	AA_RECORD_TYPES(X)
#undef X
	default: return AA_TYPE_UNKNOWN;
	}
}

const char *aa_type_name(enum aa_type type)
{
	return (unsigned)type < AA_TYPE_COUNT ? types[type].name : "unknown";
}

int aa_type_from_name(const char *name)
{
	for (int t = 0; t < AA_TYPE_COUNT; t++)
		if (strcmp(name, types[t].name) == 0)
			return t;
	return -1;
}

uint32_t aa_type_size(enum aa_type type)
{
	return (unsigned)type < AA_TYPE_COUNT ? types[type].size : 0;
}

static uint64_t u64_at(const void *raw, uint32_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)raw + off, sizeof(v));
	return v;
}

const uint8_t *aa_file_new_path(const struct aa_file_event *e, size_t *max)
{
	const uint8_t *end = memchr(e->path, 0, sizeof(e->path));

	if (e->syscall != AA_SYS_RENAME || !end || end + 1 >= e->path + sizeof(e->path) || !end[1])
		return NULL;
	const uint8_t *s = end + 1;
	*max = (size_t)(e->path + sizeof(e->path) - s);
	return memchr(s, 0, *max) ? s : NULL;
}

uint64_t aa_record_mono_ns(const void *raw, size_t len)
{
	enum aa_type t = type_of_size(len);

	return t == AA_TYPE_UNKNOWN ? 0 : u64_at(raw, types[t].ts_off);
}

int aa_event_pid(const struct aa_event *ev, uint32_t *pid)
{
	if ((unsigned)ev->type >= AA_TYPE_UNKNOWN)
		return 0;
	memcpy(pid, (const uint8_t *)ev->tls + types[ev->type].pid_off, sizeof(*pid));
	return 1;
}

static int parse(const void *raw, size_t len, struct aa_event *ev, union aa_record_copy *copy)
{
	ev->type = type_of_size(len);
	ev->error = 0;
	ev->raw = raw;
	ev->len = (uint32_t)len;
	ev->mono_ns = 0;
	ev->tls = NULL;
	if (ev->type == AA_TYPE_UNKNOWN)
		return 0;

	/* Records in a decoded chunk are 8-byte aligned; others are copied. */
	const void *view = raw;
	if ((uintptr_t)raw % alignof(union aa_record_copy) != 0) {
		if (!copy)
			return AA_E_INVAL;
		memcpy(copy, raw, len);
		view = copy;
	}
	const struct type_info *ti = &types[ev->type];
	ev->tls = view; /* the views share one pointer: this sets ev->file ... too */
	ev->mono_ns = u64_at(view, ti->ts_off);
	ev->error = ti->check(view);
	return ev->error;
}

int aa_parse(const void *raw, size_t len, struct aa_event *ev)
{
	return parse(raw, len, ev, NULL);
}

int aa_parse_copy(const void *raw, size_t len, struct aa_event *ev, union aa_record_copy *copy)
{
	return parse(raw, len, ev, copy);
}

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

static const char *const syscalls[AA_SYS_COUNT] = {
	[AA_SYS_OPENAT] = "openat", [AA_SYS_READ] = "read", [AA_SYS_WRITE] = "write",
	[AA_SYS_UNLINK] = "unlink", [AA_SYS_RENAME] = "rename",
};

const char *aa_syscall_name(uint32_t syscall)
{
	return syscall < AA_SYS_COUNT ? syscalls[syscall] : NULL;
}

uint32_t aa_tls_piece_len(const struct aa_tls_event *tls)
{
	uint64_t start = (uint64_t)tls->seq * AA_TLS_PAYLOAD_MAX;

	if (start >= tls->data_len)
		return 0;
	uint64_t left = tls->data_len - start;
	return left < AA_TLS_PAYLOAD_MAX ? (uint32_t)left : AA_TLS_PAYLOAD_MAX;
}

static int has_nul(const __u8 *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static int check_tls(const struct aa_tls_event *e)
{
	if (e->direction > AA_TLS_READ)
		return AA_E_DIRECTION;
	/* An empty call is one piece, seq 0; otherwise piece seq must start inside data_len. */
	if (e->data_len == 0 ? e->seq != 0 : aa_tls_piece_len(e) == 0)
		return AA_E_TLS_SEQ;
	return 0;
}

static int check_file(const struct aa_file_event *e)
{
	if (e->syscall >= AA_SYS_COUNT)
		return AA_E_SYSCALL;
	return has_nul(e->path, sizeof(e->path)) ? 0 : AA_E_STRING;
}

static int check_exec(const struct aa_exec_event *e)
{
	if (!has_nul(e->filename, sizeof(e->filename)) || !has_nul(e->args, sizeof(e->args)))
		return AA_E_STRING;
	return 0;
}

static int check_exit(const struct aa_exit_event *e)
{
	(void)e; /* every exit code and pid is possible */
	return 0;
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

int aa_parse(const void *raw, size_t len, struct aa_event *ev)
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
	if ((uintptr_t)raw % alignof(struct aa_tls_event) != 0) {
		memcpy(&ev->copy_, raw, len);
		view = &ev->copy_;
	}
	const struct type_info *ti = &types[ev->type];
	ev->tls = view; /* the views share one pointer: this sets ev->file ... too */
	ev->mono_ns = u64_at(view, ti->ts_off);
	ev->error = ti->check(view);
	return ev->error;
}

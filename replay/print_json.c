/* SPDX-License-Identifier: MIT */
/* The JSON Lines printer: one object per record, always valid JSON. */
#include <string.h>

#include "aa_print.h"
#include "print_enc.h"

/* ,"name": then the value is up to the caller. */
static void key(FILE *out, const char *name)
{
	putc_unlocked(',', out);
	putc_unlocked('"', out);
	fputs_unlocked(name, out);
	putc_unlocked('"', out);
	putc_unlocked(':', out);
}

static void put_u64(FILE *out, const char *name, uint64_t v)
{
	key(out, name);
	aa_enc_u64(out, v);
}

static void put_i64(FILE *out, const char *name, int64_t v)
{
	key(out, name);
	aa_enc_i64(out, v);
}

static void put_bytes(FILE *out, const char *name, const uint8_t *s, size_t len)
{
	key(out, name);
	aa_enc_json_string(out, s, len);
}

/* ,"name_b64":"..." : the exact bytes, for what a JSON string cannot carry. */
static void put_b64(FILE *out, const char *name, const uint8_t *s, size_t len)
{
	putc_unlocked(',', out);
	putc_unlocked('"', out);
	fputs_unlocked(name, out);
	fputs_unlocked("_b64\":\"", out);
	aa_enc_base64(out, s, len);
	putc_unlocked('"', out);
}

/*
 * A NUL-padded field up to its first NUL, or whole when it has none. Bytes
 * that are not UTF-8 come out of a JSON string as the code point of the
 * same number (0xff as "\u00ff", which is also "ÿ"): then name_b64 follows
 * with the exact bytes.
 */
static void put_cstr(FILE *out, const char *name, const uint8_t *s, size_t max)
{
	size_t len = strnlen((const char *)s, max);

	put_bytes(out, name, s, len);
	if (!aa_utf8_valid(s, len))
		put_b64(out, name, s, len);
}

/* A name for a valid enum value, else the number as recorded. */
static void put_name_or_u64(FILE *out, const char *name, const char *vname, uint64_t v)
{
	if (vname)
		put_bytes(out, name, (const uint8_t *)vname, strlen(vname));
	else
		put_u64(out, name, v);
}

static void put_bool(FILE *out, const char *name, int v)
{
	key(out, name);
	fputs_unlocked(v ? "true" : "false", out);
}

/* A string whole as a string record carried it, then name_b64 when it is
 * not UTF-8. */
static void put_joined(FILE *out, const char *name, const struct aa_string *s)
{
	put_bytes(out, name, s->data, s->len);
	if (!aa_utf8_valid(s->data, s->len))
		put_b64(out, name, s->data, s->len);
}

/*
 * A record's path and "NAME_truncated": from its string record when there
 * is one, else from its field; true, false, or null for a field of
 * AA_PATH_MAY_BE_CUT bytes (it may have been cut).
 */
static void put_path(FILE *out, const char *name, const struct aa_joins *j,
		     enum aa_string_kind kind, const uint8_t *field, size_t max)
{
	char tname[32];

	snprintf(tname, sizeof(tname), "%s_truncated", name);
	if (j && j->str[kind].data) {
		put_joined(out, name, &j->str[kind]);
		put_bool(out, tname, j->str[kind].truncated);
		return;
	}
	put_cstr(out, name, field, max);
	key(out, tname);
	fputs_unlocked(strnlen((const char *)field, max) == AA_PATH_MAY_BE_CUT ? "null" : "false", out);
}

static void put_endpoint(FILE *out, const char *name, unsigned family, const uint8_t *addr,
			 uint16_t port);

static void print_tls(FILE *out, const struct aa_tls_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	static const char *const dirs[] = { "write", "read" };
	uint32_t len = aa_tls_piece_len(e);

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_u64(out, "data_len", e->data_len);
	put_u64(out, "seq", e->seq);
	put_name_or_u64(out, "direction", e->direction < 2 ? dirs[e->direction] : NULL,
			e->direction);
	if (j && j->tls_conn) {
		const struct aa_tls_conn_event *c = j->tls_conn;
		put_u64(out, "conn", c->conn);
		put_i64(out, "fd", c->fd);
		put_endpoint(out, "local", c->family, c->local_addr, c->local_port);
		put_endpoint(out, "peer", c->family, c->peer_addr, c->peer_port);
		put_name_or_u64(out, "lib", aa_tls_lib_name(c->lib), c->lib);
	}
	put_bytes(out, "payload", e->payload, len);
	put_b64(out, "payload", e->payload, len);
}

static void print_file(FILE *out, const struct aa_file_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_name_or_u64(out, "syscall", aa_file_syscall_name(e->syscall), e->syscall);
	char flags[AA_FLAGS_BUF];

	put_u64(out, "flags", e->flags);
	aa_flags_names_arch(flags, rec->arch, aa_file_syscall(e->syscall), e->flags);
	put_bytes(out, "flags_names", (const uint8_t *)flags, strlen(flags));
	put_i64(out, "return_code", e->return_code);
	put_u64(out, "duration_ns", e->duration_ns);
	put_path(out, "path", j, AA_STRING_PATH, e->path, sizeof(e->path));
	put_bool(out, "unlinked", j && j->str[AA_STRING_PATH].unlinked);
	size_t max;
	const uint8_t *to = aa_file_new_path(e, &max);
	if (j && j->str[AA_STRING_NEW_PATH].data) {
		put_joined(out, "new_path", &j->str[AA_STRING_NEW_PATH]);
		put_bool(out, "new_path_truncated", j->str[AA_STRING_NEW_PATH].truncated);
	} else if (to) {
		put_cstr(out, "new_path", to, max);
		/* "old\0new" in one field: new is cut when it reaches the field's end */
		put_bool(out, "new_path_truncated", strnlen((const char *)to, max) + 1 >= max);
	}
}

static void print_exec(FILE *out, const struct aa_exec_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "ppid", e->ppid);
	put_u64(out, "uid", e->uid);
	put_path(out, "filename", j, AA_STRING_FILENAME, e->filename, sizeof(e->filename));
	put_cstr(out, "args", e->args, sizeof(e->args));
	aa_enc_json_argv(out, j ? &j->str[AA_STRING_ARGV] : &(struct aa_string){ 0 });
}

static void print_exit(FILE *out, const struct aa_exit_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_i64(out, "exit_code", e->exit_code);
	put_i64(out, "signal", j && j->task ? j->task->exit_status & 0x7f : 0);
	put_bool(out, "core_dumped", j && j->task && (j->task->exit_status & 0x80));
}

static void put_endpoint(FILE *out, const char *name, unsigned family, const uint8_t *addr,
			 uint16_t port)
{
	char a[AA_ENDPOINT_BUF];

	if (*aa_format_endpoint(a, family, addr, port))
		put_bytes(out, name, (const uint8_t *)a, strlen(a));
}

static void print_task(FILE *out, const struct aa_task_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_name_or_u64(out, "kind", aa_task_kind_name(e->kind), e->kind);
	put_u64(out, "ppid", e->ppid);
	put_u64(out, "uid", e->uid);
	put_u64(out, "gid", e->gid);
	put_cstr(out, "comm", e->comm, sizeof(e->comm));
	put_i64(out, "exit_status", e->exit_status);
	put_i64(out, "error", e->error);
	put_u64(out, "ns_pid", e->ns_pid);
	put_u64(out, "start_ns", e->start_ns);
	put_u64(out, "cgroup_id", e->cgroup_id);
	put_u64(out, "pidns_ino", e->pidns_ino);
	put_cstr(out, "cgroup", e->cgroup, sizeof(e->cgroup));
	if (e->kind == AA_TASK_SNAPSHOT && j && j->str[AA_STRING_EXE].data)
		put_joined(out, "exe", &j->str[AA_STRING_EXE]);
	if (e->kind == AA_TASK_EXEC_FAILED && j && j->str[AA_STRING_FILENAME].data)
		put_joined(out, "filename", &j->str[AA_STRING_FILENAME]);
	if ((e->kind == AA_TASK_SNAPSHOT || e->kind == AA_TASK_EXEC_FAILED) && j && j->str[AA_STRING_ARGV].data)
		aa_enc_json_argv(out, &j->str[AA_STRING_ARGV]);
}

static void print_string(FILE *out, const struct aa_string_event *e, const struct aa_record *rec)
{
	(void)rec; /* completes others, or has nothing completing it */
	uint32_t len = aa_string_piece_len(e);

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_name_or_u64(out, "kind", aa_string_kind_name(e->kind), e->kind);
	put_u64(out, "seq", e->seq);
	put_u64(out, "total_len", e->total_len);
	put_u64(out, "orig_len", e->orig_len);
	put_u64(out, "flags", e->flags);
	put_b64(out, "data", e->data, len);
}

static void print_tls_conn(FILE *out, const struct aa_tls_conn_event *e, const struct aa_record *rec)
{
	(void)rec; /* completes others, or has nothing completing it */
	static const char *const dirs[] = { "write", "read" };

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_u64(out, "conn", e->conn);
	put_i64(out, "fd", e->fd);
	put_u64(out, "family", e->family);
	put_name_or_u64(out, "lib", aa_tls_lib_name(e->lib), e->lib);
	put_name_or_u64(out, "direction", e->direction < 2 ? dirs[e->direction] : NULL, e->direction);
	put_endpoint(out, "local", e->family, e->local_addr, e->local_port);
	put_endpoint(out, "peer", e->family, e->peer_addr, e->peer_port);
	put_u64(out, "data_len", e->data_len);
	put_u64(out, "ssl", e->ssl);
}

static void print_fileop(FILE *out, const struct aa_fileop_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;
	char flags[AA_FLAGS_BUF];

	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_name_or_u64(out, "syscall", aa_syscall_name(e->syscall), e->syscall);
	put_u64(out, "flags", e->flags);
	aa_flags_names_arch(flags, rec->arch, e->syscall, e->flags);
	put_bytes(out, "flags_names", (const uint8_t *)flags, strlen(flags));
	put_i64(out, "return_code", e->return_code);
	put_u64(out, "duration_ns", e->duration_ns);
	put_i64(out, "offset", e->offset);
	put_i64(out, "fd", e->fd);
	put_u64(out, "mode", e->mode);
	put_u64(out, "marks", e->marks);
	put_bool(out, "unlinked", (e->marks & AA_MARK_UNLINKED) || (j && j->str[AA_STRING_PATH].unlinked));
	put_path(out, "path", j, AA_STRING_PATH, e->path, sizeof(e->path));
}

static void print_net(FILE *out, const struct aa_net_event *e, const struct aa_record *rec)
{
	(void)rec; /* completes others, or has nothing completing it */
	put_u64(out, "timestamp_ns", e->timestamp_ns);
	put_u64(out, "pid", e->pid);
	put_u64(out, "tid", e->tid);
	put_name_or_u64(out, "syscall", aa_net_syscall_name(e->syscall), e->syscall);
	put_i64(out, "return_code", e->return_code);
	put_u64(out, "duration_ns", e->duration_ns);
	put_u64(out, "conn", e->conn);
	put_i64(out, "fd", e->fd);
	put_u64(out, "family", e->family);
	put_u64(out, "protocol", e->protocol);
	put_endpoint(out, "local", e->family, e->local_addr, e->local_port);
	put_endpoint(out, "peer", e->family, e->peer_addr, e->peer_port);
	if (e->unix_path[0] || e->unix_path[1]) /* an abstract name starts with a NUL */
		put_b64(out, "unix_path", e->unix_path,
			e->unix_path[0] ? strnlen((const char *)e->unix_path, sizeof(e->unix_path))
					: 1 + strnlen((const char *)e->unix_path + 1, sizeof(e->unix_path) - 1));
}

static void print_unknown(FILE *out, const struct aa_event *ev)
{
	put_u64(out, "size", ev->len);
	put_b64(out, "raw", ev->raw, ev->len);
}

static const struct aa_type_printer printer = AA_TYPE_PRINTER_TABLE;

int aa_print_json(FILE *out, const struct aa_record *rec)
{
	const struct aa_event *ev = &rec->ev;
	const char *type = aa_type_name(ev->type);
	char when[AA_TIME_BUF];

	fputs_unlocked("{\"type\":\"", out);
	fputs_unlocked(type, out);
	fputs_unlocked("\",\"time\":\"", out);
	fputs_unlocked(aa_format_time(when, rec->time_ns), out);
	putc_unlocked('"', out);
	put_u64(out, "time_ns", rec->time_ns);
	put_u64(out, "index", rec->index);
	if (ev->type == AA_TYPE_TASK) {
		/* its own "comm" field says it */
	} else if (rec->process && rec->process->comm[0]) {
		put_cstr(out, "comm", (const uint8_t *)rec->process->comm, sizeof(rec->process->comm));
	} else {
		key(out, "comm");
		fputs_unlocked("null", out);
	}
	aa_print_fields(out, rec, &printer);
	if (ev->error) {
		const char *name = aa_record_status_name(ev->error);

		put_bytes(out, "error", (const uint8_t *)name, strlen(name));
	}
	fputs_unlocked("}\n", out);
	return aa_enc_status(out);
}

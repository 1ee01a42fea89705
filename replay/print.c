/* SPDX-License-Identifier: MIT */
/* The text printer: one readable, terminal-safe line per record. */
#include <string.h>

#include "aa_print.h"
#include "print_enc.h"

#define TLS_PREVIEW 48     /* payload bytes shown of a TLS piece */
#define UNKNOWN_PREVIEW 16 /* bytes shown in hex of an unknown record */

static void put_field_u64(FILE *out, const char *name, uint64_t v)
{
	fputs_unlocked(name, out);
	aa_enc_u64(out, v);
}

static void put_string(FILE *out, const uint8_t *s, size_t max)
{
	aa_enc_text_string(out, s, strnlen((const char *)s, max));
}

/* A string a string record carried, whole, with what is known of its cut. */
static void put_joined(FILE *out, const struct aa_string *s)
{
	aa_enc_text_string(out, s->data, s->len);
	if (s->truncated) {
		fputs_unlocked(" (truncated", out);
		if (s->orig_len != 0xffffffffu)
			fprintf(out, " from %u bytes", s->orig_len);
		putc_unlocked(')', out);
	}
	if (s->unlinked)
		fputs_unlocked(" (unlinked)", out);
}

/* A record's path: the string record's when there is one, else its field,
 * which a path of AA_PATH_MAY_BE_CUT bytes may have filled. */
static void put_path(FILE *out, const struct aa_joins *j, enum aa_string_kind kind,
		     const uint8_t *field, size_t max)
{
	if (j && j->str[kind].data) {
		put_joined(out, &j->str[kind]);
		return;
	}
	size_t len = strnlen((const char *)field, max);
	aa_enc_text_string(out, field, len);
	if (len == AA_PATH_MAY_BE_CUT)
		fputs_unlocked(" (may be cut)", out);
}

/* "(ENOENT)" after a negative errno return. */
static void put_errno(FILE *out, int64_t ret)
{
	if (ret < 0 && ret > -4096) {
		const char *name = strerrorname_np((int)-ret);

		if (name)
			fprintf(out, "(%s)", name);
	}
}

static void put_endpoints(FILE *out, unsigned family, const uint8_t *local, uint16_t lport,
			  const uint8_t *peer, uint16_t pport);

static void print_tls(FILE *out, const struct aa_tls_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;
	uint32_t len = aa_tls_piece_len(e);

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	if (e->direction == AA_TLS_WRITE)
		fputs_unlocked(" write", out);
	else if (e->direction == AA_TLS_READ)
		fputs_unlocked(" read", out);
	else
		put_field_u64(out, " direction=", e->direction);
	put_field_u64(out, " seq=", e->seq);
	put_field_u64(out, " data_len=", e->data_len);
	put_field_u64(out, " len=", len);
	if (j && j->tls_conn) {
		const struct aa_tls_conn_event *c = j->tls_conn;
		put_field_u64(out, " conn=", c->conn);
		fputs_unlocked(" fd=", out);
		aa_enc_i64(out, c->fd);
		put_endpoints(out, c->family, c->local_addr, c->local_port, c->peer_addr, c->peer_port);
		if (aa_tls_lib_name(c->lib))
			fprintf(out, " lib=%s", aa_tls_lib_name(c->lib));
		else
			put_field_u64(out, " lib=", c->lib);
	}
	putc_unlocked(' ', out);
	aa_enc_text_string(out, e->payload, len < TLS_PREVIEW ? len : TLS_PREVIEW);
	if (len > TLS_PREVIEW)
		fputs_unlocked("...", out);
}

static void print_file(FILE *out, const struct aa_file_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;
	const char *sys = aa_file_syscall_name(e->syscall);

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	if (sys) {
		putc_unlocked(' ', out);
		fputs_unlocked(sys, out);
	} else {
		put_field_u64(out, " syscall=", e->syscall);
	}
	putc_unlocked(' ', out);
	put_path(out, j, AA_STRING_PATH, e->path, sizeof(e->path));
	size_t max;
	const uint8_t *to = aa_file_new_path(e, &max);
	if (j && j->str[AA_STRING_NEW_PATH].data) {
		fputs_unlocked(" -> ", out);
		put_joined(out, &j->str[AA_STRING_NEW_PATH]);
	} else if (to) {
		fputs_unlocked(" -> ", out);
		put_string(out, to, max);
	}
	char flags[AA_FLAGS_BUF];

	fprintf(out, " flags=%s ret=%lld",
		aa_flags_names_arch(flags, rec->arch, aa_file_syscall(e->syscall), e->flags),
		(long long)e->return_code);
	put_errno(out, e->return_code);
	fputs_unlocked(" dur=", out);
	aa_enc_duration(out, e->duration_ns);
}

static void print_exec(FILE *out, const struct aa_exec_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " ppid=", e->ppid);
	put_field_u64(out, " uid=", e->uid);
	putc_unlocked(' ', out);
	put_path(out, j, AA_STRING_FILENAME, e->filename, sizeof(e->filename));
	fputs_unlocked(" args=", out);
	put_string(out, e->args, sizeof(e->args));
	if (j && j->str[AA_STRING_ARGV].data)
		aa_enc_text_argv(out, &j->str[AA_STRING_ARGV]);
}

static void print_exit(FILE *out, const struct aa_exit_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_field_u64(out, " pid=", e->pid);
	fputs_unlocked(" exit_code=", out);
	aa_enc_i64(out, e->exit_code);
	if (j && j->task) {
		int sig = j->task->exit_status & 0x7f;
		const char *name = sig ? sigabbrev_np(sig) : NULL;

		if (name)
			fprintf(out, " killed by SIG%s", name);
		else if (sig)
			fprintf(out, " killed by signal %d", sig);
		if (j->task->exit_status & 0x80)
			fputs_unlocked(" (core dumped)", out);
	}
}

static void put_endpoints(FILE *out, unsigned family, const uint8_t *local, uint16_t lport,
			  const uint8_t *peer, uint16_t pport)
{
	char a[AA_ENDPOINT_BUF];

	if (*aa_format_endpoint(a, family, local, lport))
		fprintf(out, " local=%s", a);
	if (*aa_format_endpoint(a, family, peer, pport))
		fprintf(out, " peer=%s", a);
}

static void put_name(FILE *out, const char *name, const char *field, uint64_t v)
{
	if (name) {
		putc_unlocked(' ', out);
		fputs_unlocked(name, out);
	} else {
		put_field_u64(out, field, v);
	}
}

static void print_task(FILE *out, const struct aa_task_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	put_name(out, aa_task_kind_name(e->kind), " kind=", e->kind);
	put_field_u64(out, " ppid=", e->ppid);
	put_field_u64(out, " uid=", e->uid);
	put_field_u64(out, " gid=", e->gid);
	fputs_unlocked(" comm=", out);
	put_string(out, e->comm, sizeof(e->comm));
	if (e->kind == AA_TASK_EXIT)
		fprintf(out, " status=0x%x", (unsigned)e->exit_status);
	if (e->kind == AA_TASK_EXEC_FAILED) {
		fputs_unlocked(" error=", out);
		aa_enc_i64(out, e->error);
		put_errno(out, -(int64_t)e->error);
	}
	put_field_u64(out, " ns_pid=", e->ns_pid);
	put_field_u64(out, " start_ns=", e->start_ns);
	put_field_u64(out, " cgroup_id=", e->cgroup_id);
	fputs_unlocked(" cgroup=", out);
	put_string(out, e->cgroup, sizeof(e->cgroup));
	if (j && j->str[AA_STRING_EXE].data) {
		fputs_unlocked(" exe=", out);
		put_joined(out, &j->str[AA_STRING_EXE]);
	}
	if (j && j->str[AA_STRING_FILENAME].data) {
		putc_unlocked(' ', out);
		put_joined(out, &j->str[AA_STRING_FILENAME]);
	}
	if (j && j->str[AA_STRING_ARGV].data)
		aa_enc_text_argv(out, &j->str[AA_STRING_ARGV]);
}

static void print_string(FILE *out, const struct aa_string_event *e, const struct aa_record *rec)
{
	(void)rec; /* completes others, or has nothing completing it */
	uint32_t len = aa_string_piece_len(e);

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	put_name(out, aa_string_kind_name(e->kind), " kind=", e->kind);
	put_field_u64(out, " seq=", e->seq);
	put_field_u64(out, " total_len=", e->total_len);
	if (e->orig_len != e->total_len)
		put_field_u64(out, " orig_len=", e->orig_len);
	if (e->flags & AA_STRING_TRUNCATED)
		fputs_unlocked(" truncated", out);
	if (e->flags & AA_STRING_UNLINKED)
		fputs_unlocked(" unlinked", out);
	putc_unlocked(' ', out);
	aa_enc_text_string(out, e->data, len < TLS_PREVIEW ? len : TLS_PREVIEW);
	if (len > TLS_PREVIEW)
		fputs_unlocked("...", out);
}

static void print_tls_conn(FILE *out, const struct aa_tls_conn_event *e, const struct aa_record *rec)
{
	(void)rec; /* completes others, or has nothing completing it */
	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	put_name(out, e->direction == AA_TLS_WRITE ? "write" : e->direction == AA_TLS_READ ? "read" : NULL,
		 " direction=", e->direction);
	put_field_u64(out, " conn=", e->conn);
	fputs_unlocked(" fd=", out);
	aa_enc_i64(out, e->fd);
	put_name(out, aa_tls_lib_name(e->lib), " lib=", e->lib);
	put_endpoints(out, e->family, e->local_addr, e->local_port, e->peer_addr, e->peer_port);
	put_field_u64(out, " data_len=", e->data_len);
}

static void print_fileop(FILE *out, const struct aa_fileop_event *e, const struct aa_record *rec)
{
	const struct aa_joins *j = rec->joins;
	char flags[AA_FLAGS_BUF];

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	put_name(out, aa_syscall_name(e->syscall), " syscall=", e->syscall);
	putc_unlocked(' ', out);
	put_path(out, j, AA_STRING_PATH, e->path, sizeof(e->path));
	if (e->marks & AA_MARK_UNLINKED)
		fputs_unlocked(" unlinked", out);
	fputs_unlocked(" fd=", out);
	aa_enc_i64(out, e->fd);
	if (e->offset >= 0) {
		fputs_unlocked(" offset=", out);
		aa_enc_i64(out, e->offset);
	}
	fprintf(out, " flags=%s", aa_flags_names_arch(flags, rec->arch, e->syscall, e->flags));
	if (e->mode)
		fprintf(out, " mode=0%o", (unsigned)e->mode);
	fputs_unlocked(" ret=", out);
	aa_enc_i64(out, e->return_code);
	put_errno(out, e->return_code);
	fputs_unlocked(" dur=", out);
	aa_enc_duration(out, e->duration_ns);
}

static void print_net(FILE *out, const struct aa_net_event *e, const struct aa_record *rec)
{
	(void)rec; /* completes others, or has nothing completing it */
	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	put_name(out, aa_net_syscall_name(e->syscall), " syscall=", e->syscall);
	fputs_unlocked(" fd=", out);
	aa_enc_i64(out, e->fd);
	put_field_u64(out, " conn=", e->conn);
	put_field_u64(out, " family=", e->family);
	put_field_u64(out, " protocol=", e->protocol);
	put_endpoints(out, e->family, e->local_addr, e->local_port, e->peer_addr, e->peer_port);
	if (e->unix_path[0] || e->unix_path[1]) { /* an abstract name starts with a NUL */
		fputs_unlocked(" unix=", out);
		aa_enc_text_string(out, e->unix_path, e->unix_path[0] ? strnlen((const char *)e->unix_path, sizeof(e->unix_path))
						     : 1 + strnlen((const char *)e->unix_path + 1, sizeof(e->unix_path) - 1));
	}
	fputs_unlocked(" ret=", out);
	aa_enc_i64(out, e->return_code);
	put_errno(out, e->return_code);
	fputs_unlocked(" dur=", out);
	aa_enc_duration(out, e->duration_ns);
}

static void print_unknown(FILE *out, const struct aa_event *ev)
{
	put_field_u64(out, " size=", ev->len);
	if (ev->len) {
		putc_unlocked(' ', out);
		aa_enc_hex(out, ev->raw, ev->len < UNKNOWN_PREVIEW ? ev->len : UNKNOWN_PREVIEW);
		if (ev->len > UNKNOWN_PREVIEW)
			fputs_unlocked(" ...", out);
	}
}

static const struct aa_type_printer printer = AA_TYPE_PRINTER_TABLE;

int aa_print_text(FILE *out, const struct aa_record *rec)
{
	const struct aa_event *ev = &rec->ev;
	char when[AA_TIME_BUF];

	fputs_unlocked(aa_format_time(when, rec->time_ns), out);
	putc_unlocked(' ', out);
	fputs_unlocked(aa_type_name(ev->type), out);
	if (ev->error) {
		fputs_unlocked(" invalid=", out);
		fputs_unlocked(aa_record_status_name(ev->error), out);
	}
	aa_print_fields(out, rec, &printer);
	if (rec->process && rec->process->comm[0] && ev->type != AA_TYPE_TASK) { /* a task record has its own */
		fputs_unlocked(" comm=", out);
		put_string(out, (const uint8_t *)rec->process->comm, sizeof(rec->process->comm));
	}
	putc_unlocked('\n', out);
	return aa_enc_status(out);
}

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

/* A duration with a unit that keeps it short: 950ns, 12.345us, 3.2ms, 1.5s. */
static void put_duration(FILE *out, uint64_t ns)
{
	if (ns < 1000)
		fprintf(out, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		fprintf(out, "%.3fus", ns / 1e3);
	else if (ns < 1000000000)
		fprintf(out, "%.3fms", ns / 1e6);
	else
		fprintf(out, "%.3fs", ns / 1e9);
}

static void print_tls(FILE *out, const struct aa_tls_event *e)
{
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
	putc_unlocked(' ', out);
	aa_enc_text_string(out, e->payload, len < TLS_PREVIEW ? len : TLS_PREVIEW);
	if (len > TLS_PREVIEW)
		fputs_unlocked("...", out);
}

static void print_file(FILE *out, const struct aa_file_event *e)
{
	const char *sys = aa_syscall_name(e->syscall);

	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " tid=", e->tid);
	if (sys) {
		putc_unlocked(' ', out);
		fputs_unlocked(sys, out);
	} else {
		put_field_u64(out, " syscall=", e->syscall);
	}
	putc_unlocked(' ', out);
	put_string(out, e->path, sizeof(e->path));
	size_t max;
	const uint8_t *to = aa_file_new_path(e, &max);
	if (to) {
		fputs_unlocked(" -> ", out);
		put_string(out, to, max);
	}
	char flags[AA_FLAGS_BUF];

	fprintf(out, " flags=%s ret=%lld", aa_flags_names(flags, e->syscall, e->flags),
		(long long)e->return_code);
	if (e->return_code < 0 && e->return_code > -4096) {
		const char *name = strerrorname_np((int)-e->return_code);

		if (name)
			fprintf(out, "(%s)", name);
	}
	fputs_unlocked(" dur=", out);
	put_duration(out, e->duration_ns);
}

static void print_exec(FILE *out, const struct aa_exec_event *e)
{
	put_field_u64(out, " pid=", e->pid);
	put_field_u64(out, " ppid=", e->ppid);
	put_field_u64(out, " uid=", e->uid);
	putc_unlocked(' ', out);
	put_string(out, e->filename, sizeof(e->filename));
	fputs_unlocked(" args=", out);
	put_string(out, e->args, sizeof(e->args));
}

static void print_exit(FILE *out, const struct aa_exit_event *e)
{
	put_field_u64(out, " pid=", e->pid);
	fputs_unlocked(" exit_code=", out);
	aa_enc_i64(out, e->exit_code);
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
		fputs_unlocked(aa_error_name(ev->error), out);
	}
	aa_print_fields(out, ev, &printer);
	putc_unlocked('\n', out);
	return aa_enc_status(out);
}

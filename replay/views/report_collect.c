/* SPDX-License-Identifier: MIT */
/*
 * The report's first pass: the summary, the processes, the files touched
 * and the timeline's events, as members of the page's data object.
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "aa_print.h"
#include "aa_tree.h"
#include "cli.h"
#include "print_enc.h"
#include "report.h"
#include "report_files.h"

/* Timeline events kept at most; past that they are only counted. */
#define REPORT_EVENTS_MAX 50000

enum { EV_EXEC = 'x', EV_FILE = 'f', EV_TLS = 't', EV_NET = 'n', EV_EXEC_FAILED = 'e' };

struct event {
	uint64_t t;
	uint64_t conn;     /* tls, net */
	int64_t ret;       /* file, net; errno of a failed exec */
	int32_t file;      /* file: index in the files */
	uint32_t pid;
	uint32_t len;      /* tls: the call's length */
	uint16_t sys;      /* file, net: the syscall */
	uint8_t kind, dir; /* dir: tls direction */
	uint16_t port;     /* net: peer port */
	uint8_t family, addr[16];
};

struct collect {
	struct report_tls *tls;
	struct event *ev;
	size_t n, cap;
	uint64_t omitted;
	struct report_files files;
	/* the META of the first file, copied: it lives only until the next read */
	char *meta[6];
	uint32_t format_version;
};

static const char *const meta_names[6] = { "host", "kernel", "arch", "writer", "writer_version", "source" };

static void copy_meta(struct collect *c, const struct aa_file_meta *m)
{
	const char *v[6] = { 0 };

	if (m) {
		v[0] = m->hostname, v[1] = m->kernel, v[2] = m->arch;
		v[3] = m->writer, v[4] = m->writer_version, v[5] = m->source;
		c->format_version = aa_meta_format_version(m);
	}
	for (int i = 0; i < 6; i++)
		c->meta[i] = v[i] ? strdup(v[i]) : NULL;
}

static struct event *new_event(struct collect *c, const struct aa_record *rec, int kind, uint32_t pid)
{
	if (c->n == REPORT_EVENTS_MAX) {
		c->omitted++;
		return NULL;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct event *v = realloc(c->ev, cap * sizeof(*v));
		if (!v) {
			c->omitted++;
			return NULL;
		}
		c->ev = v;
		c->cap = cap;
	}
	struct event *e = &c->ev[c->n++];
	memset(e, 0, sizeof(*e));
	e->t = rec->time_ns;
	e->kind = (uint8_t)kind;
	e->pid = pid;
	return e;
}

static void add_record(struct collect *c, const struct aa_record *rec)
{
	struct event *e;
	int32_t file;

	if (rec->ev.error)
		return;
	switch (rec->ev.type) {
	case AA_TYPE_EXEC:
		new_event(c, rec, EV_EXEC, rec->ev.exec->pid);
		break;
	case AA_TYPE_TASK:
		if (rec->ev.task->kind == AA_TASK_EXEC_FAILED &&
		    (e = new_event(c, rec, EV_EXEC_FAILED, rec->ev.task->pid)))
			e->ret = rec->ev.task->error;
		break;
	case AA_TYPE_FILE:
	case AA_TYPE_FILEOP:
		file = report_files_add(&c->files, rec);
		if (file >= 0 && (e = new_event(c, rec, EV_FILE, rec->ev.type == AA_TYPE_FILE ?
						 rec->ev.file->pid : rec->ev.fileop->pid))) {
			e->file = file;
			e->sys = (uint16_t)(rec->ev.type == AA_TYPE_FILE ? rec->ev.file->syscall
									  : rec->ev.fileop->syscall);
			e->ret = rec->ev.type == AA_TYPE_FILE ? rec->ev.file->return_code
							      : rec->ev.fileop->return_code;
		}
		break;
	case AA_TYPE_TLS: /* one event per call: its first piece */
		if (rec->ev.tls->seq == 0 && (e = new_event(c, rec, EV_TLS, rec->ev.tls->pid))) {
			e->dir = rec->ev.tls->direction;
			e->len = rec->ev.tls->data_len;
			e->conn = rec->joins && rec->joins->tls_conn ? rec->joins->tls_conn->conn : 0;
		}
		break;
	case AA_TYPE_NET:
		if ((e = new_event(c, rec, EV_NET, rec->ev.net->pid))) {
			const struct aa_net_event *n = rec->ev.net;
			e->sys = n->syscall;
			e->ret = n->return_code;
			e->conn = n->conn;
			e->family = (uint8_t)n->family;
			e->port = n->peer_port;
			memcpy(e->addr, n->peer_addr, sizeof(e->addr));
		}
		break;
	case AA_TYPE_EXIT: /* exits, forks: the processes' ends and starts */
	case AA_TYPE_STRING:
	case AA_TYPE_TLS_CONN:
	case AA_TYPE_UNKNOWN:
		break;
	}
}

static void json_cstr(FILE *j, const char *s)
{
	if (s)
		aa_enc_json_string(j, (const uint8_t *)s, strlen(s));
	else
		fputs("null", j);
}

static void put_summary(FILE *j, const struct collect *c, const struct aa_source_stats *st,
			uint64_t damage_reports)
{
	char t[AA_TIME_BUF];

	fputs(",\"summary\":{", j);
	for (int i = 0; i < 6; i++) {
		fprintf(j, "%s\"%s\":", i ? "," : "", meta_names[i]);
		json_cstr(j, c->meta[i]);
	}
	fprintf(j, ",\"format_version\":%u", c->format_version);
	fprintf(j, ",\"first\":\"%s\"", st->first_ns ? aa_format_time(t, st->first_ns) : "");
	fprintf(j, ",\"last\":\"%s\"", st->last_ns ? aa_format_time(t, st->last_ns) : "");
	fprintf(j, ",\"span\":%llu", (unsigned long long)(st->last_ns - st->first_ns));
	fprintf(j, ",\"records\":%llu,\"by_type\":{", (unsigned long long)st->records);
	for (int i = 0; i <= AA_TYPE_UNKNOWN; i++)
		fprintf(j, "%s\"%s\":%llu", i ? "," : "", aa_type_name((enum aa_type)i),
			(unsigned long long)st->by_type[i]);
	fprintf(j, "},\"invalid\":%llu,\"dropped\":%llu,\"drops\":{", (unsigned long long)st->invalid,
		(unsigned long long)st->dropped);
	for (int i = 0; i < AA_DROP_SLOTS; i++)
		fprintf(j, "%s\"%s\":%llu", i ? "," : "", aa_type_name((enum aa_type)i),
			(unsigned long long)st->drops[i]);
	fprintf(j, "},\"chunks\":%llu,\"damaged\":%llu,\"damage_reports\":%llu,\"files\":%u,"
		"\"files_closed\":%u,\"bytes_raw\":%llu,\"bytes_stored\":%llu,\"intact\":%s,"
		"\"events_omitted\":%llu}",
		(unsigned long long)st->chunks, (unsigned long long)st->damaged,
		(unsigned long long)damage_reports, st->files, st->files_closed,
		(unsigned long long)st->bytes_raw, (unsigned long long)st->bytes_stored,
		st->intact && !damage_reports ? "true" : "false", (unsigned long long)c->omitted);
}

static void put_events(FILE *j, const struct collect *c, uint64_t base)
{
	char ep[AA_ENDPOINT_BUF];

	/* [t, pid, kind, ...]: exec; failed exec errno; file index syscall ret;
	 * tls dir len conn; net syscall peer ret conn */
	fputs(",\"events\":[", j);
	for (size_t i = 0; i < c->n; i++) {
		const struct event *e = &c->ev[i];
		fprintf(j, "%s[%llu,%u,\"%c\"", i ? "," : "", (unsigned long long)(e->t - base), e->pid, e->kind);
		switch (e->kind) {
		case EV_EXEC_FAILED:
			fprintf(j, ",%lld", (long long)e->ret);
			break;
		case EV_FILE:
			fprintf(j, ",%d,\"%s\",%lld", e->file, aa_syscall_name(e->sys) ? aa_syscall_name(e->sys) : "?",
				(long long)e->ret);
			break;
		case EV_TLS:
			fprintf(j, ",\"%s\",%u,%llu", e->dir == AA_TLS_WRITE ? "write" : "read", e->len,
				(unsigned long long)e->conn);
			break;
		case EV_NET:
			fprintf(j, ",\"%s\",\"%s\",%lld,%llu",
				aa_net_syscall_name(e->sys) ? aa_net_syscall_name(e->sys) : "?",
				aa_format_endpoint(ep, e->family, e->addr, e->port), (long long)e->ret,
				(unsigned long long)e->conn);
			break;
		default:
			break;
		}
		putc(']', j);
	}
	putc(']', j);
}

static void put_string(FILE *j, const char *name, const struct aa_string *s)
{
	aa_enc_json_key(j, name);
	if (s->data)
		aa_enc_json_string(j, s->data, s->len);
	else
		fputs("null", j);
}

static void put_process(FILE *j, const struct aa_tree_node *n, uint64_t base)
{
	const struct aa_process *p = &n->proc;

	fprintf(j, "{\"id\":%u,\"parent\":%u,\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"comm\":", n->id,
		n->parent ? n->parent->id : 0, p->pid, p->ppid, p->uid);
	aa_enc_json_string(j, (const uint8_t *)p->comm, strnlen(p->comm, sizeof(p->comm)));
	put_string(j, "exe", &p->exe);
	if (p->argv_joined) {
		put_string(j, "args", &p->argv);
		fputs(",\"argv\":null,\"argv_truncated\":false", j);
	} else {
		aa_enc_json_argv(j, &p->argv);
	}
	/* a process from before the recording starts at its first record */
	fprintf(j, ",\"start\":%lld,\"snapshot\":%s,\"execs\":%u,\"counts\":[%llu,%llu,%llu]",
		(long long)(p->start_ns - base), p->how & AA_PROC_SNAPSHOT ? "true" : "false", p->execs,
		(unsigned long long)n->counts.file, (unsigned long long)n->counts.tls_calls,
		(unsigned long long)n->counts.net);
	if (p->how & AA_PROC_EXIT)
		fprintf(j, ",\"end\":%lld,\"exit\":%d,\"signal\":%d,\"core\":%s}", (long long)(p->end_ns - base),
			p->exit_code, p->signal, p->core_dumped ? "true" : "false");
	else
		fputs(",\"end\":null,\"exit\":null,\"signal\":0,\"core\":false}", j);
}

/* The tree's processes in its own pre-order walk (siblings by start time):
 * 0, or the errno of reading the tree's temporary file back. */
static int put_procs(FILE *j, aa_tree *tree, uint64_t base)
{
	struct aa_tree_stats ts;
	const char *sep = "";

	fputs(",\"procs\":[", j);
	for (const struct aa_tree_node *n = aa_tree_walk(tree, NULL, NULL); n; n = aa_tree_walk(tree, NULL, n)) {
		fputs(sep, j);
		put_process(j, n, base);
		sep = ",";
	}
	aa_tree_get_stats(tree, &ts);
	fprintf(j, "],\"procs_lost\":%llu", (unsigned long long)ts.lost);
	return aa_tree_walk_error(tree);
}

static int on_record(void *user, struct aa_tree_node *node, const struct aa_record *rec)
{
	(void)node;
	add_record(user, rec);
	report_tls_add(((struct collect *)user)->tls, rec);
	return 0;
}

int report_collect(FILE *j, const char *const *paths, size_t npaths)
{
	struct cli_input in = { .ordered = cli_all_regular_files(paths, npaths), .view = 1 };
	struct collect c = { 0 };
	struct aa_tree_opts to = { .on_record = on_record, .user = &c };
	struct aa_source_stats st;
	aa_tree *tree = NULL;
	int status, rc;

	if ((status = cli_open(&in, paths, npaths, NULL)) != CLI_OK)
		return status;
	if (!(c.tls = report_tls_new())) {
		cli_err("out of memory, or no temporary file (in $TMPDIR, else /tmp) for the TLS conversations");
		return cli_close(&in, CLI_USAGE);
	}
	copy_meta(&c, aa_source_meta(in.src));
	/* one pass: the tree takes every record in, and hands each on to us */
	if ((rc = aa_tree_build(&tree, in.src, &to)) == AA_E_IO && !tree) {
		cli_err("report: a temporary file (in $TMPDIR, else /tmp): %s", strerror(errno));
		status = cli_worse(status, CLI_USAGE);
	} else if (rc < 0) {
		status = cli_worse(status, cli_read_failed(&in, rc, NULL));
	}
	aa_source_get_stats(in.src, &st);
	put_summary(j, &c, &st, in.damage_reports);
	if (tree && (rc = put_procs(j, tree, st.first_ns))) {
		cli_err("report: reading back the tree's temporary file: %s", strerror(rc));
		status = cli_worse(status, CLI_USAGE);
	} else if (!tree) {
		fputs(",\"procs\":[]", j);
	}
	report_files_json(j, &c.files, st.first_ns);
	put_events(j, &c, st.first_ns);
	status = cli_worse(status, report_tls_finish(c.tls, j, st.first_ns));
	report_tls_free(c.tls);
	aa_tree_free(tree);
	report_files_free(&c.files);
	free(c.ev);
	for (int i = 0; i < 6; i++)
		free(c.meta[i]);
	return cli_close(&in, status);
}

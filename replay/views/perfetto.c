/* SPDX-License-Identifier: MIT */
/*
 * aa-replay export --perfetto: the records as Chrome trace-event JSON, the
 * format the Perfetto UI, chrome://tracing and Chrome DevTools open. One
 * track (process) per pid, named "comm pid", ordered under its parent; a
 * program's run (fork or exec to the next exec or exit) as a whole slice
 * ("X", written at its end: DevTools pairs begin and end events on one
 * stack for all threads, so overlapping runs of two processes would end
 * each other); file and net syscalls as slices of their duration; TLS calls
 * as instants ("I": DevTools ignores "i"), each joined to the previous
 * call of its conversation by a flow arrow (v1 "s"/"f" events of the
 * instant's cat, pid, tid and ts, which both DevTools and Perfetto bind).
 *
 * Times are microseconds from the whole second before the first record
 * (the absolute start is in otherData.aa_start): a double holds them to the
 * nanosecond, which epoch microseconds would not. Events are written as
 * they come (the format does not ask them to be sorted); the process names
 * come last, from the process table. State: the runs of live processes
 * (perfetto_runs.h), and two fixed tables of EXP_SLOTS entries (threads
 * named, conversations followed), so memory does not grow with the file:
 * a slot taken by another key loses one thread name or one arrow, never a
 * record.
 */
#include <stdlib.h>
#include <string.h>

#include "aa_print.h"
#include "export.h"
#include "pcapng.h"
#include "perfetto_runs.h"
#include "print_enc.h"

#define EXP_SLOTS 4096
#define PREVIEW_MAX 256 /* bytes of a TLS call shown in its args */

struct conv_slot {
	uint64_t key; /* 0: free */
	uint32_t pid, tid;
	uint64_t time_ns;
};

struct pf {
	FILE *out;
	uint64_t base_ns;
	uint64_t last_ns; /* time of the last record of a known type */
	int have_base;
	uint64_t events;
	uint64_t flows;
	uint64_t named[EXP_SLOTS]; /* pid << 32 | tid, +1 so that 0 is free */
	struct conv_slot conv[EXP_SLOTS];
	struct pf_runs runs; /* the runs of live processes */
	int oom;
};

static void put_str(FILE *out, const char *s)
{
	aa_enc_json_string(out, (const uint8_t *)s, strlen(s));
}

static void put_ts(struct pf *p, uint64_t time_ns)
{
	uint64_t rel = time_ns > p->base_ns ? time_ns - p->base_ns : 0;

	fprintf(p->out, "%llu.%03u", (unsigned long long)(rel / 1000), (unsigned)(rel % 1000));
}

/* Starts one event object: {"ph":..,"cat":..,"name":..,"pid":..,"tid":..,"ts":.. */
static void ev_open(struct pf *p, const char *ph, const char *cat, const uint8_t *name, size_t nlen,
		    uint32_t pid, uint32_t tid, uint64_t time_ns)
{
	fputs(p->events++ ? ",\n{\"ph\":\"" : "\n{\"ph\":\"", p->out);
	fputs(ph, p->out);
	fputs("\",\"cat\":\"", p->out);
	fputs(cat, p->out);
	fputs("\",\"name\":", p->out);
	aa_enc_json_string(p->out, name, nlen);
	fprintf(p->out, ",\"pid\":%u,\"tid\":%u,\"ts\":", pid, tid);
	put_ts(p, time_ns);
}

static void ev_open_s(struct pf *p, const char *ph, const char *cat, const char *name, uint32_t pid,
		      uint32_t tid, uint64_t time_ns)
{
	ev_open(p, ph, cat, (const uint8_t *)name, strlen(name), pid, tid, time_ns);
}

static void put_dur(struct pf *p, uint64_t ns)
{
	fprintf(p->out, ",\"dur\":%llu.%03u", (unsigned long long)(ns / 1000), (unsigned)(ns % 1000));
}

static void put_comm(struct pf *p, const struct aa_record *rec)
{
	fputs(",\"comm\":", p->out);
	if (rec->process && rec->process->comm[0])
		put_str(p->out, rec->process->comm);
	else
		fputs("null", p->out);
}

/* A thread other than the main one is named once, at its first event. */
static void name_thread(struct pf *p, const struct aa_record *rec, uint32_t pid, uint32_t tid)
{
	uint64_t key = ((uint64_t)pid << 32 | tid) + 1;
	uint64_t *slot = &p->named[aa_export_mix64(key) % EXP_SLOTS];

	if (tid == pid || *slot == key || !rec->process || !rec->process->comm[0])
		return;
	*slot = key;
	fprintf(p->out, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", pid, tid);
	put_str(p->out, rec->process->comm);
	fputs("}}", p->out);
}

static void put_path(struct pf *p, const char *key, const struct aa_string *whole, const uint8_t *field,
		     size_t max)
{
	fprintf(p->out, ",\"%s\":", key);
	if (whole && whole->data)
		aa_enc_json_string(p->out, whole->data, whole->len);
	else
		aa_enc_json_string(p->out, field, strnlen((const char *)field, max));
}

/* A syscall's slice: {"ph":"X",...,"dur":..,"args":{"ret":N ... then slice_end. */
static void slice_open(struct pf *p, const struct aa_record *rec, const char *cat, const char *name,
		       uint32_t pid, uint32_t tid, uint64_t dur_ns, int64_t ret)
{
	ev_open_s(p, "X", cat, name, pid, tid, rec->time_ns);
	put_dur(p, dur_ns);
	fprintf(p->out, ",\"args\":{\"ret\":%lld", (long long)ret);
}

static void slice_end(struct pf *p, const struct aa_record *rec, uint32_t pid, uint32_t tid)
{
	put_comm(p, rec);
	fputs("}}", p->out);
	name_thread(p, rec, pid, tid);
}

static const struct aa_string *joined(const struct aa_record *rec, enum aa_string_kind kind)
{
	return rec->joins && rec->joins->str[kind].data ? &rec->joins->str[kind] : NULL;
}

static void on_file(struct pf *p, const struct aa_record *rec)
{
	const struct aa_file_event *e = rec->ev.file;
	const char *name = aa_file_syscall_name(e->syscall);
	char flags[AA_FLAGS_BUF];

	slice_open(p, rec, "file", name ? name : "file", e->pid, e->tid, e->duration_ns, e->return_code);
	put_path(p, "path", joined(rec, AA_STRING_PATH), e->path, sizeof(e->path));
	if (e->syscall == AA_SYS_RENAME) {
		size_t max;
		const uint8_t *np = aa_file_new_path(e, &max);
		const struct aa_string *w = joined(rec, AA_STRING_NEW_PATH);

		if (w || np)
			put_path(p, "new_path", w, np ? np : (const uint8_t *)"", np ? max : 1);
	}
	fputs(",\"flags\":", p->out);
	put_str(p->out, aa_flags_names_arch(flags, rec->arch, aa_file_syscall(e->syscall), e->flags));
	slice_end(p, rec, e->pid, e->tid);
}

static void on_fileop(struct pf *p, const struct aa_record *rec)
{
	const struct aa_fileop_event *e = rec->ev.fileop;
	const char *name = aa_syscall_name(e->syscall);

	slice_open(p, rec, "file", name ? name : "fileop", e->pid, e->tid, e->duration_ns, e->return_code);
	fprintf(p->out, ",\"fd\":%d,\"offset\":%lld", e->fd, (long long)e->offset);
	put_path(p, "path", joined(rec, AA_STRING_PATH), e->path, sizeof(e->path));
	slice_end(p, rec, e->pid, e->tid);
}

static void on_net(struct pf *p, const struct aa_record *rec)
{
	const struct aa_net_event *e = rec->ev.net;
	const char *name = aa_net_syscall_name(e->syscall);
	char ep[AA_ENDPOINT_BUF];

	slice_open(p, rec, "net", name ? name : "net", e->pid, e->tid, e->duration_ns, e->return_code);
	fprintf(p->out, ",\"fd\":%d,\"conn\":%llu,\"local\":", e->fd, (unsigned long long)e->conn);
	put_str(p->out, aa_format_endpoint(ep, e->family, e->local_addr, e->local_port));
	fputs(",\"peer\":", p->out);
	put_str(p->out, aa_format_endpoint(ep, e->family, e->peer_addr, e->peer_port));
	slice_end(p, rec, e->pid, e->tid);
}

/*
 * A run's slice, written whole at its end: begin and end events would have
 * to pair up, which DevTools' engine does on one stack for all threads, so
 * that the runs of processes that overlap in time end each other there.
 */
static void put_run(struct pf *p, struct pf_run *r, uint32_t pid, uint64_t end_ns)
{
	ev_open_s(p, "X", "process", r->name, pid, pid, r->start_ns);
	put_dur(p, end_ns > r->start_ns ? end_ns - r->start_ns : 0);
	fputs(",\"args\":{", p->out);
	fwrite(r->args, 1, r->args_len, p->out);
}

/* Ends pid's run at this record, if one is open: its slice is written
 * without the closing brace of its args (the caller adds to them). */
static int end_run(struct pf *p, const struct aa_record *rec, uint32_t pid)
{
	struct pf_run *r = pf_run_find(&p->runs, pf_run_key(rec->origin, pid));

	if (!r)
		return 0;
	put_run(p, r, pid, rec->time_ns);
	pf_run_remove(&p->runs, r);
	return 1;
}

/* The program a process runs from here on: its slice's name and args,
 * kept until the slice ends. */
static void open_run(struct pf *p, const struct aa_record *rec, uint32_t pid, const char *why)
{
	const struct aa_process *pr = rec->process;
	struct pf_run *r;
	FILE *f;

	if (end_run(p, rec, pid)) /* a run whose end was not seen */
		fputs("}}", p->out);
	if (!(r = pf_run_add(&p->runs, pf_run_key(rec->origin, pid))) ||
	    !(f = open_memstream(&r->args, &r->args_len))) {
		if (r)
			pf_run_remove(&p->runs, r);
		p->oom = 1;
		return;
	}
	r->start_ns = rec->time_ns;
	snprintf(r->name, sizeof(r->name), "%s", pr && pr->comm[0] ? pr->comm : why);
	fprintf(f, "\"how\":\"%s\"", why);
	if (pr && pr->exe.data) {
		fputs(",\"exe\":", f);
		aa_enc_json_string(f, pr->exe.data, pr->exe.len);
	}
	if (pr && pr->argv.data) {
		if (pr->argv_joined) {
			fputs(",\"args\":", f);
			aa_enc_json_string(f, pr->argv.data, pr->argv.len);
		} else {
			aa_enc_json_argv(f, &pr->argv);
		}
	}
	if (fclose(f) != 0) {
		pf_run_remove(&p->runs, r);
		p->oom = 1;
	}
}

static void on_exec(struct pf *p, const struct aa_record *rec)
{
	const struct aa_exec_event *e = rec->ev.exec;

	open_run(p, rec, e->pid, "exec");
}

static void on_exit_rec(struct pf *p, const struct aa_record *rec)
{
	const struct aa_exit_event *e = rec->ev.exit;
	const struct aa_process *pr = rec->process;
	int sig = pr ? pr->signal : 0;

	if (end_run(p, rec, e->pid)) {
		fputc(',', p->out);
	} else {
		ev_open_s(p, "I", "process", "exit", e->pid, e->pid, rec->time_ns);
		fputs(",\"s\":\"p\",\"args\":{", p->out);
	}
	fprintf(p->out, "\"exit_code\":%d,\"signal\":%d}}", e->exit_code, sig);
}

/* The runs still going at the end: slices to the last record, marked so. */
static void end_runs(struct pf *p)
{
	for (struct pf_run *r = NULL; (r = pf_run_next(&p->runs, r));) {
		put_run(p, r, (uint32_t)(r->key - 1), p->last_ns);
		fputs(",\"running\":true}}", p->out);
	}
	pf_runs_free(&p->runs);
}

static void on_task(struct pf *p, const struct aa_record *rec)
{
	const struct aa_task_event *e = rec->ev.task;

	if (e->kind == AA_TASK_FORK) {
		open_run(p, rec, e->pid, "fork");
	} else if (e->kind == AA_TASK_EXEC_FAILED) {
		ev_open_s(p, "I", "process", "exec_failed", e->pid, e->tid, rec->time_ns);
		fprintf(p->out, ",\"s\":\"t\",\"args\":{\"error\":%d", e->error);
		put_path(p, "filename", joined(rec, AA_STRING_FILENAME), (const uint8_t *)"", 1);
		if (joined(rec, AA_STRING_ARGV))
			aa_enc_json_argv(p->out, joined(rec, AA_STRING_ARGV));
		fputs("}}", p->out);
		name_thread(p, rec, e->pid, e->tid);
	}
}

/*
 * Which conversation a TLS call is part of: both ends of a TCP connection
 * (so a client's and a server's calls are one conversation), else the
 * socket, else (format 1, no connection known) the process.
 */
static uint64_t conv_key(const struct aa_record *rec)
{
	const struct aa_tls_conn_event *c = rec->joins ? rec->joins->tls_conn : NULL;
	uint64_t a, b;

	if (c && (c->family == 2 || c->family == 10) && c->local_port && c->peer_port) {
		a = aa_export_mix64(aa_get64(c->local_addr) ^ aa_export_mix64(aa_get64(c->local_addr + 8)) ^ c->local_port);
		b = aa_export_mix64(aa_get64(c->peer_addr) ^ aa_export_mix64(aa_get64(c->peer_addr + 8)) ^ c->peer_port);
		return (a ^ b) | 1;
	}
	if (c && c->conn)
		return aa_export_mix64(c->conn ^ 0x636f6e6e) | 1;
	return aa_export_mix64((uint64_t)rec->ev.tls->pid << 1) | 1;
}

static void on_tls(struct pf *p, const struct aa_record *rec)
{
	const struct aa_tls_event *e = rec->ev.tls;
	const struct aa_tls_conn_event *c = rec->joins ? rec->joins->tls_conn : NULL;
	uint32_t len = aa_tls_piece_len(e);
	uint64_t key;
	struct conv_slot *s;
	char ep[AA_ENDPOINT_BUF];

	if (e->seq != 0) /* one instant per call, at its first piece */
		return;
	ev_open_s(p, "I", "tls", e->direction == AA_TLS_WRITE ? "tls write" : "tls read", e->pid, e->tid,
		  rec->time_ns);
	fprintf(p->out, ",\"s\":\"t\",\"args\":{\"len\":%u", e->data_len);
	if (c) {
		fprintf(p->out, ",\"conn\":%llu,\"fd\":%d,\"local\":", (unsigned long long)c->conn, c->fd);
		put_str(p->out, aa_format_endpoint(ep, c->family, c->local_addr, c->local_port));
		fputs(",\"peer\":", p->out);
		put_str(p->out, aa_format_endpoint(ep, c->family, c->peer_addr, c->peer_port));
	}
	fputs(",\"data\":", p->out);
	aa_enc_json_string(p->out, e->payload, len < PREVIEW_MAX ? len : PREVIEW_MAX);
	put_comm(p, rec);
	fputs("}}", p->out);
	name_thread(p, rec, e->pid, e->tid);

	key = conv_key(rec);
	s = &p->conv[key % EXP_SLOTS];
	if (s->key == key) { /* an arrow from the conversation's previous call to this one */
		p->flows++;
		ev_open_s(p, "s", "tls", "tls conversation", s->pid, s->tid, s->time_ns);
		fprintf(p->out, ",\"id\":%llu}", (unsigned long long)p->flows);
		ev_open_s(p, "f", "tls", "tls conversation", e->pid, e->tid, rec->time_ns);
		fprintf(p->out, ",\"bp\":\"e\",\"id\":%llu}", (unsigned long long)p->flows);
	}
	*s = (struct conv_slot){ .key = key, .pid = e->pid, .tid = e->tid, .time_ns = rec->time_ns };
}

/* A record of no known size has no time stamp of its own (its time is its
 * chunk's): it shows at the time of the record before it. */
static void on_unknown(struct pf *p, const struct aa_record *rec)
{
	uint64_t t = rec->ev.type == AA_TYPE_UNKNOWN && p->last_ns ? p->last_ns : rec->time_ns;

	ev_open_s(p, "I", "unknown", rec->ev.error ? "invalid record" : "unknown record", 0, 0, t);
	fprintf(p->out, ",\"s\":\"g\",\"args\":{\"size\":%u,\"error\":", rec->ev.len);
	put_str(p->out, rec->ev.error ? aa_record_status_name(rec->ev.error) : "unknown size");
	fputs("}}", p->out);
}

/* Processes sorted by parent, then start: a parent's children are one run. */
struct node {
	uint32_t pid, ppid;
	uint64_t start;
	const struct aa_process *p;
	int done;
};

static int by_parent(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->ppid != y->ppid)
		return x->ppid < y->ppid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The first index of nodes[0..n) with ppid == pid, or n. */
static size_t children_at(const struct node *nodes, size_t n, uint32_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nodes[mid].ppid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A process track: its name (the comm; viewers add the pid), its place
 * among the others (depth first from the roots), and its parent. */
static void put_process_meta(struct pf *p, const struct aa_process *pr, const struct aa_process *parent,
			     uint64_t order)
{
	FILE *out = p->out;

	if (pr->comm[0]) { /* else the viewer's own "Process N" */
		fprintf(out, ",\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":",
			pr->pid, pr->pid);
		put_str(out, pr->comm);
		fprintf(out, "}},\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":",
			pr->pid, pr->pid);
		put_str(out, pr->comm);
		fputs("}}", out);
	}
	fprintf(out, ",\n{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%u,\"tid\":%u,"
		"\"args\":{\"sort_index\":%llu}}", pr->pid, pr->pid, (unsigned long long)order);
	fprintf(out, ",\n{\"ph\":\"M\",\"name\":\"process_labels\",\"pid\":%u,\"tid\":%u,\"args\":{\"labels\":",
		pr->pid, pr->pid);
	if (parent) {
		char text[48];

		snprintf(text, sizeof(text), "parent %s %u", parent->comm[0] ? parent->comm : "?", parent->pid);
		put_str(out, text);
	} else {
		char text[32];

		snprintf(text, sizeof(text), "parent %u", pr->ppid);
		put_str(out, text);
	}
	fputs("}}", out);
}

/* The node of pid in nodes (sorted by pid in byp[0..n)), or NULL. */
static const struct node *find_pid(struct node *const *byp, size_t n, uint32_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (byp[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && byp[lo]->pid == pid ? byp[lo] : NULL;
}

static int by_pid(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a, *y = *(struct node *const *)b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/*
 * The processes the table knows, depth first from those whose parent it
 * does not know, so that a child's track comes right under its parent's.
 * At most AA_PROC_MAX of them: bounded like the table. A reused pid is one
 * track (the format has no other key): its parent is that of one of them.
 */
static void put_processes(struct pf *p, const aa_source *src)
{
	const struct aa_process *pr = NULL;
	struct node *nodes, **byp;
	size_t n = 0, cap = 0, *stack, depth = 0;
	uint64_t order = 0;

	while ((pr = aa_process_next(src, pr)))
		cap++;
	if (!cap)
		return;
	nodes = calloc(cap, sizeof(*nodes));
	byp = calloc(cap, sizeof(*byp));
	stack = calloc(cap, sizeof(*stack));
	if (!nodes || !byp || !stack)
		goto out;
	while ((pr = aa_process_next(src, pr)) && n < cap)
		nodes[n++] = (struct node){ .pid = pr->pid, .ppid = pr->ppid, .start = pr->start_ns, .p = pr };
	qsort(nodes, n, sizeof(*nodes), by_parent);
	for (size_t i = 0; i < n; i++)
		byp[i] = &nodes[i];
	qsort(byp, n, sizeof(*byp), by_pid);
	/* twice: the roots first, then whatever a loop of reused pids left */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const struct node *parent = find_pid(byp, n, nodes[i].ppid);

			if (nodes[i].done || (pass == 0 && parent && parent != &nodes[i]))
				continue;
			nodes[i].done = 1;
			stack[depth++] = i;
			while (depth) {
				size_t at = stack[--depth];

				parent = find_pid(byp, n, nodes[at].ppid);
				put_process_meta(p, nodes[at].p, parent && parent != &nodes[at] ? parent->p : NULL,
						 order++);
				for (size_t c = children_at(nodes, n, nodes[at].pid);
				     c < n && nodes[c].ppid == nodes[at].pid; c++) {
					if (!nodes[c].done) {
						nodes[c].done = 1;
						stack[depth++] = c;
					}
				}
			}
		}
	}
out:
	free(stack);
	free(byp);
	free(nodes);
}

int export_perfetto(struct cli_input *in, FILE *out)
{
	struct pf *p = calloc(1, sizeof(*p));
	const struct aa_record *rec;
	char start[AA_TIME_BUF];
	int status = CLI_OK;

	if (!p) {
		cli_err("out of memory");
		return CLI_USAGE;
	}
	p->out = out;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
	while (cli_next(in, &rec, &status) == 1) {
		if (!p->have_base && rec->ev.type != AA_TYPE_UNKNOWN) {
			p->base_ns = rec->time_ns - rec->time_ns % 1000000000u;
			p->have_base = 1;
		}
		if (rec->ev.type != AA_TYPE_UNKNOWN)
			p->last_ns = rec->time_ns;
		if (rec->ev.error) {
			on_unknown(p, rec);
			continue;
		}
		switch (rec->ev.type) {
		case AA_TYPE_TLS: on_tls(p, rec); break;
		case AA_TYPE_FILE: on_file(p, rec); break;
		case AA_TYPE_EXEC: on_exec(p, rec); break;
		case AA_TYPE_EXIT: on_exit_rec(p, rec); break;
		case AA_TYPE_TASK: on_task(p, rec); break;
		case AA_TYPE_FILEOP: on_fileop(p, rec); break;
		case AA_TYPE_NET: on_net(p, rec); break;
		case AA_TYPE_STRING: /* completion records: shown in the record they complete */
		case AA_TYPE_TLS_CONN: break;
		case AA_TYPE_UNKNOWN: on_unknown(p, rec); break;
		}
		if (ferror(out))
			break;
	}
	end_runs(p);
	put_processes(p, in->src);
	fprintf(out, "\n],\"otherData\":{\"aa_start\":\"%s\",\"aa_start_ns\":%llu,\"tls_flows\":%llu}}\n",
		p->have_base ? aa_format_time(start, p->base_ns) : "", (unsigned long long)p->base_ns,
		(unsigned long long)p->flows);
	if (p->oom) {
		cli_err("out of memory: runs of programs are missing from the trace");
		status = cli_worse(status, CLI_USAGE);
	}
	free(p);
	return status;
}

/* SPDX-License-Identifier: MIT */
/* The process table (proctab.h). */
#include "proctab.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384 /* a power of two: AA_PROC_MAX processes, a chain of about one each */

struct proc {
	struct aa_process p;       /* first: handed out as a pointer to it */
	struct proc *prev_inc;     /* the pid's incarnation before this one */
	struct proc *next_inc;     /* and after it (NULL: the latest, in the hash) */
	struct proc *hnext;        /* hash chain of latest incarnations */
	struct proc *older, *newer; /* every incarnation, in the order they became known */
	struct proc *xnext;        /* exited ones, in the order they exited */
	uint8_t *exe_buf, *argv_buf;
	int exited;
};

struct aa_proctab {
	struct proc *bucket[BUCKETS];
	struct proc *first, *last;  /* the all-list */
	struct proc *xfirst, *xlast; /* the exited FIFO */
	size_t n, bytes;
	size_t max;                  /* incarnations kept at most */
	uint32_t origin;             /* of the record being fed: the pids' namespace */
	const char *host;            /* and its host */
	/* the latest incarnation found last (a run of records is mostly of
	 * one process): forgotten whenever the latest ones change */
	struct proc *hit;
};

struct aa_proctab *aa_proctab_new(uint32_t max)
{
	struct aa_proctab *t = calloc(1, sizeof(*t));

	if (t)
		t->max = max ? max : AA_PROC_MAX;
	return t;
}

static uint32_t slot(uint32_t origin, uint32_t pid)
{
	return (pid + origin * 2654435761u) % BUCKETS;
}

static struct proc *latest_of(const struct aa_proctab *t, uint32_t origin, uint32_t pid)
{
	for (struct proc *p = t->bucket[slot(origin, pid)]; p; p = p->hnext)
		if (p->p.pid == pid && p->p.origin == origin)
			return p;
	return NULL;
}

/* pid's latest incarnation, of the origin being fed */
static struct proc *latest(const struct aa_proctab *t, uint32_t pid)
{
	return latest_of(t, t->origin, pid);
}

static void hash_replace(struct aa_proctab *t, struct proc *old, struct proc *by)
{
	struct proc **pp = &t->bucket[slot(old->p.origin, old->p.pid)];

	t->hit = NULL;
	while (*pp != old)
		pp = &(*pp)->hnext;
	if (by) {
		by->hnext = old->hnext;
		*pp = by;
	} else {
		*pp = old->hnext;
	}
}

static void proc_free(struct aa_proctab *t, struct proc *p)
{
	t->bytes -= sizeof(*p) + p->p.exe.len + p->p.argv.len;
	t->n--;
	free(p->exe_buf);
	free(p->argv_buf);
	free(p);
}

/* Forgets the incarnation that exited first; 0 when none has exited. */
static int evict(struct aa_proctab *t)
{
	struct proc *p = t->xfirst;

	if (!p)
		return 0;
	if (!(t->xfirst = p->xnext))
		t->xlast = NULL;
	if (p->next_inc)
		p->next_inc->prev_inc = p->prev_inc;
	else
		hash_replace(t, p, p->prev_inc);
	if (p->prev_inc)
		p->prev_inc->next_inc = p->next_inc;
	if (p->older)
		p->older->newer = p->newer;
	else
		t->first = p->newer;
	if (p->newer)
		p->newer->older = p->older;
	else
		t->last = p->older;
	proc_free(t, p);
	return 1;
}

static int room(struct aa_proctab *t, size_t more)
{
	while (t->n >= t->max || t->bytes + more > AA_PROC_MAX_BYTES)
		if (!evict(t))
			return 0;
	return 1;
}

/* A new incarnation of pid, the latest; NULL when there is no room. */
static struct proc *incarnate(struct aa_proctab *t, uint32_t pid, uint64_t wall_ns)
{
	struct proc *p;

	if (!room(t, sizeof(*p)) || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->p.pid = pid;
	p->p.origin = t->origin;
	p->p.host = t->host;
	p->p.start_ns = wall_ns;
	struct proc *old = latest(t, pid);
	if (old) {
		hash_replace(t, old, p);
		old->next_inc = p;
		p->prev_inc = old;
	} else {
		p->hnext = t->bucket[slot(t->origin, pid)];
		t->bucket[slot(t->origin, pid)] = p;
		t->hit = NULL;
	}
	p->older = t->last;
	if (t->last)
		t->last->newer = p;
	else
		t->first = p;
	t->last = p;
	t->n++;
	t->bytes += sizeof(*p);
	return p;
}

/* The pid's running incarnation, or a new one. */
static struct proc *running(struct aa_proctab *t, uint32_t pid, uint64_t wall_ns)
{
	struct proc *p = latest(t, pid);

	return p && !p->exited ? p : incarnate(t, pid, wall_ns);
}

static void set_string(struct aa_proctab *t, struct aa_string *s, uint8_t **buf, const uint8_t *data,
		       uint32_t len, uint32_t orig_len, int truncated)
{
	uint8_t *b = malloc(len ? len : 1);

	if (!b)
		return; /* the old value stays */
	memcpy(b, data, len);
	t->bytes += len;
	t->bytes -= s->len;
	free(*buf);
	*buf = b;
	*s = (struct aa_string){ .data = b, .len = len, .orig_len = orig_len, .truncated = truncated };
}

static void set_joined(struct aa_proctab *t, struct aa_string *s, uint8_t **buf, const struct aa_string *j)
{
	set_string(t, s, buf, j->data, j->len, j->orig_len, j->truncated);
}

int aa_container_id(const char *cgroup, char id[65])
{
	const char *s = cgroup;

	id[0] = 0;
	while (*s) {
		size_t n = strspn(s, "0123456789abcdefABCDEF");
		if (n == 64 && (s == cgroup || s[-1] == '-') && (s[n] == 0 || s[n] == '.')) {
			memcpy(id, s, 64);
			id[64] = 0;
			return 1;
		}
		s += n ? n : 1;
	}
	return 0;
}

static void copy_cstr(char *dst, size_t size, const uint8_t *src, size_t max)
{
	size_t n = strnlen((const char *)src, max);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void from_task(struct proc *p, const struct aa_task_event *e, uint64_t off)
{
	p->p.ppid = e->ppid;
	p->p.uid = e->uid;
	p->p.gid = e->gid;
	p->p.ns_pid = e->ns_pid;
	p->p.pidns_ino = e->pidns_ino;
	p->p.cgroup_id = e->cgroup_id;
	if (e->start_ns)
		p->p.start_ns = e->start_ns + off;
	copy_cstr(p->p.comm, sizeof(p->p.comm), e->comm, sizeof(e->comm));
	copy_cstr(p->p.cgroup, sizeof(p->p.cgroup), e->cgroup, sizeof(e->cgroup));
	aa_container_id(p->p.cgroup, p->p.container_id);
}

static void ended(struct aa_proctab *t, struct proc *p, uint64_t wall_ns)
{
	if (p->exited)
		return;
	p->exited = 1;
	p->p.how |= AA_PROC_EXIT;
	p->p.end_ns = wall_ns;
	if (t->xlast)
		t->xlast->xnext = p;
	else
		t->xfirst = p;
	t->xlast = p;
}

static struct proc *feed_task(struct aa_proctab *t, const struct aa_task_event *e, uint64_t wall,
			      uint64_t off, const struct aa_joins *j)
{
	struct proc *p = latest(t, e->pid), *parent;

	switch ((enum aa_task_kind)e->kind) {
	case AA_TASK_SNAPSHOT:
	case AA_TASK_FORK:
		/* a new process, even if the end of the pid's last one was lost */
		if (!(p = incarnate(t, e->pid, wall)))
			return NULL;
		from_task(p, e, off);
		if (e->kind == AA_TASK_FORK) {
			p->p.how |= AA_PROC_FORK;
			/* a child runs its parent's program until it execs */
			if ((parent = latest(t, e->ppid)) && !parent->exited) {
				if (parent->p.exe.data)
					set_joined(t, &p->p.exe, &p->exe_buf, &parent->p.exe);
				if (parent->p.argv.data)
					set_joined(t, &p->p.argv, &p->argv_buf, &parent->p.argv);
				p->p.argv_joined = parent->p.argv_joined;
			}
		} else {
			p->p.how |= AA_PROC_SNAPSHOT;
			if (j && j->str[AA_STRING_ARGV].data)
				set_joined(t, &p->p.argv, &p->argv_buf, &j->str[AA_STRING_ARGV]);
			if (j && j->str[AA_STRING_EXE].data)
				set_joined(t, &p->p.exe, &p->exe_buf, &j->str[AA_STRING_EXE]);
		}
		return p;
	case AA_TASK_EXEC:
	case AA_TASK_EXEC_FAILED:
		if (!(p = running(t, e->pid, wall)))
			return NULL;
		from_task(p, e, off);
		return p;
	case AA_TASK_EXIT:
		if (!(p = running(t, e->pid, wall)))
			return NULL;
		from_task(p, e, off);
		p->p.exit_code = (e->exit_status >> 8) & 0xff;
		p->p.signal = e->exit_status & 0x7f;
		p->p.core_dumped = (e->exit_status & 0x80) != 0;
		ended(t, p, wall);
		return p;
	case AA_TASK_KIND_COUNT:
		break;
	}
	return p; /* an invalid kind is not given here (the parser flags it) */
}

static struct proc *feed_exec(struct aa_proctab *t, const struct aa_exec_event *e, uint64_t wall,
			      const struct aa_joins *j)
{
	struct proc *p = running(t, e->pid, wall);

	if (!p)
		return NULL;
	p->p.ppid = e->ppid;
	p->p.uid = e->uid;
	p->p.how |= AA_PROC_EXEC;
	p->p.execs++;
	if (j && j->str[AA_STRING_FILENAME].data)
		set_joined(t, &p->p.exe, &p->exe_buf, &j->str[AA_STRING_FILENAME]);
	else
		set_string(t, &p->p.exe, &p->exe_buf, e->filename,
			   (uint32_t)strnlen((const char *)e->filename, sizeof(e->filename)), 0xffffffffu, 0);
	if (j && j->str[AA_STRING_ARGV].data) {
		set_joined(t, &p->p.argv, &p->argv_buf, &j->str[AA_STRING_ARGV]);
		p->p.argv_joined = 0;
	} else {
		set_string(t, &p->p.argv, &p->argv_buf, e->args,
			   (uint32_t)strnlen((const char *)e->args, sizeof(e->args)), 0xffffffffu, 0);
		p->p.argv_joined = 1;
	}
	if (!(j && j->task)) {
		/* format 1: the kernel names the process after its file */
		const uint8_t *name = e->filename, *slash;
		size_t n = strnlen((const char *)name, sizeof(e->filename));
		if ((slash = memrchr(name, '/', n))) {
			n -= (size_t)(slash + 1 - name);
			name = slash + 1;
		}
		copy_cstr(p->p.comm, sizeof(p->p.comm), name, n);
	}
	return p;
}

const struct aa_process *aa_proctab_feed(struct aa_proctab *t, const struct aa_record *rec,
					 uint32_t pid, const struct aa_joins *j)
{
	const struct aa_event *ev = &rec->ev;
	uint64_t wall = rec->time_ns, off = rec->time_ns - ev->mono_ns;
	struct proc *p = NULL;

	t->origin = rec->origin;
	t->host = rec->host;
	if (ev->error)
		return ev->type != AA_TYPE_UNKNOWN ? (const struct aa_process *)latest(t, pid) : NULL;
	switch (ev->type) {
	case AA_TYPE_TASK:
		p = feed_task(t, ev->task, wall, off, j);
		break;
	case AA_TYPE_EXEC:
		p = feed_exec(t, ev->exec, wall, j);
		break;
	case AA_TYPE_EXIT:
		if ((p = latest(t, ev->exit->pid)) && p->exited && j && j->task)
			break; /* its task record told it all */
		if (!(p = running(t, ev->exit->pid, wall)))
			break;
		p->p.exit_code = ev->exit->exit_code;
		ended(t, p, wall);
		break;
	case AA_TYPE_TLS:
	case AA_TYPE_FILE:
	case AA_TYPE_STRING:
	case AA_TYPE_TLS_CONN:
	case AA_TYPE_FILEOP:
	case AA_TYPE_NET:
		if ((p = t->hit) && p->p.pid == pid && p->p.origin == t->origin)
			break;
		if ((p = latest(t, pid)))
			t->hit = p;
		break;
	case AA_TYPE_UNKNOWN:
		break;
	}
	return p ? &p->p : NULL;
}

const struct aa_process *aa_proctab_at(const struct aa_proctab *t, uint32_t origin, uint32_t pid,
				       uint64_t wall_ns)
{
	const struct proc *before = NULL;

	for (const struct proc *p = latest_of(t, origin, pid); p; p = p->prev_inc) {
		if (p->p.start_ns > wall_ns)
			continue;
		if (!p->exited || p->p.end_ns >= wall_ns)
			return &p->p;
		if (!before)
			before = p;
	}
	return before ? &before->p : NULL;
}

const struct aa_process *aa_proctab_next(const struct aa_proctab *t, const struct aa_process *prev)
{
	const struct proc *p = prev ? ((const struct proc *)prev)->newer : t->first;

	return p ? &p->p : NULL;
}

void aa_proctab_free(struct aa_proctab *t)
{
	if (!t)
		return;
	for (struct proc *p = t->first, *next; p; p = next) {
		next = p->newer;
		free(p->exe_buf);
		free(p->argv_buf);
		free(p);
	}
	free(t);
}

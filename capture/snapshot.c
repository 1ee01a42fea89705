/* SPDX-License-Identifier: MIT */
/* The processes running when a live capture starts, from /proc (snapshot.h). */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "live_follow.h"
#include "parse.h"

#define LEN_MAX 0xfffffffeu     /* the longest orig_len told, as the BPF programs' */
#define LEN_UNKNOWN 0xffffffffu /* orig_len of a string whose length is not known */
#define NSEC 1000000000ull

/* What the whole snapshot shares, and one process's strings being read. */
struct scan {
	const struct snapshot_opts *o;
	struct snapshot *s;
	int tasks, strings;     /* which record types are made */
	uint32_t *followed;     /* --pid: the processes followed now */
	size_t nfollowed;
	const char *cgroot;     /* where cgroup v2 is mounted; NULL: nowhere known */
	uint64_t boot_ahead_ns; /* CLOCK_BOOTTIME - CLOCK_MONOTONIC: time spent suspended */
	long hz;                /* clock ticks per second, /proc/PID/stat's unit */
	uint8_t *argv;          /* o->argv_max bytes */
	uint32_t argv_len, argv_orig;
	char exe[PATH_MAX];
	ssize_t exe_len;        /* -1: none */
};

/* The file name under the process directory dfd, read whole into buf
 * (NUL-terminated, at most size - 1 bytes). Its length, or -1. */
static ssize_t read_at(int dfd, const char *name, char *buf, size_t size)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < size - 1 && ((n = read(fd, buf + got, size - 1 - got)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(fd);
	buf[got] = 0;
	return got ? (ssize_t)got : -1;
}

/* The monotonic time of a start time in clock ticks since boot. Boot time
 * runs ahead of monotonic time by the time suspended since boot: a process
 * started before a suspend comes out that much too early (at least 0). */
static uint64_t ticks_to_mono(const struct scan *sc, unsigned long long ticks)
{
	uint64_t hz = (uint64_t)sc->hz;
	uint64_t boot_ns = ticks / hz * NSEC + ticks % hz * NSEC / hz;

	return boot_ns > sc->boot_ahead_ns ? boot_ns - sc->boot_ahead_ns : 0;
}

/*
 * comm, ppid and start time from /proc/PID/stat, and the state letter.
 * The comm may hold spaces and parentheses: it runs from the first '(' to
 * the last ')'. The state, or 0 when the process is gone.
 */
static char read_stat(const struct scan *sc, int dfd, struct aa_task_event *t)
{
	char buf[1024], *p, *save = NULL, state = 0;
	char *open_paren = read_at(dfd, "stat", buf, sizeof(buf)) > 0 ? strchr(buf, '(') : NULL;
	char *close_paren = open_paren ? strrchr(open_paren, ')') : NULL;
	size_t len;

	if (!close_paren)
		return 0;
	len = (size_t)(close_paren - open_paren - 1);
	if (len > sizeof(t->comm) - 1)
		len = sizeof(t->comm) - 1;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, open_paren + 1, len);
	/* The fields after the comm, numbered as proc(5) does from 3 (state). */
	p = strtok_r(close_paren + 1, " ", &save);
	for (int field = 3; p; p = strtok_r(NULL, " ", &save), field++) {
		if (field == 3)
			state = *p;
		else if (field == 4)
			t->ppid = (uint32_t)strtoul(p, NULL, 10);
		else if (field == 22) {
			t->start_ns = ticks_to_mono(sc, strtoull(p, NULL, 10));
			break;
		}
	}
	return state;
}

/* The last number on a /proc/PID/status line after its "Name:". */
static uint32_t last_number(const char *line)
{
	const char *end = strchr(line, '\n'), *p;
	unsigned long v = 0;

	if (!end)
		end = line + strlen(line);
	for (p = line; p < end; p++)
		if (*p >= '0' && *p <= '9' && (p == line || p[-1] < '0' || p[-1] > '9'))
			v = strtoul(p, NULL, 10);
	return (uint32_t)v;
}

/* Real uid and gid, and the pid in the process's own pid namespace (the
 * last of NSpid's, which go from ours inwards). */
static void read_status(int dfd, struct aa_task_event *t)
{
	char buf[8192];

	if (read_at(dfd, "status", buf, sizeof(buf)) < 0)
		return;
	for (char *line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, "Uid:", 4) == 0)
			t->uid = (uint32_t)strtoul(line + 4, NULL, 10); /* real, effective, saved, fs */
		else if (strncmp(line, "Gid:", 4) == 0)
			t->gid = (uint32_t)strtoul(line + 4, NULL, 10);
		else if (strncmp(line, "NSpid:", 6) == 0)
			t->ns_pid = last_number(line + 6);
	}
}

/* The cgroup v2 path from /proc/PID/cgroup's "0::" line: its last component
 * (empty for the root), and the inode number of its directory, its id. */
static void read_cgroup(const struct scan *sc, int dfd, struct aa_task_event *t)
{
	char buf[PATH_MAX + 64], dir[PATH_MAX + 64], *path, *end, *name;
	struct stat st;
	size_t len;

	if (read_at(dfd, "cgroup", buf, sizeof(buf)) < 0)
		return;
	path = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!path)
		return; /* cgroup v1 only */
	path += path == buf ? 3 : 4;
	if ((end = strchr(path, '\n')))
		*end = 0;
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	len = strlen(name);
	if (len > sizeof(t->cgroup) - 1)
		len = sizeof(t->cgroup) - 1;
	memcpy(t->cgroup, name, len);
	if (sc->cgroot && snprintf(dir, sizeof(dir), "%s%s", sc->cgroot, path) < (int)sizeof(dir) &&
	    stat(dir, &st) == 0)
		t->cgroup_id = st.st_ino;
}

/* argv from /proc/PID/cmdline, every item with its NUL: the first
 * o->argv_max bytes, and the whole length. */
static void read_argv(struct scan *sc, int dfd)
{
	int fd = openat(dfd, "cmdline", O_RDONLY | O_CLOEXEC);
	uint64_t whole = 0;
	uint8_t rest[4096];
	ssize_t n;

	sc->argv_len = 0;
	sc->argv_orig = 0;
	if (fd < 0)
		return;
	for (;;) {
		int keep = sc->argv_len < sc->o->argv_max;
		uint8_t *to = keep ? sc->argv + sc->argv_len : rest;
		size_t room = keep ? sc->o->argv_max - sc->argv_len : sizeof(rest);

		n = read(fd, to, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keep)
			sc->argv_len += (uint32_t)n;
		whole += (uint64_t)n;
	}
	close(fd);
	sc->argv_orig = whole > LEN_MAX ? LEN_MAX : (uint32_t)whole;
}

static struct snapshot_record *new_record(struct snapshot *s, uint32_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct snapshot_record *grown = realloc(s->recs, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		s->recs = grown;
		s->cap = cap;
	}
	struct snapshot_record *r = &s->recs[s->n++];
	memset(r, 0, sizeof(*r));
	r->len = len;
	return r;
}

/* A string as the BPF programs cut it: pieces of AA_STRING_PIECE_MAX bytes,
 * an empty string one piece. 0, or -1 when out of memory. */
static int add_string(struct snapshot *s, const struct aa_task_event *t, uint8_t kind,
		      const void *data, uint32_t len, uint32_t orig_len)
{
	uint32_t pieces = len ? (len + AA_STRING_PIECE_MAX - 1) / AA_STRING_PIECE_MAX : 1;

	for (uint32_t seq = 0; seq < pieces; seq++) {
		struct snapshot_record *r = new_record(s, sizeof(struct aa_string_event));
		uint32_t off = seq * AA_STRING_PIECE_MAX;

		if (!r)
			return -1;
		r->u.string.timestamp_ns = t->timestamp_ns;
		r->u.string.pid = t->pid;
		r->u.string.tid = t->tid;
		r->u.string.total_len = len;
		r->u.string.orig_len = orig_len;
		r->u.string.seq = seq;
		r->u.string.kind = kind;
		r->u.string.flags = orig_len > len ? AA_STRING_TRUNCATED : 0;
		if (len)
			memcpy(r->u.string.data, (const uint8_t *)data + off,
			       len - off < AA_STRING_PIECE_MAX ? len - off : AA_STRING_PIECE_MAX);
	}
	return 0;
}

/* One process's records: argv, exe, then the task. 0, or -1 when out of
 * memory (none of them kept). */
static int add_process(struct scan *sc, const struct aa_task_event *t)
{
	struct snapshot *s = sc->s;
	size_t start = s->n;
	struct snapshot_record *r;

	if (sc->strings) {
		uint32_t exe_len = sc->exe_len > 0 ? (uint32_t)sc->exe_len : 0;
		/* readlink filled the buffer: the path may go on */
		uint32_t exe_orig = exe_len == sizeof(sc->exe) ? LEN_UNKNOWN : exe_len;

		if (add_string(s, t, AA_STRING_ARGV, sc->argv, sc->argv_len, sc->argv_orig) ||
		    (sc->exe_len >= 0 && add_string(s, t, AA_STRING_EXE, sc->exe, exe_len, exe_orig)))
			goto fail;
	}
	if (sc->tasks) {
		if (!(r = new_record(s, sizeof(struct aa_task_event))))
			goto fail;
		r->u.task = *t;
		s->processes++;
	}
	return 0;
fail:
	s->n = start;
	return -1;
}

static int followed(const struct scan *sc, uint32_t pid)
{
	if (!sc->o->npids)
		return 1;
	for (size_t i = 0; i < sc->nfollowed; i++)
		if (sc->followed[i] == pid)
			return 1;
	return 0;
}

/*
 * Reads the process of directory dfd. 0 when done or left out (gone, or
 * not selected by --comm), -1 when out of memory.
 */
static int snap_process(struct scan *sc, int dfd, uint32_t pid)
{
	struct aa_task_event t = { .pid = pid, .tid = pid, .kind = AA_TASK_SNAPSHOT };
	struct aa_task_event again = { 0 };
	struct stat st;

	t.timestamp_ns = aa_clock_ns(CLOCK_MONOTONIC);
	if (!read_stat(sc, dfd, &t))
		return 0;
	if (sc->o->comm && strncmp((const char *)t.comm, sc->o->comm, sizeof(t.comm)) != 0)
		return 0;
	read_status(dfd, &t);
	read_cgroup(sc, dfd, &t);
	if (fstatat(dfd, "ns/pid", &st, 0) == 0)
		t.pidns_ino = (uint32_t)st.st_ino;
	if (sc->strings) {
		read_argv(sc, dfd);
		/* none for a kernel thread (nor a process that has just ended) */
		sc->exe_len = readlinkat(dfd, "exe", sc->exe, sizeof(sc->exe));
	}
	/* Ended meanwhile (a zombie's argv and exe are gone): left out, as if
	 * it had ended before the snapshot; its exit came before it too. */
	char state = read_stat(sc, dfd, &again);
	if (!state || state == 'Z' || state == 'X')
		return 0;
	return add_process(sc, &t);
}

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or its unified part beside v1. */
static const char *cgroup2_root(void)
{
	static const char *const places[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs fs;

	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (statfs(places[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
			return places[i];
	return NULL;
}

/* CLOCK_BOOTTIME - CLOCK_MONOTONIC, read between two monotonic readings,
 * to the millisecond: the difference only grows by whole suspends, and the
 * readings' own spread (well under a millisecond) must not show as one. */
static uint64_t boot_ahead_ns(void)
{
	uint64_t m1 = aa_clock_ns(CLOCK_MONOTONIC);
	uint64_t b = aa_clock_ns(CLOCK_BOOTTIME);
	uint64_t m2 = aa_clock_ns(CLOCK_MONOTONIC);
	uint64_t m = m1 + (m2 - m1) / 2;

	return b > m ? (b - m + 500000) / 1000000 * 1000000 : 0;
}

static int scan_proc(struct scan *sc)
{
	DIR *proc = opendir("/proc");
	uint32_t self = (uint32_t)getpid();
	struct dirent *d;
	int r = 0;

	if (!proc)
		return 0;
	while (r == 0 && (d = readdir(proc))) {
		uint32_t pid;
		int dfd;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		pid = (uint32_t)strtoul(d->d_name, NULL, 10);
		if (pid == self || !followed(sc, pid))
			continue;
		/* Every file through the directory: a pid reused meanwhile is
		 * another directory, and the old one's files fail. */
		dfd = openat(dirfd(proc), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		r = snap_process(sc, dfd, pid);
		close(dfd);
	}
	closedir(proc);
	return r;
}

int snapshot_take(struct snapshot *s, const struct snapshot_opts *o)
{
	struct scan sc = {
		.o = o,
		.s = s,
		.tasks = !o->events || (o->events & AA_TYPE_BIT(AA_TYPE_TASK)),
		.strings = !o->events || (o->events & AA_TYPE_BIT(AA_TYPE_STRING)),
		.cgroot = cgroup2_root(),
		.boot_ahead_ns = boot_ahead_ns(),
		.hz = sysconf(_SC_CLK_TCK),
	};
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (!sc.tasks && !sc.strings)
		return 0;
	if (sc.hz <= 0)
		sc.hz = 100;
	if (o->npids && !(sc.followed = aa_follow_closure(o->pids, o->npids, &sc.nfollowed)))
		return -1;
	if ((sc.argv = malloc(o->argv_max ? o->argv_max : 1)))
		r = scan_proc(&sc);
	free(sc.argv);
	free(sc.followed);
	return r;
}

void snapshot_free(struct snapshot *s)
{
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

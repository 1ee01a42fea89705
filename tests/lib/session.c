/* SPDX-License-Identifier: MIT */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "events.h"

static const char *const dirs[] = {
	"/home/agent/work/repo/src", "/home/agent/work/repo/tests", "/home/agent/work/repo",
	"/usr/lib/x86_64-linux-gnu", "/usr/lib/python3.11", "/usr/share/zoneinfo/Europe",
	"/proc/self", "/tmp", "/etc", "/home/agent/.cache/pip/http", "/var/log/apt",
	"/home/agent/work/repo/node_modules/.bin", "/sys/fs/cgroup",
};
static const char *const names[] = {
	"main.c", "parser.rs", "index.ts", "README.md", "libc.so.6", "libssl.so.3",
	"config.json", "package.json", "status", "passwd", "resolv.conf", "Cargo.lock",
	"test_api.py", "__init__.py", "Makefile", "history.log", "cpu.max", "Berlin",
	"ld.so.cache", "settings.toml", "server.js", "output.txt", "notes.md",
};
static const struct {
	const char *file, *args;
} programs[] = {
	{"/usr/bin/git", "git status --porcelain"},
	{"/usr/bin/git", "git diff --stat HEAD~1"},
	{"/usr/bin/python3", "python3 -m pytest -q tests/test_api.py"},
	{"/usr/bin/bash", "bash -c make -j2 all"},
	{"/usr/bin/ls", "ls -la /home/agent/work/repo"},
	{"/usr/bin/cat", "cat README.md"},
	{"/usr/bin/grep", "grep -rn TODO src --include=*.c"},
	{"/usr/bin/node", "node dist/server.js --port 8080"},
	{"/home/agent/.cargo/bin/cargo", "cargo build --release --quiet"},
	{"/usr/bin/curl", "curl -s -H Accept:application/json https://api.example.com/v1/models"},
	{"/usr/bin/sed", "sed -n 1,40p src/main.c"},
	{"/usr/bin/find", "find . -name *.py -newer setup.cfg"},
};
static const char *const words[] = {
	"the", "model", "content", "role", "user", "assistant", "tool_use", "input",
	"text", "function", "return", "value", "error", "file", "path", "read",
	"write", "result", "stream", "token", "message", "id", "type", "data",
	"status", "ok", "true", "false", "null", "request", "response", "header",
	"please", "fix", "the", "failing", "test", "in", "src/main.c", "line",
	"42", "1024", "usage", "stop_reason", "end_turn", "cache", "session",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void aat_session_init(struct aat_session *s, uint64_t seed, uint64_t start_ns)
{
	memset(s, 0, sizeof(*s));
	aat_rng_seed(&s->rng, seed);
	s->ts = start_ns;
	s->next_pid = 4000;
	for (int i = 0; i < AAT_SESSION_PIDS; i++)
		s->pids[i] = s->next_pid++;
}

static uint32_t any_pid(struct aat_session *s)
{
	return s->pids[aat_below(&s->rng, AAT_SESSION_PIDS)];
}

/* Text like an HTTP exchange with a JSON body, n bytes of it. */
static void text(struct aat_session *s, uint8_t *out, size_t n, int first)
{
	size_t at = 0;
	if (first) {
		at = (size_t)snprintf((char *)out, n + 1 > 200 ? 200 : n + 1,
				      s->tls_dir == AA_TLS_WRITE ?
				      "POST /v1/messages HTTP/1.1\r\nHost: api.example.com\r\n"
				      "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n{\"model\":\"" :
				      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				      "Content-Length: %u\r\n\r\n{\"id\":\"msg_",
				      s->tls_len);
		if (at > n)
			at = n;
	}
	while (at < n) {
		uint32_t k = aat_below(&s->rng, 16);
		const char *w = words[aat_below(&s->rng, N(words))];
		const char *sep = k == 0 ? "\":\"" : k == 1 ? "\",\"" : k == 2 ? ". " : " ";
		for (const char *p = w; *p && at < n; p++)
			out[at++] = (uint8_t)*p;
		for (const char *p = sep; *p && at < n; p++)
			out[at++] = (uint8_t)*p;
	}
}

static size_t tls_piece(struct aat_session *s, uint8_t *buf)
{
	struct aa_tls_event *e = (struct aa_tls_event *)buf;
	memset(e, 0, sizeof(*e));
	e->timestamp_ns = s->ts;
	e->pid = s->tls_pid;
	e->tid = s->tls_tid;
	e->data_len = s->tls_len;
	e->seq = s->tls_seq;
	e->direction = s->tls_dir;
	text(s, e->payload, aa_tls_piece_len(e), s->tls_seq == 0);
	if (++s->tls_seq == s->tls_pieces)
		s->tls_pieces = 0;
	return sizeof(*e);
}

static size_t tls_call(struct aat_session *s, uint8_t *buf)
{
	uint32_t k = aat_below(&s->rng, 10);
	s->tls_len = (uint32_t)(k < 6 ? aat_between(&s->rng, 80, 2000) :
				k < 9 ? aat_between(&s->rng, 2000, 8000) :
					aat_between(&s->rng, 8000, 16384));
	s->tls_pid = any_pid(s);
	s->tls_tid = s->tls_pid + aat_below(&s->rng, 3);
	s->tls_dir = (uint8_t)aat_below(&s->rng, 2);
	s->tls_seq = 0;
	s->tls_pieces = (s->tls_len + AA_TLS_PAYLOAD_MAX - 1) / AA_TLS_PAYLOAD_MAX;
	return tls_piece(s, buf);
}

static size_t file_io(struct aat_session *s, uint8_t *buf)
{
	struct aa_file_event *e = (struct aa_file_event *)buf;
	memset(e, 0, sizeof(*e));
	e->pid = any_pid(s);
	e->tid = e->pid + aat_below(&s->rng, 2);
	e->timestamp_ns = s->ts;
	uint32_t k = aat_below(&s->rng, 100);
	e->syscall = k < 45 ? AA_SYS_READ : k < 70 ? AA_SYS_WRITE : k < 95 ? AA_SYS_OPENAT :
		     k < 98 ? AA_SYS_UNLINK : AA_SYS_RENAME;
	switch (e->syscall) {
	case AA_SYS_OPENAT:
		e->flags = aat_below(&s->rng, 3) ? 0x80000 /* O_RDONLY|O_CLOEXEC */ :
						   0x80241 /* O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC */;
		e->return_code = aat_below(&s->rng, 10) ? (int64_t)aat_between(&s->rng, 3, 40) : -2;
		e->duration_ns = aat_between(&s->rng, 1500, 30000);
		break;
	case AA_SYS_READ:
	case AA_SYS_WRITE:
		e->return_code = aat_below(&s->rng, 4) ? (int64_t)aat_between(&s->rng, 0, 4096) :
							  (int64_t)aat_between(&s->rng, 4096, 131072);
		e->duration_ns = aat_between(&s->rng, 300, 20000);
		break;
	default:
		e->return_code = aat_below(&s->rng, 5) ? 0 : -2;
		e->duration_ns = aat_between(&s->rng, 2000, 40000);
		break;
	}
	const char *dir = dirs[aat_below(&s->rng, N(dirs))];
	const char *name = names[aat_below(&s->rng, N(names))];
	if (aat_below(&s->rng, 8) == 0)
		snprintf((char *)e->path, sizeof(e->path), "%s/tmp%06x.%s", dir,
			 aat_below(&s->rng, 1u << 24), name);
	else
		snprintf((char *)e->path, sizeof(e->path), "%s/%s", dir, name);
	return sizeof(*e);
}

static size_t exec_new(struct aat_session *s, uint8_t *buf)
{
	struct aa_exec_event *e = (struct aa_exec_event *)buf;
	memset(e, 0, sizeof(*e));
	uint32_t slot = aat_below(&s->rng, AAT_SESSION_PIDS);
	e->timestamp_ns = s->ts;
	e->ppid = any_pid(s);
	e->pid = s->pids[slot] = s->next_pid++;
	e->uid = aat_below(&s->rng, 10) ? 1000 : 0;
	uint32_t p = aat_below(&s->rng, N(programs));
	snprintf((char *)e->filename, sizeof(e->filename), "%s", programs[p].file);
	snprintf((char *)e->args, sizeof(e->args), "%s", programs[p].args);
	return sizeof(*e);
}

static size_t exit_one(struct aat_session *s, uint8_t *buf)
{
	struct aa_exit_event *e = (struct aa_exit_event *)buf;
	memset(e, 0, sizeof(*e));
	static const int32_t codes[] = {0, 0, 0, 0, 0, 0, 1, 2, 130, 137};
	e->timestamp_ns = s->ts;
	e->pid = any_pid(s);
	e->exit_code = codes[aat_below(&s->rng, N(codes))];
	return sizeof(*e);
}

size_t aat_session_next(struct aat_session *s, uint8_t *buf)
{
	s->ts += aat_between(&s->rng, 200, 40000);
	if (s->tls_pieces)
		return tls_piece(s, buf);
	uint32_t k = aat_below(&s->rng, 1000);
	if (k < 880)
		return file_io(s, buf);
	if (k < 920)
		return exec_new(s, buf);
	if (k < 960)
		return exit_one(s, buf);
	return tls_call(s, buf);
}

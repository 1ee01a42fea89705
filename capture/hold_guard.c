/* SPDX-License-Identifier: MIT */
/* The guardian of the programs stopped while capturing (hold_guard.h). */
#include "hold_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "clock.h"

/* As TLS_HELD's max_entries in bpf/tls_hold.bpf.h. */
#define HELD_MAX 4096

uint64_t aa_hold_max_ns(void)
{
	const char *s = getenv("AA_TLS_HOLD_MAX_MS");
	char *end;
	unsigned long ms = s ? strtoul(s, &end, 10) : 0;

	if (!s || end == s || *end || !ms || ms > 3600000)
		ms = 2000;
	return ms * 1000000ull;
}

/* Continues every program held since before `before` (ns, CLOCK_MONOTONIC;
 * UINT64_MAX: all) and takes it out of the map. SIGCONT first: dying
 * between the two leaves an entry, not a stopped program. A pid that
 * exited meanwhile gets ESRCH; one reused by a running program is not
 * stopped, and SIGCONT does nothing to a program that is not stopped. */
static void release(int held_fd, uint64_t before)
{
	uint32_t keys[HELD_MAX], key, *prev = NULL;
	size_t n = 0;

	/* Keys first: deleting while walking a hash restarts the walk. */
	while (n < HELD_MAX && !bpf_map_get_next_key(held_fd, prev, &key)) {
		keys[n] = key;
		prev = &keys[n++];
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t at;

		if (bpf_map_lookup_elem(held_fd, &keys[i], &at) || at >= before)
			continue;
		kill((pid_t)keys[i], SIGCONT);
		bpf_map_delete_elem(held_fd, &keys[i]);
	}
}

static void on_parent_death(int sig)
{
	(void)sig; /* only wakes poll() */
}

/* Closes every descriptor but 2 and the two kept; stdin and stdout become
 * /dev/null (a reader of aa-capture's output must see its end). */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	if (lo > 3)
		syscall(SYS_close_range, 3u, (unsigned)lo - 1, 0u);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0u);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0u, 0u);
}

/* The guardian's twin, its child: if the guardian is killed (a SIGKILL
 * cannot be ignored) while aa-capture lives, a program held then would stay
 * stopped once aa-capture died too. The twin is told of the guardian's
 * death (PR_SET_PDEATHSIG) and turns the stops off (the following goes on:
 * tls_hold_on 1, bpf/tls_hold.bpf.h) or, aa-capture gone too (its pipe
 * closed), all of it; then continues every program held and ends. On
 * aa-capture's end it ends as the guardian does. */
static void __attribute__((noreturn)) twin(int rd, int held_fd, volatile uint32_t *hold_on, pid_t guardian)
{
	struct timespec settle = { .tv_nsec = 20 * 1000000L };
	int capture_gone = 0;

	prctl(PR_SET_NAME, "aa-hold-twin", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
	while (getppid() == guardian) {
		struct pollfd p = { .fd = rd, .events = POLLIN };

		if (poll(&p, 1, 250) > 0) {
			capture_gone = 1;
			break;
		}
	}
	if (!capture_gone) { /* the guardian died: is aa-capture gone as well? */
		struct pollfd p = { .fd = rd, .events = POLLIN };

		capture_gone = poll(&p, 1, 0) > 0;
	}
	*hold_on = capture_gone ? 0 : (*hold_on ? 1 : 0);
	release(held_fd, UINT64_MAX);
	nanosleep(&settle, NULL);
	release(held_fd, UINT64_MAX);
	_exit(0);
}

/* The child: only system calls from here (forked from a program that may
 * have threads). */
static void __attribute__((noreturn))
guard(int rd, int held_fd, volatile uint32_t *hold_on, uint64_t max_ns, pid_t parent)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa = { .sa_handler = on_parent_death }; /* no SA_RESTART */
	struct timespec settle = { .tv_nsec = 20 * 1000000L };
	int tick_ms = (int)(max_ns / 4000000u);
	pid_t self, twin_pid;
	sigset_t none;

	close_others(rd, held_fd);
	/* Out of aa-capture's process group and session: a kill of the group
	 * (a job's ^C or SIGKILL, a terminal's hangup) leaves it standing. */
	setsid();
	/* A ^C to the terminal's group, a TERM to all: this one must outlive
	 * aa-capture to do its work. */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* aa-capture blocks its signals for its signalfd */
	prctl(PR_SET_NAME, "aa-hold-guard", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
	self = getpid();
	twin_pid = fork(); /* (none when it fails: the guardian alone, as before) */
	if (twin_pid == 0)
		twin(rd, held_fd, hold_on, self);
	if (tick_ms < 10)
		tick_ms = 10;
	if (tick_ms > 250)
		tick_ms = 250;
	/* The pipe's end is the main sign (a thread's death does not close
	 * it); the signal and getppid() cover a pipe end kept by a child of
	 * aa-capture between its fork and exec. */
	while (getppid() == parent) {
		struct pollfd p = { .fd = rd, .events = POLLIN };

		if (poll(&p, 1, tick_ms) > 0)
			break; /* EOF (or a byte: asked to end) */
		release(held_fd, aa_clock_ns(CLOCK_MONOTONIC) - max_ns);
	}
	/* Off first: the links die with aa-capture's descriptors, but not at
	 * once (its exit tears them down after the signal, a child may hold
	 * them a while) and a program stopped after the sweep below would
	 * stay so. The second sweep catches a stop under way during the first. */
	*hold_on = 0;
	release(held_fd, UINT64_MAX);
	nanosleep(&settle, NULL);
	release(held_fd, UINT64_MAX);
	if (twin_pid > 0) /* it saw the same end */
		while (waitpid(twin_pid, NULL, 0) < 0 && errno == EINTR)
			;
	_exit(0);
}

int aa_hold_guard_start(struct aa_hold_guard *g, int held_fd, volatile uint32_t *hold_on, uint64_t max_ns)
{
	pid_t parent = getpid();
	int p[2];

	g->pid = 0;
	g->fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	g->pid = fork();
	if (g->pid < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		g->pid = 0;
		errno = e;
		return -1;
	}
	if (g->pid == 0) {
		close(p[1]);
		guard(p[0], held_fd, hold_on, max_ns, parent);
	}
	close(p[0]);
	g->fd = p[1];
	return 0;
}

int aa_hold_guard_lost(struct aa_hold_guard *g, int held_fd, volatile uint32_t *hold_on)
{
	pid_t r;

	if (!g->pid)
		return 0;
	r = waitpid(g->pid, NULL, WNOHANG);
	if (r == 0 || (r < 0 && errno != ECHILD))
		return 0;
	/* Ended (or reaped by another's wait): as its twin does, in case the
	 * twin was killed with it. */
	close(g->fd);
	g->fd = -1;
	g->pid = 0;
	if (*hold_on)
		*hold_on = 1;
	release(held_fd, UINT64_MAX);
	return 1;
}

void aa_hold_guard_stop(struct aa_hold_guard *g)
{
	if (!g->pid)
		return;
	close(g->fd);
	g->fd = -1;
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	g->pid = 0;
}

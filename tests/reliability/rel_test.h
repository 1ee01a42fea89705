/* SPDX-License-Identifier: MIT */
/*
 * What the reliability tests share (header only, beside their test_*.c):
 * aa-capture as a subprocess through tests/capture/cap_test.h, plus a child
 * held back until a live capture follows it, running aa-replay on a file,
 * and reading the kernel's own drop counters out of a running capture.
 */
#ifndef AA_REL_TEST_H
#define AA_REL_TEST_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <inttypes.h>
#include <sys/resource.h>

#include "../capture/cap_test.h"
#include "clock.h"
#include "events.h"

static inline uint64_t rel_now_ns(void)
{
	return aa_clock_ns(CLOCK_MONOTONIC);
}

/* Sleeps until the monotonic clock reads ns. */
static inline void rel_sleep_until(uint64_t ns)
{
	struct timespec t = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static inline void rel_require_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (a live BPF capture): run the reliability tests as root");
}

/*
 * Starts a live aa-capture writing path with args (NULL-terminated), its
 * stderr into errf, and waits until its file exists: the BPF programs are
 * attached by then. Skips the test when BPF is not available (exit 4).
 */
static inline pid_t rel_start_live(const char *path, const char *errf, const char *const *args)
{
	rel_require_root();
	return cap_start_live(path, errf, args);
}

/* A child held back on a pipe until rel_release(), then running fn(arg). */
struct rel_child {
	pid_t pid;
	int go;
};

static inline void rel_fork_held(struct rel_child *c, int (*fn)(void *), void *arg)
{
	int p[2];
	char byte;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	c->pid = fork();
	cr_assert_geq(c->pid, 0);
	if (c->pid == 0) {
		close(p[1]);
		_exit(read(p[0], &byte, 1) == 1 ? fn(arg) : 126);
	}
	close(p[0]);
	c->go = p[1];
}

static inline void rel_release(struct rel_child *c)
{
	cr_assert_eq(write(c->go, "g", 1), 1);
	close(c->go);
}

/* The child's exit status (or 128 + signal). */
static inline int rel_reap(struct rel_child *c)
{
	return cap_wait(c->pid);
}

/* --pid's argument for a child. */
static inline const char *rel_pid_arg(const struct rel_child *c, char *buf, size_t size)
{
	snprintf(buf, size, "%d", (int)c->pid);
	return buf;
}

/* Waits for pid like cap_wait, with its resource usage (peak RSS). */
static inline int rel_wait_usage(pid_t pid, struct rusage *ru)
{
	int st;

	while (wait4(pid, &st, 0, ru) < 0)
		cr_assert(errno == EINTR, "wait4: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Runs build/aa-replay with the arguments in fmt (a shell command line
 * after the program name); its stdout and stderr go into out. Returns its
 * exit status.
 */
__attribute__((format(printf, 3, 4))) static inline int rel_replay(char *out, size_t size,
								   const char *fmt, ...)
{
	char args[2048], cmd[2400];
	char *bin = aat_build_path("aa-replay");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", bin, args);
	free(bin);
	return aat_run(cmd, out, size);
}

/* The unsigned number after "key": in a JSON text, or -1 when it is not there. */
static inline long long rel_json_u64(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/*
 * The kernel's drop counters of a running capture, read without it: finds
 * its per-CPU array map named DROPS among its file descriptors (by map id,
 * /proc/PID/fdinfo), and sums each slot over the CPUs. Root only.
 */
static inline void rel_kernel_drops(pid_t pid, uint64_t drops[AA_DROP_SLOTS])
{
	char path[320], line[256];
	struct dirent *de;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	DIR *d = opendir(path);
	cr_assert_not_null(d, "%s: %s", path, strerror(errno));
	while (!found && (de = readdir(d))) {
		unsigned id = 0;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			sscanf(line, "map_id: %u", &id);
		fclose(f);
		if (!id)
			continue;
		int fd = bpf_map_get_fd_by_id(id);
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && !strcmp(info.name, "DROPS") &&
		    info.type == BPF_MAP_TYPE_PERCPU_ARRAY && info.max_entries == AA_DROP_SLOTS) {
			int ncpu = libbpf_num_possible_cpus();
			uint64_t *per = calloc((size_t)ncpu, sizeof(*per));
			cr_assert(ncpu > 0 && per);
			for (__u32 slot = 0; slot < AA_DROP_SLOTS; slot++) {
				drops[slot] = 0;
				cr_assert_eq(bpf_map_lookup_elem(fd, &slot, per), 0, "DROPS[%u]", slot);
				for (int cpu = 0; cpu < ncpu; cpu++)
					drops[slot] += per[cpu];
			}
			free(per);
			found = 1;
		}
		close(fd);
	}
	closedir(d);
	cr_assert(found, "no DROPS map among the descriptors of aa-capture %d", (int)pid);
}

/* The per-type drop counts of the statistics aa-capture printed at exit
 * ("N dropped in the kernel (tls a, file b, exec c, exit d)"); 0 if found. */
static inline int rel_printed_drops(const char *msg, uint64_t *total, uint64_t drops[AA_DROP_SLOTS])
{
	const char *p = strstr(msg, "aa-capture: ");

	for (; p; p = strstr(p + 1, "aa-capture: ")) {
		int n = 0, found = 0;

		if (sscanf(p, "aa-capture: %" SCNu64 " dropped in the kernel (%n", total, &n) != 1 || !n)
			continue;
		/* "tls 0, file 3, ...)": every slot by its type's name. */
		for (p += n;;) {
			char name[32];
			uint64_t v;
			int type, used = 0;

			if (sscanf(p, "%31[a-z_] %" SCNu64 "%n", name, &v, &used) != 2 || !used)
				return -1;
			type = aa_type_from_name(name);
			if (type < 0 || type >= AA_DROP_SLOTS)
				return -1;
			drops[type] = v;
			found++;
			p += used;
			if (*p == ')')
				return found == AA_DROP_SLOTS ? 0 : -1;
			if (strncmp(p, ", ", 2))
				return -1;
			p += 2;
		}
	}
	return -1;
}

#endif /* AA_REL_TEST_H */

/* SPDX-License-Identifier: MIT */
/* Descendants of a set of processes, from /proc/PID/stat parent links. */
#include "live_follow.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct link {
	uint32_t pid, ppid;
};

/* The parent of pid from /proc/PID/stat, -1 if gone. The command name may
 * hold spaces and parentheses: the fields after it start at the last ')'. */
static long parent_of(const char *pid)
{
	char path[64], buf[512];
	const char *p;
	unsigned long ppid;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %lu", &ppid) != 1)
		return -1;
	return (long)ppid;
}

static struct link *all_links(size_t *n)
{
	struct link *links = NULL;
	size_t cap = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	*n = 0;
	if (!dir)
		return malloc(1);
	while ((d = readdir(dir))) {
		long ppid;

		if (d->d_name[0] < '1' || d->d_name[0] > '9' || (ppid = parent_of(d->d_name)) < 0)
			continue;
		if (*n == cap) {
			struct link *grown = realloc(links, (cap = cap ? cap * 2 : 256) * sizeof(*links));

			if (!grown) {
				free(links);
				closedir(dir);
				return NULL;
			}
			links = grown;
		}
		links[(*n)++] = (struct link){ (uint32_t)strtoul(d->d_name, NULL, 10), (uint32_t)ppid };
	}
	closedir(dir);
	return links ? links : malloc(1);
}

static int member(const uint32_t *set, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pid)
			return 1;
	return 0;
}

uint32_t *aa_follow_closure(const uint32_t *pids, size_t npids, size_t *n)
{
	size_t nlinks, cap = npids ? npids : 1;
	struct link *links = all_links(&nlinks);
	uint32_t *set = malloc(cap * sizeof(*set));

	*n = 0;
	if (!links || !set) {
		free(links);
		free(set);
		return NULL;
	}
	for (size_t i = 0; i < npids; i++)
		if (!member(set, *n, pids[i]))
			set[(*n)++] = pids[i];
	/* Breadth first: set[i]'s children are appended after it. */
	for (size_t i = 0; i < *n; i++) {
		for (size_t j = 0; j < nlinks; j++) {
			if (links[j].ppid != set[i] || member(set, *n, links[j].pid))
				continue;
			if (*n == cap) {
				uint32_t *grown = realloc(set, (cap *= 2) * sizeof(*set));

				if (!grown) {
					free(links);
					free(set);
					return NULL;
				}
				set = grown;
			}
			set[(*n)++] = links[j].pid;
		}
	}
	free(links);
	return set;
}

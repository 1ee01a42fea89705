/* SPDX-License-Identifier: MIT */
/* Progress of a long pass on stderr, only when stderr is a terminal. */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_EVERY_NS 250000000ull /* redraw four times a second */
#define PROGRESS_RECORDS 4096          /* records between looks at the clock */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void cli_progress_start(struct cli_progress *p, const char *label,
			const char *const *paths, size_t npaths)
{
	struct stat st;

	p->on = isatty(STDERR_FILENO);
	p->drawn = 0;
	p->label = label;
	p->total = 0;
	p->countdown = PROGRESS_RECORDS;
	/* Nothing shows for a pass shorter than the first interval. */
	p->next_ns = now_ns() + PROGRESS_EVERY_NS;
	for (size_t i = 0; p->on && i < npaths; i++)
		if (stat(paths[i], &st) == 0)
			p->total += (uint64_t)st.st_size;
}

void cli_progress_tick(struct cli_progress *p, const aa_source *src)
{
	struct aa_source_stats st;
	uint64_t t;

	if (!p->on || --p->countdown)
		return;
	p->countdown = PROGRESS_RECORDS;
	if ((t = now_ns()) < p->next_ns)
		return;
	p->next_ns = t + PROGRESS_EVERY_NS;
	aa_source_get_stats(src, &st);
	fprintf(stderr, "\r%s: %llu records, %.1f MB", p->label,
		(unsigned long long)st.records, st.bytes_stored / 1e6);
	if (p->total)
		fprintf(stderr, " (%.0f%%)", 100.0 * (double)st.bytes_stored / (double)p->total);
	fputs("\033[K", stderr);
	fflush(stderr);
	p->drawn = 1;
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = 0;
}

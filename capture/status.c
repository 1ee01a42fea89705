/* SPDX-License-Identifier: MIT */
/* aa-capture's status line and statistics (status.h). */
#include <inttypes.h>
#include <string.h>

#include "status.h"

#define REFRESH_MS 1000

static uint64_t sum(const uint64_t *v, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* "tls 1, file 2, ..." for counters indexed by enum aa_type. */
static void print_by_type(FILE *f, const uint64_t *v, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s %" PRIu64, i ? ", " : "", aa_type_name((enum aa_type)i), v[i]);
}

static double ratio(const struct output_totals *t)
{
	return t->bytes_file ? (double)t->bytes_raw / (double)t->bytes_file : 0.0;
}

void status_init(struct status *s, int enabled, int64_t now_ms)
{
	memset(s, 0, sizeof(*s));
	s->enabled = enabled;
	s->last_ms = now_ms;
	s->next_ms = now_ms + REFRESH_MS;
}

int status_timeout_ms(const struct status *s, int64_t now_ms)
{
	if (!s->enabled)
		return -1;
	return s->next_ms > now_ms ? (int)(s->next_ms - now_ms) : 0;
}

void status_refresh(struct status *s, const struct cap_counts *c,
		    const struct output_totals *t, int64_t now_ms)
{
	double secs;

	if (!s->enabled || now_ms < s->next_ms)
		return;
	secs = (double)(now_ms - s->last_ms) / 1000.0;
	fputc('\r', stderr);
	/* The seed's four types always; the others once one has come, so the
	 * line stays short where they are not recorded. */
	for (int i = 0; i < AA_TYPE_COUNT; i++) {
		if (i > AA_TYPE_EXIT && c->by_type[i] == 0)
			continue;
		fprintf(stderr, "%s %.0f/s  ", aa_type_name((enum aa_type)i),
			secs > 0 ? (double)(c->by_type[i] - s->last[i]) / secs : 0.0);
	}
	fprintf(stderr, "| %.1f MB written  ratio %.2f  drops %" PRIu64 "\033[K",
		(double)t->bytes_file / 1e6, ratio(t), sum(c->drops, AA_DROP_SLOTS));
	fflush(stderr);
	memcpy(s->last, c->by_type, sizeof(s->last));
	s->last_ms = now_ms;
	s->next_ms = now_ms + REFRESH_MS;
	s->shown = 1;
}

void status_clear(struct status *s)
{
	if (s->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		s->shown = 0;
	}
}

void stats_print(FILE *f, const struct cap_counts *c, const struct output_totals *t)
{
	fprintf(f, "aa-capture: %" PRIu64 " records written (", t->records);
	print_by_type(f, t->by_type, AA_TYPE_COUNT);
	fprintf(f, "; %" PRIu64 " invalid)\n", t->invalid);
	fprintf(f, "aa-capture: %" PRIu64 " dropped in the kernel (", sum(c->drops, AA_DROP_SLOTS));
	print_by_type(f, c->drops, AA_DROP_SLOTS);
	fputs(")\n", f);
	fprintf(f, "aa-capture: %" PRIu64 " record bytes, %" PRIu64 " bytes written in %u file%s"
		   " (ratio %.2f)\n",
		t->bytes_raw, t->bytes_file, t->files, t->files == 1 ? "" : "s", ratio(t));
	fflush(f);
}

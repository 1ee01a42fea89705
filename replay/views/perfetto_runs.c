/* SPDX-License-Identifier: MIT */
#include "perfetto_runs.h"

#include <stdlib.h>

#include "export.h"

/* Open addressing, linear probing; removal shifts the probe chain back. */
static size_t home(const struct pf_runs *t, uint64_t key)
{
	return aa_export_mix64(key) & (t->cap - 1);
}

struct pf_run *pf_run_find(struct pf_runs *t, uint64_t key)
{
	if (!t->cap)
		return NULL;
	for (size_t i = home(t, key);; i = (i + 1) & (t->cap - 1)) {
		if (t->slot[i].key == key)
			return &t->slot[i];
		if (!t->slot[i].key)
			return NULL;
	}
}

static int grow(struct pf_runs *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct pf_run *old = t->slot, *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -1;
	t->slot = slot;
	for (size_t i = 0, n = t->cap; i < n; i++) {
		if (old[i].key) {
			size_t j = aa_export_mix64(old[i].key) & (cap - 1);

			while (slot[j].key)
				j = (j + 1) & (cap - 1);
			slot[j] = old[i];
		}
	}
	t->cap = cap;
	free(old);
	return 0;
}

struct pf_run *pf_run_add(struct pf_runs *t, uint64_t key)
{
	size_t i;

	if ((t->used + 1) * 2 > t->cap && grow(t) < 0)
		return NULL;
	for (i = home(t, key); t->slot[i].key; i = (i + 1) & (t->cap - 1))
		;
	t->slot[i] = (struct pf_run){ .key = key };
	t->used++;
	return &t->slot[i];
}

void pf_run_remove(struct pf_runs *t, struct pf_run *r)
{
	size_t mask = t->cap - 1, hole = (size_t)(r - t->slot);

	free(r->args);
	t->slot[hole] = (struct pf_run){ 0 };
	t->used--;
	/* move back each later entry of the chain that may sit in the hole */
	for (size_t i = (hole + 1) & mask; t->slot[i].key; i = (i + 1) & mask) {
		size_t h = home(t, t->slot[i].key);

		if (((i - h) & mask) >= ((i - hole) & mask)) {
			t->slot[hole] = t->slot[i];
			t->slot[i] = (struct pf_run){ 0 };
			hole = i;
		}
	}
}

struct pf_run *pf_run_next(struct pf_runs *t, struct pf_run *prev)
{
	for (size_t i = prev ? (size_t)(prev - t->slot) + 1 : 0; i < t->cap; i++)
		if (t->slot[i].key)
			return &t->slot[i];
	return NULL;
}

void pf_runs_free(struct pf_runs *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].key)
			free(t->slot[i].args);
	free(t->slot);
	*t = (struct pf_runs){ 0 };
}

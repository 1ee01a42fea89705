/* SPDX-License-Identifier: MIT */
/* The connections of a conversation (conv_table.h). */
#include <stdlib.h>
#include <string.h>

#include "aa_error.h"
#include "conv_table.h"

/* Linear probing at most half full: AA_FOLLOW_MAX_CONNS is a power of two. */
#define CONV_TABLE_SLOTS (2 * AA_FOLLOW_MAX_CONNS)
#define CONV_TABLE_PIDS 1024u

static size_t home(uint64_t key, uint32_t origin)
{
	uint64_t h = (key ^ ((uint64_t)origin << 32 | origin)) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 32) & (CONV_TABLE_SLOTS - 1);
}

static size_t pid_home(uint32_t origin, uint32_t pid)
{
	return (size_t)(((uint64_t)origin << 32 | pid) * 0x9e3779b97f4a7c15ull >> 40) & (CONV_TABLE_PIDS - 1);
}

int conv_table_init(struct conv_table *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = calloc(CONV_TABLE_SLOTS, sizeof(*t->slot));
	t->by_pid = calloc(CONV_TABLE_PIDS, sizeof(*t->by_pid));
	t->busy = calloc(AA_FOLLOW_MAX_CONNS, sizeof(*t->busy));
	if (!t->slot || !t->by_pid || !t->busy) {
		conv_table_free(t);
		return AA_E_NOMEM;
	}
	return 0;
}

static void list_unlink(struct conv_table *t, enum conv_list_id k, struct conv_conn *c)
{
	struct conv_link *l = &c->link[k];

	if (l->prev)
		l->prev->link[k].next = l->next;
	else
		t->list[k].first = l->next;
	if (l->next)
		l->next->link[k].prev = l->prev;
	else
		t->list[k].last = l->prev;
	l->prev = l->next = NULL;
}

static void list_append(struct conv_table *t, enum conv_list_id k, struct conv_conn *c)
{
	c->link[k].prev = t->list[k].last;
	c->link[k].next = NULL;
	if (t->list[k].last)
		t->list[k].last->link[k].next = c;
	else
		t->list[k].first = c;
	t->list[k].last = c;
}

struct conv_conn *conv_table_find(struct conv_table *t, uint64_t key, uint32_t origin)
{
	for (size_t i = home(key, origin);; i = (i + 1) & (CONV_TABLE_SLOTS - 1)) {
		struct conv_conn *c = t->slot[i];
		if (!c)
			return NULL;
		if (c->key == key && c->pub.origin == origin) {
			if (t->list[CONV_LRU].last != c) {
				list_unlink(t, CONV_LRU, c);
				list_append(t, CONV_LRU, c);
			}
			return c;
		}
	}
}

void conv_table_add(struct conv_table *t, struct conv_conn *c)
{
	size_t i = home(c->key, c->pub.origin);

	while (t->slot[i])
		i = (i + 1) & (CONV_TABLE_SLOTS - 1);
	t->slot[i] = c;
	t->n++;
	list_append(t, CONV_SEEN, c);
	list_append(t, CONV_LRU, c);
	/* at the bucket's end: a process's connections end in the order first seen */
	struct conv_conn **b = &t->by_pid[pid_home(c->pub.origin, c->pub.pid)];
	while (*b)
		b = &(*b)->pid_next;
	c->pid_next = NULL;
	*b = c;
	c->since = UINT64_MAX;
	c->busy_at = 0;
}

struct conv_conn *conv_table_of_pid(const struct conv_table *t, uint32_t origin, uint32_t pid,
				    const struct conv_conn *prev)
{
	struct conv_conn *c = prev ? prev->pid_next : t->by_pid[pid_home(origin, pid)];

	while (c && (c->pub.origin != origin || c->pub.pid != pid))
		c = c->pid_next;
	return c;
}

void conv_table_remove(struct conv_table *t, struct conv_conn *c)
{
	size_t i = home(c->key, c->pub.origin);

	while (t->slot[i] != c)
		i = (i + 1) & (CONV_TABLE_SLOTS - 1);
	/* backward-shift deletion: every entry after the hole that could have
	 * been placed at the hole or before moves into it */
	for (size_t j = (i + 1) & (CONV_TABLE_SLOTS - 1); t->slot[j]; j = (j + 1) & (CONV_TABLE_SLOTS - 1)) {
		size_t h = home(t->slot[j]->key, t->slot[j]->pub.origin);
		if (((j - h) & (CONV_TABLE_SLOTS - 1)) >= ((j - i) & (CONV_TABLE_SLOTS - 1))) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i] = NULL;
	t->n--;
	list_unlink(t, CONV_SEEN, c);
	list_unlink(t, CONV_LRU, c);
	struct conv_conn **b = &t->by_pid[pid_home(c->pub.origin, c->pub.pid)];
	while (*b != c)
		b = &(*b)->pid_next;
	*b = c->pid_next;
	conv_table_since(t, c, UINT64_MAX);
}

void conv_table_since(struct conv_table *t, struct conv_conn *c, uint64_t since)
{
	c->since = since;
	if (since != UINT64_MAX && !c->busy_at) {
		t->busy[t->nbusy++] = c;
		c->busy_at = t->nbusy;
	} else if (since == UINT64_MAX && c->busy_at) {
		struct conv_conn *last = t->busy[--t->nbusy];
		t->busy[c->busy_at - 1] = last;
		last->busy_at = c->busy_at;
		c->busy_at = 0;
	}
}

uint64_t conv_table_oldest(const struct conv_table *t)
{
	uint64_t o = UINT64_MAX;

	for (size_t i = 0; i < t->nbusy; i++)
		if (t->busy[i]->since < o)
			o = t->busy[i]->since;
	return o;
}

void conv_table_free(struct conv_table *t)
{
	free(t->slot);
	free(t->by_pid);
	free(t->busy);
	memset(t, 0, sizeof(*t));
}

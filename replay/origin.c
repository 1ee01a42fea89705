/* SPDX-License-Identifier: MIT */
/* The origins of a stream's records (origin.h). */
#include "origin.h"

#include <stdlib.h>
#include <string.h>

#include "meta_codec.h"
#include "source.h"

struct entry {
	struct aa_origin o;
	struct aa_file_meta meta;
	uint8_t session[16];
	uint8_t *raw; /* the META's bytes, meta's strings point into them */
};

struct aa_origins {
	struct entry **v;
	uint32_t n, cap;
};

struct aa_origins *aa_origins_new(void)
{
	return calloc(1, sizeof(struct aa_origins));
}

void aa_origins_free(struct aa_origins *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->n; i++) {
		free(t->v[i]->raw);
		free(t->v[i]);
	}
	free(t->v);
	free(t);
}

static const char *host_of(const struct aa_file_meta *m)
{
	return m->hostname ? m->hostname : "";
}

int aa_origins_find(struct aa_origins *t, const struct aa_file_meta *m, const uint8_t *raw,
		    size_t len, uint32_t *index)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i]->o.host, host_of(m)) && !memcmp(t->v[i]->session, m->session, 16)) {
			*index = i;
			return 0;
		}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 4;
		struct entry **v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return AA_E_NOMEM;
		t->v = v;
		t->cap = cap;
	}
	struct entry *e = calloc(1, sizeof(*e));
	if (!e || !(e->raw = malloc(len ? len : 1)) ||
	    (memcpy(e->raw, raw, len), aa_meta_decode(e->raw, len, &e->meta)) != 0) {
		if (e)
			free(e->raw);
		free(e);
		return AA_E_NOMEM; /* m decoded from these bytes: only memory can fail */
	}
	memcpy(e->session, m->session, 16);
	e->o.host = host_of(&e->meta);
	e->o.session = e->session;
	e->o.meta = &e->meta;
	e->o.intact = 1;
	t->v[t->n] = e;
	*index = t->n++;
	return 0;
}

struct aa_origin *aa_origins_get(const struct aa_origins *t, uint32_t i)
{
	return t && i < t->n ? &t->v[i]->o : NULL;
}

uint32_t aa_origins_count(const struct aa_origins *t)
{
	return t ? t->n : 0;
}

const struct aa_origin *aa_source_origin(const aa_source *src, uint32_t i)
{
	return src && src->ops->origins ? aa_origins_get(src->ops->origins(src), i) : NULL;
}

uint32_t aa_source_origins(const aa_source *src)
{
	return src && src->ops->origins ? aa_origins_count(src->ops->origins(src)) : 0;
}

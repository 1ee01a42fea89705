/* SPDX-License-Identifier: MIT */
/* XXH64 from the xxHash specification (see xxh64.h). */
#include "xxh64.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8); /* little-endian hosts only, as the whole format */
	return v;
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* n < 32 bytes, without a call: the stream digest adds each record as two
 * pieces (its length, then its bytes), so such copies come twice a record.
 * Two overlapping copies of a fixed size cover any n from 4 to 31. */
static inline void copy_small(uint8_t *d, const uint8_t *s, size_t n)
{
	if (n >= 16) {
		memcpy(d, s, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

static inline uint64_t round1(uint64_t acc, uint64_t lane)
{
	acc += lane * P2;
	return rotl(acc, 31) * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v)
{
	acc ^= round1(0, v);
	return acc * P1 + P4;
}

static void lanes_init(uint64_t v[4], uint64_t seed)
{
	v[0] = seed + P1 + P2;
	v[1] = seed + P2;
	v[2] = seed;
	v[3] = seed - P1;
}

void aa_xxh64_init(struct aa_xxh64 *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	lanes_init(s->v, seed);
}

static const uint8_t *stripes(uint64_t v[4], const uint8_t *p, const uint8_t *end)
{
	uint64_t a = v[0], b = v[1], c = v[2], d = v[3];

	for (; end - p >= 32; p += 32) {
		a = round1(a, rd64(p));
		b = round1(b, rd64(p + 8));
		c = round1(c, rd64(p + 16));
		d = round1(d, rd64(p + 24));
	}
	v[0] = a, v[1] = b, v[2] = c, v[3] = d;
	return p;
}

void aa_xxh64_update(struct aa_xxh64 *s, const void *data, size_t len)
{
	const uint8_t *p = data, *end = p + len;

	s->total += len;
	if (s->buffered + len < 32) {
		copy_small(s->buf + s->buffered, p, len);
		s->buffered += (uint32_t)len;
		return;
	}
	if (s->buffered) {
		size_t fill = 32 - s->buffered;
		copy_small(s->buf + s->buffered, p, fill);
		stripes(s->v, s->buf, s->buf + 32);
		p += fill;
		s->buffered = 0;
	}
	p = stripes(s->v, p, end);
	s->buffered = (uint32_t)(end - p);
	copy_small(s->buf, p, s->buffered);
}

/* The end of a digest: the lanes v (total >= 32) or the seed, then the
 * tail[0..n), n < 32, the bytes past the last whole stripe. */
static uint64_t finish(const uint64_t v[4], uint64_t seed, uint64_t total, const uint8_t *tail, size_t n)
{
	const uint8_t *p = tail, *end = tail + n;
	uint64_t h;

	if (total >= 32) {
		h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
		for (int i = 0; i < 4; i++)
			h = merge(h, v[i]);
	} else {
		h = seed + P5;
	}
	h += total;
	for (; end - p >= 8; p += 8) {
		h ^= round1(0, rd64(p));
		h = rotl(h, 27) * P1 + P4;
	}
	if (end - p >= 4) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl(h, 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++) {
		h ^= *p * P5;
		h = rotl(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

uint64_t aa_xxh64_digest(const struct aa_xxh64 *s)
{
	return finish(s->v, s->seed, s->total, s->buf, s->buffered);
}

uint64_t aa_xxh64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data, *tail;
	uint64_t v[4];

	lanes_init(v, seed);
	tail = stripes(v, p, p + len);
	return finish(v, seed, len, tail, len - (size_t)(tail - p));
}

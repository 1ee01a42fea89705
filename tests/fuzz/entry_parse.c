/* SPDX-License-Identifier: MIT */
/* Fuzz entry: the size-dispatch parser (see entries.h). */
#include <stdlib.h>
#include <string.h>

#include "entries.h"

int aaf_parse(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned sel = data[0] & 7, shift = (data[0] >> 3) & 7;
	const uint8_t *body = data + 1;
	size_t len = size - 1, have = len;
	if (sel >= 1 && sel <= 4)
		len = aa_type_size((enum aa_type)(sel - 1));
	if (have > len)
		have = len;

	/* The record ends exactly where its allocation does. */
	uint8_t *buf = malloc(shift + len + (shift + len == 0));
	if (!buf)
		abort();
	memcpy(buf + shift, body, have);
	memset(buf + shift + have, 0, len - have);

	struct aa_record rec;
	union aa_record_copy copy;
	memset(&rec, 0, sizeof(rec));
	int rc = aa_parse_copy(buf + shift, len, &rec.ev, &copy);
	if (rc != rec.ev.error || rc < 0)
		abort();
	rec.time_ns = rec.ev.mono_ns;
	rec.index = len;
	aaf_touch_record(&rec);
	free(buf);
	return 0;
}

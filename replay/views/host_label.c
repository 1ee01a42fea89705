/* SPDX-License-Identifier: MIT */
/* The host of a record's origin as the views show it (host_label.h). */
#include "host_label.h"

#include <stdio.h>
#include <string.h>

const char *view_host_label(const aa_source *src, uint32_t origin, char *buf, size_t n)
{
	const struct aa_origin *o = aa_source_origin(src, origin);
	uint32_t count = aa_source_origins(src);
	int shared = 0;

	if (!n)
		return buf;
	buf[0] = 0;
	if (!o)
		return buf;
	for (uint32_t i = 0; i < count && !shared; i++)
		shared = i != origin && !strcmp(aa_source_origin(src, i)->host, o->host);
	if (shared && o->session)
		snprintf(buf, n, "%s/%02x%02x%02x%02x", o->host, o->session[0], o->session[1],
			 o->session[2], o->session[3]);
	else
		snprintf(buf, n, "%s", o->host);
	return buf;
}

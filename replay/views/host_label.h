/* SPDX-License-Identifier: MIT */
/*
 * The host of a record's origin as the views show it (library-internal),
 * the way `aa-replay cat` does for files of several hosts (FORMAT.md
 * section 7): the META host name, with "/" and the session's first 8 hex
 * digits when another origin of the stream has the same host name.
 */
#ifndef AA_HOST_LABEL_H
#define AA_HOST_LABEL_H

#include <stddef.h>

#include "aa_replay.h"

/* Room for a host name (at most 255 bytes in META) and "/SSSSSSSS". */
#define VIEW_HOST_LABEL_MAX 272

/* Writes origin's label into buf (NUL-terminated, cut to n) and returns
 * buf; "" for an origin src does not know. The bytes are the recording's:
 * print them escaped. */
const char *view_host_label(const aa_source *src, uint32_t origin, char *buf, size_t n);

#endif

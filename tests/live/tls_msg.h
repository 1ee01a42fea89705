/* SPDX-License-Identifier: MIT */
/* The message a TLS test client sends: known bytes, no two lines alike. */
#ifndef AA_TLS_MSG_H
#define AA_TLS_MSG_H

#include <stddef.h>
#include <stdio.h>

/* n bytes of message into buf: a header, then letters, a newline last. */
static inline void tls_msg_fill(char *buf, size_t n, const char *who)
{
	int head = snprintf(buf, n, "%s-says-", who);

	for (size_t i = head > 0 ? (size_t)head : 0; i < n; i++)
		buf[i] = (char)('a' + (i * 7) % 26);
	if (n)
		buf[n - 1] = '\n';
}

#endif /* AA_TLS_MSG_H */

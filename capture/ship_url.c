/* SPDX-License-Identifier: MIT */
/* Stream URLs, subjects and message ids (ship_url.h). */
#include "ship_url.h"

#include <stdio.h>
#include <string.h>

static int fail(char *why, size_t n, const char *what)
{
	snprintf(why, n, "%s (want nats://HOST:PORT[,HOST:PORT...]/STREAM)", what);
	return -1;
}

static int name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

int aa_ship_url_parse(struct aa_ship_url *u, const char *text, char *why, size_t why_len)
{
	const char *scheme;
	size_t skip;

	memset(u, 0, sizeof(*u));
	if (!strncmp(text, "nats://", 7)) {
		scheme = "nats://";
		skip = 7;
	} else if (!strncmp(text, "tls://", 6)) {
		scheme = "tls://";
		skip = 6;
		u->tls = 1;
	} else {
		return fail(why, why_len, "not a nats:// or tls:// URL");
	}
	const char *hosts = text + skip, *slash = strchr(hosts, '/');
	if (!slash || slash == hosts)
		return fail(why, why_len, "no server or no /STREAM");
	const char *stream = slash + 1;
	size_t slen = strlen(stream);
	if (slen == 0 || slen >= sizeof(u->stream))
		return fail(why, why_len, "the stream name is empty or longer than 63 bytes");
	for (size_t i = 0; i < slen; i++)
		if (!name_byte(stream[i]))
			return fail(why, why_len, "the stream name may hold only letters, digits, '_' and '-'");
	memcpy(u->stream, stream, slen + 1);

	char *p = u->buf;
	size_t left = sizeof(u->buf);
	const char *h = hosts;
	while (h < slash) {
		const char *end = memchr(h, ',', (size_t)(slash - h));
		if (!end)
			end = slash;
		size_t hl = (size_t)(end - h);
		if (hl == 0 || memchr(h, '@', hl))
			return fail(why, why_len, hl ? "user:password@ in the URL: use --ship-creds"
						   : "an empty server");
		if (u->nservers == AA_SHIP_MAX_SERVERS)
			return fail(why, why_len, "more than 16 servers");
		int n = snprintf(p, left, "%s%.*s", scheme, (int)hl, h);
		if (n < 0 || (size_t)n >= left)
			return fail(why, why_len, "the server list is too long");
		u->servers[u->nservers++] = p;
		p += n + 1;
		left -= (size_t)n + 1;
		h = end + 1;
	}
	return 0;
}

void aa_ship_host_token(const char *host, char *out, size_t out_len)
{
	size_t i = 0;

	if (out_len == 0)
		return;
	for (; host[i] && i < 64 && i + 1 < out_len; i++)
		out[i] = name_byte(host[i]) ? host[i] : '_';
	if (i == 0 && out_len > 1)
		out[i++] = '_';
	out[i] = 0;
}

void aa_ship_session_hex(const uint8_t session[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", session[i]);
}

void aa_ship_subject(const char *host, const uint8_t session[16], char *out, size_t out_len)
{
	char tok[80], hex[33];

	aa_ship_host_token(host, tok, sizeof(tok));
	aa_ship_session_hex(session, hex);
	snprintf(out, out_len, "aa.%s.%s", tok, hex);
}

void aa_ship_msg_id(const uint8_t session[16], uint32_t file_seq, uint32_t index, char *out,
		    size_t out_len)
{
	char hex[33];

	aa_ship_session_hex(session, hex);
	snprintf(out, out_len, "%s-%u-%u", hex, file_seq, index);
}

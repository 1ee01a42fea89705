/* SPDX-License-Identifier: MIT */
/* NATS user credentials through handlers of our own (ship_creds.h). */
#include "ship_creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CREDS_MAX (64u << 10) /* a .creds file is about 1 KB */

/* nats.c from this version on sends a signature whose first byte is 0 */
#define NATS_ZERO_SIG_FIXED 0x030A00

/* Wipes and frees s (a seed, or a text holding one). */
static void wipe(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* l[0..*n) without the blanks (spaces, tabs) at its ends: its start, *n its length. */
static const char *trim(const char *l, long *n)
{
	while (*n && (*l == ' ' || *l == '\t'))
		l++, (*n)--;
	while (*n && (l[*n - 1] == ' ' || l[*n - 1] == '\t'))
		(*n)--;
	return l;
}

static int blank(const char *l, long n)
{
	trim(l, &n);
	return !n;
}

/* A header line: at least three '-', something, then at least three '-'
 * (the form of -----BEGIN NATS USER JWT-----, ------END ...------). */
static int header(const char *l, long n)
{
	l = trim(l, &n);
	return n >= 7 && !strncmp(l, "---", 3) && !strncmp(l + n - 3, "---", 3) &&
	       (long)strspn(l, "-") < n - 3;
}

/* The line at *p (its length, without "\r\n"), *p moved past it; -1 at the end. */
static long line(const char **p)
{
	const char *s = *p, *nl;
	size_t n;

	if (!*s)
		return -1;
	nl = strchr(s, '\n');
	n = nl ? (size_t)(nl - s) : strlen(s);
	*p = nl ? nl + 1 : s + n;
	while (n && s[n - 1] == '\r')
		n--;
	return (long)n;
}

char *aa_ship_creds_item(const char *text, int item)
{
	const char *p = text, *l;
	long n;
	int found = 0;

	while ((l = p, n = line(&p)) >= 0) {
		if (!header(l, n))
			continue;
		/* a section: its value, then (blank lines aside) a header */
		const char *v = p;
		long vn = line(&p), m;
		const char *h;
		if (vn < 0)
			break;
		while ((h = p, m = line(&p)) >= 0 && blank(h, m))
			;
		if (m < 0)
			break;
		if (header(v, vn) || !header(h, m)) {
			/* not a value between two headers: look on from there */
			p = header(v, vn) ? v : h;
			continue;
		}
		if (found++ == item) {
			v = trim(v, &vn);
			return strndup(v, (size_t)vn);
		}
	}
	return NULL;
}

/* The text of c->path (wipe it), or NULL with *why (allocated) said. */
static char *read_creds(const struct aa_ship_creds *c, char **why)
{
	FILE *f = fopen(c->path, "re");
	char *buf = NULL;
	size_t n = 0;
	int e = 0;

	if (f && (buf = calloc(1, CREDS_MAX + 1)))
		n = fread(buf, 1, CREDS_MAX + 1, f);
	e = f ? (ferror(f) ? EIO : 0) : errno;
	if (f)
		fclose(f);
	if (!e && buf && n <= CREDS_MAX)
		return buf;
	if (buf)
		wipe(buf);
	if (why && asprintf(why, "%s: %s", c->path,
			    e ? strerror(e) : !buf ? "out of memory" : "larger than a credentials file") < 0)
		*why = NULL;
	return NULL;
}

/* The user JWT, from the file at each connection. */
natsStatus aa_ship_creds_jwt(char **jwt, char **why, void *closure)
{
	const struct aa_ship_creds *c = closure;
	char *text = read_creds(c, why);

	*jwt = NULL;
	if (!text)
		return NATS_ERR;
	*jwt = aa_ship_creds_item(text, 0);
	wipe(text);
	if (*jwt && **jwt)
		return NATS_OK;
	free(*jwt);
	*jwt = NULL;
	if (asprintf(why, "%s: no user JWT in it (-----BEGIN NATS USER JWT----- ... -----END NATS USER JWT-----)",
		     c->path) < 0)
		*why = NULL;
	return NATS_ERR;
}

/* The server's nonce signed with the user's nkey seed. */
natsStatus aa_ship_creds_sign(char **why, unsigned char **sig, int *len, const char *nonce, void *closure)
{
	struct aa_ship_creds *c = closure;
	char *text = read_creds(c, why), *seed;
	natsStatus st;

	*sig = NULL;
	*len = 0;
	if (!text)
		return NATS_ERR;
	seed = aa_ship_creds_item(text, 1);
	wipe(text);
	if (!seed || seed[0] != 'S' || seed[1] != 'U') {
		wipe(seed);
		if (asprintf(why, "%s: no user nkey seed in it (SU...)", c->path) < 0)
			*why = NULL;
		return NATS_ERR;
	}
	st = nats_Sign(seed, nonce ? nonce : "", sig, len);
	wipe(seed);
	if (st != NATS_OK) {
		if (asprintf(why, "%s: cannot sign with its seed: %s", c->path, natsStatus_GetText(st)) < 0)
			*why = NULL;
		return st;
	}
	if (*len > 0 && (*sig)[0] == 0 && nats_GetVersionNumber() < NATS_ZERO_SIG_FIXED) {
		/* this nats.c would send no signature: a new attempt, a new nonce */
		free(*sig);
		*sig = NULL;
		*len = 0;
		c->zero_sigs++;
		if (asprintf(why, "signature starting with a zero byte, which nats.c %s drops: tried again",
			     nats_GetVersion()) < 0)
			*why = NULL;
		return NATS_ERR;
	}
	return NATS_OK;
}

natsStatus aa_ship_creds_connect(natsConnection **nc, natsOptions *opts, const struct aa_ship_creds *c)
{
	natsStatus st = NATS_ERR;

	for (int tries = 0; tries < 16; tries++) {
		unsigned zero_sigs = c->zero_sigs;
		if ((st = natsConnection_Connect(nc, opts)) == NATS_OK || c->zero_sigs == zero_sigs)
			break;
		natsConnection_Destroy(*nc); /* NULL is allowed */
		*nc = NULL;
	}
	return st;
}

natsStatus aa_ship_creds_set(natsOptions *opts, struct aa_ship_creds *c, const char *path)
{
	c->path = path;
	c->zero_sigs = 0;
	return natsOptions_SetUserCredentialsCallbacks(opts, aa_ship_creds_jwt, c, aa_ship_creds_sign, c);
}

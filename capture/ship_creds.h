/* SPDX-License-Identifier: MIT */
/*
 * NATS user credentials (a .creds file: the user's JWT and nkey seed),
 * given to nats.c through handlers of our own rather than
 * natsOptions_SetUserCredentialsFromFiles: nats.c before 3.10 base64-encodes
 * the signature of the server's nonce as if it were a C string, so that a
 * signature whose first byte is 0 (one in 256) goes out as none and the
 * server refuses the connection ("Authorization Violation"; nats.c #705,
 * fixed in v3.10.0). With such a nats.c that signature is refused here: the
 * attempt fails with a reason of its own (counted in zero_sigs) and is made
 * again, with a new nonce. Shared by aa-capture --ship and the library's
 * stream source. Private to the toolkit: not installed.
 */
#ifndef AA_SHIP_CREDS_H
#define AA_SHIP_CREDS_H

#include <nats/nats.h>

struct aa_ship_creds {
	const char *path;        /* the .creds file, read at each connection (it may be renewed) */
	volatile unsigned zero_sigs; /* attempts given up for a signature nats.c would drop */
};

/* Connections of opts authenticate with the credentials in path (c keeps
 * it and must live as long as opts): NATS_OK or nats.c's error. */
natsStatus aa_ship_creds_set(natsOptions *opts, struct aa_ship_creds *c, const char *path);

/* natsConnection_Connect, made again while the credentials' handler gave
 * up an attempt for a signature nats.c would drop (at most 16 times: each
 * has a new nonce; a connection left trying in the background is destroyed
 * first, as nats.c 3.4 leaves it no server to try). c: opts' credentials,
 * or zeroed without them. nats.c's status. */
natsStatus aa_ship_creds_connect(natsConnection **nc, natsOptions *opts, const struct aa_ship_creds *c);

/* The handlers aa_ship_creds_set gives nats.c (closure: the struct
 * aa_ship_creds), as natsUserJWTHandler and natsSignatureHandler: the file
 * read each time; NATS_ERR with *why (allocated) when it holds no JWT or
 * seed, cannot be read, or the signature starts with a zero byte that this
 * nats.c would drop. */
natsStatus aa_ship_creds_jwt(char **jwt, char **why, void *closure);
natsStatus aa_ship_creds_sign(char **why, unsigned char **sig, int *len, const char *nonce, void *closure);

/* The value of item (0: the user JWT, 1: the nkey seed) of a .creds file's
 * text: the line after a -----BEGIN ...----- line when the next line that
 * is not blank is a ----- line too. A copy (free it), or NULL when there is
 * none or no memory. */
char *aa_ship_creds_item(const char *text, int item);

#endif /* AA_SHIP_CREDS_H */

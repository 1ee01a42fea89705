/* SPDX-License-Identifier: MIT */
/*
 * Where chunks are shipped and read from: a JetStream stream given as
 * nats://HOST:PORT[,HOST:PORT...]/STREAM (tls:// for TLS), and the subject
 * of each capture session in it, aa.<host>.<session hex>. Shared by
 * aa-capture --ship and the library's stream source; needs no NATS library.
 * Private to the toolkit: not installed.
 */
#ifndef AA_SHIP_URL_H
#define AA_SHIP_URL_H

#include <stddef.h>
#include <stdint.h>

#define AA_SHIP_MAX_SERVERS 16
#define AA_SHIP_SUBJECT_MAX 160

struct aa_ship_url {
	char buf[1024];                      /* the servers' URLs point into it */
	const char *servers[AA_SHIP_MAX_SERVERS]; /* "nats://HOST:PORT" each */
	int nservers;
	int tls;                             /* tls:// */
	char stream[64];
};

/* Parses text; 0, or -1 with why (one line) filled. */
int aa_ship_url_parse(struct aa_ship_url *u, const char *text, char *why, size_t why_len);

/* A host name as one subject token: every byte but [A-Za-z0-9_-] becomes '_'
 * (at most 64 bytes kept). */
void aa_ship_host_token(const char *host, char *out, size_t out_len);

/* 32 lowercase hex digits and a NUL. */
void aa_ship_session_hex(const uint8_t session[16], char out[33]);

/* "aa.<host token>.<session hex>" */
void aa_ship_subject(const char *host, const uint8_t session[16], char *out, size_t out_len);

/* The message id of a chunk, for JetStream's de-duplication:
 * "<session hex>-<file_seq>-<chunk index>". */
void aa_ship_msg_id(const uint8_t session[16], uint32_t file_seq, uint32_t index, char *out,
		    size_t out_len);

/* Message headers a shipped chunk carries besides Nats-Msg-Id. */
#define AA_SHIP_HDR_HOST "Aa-Host"
#define AA_SHIP_HDR_SESSION "Aa-Session"
#define AA_SHIP_HDR_FILE_SEQ "Aa-File-Seq"
#define AA_SHIP_HDR_CHUNK "Aa-Chunk"
#define AA_SHIP_HDR_KIND "Aa-Kind"

#endif /* AA_SHIP_URL_H */

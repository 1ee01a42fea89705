/* SPDX-License-Identifier: MIT */
/*
 * The NATS credentials handlers (capture/ship_creds.c): a .creds file's
 * JWT and seed as nsc and tests/ship/natsauth.py write them (LF or CRLF,
 * nsc's notice between the two), nothing from a PEM certificate or a file
 * of headers alone; the server's nonce signed as nats_Sign signs it; and a
 * signature whose first byte is 0, which nats.c before 3.10 sends as none
 * (the server then refuses a valid user one connection in 256), refused
 * and counted so that the connection is tried again. The whole exchange
 * with a real nats-server: tests/ship/test_ship_creds.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "ship_creds.h"
#include "tmpsuite.h"

AAT_TMPDIR_SUITE(ship_creds);

/* A user nkey seed made for this test by natsauth.py (it opens nothing). */
#define SEED "SUALE2HDPTKXZZJX2LG5CIIZTHNRLPZKGIEJDBEMAVXE4VJAABIHSRIRZE"
#define JWT "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ0ZXN0In0.c2ln"

static const char nsc_style[] =
	"-----BEGIN NATS USER JWT-----\n" JWT "\n------END NATS USER JWT------\n\n"
	"************************* IMPORTANT *************************\n"
	"NKEY Seed printed below can be used to sign and prove identity.\n\n"
	"-----BEGIN USER NKEY SEED-----\n" SEED "\n------END USER NKEY SEED------\n\n"
	"*************************************************************\n";

static char *write_creds(const char *name, const char *text)
{
	cr_assert_eq(nats_Open(-1), NATS_OK); /* nats_Sign needs the library open */
	char *path = aat_path(dir, name);
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
	return path;
}

static void expect_item(const char *text, int item, const char *want)
{
	char *got = aa_ship_creds_item(text, item);

	if (!want)
		cr_expect_null(got, "item %d: %s", item, got);
	else
		cr_expect_str_eq(got ? got : "(none)", want, "item %d", item);
	free(got);
}

Test(ship_creds, items_of_creds_files_and_of_what_is_not_one)
{
	expect_item(nsc_style, 0, JWT);
	expect_item(nsc_style, 1, SEED);
	expect_item(nsc_style, 2, NULL);
	/* as natsauth.py writes it, with CRLF and blanks around the values */
	expect_item("-----BEGIN NATS USER JWT-----\r\n  " JWT " \r\n\r\n------END NATS USER JWT------\r\n"
		    "-----BEGIN USER NKEY SEED-----\r\n" SEED "\r\n------END USER NKEY SEED------\r\n", 1, SEED);
	/* a certificate: many lines between its headers, so no value */
	expect_item("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nQ0EwHhcNMjYxMjA0\n"
		    "-----END CERTIFICATE-----\n", 0, NULL);
	/* headers alone, a header with nothing after it, dashes alone */
	expect_item("-----BEGIN NATS USER JWT-----\n------END NATS USER JWT------\n", 0, NULL);
	expect_item("-----BEGIN NATS USER JWT-----\n" JWT "\n", 0, NULL);
	expect_item("------\n" JWT "\n------\n", 0, NULL);
	expect_item("", 0, NULL);
}

Test(ship_creds, the_jwt_and_the_nonce_signed_as_nats_sign_signs_it)
{
	struct aa_ship_creds c = { .path = write_creds("user.creds", nsc_style) };
	char *jwt = NULL, *why = NULL;
	unsigned char *sig = NULL, *want = NULL;
	int len = 0, want_len = 0;
	char nonce[32];

	cr_assert_eq(aa_ship_creds_jwt(&jwt, &why, &c), NATS_OK);
	cr_assert_str_eq(jwt, JWT);
	free(jwt);
	/* a nonce whose signature does not start with 0 (255 in 256 do not) */
	for (int i = 0;; i++) {
		snprintf(nonce, sizeof(nonce), "nonce-%d", i);
		cr_assert_eq(nats_Sign(SEED, nonce, &want, &want_len), NATS_OK);
		if (want[0])
			break;
		free(want);
	}
	cr_assert_eq(aa_ship_creds_sign(&why, &sig, &len, nonce, &c), NATS_OK, "%s", why ? why : "");
	cr_assert_eq(len, 64);
	cr_assert_eq(want_len, 64);
	cr_assert_eq(memcmp(sig, want, 64), 0);
	cr_assert_eq(c.zero_sigs, 0);
	free(sig);
	free(want);
	free((char *)c.path);
}

Test(ship_creds, a_signature_starting_with_zero_is_refused_where_nats_c_would_drop_it)
{
	struct aa_ship_creds c = { .path = write_creds("user.creds", nsc_style) };
	unsigned char *sig = NULL, *want = NULL;
	char *why = NULL, nonce[32];
	int len = 0, want_len = 0, tries = 0;

	/* find a nonce whose signature starts with a zero byte: one in 256 */
	for (;; tries++) {
		cr_assert_lt(tries, 100000);
		snprintf(nonce, sizeof(nonce), "nonce-%d", tries);
		cr_assert_eq(nats_Sign(SEED, nonce, &want, &want_len), NATS_OK);
		if (!want[0])
			break;
		free(want);
	}
	natsStatus st = aa_ship_creds_sign(&why, &sig, &len, nonce, &c);
	if (nats_GetVersionNumber() < 0x030A00) { /* nats.c #705: fixed in 3.10.0 */
		cr_assert_eq(st, NATS_ERR);
		cr_assert_null(sig);
		cr_assert_eq(len, 0);
		cr_assert_eq(c.zero_sigs, 1);
		cr_assert_not_null(why);
		cr_assert(strstr(why, "zero byte") && strstr(why, "tried again"), "%s", why);
	} else {
		cr_assert_eq(st, NATS_OK);
		cr_assert_eq(memcmp(sig, want, 64), 0);
		cr_assert_eq(c.zero_sigs, 0);
	}
	free(why);
	free(sig);
	free(want);
	free((char *)c.path);
}

Test(ship_creds, files_that_hold_no_credentials_are_said)
{
	struct aa_ship_creds c = { .path = write_creds("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\nQ0Ew\n"
							      "-----END CERTIFICATE-----\n") };
	struct aa_ship_creds none = { .path = aat_path(dir, "none.creds") };
	char *jwt = NULL, *why = NULL;
	unsigned char *sig = NULL;
	int len = 0;

	cr_assert_eq(aa_ship_creds_jwt(&jwt, &why, &c), NATS_ERR);
	cr_assert_null(jwt);
	cr_assert(strstr(why, "ca.pem: no user JWT in it"), "%s", why);
	free(why);
	why = NULL;
	cr_assert_eq(aa_ship_creds_sign(&why, &sig, &len, "nonce", &c), NATS_ERR);
	cr_assert_null(sig);
	cr_assert(strstr(why, "ca.pem: no user nkey seed in it"), "%s", why);
	free(why);
	why = NULL;
	cr_assert_eq(aa_ship_creds_jwt(&jwt, &why, &none), NATS_ERR);
	cr_assert(strstr(why, "none.creds: No such file or directory"), "%s", why);
	free(why);
	free((char *)c.path);
	free((char *)none.path);
}

/* SPDX-License-Identifier: MIT */
/*
 * A TLS client or server built against BoringSSL (Debian's
 * android-libboringssl: its libssl.so.0 under /usr/lib/<arch>/android), for
 * test_tls_boring:
 *   tls_boring_peer server PORT CERT KEY SEND RECV
 *   tls_boring_peer client PORT SEND RECV
 * The server accepts one client on 127.0.0.1:PORT; the client connects
 * (retrying while the server starts). The client sends SEND bytes of
 * tls_msg_fill("boring-client") in one SSL_write, the server reads RECV
 * bytes, then sends SEND bytes of tls_msg_fill("boring-server") in one
 * SSL_write, which the client reads (RECV). Each copies what it read to
 * stdout. Exit 0 on success.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/is_boringssl.h> /* (fails to compile against OpenSSL) */
#include <openssl/ssl.h>

#include "tls_msg.h"

/* Reads want bytes (calls of up to 16 KiB) to stdout; 0 when all came. */
static int read_all(SSL *ssl, size_t want)
{
	char buf[16384];

	while (want) {
		int n = SSL_read(ssl, buf, want < sizeof(buf) ? (int)want : (int)sizeof(buf));

		if (n <= 0 || fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return -1;
		want -= (size_t)n;
	}
	return fflush(stdout) ? -1 : 0;
}

static int send_msg(SSL *ssl, const char *who, size_t len)
{
	char *msg = malloc(len ? len : 1);
	int ok;

	if (!msg)
		return -1;
	tls_msg_fill(msg, len, who);
	ok = SSL_write(ssl, msg, (int)len) == (int)len;
	free(msg);
	return ok ? 0 : -1;
}

static int connect_retry(const struct sockaddr_in *a)
{
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd >= 0 && connect(fd, (const struct sockaddr *)a, sizeof(*a)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		usleep(50000);
	}
	return -1;
}

static int accept_one(const struct sockaddr_in *a)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0), c;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const struct sockaddr *)a, sizeof(*a)) || listen(fd, 1))
		return -1;
	c = accept(fd, NULL, NULL);
	close(fd);
	return c;
}

int main(int argc, char **argv)
{
	int server = argc == 7 && !strcmp(argv[1], "server");
	struct sockaddr_in a = { .sin_family = AF_INET };
	size_t send_len, recv_len;
	SSL_CTX *ctx;
	SSL *ssl;
	int fd, rc = 0;

	if (!server && !(argc == 5 && !strcmp(argv[1], "client"))) {
		fprintf(stderr, "usage: %s server PORT CERT KEY SEND RECV | client PORT SEND RECV\n", argv[0]);
		return 2;
	}
	send_len = strtoul(argv[argc - 2], NULL, 10);
	recv_len = strtoul(argv[argc - 1], NULL, 10);
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx)
		return 3;
	if (server && (SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1 ||
		       SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1))
		return 3;
	fd = server ? accept_one(&a) : connect_retry(&a);
	if (fd < 0)
		return 4;
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || (server ? SSL_accept(ssl) : SSL_connect(ssl)) != 1)
		return 5;
	if (server)
		rc = read_all(ssl, recv_len) || send_msg(ssl, "boring-server", send_len) ? 6 : 0;
	else
		rc = send_msg(ssl, "boring-client", send_len) || read_all(ssl, recv_len) ? 6 : 0;
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return rc;
}

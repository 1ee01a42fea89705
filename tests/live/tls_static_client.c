/* SPDX-License-Identifier: MIT */
/*
 * A TLS client with OpenSSL linked in (libssl.a, libcrypto.a: no libssl.so
 * mapped), for test_live_tls_found: connects to 127.0.0.1:PORT (retrying
 * while the server starts), sends LEN bytes of tls_msg_fill("static-client")
 * in one SSL_write, then copies what it reads to stdout until the peer
 * closes. Exit 0 on success.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls_msg.h"

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	size_t len = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	char *msg = len ? malloc(len) : NULL, buf[4096];
	SSL_CTX *ctx;
	SSL *ssl;
	int fd = -1, n;

	if (argc != 3 || !msg)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	for (int i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(fd);
		fd = -1;
		usleep(50000);
	}
	if (fd < 0)
		return 3;
	ctx = SSL_CTX_new(TLS_client_method());
	ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1)
		return 4;
	tls_msg_fill(msg, len, "static-client");
	if (SSL_write(ssl, msg, (int)len) != (int)len)
		return 5;
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			return 6;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	free(msg);
	return 0;
}

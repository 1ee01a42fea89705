/* SPDX-License-Identifier: MIT */
/*
 * tlsloop: the TLS load of the live-capture benchmark (bench-live.sh): one
 * thread holding both ends of a TLS connection over 127.0.0.1 (OpenSSL),
 * writing SIZE bytes at one end and reading them at the other, CALLS times.
 *
 *   tlsloop --cert FILE --key FILE [--calls N] [--size BYTES] [--wait]
 *
 * The handshake is done first (in a second thread, for the server's side);
 * then, with --wait, it sleeps until SIGUSR1 so that a tracer can attach to
 * its pid. Prints one line on stdout:
 *   SSL_CALLS SECONDS NS_PER_SSL_CALL
 * (two SSL calls per round: an SSL_write and an SSL_read). Exit status 1
 * when a call fails.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "bench_wait.h"

static void usage(void)
{
	fprintf(stderr, "usage: tlsloop --cert FILE --key FILE [--calls N] [--size BYTES] [--wait]\n");
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "tlsloop: %s failed\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *accept_tls(void *ssl)
{
	return SSL_accept(ssl) == 1 ? ssl : NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "calls", required_argument, NULL, 'n' }, { "size", required_argument, NULL, 's' },
		{ "wait", no_argument, NULL, 'w' },        { NULL, 0, NULL, 0 },
	};
	const char *cert = NULL, *key = NULL;
	long rounds = 100000, size = 64;
	int wait = 0, c, lfd, cfd, sfd;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	SSL_CTX *sctx, *cctx;
	SSL *srv, *cli;
	pthread_t th;
	void *accepted;
	char *buf;
	double t0, t1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'n': rounds = atol(optarg) / 2; break;
		case 's': size = atol(optarg); break;
		case 'w': wait = 1; break;
		default: usage();
		}
	}
	if (!cert || !key || rounds < 1 || size < 1 || size > (1 << 20) || optind != argc)
		usage();
	buf = malloc((size_t)size);
	if (!buf)
		die("malloc");
	memset(buf, 'x', (size_t)size);
	sctx = SSL_CTX_new(TLS_server_method());
	cctx = SSL_CTX_new(TLS_client_method());
	if (!sctx || !cctx || SSL_CTX_use_certificate_file(sctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) != 1)
		die("loading the certificate");
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, alen) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("listening on 127.0.0.1");
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&a, alen) || (sfd = accept(lfd, NULL, NULL)) < 0)
		die("connecting");
	/* Small writes go out at once, not held back for the last one's ACK. */
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	srv = SSL_new(sctx);
	cli = SSL_new(cctx);
	if (!srv || !cli || SSL_set_fd(srv, sfd) != 1 || SSL_set_fd(cli, cfd) != 1 ||
	    pthread_create(&th, NULL, accept_tls, srv))
		die("SSL_new");
	if (SSL_connect(cli) != 1 || pthread_join(th, &accepted) || !accepted)
		die("the handshake");
	if (wait)
		bench_wait_usr1();
	t0 = now_s();
	for (long i = 0; i < rounds; i++) {
		if (SSL_write(cli, buf, (int)size) != (int)size)
			die("SSL_write");
		for (long got = 0; got < size;) {
			int r = SSL_read(srv, buf, (int)(size - got));

			if (r <= 0)
				die("SSL_read");
			got += r;
		}
	}
	t1 = now_s();
	printf("%ld %.3f %.1f\n", rounds * 2, t1 - t0, (t1 - t0) * 1e9 / (double)(rounds * 2));
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-replay export --tcp: every TLS conversation as a synthetic TCP stream
 * (Ethernet, IPv4 or IPv6, TCP) in pcapng, so that Wireshark's own HTTP and
 * HTTP/2 dissectors read the plaintext the recording holds.
 *
 * A conversation is a connection of the tls_conn records (the socket
 * inode), with the addresses and ports they recorded. Its stream opens
 * with SYN, SYN-ACK, ACK just before its first call (the side that sent
 * first taken as the client, as HTTP's clients do), carries each TLS piece
 * (at most 4096 bytes) as one segment with the right sequence and
 * acknowledgement numbers, each acknowledged by the other side, and closes
 * with FIN, FIN-ACK, ACK when its process exits (or at the input's end).
 * Where no address was recorded (format version 1 files, where the calls
 * of one process are one conversation; an unknown family; AF_UNIX), the
 * addresses are synthetic and say so by their ranges: the recording
 * process 192.0.2.N (TEST-NET-1, RFC 5737), its peer 198.51.100.N
 * (TEST-NET-2), the client's port 40000+N, the server's 443.
 * MAC addresses are 02:00:00:00:00:01 (client) and :02 (server).
 *
 * Memory: one slot per open conversation, at most EXP_TCP_CONNS (the one
 * used longest ago is closed first), and one packet buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "pcapng.h"

#define EXP_TCP_CONNS 4096
#define LINKTYPE_ETHERNET 1u
#define PKT_MAX (14 + 40 + 20 + AA_TLS_PAYLOAD_MAX)
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* One end of a stream: address, port, next sequence number. */
struct end {
	uint8_t addr[16];
	uint16_t port;
	uint32_t seq;
	uint8_t mac;
};

struct conv {
	uint64_t key;        /* 0: free */
	uint32_t pid;
	int v6;
	int open;            /* the handshake was written */
	uint64_t last_ns;
	struct end cli, srv;
	int local_is_client; /* the recording process's side */
};

struct tcp_out {
	FILE *out;
	struct conv *conv;
	size_t nconv;
	uint16_t ip_id;
	uint32_t synthetic; /* conversations given synthetic addresses */
	uint8_t buf[AA_EPB_HEAD + PKT_MAX + 8];
};

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

/* One segment from a to b, with data[0..len), at time_ns; advances a's seq. */
static void segment(struct tcp_out *t, const struct conv *c, struct end *a, const struct end *b,
		    uint8_t flags, const uint8_t *data, size_t len, uint64_t time_ns)
{
	uint8_t *pkt = t->buf + AA_EPB_HEAD, *ip = pkt + 14, *tcp;
	size_t iplen = c->v6 ? 40 : 20, n = 14 + iplen + 20 + len;
	uint32_t sum;

	memset(pkt, 0, 14 + iplen + 20);
	memcpy(pkt, (const uint8_t[]){ 2, 0, 0, 0, 0, b->mac }, 6);
	memcpy(pkt + 6, (const uint8_t[]){ 2, 0, 0, 0, 0, a->mac }, 6);
	be16(pkt + 12, c->v6 ? 0x86dd : 0x0800);
	if (c->v6) {
		ip[0] = 0x60;
		be16(ip + 4, (uint16_t)(20 + len));
		ip[6] = 6; /* TCP */
		ip[7] = 64;
		memcpy(ip + 8, a->addr, 16);
		memcpy(ip + 24, b->addr, 16);
	} else {
		ip[0] = 0x45;
		be16(ip + 2, (uint16_t)(20 + 20 + len));
		be16(ip + 4, t->ip_id++);
		ip[6] = 0x40; /* don't fragment */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, a->addr, 4);
		memcpy(ip + 16, b->addr, 4);
		be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	}
	tcp = ip + iplen;
	be16(tcp, a->port);
	be16(tcp + 2, b->port);
	be32(tcp + 4, a->seq);
	be32(tcp + 8, flags & TCP_ACK ? b->seq : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	be16(tcp + 14, 65535);
	memcpy(tcp + 20, data, len);
	/* the pseudo-header: addresses, protocol, TCP length */
	sum = c->v6 ? csum_add(0, ip + 8, 32) : csum_add(0, ip + 12, 8);
	sum += 6 + (uint32_t)(20 + len);
	be16(tcp + 16, csum_fold(csum_add(sum, tcp, 20 + len)));
	a->seq += (uint32_t)len + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
	n = aa_pcapng_epb_frame(t->buf, time_ns, (uint32_t)n);
	fwrite_unlocked(t->buf, 1, n, t->out);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static void close_conv(struct tcp_out *t, struct conv *c)
{
	uint64_t at = c->last_ns;

	if (c->key && c->open) {
		segment(t, c, &c->cli, &c->srv, TCP_FIN | TCP_ACK, NULL, 0, at);
		segment(t, c, &c->srv, &c->cli, TCP_FIN | TCP_ACK, NULL, 0, at);
		segment(t, c, &c->cli, &c->srv, TCP_ACK, NULL, 0, at);
	}
	c->key = 0;
}

/* The endpoints of a new conversation, recorded or synthetic. */
static void set_ends(struct tcp_out *t, struct conv *c, const struct aa_tls_conn_event *tc,
		     unsigned direction)
{
	struct end local = { .port = 0 }, peer = { .port = 0 };
	uint64_t h = mix64(c->key);

	if (tc && (tc->family == 2 || tc->family == 10) && tc->local_port && tc->peer_port) {
		c->v6 = tc->family == 10;
		memcpy(local.addr, tc->local_addr, 16);
		memcpy(peer.addr, tc->peer_addr, 16);
		local.port = tc->local_port;
		peer.port = tc->peer_port;
	} else { /* the Nth such conversation: 192.0.2.N:40000+N to 198.51.100.N:443 */
		uint32_t n = t->synthetic++;

		c->v6 = 0;
		memcpy(local.addr, (const uint8_t[]){ 192, 0, 2, (uint8_t)(1 + n % 254) }, 4);
		memcpy(peer.addr, (const uint8_t[]){ 198, 51, 100, (uint8_t)(1 + n % 254) }, 4);
		local.port = peer.port = 443;
		*(direction == AA_TLS_WRITE ? &local.port : &peer.port) = (uint16_t)(40001 + n % 20000);
	}
	/* HTTP's clients speak first */
	c->local_is_client = direction == AA_TLS_WRITE;
	c->cli = c->local_is_client ? local : peer;
	c->srv = c->local_is_client ? peer : local;
	c->cli.mac = 1;
	c->srv.mac = 2;
	c->cli.seq = (uint32_t)h;
	c->srv.seq = (uint32_t)(h >> 32);
}

/* The conversation of a TLS piece: its slot, opened (handshake) if new. */
static struct conv *conv_of(struct tcp_out *t, const struct aa_record *rec)
{
	const struct aa_tls_event *e = rec->ev.tls;
	const struct aa_tls_conn_event *tc = rec->joins ? rec->joins->tls_conn : NULL;
	/* a socket, or (no connection recorded) the process's calls */
	uint64_t key = tc && tc->conn ? tc->conn << 1 : ((uint64_t)e->pid << 1 | 1);
	size_t i = mix64(key) % t->nconv, victim = i;

	for (size_t k = 0; k < t->nconv; k++, i = (i + 1) % t->nconv) {
		if (t->conv[i].key == key)
			return &t->conv[i];
		if (!t->conv[i].key)
			break;
		if (t->conv[i].last_ns < t->conv[victim].last_ns)
			victim = i;
	}
	if (t->conv[i].key) /* full: the one used longest ago ends */
		i = victim;
	close_conv(t, &t->conv[i]);
	struct conv *c = &t->conv[i];
	*c = (struct conv){ .key = key, .pid = e->pid, .last_ns = rec->time_ns };
	set_ends(t, c, tc, e->direction);
	/* the handshake, just before the first call */
	uint64_t at = rec->time_ns >= 3000 ? rec->time_ns - 3000 : 0;
	segment(t, c, &c->cli, &c->srv, TCP_SYN, NULL, 0, at);
	segment(t, c, &c->srv, &c->cli, TCP_SYN | TCP_ACK, NULL, 0, at + 1000);
	segment(t, c, &c->cli, &c->srv, TCP_ACK, NULL, 0, at + 2000);
	c->open = 1;
	return c;
}

static void on_tls(struct tcp_out *t, const struct aa_record *rec)
{
	const struct aa_tls_event *e = rec->ev.tls;
	uint32_t len = aa_tls_piece_len(e);
	struct conv *c;
	struct end *from, *to;

	if (!len)
		return;
	c = conv_of(t, rec);
	c->last_ns = rec->time_ns;
	/* the recording process sent a write, received a read */
	int local_sent = e->direction == AA_TLS_WRITE;
	int from_client = local_sent == c->local_is_client;
	from = from_client ? &c->cli : &c->srv;
	to = from_client ? &c->srv : &c->cli;
	segment(t, c, from, to, TCP_PSH | TCP_ACK, e->payload, len, rec->time_ns);
	segment(t, c, to, from, TCP_ACK, NULL, 0, rec->time_ns);
}

/* A process's exit closes its conversations. */
static void on_exit_rec(struct tcp_out *t, const struct aa_record *rec)
{
	for (size_t i = 0; i < t->nconv; i++)
		if (t->conv[i].key && t->conv[i].pid == rec->ev.exit->pid) {
			t->conv[i].last_ns = rec->time_ns;
			close_conv(t, &t->conv[i]);
		}
}

int export_tcp(struct cli_input *in, FILE *out)
{
	uint8_t blk[AA_SMALL_BLOCK_MAX];
	struct aa_shb_info shb = { .userappl = "TLS as TCP by " CLI_PROG " " AA_VERSION " (export --tcp)" };
	const struct aa_record *rec;
	struct tcp_out *t = calloc(1, sizeof(*t));
	int status = CLI_OK;
	size_t n;

	if (!t || !(t->conv = calloc(EXP_TCP_CONNS, sizeof(*t->conv)))) {
		free(t);
		cli_err("out of memory");
		return CLI_USAGE;
	}
	t->out = out;
	t->nconv = EXP_TCP_CONNS;
	n = aa_pcapng_shb(blk, &shb);
	fwrite(blk, 1, n, out);
	n = aa_pcapng_idb(blk, LINKTYPE_ETHERNET, 65535, "aa-tls",
			  "TLS plaintext of an aa recording as synthetic TCP streams");
	fwrite(blk, 1, n, out);
	while (cli_next(in, &rec, &status) == 1) {
		if (rec->ev.error)
			continue;
		if (rec->ev.type == AA_TYPE_TLS)
			on_tls(t, rec);
		else if (rec->ev.type == AA_TYPE_EXIT)
			on_exit_rec(t, rec);
		if (ferror_unlocked(out))
			break;
	}
	for (size_t i = 0; i < t->nconv; i++)
		close_conv(t, &t->conv[i]);
	free(t->conv);
	free(t);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * aa-replay export --tcp: every TLS conversation as a synthetic TCP stream
 * (Ethernet, IPv4 or IPv6, TCP) in pcapng, so that Wireshark's own HTTP and
 * HTTP/2 dissectors read the plaintext the recording holds.
 *
 * The conversations and their whole calls, in order, come from aa_follow
 * (aa_follow.h, raw: no HTTP decoding): a connection of the tls_conn
 * records (the socket inode) with the addresses and ports they recorded,
 * or, where none was recorded, the calls of one process. A stream opens
 * with SYN, SYN-ACK, ACK just before its first call (the side that sent
 * first taken as the client, as HTTP's clients do), carries each call in
 * segments of at most SEG_MAX bytes with the right sequence and
 * acknowledgement numbers, each acknowledged by the other side, and closes
 * with FIN, FIN-ACK, ACK at its last call's time when aa_follow ends it
 * (the input's end). Bytes of a call whose pieces the recording lost are a
 * gap in the sequence numbers after what came of that call, acknowledged
 * by the other side, which did receive them (Wireshark: "ACKed segment
 * that wasn't captured"), never made up.
 *
 * Where no address was recorded (format version 1 files; an unknown
 * family; AF_UNIX) the addresses are synthetic and say so by their ranges:
 * the recording process 192.0.2.N (TEST-NET-1, RFC 5737), its peer
 * 198.51.100.N (TEST-NET-2), the client's port 40000+N, the server's 443.
 * MAC addresses are 02:00:00:00:00:01 (client) and :02 (server).
 *
 * Memory: one slot per open conversation (aa_follow keeps at most
 * AA_FOLLOW_MAX_CONNS open; so does this), and one packet buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "aa_follow.h"
#include "export.h"
#include "pcapng.h"

#define EXP_TCP_CONNS AA_FOLLOW_MAX_CONNS
#define SEG_MAX 65495u /* the most one IPv4 packet carries over TCP */
#define LINKTYPE_ETHERNET 1u
#define PKT_MAX (14 + 40 + 20 + SEG_MAX)
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
	int failed;         /* a write failed: stop */
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
	if (len) /* data is NULL for a bare SYN, ACK or FIN */
		memcpy(tcp + 20, data, len);
	/* the pseudo-header: addresses, protocol, TCP length */
	sum = c->v6 ? csum_add(0, ip + 8, 32) : csum_add(0, ip + 12, 8);
	sum += 6 + (uint32_t)(20 + len);
	be16(tcp + 16, csum_fold(csum_add(sum, tcp, 20 + len)));
	a->seq += (uint32_t)len + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
	n = aa_pcapng_epb_frame(t->buf, time_ns, (uint32_t)n);
	if (fwrite_unlocked(t->buf, 1, n, t->out) != n)
		t->failed = 1;
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

/* The endpoints of a new conversation, recorded or synthetic. */
static void set_ends(struct tcp_out *t, struct conv *c, const struct aa_follow_conn *fc, unsigned direction)
{
	struct end local = { .port = 0 }, peer = { .port = 0 };
	uint64_t h = aa_export_mix64(c->key);

	if ((fc->family == 2 || fc->family == 10) && fc->local_port && fc->peer_port) {
		c->v6 = fc->family == 10;
		memcpy(local.addr, fc->local_addr, 16);
		memcpy(peer.addr, fc->peer_addr, 16);
		local.port = fc->local_port;
		peer.port = fc->peer_port;
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

/* A connection's key: its socket, or (none recorded) its process's calls. */
static uint64_t key_of(const struct aa_follow_conn *fc)
{
	return fc->known ? fc->id << 1 : ((uint64_t)fc->pid << 1 | 1);
}

/* The slot of a connection: found, or (take) a free one, or the one used longest ago. */
static struct conv *slot_of(struct tcp_out *t, const struct aa_follow_conn *fc, int take)
{
	uint64_t key = key_of(fc);
	size_t i = aa_export_mix64(key) % t->nconv, victim = i;

	for (size_t k = 0; k < t->nconv; k++, i = (i + 1) % t->nconv) {
		if (t->conv[i].key == key)
			return &t->conv[i];
		if (!t->conv[i].key)
			break;
		if (t->conv[i].last_ns < t->conv[victim].last_ns)
			victim = i;
	}
	if (!take)
		return NULL;
	if (t->conv[i].key)
		i = victim;
	close_conv(t, &t->conv[i]);
	t->conv[i] = (struct conv){ .key = key };
	return &t->conv[i];
}

static int on_call(void *user, const struct aa_follow_call *call)
{
	struct tcp_out *t = user;
	struct conv *c = slot_of(t, call->conn, 1);
	struct end *from, *to;

	if (!c->open) { /* the handshake, just before the first call */
		uint64_t at = call->time_ns >= 3000 ? call->time_ns - 3000 : 0;

		set_ends(t, c, call->conn, call->direction);
		segment(t, c, &c->cli, &c->srv, TCP_SYN, NULL, 0, at);
		segment(t, c, &c->srv, &c->cli, TCP_SYN | TCP_ACK, NULL, 0, at + 1000);
		segment(t, c, &c->cli, &c->srv, TCP_ACK, NULL, 0, at + 2000);
		c->open = 1;
	}
	c->last_ns = call->time_ns;
	/* the recording process sent a write and received a read */
	int from_client = (call->direction == AA_TLS_WRITE) == c->local_is_client;
	from = from_client ? &c->cli : &c->srv;
	to = from_client ? &c->srv : &c->cli;
	for (size_t off = 0; off < call->len;) {
		size_t n = call->len - off < SEG_MAX ? call->len - off : SEG_MAX;

		segment(t, c, from, to, TCP_PSH | TCP_ACK, call->data + off, n, call->time_ns);
		segment(t, c, to, from, TCP_ACK, NULL, 0, call->time_ns);
		off += n;
	}
	from->seq += call->lost;
	return t->failed;
}

static int on_conn_end(void *user, const struct aa_follow_conn *fc)
{
	struct tcp_out *t = user;
	struct conv *c = slot_of(t, fc, 0);

	if (c)
		close_conv(t, c);
	return t->failed;
}

int export_tcp(struct cli_input *in, FILE *out)
{
	uint8_t blk[AA_SMALL_BLOCK_MAX];
	struct aa_shb_info shb = { .userappl = "TLS as TCP by " CLI_PROG " " AA_VERSION " (export --tcp)" };
	struct aa_follow_opts fo = { .raw = 1 };
	struct aa_follow_callbacks cb = { .on_call = on_call, .on_conn_end = on_conn_end };
	struct aa_error_info err;
	struct tcp_out *t = calloc(1, sizeof(*t));
	int status = CLI_OK, rc;
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
	rc = aa_follow(in->src, &fo, &cb, t, &err);
	if (rc < 0 && rc != AA_E_STOPPED) /* a write error (stopped) is the caller's to say */
		status = cli_read_failed(in, rc, &err);
	for (size_t i = 0; i < t->nconv; i++) /* any that aa_follow left open */
		close_conv(t, &t->conv[i]);
	free(t->conv);
	free(t);
	return status;
}

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS plaintext from OpenSSL's libssl: uprobes on SSL_write, SSL_read,
 * SSL_write_ex and SSL_read_ex save the buffer per thread at entry; the
 * uretprobe copies the bytes the call actually moved (the return value, or
 * *written / *readbytes for the _ex forms), split into 4096-byte pieces with
 * every piece emitted.
 */
#ifndef AA_TLS_BPF_H
#define AA_TLS_BPF_H

/* Calls larger than this many pieces (16 MiB) have the rest counted as drops. */
#define AA_TLS_MAX_PIECES 4096

struct tls_entry {
	__u64 buf;       /* user pointer to the plaintext */
	__u64 nbytes;    /* _ex: user pointer to the size_t byte count; else 0 */
	__u8 direction;  /* enum aa_tls_direction */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct tls_entry);
} TLS_ENTRIES SEC(".maps");

struct tls_call {
	__u64 buf;
	__u64 len;
	__u64 ts;
	__u64 pid_tgid;
	__u8 direction;
	const void *zero;
};

static long tls_piece(__u32 i, void *arg)
{
	struct tls_call *c = arg;
	struct aa_tls_event *e;
	__u64 n = c->len - (__u64)i * AA_TLS_PAYLOAD_MAX;

	e = reserve(sizeof(*e), AA_DROP_TLS);
	if (!e)
		return 0; /* counted; the next pieces may still fit */
	bounded(n, AA_TLS_PAYLOAD_MAX);
	e->timestamp_ns = c->ts;
	e->pid = c->pid_tgid >> 32;
	e->tid = (__u32)c->pid_tgid;
	e->data_len = c->len;
	e->seq = i;
	e->direction = c->direction;
	__builtin_memset(e->_pad, 0, sizeof(e->_pad));
	if (n < AA_TLS_PAYLOAD_MAX)
		bpf_probe_read_kernel(e->payload, AA_TLS_PAYLOAD_MAX, c->zero);
	bpf_probe_read_user(e->payload, n, (const void *)(c->buf + (__u64)i * AA_TLS_PAYLOAD_MAX));
	submit(e);
	return 0;
}

static __always_inline int tls_enter(const void *buf, __u64 nbytes, __u8 direction)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct tls_entry en = { .buf = (__u64)buf, .nbytes = nbytes, .direction = direction };

	if (!wanted(id >> 32))
		return 0;
	bpf_map_update_elem(&TLS_ENTRIES, &tid, &en, BPF_ANY);
	return 0;
}

static __always_inline int tls_return(int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, pieces;
	struct tls_entry *en = bpf_map_lookup_elem(&TLS_ENTRIES, &tid);
	struct tls_call c = {};

	if (!en)
		return 0;
	c.buf = en->buf;
	c.direction = en->direction;
	if (en->nbytes) { /* _ex: 1 on success, the count in *nbytes */
		__u64 n = 0;

		if (ret == 1)
			bpf_probe_read_user(&n, sizeof(n), (const void *)en->nbytes);
		c.len = n;
	} else {
		c.len = ret > 0 ? ret : 0;
	}
	bpf_map_delete_elem(&TLS_ENTRIES, &tid);
	if (c.len == 0 || c.len > 0xffffffffULL)
		return 0;
	c.zero = zeros();
	if (!c.zero)
		return 0;
	c.ts = bpf_ktime_get_ns();
	c.pid_tgid = id;
	pieces = (c.len + AA_TLS_PAYLOAD_MAX - 1) / AA_TLS_PAYLOAD_MAX;
	if (pieces > AA_TLS_MAX_PIECES) {
		__u32 slot = AA_DROP_TLS;
		__u64 *d = bpf_map_lookup_elem(&DROPS, &slot);

		if (d)
			*d += pieces - AA_TLS_MAX_PIECES;
		pieces = AA_TLS_MAX_PIECES;
	}
	bpf_loop(pieces, tls_piece, &c, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_write, void *ssl, const void *buf, int num)
{
	return tls_enter(buf, 0, AA_TLS_WRITE);
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_read, void *ssl, void *buf, int num)
{
	return tls_enter(buf, 0, AA_TLS_READ);
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_write_ex, void *ssl, const void *buf, size_t num, size_t *written)
{
	return tls_enter(buf, (__u64)written, AA_TLS_WRITE);
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_read_ex, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return tls_enter(buf, (__u64)readbytes, AA_TLS_READ);
}

/* One return probe serves all four (each returns int; the upper half of
 * rax is not part of it): the entry says which kind it was. */
SEC("uretprobe")
int BPF_KRETPROBE(aa_ssl_ret, int ret)
{
	return tls_return(ret);
}

#endif /* AA_TLS_BPF_H */

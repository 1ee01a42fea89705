/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS plaintext from a TLS library's send and receive calls: uprobes save
 * the buffer per thread at entry; the uretprobe copies the bytes the call
 * actually moved (the return value, or *written / *readbytes for OpenSSL's
 * _ex forms), split into 4096-byte pieces with every piece emitted. Here
 * OpenSSL's (and BoringSSL's) SSL_write, SSL_read, SSL_write_ex and
 * SSL_read_ex; gnutls.bpf.h adds GnuTLS on the same path.
 *
 * Before the pieces, a tls_conn record says which connection the call used.
 * The library's structures are not read: while a thread is inside a TLS
 * call, its first socket syscall (tls_sys_enter) names the fd; the fd is
 * kept per session pointer (SSL *, gnutls_session_t: TLS_FDS) for the calls
 * that move only buffered bytes and make no syscall. The socket's id and
 * addresses are read at the call's return.
 */
#ifndef AA_TLS_BPF_H
#define AA_TLS_BPF_H

/* Calls larger than this many pieces (16 MiB) have the rest counted as drops. */
#define AA_TLS_MAX_PIECES 4096

struct tls_entry {
	__u64 buf;       /* user pointer to the plaintext */
	__u64 nbytes;    /* _ex: user pointer to the size_t byte count; else 0 */
	__u64 ssl;       /* the session: SSL *, gnutls_session_t */
	__u64 file;      /* the struct file * of fd, as that syscall found it */
	__s32 fd;        /* the socket of the call's first socket syscall; -1 none yet */
	__u8 direction;  /* enum aa_tls_direction */
	__u8 lib;        /* enum aa_tls_lib */
	__u8 live;       /* 1 from the call's entry to its return; 0 none */
};

/* Per thread (common.bpf.h): the call in progress. */
AA_TASK_ENTRIES(TLS_ENTRIES, struct tls_entry);

/* The fd a session was last seen using, per process. */
struct tls_fd_key {
	__u64 ssl;
	__u32 tgid;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tls_fd_key);
	__type(value, __s32);
} TLS_FDS SEC(".maps");

/* Set by user space before load: which of the two records a call gives. */
const volatile bool cfg_emit_tls = true;
const volatile bool cfg_emit_tls_conn = true;

/* From aa_sys_enter (syscalls.bpf.h) when TLS is recorded, for the socket
 * syscalls an SSL call may move its bytes with (fd first: read, write,
 * readv, writev, sendto, recvfrom, sendmsg, recvmsg) when tls_conn
 * records are wanted, and for mmap (tls_hold.bpf.h). */
static __always_inline void tls_sys_enter(struct pt_regs *regs, long nr)
{
	struct tls_entry *en;
	struct file *f;
	int fd;

	if (nr == NR_mmap) {
		tls_hold_mmap(regs);
		return;
	}
	en = task_entry(TLS_ENTRIES, false);
	if (!en || !en->live || en->fd >= 0)
		return;
	fd = (int)PT_REGS_PARM1_SYSCALL(regs);
	f = fd_file(fd);
	if (file_sock(f, NULL)) {
		en->fd = fd;
		en->file = (__u64)f;
	}
}

/* The call's fd: the one its syscalls used, kept for the SSL * (written
 * only when it changes: an update costs far more than a lookup); or, when
 * it made none, the one kept; -1 unknown. */
static __always_inline __s32 tls_conn_fd(const struct tls_entry *en, __u32 tgid)
{
	struct tls_fd_key k = { .ssl = en->ssl, .tgid = tgid };
	__s32 *known = bpf_map_lookup_elem(&TLS_FDS, &k);

	if (en->fd < 0)
		return known ? *known : -1;
	if (!known || *known != en->fd)
		bpf_map_update_elem(&TLS_FDS, &k, &en->fd, BPF_ANY);
	return en->fd;
}

/* The call's connection record, before its pieces (same pid, tid, time). */
static __always_inline void tls_conn_emit(const struct tls_entry *en, __s32 fd, __u64 id, __u64 ts, __u32 len)
{
	struct aa_tls_conn_event *e;
	struct sock_info si = {};

	if (fd >= 0) /* the file its syscall used, or (none made) the fd's now */
		sock_info_of(en->fd == fd ? (struct file *)en->file : fd_file(fd), &si);
	e = reserve(sizeof(*e), AA_DROP_TLS_CONN);
	if (!e)
		return;
	e->timestamp_ns = ts;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->conn = si.conn;
	e->fd = si.conn ? fd : -1;
	e->family = si.family;
	e->lib = en->lib;
	e->direction = en->direction;
	__builtin_memcpy(e->local_addr, si.local_addr, sizeof(e->local_addr));
	__builtin_memcpy(e->peer_addr, si.peer_addr, sizeof(e->peer_addr));
	e->local_port = si.local_port;
	e->peer_port = si.peer_port;
	e->data_len = len;
	e->ssl = en->ssl;
	submit(e);
}

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

/* The current thread's call: en (live) in TLS_ENTRIES; false when there is no room. */
static __always_inline bool tls_begin(const struct tls_entry *en)
{
	struct tls_entry *slot = task_entry(TLS_ENTRIES, true);

	if (!slot)
		return false;
	*slot = *en;
	return true;
}

static __always_inline int tls_enter(const void *ssl, const void *buf, __u64 nbytes, __u8 direction, __u8 lib)
{
	struct tls_entry en = { .buf = (__u64)buf, .nbytes = nbytes, .ssl = (__u64)ssl, .fd = -1,
				.direction = direction, .lib = lib, .live = 1 };

	if (!wanted(current_tgid()))
		return 0;
	tls_begin(&en);
	return 0;
}

/* ret: the call's return value, sign-extended from its C type. */
static __always_inline int tls_return(__s64 ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_entry *en = task_entry(TLS_ENTRIES, false);
	struct tls_call c = {};
	__s32 fd = -1;
	__u32 pieces;

	if (!en || !en->live)
		return 0;
	if (en->nbytes) { /* _ex: 1 on success, the count in *nbytes */
		__u64 n = 0;

		if (ret == 1)
			bpf_probe_read_user(&n, sizeof(n), (const void *)en->nbytes);
		c.len = n;
	} else {
		c.len = ret > 0 ? (__u64)ret : 0;
	}
	if (cfg_emit_tls_conn) /* also for calls that moved no plaintext */
		fd = tls_conn_fd(en, id >> 32);
	if (c.len == 0 || c.len > 0xffffffffULL)
		goto out;
	c.zero = zeros();
	if (!c.zero)
		goto out;
	c.buf = en->buf;
	c.direction = en->direction;
	c.ts = bpf_ktime_get_ns();
	c.pid_tgid = id;
	if (cfg_emit_tls_conn)
		tls_conn_emit(en, fd, id, c.ts, c.len);
	en->live = 0;
	if (!cfg_emit_tls)
		return 0;
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
out:
	en->live = 0;
	return 0;
}

/* The library an OpenSSL-API probe is in (openssl or boringssl): its
 * attach cookie, set by user space per file. */
static __always_inline __u8 tls_cookie_lib(void *ctx)
{
	__u64 lib = bpf_get_attach_cookie(ctx);

	return lib ? (__u8)lib : AA_TLS_LIB_OPENSSL;
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_write, void *ssl, const void *buf, int num)
{
	return tls_enter(ssl, buf, 0, AA_TLS_WRITE, tls_cookie_lib(ctx));
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_read, void *ssl, void *buf, int num)
{
	return tls_enter(ssl, buf, 0, AA_TLS_READ, tls_cookie_lib(ctx));
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_write_ex, void *ssl, const void *buf, size_t num, size_t *written)
{
	return tls_enter(ssl, buf, (__u64)written, AA_TLS_WRITE, tls_cookie_lib(ctx));
}

SEC("uprobe")
int BPF_KPROBE(aa_ssl_read_ex, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	return tls_enter(ssl, buf, (__u64)readbytes, AA_TLS_READ, tls_cookie_lib(ctx));
}

/* One return probe serves all four (each returns int; the upper half of
 * rax is not part of it): the entry says which kind it was. */
SEC("uretprobe")
int BPF_KRETPROBE(aa_ssl_ret, int ret)
{
	return tls_return(ret);
}

#endif /* AA_TLS_BPF_H */

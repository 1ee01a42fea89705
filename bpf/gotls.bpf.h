/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS plaintext from Go's crypto/tls: (*Conn).Write(b) and (*Conn).Read(b)
 * in Go programs (capture/gotls.h finds them, stripped or not). Go 1.17 and
 * later pass arguments and results in registers (amd64: receiver RAX, then
 * b's pointer RBX, length RCX; results n RAX, err RBX/RCX). The return side
 * is a plain uprobe on each RET of the function: a uretprobe rewrites the
 * return address, which Go's stack copying and unwinding cannot bear.
 *
 * Entry and return are matched by goroutine (its g pointer, R14 on amd64),
 * not by thread: a goroutine blocked in Read may resume on another thread.
 * At the return, the call becomes a TLS_ENTRIES entry of the current thread
 * and takes tls_return's path (tls.bpf.h): the same tls_conn record and
 * pieces as every stack, lib "go", the *Conn as the session. Its socket is
 * read from the Conn itself: Conn.conn is a net.Conn interface whose data
 * word, for a *net.TCPConn (or UnixConn), points to a netFD pointer; the
 * netFD starts with a poll.FD: fdMutex (16 bytes), then Sysfd. A conn of
 * another type (a wrapper) yields no socket, or the wrong one only if its
 * words happen to lead to a socket fd: the fd must be a socket to be kept.
 * TLS over TLS on one goroutine (the outer Write calling the inner) keeps
 * only the inner call.
 */
#ifndef AA_GOTLS_BPF_H
#define AA_GOTLS_BPF_H

struct go_tls_key {
	__u64 g; /* the goroutine */
	__u32 tgid;
	__u32 _pad;
};

struct go_tls_entry {
	__u64 conn; /* *tls.Conn */
	__u64 buf;
	__u8 direction;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_tls_key);
	__type(value, struct go_tls_entry);
} GO_TLS_ENTRIES SEC(".maps");

/* Go's internal ABI registers: argument/result i, and the goroutine. */
#if defined(__TARGET_ARCH_x86)
#define AA_GO_ABI 1
static __always_inline __u64 go_reg(const struct pt_regs *r, int i)
{
	switch (i) {
	case 0: return r->ax;
	case 1: return r->bx;
	default: return r->cx;
	}
}
#define go_g(r) ((r)->r14)
#elif defined(__TARGET_ARCH_arm64)
/* arm64 (Go 1.18 on): R0, R1, R2 ..., the goroutine in R28. Untested: the
 * capture is built and tested on x86-64 only so far. */
#define AA_GO_ABI 1
#define go_reg(r, i) ((r)->regs[(i)])
#define go_g(r) ((r)->regs[28])
#else
#define AA_GO_ABI 0 /* TODO: other machines' Go ABI; the probes record nothing */
#endif

static __always_inline int go_enter(struct pt_regs *ctx, __u8 direction)
{
#if AA_GO_ABI
	__u64 id = bpf_get_current_pid_tgid();
	struct go_tls_key k = { .g = go_g(ctx), .tgid = id >> 32 };
	struct go_tls_entry en = { .conn = go_reg(ctx, 0), .buf = go_reg(ctx, 1), .direction = direction };

	if (!wanted(k.tgid))
		return 0;
	/* (a call that grows its stack runs its entry twice: the same values) */
	bpf_map_update_elem(&GO_TLS_ENTRIES, &k, &en, BPF_ANY);
#endif
	return 0;
}

/* The socket fd under a *tls.Conn, or -1 (see above). */
static __always_inline __s32 go_conn_fd(__u64 conn, struct file **file)
{
	__u64 data = 0, netfd = 0;
	__s64 fd = -1;
	struct file *f;

	*file = NULL;
	if (bpf_probe_read_user(&data, sizeof(data), (const void *)(conn + 8)) || !data ||
	    bpf_probe_read_user(&netfd, sizeof(netfd), (const void *)data) || !netfd ||
	    bpf_probe_read_user(&fd, sizeof(fd), (const void *)(netfd + 16)) || fd < 0 || fd > 0x7fffffff)
		return -1;
	f = fd_file((int)fd);
	if (!file_sock(f, NULL))
		return -1;
	*file = f;
	return (__s32)fd;
}

SEC("uprobe")
int aa_go_write(struct pt_regs *ctx)
{
	return go_enter(ctx, AA_TLS_WRITE);
}

SEC("uprobe")
int aa_go_read(struct pt_regs *ctx)
{
	return go_enter(ctx, AA_TLS_READ);
}

/* On every RET of Write and Read: n in the first result register (bytes
 * written even when err is set, bytes read before an error). */
SEC("uprobe")
int aa_go_ret(struct pt_regs *ctx)
{
#if AA_GO_ABI
	struct go_tls_key k = { .g = go_g(ctx), .tgid = current_tgid() };
	struct go_tls_entry *g = bpf_map_lookup_elem(&GO_TLS_ENTRIES, &k);
	struct tls_entry en = { .fd = -1, .lib = AA_TLS_LIB_GO, .live = 1 };
	struct file *f = NULL;

	if (!g)
		return 0;
	en.buf = g->buf;
	en.ssl = g->conn;
	en.direction = g->direction;
	bpf_map_delete_elem(&GO_TLS_ENTRIES, &k);
	if (cfg_emit_tls_conn) {
		en.fd = go_conn_fd(en.ssl, &f);
		en.file = (__u64)f;
	}
	if (!tls_begin(&en))
		return 0;
	return tls_return((__s64)go_reg(ctx, 0));
#else
	return 0;
#endif
}

#endif /* AA_GOTLS_BPF_H */

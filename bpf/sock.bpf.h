/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Sockets seen from the kernel's side: the socket behind a file, its id (the
 * inode number /proc/PID/fd shows as socket:[N]), and its addresses from
 * sock->__sk_common (CO-RE), as getsockname/getpeername would give them.
 * Shared by the TLS connection records (tls.bpf.h) and connect/accept
 * (net.bpf.h).
 */
#ifndef AA_SOCK_BPF_H
#define AA_SOCK_BPF_H

#define AA_AF_UNIX 1
#define AA_AF_INET 2
#define AA_AF_INET6 10

/* One socket's identity and addresses, in the records' own encoding. */
struct sock_info {
	__u64 conn;          /* inode number; 0 not a socket */
	__u16 family;
	__u8 protocol;
	__u8 local_addr[16];
	__u8 peer_addr[16];
	__u16 local_port;    /* host order */
	__u16 peer_port;
};

/* The socket behind f, or NULL when f is not one; its inode number in
 * *ino when ino is not NULL. */
static __always_inline struct sock *file_sock(struct file *f, __u64 *ino)
{
	struct inode *inode;
	struct socket *s;

	if (!f)
		return NULL;
	inode = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & AA_S_IFMT) != AA_S_IFSOCK)
		return NULL;
	if (ino)
		*ino = BPF_CORE_READ(inode, i_ino);
	s = BPF_CORE_READ(f, private_data); /* a socket file's private data is its struct socket */
	return s ? BPF_CORE_READ(s, sk) : NULL;
}

/*
 * Fills si from the socket file f (si zeroed by the caller). The local side
 * of a socket that is not bound, and the peer of one not connected, stay 0.
 */
static __always_inline void sock_info_of(struct file *f, struct sock_info *si)
{
	__u64 ino = 0;
	struct sock *sk = file_sock(f, &ino);

	if (!sk)
		return;
	si->conn = ino;
	si->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	si->protocol = (__u8)BPF_CORE_READ(sk, sk_protocol);
	if (si->family == AA_AF_INET) {
		bpf_core_read(si->local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(si->peer_addr, 4, &sk->__sk_common.skc_daddr);
	} else if (si->family == AA_AF_INET6) {
		bpf_core_read(si->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(si->peer_addr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return; /* AF_UNIX and the rest: no ports */
	}
	/* inet_sport, as getsockname: a refused connect has given its bound
	 * port back (skc_num 0) and still shows it. */
	si->local_port = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	si->peer_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/*
 * The sun_path the AF_UNIX socket behind f is bound to, raw (an abstract
 * name starts with its NUL), into out[AA_UNIX_PATH_MAX] zeroed by the caller.
 * An accepted socket shares its listener's address.
 */
static __always_inline void sock_unix_path(struct file *f, __u8 *out)
{
	struct sock *sk = file_sock(f, NULL);
	struct unix_address *a;
	__u64 len;
	int whole;

	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != AA_AF_UNIX)
		return;
	a = BPF_CORE_READ((struct unix_sock *)sk, addr);
	if (!a)
		return;
	whole = BPF_CORE_READ(a, len); /* the sockaddr's: family, then sun_path */
	if (whole <= (int)__builtin_offsetof(struct sockaddr_un, sun_path))
		return;
	len = whole - __builtin_offsetof(struct sockaddr_un, sun_path);
	bounded(len, AA_UNIX_PATH_MAX);
	bpf_probe_read_kernel(out, len, a->name[0].sun_path);
}

#endif /* AA_SOCK_BPF_H */

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * connect, accept and accept4 from the raw syscall tracepoints, entry and
 * exit paired per thread as in fileio.bpf.h, one net record each.
 *
 * connect: the socket (conn, family, protocol, local side) as it is after
 *          the call; the peer is the address the program asked for, so a
 *          refused or failed connect (whose socket the kernel has reset) and
 *          a non-blocking one (-EINPROGRESS) still say where it went.
 * accept:  the new socket, both sides; fd is the listening socket's. A
 *          failed accept describes the listening socket, conn 0.
 */
#ifndef AA_NET_BPF_H
#define AA_NET_BPF_H

struct net_entry {
	__u64 ts;
	__u64 addr;     /* connect: user pointer to the sockaddr */
	__u32 addrlen;
	__s32 fd;
	__s32 nr;       /* -1: none (done) */
};

/* Per thread (common.bpf.h). */
AA_TASK_ENTRIES(NET_ENTRIES, struct net_entry);

/* From aa_sys_enter (syscalls.bpf.h), for connect, accept and accept4. */
static __always_inline int net_enter(struct pt_regs *regs, long nr)
{
	struct net_entry e = {}, *slot;

	if (!wanted(current_tgid()))
		return 0;
	e.nr = nr;
	e.fd = (int)PT_REGS_PARM1_SYSCALL(regs);
	if (nr == NR_connect) {
		e.addr = PT_REGS_PARM2_SYSCALL(regs);
		e.addrlen = PT_REGS_PARM3_SYSCALL(regs);
	}
	e.ts = bpf_ktime_get_ns();
	slot = task_entry(NET_ENTRIES, true);
	if (slot)
		*slot = e;
	else
		count_drop(AA_DROP_NET);
	return 0;
}

/* The sockaddr connect was given: peer address and port, or sun_path. */
static __always_inline void net_peer_arg(const struct net_entry *en, struct aa_net_event *e)
{
	__u16 family = 0;
	__u64 n;

	if (!en->addr || en->addrlen < sizeof(family) ||
	    bpf_probe_read_user(&family, sizeof(family), (const void *)en->addr))
		return;
	if (!e->family)
		e->family = family;
	if (family == AA_AF_INET && en->addrlen >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in a = {};

		bpf_probe_read_user(&a, sizeof(a), (const void *)en->addr);
		__builtin_memcpy(e->peer_addr, &a.sin_addr, 4);
		e->peer_port = bpf_ntohs(a.sin_port);
	} else if (family == AA_AF_INET6 && en->addrlen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 a = {};

		bpf_probe_read_user(&a, sizeof(a), (const void *)en->addr);
		__builtin_memcpy(e->peer_addr, &a.sin6_addr, 16);
		e->peer_port = bpf_ntohs(a.sin6_port);
	} else if (family == AA_AF_UNIX) {
		/* The bytes after the family, as many as addrlen says (an
		 * abstract name is exactly those); a path ends at its NUL. */
		n = en->addrlen - sizeof(family);
		bounded(n, AA_UNIX_PATH_MAX);
		bpf_probe_read_user(e->unix_path, n, (const void *)(en->addr + sizeof(family)));
		if (e->unix_path[0]) {
			bool end = false;

			for (int i = 1; i < AA_UNIX_PATH_MAX; i++) {
				end = end || !e->unix_path[i];
				if (end)
					e->unix_path[i] = 0;
			}
		}
	}
}

/* From aa_sys_exit (syscalls.bpf.h), for connect, accept and accept4. */
static __always_inline int net_exit(long nr, long ret)
{
	struct net_entry *en = task_entry(NET_ENTRIES, false);
	struct aa_net_event *e;
	struct sock_info si = {};
	struct file *f;
	__u64 id, now;

	if (!en || en->nr < 0)
		return 0;
	if (en->nr != nr)
		goto out;
	now = bpf_ktime_get_ns();
	id = bpf_get_current_pid_tgid();
	e = reserve(sizeof(*e), AA_DROP_NET);
	if (!e)
		goto out;
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp_ns = en->ts;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->return_code = ret;
	e->duration_ns = now - en->ts;
	e->fd = en->fd;
	if (nr == NR_connect) {
		e->syscall = AA_NET_CONNECT;
		f = fd_file(en->fd);
	} else {
		e->syscall = AA_NET_ACCEPT;
		f = fd_file(ret >= 0 ? ret : en->fd);
	}
	sock_info_of(f, &si);
	e->conn = nr == NR_connect || ret >= 0 ? si.conn : 0;
	e->family = si.family;
	e->protocol = si.protocol;
	__builtin_memcpy(e->local_addr, si.local_addr, sizeof(e->local_addr));
	e->local_port = si.local_port;
	if (nr == NR_connect) {
		net_peer_arg(en, e);
	} else {
		if (ret >= 0) {
			__builtin_memcpy(e->peer_addr, si.peer_addr, sizeof(e->peer_addr));
			e->peer_port = si.peer_port;
		}
		sock_unix_path(f, e->unix_path);
	}
	submit_at(e, now);
out:
	en->nr = -1;
	return 0;
}

#endif /* AA_NET_BPF_H */

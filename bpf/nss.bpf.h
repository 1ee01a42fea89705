/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS plaintext from NSS: NSPR's PR_Write, PR_Read, PR_Send and PR_Recv
 * (fd, buf, amount, ...) serve every kind of file descriptor, so only those
 * on an NSS TLS socket are taken: SSL_ImportFD's return value (the
 * PRFileDesc * the program then uses, NSS's SSL layer pushed onto it) is
 * noted per process in NSS_FDS, and forgotten at PR_Close. The calls then
 * take the path of tls.bpf.h, the PRFileDesc * as their session.
 */
#ifndef AA_NSS_BPF_H
#define AA_NSS_BPF_H

struct nss_fd_key {
	__u64 fd; /* PRFileDesc * */
	__u32 tgid;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct nss_fd_key);
	__type(value, __u8);
} NSS_FDS SEC(".maps");

static __always_inline struct nss_fd_key nss_key(const void *fd)
{
	struct nss_fd_key k = { .fd = (__u64)fd, .tgid = current_tgid() };

	return k;
}

SEC("uretprobe")
int BPF_KRETPROBE(aa_nss_import_ret, void *fd)
{
	struct nss_fd_key k = nss_key(fd);
	__u8 one = 1;

	if (fd && wanted(k.tgid))
		bpf_map_update_elem(&NSS_FDS, &k, &one, BPF_ANY);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(aa_nss_close, void *fd)
{
	struct nss_fd_key k = nss_key(fd);

	bpf_map_delete_elem(&NSS_FDS, &k);
	return 0;
}

static __always_inline int nss_enter(const void *fd, const void *buf, __u8 direction)
{
	struct nss_fd_key k = nss_key(fd);

	if (!bpf_map_lookup_elem(&NSS_FDS, &k))
		return 0;
	return tls_enter(fd, buf, 0, direction, AA_TLS_LIB_NSS);
}

/* PR_Write and PR_Send (their first two arguments alike) */
SEC("uprobe")
int BPF_KPROBE(aa_nss_write, void *fd, const void *buf)
{
	return nss_enter(fd, buf, AA_TLS_WRITE);
}

/* PR_Read and PR_Recv */
SEC("uprobe")
int BPF_KPROBE(aa_nss_read, void *fd, void *buf)
{
	return nss_enter(fd, buf, AA_TLS_READ);
}

/* PRInt32: the bytes moved, or -1. A call on another kind of fd left no
 * entry: tls_return returns at once. */
SEC("uretprobe")
int BPF_KRETPROBE(aa_nss_ret, int ret)
{
	return tls_return(ret);
}

#endif /* AA_NSS_BPF_H */

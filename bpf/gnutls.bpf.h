/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS plaintext from GnuTLS: gnutls_record_send and gnutls_record_recv
 * (session, data, size) return the bytes moved as ssize_t. They take the
 * path of tls.bpf.h: the same entry per thread, the connection from the
 * socket syscalls made inside the call (GnuTLS's default transport is
 * send/recv on the session's fd), kept per gnutls_session_t.
 */
#ifndef AA_GNUTLS_BPF_H
#define AA_GNUTLS_BPF_H

SEC("uprobe")
int BPF_KPROBE(aa_gnutls_send, void *session, const void *data, size_t size)
{
	return tls_enter(session, data, 0, AA_TLS_WRITE, AA_TLS_LIB_GNUTLS);
}

SEC("uprobe")
int BPF_KPROBE(aa_gnutls_recv, void *session, void *data, size_t size)
{
	return tls_enter(session, data, 0, AA_TLS_READ, AA_TLS_LIB_GNUTLS);
}

SEC("uretprobe")
int BPF_KRETPROBE(aa_gnutls_ret, long ret)
{
	return tls_return(ret);
}

#endif /* AA_GNUTLS_BPF_H */

// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The BPF side of aa: one object, one skeleton (build/aa.skel.h), embedded in
 * libaa. Each concern lives in its own header, included here so that every
 * program shares the one EVENTS ring buffer, the DROPS counters and the
 * filters without a BPF link step:
 *   common.bpf.h  maps, load-time settings, filters, reservation with drop count
 *   strings.bpf.h string records: long or exact strings, in pieces
 *   argv.bpf.h    string records of an argv read from the user's pointer array
 *   path.bpf.h    path of an open file from the kernel's dentries and mounts
 *   proc.bpf.h    exec, exit, fork, failed execs: exec, exit and task records
 *   fileio.bpf.h  openat/read/write/unlink/rename, entry and exit paired
 *   sock.bpf.h    a socket file's id and addresses
 *   tls_hold.bpf.h programs mapping files not yet looked at for TLS stacks,
 *                 held until user space has probed them
 *   tls.bpf.h     OpenSSL SSL_read/SSL_write(_ex) plaintext via uprobes, and
 *                 the connection of each call
 *   gnutls.bpf.h  GnuTLS gnutls_record_send/recv on the same path
 *   nss.bpf.h     NSS: PR_Write/PR_Read/PR_Send/PR_Recv on SSL_ImportFD's sockets
 *   gotls.bpf.h   Go crypto/tls (*Conn).Write/Read, the return on each RET
 *   net.bpf.h     connect, accept and accept4
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "events.h"

#include "common.bpf.h"
#include "strings.bpf.h"
#include "argv.bpf.h"
#include "path.bpf.h"
#include "proc.bpf.h"
#include "fileio.bpf.h"
#include "sock.bpf.h"
#include "tls_hold.bpf.h"
#include "tls.bpf.h"
#include "gnutls.bpf.h"
#include "nss.bpf.h"
#include "gotls.bpf.h"
#include "net.bpf.h"

/* GPL: bpf_probe_read_user/kernel and bpf_loop are GPL-only helpers. */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

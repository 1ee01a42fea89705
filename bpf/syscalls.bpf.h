/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The raw syscall tracepoints' two programs. Every syscall of the machine
 * runs each program attached there, whatever process made it and whether
 * or not it is recorded, and each attached program costs a syscall its own
 * call and bookkeeping besides its run: so file I/O and exec
 * (fileio.bpf.h, proc.bpf.h), connect/accept (net.bpf.h) and TLS's socket
 * syscalls and mmap (tls.bpf.h) share one program at each end, which hands
 * the syscall to them by number, and the parts not wanted are left out at
 * load (.rodata).
 *
 * Which part takes which number is one table, built by the compiler from
 * sysarch.bpf.h's numbers: a syscall no part wants (most of the machine's)
 * costs one read of it and returns, before the pid filter or any map.
 */
#ifndef AA_SYSCALLS_BPF_H
#define AA_SYSCALLS_BPF_H

/* Set by user space before load, as common.bpf.h's. */
const volatile bool cfg_sys_net = false; /* net records: connect, accept, accept4 */
const volatile bool cfg_sys_tls = false; /* TLS recorded: tls_conn's socket syscalls, mmap for tls_hold */

/* The parts a syscall number goes to (a bit each). */
#define AA_NR_FILE 0x01   /* the file record's (fileio.bpf.h) */
#define AA_NR_FILEOP 0x02 /* the fileop record's (fileio.bpf.h) */
#define AA_NR_EXEC 0x04   /* execve, execveat (proc.bpf.h) */
#define AA_NR_NET 0x08    /* connect, accept, accept4 (net.bpf.h) */
#define AA_NR_TLS_IO 0x10 /* the socket syscalls of a TLS call (tls.bpf.h, entry only) */
#define AA_NR_MMAP 0x20   /* mmap (tls_hold.bpf.h, entry only) */

/* Numbers from 0 to AA_NR_TABLE - 1 are looked up; those an architecture
 * does not have (AA_NR_ABSENT, negative) get slots past the end, never read. */
#define AA_NR_TABLE 512
#define AA_NR_SLOT(nr) ((nr) < 0 ? AA_NR_TABLE - 1000 - (nr) : (nr))

static const __u8 nr_parts[AA_NR_TABLE + 8] = {
	[AA_NR_SLOT(NR_read)] = AA_NR_FILE | AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_write)] = AA_NR_FILE | AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_rename)] = AA_NR_FILE,
	[AA_NR_SLOT(NR_unlink)] = AA_NR_FILE,
	[AA_NR_SLOT(NR_openat)] = AA_NR_FILE,
	[AA_NR_SLOT(NR_unlinkat)] = AA_NR_FILE,
	[AA_NR_SLOT(NR_renameat)] = AA_NR_FILE,
	[AA_NR_SLOT(NR_renameat2)] = AA_NR_FILE,
	[AA_NR_SLOT(NR_pread64)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_pwrite64)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_readv)] = AA_NR_FILEOP | AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_writev)] = AA_NR_FILEOP | AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_preadv)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_pwritev)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_preadv2)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_pwritev2)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_open)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_creat)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_openat2)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_mkdir)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_mkdirat)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_rmdir)] = AA_NR_FILEOP,
	[AA_NR_SLOT(NR_execve)] = AA_NR_EXEC,
	[AA_NR_SLOT(NR_execveat)] = AA_NR_EXEC,
	[AA_NR_SLOT(NR_connect)] = AA_NR_NET,
	[AA_NR_SLOT(NR_accept)] = AA_NR_NET,
	[AA_NR_SLOT(NR_accept4)] = AA_NR_NET,
	[AA_NR_SLOT(NR_sendto)] = AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_recvfrom)] = AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_sendmsg)] = AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_recvmsg)] = AA_NR_TLS_IO,
	[AA_NR_SLOT(NR_mmap)] = AA_NR_MMAP,
};

/* The parts wanted at each end (the verifier sees the settings as constants). */
static __always_inline __u8 parts_wanted(bool enter)
{
	__u8 m = 0;

	if (cfg_emit_file)
		m |= AA_NR_FILE;
	if (cfg_emit_fileop)
		m |= AA_NR_FILEOP;
	if (cfg_emit_task)
		m |= AA_NR_EXEC;
	if (cfg_sys_net)
		m |= AA_NR_NET;
	if (enter && cfg_sys_tls) {
		m |= AA_NR_MMAP;
		if (cfg_emit_tls_conn)
			m |= AA_NR_TLS_IO;
	}
	return m;
}

/* The parts that want syscall nr, 0 for most. */
static __always_inline __u8 nr_parts_of(long nr, bool enter)
{
	__u64 i = nr;

	if (i >= AA_NR_TABLE) /* (negative ones too: -1 for a syscall skipped) */
		return 0;
	return nr_parts[i] & parts_wanted(enter);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(aa_sys_enter, struct pt_regs *regs, long nr)
{
	__u8 parts = nr_parts_of(nr, true);

	if (!parts)
		return 0;
	if (parts & (AA_NR_TLS_IO | AA_NR_MMAP))
		tls_sys_enter(regs, nr); /* read/write are the file part's too */
	if (parts & AA_NR_NET)
		return net_enter(regs, nr);
	if (parts & AA_NR_EXEC)
		return exec_enter(regs, nr);
	if (parts & (AA_NR_FILE | AA_NR_FILEOP))
		return file_sys_enter(regs, nr);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(aa_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = sys_exit_nr(regs);
	__u8 parts = nr_parts_of(nr, false);

	if (!parts)
		return 0;
	if (parts & AA_NR_NET)
		return net_exit(nr, ret);
	if (parts & AA_NR_EXEC)
		return exec_exit(ret);
	return file_sys_exit(nr, ret);
}

#endif /* AA_SYSCALLS_BPF_H */

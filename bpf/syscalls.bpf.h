/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The raw syscall tracepoints' two programs. Every syscall of the machine
 * runs each program attached there, whatever process made it and whether
 * or not it is recorded, and each attached program costs a syscall its own
 * call and bookkeeping besides its run: so file I/O and exec
 * (fileio.bpf.h, proc.bpf.h), connect/accept (net.bpf.h) and TLS's socket
 * syscalls and mmap (tls.bpf.h) share one program at each end, which hands
 * the syscall to them by number (a switch the compiler turns into a few
 * compares), and the parts not wanted are left out at load (.rodata).
 */
#ifndef AA_SYSCALLS_BPF_H
#define AA_SYSCALLS_BPF_H

/* Set by user space before load, as common.bpf.h's. */
const volatile bool cfg_sys_net = false; /* net records: connect, accept, accept4 */
const volatile bool cfg_sys_tls = false; /* TLS recorded: tls_conn's socket syscalls, mmap for tls_hold */

SEC("tp_btf/sys_enter")
int BPF_PROG(aa_sys_enter, struct pt_regs *regs, long nr)
{
	if (cfg_sys_tls)
		tls_sys_enter(regs, nr); /* read/write are the file part's too */
	if (net_nr(nr))
		return cfg_sys_net ? net_enter(regs, nr) : 0;
	return file_sys_enter(regs, nr);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(aa_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = sys_exit_nr(regs);

	if (net_nr(nr))
		return cfg_sys_net ? net_exit(nr, ret) : 0;
	return file_sys_exit(nr, ret);
}

#endif /* AA_SYSCALLS_BPF_H */

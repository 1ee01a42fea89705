/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What differs between architectures at the raw syscall tracepoints: the
 * syscall numbers and where the two values libbpf's PT_REGS_PARMn_SYSCALL
 * (arguments 1 to 5, each architecture's calling convention) does not give
 * are kept. Everything else reads the tracepoints' own arguments: the
 * syscall's number at sys_enter, its return value at sys_exit.
 *
 * The tracepoints stay the BTF-typed ones (tp_btf/sys_enter, sys_exit),
 * whose arguments are (struct pt_regs *, long): the perf-event tracepoint
 * raw_syscalls/sys_enter, whose record has the arguments in args[6], needs
 * tracefs mounted to be attached and fills a perf buffer on every syscall of
 * the machine before the program runs.
 *
 * A syscall an architecture does not have (arm64 has the generic table: no
 * open, creat, mkdir, rmdir, unlink, rename) gets a number no
 * syscall has, AA_NR_ABSENT(n), distinct for each so that the switch
 * statements keep their cases; those cases are dead code there.
 * 32-bit compat syscalls are not decoded.
 */
#ifndef AA_SYSARCH_BPF_H
#define AA_SYSARCH_BPF_H

#define AA_NR_ABSENT(n) (-1000 - (n))

#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_mmap 9
#define NR_pread64 17
#define NR_pwrite64 18
#define NR_readv 19
#define NR_writev 20
#define NR_connect 42
#define NR_accept 43
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_execve 59
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_creat 85
#define NR_unlink 87
#define NR_openat 257
#define NR_mkdirat 258
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_accept4 288
#define NR_preadv 295
#define NR_pwritev 296
#define NR_renameat2 316
#define NR_execveat 322
#define NR_preadv2 327
#define NR_pwritev2 328
#define NR_openat2 437

/* At sys_exit the return value has taken the register the number came in. */
static __always_inline long sys_exit_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}

static __always_inline unsigned long sys_arg6(struct pt_regs *regs)
{
	return regs->r9;
}

#elif defined(__TARGET_ARCH_arm64)
/* include/uapi/asm-generic/unistd.h */
#define NR_read 63
#define NR_write 64
#define NR_open AA_NR_ABSENT(1)
#define NR_mmap 222
#define NR_pread64 67
#define NR_pwrite64 68
#define NR_readv 65
#define NR_writev 66
#define NR_connect 203
#define NR_accept 202
#define NR_sendto 206
#define NR_recvfrom 207
#define NR_sendmsg 211
#define NR_recvmsg 212
#define NR_execve 221
#define NR_rename AA_NR_ABSENT(2)
#define NR_mkdir AA_NR_ABSENT(3)
#define NR_rmdir AA_NR_ABSENT(4)
#define NR_creat AA_NR_ABSENT(5)
#define NR_unlink AA_NR_ABSENT(6)
#define NR_openat 56
#define NR_mkdirat 34
#define NR_unlinkat 35
#define NR_renameat 38
#define NR_accept4 242
#define NR_preadv 69
#define NR_pwritev 70
#define NR_renameat2 276
#define NR_execveat 281
#define NR_preadv2 286
#define NR_pwritev2 287
#define NR_openat2 437

/* The number stays in pt_regs.syscallno; x0 has taken the return value. */
static __always_inline long sys_exit_nr(struct pt_regs *regs)
{
	return regs->syscallno;
}

static __always_inline unsigned long sys_arg6(struct pt_regs *regs)
{
	return regs->regs[5];
}

#else
#error "bpf/sysarch.bpf.h: no syscall table for this architecture (x86 and arm64 are known)"
#endif

#endif /* AA_SYSARCH_BPF_H */

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TLS libraries found while capturing: when a program maps for execution a
 * file user space has not looked at yet (its executable at exec, each shared
 * library ld.so maps, a dlopen), user space is told on TLS_NOTIFY. With
 * --tls-hold (tls_hold_on 2) the program is also stopped with SIGSTOP on its
 * way back to user space, before it runs a single instruction of that file
 * (not one with a controlling terminal). Not by default: a parent that
 * waits for its children's stops (WUNTRACED: Criterion's runner, shells)
 * would see them. User space reads the file's symbols, attaches the TLS
 * probes if it carries a TLS stack, marks it in TLS_SEEN and sends SIGCONT
 * (capture/live_tls.c). Each file stops its first mappers only: once seen, a
 * file costs one hash lookup per mmap. tls_hold_on is cleared by user space
 * before it stops listening, so that no process is stopped with no one to
 * continue it. Each program stopped is in TLS_HELD until user space has
 * continued it: aa-capture's guardian process (capture/hold_guard.c)
 * continues those held too long, and all of them if aa-capture dies.
 */
#ifndef AA_TLS_HOLD_BPF_H
#define AA_TLS_HOLD_BPF_H

#define AA_PROT_EXEC 0x4
#define AA_MAP_ANONYMOUS 0x20
#define AA_SIGSTOP 19

/* A file, and its last change: an inode number freed (a file deleted) may
 * name a new file soon after, which must not pass for the old one. */
struct tls_file_key {
	__u64 dev;   /* the superblock's s_dev, as /proc/PID/maps prints it */
	__u64 ino;
	__u64 ctime; /* in ns, as stat(2) gives it */
};

/* The inode's ctime fields before Linux 6.11 (CO-RE picks what there is). */
struct inode___ctime_6_6 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));
struct inode___ctime_old {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

static __always_inline __u64 inode_ctime_ns(struct inode *inode)
{
	if (bpf_core_field_exists(inode->i_ctime_sec))
		return (__u64)BPF_CORE_READ(inode, i_ctime_sec) * 1000000000ull + BPF_CORE_READ(inode, i_ctime_nsec);
	if (bpf_core_field_exists(((struct inode___ctime_6_6 *)inode)->__i_ctime)) {
		struct inode___ctime_6_6 *i = (void *)inode;

		return (__u64)BPF_CORE_READ(i, __i_ctime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, __i_ctime.tv_nsec);
	}
	{
		struct inode___ctime_old *i = (void *)inode;

		return (__u64)BPF_CORE_READ(i, i_ctime.tv_sec) * 1000000000ull + BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
}

/* Files looked at already (value unused). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tls_file_key);
	__type(value, __u8);
} TLS_SEEN SEC(".maps");

/* What user space is told: this process stopped after mapping this file. */
struct tls_notify {
	__u32 pid;
	__u32 held; /* 1: stopped; 0: has a controlling terminal, runs on */
	__u64 at;   /* when held: its TLS_HELD time */
	struct tls_file_key file;
};

/* The programs stopped and not continued yet: tgid -> bpf_ktime_get_ns()
 * (CLOCK_MONOTONIC) of the stop. Full, no program is stopped. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} TLS_HELD SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10);
} TLS_NOTIFY SEC(".maps");

/* Written by user space while loaded (.bss): 0 not listening; 1 listening,
 * programs run on (told of only); 2 listening, programs held (--tls-hold). */
volatile __u32 tls_hold_on = 0;

/* Stops the current program, if wanted, when f was not looked at yet. */
static __always_inline void tls_hold_file(struct file *f)
{
	struct tls_file_key k;
	struct tls_notify *n;
	struct inode *inode;
	__u64 now, *at;
	__u32 tgid;

	if (!f)
		return;
	tgid = current_tgid();
	if (!wanted(tgid))
		return;
	inode = BPF_CORE_READ(f, f_inode);
	k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	k.ino = BPF_CORE_READ(inode, i_ino);
	k.ctime = inode_ctime_ns(inode);
	if (bpf_map_lookup_elem(&TLS_SEEN, &k))
		return;
	n = bpf_ringbuf_reserve(&TLS_NOTIFY, sizeof(*n), 0);
	if (!n)
		return; /* not stopped: user space is behind; the file goes unprobed this time */
	n->pid = tgid;
	n->file = k;
	n->held = 0;
	n->at = 0;
	/* A program with a controlling terminal is not stopped: its
	 * interactive shell would take the stop for a ^Z and put it in the
	 * background. Its files are probed as soon as can be, it running on.
	 * Another is entered in TLS_HELD before it is stopped, so that the
	 * guardian knows of every stop (a thread of a program held already
	 * keeps the first time). */
	if (tls_hold_on == 2 && !BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(), signal, tty)) {
		now = bpf_ktime_get_ns();
		bpf_map_update_elem(&TLS_HELD, &tgid, &now, BPF_NOEXIST);
		at = bpf_map_lookup_elem(&TLS_HELD, &tgid);
		if (at) {
			n->at = *at;
			n->held = !bpf_send_signal(AA_SIGSTOP);
			if (!n->held && n->at == now)
				bpf_map_delete_elem(&TLS_HELD, &tgid);
		}
	}
	bpf_ringbuf_submit(n, 0);
}

/* mmap(addr, len, prot, flags, fd, off) of a file for execution: ld.so
 * mapping a library, a dlopen. (Called from tls.bpf.h's sys_enter program:
 * this kernel has neither kprobes nor fentry to hook security_mmap_file.) */
static __always_inline void tls_hold_mmap(struct pt_regs *regs)
{
	if (!tls_hold_on || !(PT_REGS_PARM3_SYSCALL(regs) & AA_PROT_EXEC) ||
	    (PT_REGS_PARM4_SYSCALL(regs) & AA_MAP_ANONYMOUS)) /* (its fd argument is no file) */
		return;
	tls_hold_file(fd_file((int)PT_REGS_PARM5_SYSCALL(regs)));
}

/* The program itself, mapped by the kernel at exec (a program with OpenSSL
 * linked in). Attached by user space once it listens. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(aa_tls_hold_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	if (tls_hold_on)
		tls_hold_file(BPF_CORE_READ(bprm, file));
	return 0;
}

#endif /* AA_TLS_HOLD_BPF_H */

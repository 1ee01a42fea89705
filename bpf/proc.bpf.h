/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Process life: exec (with the real argv), exit (one per process, with its
 * real status), and fork (so that --pid follows descendants).
 */
#ifndef AA_PROC_BPF_H
#define AA_PROC_BPF_H

/* Turns the NULs between arguments into spaces; args[len] is the end. */
static __always_inline void join_args(__u8 *args, __u64 len)
{
	for (__u64 i = 0; i < AA_ARGS_MAX - 1; i++) {
		if (i >= len)
			break;
		if (args[i] == 0)
			args[i] = ' ';
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(aa_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct aa_exec_event *e;
	unsigned long start, end, len;

	__u64 ts, argv_len;

	if (!wanted(tgid))
		return 0;
	ts = bpf_ktime_get_ns();
	/* argv exact, items and their NULs, before the exec record it completes. */
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	argv_len = end > start ? end - start : 0;
	emit_string(AA_STRING_ARGV, 0, (const void *)start,
		    argv_len < cfg_argv_max ? argv_len : cfg_argv_max,
		    argv_len > 0xfffffffe ? 0xfffffffe : argv_len, true, ts,
		    ((__u64)tgid << 32) | tgid);

	e = reserve(sizeof(*e), AA_DROP_EXEC);
	if (!e)
		return 0;
	/* The record is not zeroed by the ring buffer: padding and the rest of
	 * the strings must not carry old bytes. */
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp_ns = ts;
	e->pid = tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));

	/* The new program's argument area: NUL-separated argv in its own
	 * memory, already in place when this tracepoint fires. */
	len = argv_len;
	if (len > AA_ARGS_MAX - 1)
		len = AA_ARGS_MAX - 1; /* cut at 511 bytes: args[511] stays NUL */
	bounded(len, AA_ARGS_MAX - 1);
	if (len && bpf_probe_read_user(e->args, len, (const void *)start) == 0) {
		/* The last argument's own NUL ends the string, not a space. */
		if (e->args[len - 1] == 0)
			len--;
		join_args(e->args, len);
	} else {
		__builtin_memset(e->args, 0, sizeof(e->args));
	}
	submit(e);
	return 0;
}

/*
 * Exit status, as a shell reports it: a normal exit gives its code
 * ((exit_code >> 8) & 0xff), a death by signal gives 128 + the signal number
 * (exit_code & 0x7f; the core-dump bit 0x80 is dropped). task->exit_code is
 * set by do_exit() before the tracepoint fires; in a group exit every thread
 * exits with the group's code, so the last thread's code is the process's.
 */
static __always_inline __s32 exit_status(int code)
{
	if (code & 0x7f)
		return 128 + (code & 0x7f);
	return (code >> 8) & 0xff;
}

static __always_inline void process_exited(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct aa_exit_event *e;
	bool emit = cfg_emit_exit && wanted(tgid);

	if (cfg_filter_pids)
		bpf_map_delete_elem(&FOLLOWED, &tgid);
	if (!emit)
		return;
	e = reserve(sizeof(*e), AA_DROP_EXIT);
	if (!e)
		return;
	e->timestamp_ns = bpf_ktime_get_ns();
	e->pid = tgid;
	e->exit_code = exit_status(task->exit_code);
	submit(e);
}

/*
 * One record per process: when the last thread of the group exits. Kernels
 * from 6.16 pass group_dead to the tracepoint (exact); user space loads
 * aa_exit_group on those and aa_exit_live elsewhere, which reads
 * signal->live (already decremented by this thread: 0 means it was the last).
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(aa_exit_group, struct task_struct *task, bool group_dead)
{
	if (group_dead)
		process_exited(task);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(aa_exit_live, struct task_struct *task)
{
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		process_exited(task);
	return 0;
}

/* Loaded only with --pid: a new process of a followed one is followed too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(aa_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (ptgid == ctgid) /* a new thread: its process is followed already or not */
		return 0;
	if (bpf_map_lookup_elem(&FOLLOWED, &ptgid))
		bpf_map_update_elem(&FOLLOWED, &ctgid, &one, BPF_ANY);
	return 0;
}

#endif /* AA_PROC_BPF_H */

/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Process life: exec (with the real argv), exit (one per process, with its
 * real status), fork (so that --pid follows descendants), and failed execs;
 * each told by a task record too (who the process is: ids, namespace,
 * cgroup), just before the exec or exit record it goes with.
 */
#ifndef AA_PROC_BPF_H
#define AA_PROC_BPF_H

/* include/linux/sched/signal.h: the whole group exits, with group_exit_code. */
#define AA_SIGNAL_GROUP_EXIT 0x00000004

/*
 * A task record of `task`'s process. ns_pid and start_ns are the group
 * leader's (the process's, as /proc/PID shows them), as is comm.
 */
static __always_inline void task_record(struct task_struct *task, __u8 kind, __u64 ts, __u32 tid,
					__s32 exit_status, __s32 error)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct aa_task_event *t;
	struct kernfs_node *kn;
	struct pid *pid;
	unsigned int level;

	t = reserve(sizeof(*t), AA_DROP_TASK);
	if (!t)
		return;
	/* Not zeroed by the ring buffer: padding and string tails. */
	__builtin_memset(t, 0, sizeof(*t));
	t->timestamp_ns = ts;
	t->pid = BPF_CORE_READ(task, tgid);
	t->tid = tid;
	t->ppid = BPF_CORE_READ(task, real_parent, tgid);
	t->uid = BPF_CORE_READ(task, real_cred, uid.val);
	t->gid = BPF_CORE_READ(task, real_cred, gid.val);
	t->kind = kind;
	t->exit_status = exit_status;
	t->error = error;
	pid = BPF_CORE_READ(leader, thread_pid);
	level = BPF_CORE_READ(pid, level);
	t->ns_pid = BPF_CORE_READ(pid, numbers[level].nr);
	t->pidns_ino = BPF_CORE_READ(pid, numbers[level].ns, ns.inum);
	t->start_ns = BPF_CORE_READ(leader, start_time);
	kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	t->cgroup_id = BPF_CORE_READ(kn, id);
	bpf_probe_read_kernel_str(t->cgroup, sizeof(t->cgroup), BPF_CORE_READ(kn, name));
	BPF_CORE_READ_STR_INTO(&t->comm, leader, comm);
	submit(t);
}

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

/*
 * Failed execs. A successful execve never returns to the program that made
 * it, so the entry is kept from sys_enter (the file name and argv are the
 * caller's memory, readable while the call runs) and reported at sys_exit
 * only when the call failed; a successful exec forgets it at
 * sched_process_exec (a thread killed meanwhile takes it with it: task
 * storage).
 */
struct exec_entry {
	__u64 ts;       /* at syscall entry: the records' timestamp_ns */
	__u64 filename; /* user pointers */
	__u64 argv;
	__u64 live;     /* 1 from sys_enter to the exec or the return; 0 none */
};

/* Per thread (common.bpf.h). */
AA_TASK_ENTRIES(EXEC_ENTRIES, struct exec_entry);

/* From aa_sys_enter (syscalls.bpf.h), for execve and execveat. */
static __always_inline int exec_enter(struct pt_regs *regs, long nr)
{
	struct exec_entry e = { .live = 1 }, *slot;

	if (!cfg_emit_task || !wanted(current_tgid()))
		return 0;
	e.ts = bpf_ktime_get_ns();
	if (nr == NR_execve) {
		e.filename = PT_REGS_PARM1_SYSCALL(regs);
		e.argv = PT_REGS_PARM2_SYSCALL(regs);
	} else { /* execveat(dirfd, pathname, argv, envp, flags) */
		e.filename = PT_REGS_PARM2_SYSCALL(regs);
		e.argv = PT_REGS_PARM3_SYSCALL(regs);
	}
	slot = task_entry(EXEC_ENTRIES, true);
	if (slot)
		*slot = e;
	else
		count_drop(AA_DROP_TASK);
	return 0;
}

/* From aa_sys_exit (syscalls.bpf.h): the file name, the argv, then the task
 * record they complete, errno in it. */
static __always_inline int exec_exit(long ret)
{
	struct exec_entry *en, e;
	__u64 id;
	__u32 tid;

	if (!cfg_emit_task)
		return 0;
	en = task_entry(EXEC_ENTRIES, false);
	if (!en || !en->live)
		return 0;
	e = *en;
	en->live = 0;
	if (ret >= 0)
		return 0;
	id = bpf_get_current_pid_tgid();
	tid = (__u32)id;
	emit_name(AA_STRING_FILENAME, (const void *)e.filename, true, 0, e.ts, id);
	emit_user_argv(e.argv, e.ts, id);
	task_record((struct task_struct *)bpf_get_current_task_btf(), AA_TASK_EXEC_FAILED, e.ts, tid, 0,
		    (__s32)-ret);
	return 0;
}

/* At a successful exec: its entry is never needed. (The thread that called
 * execve is the current task still, though its id may have become the
 * leader's.) */
static __always_inline void forget_exec(void)
{
	struct exec_entry *en;

	if (!cfg_emit_task)
		return;
	en = task_entry(EXEC_ENTRIES, false);
	if (en)
		en->live = 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(aa_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct aa_exec_event *e;
	unsigned long start, end, len;

	__u64 ts, argv_len, id = ((__u64)tgid << 32) | tgid; /* after exec the thread is the leader */

	forget_exec();
	if (!wanted(tgid))
		return 0;
	ts = bpf_ktime_get_ns();
	if (cfg_emit_task)
		task_record(task, AA_TASK_EXEC, ts, tgid, 0, 0);
	if (!cfg_emit_exec)
		return 0;
	/* A file name the exec record cannot hold whole (AA_PATH_MAX - 1 bytes
	 * fit) comes whole in string records. */
	emit_name(AA_STRING_FILENAME, BPF_CORE_READ(bprm, filename), false, AA_PATH_MAX, ts, id);
	/* argv exact, items and their NULs, before the exec record it completes. */
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	argv_len = end > start ? end - start : 0;
	emit_string(AA_STRING_ARGV, 0, (const void *)start,
		    argv_len < cfg_argv_max ? argv_len : cfg_argv_max,
		    argv_len > 0xfffffffe ? 0xfffffffe : argv_len, true, ts, id);

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

/*
 * The raw wait status, as waitpid() gives it to the parent: the group's
 * code when the whole group exits (exit_group, a fatal signal, with 0x80
 * after a core dump), else the leader's own.
 */
static __always_inline __s32 wait_status(struct task_struct *task)
{
	struct signal_struct *sig = BPF_CORE_READ(task, signal);

	if (BPF_CORE_READ(sig, flags) & AA_SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(sig, group_exit_code);
	return BPF_CORE_READ(task, group_leader, exit_code);
}

static __always_inline void process_exited(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct aa_exit_event *e;
	bool emit = (cfg_emit_exit || cfg_emit_task) && wanted(tgid);
	__u64 ts;

	if (cfg_filter_pids)
		follow(tgid, false);
	if (!emit)
		return;
	ts = bpf_ktime_get_ns();
	if (cfg_emit_task)
		task_record(task, AA_TASK_EXIT, ts, task->pid, wait_status(task), 0);
	if (!cfg_emit_exit)
		return;
	e = reserve(sizeof(*e), AA_DROP_EXIT);
	if (!e)
		return;
	e->timestamp_ns = ts;
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

/* A new process (not a thread): followed when its parent is (--pid), and
 * told by a task record. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(aa_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;

	if (ptgid == ctgid) /* a new thread: its process is followed already or not */
		return 0;
	if (cfg_filter_pids && followed(ptgid))
		follow(ctgid, true);
	if (cfg_emit_task && wanted(ctgid))
		task_record(child, AA_TASK_FORK, bpf_ktime_get_ns(), child->pid, 0, 0);
	return 0;
}

#endif /* AA_PROC_BPF_H */

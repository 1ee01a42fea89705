/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * File I/O from the raw syscall tracepoints (BTF-typed: they need no tracefs):
 * sys_enter saves the arguments per thread, sys_exit pairs them with the
 * return value and the duration and emits one record. The arguments are read
 * with libbpf's PT_REGS_PARMn_SYSCALL (each architecture's syscall calling
 * convention), not by register name; the syscall numbers are still x86-64's
 * (and 32-bit compat syscalls are not decoded).
 *
 * path: openat/open and unlink/unlinkat: the path as the program passed it.
 *       rename/renameat/renameat2: the old path, then after its NUL the new
 *       path (cut to fit; path[255] is always NUL).
 *       read/write: the path of the file the fd refers to now, from the
 *       kernel's file table (so dup2'd, inherited and older fds are right);
 *       "pipe:[INODE]" and "socket:[INODE]" as /proc/PID/fd shows them.
 * flags: open flags for openat/open, AT_* flags for unlinkat/renameat2,
 *        the file's f_flags for read/write.
 * By default read and write are recorded for regular files only
 * (cfg_all_files lifts that).
 */
#ifndef AA_FILEIO_BPF_H
#define AA_FILEIO_BPF_H

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_rename 82
#define NR_unlink 87
#define NR_openat 257
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_renameat2 316

struct sys_entry {
	__u64 ts;
	__u64 path;     /* user pointer: the (old) path */
	__u64 path2;    /* user pointer: the new path of a rename */
	__u32 syscall;  /* enum aa_file_syscall */
	__u32 flags;
	__s32 fd;       /* read/write */
	__s32 nr;       /* the syscall number, to pair with its exit */
};

/* LRU: a thread killed inside a syscall never reaches sys_exit; its entry
 * ages out instead of filling the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sys_entry);
} SYS_ENTRIES SEC(".maps");

static __always_inline bool traced_nr(long nr)
{
	switch (nr) {
	case NR_read: case NR_write: case NR_open: case NR_rename: case NR_unlink:
	case NR_openat: case NR_unlinkat: case NR_renameat: case NR_renameat2:
		return true;
	}
	return false;
}

/* The file behind the current task's fd, or NULL. */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (unsigned)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline bool is_regular(struct file *f)
{
	return (BPF_CORE_READ(f, f_inode, i_mode) & AA_S_IFMT) == AA_S_IFREG;
}

/* The syscall's number at sys_exit, where the return value has taken the
 * register the number came in. */
static __always_inline long exit_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#else
#error "bpf/fileio.bpf.h: the syscall numbers here are x86-64's only so far"
#endif
}

SEC("tp_btf/sys_enter")
int BPF_PROG(aa_sys_enter, struct pt_regs *regs, long nr)
{
	struct sys_entry e = {};
	__u64 id;
	__u32 tid;

	if (exec_nr(nr))
		return exec_enter(regs, nr);
	if (!cfg_emit_file || !traced_nr(nr))
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!wanted(id >> 32))
		return 0;
	e.nr = nr;
	switch (nr) {
	case NR_read:
	case NR_write:
		e.syscall = nr == NR_read ? AA_SYS_READ : AA_SYS_WRITE;
		e.fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		if (!cfg_all_files) {
			struct file *f = fd_file(e.fd);

			if (!f || !is_regular(f))
				return 0;
		}
		break;
	case NR_open:
		e.syscall = AA_SYS_OPENAT;
		e.path = PT_REGS_PARM1_SYSCALL(regs);
		e.flags = PT_REGS_PARM2_SYSCALL(regs);
		break;
	case NR_openat:
		e.syscall = AA_SYS_OPENAT;
		e.path = PT_REGS_PARM2_SYSCALL(regs);
		e.flags = PT_REGS_PARM3_SYSCALL(regs);
		break;
	case NR_unlink:
		e.syscall = AA_SYS_UNLINK;
		e.path = PT_REGS_PARM1_SYSCALL(regs);
		break;
	case NR_unlinkat:
		e.syscall = AA_SYS_UNLINK;
		e.path = PT_REGS_PARM2_SYSCALL(regs);
		e.flags = PT_REGS_PARM3_SYSCALL(regs);
		break;
	case NR_rename:
		e.syscall = AA_SYS_RENAME;
		e.path = PT_REGS_PARM1_SYSCALL(regs);
		e.path2 = PT_REGS_PARM2_SYSCALL(regs);
		break;
	default: /* renameat, renameat2 */
		e.syscall = AA_SYS_RENAME;
		e.path = PT_REGS_PARM2_SYSCALL(regs);
		e.path2 = PT_REGS_PARM4_SYSCALL(regs);
		e.flags = nr == NR_renameat2 ? PT_REGS_PARM5_SYSCALL(regs) : 0;
		break;
	}
	tid = (__u32)id;
	e.ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&SYS_ENTRIES, &tid, &e, BPF_ANY))
		count_drop(AA_DROP_FILE);
	return 0;
}

/* rename: "old\0new" in out, through the scratch buffer so that the new
 * path's offset stays provably inside it. */
static __always_inline void rename_paths(const struct sys_entry *en, __u8 *out)
{
	struct path_scratch *s = path_scratch();
	__u64 r;
	long got;

	if (!s)
		return;
	got = bpf_probe_read_user_str(s->buf, AA_PATH_MAX, (const void *)en->path);
	r = got > 1 ? got : 1;
	if (r < AA_PATH_MAX - 1) {
		long r2 = bpf_probe_read_user_str(&s->buf[r & (AA_PATH_MAX - 1)], AA_PATH_MAX,
						  (const void *)en->path2);
		if (r2 > 0)
			r += r2;
	}
	bounded(r, AA_PATH_MAX - 1);
	bpf_probe_read_kernel(out, r, s->buf);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(aa_sys_exit, struct pt_regs *regs, long ret)
{
	struct sys_entry *en;
	struct aa_file_event *e;
	__u64 id, now;
	__u32 tid;
	long nr = exit_nr(regs);

	if (exec_nr(nr))
		return exec_exit(ret);
	if (!cfg_emit_file || !traced_nr(nr))
		return 0;
	now = bpf_ktime_get_ns();
	id = bpf_get_current_pid_tgid();
	tid = (__u32)id;
	en = bpf_map_lookup_elem(&SYS_ENTRIES, &tid);
	if (!en)
		return 0;
	if (en->nr != nr)
		goto out;
	e = reserve(sizeof(*e), AA_DROP_FILE);
	if (!e)
		goto out;
	e->pid = id >> 32;
	e->tid = tid;
	e->timestamp_ns = en->ts;
	e->syscall = en->syscall;
	e->flags = en->flags;
	e->return_code = ret;
	e->duration_ns = now - en->ts;
	__builtin_memset(e->path, 0, sizeof(e->path));
	if (en->syscall == AA_SYS_READ || en->syscall == AA_SYS_WRITE) {
		struct file *f = fd_file(en->fd);

		if (f) {
			e->flags = BPF_CORE_READ(f, f_flags);
			file_path(f, e->path);
		}
	} else if (en->syscall == AA_SYS_RENAME) {
		rename_paths(en, e->path);
	} else {
		bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)en->path);
	}
	submit(e);
out:
	bpf_map_delete_elem(&SYS_ENTRIES, &tid);
	return 0;
}

#endif /* AA_FILEIO_BPF_H */

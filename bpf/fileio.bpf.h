/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * File I/O from the raw syscall tracepoints (BTF-typed: they need no tracefs):
 * sys_enter saves the arguments per thread, sys_exit pairs them with the
 * return value and the duration and emits one record: a file record for the
 * seed's five syscalls, a fileop record for the others. The syscall numbers
 * and the arguments are each architecture's (sysarch.bpf.h); a syscall the
 * architecture does not have (arm64: open, creat, unlink, rename, mkdir,
 * rmdir) is never seen.
 *
 * path: openat, unlink/unlinkat, open, creat, openat2, mkdir, mkdirat,
 *       rmdir: the path as the program passed it.
 *       rename/renameat/renameat2: the old path, then after its NUL the new
 *       path (cut to fit; path[255] is always NUL).
 *       read/write and the fd syscalls (pread64 ... pwritev2): the path of
 *       the file the fd refers to now, from the kernel's file table (so
 *       dup2'd, inherited and older fds are right); "pipe:[INODE]" and
 *       "socket:[INODE]" as /proc/PID/fd shows them.
 *       A path that does not fit the record's 256 bytes whole (a rename's
 *       two that do not fit together) comes whole before the record, up to
 *       PATH_MAX, in string records: PATH (and a rename's NEW_PATH). So does
 *       the path of a read or write of a file that has been unlinked, with
 *       AA_STRING_UNLINKED; a fileop record says that in its marks.
 * flags: open flags for openat/open/openat2 as passed (creat: O_CREAT |
 *        O_WRONLY | O_TRUNC, what it means), AT_* flags for
 *        unlinkat/renameat2, RWF_* for preadv2/pwritev2, the file's f_flags
 *        for the other fd syscalls.
 * By default the fd syscalls are recorded for regular files only
 * (cfg_all_files lifts that).
 */
#ifndef AA_FILEIO_BPF_H
#define AA_FILEIO_BPF_H


#define AA_O_WRONLY 01
#define AA_O_CREAT 0100
#define AA_O_TRUNC 01000
#define AA_O_TMPFILE 020000000 /* __O_TMPFILE */
#define AA_MODE_MASK 0xffff    /* umode_t: the kernel takes these bits of a mode argument */

struct sys_entry {
	__u64 ts;
	__u64 path;     /* user pointer: the (old) path */
	__u64 path2;    /* user pointer: the new path of a rename */
	__s64 offset;   /* fileop: the offset of pread64 ... pwritev2, else -1 */
	__u32 syscall;  /* enum aa_file_syscall */
	__u32 flags;
	__u32 mode;     /* fileop: open, creat, openat2, mkdir, mkdirat */
	__s32 fd;       /* the fd of fd syscalls, the dirfd of mkdirat and openat2, else -1 */
	__s32 nr;       /* the syscall number, to pair with its exit; -1 none (done) */
	__u32 _pad;
};

/* openat2's struct open_how, as the uapi has it. */
struct aa_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

/* Per thread (common.bpf.h): one syscall at a time. */
AA_TASK_ENTRIES(SYS_ENTRIES, struct sys_entry);

/* Syscalls whose path is that of their fd's file. */
static __always_inline bool fd_syscall(__u32 syscall)
{
	return syscall == AA_SYS_READ || syscall == AA_SYS_WRITE ||
	       (syscall >= AA_SYS_PREAD64 && syscall <= AA_SYS_PWRITEV2);
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

/* An fd syscall is recorded for regular files only, unless cfg_all_files. */
static __always_inline bool fd_recorded(int fd)
{
	struct file *f;

	if (cfg_all_files)
		return true;
	f = fd_file(fd);
	return f && is_regular(f);
}

/* The arguments of the fileop syscalls; false when the call is not recorded. */
static __always_inline bool fileop_enter(struct pt_regs *regs, long nr, struct sys_entry *e)
{
	switch (nr) {
	case NR_pread64: case NR_pwrite64: case NR_preadv: case NR_pwritev:
		e->syscall = nr == NR_pread64 ? AA_SYS_PREAD64 : nr == NR_pwrite64 ? AA_SYS_PWRITE64 :
			     nr == NR_preadv ? AA_SYS_PREADV : AA_SYS_PWRITEV;
		e->offset = PT_REGS_PARM4_SYSCALL(regs); /* 64-bit: pos_l holds the whole offset */
		e->fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		return fd_recorded(e->fd);
	case NR_readv: case NR_writev:
		e->syscall = nr == NR_readv ? AA_SYS_READV : AA_SYS_WRITEV;
		e->fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		return fd_recorded(e->fd);
	case NR_preadv2: case NR_pwritev2:
		e->syscall = nr == NR_preadv2 ? AA_SYS_PREADV2 : AA_SYS_PWRITEV2;
		e->offset = PT_REGS_PARM4_SYSCALL(regs);
		e->flags = sys_arg6(regs);
		e->fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		return fd_recorded(e->fd);
	case NR_open:
		e->syscall = AA_SYS_OPEN;
		e->path = PT_REGS_PARM1_SYSCALL(regs);
		e->flags = PT_REGS_PARM2_SYSCALL(regs);
		/* As the kernel: the mode counts only when a file may be made. */
		if (e->flags & (AA_O_CREAT | AA_O_TMPFILE))
			e->mode = PT_REGS_PARM3_SYSCALL(regs) & AA_MODE_MASK;
		return true;
	case NR_creat:
		e->syscall = AA_SYS_CREAT;
		e->path = PT_REGS_PARM1_SYSCALL(regs);
		e->flags = AA_O_CREAT | AA_O_WRONLY | AA_O_TRUNC;
		e->mode = PT_REGS_PARM2_SYSCALL(regs) & AA_MODE_MASK;
		return true;
	case NR_openat2: {
		struct aa_open_how how = {};

		e->syscall = AA_SYS_OPENAT2;
		e->fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		e->path = PT_REGS_PARM2_SYSCALL(regs);
		bpf_probe_read_user(&how, sizeof(how.flags) + sizeof(how.mode),
				    (const void *)PT_REGS_PARM3_SYSCALL(regs));
		e->flags = how.flags;
		e->mode = how.mode;
		return true;
	}
	case NR_mkdir:
		e->syscall = AA_SYS_MKDIR;
		e->path = PT_REGS_PARM1_SYSCALL(regs);
		e->mode = PT_REGS_PARM2_SYSCALL(regs) & AA_MODE_MASK;
		return true;
	case NR_mkdirat:
		e->syscall = AA_SYS_MKDIRAT;
		e->fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		e->path = PT_REGS_PARM2_SYSCALL(regs);
		e->mode = PT_REGS_PARM3_SYSCALL(regs) & AA_MODE_MASK;
		return true;
	default: /* rmdir */
		e->syscall = AA_SYS_RMDIR;
		e->path = PT_REGS_PARM1_SYSCALL(regs);
		return true;
	}
}

/* From aa_sys_enter (syscalls.bpf.h), for the file and fileop syscalls wanted. */
static __always_inline int file_sys_enter(struct pt_regs *regs, long nr)
{
	struct sys_entry e = { .fd = -1, .offset = -1 };
	struct sys_entry *slot;

	if (!wanted(current_tgid()))
		return 0;
	e.nr = nr;
	switch (nr) {
	case NR_read:
	case NR_write:
		e.syscall = nr == NR_read ? AA_SYS_READ : AA_SYS_WRITE;
		e.fd = (int)PT_REGS_PARM1_SYSCALL(regs);
		if (!fd_recorded(e.fd))
			return 0;
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
	case NR_renameat:
	case NR_renameat2:
		e.syscall = AA_SYS_RENAME;
		e.path = PT_REGS_PARM2_SYSCALL(regs);
		e.path2 = PT_REGS_PARM4_SYSCALL(regs);
		e.flags = nr == NR_renameat2 ? PT_REGS_PARM5_SYSCALL(regs) : 0;
		break;
	default:
		if (!fileop_enter(regs, nr, &e))
			return 0;
		break;
	}
	e.ts = bpf_ktime_get_ns();
	slot = task_entry(SYS_ENTRIES, true);
	if (slot)
		*slot = e;
	else
		count_drop(e.syscall < AA_SYS_COUNT ? AA_DROP_FILE : AA_DROP_FILEOP);
	return 0;
}

/* A syscall's path, in the scratch buffer, before its record is reserved:
 * its string records must come first. */
struct sys_path {
	struct whole_path p;  /* the path (a rename's old path) */
	struct whole_path p2; /* a rename's new path */
	struct file *f;       /* the fd's file (fd syscalls) */
};

/* The path of the syscall en into sp; sp->p.len 0 when there is none. */
static __always_inline void sys_path(const struct sys_entry *en, struct path_scratch *s, struct sys_path *sp)
{
	if (fd_syscall(en->syscall)) {
		struct file *f = fd_file(en->fd); /* a local: CO-RE reads must not see struct sys_path */

		sp->f = f;
		if (f)
			path_walk(f, &sp->p);
		return;
	}
	path_user((const void *)en->path, s->buf, &sp->p);
	if (en->syscall == AA_SYS_RENAME)
		path_user((const void *)en->path2, s->buf2, &sp->p2);
}

/* A path out as string records of `kind`. The pieces read it from the
 * scratch buffer by address: a plain number, for the verifier would not let
 * their offsets, unbounded to it, be added to a map-value pointer. */
static __always_inline void emit_path(__u8 kind, __u8 flags, const struct whole_path *p, __u64 ts, __u64 id)
{
	const char *s = p->s;
	__u64 addr = 0;

	bpf_probe_read_kernel(&addr, sizeof(addr), &s);
	emit_string(kind, flags, (const void *)addr, p->len, p->orig_len, false, ts, id);
}

/*
 * The string records the path needs, then "old\0new" of a rename put
 * together in s->buf (cut to fit the record; the old path's bytes stay as
 * they were), for path_head() to copy.
 */
static __always_inline void sys_path_strings(const struct sys_entry *en, struct path_scratch *s,
					     struct sys_path *sp, __u64 id)
{
	__u8 flags = sp->p.unlinked ? AA_STRING_UNLINKED : 0;
	__u64 old, n;

	if (en->syscall != AA_SYS_RENAME) {
		/* The seed's record tells no unlinked file apart: the string does. */
		if (path_long(&sp->p) || (sp->p.unlinked && en->syscall < AA_SYS_COUNT))
			emit_path(AA_STRING_PATH, flags, &sp->p, en->ts, id);
		return;
	}
	if (path_long(&sp->p) || path_long(&sp->p2) || sp->p.len + 1 + sp->p2.len >= AA_PATH_MAX) {
		emit_path(AA_STRING_PATH, 0, &sp->p, en->ts, id);
		emit_path(AA_STRING_NEW_PATH, 0, &sp->p2, en->ts, id);
	}
	old = sp->p.len;
	if (old >= AA_PATH_MAX - 2)
		return; /* no room for the new path */
	bounded(old, AA_PATH_MAX - 3);
	n = AA_PATH_MAX - 2 - old;
	if (n > sp->p2.len)
		n = sp->p2.len;
	bounded(n, AA_PATH_MAX - 2);
	s->buf[old] = 0;
	bpf_probe_read_kernel(&s->buf[old + 1], n, s->buf2);
	sp->p.s = s->buf;
	sp->p.len = old + 1 + n;
}

/*
 * The record of en reserved and filled but for its path, which is zeroed:
 * a file record for the seed's syscalls, a fileop record for the others.
 * *path is its path field. NULL when the ring buffer is full (counted).
 */
static __always_inline void *record_begin(const struct sys_entry *en, struct file *f, bool unlinked, long ret,
					  __u64 now, __u64 id, __u8 **path)
{
	if (en->syscall < AA_SYS_COUNT) {
		struct aa_file_event *e = reserve(sizeof(*e), AA_DROP_FILE);

		if (!e)
			return NULL;
		e->pid = id >> 32;
		e->tid = (__u32)id;
		e->timestamp_ns = en->ts;
		e->syscall = en->syscall;
		e->flags = f ? BPF_CORE_READ(f, f_flags) : en->flags;
		e->return_code = ret;
		e->duration_ns = now - en->ts;
		__builtin_memset(e->path, 0, sizeof(e->path));
		*path = e->path;
		return e;
	}
	struct aa_fileop_event *e = reserve(sizeof(*e), AA_DROP_FILEOP);

	if (!e)
		return NULL;
	e->timestamp_ns = en->ts;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->syscall = en->syscall;
	/* RWF_* of preadv2/pwritev2 as passed; the other fd syscalls: the file's flags. */
	e->flags = f && en->syscall != AA_SYS_PREADV2 && en->syscall != AA_SYS_PWRITEV2
			   ? BPF_CORE_READ(f, f_flags) : en->flags;
	e->return_code = ret;
	e->duration_ns = now - en->ts;
	e->offset = en->offset;
	e->fd = en->fd;
	e->mode = en->mode;
	e->marks = unlinked ? AA_MARK_UNLINKED : 0;
	e->_pad = 0;
	__builtin_memset(e->path, 0, sizeof(e->path));
	*path = e->path;
	return e;
}

/*
 * The common case, as cheap as the seed's: a path the program passed read
 * straight into its record. False when it may not fit (256 bytes read) and
 * string records are wanted: the record is then given back unsent, for
 * the way of long paths, whose string records must come before it.
 */
static __always_inline bool emit_short_path(const struct sys_entry *en, long ret, __u64 now, __u64 id)
{
	__u8 *path;
	void *rec = record_begin(en, NULL, false, ret, now, id, &path);

	if (!rec)
		return true; /* counted as dropped */
	if (bpf_probe_read_user_str(path, AA_PATH_MAX, (const void *)en->path) < AA_PATH_MAX || !cfg_emit_string) {
		submit_at(rec, now);
		return true;
	}
	bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
	return false;
}

/* From aa_sys_exit (syscalls.bpf.h), for the file and fileop syscalls wanted. */
static __always_inline int file_sys_exit(long nr, long ret)
{
	struct sys_entry *en = task_entry(SYS_ENTRIES, false);
	struct path_scratch *s;
	struct sys_path sp = {};
	__u64 id, now;
	__u8 *path;
	void *rec;

	if (!en || en->nr < 0)
		return 0;
	if (en->nr != nr)
		goto out;
	now = bpf_ktime_get_ns();
	id = bpf_get_current_pid_tgid();
	if (!fd_syscall(en->syscall) && en->syscall != AA_SYS_RENAME && emit_short_path(en, ret, now, id))
		goto out;
	s = path_scratch();
	if (!s)
		goto out;
	sys_path(en, s, &sp);
	sys_path_strings(en, s, &sp, id);
	rec = record_begin(en, sp.f, sp.p.unlinked, ret, now, id, &path);
	if (rec) {
		path_head(&sp.p, path);
		submit_at(rec, now);
	}
out:
	en->nr = -1;
	return 0;
}

#endif /* AA_FILEIO_BPF_H */

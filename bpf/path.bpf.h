/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The path of an open file, from the kernel's own structures: the file's
 * dentry, walked up through d_parent to its mount's root, crossing into the
 * parent mount at each mount point, until the task's root. bpf_d_path()
 * would do this, but the kernel allows it only from a short list of attach
 * points (not from syscall tracepoints), so the walk is done here, bounded.
 */
#ifndef AA_PATH_BPF_H
#define AA_PATH_BPF_H

#define AA_PATH_DEPTH 32

#define AA_S_IFMT 00170000
#define AA_S_IFREG 0100000
#define AA_S_IFIFO 0010000
#define AA_S_IFSOCK 0140000 /* components walked at most; deeper paths lose their top */

/*
 * The walk's state lives in this per-CPU map value, not on the stack: the
 * verifier then sees unknown values in every iteration of the bpf_loop
 * callbacks and checks each body once, instead of once per possible offset.
 */
struct path_scratch {
	char buf[AA_PATH_MAX * 2]; /* twice the room, so any offset below AA_PATH_MAX fits a whole name */
	const unsigned char *names[AA_PATH_DEPTH]; /* innermost first */
	struct dentry *d;          /* where the walk is */
	struct vfsmount *vm;       /* its mount */
	struct dentry *root_d;     /* the task's root: where the walk stops */
	struct vfsmount *root_mnt;
	__u32 n;                   /* names collected */
	__u64 off;                 /* bytes of path written */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} PATH_SCRATCH SEC(".maps");

static __always_inline struct path_scratch *path_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&PATH_SCRATCH, &zero);
}

/* One step up: a name collected, or a mount crossed. 1 stops the loop. */
static long path_up(__u32 i, void *unused)
{
	struct path_scratch *w = path_scratch();
	struct dentry *d, *parent; /* locals: CO-RE reads must not see struct path_scratch */
	struct vfsmount *vm;
	struct mount *m;

	if (!w)
		return 1;
	d = w->d;
	vm = w->vm;
	m = container_of(vm, struct mount, mnt);
	if (d == w->root_d && vm == w->root_mnt)
		return 1;
	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *pm = BPF_CORE_READ(m, mnt_parent);

		if (pm == m) /* the top of the tree */
			return 1;
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->vm = &pm->mnt;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d || w->n >= AA_PATH_DEPTH)
		return 1;
	w->names[w->n & (AA_PATH_DEPTH - 1)] = BPF_CORE_READ(d, d_name.name);
	w->n++;
	w->d = parent;
	return 0;
}

/* "/name" of component i from the top, appended to the buffer. */
static long path_put(__u32 i, void *unused)
{
	struct path_scratch *w = path_scratch();
	__u64 off;
	long r;

	if (!w || i >= w->n || w->off >= AA_PATH_MAX - 1)
		return 1;
	off = w->off;
	bounded(off, AA_PATH_MAX - 2);
	w->buf[off] = '/';
	off++;
	r = bpf_probe_read_kernel_str(&w->buf[off], AA_PATH_MAX, w->names[(w->n - 1 - i) & (AA_PATH_DEPTH - 1)]);
	if (r > 1)
		off += r - 1; /* r counts the NUL */
	w->off = off;
	return 0;
}

/*
 * Writes the path of `f` into out[AA_PATH_MAX], which must be zeroed: at most
 * AA_PATH_MAX - 1 bytes, so out stays NUL-terminated and NUL-padded. A path
 * longer than that is cut at its end.
 */
static __always_inline void file_path(struct file *f, __u8 *out)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path_scratch *w = path_scratch();
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	__u16 type = BPF_CORE_READ(inode, i_mode) & AA_S_IFMT;
	__u64 ino = BPF_CORE_READ(inode, i_ino), off;

	/* Pipes and sockets have no path: named as /proc/PID/fd shows them. */
	if (type == AA_S_IFIFO) {
		BPF_SNPRINTF((char *)out, AA_PATH_MAX, "pipe:[%lu]", ino);
		return;
	}
	if (type == AA_S_IFSOCK) {
		BPF_SNPRINTF((char *)out, AA_PATH_MAX, "socket:[%lu]", ino);
		return;
	}
	if (!w)
		return;
	w->d = BPF_CORE_READ(f, f_path.dentry);
	w->vm = BPF_CORE_READ(f, f_path.mnt);
	w->root_d = BPF_CORE_READ(task, fs, root.dentry);
	w->root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	w->n = 0;
	w->off = 0;
	bpf_loop(AA_PATH_DEPTH * 2, path_up, NULL, 0);
	if (w->n == 0) {
		out[0] = '/';
		return;
	}
	bpf_loop(AA_PATH_DEPTH, path_put, NULL, 0);
	off = w->off;
	bounded(off, AA_PATH_MAX - 1);
	bpf_probe_read_kernel(out, off, w->buf);
}

#endif /* AA_PATH_BPF_H */

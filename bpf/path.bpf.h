/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Paths whole, up to PATH_MAX: the path of an open file from the kernel's
 * own structures, and the paths a program passes to a syscall, both built
 * in a per-CPU scratch buffer so that a path too long for a record's
 * 256-byte field can go out as string records first (they come before the
 * record they complete).
 *
 * An open file's path: its dentry, walked up through d_parent to its
 * mount's root, crossing into the parent mount at each mount point, until
 * the task's root. bpf_d_path() would do this, but the kernel allows it only
 * from a short list of attach points (not from syscall tracepoints), so the
 * walk is done here, bounded. It writes the names from the file up, right
 * to left, so it needs no list of them: a path of any depth fits while its
 * bytes do; a longer one keeps its end (the file and the directories
 * nearest to it) and is marked cut, with its real length when the walk
 * reached the root.
 */
#ifndef AA_PATH_BPF_H
#define AA_PATH_BPF_H

#define AA_S_IFMT 00170000
#define AA_S_IFREG 0100000
#define AA_S_IFIFO 0010000
#define AA_S_IFSOCK 0140000

#define AA_WHOLE_MAX 4096              /* PATH_MAX: a path, NUL included */
#define AA_WHOLE_LEN (AA_WHOLE_MAX - 1) /* its bytes at most */
#define AA_NAME_MAX 255                /* one component (NAME_MAX) */
/* Steps of the walk at most: a 4095-byte path has at most 2047
 * components; the rest is for mount points and for counting the length of
 * a path too long to keep (a deeper one's length stays unknown). */
#define AA_WALK_STEPS 8192
#define AA_LEN_UNKNOWN 0xffffffff      /* a string record's orig_len when unknown */

/*
 * The walk's state lives in this per-CPU map value, not on the stack: the
 * verifier then sees unknown values in every iteration of the bpf_loop
 * callback and checks its body once, instead of once per possible offset.
 */
struct path_scratch {
	/* The path ends at buf[AA_WHOLE_LEN] and starts at buf[pos]; a user
	 * path starts at buf[0]. AA_NAME_MAX more bytes, so that a name put
	 * at any offset the verifier allows stays inside. */
	char buf[AA_WHOLE_MAX + AA_NAME_MAX + 1];
	char buf2[AA_WHOLE_MAX];   /* a rename's new path */
	struct dentry *d;          /* where the walk is */
	struct vfsmount *vm;       /* its mount */
	struct dentry *root_d;     /* the task's root: where the walk stops */
	struct vfsmount *root_mnt;
	__u64 pos;                 /* where the path starts in buf */
	__u64 real_len;            /* its real length, counted past what fits */
	bool full;                 /* a name did not fit: the path is cut there */
	bool done;                 /* the walk reached the root */
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

/* One step up: "/name" put before what is there, or a mount crossed. 1 stops the loop. */
static long path_up(__u32 i, void *unused)
{
	struct path_scratch *w = path_scratch();
	struct dentry *d, *parent; /* locals: CO-RE reads must not see struct path_scratch */
	struct vfsmount *vm;
	struct mount *m;
	struct qstr name;
	__u64 len, pos;

	if (!w)
		return 1;
	d = w->d;
	vm = w->vm;
	m = container_of(vm, struct mount, mnt);
	if (d == w->root_d && vm == w->root_mnt)
		goto done;
	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *pm = BPF_CORE_READ(m, mnt_parent);

		if (pm == m) /* the top of the tree */
			goto done;
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->vm = &pm->mnt;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d)
		goto done;
	BPF_CORE_READ_INTO(&name, d, d_name); /* length and pointer in one read */
	len = name.len;
	bounded(len, AA_NAME_MAX);
	w->real_len += len + 1;
	pos = w->pos;
	if (!w->full && pos >= len + 1) {
		pos -= len + 1; /* the '/' goes at pos, the name after it */
		bounded(pos, AA_WHOLE_LEN);
		w->buf[pos] = '/';
		bpf_probe_read_kernel(&w->buf[pos + 1], len, name.name);
		w->pos = pos;
	} else {
		w->full = true; /* the names above are only counted */
	}
	w->d = parent;
	return 0;
done:
	w->done = true;
	return 1;
}

/* A path made by path_walk(): where it is, what was kept, how long it really is. */
struct whole_path {
	const char *s;
	__u32 len;      /* bytes kept at s */
	__u32 orig_len; /* the real length; AA_LEN_UNKNOWN */
	bool unlinked;  /* path_walk: the file has no name left (i_nlink 0) */
};

/*
 * The path of `f` into the scratch buffer. Pipes and sockets have no path:
 * they are named as /proc/PID/fd shows them ("pipe:[INODE]").
 */
static __always_inline bool path_walk(struct file *f, struct whole_path *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path_scratch *w = path_scratch();
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	__u16 type = BPF_CORE_READ(inode, i_mode) & AA_S_IFMT;
	__u64 ino = BPF_CORE_READ(inode, i_ino), pos;
	long n;

	if (!w)
		return false;
	p->unlinked = BPF_CORE_READ(inode, i_nlink) == 0;
	if (type == AA_S_IFIFO || type == AA_S_IFSOCK) {
		n = type == AA_S_IFIFO ? BPF_SNPRINTF(w->buf, AA_PATH_MAX, "pipe:[%lu]", ino)
				       : BPF_SNPRINTF(w->buf, AA_PATH_MAX, "socket:[%lu]", ino);
		p->s = w->buf;
		p->len = p->orig_len = n > 1 ? n - 1 : 0;
		return true;
	}
	w->d = BPF_CORE_READ(f, f_path.dentry);
	w->vm = BPF_CORE_READ(f, f_path.mnt);
	w->root_d = BPF_CORE_READ(task, fs, root.dentry);
	w->root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	w->pos = AA_WHOLE_LEN;
	w->real_len = 0;
	w->full = false;
	w->done = false;
	bpf_loop(AA_WALK_STEPS, path_up, NULL, 0);
	if (w->pos == AA_WHOLE_LEN) { /* the root itself */
		w->buf[AA_WHOLE_LEN - 1] = '/';
		w->pos = AA_WHOLE_LEN - 1;
		w->real_len = 1;
	}
	pos = w->pos;
	bounded(pos, AA_WHOLE_LEN);
	p->s = &w->buf[pos];
	p->len = AA_WHOLE_LEN - pos;
	p->orig_len = w->done ? w->real_len : AA_LEN_UNKNOWN;
	return true;
}

/* A path the program passed (user memory) into dst[AA_WHOLE_MAX]: false
 * when it cannot be read. One that does not end within PATH_MAX is cut
 * there, its real length unknown (the kernel refuses it anyway). */
static __always_inline bool path_user(const void *src, char *dst, struct whole_path *p)
{
	long n = bpf_probe_read_user_str(dst, AA_WHOLE_MAX, src);

	if (n <= 0)
		return false;
	p->s = dst;
	p->len = n - 1;
	p->orig_len = n == AA_WHOLE_MAX ? AA_LEN_UNKNOWN : p->len;
	return true;
}

/* Whether a path needs string records: it does not fit a 256-byte field whole. */
static __always_inline bool path_long(const struct whole_path *p)
{
	return p->len >= AA_PATH_MAX || p->orig_len != p->len;
}

/* The head of a path into out[AA_PATH_MAX] (zeroed): at most AA_PATH_MAX - 1
 * bytes, so it stays NUL-terminated, as the seed's records have it. */
static __always_inline void path_head(const struct whole_path *p, __u8 *out)
{
	__u64 n = p->len;

	bounded(n, AA_PATH_MAX - 1);
	bpf_probe_read_kernel(out, n, p->s);
}

#endif /* AA_PATH_BPF_H */

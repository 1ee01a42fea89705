/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What every aa program shares: the EVENTS ring buffer, the DROPS counters,
 * the settings user space writes into .rodata before load, and the filters.
 */
#ifndef AA_COMMON_BPF_H
#define AA_COMMON_BPF_H

/* Size set from user space with bpf_map__set_max_entries() before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} EVENTS SEC(".maps");

/* One u64 per enum aa_drop_slot, per CPU: failed reservations. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AA_DROP_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} DROPS SEC(".maps");

/*
 * Processes followed by --pid: their tgids, and their descendants' as they
 * fork. One bit per tgid, bit tgid % 64 of word tgid / 64, for every tgid
 * the kernel can give (PID_MAX_LIMIT, 2^22 on 64-bit: 512 KiB): checked
 * with an array read where a hash lookup cost a hash. Set and cleared with
 * atomic operations, here and by user space through mmap (capture/
 * live_load.c), which shrinks the map to one word when no --pid is given.
 */
#define AA_FOLLOW_WORDS ((1u << 22) / 64)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, AA_FOLLOW_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} FOLLOWED SEC(".maps");

static __always_inline bool followed(__u32 tgid)
{
	__u32 w = tgid / 64;
	__u64 *word = bpf_map_lookup_elem(&FOLLOWED, &w);

	return word && ((*word >> (tgid % 64)) & 1);
}

static __always_inline void follow(__u32 tgid, bool on)
{
	__u32 w = tgid / 64;
	__u64 *word = bpf_map_lookup_elem(&FOLLOWED, &w), bit = 1ull << (tgid % 64);

	if (!word)
		return;
	if (on)
		__sync_fetch_and_or(word, bit);
	else
		__sync_fetch_and_and(word, ~bit);
}

/* 4096 zero bytes, to clear the tail of a short piece (TLS, string) with one helper call. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[4096]);
} ZEROS SEC(".maps");

static __always_inline const void *zeros(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ZEROS, &zero);
}

/* Set by user space before load (the verifier then prunes what is off). */
const volatile __u32 cfg_self_tgid = 0;     /* the capture process: never recorded */
const volatile bool cfg_filter_pids = false; /* only tgids in FOLLOWED */
const volatile bool cfg_filter_comm = false; /* only tasks whose comm is cfg_comm */
const volatile char cfg_comm[16] = {};
const volatile bool cfg_all_files = false;   /* read/write on every kind of fd */
const volatile bool cfg_emit_exit = true;    /* exit records wanted (the program may run only to forget pids) */
const volatile bool cfg_emit_exec = true;    /* exec records wanted (the program may run only for task records) */
const volatile bool cfg_emit_task = true;    /* task records wanted */
const volatile bool cfg_emit_file = true;    /* file records wanted (the seed's five syscalls) */
const volatile bool cfg_emit_fileop = true;  /* fileop records wanted (the other file syscalls) */
const volatile __u64 cfg_wakeup_bytes = 0;   /* see submit(); 0: wake the reader for every record */
const volatile __u32 cfg_argv_max = 128 << 10; /* bytes of argv recorded whole, at most */
const volatile bool cfg_emit_string = true;  /* string records wanted (--events) */

/* When the reader was last woken (shared by all CPUs; a lost update only
 * costs one more wakeup). */
__u64 last_wakeup_ns = 0;
#define AA_WAKEUP_NS (10 * 1000000ull)

/*
 * Makes the verifier see x <= max where clang would otherwise compare a copy
 * (its 32-bit sub-register) and pass the unchecked one to a helper.
 */
#define bounded(x, max)                                  \
	do {                                             \
		asm volatile("" : "+r"(x));              \
		if ((x) > (max))                         \
			(x) = (max);                     \
	} while (0)

static __always_inline void count_drop(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&DROPS, &slot);

	if (n)
		*n += 1; /* per-CPU slot: no other writer */
}

/* A record of `size` bytes in EVENTS, or NULL with the drop counted. */
static __always_inline void *reserve(__u64 size, __u32 slot)
{
	void *rec = bpf_ringbuf_reserve(&EVENTS, size, 0);

	if (!rec)
		count_drop(slot);
	return rec;
}

/*
 * Commits a record; now is bpf_ktime_get_ns() of late. Waking the reader for every record costs the traced
 * program an interrupt and the reader a context switch per record, which
 * halves the rate of a busy openat loop; so the reader is woken only when
 * cfg_wakeup_bytes are waiting or 10 ms have passed since the last wakeup.
 * The records left between are picked up by the reader's own 10 ms timer
 * (capture/live_source.c), so none waits longer than that.
 */
static __always_inline void submit_at(void *rec, __u64 now)
{
	__u64 flags = 0;

	if (cfg_wakeup_bytes) {
		if (now - last_wakeup_ns >= AA_WAKEUP_NS ||
		    bpf_ringbuf_query(&EVENTS, BPF_RB_AVAIL_DATA) >= cfg_wakeup_bytes) {
			last_wakeup_ns = now;
			flags = BPF_RB_FORCE_WAKEUP;
		} else {
			flags = BPF_RB_NO_WAKEUP;
		}
	}
	bpf_ringbuf_submit(rec, flags);
}

/* submit_at() for callers with no fresh time at hand (a clock read costs
 * about as much as the rest of the wakeup decision). */
static __always_inline void submit(void *rec)
{
	submit_at(rec, cfg_wakeup_bytes ? bpf_ktime_get_ns() : 0);
}

static __always_inline bool comm_matches(void)
{
	char comm[16];

	if (bpf_get_current_comm(comm, sizeof(comm)))
		return false;
	for (int i = 0; i < 16; i++) {
		if (comm[i] != cfg_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* Whether the current task's activity is recorded at all. */
static __always_inline bool wanted(__u32 tgid)
{
	if (tgid == cfg_self_tgid)
		return false;
	if (cfg_filter_pids && !followed(tgid))
		return false;
	if (cfg_filter_comm && !comm_matches())
		return false;
	return true;
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/*
 * What a thread carries from a call's entry to its return (a syscall's
 * arguments and start time, a TLS call's buffer) lives in task storage
 * (BPF_MAP_TYPE_TASK_STORAGE): found from the task itself, with no hashing
 * of a tid and no LRU lists and locks, and freed with the thread (one killed
 * inside a call leaves nothing behind). An entry is made the first time a
 * recorded thread needs one, zeroed, and then reused: each part marks its
 * entry done instead of deleting it. Threads never recorded have none, so
 * their returns find nothing at once.
 */
#define AA_TASK_ENTRIES(name, value_type)                 \
	struct {                                          \
		__uint(type, BPF_MAP_TYPE_TASK_STORAGE);  \
		__uint(map_flags, BPF_F_NO_PREALLOC);     \
		__type(key, int);                         \
		__type(value, value_type);                \
	} name SEC(".maps")

/* The current thread's entry in such a map; made (zeroed) when `make`. */
#define task_entry(map, make)                                                            \
	bpf_task_storage_get(&(map), (struct task_struct *)bpf_get_current_task_btf(), NULL, \
			     (make) ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0)

#endif /* AA_COMMON_BPF_H */

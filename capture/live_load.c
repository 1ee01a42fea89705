/* SPDX-License-Identifier: MIT */
/* Loading and attaching the embedded BPF programs (see live_load.h). */
#include "live_load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "aa_error.h"
#include "aa.skel.h"
#include "live_follow.h"
#include "live_tls.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct aa_live_bpf {
	struct aa_bpf *skel;
	struct aa_live_tls *tls; /* the TLS probes, when TLS is recorded */
	size_t ring_bytes;
	struct aa_live_probes probes;
	uint64_t *followed;     /* FOLLOWED mapped (--pid): bit pid % 64 of word pid / 64 */
	size_t followed_bytes;
};

/* libbpf prints through one process-wide hook: it keeps the first warning
 * of the current thread's load as the reason of a failure, and prints
 * everything only when AA_VERBOSE is set. */
static __thread char *tl_why;
static __thread size_t tl_whysize;
static __thread int tl_have_why;

static int verbose(void)
{
	const char *v = getenv("AA_VERBOSE");

	return v && *v && strcmp(v, "0");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	if (verbose())
		return vfprintf(stderr, fmt, ap);
	if (level != LIBBPF_WARN || !tl_why || tl_have_why)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strcspn(line, "\n");
	line[n] = 0;
	snprintf(tl_why, tl_whysize, "%s", strncmp(line, "libbpf: ", 8) ? line : line + 8);
	tl_have_why = 1;
	return 0;
}

int aa_live_fail(char *why, size_t whysize, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysize, fmt, ap);
	va_end(ap);
	return code;
}

/* Root, or the capabilities BPF tracing needs. */
static int privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
#define HAS(cap) (d[(cap) / 32].effective & (1u << ((cap) % 32)))
	return HAS(CAP_SYS_ADMIN) || (HAS(CAP_BPF) && HAS(CAP_PERFMON));
#undef HAS
}

/* Kernels from 6.16 give sched_process_exit a group_dead argument. */
static int exit_has_group_dead(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	const struct btf_type *t;
	int id, vlen = 0;

	if (!vmlinux)
		return 0;
	id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	if (id > 0 && (t = btf__type_by_id(vmlinux, id)) && (t = btf__type_by_id(vmlinux, t->type)) &&
	    btf_is_ptr(t) && (t = btf__type_by_id(vmlinux, t->type)) && btf_is_func_proto(t))
		vlen = btf_vlen(t);
	btf__free(vmlinux);
	return vlen == 3; /* void *, struct task_struct *, bool */
}

static int wants(const struct aa_live_opts *o, enum aa_type t)
{
	return !o->events || (o->events & AA_TYPE_BIT(t));
}

static int tls_conn_wanted(const struct aa_live_opts *o)
{
	return wants(o, AA_TYPE_TLS_CONN);
}

/* Which programs load, and the .rodata settings. */
static int configure(struct aa_live_bpf *b, const struct aa_live_opts *o, char *why, size_t n)
{
	struct aa_bpf *s = b->skel;
	int tls_conn = wants(o, AA_TYPE_TLS_CONN), tls = wants(o, AA_TYPE_TLS) || tls_conn;
	int file = wants(o, AA_TYPE_FILE), fileop = wants(o, AA_TYPE_FILEOP), net = wants(o, AA_TYPE_NET);
	int exec = wants(o, AA_TYPE_EXEC), task = wants(o, AA_TYPE_TASK);
	int exit_needed = wants(o, AA_TYPE_EXIT) || task || o->npids;
	int group_dead = exit_has_group_dead();

	b->ring_bytes = o->ring_bytes ? o->ring_bytes : AA_LIVE_RING_DEFAULT;
	if ((b->ring_bytes & (b->ring_bytes - 1)) || b->ring_bytes < (size_t)sysconf(_SC_PAGESIZE))
		return aa_live_fail(why, n, AA_E_INVAL, "ring buffer size %zu: must be a power of two of at least one page",
			    b->ring_bytes);
	if (bpf_map__set_max_entries(s->maps.EVENTS, (__u32)b->ring_bytes))
		return aa_live_fail(why, n, AA_E_BPF, "cannot size the EVENTS ring buffer to %zu bytes", b->ring_bytes);
	/* No --pid: FOLLOWED's 512 KiB are never read. */
	if (!o->npids && bpf_map__set_max_entries(s->maps.FOLLOWED, 1))
		return aa_live_fail(why, n, AA_E_BPF, "cannot size the FOLLOWED map");
	if (o->comm && strlen(o->comm) >= sizeof(s->rodata->cfg_comm))
		return aa_live_fail(why, n, AA_E_INVAL, "comm '%s': longer than the kernel's %zu-byte task names", o->comm,
			    sizeof(s->rodata->cfg_comm) - 1);
	if (o->argv_max > AA_LIVE_ARGV_MAX)
		return aa_live_fail(why, n, AA_E_INVAL, "argv limit %u: more than %u bytes", o->argv_max, AA_LIVE_ARGV_MAX);

	s->rodata->cfg_self_tgid = (__u32)getpid();
	s->rodata->cfg_filter_pids = o->npids > 0;
	s->rodata->cfg_filter_comm = o->comm != NULL;
	if (o->comm)
		memcpy(s->rodata->cfg_comm, o->comm, strlen(o->comm) + 1);
	s->rodata->cfg_all_files = o->all_files != 0;
	s->rodata->cfg_emit_exit = wants(o, AA_TYPE_EXIT);
	s->rodata->cfg_emit_string = wants(o, AA_TYPE_STRING);
	s->rodata->cfg_emit_exec = exec;
	s->rodata->cfg_emit_task = task;
	s->rodata->cfg_emit_file = file;
	s->rodata->cfg_emit_fileop = fileop;
	s->rodata->cfg_argv_max = o->argv_max ? o->argv_max : AA_LIVE_ARGV_DEFAULT;
	s->rodata->cfg_wakeup_bytes = b->ring_bytes / 8;
	s->rodata->cfg_emit_tls = wants(o, AA_TYPE_TLS);
	s->rodata->cfg_emit_tls_conn = tls_conn;
	s->rodata->cfg_sys_net = net;
	s->rodata->cfg_sys_tls = tls;

	/* Task records come from the exec, exit and fork programs, failed
	 * execs from the syscall ones. */
	bpf_program__set_autoload(s->progs.aa_exec, exec || task);
	bpf_program__set_autoload(s->progs.aa_exit_group, exit_needed && group_dead);
	bpf_program__set_autoload(s->progs.aa_exit_live, exit_needed && !group_dead);
	bpf_program__set_autoload(s->progs.aa_fork, task || o->npids > 0);
	/* One program at each raw syscall tracepoint, for file, task, net and
	 * TLS (bpf/syscalls.bpf.h); TLS uses the entry only. */
	bpf_program__set_autoload(s->progs.aa_sys_enter, file || fileop || task || net || tls);
	bpf_program__set_autoload(s->progs.aa_sys_exit, file || fileop || task || net);
	bpf_program__set_autoload(s->progs.aa_ssl_write, tls);
	bpf_program__set_autoload(s->progs.aa_ssl_read, tls);
	bpf_program__set_autoload(s->progs.aa_ssl_write_ex, tls);
	bpf_program__set_autoload(s->progs.aa_ssl_read_ex, tls);
	bpf_program__set_autoload(s->progs.aa_ssl_ret, tls);
	bpf_program__set_autoload(s->progs.aa_gnutls_send, tls);
	bpf_program__set_autoload(s->progs.aa_gnutls_recv, tls);
	bpf_program__set_autoload(s->progs.aa_gnutls_ret, tls);
	bpf_program__set_autoload(s->progs.aa_nss_import_ret, tls);
	bpf_program__set_autoload(s->progs.aa_nss_close, tls);
	bpf_program__set_autoload(s->progs.aa_nss_write, tls);
	bpf_program__set_autoload(s->progs.aa_nss_read, tls);
	bpf_program__set_autoload(s->progs.aa_nss_ret, tls);
	bpf_program__set_autoload(s->progs.aa_tls_hold_exec, tls);
	bpf_program__set_autoattach(s->progs.aa_tls_hold_exec, false); /* live_tls.c, once it listens */
	return 0;
}

/* Sets each process's bit in FOLLOWED (bpf/common.bpf.h): atomically, for
 * the fork and exit programs change other bits of the same words meanwhile. */
static int follow_once(struct aa_live_bpf *b, const struct aa_live_opts *o, char *why, size_t n)
{
	size_t count;
	uint32_t *set;

	set = aa_follow_closure(o->pids, o->npids, &count);
	if (!set)
		return aa_live_fail(why, n, AA_E_NOMEM, "out of memory listing the followed processes");
	for (size_t i = 0; i < count; i++) {
		uint32_t pid = set[i];

		if (pid / 64 >= b->followed_bytes / sizeof(*b->followed)) {
			free(set);
			return aa_live_fail(why, n, AA_E_INVAL, "cannot follow pid %u: above the kernel's pid limit", pid);
		}
		__atomic_fetch_or(&b->followed[pid / 64], 1ull << (pid % 64), __ATOMIC_RELAXED);
	}
	free(set);
	return 0;
}

/* The given processes and their descendants into FOLLOWED: twice, for the
 * ones born while /proc was read the first time (later ones the fork
 * program adds, as it is attached before). */
static int follow(struct aa_live_bpf *b, const struct aa_live_opts *o, char *why, size_t n)
{
	struct bpf_map *m = b->skel->maps.FOLLOWED;
	void *p;

	if (!o->npids)
		return 0;
	b->followed_bytes = (size_t)bpf_map__max_entries(m) * sizeof(*b->followed);
	p = mmap(NULL, b->followed_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED) {
		b->followed_bytes = 0;
		return aa_live_fail(why, n, AA_E_BPF, "cannot map the FOLLOWED map: %s", strerror(errno));
	}
	b->followed = p;
	for (int pass = 0; pass < 2; pass++) {
		int rc = follow_once(b, o, why, n);

		if (rc)
			return rc;
	}
	return 0;
}

static int attach_tls(struct aa_live_bpf *b, const struct aa_live_opts *o, char *why, size_t n)
{
	if (o->nssl_libs > AA_LIVE_MAX_SSL_LIBS)
		return aa_live_fail(why, n, AA_E_INVAL, "too many SSL libraries: at most %d", AA_LIVE_MAX_SSL_LIBS);
	return aa_live_tls_start(&b->tls, b->skel, o->ssl_libs, o->nssl_libs,
				 o->tls_hold ? AA_TLS_FOLLOW_HOLD : AA_TLS_FOLLOW, why, n);
}

static int attach_all(struct aa_live_bpf *b, const struct aa_live_opts *o, char *why, size_t n)
{
	struct aa_bpf *s = b->skel;

	if (aa_bpf__attach(s)) {
		int err = errno;
		char libbpf_why[192] = "";

		/* libbpf's reason is in why, which the message below overwrites */
		if (tl_have_why)
			snprintf(libbpf_why, sizeof(libbpf_why), "%s: ", why);
		return aa_live_fail(why, n, AA_E_BPF, "attaching the BPF programs failed: %s%s", libbpf_why,
			    strerror(err));
	}
	b->probes.exec = s->links.aa_exec != NULL;
	b->probes.exit = s->links.aa_exit_group || s->links.aa_exit_live;
	b->probes.fork = s->links.aa_fork != NULL;
	b->probes.file = (wants(o, AA_TYPE_FILE) || wants(o, AA_TYPE_FILEOP)) && s->links.aa_sys_enter &&
			 s->links.aa_sys_exit;
	b->probes.net = wants(o, AA_TYPE_NET) && s->links.aa_sys_enter && s->links.aa_sys_exit;
	b->probes.tls_conn = tls_conn_wanted(o) && s->links.aa_sys_enter != NULL;
	if (wants(o, AA_TYPE_TLS) || wants(o, AA_TYPE_TLS_CONN))
		return attach_tls(b, o, why, n);
	return 0;
}

static void report(struct aa_live_bpf *b)
{
	const struct aa_live_probes *p = aa_live_bpf_probes(b);

	fprintf(stderr, "aa: attached: exec %s, exit %s, fork %s, file %s, net %s, tls_conn %s, "
		"tls %d probes in %d files, new files %s\n",
		p->exec ? "yes" : "no", p->exit ? "yes" : "no", p->fork ? "yes" : "no", p->file ? "yes" : "no",
		p->net ? "yes" : "no", p->tls_conn ? "yes" : "no", p->tls.probes, p->tls.files,
		p->tls.following ? "followed" : "not followed");
	if (b->tls)
		aa_live_tls_report(b->tls);
}

static int check_machine(char *why, size_t n)
{
	if (!privileged())
		return aa_live_fail(why, n, AA_E_PERM, "running as uid %u: not root, no CAP_BPF", (unsigned)geteuid());
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return aa_live_fail(why, n, AA_E_UNSUPPORTED,
			    "no kernel BTF at /sys/kernel/btf/vmlinux (a kernel built with CONFIG_DEBUG_INFO_BTF is needed)");
	switch (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL)) {
	case 1:
		break;
	case 0:
		return aa_live_fail(why, n, AA_E_UNSUPPORTED, "the kernel has no BPF ring buffer (Linux 5.8 or later is needed)");
	default:
		return aa_live_fail(why, n, AA_E_PERM, "the kernel refuses BPF to this process (%s)", strerror(errno));
	}
	/* The newest helper the programs use (probed on the uprobe program type). */
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) == 0)
		return aa_live_fail(why, n, AA_E_UNSUPPORTED, "the kernel has no bpf_loop helper (Linux 5.17 or later is needed)");
	return 0;
}

int aa_live_bpf_open(struct aa_live_bpf **out, const struct aa_live_opts *opts, char *why, size_t whysize)
{
	static const struct aa_live_opts none;
	const struct aa_live_opts *o = opts ? opts : &none;
	struct aa_live_bpf *b;
	int rc;

	*out = NULL;
	why[0] = 0;
	/* The hook is the whole process's: the caller's own is put back below. */
	libbpf_print_fn_t callers_print = libbpf_set_print(libbpf_print);
	rc = check_machine(why, whysize);
	if (rc)
		goto out_print;
	b = calloc(1, sizeof(*b));
	if (!b) {
		rc = aa_live_fail(why, whysize, AA_E_NOMEM, "out of memory");
		goto out_print;
	}
	tl_why = why;
	tl_whysize = whysize;
	tl_have_why = 0;
	b->skel = aa_bpf__open();
	if (!b->skel) {
		rc = aa_live_fail(why, whysize, AA_E_BPF, "opening the embedded BPF object failed: %s", strerror(errno));
		goto out;
	}
	rc = configure(b, o, why, whysize);
	if (rc)
		goto out;
	if (aa_bpf__load(b->skel)) {
		int err = errno;

		if (!tl_have_why)
			snprintf(why, whysize, "loading the BPF programs failed: %s", strerror(err));
		rc = AA_E_BPF;
		goto out;
	}
	tl_have_why = 0;
	/* Attached first, so that the fork program already follows the
	 * children of every process as it enters the map. */
	rc = attach_all(b, o, why, whysize);
	if (!rc)
		rc = follow(b, o, why, whysize);
out:
	tl_why = NULL;
	if (rc) {
		aa_live_bpf_close(b);
		goto out_print;
	}
	if (verbose())
		report(b);
	*out = b;
out_print:
	libbpf_set_print(callers_print);
	return rc;
}

int aa_live_bpf_events_fd(const struct aa_live_bpf *b)
{
	return bpf_map__fd(b->skel->maps.EVENTS);
}

int aa_live_bpf_drops_fd(const struct aa_live_bpf *b)
{
	return bpf_map__fd(b->skel->maps.DROPS);
}

size_t aa_live_bpf_ring_bytes(const struct aa_live_bpf *b)
{
	return b->ring_bytes;
}

const struct aa_live_probes *aa_live_bpf_probes(struct aa_live_bpf *b)
{
	if (b->tls)
		aa_live_tls_stats(b->tls, &b->probes.tls);
	return &b->probes;
}

void aa_live_bpf_unfollow(struct aa_live_bpf *b)
{
	aa_live_tls_unfollow(b->tls);
}

int aa_live_bpf_drops(const struct aa_live_bpf *b, uint64_t drops[AA_DROP_SLOTS])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*per)) : NULL;
	int rc = 0;

	if (!per)
		return ncpu > 0 ? AA_E_NOMEM : AA_E_IO;
	for (uint32_t slot = 0; slot < AA_DROP_SLOTS; slot++) {
		if (bpf_map_lookup_elem(aa_live_bpf_drops_fd(b), &slot, per)) {
			rc = AA_E_IO; /* this slot keeps what the caller had */
			continue;
		}
		drops[slot] = 0;
		for (int c = 0; c < ncpu; c++)
			drops[slot] += per[c];
	}
	free(per);
	return rc;
}

void aa_live_bpf_close(struct aa_live_bpf *b)
{
	if (!b)
		return;
	aa_live_tls_stop(b->tls);
	if (b->followed)
		munmap(b->followed, b->followed_bytes);
	aa_bpf__destroy(b->skel);
	free(b);
}

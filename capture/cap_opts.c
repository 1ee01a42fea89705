/* SPDX-License-Identifier: MIT */
/* aa-capture's command line (tcpdump's letters where tcpdump has one). */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <math.h> /* isfinite, a macro: no libm */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "cap_opts.h"
#include "parse.h"
#include "postcmd.h"
#include "ready.h"

static const char usage_line[] =
	"usage: aa-capture [-q] [-r RAWFILE] [-w FILE] [-c COUNT] [-G SECONDS] [-C MB] [-W N]"
	" [-z COMMAND] [-Z USER] [OPTION]... [[-u USER] -- COMMAND [ARGS]]"
	" (aa-capture --help lists them all)\n";

static const char help_usage[] =
	"usage: aa-capture [-q] [-r RAWFILE] [-w FILE] [-c COUNT] [--duration SECONDS]\n"
	"                  [-G SECONDS] [-C MEGABYTES] [-W N] [-z COMMAND] [-Z USER]\n"
	"                  [--level N] [-T N] [--flush-ms MS] [--print [--json]]\n"
	"                  [--ring-size BYTES] [--pid PID]... [--comm NAME]\n"
	"                  [--events LIST] [--ssl-lib PATH]... [--tls-hold] [--all-files]\n"
	"                  [--no-snapshot] [--argv-max BYTES] [--ready-fd N]\n"
	"                  [--ship URL [--spool DIR] [--spool-max MB]]\n"
	"                  [[-u USER] -- COMMAND [ARGS]]\n"
	"                  | --list-tls [--ssl-lib PATH]... | -h | --version\n";

static const char help_text[] =
	"Records the eBPF ring-buffer events of this machine (TLS plaintext, file\n"
	"I/O, exec, exit) into pcapng capture files, or converts a raw record stream.\n"
	"\n"
	"Input:\n"
	"  (default)            the live ring buffer (root: CAP_BPF and CAP_PERFMON)\n"
	"  -r RAWFILE           a raw stream: [u32 little-endian length][bytes] per\n"
	"                       record, as `aa-replay export` writes; '-' is\n"
	"                       standard input. Not a capture file (tcpdump's -r):\n"
	"                       that is refused (exit 2); read it with aa-replay\n"
	"  -- COMMAND [ARGS]    record this command's session only (strace -f and\n"
	"                       perf record take one so): it starts once the capture\n"
	"                       is ready, its exec (argv exact) is its first record,\n"
	"                       it and its descendants are followed (as --pid does)\n"
	"                       and nothing else; the capture ends when it exits\n"
	"                       (descendants still running are no longer recorded),\n"
	"                       once its last records, its exit among them, are in\n"
	"                       the file; aa-capture then exits with its status.\n"
	"                       Found on PATH as execvp does; not found: exit 127,\n"
	"                       not executable: 126 (the file is still written).\n"
	"                       No snapshot, no status line (its output is the\n"
	"                       terminal's). Ctrl-C and Ctrl-\\ reach it from the\n"
	"                       terminal; SIGTERM, and a SIGINT or SIGQUIT sent to\n"
	"                       aa-capture by kill, are passed on to it, whose\n"
	"                       exit ends the capture (SIGHUP still starts\n"
	"                       a new file). -c or --duration end the capture early:\n"
	"                       the command goes on, unrecorded, and is waited for.\n"
	"                       Not with -r, --pid or -w - (standard output is the\n"
	"                       command's); --print shares it with the command\n"
	"  -u USER, --user USER run the command as USER (name or number, with its\n"
	"                       groups; HOME, USER and LOGNAME set as sudo -u does).\n"
	"                       Default: with -Z, its USER (aa-capture, once that\n"
	"                       user, can still signal the command; -u must then\n"
	"                       name the same one); under sudo, the user who ran\n"
	"                       sudo (SUDO_UID, SUDO_GID); else aa-capture's own\n"
	"Output:\n"
	"  -w FILE              file name, strftime(3) conversions allowed;\n"
	"                       default " CAP_DEFAULT_NAME "; '-' for standard output\n"
	"  -G SECONDS           start a new file every SECONDS\n"
	"  -C MEGABYTES         start a new file once this one holds MEGABYTES\n"
	"                       (1 MB = 1,000,000 bytes; fractions allowed), with\n"
	"                       the next record: never an empty last file\n"
	"  -W N                 keep only the last N files (with -G or -C), removing\n"
	"                       the oldest as a new one starts (also with -G, where\n"
	"                       tcpdump would stop instead)\n"
	"  -z COMMAND           run COMMAND FILE on each finished file (no shell, so\n"
	"                       FILE is one argument whatever it holds; COMMAND must\n"
	"                       be a program, found on PATH, checked at start). Each\n"
	"                       runs in its own process group, stdin /dev/null: a\n"
	"                       Ctrl-C stops the capture, not them; they are waited\n"
	"                       for at exit, unless SIGINT or SIGTERM comes again\n"
	"                       (they then go on, on their own).\n"
	"                       A file is never replaced (-W) or removed while its\n"
	"                       command runs: the capture waits for it (live events\n"
	"                       queue meanwhile; what overflows is counted as drops)\n"
	"  -Z USER              drop root for USER once the input is open, before\n"
	"                       the first output file is created; write into a\n"
	"                       directory of USER's own (mode 0700), and better a\n"
	"                       user of its own than nobody: every process of USER\n"
	"                       can read the files\n"
	"  --level N            zstd level (default 3)\n"
	"  -T N, --threads N    compress chunks on N threads (1..64; default 0: one\n"
	"                       per core), written in order by one more; the files\n"
	"                       are the same whatever N\n"
	"  --flush-ms MS        write a chunk at least every MS ms (default 1000)\n"
	"  File names: a name that would repeat within the run gets a number, as\n"
	"  tcpdump's -C does (FILE, FILE1, FILE2, ...); with -W N and no strftime\n"
	"  conversion every name is numbered, FILE0 .. FILE<N-1>, reused in turn.\n"
	"  Files are created with mode 0600, never through a symbolic link; an\n"
	"  existing file is replaced only when it is a regular file of this user\n"
	"  (by a rename, never written in place). A directory any user may write\n"
	"  in is refused (exit 3), or with the sticky bit (/tmp) warned about: use\n"
	"  one owned by the capture user. A second aa-capture with the same -w\n"
	"  pattern in the same directory is refused (exit 3) while the first runs\n"
	"  (it holds the lock file .NAME.lock there).\n"
	SHIP_HELP
	"Stopping:\n"
	"  -c COUNT             after COUNT records\n"
	"  --duration SECONDS   after SECONDS (fractions allowed)\n"
	"  SIGINT, SIGTERM      flush, close and exit 0; SIGHUP starts a new file;\n"
	"                       SIGUSR1 prints the statistics (with a command:\n"
	"                       when it exits, see above)\n"
	"Selection (live: in the kernel; -r: --pid and --events only, exact pids):\n"
	"  --pid PID            only this process and its descendants (repeatable)\n"
	"  --comm NAME          only tasks with this command name\n"
	"  --events LIST        record only these types, comma-separated, of:\n"
	"                      " AA_TYPE_NAMES "\n"
	"                       (file: openat read write unlink rename; fileop:\n"
	"                       pread64 pwrite64 readv writev preadv pwritev\n"
	"                       preadv2 pwritev2 open creat openat2 mkdir mkdirat\n"
	"                       rmdir; string: what does not fit the record it\n"
	"                       completes, such as a path longer than 255 bytes)\n"
	"  --ssl-lib PATH       also attach to this TLS library or program (repeatable)\n"
	"  --list-tls           print the files found to carry a TLS stack (path,\n"
	"                       stack, functions, why), then exit\n"
	"  --tls-hold           stop a program that maps a file not looked at yet\n"
	"                       until that file's TLS probes are attached (none of\n"
	"                       its TLS missed; its parent may see the stop)\n"
	"  --all-files          read/write (and the fileop fd syscalls) on every kind\n"
	"                       of fd, not only regular files\n"
	"  --ring-size BYTES    ring buffer size, a power of two (suffix K, M or G)\n"
	"  --argv-max BYTES     record an exec's argv whole up to BYTES (default\n"
	"                       131072, at most 16777216); a longer one is cut\n"
	"                       there, marked truncated with its real length\n"
	"  --no-snapshot        no records of the processes already running (below)\n"
	"  Live, the file starts with a snapshot of the processes running once the\n"
	"  programs are attached, from /proc (all but aa-capture itself; --pid,\n"
	"  --comm and --events apply): per process its argv and exe as string\n"
	"  records, then a task record of kind snapshot; -c counts them too\n"
	"Display:\n"
	"  Once recording (programs attached, or -r's input open and not a capture\n"
	"  file, and the first file created) it prints 'aa-capture: ready' on\n"
	"  stderr (not with -q), sends READY=1 to $NOTIFY_SOCKET when set (systemd\n"
	"  Type=notify), and:\n"
	"  --ready-fd N         writes one byte to descriptor N, then closes it\n"
	"  -q                   no status line, no statistics at exit\n"
	"  --print              print each event on standard output (as aa-replay cat)\n"
	"  --json               with --print: JSON Lines\n"
	"  -h, --help           this text; --version: the version\n"
	"Exit status:\n"
	"  0 ok; 1 the input stream is damaged (every record before the damage is\n"
	"  kept); 2 usage error, or an input that cannot be opened or read (an I/O\n"
	"  error, not damage: a capture file given to -r, a failed read or poll);\n"
	"  3 an output file\n"
	"  cannot be created or written (the file is cut back to its last whole\n"
	"  chunk and still reads), was deleted while being written, or its\n"
	"  directory or -w pattern is refused; 4 missing privilege or BPF\n"
	"  unavailable; 5 all files written but a -z command failed (exit status\n"
	"  not 0) on some. The statistics count what reached the files.\n"
	"  With a command: its exit status, or 128 + N when signal N killed it\n"
	"  (127, 126: it could not be run), when all went well; else aa-capture's\n"
	"  own status above (said on stderr), which wins: the command is never\n"
	"  started after a usage or privilege error (-u's identity included: 4),\n"
	"  and after a write error it goes on and is waited for.\n"
	"Example (CI): aa-capture -q -w run.pcapng -- make test &&\n"
	"              aa-replay diff base.pcapng run.pcapng\n";

enum {
	OPT_DURATION = 256, OPT_LEVEL, OPT_FLUSH_MS, OPT_PRINT, OPT_JSON, OPT_RING_SIZE,
	OPT_PID, OPT_COMM, OPT_EVENTS, OPT_SSL_LIB, OPT_ALL_FILES, OPT_READY_FD, OPT_VERSION,
	OPT_NO_SNAPSHOT, OPT_ARGV_MAX,
	OPT_LIST_TLS, OPT_TLS_HOLD,
};

static const struct option long_opts[] = {
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "threads", required_argument, NULL, 'T' },
	{ "flush-ms", required_argument, NULL, OPT_FLUSH_MS },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "ssl-lib", required_argument, NULL, OPT_SSL_LIB },
	{ "list-tls", no_argument, NULL, OPT_LIST_TLS },
	{ "tls-hold", no_argument, NULL, OPT_TLS_HOLD },
	{ "all-files", no_argument, NULL, OPT_ALL_FILES },
	{ "no-snapshot", no_argument, NULL, OPT_NO_SNAPSHOT },
	{ "argv-max", required_argument, NULL, OPT_ARGV_MAX },
	{ "ready-fd", required_argument, NULL, OPT_READY_FD },
	{ "user", required_argument, NULL, 'u' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	SHIP_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("aa-capture: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_line, stderr);
	return CAP_EXIT_USAGE;
}

/* A whole decimal number in [min, max]; 0 or -1. */
static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A positive decimal number (fractions allowed) times scale, at least 1, at most max. */
static int parse_scaled(const char *s, double scale, uint64_t max, uint64_t *out)
{
	char *end;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	v = v * scale + 0.5;
	if (v < 1 || v > (double)max)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* BYTES with an optional K, M or G (binary) suffix, a power of two >= 4096. */
static int parse_ring_size(const char *s, unsigned *out)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t v, mult = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': mult = 1u << 10; num[--n] = 0; break;
	case 'm': case 'M': mult = 1u << 20; num[--n] = 0; break;
	case 'g': case 'G': mult = 1u << 30; num[--n] = 0; break;
	}
	if (parse_uint(num, 1, UINT32_MAX, &v) != 0 || v * mult > (1ull << 31))
		return -1;
	v *= mult;
	if (v < 4096 || (v & (v - 1)) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "tls,file" to a type mask; 0 on an unknown name. */
static unsigned parse_events(const char *list)
{
	char *copy = strdup(list), *save = NULL;
	unsigned mask = 0;

	if (!copy)
		return 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int type = aa_type_from_name(t);
		if (type < 0 || type == AA_TYPE_UNKNOWN) {
			mask = 0;
			break;
		}
		mask |= AA_TYPE_BIT(type);
	}
	free(copy);
	return mask;
}

static int append(void *arrayp, size_t *n, size_t elem, const void *value)
{
	void **array = arrayp;
	void *grown = realloc(*array, (*n + 1) * elem);

	if (!grown)
		return -1;
	memcpy((char *)grown + *n * elem, value, elem);
	*array = grown;
	(*n)++;
	return 0;
}

static int resolve_user(struct cap_opts *o)
{
	errno = 0;
	struct passwd *pw = getpwnam(o->user);
	if (!pw)
		return usage_error("-Z %s: %s", o->user, errno ? strerror(errno) : "no such user");
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	return -1;
}

/* A user by name, else by number (as sudo's #UID); NULL if none. */
static struct passwd *find_user(const char *user)
{
	struct passwd *pw = getpwnam(user);
	uint64_t uid;

	if (!pw && parse_uint(user, 0, UINT32_MAX - 1, &uid) == 0)
		pw = getpwuid((uid_t)uid);
	return pw;
}

/* An id from the environment (sudo's SUDO_UID, SUDO_GID); -1 if not there. */
static int env_id(const char *name, uint64_t *id)
{
	const char *s = getenv(name);

	return s && parse_uint(s, 0, UINT32_MAX - 1, id) == 0 ? 0 : -1;
}

static int take_user(struct cap_opts *o, const struct passwd *pw)
{
	o->run_as = (struct runcmd_user){ .change = 1, .uid = pw->pw_uid, .gid = pw->pw_gid };
	o->run_name = strdup(pw->pw_name);
	o->run_home = strdup(pw->pw_dir);
	if (!o->run_name || !o->run_home)
		return usage_error("out of memory");
	o->run_as.name = o->run_name;
	o->run_as.home = o->run_home;
	return -1;
}

/* Whose identity the command takes: -u USER; else -Z's USER (once aa-capture
 * is USER, it can still signal the command); else, when root under sudo, the
 * user who ran sudo (perf and strace -u leave that to the caller); else
 * aa-capture's own. */
static int resolve_run_user(struct cap_opts *o)
{
	struct passwd *pw;
	uint64_t uid, gid;

	if (o->run_user) {
		errno = 0;
		if (!(pw = find_user(o->run_user)))
			return usage_error("-u %s: %s", o->run_user, errno ? strerror(errno) : "no such user");
		if (o->user && (pw->pw_uid != o->uid || pw->pw_gid != o->gid))
			return usage_error("-u %s and -Z %s: the command runs as the -Z user"
					   " (aa-capture, once that user, could not signal another)",
					   o->run_user, o->user);
		return take_user(o, pw);
	}
	if (o->user)
		return (pw = getpwnam(o->user)) ? take_user(o, pw) : usage_error("-Z %s: no such user", o->user);
	if (getuid() != 0 || env_id("SUDO_UID", &uid) != 0 || uid == 0)
		return -1; /* as aa-capture is */
	if ((pw = getpwuid((uid_t)uid))) {
		int r = take_user(o, pw);
		if (r >= 0)
			return r;
	} else { /* a user sudo knows but the password database does not */
		char name[24];
		snprintf(name, sizeof(name), "%" PRIu64, uid);
		if (!(o->run_name = strdup(name)))
			return usage_error("out of memory");
		o->run_as = (struct runcmd_user){ .change = 1, .name = o->run_name, .uid = (uid_t)uid,
						  .gid = (gid_t)uid };
	}
	if (env_id("SUDO_GID", &gid) == 0)
		o->run_as.gid = (gid_t)gid;
	return -1;
}

/* A command to record, and what goes with it. */
static int check_command(struct cap_opts *o)
{
	if (!o->command)
		return o->run_user ? usage_error("-u goes with a command (-- COMMAND [ARGS])") : -1;
	if (o->raw_path)
		return usage_error("-r reads a raw stream: no command runs with it");
	if (o->npids)
		return usage_error("--pid and a command: the command's own processes are the ones followed");
	if (strcmp(o->out, "-") == 0)
		return usage_error("-w - and the command would both write to standard output");
	o->no_snapshot = 1; /* the only process followed is still aa-capture's child then */
	return resolve_run_user(o);
}

/* Options that contradict each other or the input. */
static int check_combinations(struct cap_opts *o)
{
	int rotating = o->rotate_ms || o->rotate_bytes;
	char why[128];
	int r;

	if (o->ring_files && !rotating)
		return usage_error("-W needs -G or -C");
	if (o->json && !o->print)
		return usage_error("--json goes with --print");
	if (strcmp(o->out, "-") == 0) {
		if (rotating || o->post_cmd)
			return usage_error("-w - (standard output) cannot rotate or run -z");
		if (o->print)
			return usage_error("-w - and --print both write to standard output");
	}
	if (!o->ship_opts.url && (o->ship_opts.spool_dir || o->ship_opts.spool_max))
		return usage_error("--spool and --spool-max go with --ship");
	if (o->ship_opts.url && !o->out_given && (o->ring_files || o->post_cmd))
		return usage_error("--ship without -w writes no file: no -W or -z");
	if (o->post_cmd && postcmd_check(o->post_cmd, why, sizeof(why)) != 0)
		return usage_error("-z %s: %s", o->post_cmd, why);
	if (o->raw_path) {
		const char *live_only = o->comm ? "--comm" : o->nssl_libs ? "--ssl-lib"
				      : o->all_files ? "--all-files" : o->ring_bytes ? "--ring-size"
				      : o->no_snapshot ? "--no-snapshot" : o->argv_max ? "--argv-max"
				      : o->tls_hold ? "--tls-hold" : NULL;
		if (live_only)
			return usage_error("%s applies to live capture, not to -r", live_only);
	}
	if (o->user && (r = resolve_user(o)) >= 0)
		return r;
	return check_command(o);
}

/* One option; -1 to go on, else the exit status. */
static int take(struct cap_opts *o, int c, const char *arg)
{
	uint64_t v;

	if (c >= SHIP_OPT_URL && c <= SHIP_OPT_LAST)
		return ship_opts_take(&o->ship_opts, c, arg);
	switch (c) {
	case 'r': o->raw_path = arg; return -1;
	case 'w': o->out = arg; o->out_given = 1; return -1;
	case 'z': o->post_cmd = arg; return -1;
	case 'Z': o->user = arg; return -1;
	case 'u': o->run_user = arg; return -1;
	case 'q': o->quiet = 1; return -1;
	case OPT_PRINT: o->print = 1; return -1;
	case OPT_JSON: o->json = 1; return -1;
	case OPT_COMM: o->comm = arg; return -1;
	case OPT_ALL_FILES: o->all_files = 1; return -1;
	case OPT_NO_SNAPSHOT: o->no_snapshot = 1; return -1;
	case 'c':
		if (parse_uint(arg, 1, UINT64_MAX, &o->count) != 0)
			return usage_error("-c %s: not a positive count", arg);
		return -1;
	case OPT_DURATION:
		if (parse_scaled(arg, 1000, UINT64_MAX / 2, &o->duration_ms) != 0)
			return usage_error("--duration %s: not a positive number of seconds", arg);
		return -1;
	case 'G':
		if (parse_uint(arg, 1, UINT32_MAX, &v) != 0)
			return usage_error("-G %s: not a positive number of seconds", arg);
		o->rotate_ms = v * 1000;
		return -1;
	case 'C':
		if (parse_scaled(arg, 1e6, UINT64_MAX / 2, &o->rotate_bytes) != 0)
			return usage_error("-C %s: not a positive number of megabytes", arg);
		return -1;
	case 'W':
		if (parse_uint(arg, 1, 100000, &v) != 0)
			return usage_error("-W %s: not a file count from 1 to 100000", arg);
		o->ring_files = (unsigned)v;
		return -1;
	case OPT_LEVEL: {
		int min = ZSTD_minCLevel(), max = ZSTD_maxCLevel();
		char *end;
		long l = strtol(arg, &end, 10);
		if (!*arg || *end || l < min || l > max || l == 0)
			return usage_error("--level %s: not a zstd level (%d..-1 or 1..%d)", arg, min, max);
		o->level = (int)l;
		return -1;
	}
	case 'T':
		if (parse_uint(arg, 0, 64, &v) != 0)
			return usage_error("-T %s: not a thread count from 0 (one per core) to 64", arg);
		o->threads = (unsigned)v;
		return -1;
	case OPT_FLUSH_MS:
		if (parse_uint(arg, 1, 3600000, &v) != 0)
			return usage_error("--flush-ms %s: not from 1 to 3600000", arg);
		o->flush_ms = (unsigned)v;
		return -1;
	case OPT_RING_SIZE:
		if (parse_ring_size(arg, &o->ring_bytes) != 0)
			return usage_error("--ring-size %s: not a power of two from 4096 to 2G", arg);
		return -1;
	case OPT_ARGV_MAX:
		if (parse_uint(arg, 1, CAP_ARGV_MAX, &v) != 0)
			return usage_error("--argv-max %s: not a number of bytes from 1 to %u", arg, CAP_ARGV_MAX);
		o->argv_max = (unsigned)v;
		return -1;
	case OPT_PID: {
		uint32_t pid;
		if (parse_uint(arg, 1, INT32_MAX, &v) != 0)
			return usage_error("--pid %s: not a process id", arg);
		pid = (uint32_t)v;
		if (append(&o->pids, &o->npids, sizeof(pid), &pid) != 0)
			return usage_error("out of memory");
		return -1;
	}
	case OPT_EVENTS:
		o->events = parse_events(arg);
		if (!o->events)
			return usage_error("--events %s: not a comma-separated list of" AA_TYPE_NAMES, arg);
		return -1;
	case OPT_READY_FD: {
		uint64_t v;
		if (parse_uint(arg, 0, INT32_MAX, &v) != 0)
			return usage_error("--ready-fd %s: not a file descriptor number", arg);
		o->ready_fd = (int)v;
		int e = ready_take_fd(o->ready_fd);
		if (e)
			return usage_error("--ready-fd %s: not open for writing (%s)", arg, strerror(e));
		return -1;
	}
	case OPT_SSL_LIB:
		if (append(&o->ssl_libs, &o->nssl_libs, sizeof(arg), &arg) != 0)
			return usage_error("out of memory");
		return -1;
	case OPT_LIST_TLS: o->list_tls = 1; return -1;
	case OPT_TLS_HOLD: o->tls_hold = 1; return -1;
	case 'h':
		fputs(help_usage, stdout);
		fputs(help_text, stdout);
		return CAP_EXIT_OK;
	case OPT_VERSION:
		printf("aa-capture %s\n", AA_VERSION);
		return CAP_EXIT_OK;
	default: /* getopt has said what is wrong */
		fputs(usage_line, stderr);
		return CAP_EXIT_USAGE;
	}
}

int cap_opts_parse(struct cap_opts *o, int argc, char **argv)
{
	const char *last_arg = NULL;
	int c, r;

	memset(o, 0, sizeof(*o));
	o->out = CAP_DEFAULT_NAME;
	o->ready_fd = -1;
	argv[0] = (char *)"aa-capture"; /* getopt's messages name the program so */
	/* '+': no option is looked for past the first word that is not one,
	 * so that the command's own stay its own. */
	while ((c = getopt_long(argc, argv, "+r:w:c:G:C:W:z:Z:u:T:qh", long_opts, NULL)) != -1) {
		r = take(o, c, optarg);
		if (r >= 0)
			return r;
		last_arg = optarg;
	}
	/* Only after "--" (not "-w --", whose "--" is a file name): a stray
	 * word, such as tcpdump's filter habit, is not run. */
	int dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0 && argv[optind - 1] != last_arg;
	if (optind < argc && !dashdash)
		return usage_error("unexpected argument '%s' (a command to record goes after --)",
				   argv[optind]);
	if (dashdash && optind == argc)
		return usage_error("-- and no command after it");
	if (optind < argc)
		o->command = argv + optind;
	if (!*o->out)
		return usage_error("-w: empty file name");
	return check_combinations(o);
}

void cap_opts_free(struct cap_opts *o)
{
	free(o->pids);
	free(o->ssl_libs);
	free(o->run_name);
	free(o->run_home);
	o->pids = NULL;
	o->ssl_libs = NULL;
	o->run_name = o->run_home = NULL;
}

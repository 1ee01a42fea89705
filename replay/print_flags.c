/* SPDX-License-Identifier: MIT */
/*
 * The names of a file record's flags, for both printers: the one table of
 * flag names. The values are Linux's asm-generic ones (x86-64), with arm's
 * where they differ (a record names its machine: aa_record.arch), written
 * out here rather than taken from <fcntl.h>, so that a file reads the same
 * on any machine.
 */
#include <stdio.h>
#include <string.h>

#include "print_enc.h"

struct flag_name {
	uint32_t mask; /* every bit set: the name; several-bit names come first */
	const char *name;
};

/* openat's flags, and the file's f_flags for read and write, as
 * include/uapi/asm-generic/fcntl.h numbers them (x86-64 takes them all:
 * arch/x86/include/uapi/asm/fcntl.h only includes it). The access mode
 * (O_RDONLY 0, O_WRONLY 1, O_RDWR 2) is a value, not bits: see below. */
static const struct flag_name open_flags[] = {
	{ 020200000, "O_TMPFILE" }, /* with O_DIRECTORY's bit */
	{ 04010000, "O_SYNC" },     /* with O_DSYNC's bit */
	{ 0100, "O_CREAT" },
	{ 0200, "O_EXCL" },
	{ 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" },
	{ 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" },
	{ 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" },
	{ 0200000, "O_DIRECTORY" },
	{ 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" },
	{ 010000000, "O_PATH" },
	{ 0 },
};

/*
 * arm64's numbers for the open flags it defines itself, by their
 * asm-generic mask above: arch/arm64/include/uapi/asm/fcntl.h (32-bit arm's
 * arch/arm/include/uapi/asm/fcntl.h has the same four) sets O_DIRECTORY
 * 040000, O_NOFOLLOW 0100000, O_DIRECT 0200000 and O_LARGEFILE 0400000
 * before it includes asm-generic, whose O_TMPFILE is __O_TMPFILE 020000000
 * with O_DIRECTORY's bit. Every other flag is asm-generic's there too.
 */
static const uint32_t arm_open_masks[][2] = {
	{ 020200000, 020040000 }, /* O_TMPFILE (first: the single bits follow) */
	{ 040000, 0200000 },      /* O_DIRECT */
	{ 0100000, 0400000 },     /* O_LARGEFILE (set in every f_flags of a 64-bit kernel) */
	{ 0200000, 040000 },      /* O_DIRECTORY */
	{ 0400000, 0100000 },     /* O_NOFOLLOW */
};

static uint32_t arm_open_mask(uint32_t mask)
{
	for (size_t i = 0; i < sizeof(arm_open_masks) / sizeof(arm_open_masks[0]); i++)
		if (arm_open_masks[i][0] == mask)
			return arm_open_masks[i][1];
	return mask;
}

/* Whether a capture of machine arch (`uname -m`: "aarch64" for arm64,
 * "armv7l" ... for arm) has arm's open flags; NULL: this machine. */
static int arm_flags(const char *arch)
{
	if (!arch) {
#if defined(__aarch64__) || defined(__arm__)
		return 1;
#else
		return 0;
#endif
	}
	return !strncmp(arch, "aarch64", 7) || !strncmp(arch, "arm", 3);
}

uint32_t aa_open_flags_here(const char *arch, uint32_t flags)
{
	int from = arm_flags(arch), here = arm_flags(NULL);
	uint32_t out = flags;

	if (from == here)
		return flags;
	/* the four single bits arm moves are the same four bits, permuted */
	for (size_t i = 1; i < sizeof(arm_open_masks) / sizeof(arm_open_masks[0]); i++)
		out &= ~arm_open_masks[i][0];
	for (size_t i = 1; i < sizeof(arm_open_masks) / sizeof(arm_open_masks[0]); i++)
		if (flags & arm_open_masks[i][from])
			out |= arm_open_masks[i][here];
	return out;
}

static const struct flag_name unlink_flags[] = {
	{ 0x200, "AT_REMOVEDIR" },
	{ 0 },
};

static const struct flag_name rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" },
	{ 2, "RENAME_EXCHANGE" },
	{ 4, "RENAME_WHITEOUT" },
	{ 0 },
};

/* preadv2 and pwritev2's RWF_* flags. */
static const struct flag_name rwf_flags[] = {
	{ 0x01, "RWF_HIPRI" },
	{ 0x02, "RWF_DSYNC" },
	{ 0x04, "RWF_SYNC" },
	{ 0x08, "RWF_NOWAIT" },
	{ 0x10, "RWF_APPEND" },
	{ 0x20, "RWF_NOAPPEND" },
	{ 0x40, "RWF_ATOMIC" },
	{ 0x80, "RWF_DONTCACHE" },
	{ 0 },
};

/* Appends "|text" ("text" when buf is still empty) to buf at *n, cut to fit. */
static void add(char *buf, size_t *n, const char *text)
{
	if (*n < AA_FLAGS_BUF)
		*n += (size_t)snprintf(buf + *n, AA_FLAGS_BUF - *n, "%s%s", *n ? "|" : "", text);
}

const char *aa_flags_names(char buf[AA_FLAGS_BUF], uint32_t syscall, uint32_t flags)
{
	return aa_flags_names_arch(buf, "", syscall, flags);
}

const char *aa_flags_names_arch(char buf[AA_FLAGS_BUF], const char *arch, uint32_t syscall,
				uint32_t flags)
{
	static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
	int arm;
	const struct flag_name *t;
	size_t n = 0;

	buf[0] = 0;
	switch (syscall) {
	case AA_SYS_OPENAT:
	case AA_SYS_READ:
	case AA_SYS_WRITE:
	case AA_SYS_PREAD64: /* the fd syscalls of fileop: the file's f_flags */
	case AA_SYS_PWRITE64:
	case AA_SYS_READV:
	case AA_SYS_WRITEV:
	case AA_SYS_PREADV:
	case AA_SYS_PWRITEV:
	case AA_SYS_OPEN:
	case AA_SYS_CREAT:
	case AA_SYS_OPENAT2:
		t = open_flags;
		if ((flags & 3) != 3) {
			add(buf, &n, modes[flags & 3]);
			flags &= ~3u;
		}
		break;
	case AA_SYS_UNLINK:
		t = unlink_flags;
		break;
	case AA_SYS_RENAME:
		t = rename_flags;
		break;
	case AA_SYS_PREADV2:
	case AA_SYS_PWRITEV2:
		t = rwf_flags;
		break;
	default: /* not a syscall of this version: the bits mean nothing known */
		t = NULL;
		break;
	}
	arm = t == open_flags && arm_flags(arch); /* the others are the same everywhere */
	for (; t && t->mask; t++) {
		uint32_t mask = arm ? arm_open_mask(t->mask) : t->mask;

		if ((flags & mask) == mask) {
			add(buf, &n, t->name);
			flags &= ~mask;
		}
	}
	if (flags || n == 0) {
		char rest[16];

		snprintf(rest, sizeof(rest), flags ? "0x%x" : "0", flags);
		add(buf, &n, rest);
	}
	return buf;
}

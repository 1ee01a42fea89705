/* SPDX-License-Identifier: MIT */
/*
 * Byte-string encoders for the printers and aa-replay: JSON strings, a
 * terminal-safe quoted form for text lines, base64 and hex. Private to the
 * toolkit (not installed). They write straight into a buffered FILE, with
 * no allocation, and leave error checking to the caller's ferror().
 */
#ifndef AA_PRINT_ENC_H
#define AA_PRINT_ENC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aa_replay.h"

/*
 * s[0..len) as a quoted JSON string. Valid UTF-8 is kept as is; '"' and
 * '\\' are escaped, control characters and DEL become \u00XX, and each byte
 * that is not part of valid UTF-8 becomes \u00XX too (its Latin-1 reading),
 * so the output is always valid JSON whatever the bytes.
 */
void aa_enc_json_string(FILE *out, const uint8_t *s, size_t len);

/* ,"name": the key of a field after the first of an object (name as it is: no escape). */
void aa_enc_json_key(FILE *out, const char *name);

/*
 * ,"name":"..." (s as aa_enc_json_string writes it), and when s is not
 * valid UTF-8 ,"name_b64":"..." after it with the exact bytes.
 */
void aa_enc_json_field(FILE *out, const char *name, const uint8_t *s, size_t len);

/*
 * s[0..len) as a double-quoted C-like string for one text line: valid
 * printable UTF-8 as is, \" \\ \n \r \t, anything else (controls, C1
 * controls, invalid UTF-8) as \xNN. Never lets a byte reach a terminal
 * that could move the cursor or end the line.
 */
void aa_enc_text_string(FILE *out, const uint8_t *s, size_t len);

/*
 * s[0..len) escaped as aa_enc_text_string does, without the quotes, for a
 * string inside a line of text or a C comment: a '/' right after a '*' is
 * escaped too (\x2f), so the output never closes a comment.
 */
void aa_enc_text_bare(FILE *out, const uint8_t *s, size_t len);

/* s[0..len) in standard base64 with '=' padding, unquoted. */
void aa_enc_base64(FILE *out, const uint8_t *s, size_t len);

/* s[0..len) as lower-case hex pairs separated by single spaces. */
void aa_enc_hex(FILE *out, const uint8_t *s, size_t len);

/* An unsigned decimal number, without printf. */
void aa_enc_u64(FILE *out, uint64_t v);
/* A duration with a unit that keeps it short: 950ns, 12.345us, 3.2ms, 1.5s. */
void aa_enc_duration(FILE *out, uint64_t ns);
/* A signed decimal number, without printf. */
void aa_enc_i64(FILE *out, int64_t v);

/* The per-type field printers of one output format (.tls, .file ...):
 * the record's own fields e, read with what rec says of it (what completes
 * it: rec->joins, NULL when nothing; its machine: rec->arch). */
#define AA_X_PRINTER_FIELD(name, NAME, size) \
	void (*name)(FILE *out, const struct aa_##name##_event *e, const struct aa_record *rec);
struct aa_type_printer {
	AA_RECORD_TYPES(AA_X_PRINTER_FIELD)
	void (*unknown)(FILE *out, const struct aa_event *ev);
};
#undef AA_X_PRINTER_FIELD

/*
 * An output format's table, from its static print_<name> function of each
 * type in AA_RECORD_TYPES and print_unknown: a type without one does not
 * compile.
 */
#define AA_X_PRINTER_INIT(name, NAME, size) .name = print_##name,
#define AA_TYPE_PRINTER_TABLE { AA_RECORD_TYPES(AA_X_PRINTER_INIT) .unknown = print_unknown }

/* Prints rec's fields with the printer of its type. */
void aa_print_fields(FILE *out, const struct aa_record *rec, const struct aa_type_printer *p);

/*
 * The next item of an argv (items each followed by a NUL; the last one's
 * NUL may be cut off): 1 with [*item, *item + *len) set and *pos moved
 * past it, 0 after the last.
 */
int aa_argv_item(const struct aa_string *argv, uint32_t *pos, const uint8_t **item, uint32_t *len);

/* " argv=[\"ls\" \"-l\"]" and " argv_truncated" when it is, for a text line. */
void aa_enc_text_argv(FILE *out, const struct aa_string *argv);
/* ,"argv":["ls","-l"] (null when not known), "argv_b64" beside it with
 * every item's exact bytes when one is not UTF-8, and "argv_truncated". */
void aa_enc_json_argv(FILE *out, const struct aa_string *argv);

/* A path of exactly this many bytes without a string record may have been
 * cut to fit the record's field (format 1, or a lost string record). */
#define AA_PATH_MAY_BE_CUT (AA_PATH_MAX - 1)

/* A seed file record holds syscalls 0…4 only: the name of one of those, or
 * NULL; and the syscall its flags are named for (AA_SYS_FILEOP_END, no
 * names, for any other value). */
static inline const char *aa_file_syscall_name(uint32_t syscall)
{
	return syscall < AA_SYS_COUNT ? aa_syscall_name(syscall) : NULL;
}
static inline uint32_t aa_file_syscall(uint32_t syscall)
{
	return syscall < AA_SYS_COUNT ? syscall : AA_SYS_FILEOP_END;
}

/* Room for every flag name of a file record at once, and its NUL. */
#define AA_FLAGS_BUF 320
/*
 * A file record's flags as names for its syscall (print_flags.c, the one
 * table): "O_WRONLY|O_CREAT|O_TRUNC", "AT_REMOVEDIR", "RENAME_NOREPLACE";
 * bits without a name as one hex number at the end ("O_RDONLY|0x40000000"),
 * and "0" when no bit is set and the syscall has no name for that (open
 * flags do: O_RDONLY). Returns buf.
 */
const char *aa_flags_names(char buf[AA_FLAGS_BUF], uint32_t syscall, uint32_t flags);
/*
 * The same for a record captured on machine arch (aa_record.arch, META's
 * `uname -m`): arm and arm64 ("aarch64", "arm*") number O_DIRECTORY,
 * O_NOFOLLOW, O_DIRECT and O_LARGEFILE otherwise than x86-64; NULL is
 * this machine (a live record); "" or any other name, asm-generic (x86-64),
 * which is what aa_flags_names reads.
 */
const char *aa_flags_names_arch(char buf[AA_FLAGS_BUF], const char *arch, uint32_t syscall,
				uint32_t flags);
/* Open flags of a record captured on arch (as above) as this machine's
 * <fcntl.h> numbers them, for code that tests them by its O_* macros. */
uint32_t aa_open_flags_here(const char *arch, uint32_t flags);

/* Room for "[ffff:...:ffff]:65535" and its NUL. */
#define AA_ENDPOINT_BUF 56
/*
 * An address and port as people write them: "127.0.0.1:8443" (AF_INET, 2),
 * "[::1]:443" (AF_INET6, 10), "" for any other family. addr holds IPv4 in
 * its first 4 bytes, in network order. Returns buf.
 */
const char *aa_format_endpoint(char buf[AA_ENDPOINT_BUF], unsigned family, const uint8_t addr[16],
			       uint16_t port);

/* 0, or AA_E_IO (errno set, EIO if unknown) once out has an error. */
int aa_enc_status(FILE *out);

/*
 * The length of the longest valid UTF-8 sequence starting at s (1..4), or 0
 * when s[0] does not start one within len bytes. Overlong forms,
 * surrogates and values past U+10FFFF are not valid.
 */
size_t aa_utf8_seq_len(const uint8_t *s, size_t len);

/* 1 when s[0..len) is valid UTF-8 all through, else 0. */
int aa_utf8_valid(const uint8_t *s, size_t len);

#endif /* AA_PRINT_ENC_H */

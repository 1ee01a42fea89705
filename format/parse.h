/* SPDX-License-Identifier: MIT */
/*
 * The size-dispatch parser: from a raw ring-buffer record (bytes, length) to
 * a typed event. The capture process uses it live and the replay library on
 * recorded files, so a record means the same thing in both.
 */
#ifndef AA_PARSE_H
#define AA_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

#ifdef __cplusplus
extern "C" {
#endif

/* enum aa_type and AA_TYPE_COUNT come from AA_RECORD_TYPES in events.h. */
#define AA_TYPE_BIT(t) (1u << (t))
#define AA_TYPE_ALL ((1u << AA_TYPE_COUNT) - 1)

struct aa_event {
	enum aa_type type; /* from the size alone */
	int error;         /* 0, or the AA_REC_* (enum aa_record_status) why a
			      known-size record is invalid */
	const uint8_t *raw; /* the record's bytes, exactly as captured */
	uint32_t len;
	uint64_t mono_ns; /* the record's CLOCK_MONOTONIC time stamp; 0 if unknown type */
	/* The typed view (ev->tls, ev->file ...), set for every known type even
	 * when error != 0: points into raw, or into the caller's aligned copy
	 * (aa_parse_copy). Anonymous, so __extension__ for C99 -pedantic builds. */
#define AA_X_VIEW(name, NAME, size) const struct aa_##name##_event *name;
	__extension__ union {
		AA_RECORD_TYPES(AA_X_VIEW)
	};
#undef AA_X_VIEW
};

/* Room for an aligned copy of any known record (aa_parse_copy). */
#define AA_X_COPY(name, NAME, size) struct aa_##name##_event name;
union aa_record_copy {
	AA_RECORD_TYPES(AA_X_COPY)
};
#undef AA_X_COPY

/*
 * Fills *ev from the record. Returns 0 for a valid record or a record of
 * unknown size, a positive AA_REC_* (enum aa_record_status, also in
 * ev->error) for a known-size record whose content cannot be right, or
 * AA_E_INVAL when raw of a known size is not 8-byte aligned (then ev has
 * no typed view: use aa_parse_copy). Records in a decoded chunk, in the
 * ring buffer and in aa_next's aa_record are aligned. Reads no byte
 * outside raw[0..len). ev->raw and the typed view point into raw: raw
 * must outlive ev.
 */
int aa_parse(const void *raw, size_t len, struct aa_event *ev);
/*
 * aa_parse for bytes that may sit anywhere (after a length in the raw
 * export stream): a misaligned record of a known size is copied into
 * *copy and the typed view points there, so copy must outlive ev too.
 * Never returns AA_E_INVAL.
 */
int aa_parse_copy(const void *raw, size_t len, struct aa_event *ev, union aa_record_copy *copy);

/* The type's name in AA_RECORD_TYPES ("tls" ...), or "unknown" (static strings). */
const char *aa_type_name(enum aa_type type);
/* Parses one of those names; -1 if none. */
int aa_type_from_name(const char *name);
/* "openat", "read", "write", "unlink", "rename", then the fileop syscalls
 * "pread64" … "rmdir" (static); NULL for an invalid value. */
const char *aa_syscall_name(uint32_t syscall);
/* Names of the evidence records' enum values (static), NULL for an invalid value:
 * "snapshot" "fork" "exec" "exit" "exec_failed"; "argv" "filename" "path"
 * "new_path" "exe"; "unknown" "openssl" "gnutls" "nss" "boringssl" "go";
 * "connect" "accept". */
const char *aa_task_kind_name(uint32_t kind);
const char *aa_string_kind_name(uint32_t kind);
const char *aa_tls_lib_name(uint32_t lib);
const char *aa_net_syscall_name(uint32_t syscall);
/* The length of string piece s->seq: min(1024, total_len - seq*1024), 0 if invalid. */
uint32_t aa_string_piece_len(const struct aa_string_event *s);
/* The record size of a known type, 0 for AA_TYPE_UNKNOWN. */
uint32_t aa_type_size(enum aa_type type);

/* A record's monotonic time stamp, read by size without a full parse; 0 for unknown sizes. */
uint64_t aa_record_mono_ns(const void *raw, size_t len);

/* The process id of a known-type record: 1 and *pid set, or 0 for an unknown one. */
int aa_event_pid(const struct aa_event *ev, uint32_t *pid);

/*
 * A rename record's new path: the BPF side stores "old\0new" in path. Points
 * into e->path and sets *max to the bytes left there; NULL when the record is
 * not a rename or carries no NUL-terminated new path.
 */
const uint8_t *aa_file_new_path(const struct aa_file_event *e, size_t *max);

/* The length of TLS piece ev->seq: min(4096, data_len - seq*4096), 0 if invalid. */
uint32_t aa_tls_piece_len(const struct aa_tls_event *tls);

#ifdef __cplusplus
}
#endif

#endif /* AA_PARSE_H */

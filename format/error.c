/* SPDX-License-Identifier: MIT */
/* Names and sentences for the AA_E_* codes and the AA_REC_* record statuses. */
#include "aa_error.h"

#include <stddef.h>

struct aa_error_text {
	int code;
	const char *name;
	const char *text;
};

static const struct aa_error_text texts[] = {
	{AA_OK, "AA_OK", "no error"},
	{AA_E_NOMEM, "AA_E_NOMEM", "out of memory"},
	{AA_E_IO, "AA_E_IO", "input/output error"},
	{AA_E_INVAL, "AA_E_INVAL", "invalid argument"},
	{AA_E_TOO_BIG, "AA_E_TOO_BIG", "record too long for a chunk"},
	{AA_E_STOPPED, "AA_E_STOPPED", "stopped by a callback"},
	{AA_E_NOT_PCAPNG, "AA_E_NOT_PCAPNG", "not a pcapng file"},
	{AA_E_ENDIAN, "AA_E_ENDIAN", "big-endian pcapng section, not written by this toolkit"},
	{AA_E_TRUNCATED, "AA_E_TRUNCATED", "file cut short inside a block"},
	{AA_E_BLOCK, "AA_E_BLOCK", "malformed pcapng block"},
	{AA_E_INTERFACE, "AA_E_INTERFACE", "no usable interface description block"},
	{AA_E_CHUNK, "AA_E_CHUNK", "malformed chunk header"},
	{AA_E_CHECKSUM, "AA_E_CHECKSUM", "chunk checksum mismatch"},
	{AA_E_ZSTD, "AA_E_ZSTD", "chunk does not decompress"},
	{AA_E_FRAMING, "AA_E_FRAMING", "records inside a chunk are not framed right"},
	{AA_E_SEQUENCE, "AA_E_SEQUENCE", "chunk missing or out of order"},
	{AA_E_DIGEST, "AA_E_DIGEST", "stream digest or totals do not match"},
	{AA_E_UNCLOSED, "AA_E_UNCLOSED", "file not closed: cut short or still being written"},
	{AA_E_META, "AA_E_META", "missing or malformed metadata chunk"},
	{AA_E_SET, "AA_E_SET", "files do not belong to one rotated set"},
	{AA_E_FOREIGN, "AA_E_FOREIGN", "not an aa capture file"},
	{AA_E_AGAIN, "AA_E_AGAIN", "no record yet, try again"},
	{AA_E_PERM, "AA_E_PERM", "not permitted: BPF needs root (CAP_BPF and CAP_PERFMON)"},
	{AA_E_UNSUPPORTED, "AA_E_UNSUPPORTED", "not supported by this kernel"},
	{AA_E_BPF, "AA_E_BPF", "loading or attaching the BPF programs failed"},
};

static const struct aa_error_text statuses[] = {
	{AA_REC_OK, "AA_REC_OK", "valid record"},
	{AA_REC_SYSCALL, "AA_REC_SYSCALL", "file, fileop or net record with a syscall value out of range"},
	{AA_REC_DIRECTION, "AA_REC_DIRECTION", "tls or tls_conn record with a direction other than 0 or 1"},
	{AA_REC_TLS_SEQ, "AA_REC_TLS_SEQ", "tls record whose seq and data_len do not fit together"},
	{AA_REC_STRING, "AA_REC_STRING", "string field without a terminating NUL"},
	{AA_REC_KIND, "AA_REC_KIND", "record with a kind, library, flags or marks value no writer gives"},
	{AA_REC_PIECE, "AA_REC_PIECE", "string record whose seq and total_len do not fit together"},
};

static const struct aa_error_text *find(const struct aa_error_text *t, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

#define FIND(table, code) find(table, sizeof(table) / sizeof(table[0]), code)

const char *aa_error_name(int err)
{
	const struct aa_error_text *t = FIND(texts, err);
	return t ? t->name : "AA_E_UNKNOWN";
}

const char *aa_strerror(int err)
{
	const struct aa_error_text *t = FIND(texts, err);
	return t ? t->text : "unknown error";
}

const char *aa_record_status_name(int status)
{
	const struct aa_error_text *t = FIND(statuses, status);
	return t ? t->name : "AA_REC_UNKNOWN";
}

const char *aa_record_status_str(int status)
{
	const struct aa_error_text *t = FIND(statuses, status);
	return t ? t->text : "unknown record status";
}

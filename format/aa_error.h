/* SPDX-License-Identifier: MIT */
/*
 * Two kinds of codes, in two spaces that never meet, as libpcap keeps a
 * call's PCAP_ERROR_* apart from what a packet holds:
 * - enum aa_error, what a call returns, zstd-style: 0 or a negative AA_E_*
 *   value; aa_error_name() gives it a stable name, aa_strerror() a sentence.
 * - enum aa_record_status, what a record of a known size says about itself
 *   (aa_event.error in parse.h): 0 or a positive AA_REC_* value, a fact
 *   about the data read and not a failure of any call;
 *   aa_record_status_name() and aa_record_status_str() name and tell it.
 * A value of one space given to the other's functions is unknown there.
 */
#ifndef AA_ERROR_H
#define AA_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum aa_error {
	AA_OK = 0,
	/* -1 .. -9 are not used: -1 is what a callback says "stop" with. */
	/* The environment. */
	AA_E_NOMEM = -10,
	AA_E_IO = -11,       /* read or write failed; errno tells more */
	AA_E_INVAL = -12,    /* a bad argument from the caller */
	AA_E_TOO_BIG = -13,  /* a record longer than a chunk can hold */
	AA_E_STOPPED = -14,  /* aa_dispatch: a callback returned non-zero */
	/* The capture file. */
	AA_E_NOT_PCAPNG = -20,  /* does not start with a pcapng Section Header Block */
	AA_E_ENDIAN = -21,      /* a big-endian section: not written by this toolkit */
	AA_E_TRUNCATED = -22,   /* the file ends inside a block */
	AA_E_BLOCK = -23,       /* a block's lengths are wrong or do not match */
	AA_E_INTERFACE = -24,   /* no usable Interface Description Block */
	AA_E_CHUNK = -25,       /* a chunk header is malformed */
	AA_E_CHECKSUM = -26,    /* a chunk's CRC does not match its bytes */
	AA_E_ZSTD = -27,        /* the chunk's zstd frame does not decode */
	AA_E_FRAMING = -28,     /* records inside a chunk are not framed right */
	AA_E_SEQUENCE = -29,    /* a chunk is missing or out of order */
	AA_E_DIGEST = -30,      /* the stream digest or totals do not match */
	AA_E_UNCLOSED = -31,    /* the file has no end block: cut short or still being written */
	AA_E_META = -32,        /* the metadata chunk is missing or malformed */
	AA_E_SET = -33,         /* files of a rotated set do not belong together */
	AA_E_FOREIGN = -34,     /* a pcapng file another program wrote, not a capture file */
	/* A live source. */
	AA_E_AGAIN = -40,       /* no record within the timeout: call again */
	AA_E_PERM = -41,        /* not allowed: BPF needs root (CAP_BPF and CAP_PERFMON) */
	AA_E_UNSUPPORTED = -42, /* the kernel lacks what is needed (BTF, ring buffer, ...) */
	AA_E_BPF = -43,         /* loading or attaching the BPF programs failed */
};

/*
 * A record of a known size whose content cannot be right (FORMAT.md
 * section 5 lists the checks): what aa_parse() finds, in aa_event.error.
 */
enum aa_record_status {
	AA_REC_OK = 0,
	AA_REC_SYSCALL = 1,   /* file, fileop or net record: syscall value out of range */
	AA_REC_DIRECTION = 2, /* tls or tls_conn record: direction is not 0 or 1 */
	AA_REC_TLS_SEQ = 3,   /* tls record: seq and data_len do not fit together */
	AA_REC_STRING = 4,    /* a string field has no terminating NUL */
	AA_REC_KIND = 5,      /* a kind, library, flags or marks field holds a value no writer gives */
	AA_REC_PIECE = 6,     /* string record: seq and total_len do not fit together */
};

/* A call whose result must be looked at: an open, a read, a write. */
#if defined(__GNUC__) || defined(__clang__)
#define AA_MUST_CHECK __attribute__((warn_unused_result))
#else
#define AA_MUST_CHECK
#endif

/* "AA_E_CHECKSUM" and so on; "AA_E_UNKNOWN" for a value not listed.
 * Both return static strings, valid for ever. */
const char *aa_error_name(int err);
/* One short lower-case sentence, without a trailing period. */
const char *aa_strerror(int err);
/* "AA_REC_STRING" and so on; "AA_REC_UNKNOWN" for a value not listed
 * (an AA_E_* code included). Static strings, valid for ever. */
const char *aa_record_status_name(int status);
/* One short lower-case sentence, without a trailing period. */
const char *aa_record_status_str(int status);

#ifdef __cplusplus
}
#endif

#endif /* AA_ERROR_H */

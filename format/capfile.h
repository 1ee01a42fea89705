/* SPDX-License-Identifier: MIT */
/*
 * The capture file on disk: pcapng blocks, and inside each Enhanced Packet
 * Block one chunk (a fixed header and a zstd frame). FORMAT.md is the full
 * byte-level specification; this header holds its numbers for the writer and
 * the reader. All integers are little-endian.
 */
#ifndef AA_CAPFILE_H
#define AA_CAPFILE_H

#include <stdint.h>

#include "events.h"

/* pcapng block types and constants */
#define AA_PCAPNG_SHB 0x0A0D0D0Au
#define AA_PCAPNG_IDB 0x00000001u
#define AA_PCAPNG_ISB 0x00000005u
#define AA_PCAPNG_EPB 0x00000006u
#define AA_PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define AA_LINKTYPE_USER0 147u /* LINKTYPE_USER0; USER0..USER15 are 147..162 */
#define AA_LINKTYPE AA_LINKTYPE_USER0 /* what the writer uses */
#define AA_SNAPLEN 262144u            /* libpcap's limit for user link types */

/* Sources of a merged file at most (its interfaces and META chunks). */
#define AA_SOURCES_MAX 256u

/* pcapng option codes used by the writer */
#define AA_OPT_END 0
#define AA_OPT_COMMENT 1
#define AA_OPT_SHB_HARDWARE 2
#define AA_OPT_SHB_OS 3
#define AA_OPT_SHB_USERAPPL 4
#define AA_OPT_IF_NAME 2
#define AA_OPT_IF_DESCRIPTION 3
#define AA_OPT_IF_TSRESOL 9
#define AA_OPT_ISB_STARTTIME 2
#define AA_OPT_ISB_ENDTIME 3
#define AA_OPT_ISB_IFRECV 4
#define AA_OPT_ISB_IFDROP 5
#define AA_OPT_ISB_USRDELIV 7

/*
 * A chunk: the data of one Enhanced Packet Block. The whole block is at most
 * AA_BLOCK_MAX bytes, so the raw (decompressed) content of one chunk is at
 * most AA_CHUNK_RAW_MAX bytes, which zstd can always store within the limit.
 */
#define AA_BLOCK_MAX 262144u /* 256 KiB */
#define AA_EPB_OVERHEAD 32u  /* EPB fields before the data, plus the trailing length */
#define AA_CHUNK_HEADER_SIZE 64u
#define AA_CHUNK_DATA_MAX (AA_BLOCK_MAX - AA_EPB_OVERHEAD)
#define AA_CHUNK_STORED_MAX (AA_CHUNK_DATA_MAX - AA_CHUNK_HEADER_SIZE)
#define AA_CHUNK_RAW_MAX (256u * 1024u - 4096u)
#define AA_CHUNK_MAGIC 0x4B434141u /* "AACK" */
#define AA_CHUNK_VERSION 1u   /* a chunk stored plain */
#define AA_CHUNK_VERSION_2 2u /* a chunk with an encoding (byte 56): see FORMAT.md 3.1 */

/* How a chunk's content is stored (chunk version 2, byte 56). */
enum aa_chunk_encoding {
	AA_ENC_PLAIN = 0, /* one zstd frame of the content */
	AA_ENC_XFORM = 1, /* RECORDS only: one zstd frame of the transformed records (xform.h) */
};

enum aa_chunk_kind {
	AA_CHUNK_RECORDS = 1, /* framed records */
	AA_CHUNK_META = 2,    /* what the file is: TLV entries; the first chunk */
	AA_CHUNK_STATS = 3,   /* drop counters: struct aa_stats_body */
	AA_CHUNK_END = 4,     /* totals and digest: struct aa_end_body; the last chunk */
};

/* Byte offsets in the 64-byte chunk header. */
#define AA_CH_MAGIC 0         /* u32 AA_CHUNK_MAGIC */
#define AA_CH_VERSION 4       /* u8 AA_CHUNK_VERSION */
#define AA_CH_KIND 5          /* u8 enum aa_chunk_kind */
#define AA_CH_HEADER_LEN 6    /* u16 AA_CHUNK_HEADER_SIZE */
#define AA_CH_INDEX 8         /* u32 chunk number in the file, from 0 (the META chunk) */
#define AA_CH_RECORDS 12      /* u32 records in this chunk */
#define AA_CH_FIRST_RECORD 16 /* u64 index in the file's stream of the first one */
#define AA_CH_RAW_LEN 24      /* u32 decompressed bytes */
#define AA_CH_STORED_LEN 28   /* u32 bytes of zstd frame after the header */
#define AA_CH_WRITTEN_NS 32   /* u64 wall clock when written; equals the EPB time stamp */
#define AA_CH_FIRST_TS 40     /* u64 smallest record time stamp (monotonic), 0 if none */
#define AA_CH_LAST_TS 48      /* u64 largest record time stamp (monotonic), 0 if none */
#define AA_CH_RESERVED 56     /* u32 zero (version 1); version 2: u8 encoding, 3 zero bytes */
#define AA_CH_ENCODING 56     /* u8 enum aa_chunk_encoding (version 2) */
#define AA_CH_CRC 60          /* u32 zlib crc32 of bytes 0..59 then the zstd frame */

/*
 * Records inside an AA_CHUNK_RECORDS chunk: each is a u32 length, a u32 zero
 * (in a merged file, format 3: the record's source, its interface),
 * the record's bytes, then zero bytes up to a multiple of 8, so that every
 * record is 8-byte aligned in the decoded chunk.
 */
#define AA_FRAME_HEADER 8u
#define AA_RECORD_MAX (AA_CHUNK_RAW_MAX - AA_FRAME_HEADER)

/* META entries: u16 tag, u16 zero, u32 length, value, zero pad to 4. */
enum aa_meta_tag {
	AA_META_WRITER = 1,         /* text: program name, "aa-capture" */
	AA_META_WRITER_VERSION = 2, /* text */
	AA_META_HOSTNAME = 3,       /* text */
	AA_META_KERNEL = 4,         /* text: uname -r */
	AA_META_ARCH = 5,           /* text: uname -m */
	AA_META_MONO_TO_WALL = 6,   /* i64: add to a record's monotonic ns for wall-clock ns */
	AA_META_START_NS = 7,       /* u64: wall clock when the file was opened */
	AA_META_SCHEMA = 8,         /* text: "name size\n" per record type */
	AA_META_BTF = 9,            /* raw BTF of the record structs */
	AA_META_SESSION = 10,       /* 16 bytes: the same in every file of a rotated set */
	AA_META_FILE_SEQ = 11,      /* u32: this file's place in its rotated set, from 0 */
	AA_META_SOURCE = 12,        /* text: "ringbuf:EVENTS", "raw:PATH", "filter:PATH" ... */
	AA_META_LEVEL = 13,         /* i32: zstd level */
	AA_META_FLUSH_MS = 14,      /* u32 */
	AA_META_REORDER_NS = 15,    /* u64: how far records may be out of time order */
	AA_META_FORMAT_VERSION = 16, /* u32: AA_FORMAT_VERSION of the records; absent: 1 */
};

/*
 * AA_CHUNK_STATS body: counters since the file's capture session began,
 * then one drop counter per record type the writer knows, in type order:
 * AA_STATS_HEAD + 8 * slots bytes. A reader takes the slots it knows (at
 * least AA_STATS_MIN_SLOTS, the four seed types, are always there); the
 * drops of types it does not know are still in dropped.
 */
struct aa_stats_body {
	uint64_t written_ns; /* wall clock */
	uint64_t received;   /* records the capture saw: written + dropped */
	uint64_t dropped;    /* records lost before the writer: failed reservations */
	uint64_t drops[AA_DROP_SLOTS]; /* per type: enum aa_drop_slot */
};
#define AA_STATS_HEAD 24
#define AA_STATS_MIN_SLOTS 4
#define AA_STATS_MAX_SLOTS 256

/* AA_CHUNK_END body. */
struct aa_end_body {
	uint64_t records;     /* records in this file */
	uint64_t chunks;      /* AA_CHUNK_RECORDS chunks in this file */
	uint64_t bytes_raw;   /* sum of the record lengths */
	uint64_t digest;      /* XXH64, seed 0, of the export --raw stream of this file */
	uint64_t first_ts;    /* smallest record time stamp (monotonic), 0 if none */
	uint64_t last_ts;     /* largest */
	uint64_t dropped;     /* as in the last stats */
	uint64_t ended_ns;    /* wall clock at close */
	uint32_t blocks_crc;  /* zlib crc32 of every block before this one that is not an EPB */
	uint32_t reserved;    /* zero */
};

_Static_assert(sizeof(struct aa_stats_body) == AA_STATS_HEAD + 8 * AA_DROP_SLOTS, "stats body");
_Static_assert(AA_DROP_SLOTS >= AA_STATS_MIN_SLOTS && AA_DROP_SLOTS <= AA_STATS_MAX_SLOTS, "slots");
_Static_assert(sizeof(struct aa_end_body) == 72, "end body");

#endif /* AA_CAPFILE_H */

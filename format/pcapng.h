/* SPDX-License-Identifier: MIT */
/*
 * pcapng blocks as this toolkit writes and reads them: building the small
 * ones (SHB, IDB, ISB) and the frame of an Enhanced Packet Block, and
 * walking a block's options. Little-endian sections only.
 */
#ifndef AA_PCAPNG_H
#define AA_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

#define AA_SMALL_BLOCK_MAX 1024 /* room for any SHB, IDB or ISB we build */
#define AA_EPB_HEAD 28u         /* type, length, interface, ts high, ts low, caplen, len */

struct aa_shb_info {
	const char *hardware; /* shb_hardware: the machine */
	const char *os;       /* shb_os */
	const char *userappl; /* shb_userappl: "aa-capture 0.1.0" */
};

/* Each builds one whole block into buf (AA_SMALL_BLOCK_MAX bytes) and returns its length. */
size_t aa_pcapng_shb(uint8_t *buf, const struct aa_shb_info *info);
size_t aa_pcapng_idb(uint8_t *buf, uint32_t linktype, uint32_t snaplen, const char *name,
		     const char *description);
size_t aa_pcapng_isb(uint8_t *buf, uint64_t now_ns, uint64_t start_ns, uint64_t recv,
		     uint64_t drop, uint64_t delivered);

/*
 * The frame of an EPB whose packet data is data_len bytes: writes the 28-byte
 * head at buf and, after the data, the zero padding and the trailing length.
 * Returns the whole block length.
 */
size_t aa_pcapng_epb_frame(uint8_t *buf, uint64_t ts_ns, uint32_t data_len);

/* Calls fn for each option in opts[0..len) until opt_endofopt; returns 0, or -1 if malformed. */
typedef void (*aa_pcapng_opt_fn)(void *ctx, uint16_t code, const uint8_t *val, uint16_t len);
int aa_pcapng_options(const uint8_t *opts, size_t len, aa_pcapng_opt_fn fn, void *ctx);

static inline uint32_t aa_get32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

static inline uint64_t aa_get64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline void aa_put32(uint8_t *p, uint32_t v)
{
	__builtin_memcpy(p, &v, 4);
}

static inline void aa_put64(uint8_t *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

#endif /* AA_PCAPNG_H */

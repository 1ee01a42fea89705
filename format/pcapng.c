/* SPDX-License-Identifier: MIT */
/* Building and walking pcapng blocks (see pcapng.h). */
#include "pcapng.h"

#include <string.h>

#include "capfile.h"

struct blk {
	uint8_t *p;
	size_t len;
};

static void put_opt(struct blk *b, uint16_t code, const void *val, size_t len)
{
	/* Our options are short: truncate anything that would not fit the block. */
	size_t room = AA_SMALL_BLOCK_MAX - b->len - 4 - 8; /* this header, end-of-options, trailer */
	if (len > room - 4)
		len = room - 4;
	uint16_t l16 = (uint16_t)len;
	memcpy(b->p + b->len, &code, 2);
	memcpy(b->p + b->len + 2, &l16, 2);
	memcpy(b->p + b->len + 4, val, len);
	size_t padded = (len + 3) & ~(size_t)3;
	memset(b->p + b->len + 4 + len, 0, padded - len);
	b->len += 4 + padded;
}

static void put_str(struct blk *b, uint16_t code, const char *s)
{
	if (s && *s)
		put_opt(b, code, s, strlen(s));
}

static size_t finish(struct blk *b, uint32_t type)
{
	memset(b->p + b->len, 0, 4); /* opt_endofopt */
	b->len += 4;
	uint32_t total = (uint32_t)b->len + 4;
	aa_put32(b->p, type);
	aa_put32(b->p + 4, total);
	aa_put32(b->p + b->len, total);
	return total;
}

size_t aa_pcapng_shb(uint8_t *buf, const struct aa_shb_info *info)
{
	struct blk b = {buf, 8};

	aa_put32(buf + 8, AA_PCAPNG_BYTE_ORDER_MAGIC);
	uint16_t major = 1, minor = 0;
	memcpy(buf + 12, &major, 2);
	memcpy(buf + 14, &minor, 2);
	aa_put64(buf + 16, UINT64_MAX); /* section length not known while streaming */
	b.len = 24;
	put_str(&b, AA_OPT_SHB_HARDWARE, info->hardware);
	put_str(&b, AA_OPT_SHB_OS, info->os);
	put_str(&b, AA_OPT_SHB_USERAPPL, info->userappl);
	return finish(&b, AA_PCAPNG_SHB);
}

size_t aa_pcapng_idb(uint8_t *buf, uint32_t linktype, uint32_t snaplen, const char *name,
		     const char *description)
{
	struct blk b = {buf, 8};
	uint16_t lt = (uint16_t)linktype, reserved = 0;
	uint8_t tsresol = 9; /* time stamps in nanoseconds */

	memcpy(buf + 8, &lt, 2);
	memcpy(buf + 10, &reserved, 2);
	aa_put32(buf + 12, snaplen);
	b.len = 16;
	put_str(&b, AA_OPT_IF_NAME, name);
	put_str(&b, AA_OPT_IF_DESCRIPTION, description);
	put_opt(&b, AA_OPT_IF_TSRESOL, &tsresol, 1);
	return finish(&b, AA_PCAPNG_IDB);
}

static void put_ts(uint8_t *p, uint64_t ns)
{
	aa_put32(p, (uint32_t)(ns >> 32));
	aa_put32(p + 4, (uint32_t)ns);
}

size_t aa_pcapng_isb(uint8_t *buf, uint64_t now_ns, uint64_t start_ns, uint64_t recv,
		     uint64_t drop, uint64_t delivered)
{
	struct blk b = {buf, 8};
	uint8_t ts[8];

	aa_put32(buf + 8, 0); /* interface 0 */
	put_ts(buf + 12, now_ns);
	b.len = 20;
	put_ts(ts, start_ns);
	put_opt(&b, AA_OPT_ISB_STARTTIME, ts, 8);
	put_ts(ts, now_ns);
	put_opt(&b, AA_OPT_ISB_ENDTIME, ts, 8);
	put_opt(&b, AA_OPT_ISB_IFRECV, &recv, 8);
	put_opt(&b, AA_OPT_ISB_IFDROP, &drop, 8);
	put_opt(&b, AA_OPT_ISB_USRDELIV, &delivered, 8);
	return finish(&b, AA_PCAPNG_ISB);
}

size_t aa_pcapng_epb_frame(uint8_t *buf, uint64_t ts_ns, uint32_t data_len)
{
	uint32_t padded = (data_len + 3u) & ~3u;
	uint32_t total = AA_EPB_HEAD + padded + 4;

	aa_put32(buf, AA_PCAPNG_EPB);
	aa_put32(buf + 4, total);
	aa_put32(buf + 8, 0); /* interface 0 */
	put_ts(buf + 12, ts_ns);
	aa_put32(buf + 20, data_len); /* captured */
	aa_put32(buf + 24, data_len); /* original */
	memset(buf + AA_EPB_HEAD + data_len, 0, padded - data_len);
	aa_put32(buf + AA_EPB_HEAD + padded, total);
	return total;
}

int aa_pcapng_options(const uint8_t *opts, size_t len, aa_pcapng_opt_fn fn, void *ctx)
{
	size_t pos = 0;

	while (pos + 4 <= len) {
		uint16_t code, olen;
		memcpy(&code, opts + pos, 2);
		memcpy(&olen, opts + pos + 2, 2);
		if (code == AA_OPT_END)
			return 0;
		if (olen > len - pos - 4)
			return -1;
		fn(ctx, code, opts + pos + 4, olen);
		pos += 4 + (((size_t)olen + 3) & ~(size_t)3);
	}
	return pos == len ? 0 : -1; /* options may end without opt_endofopt */
}

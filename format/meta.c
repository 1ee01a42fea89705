/* SPDX-License-Identifier: MIT */
/* META entries: u16 tag, u16 zero, u32 length, value, zero pad to 4. */
#include "meta_codec.h"

#include <string.h>

#include "aa_error.h"
#include "capfile.h"

struct meta_buf {
	uint8_t *p;
	size_t len, cap;
	int overflow;
};

static void put(struct meta_buf *b, uint16_t tag, const void *val, uint32_t len)
{
	size_t padded = (len + 3u) & ~3u;

	if (b->len + 8 + padded > b->cap) {
		b->overflow = 1;
		return;
	}
	uint8_t *p = b->p + b->len;
	uint16_t zero = 0;
	memcpy(p, &tag, 2);
	memcpy(p + 2, &zero, 2);
	memcpy(p + 4, &len, 4);
	if (len) /* val may be NULL for len 0 */
		memcpy(p + 8, val, len);
	memset(p + 8 + len, 0, padded - len);
	b->len += 8 + padded;
}

static void put_str(struct meta_buf *b, uint16_t tag, const char *s)
{
	if (s)
		put(b, tag, s, (uint32_t)strlen(s) + 1); /* the NUL is stored */
}

int aa_meta_encode(const struct aa_file_meta *m, uint8_t *buf, size_t cap, size_t *len)
{
	struct meta_buf b = {buf, 0, cap, 0};

	put_str(&b, AA_META_WRITER, m->writer);
	put_str(&b, AA_META_WRITER_VERSION, m->writer_version);
	put_str(&b, AA_META_HOSTNAME, m->hostname);
	put_str(&b, AA_META_KERNEL, m->kernel);
	put_str(&b, AA_META_ARCH, m->arch);
	put_str(&b, AA_META_SOURCE, m->source);
	put_str(&b, AA_META_SCHEMA, m->schema);
	put(&b, AA_META_MONO_TO_WALL, &m->mono_to_wall, 8);
	put(&b, AA_META_START_NS, &m->start_ns, 8);
	put(&b, AA_META_SESSION, m->session, 16);
	put(&b, AA_META_FILE_SEQ, &m->file_seq, 4);
	put(&b, AA_META_LEVEL, &m->level, 4);
	put(&b, AA_META_FLUSH_MS, &m->flush_ms, 4);
	if (m->reorder_ns)
		put(&b, AA_META_REORDER_NS, &m->reorder_ns, 8);
	if (m->format_version)
		put(&b, AA_META_FORMAT_VERSION, &m->format_version, 4);
	if (m->btf && m->btf_len)
		put(&b, AA_META_BTF, m->btf, m->btf_len);
	*len = b.len;
	return b.overflow ? AA_E_INVAL : 0;
}

static int get_str(const uint8_t *v, uint32_t len, const char **out)
{
	if (len == 0 || v[len - 1] != 0)
		return AA_E_META;
	*out = (const char *)v;
	return 0;
}

static int get_fixed(const uint8_t *v, uint32_t len, void *out, uint32_t size)
{
	if (len != size)
		return AA_E_META;
	memcpy(out, v, size);
	return 0;
}

int aa_meta_decode(const uint8_t *buf, size_t len, struct aa_file_meta *m)
{
	size_t pos = 0;

	memset(m, 0, sizeof(*m));
	while (pos < len) {
		uint16_t tag;
		uint32_t vlen;
		int rc = 0;

		if (len - pos < 8)
			return AA_E_META;
		memcpy(&tag, buf + pos, 2);
		memcpy(&vlen, buf + pos + 4, 4);
		if (vlen > len - pos - 8)
			return AA_E_META;
		const uint8_t *v = buf + pos + 8;
		switch (tag) {
		case AA_META_WRITER: rc = get_str(v, vlen, &m->writer); break;
		case AA_META_WRITER_VERSION: rc = get_str(v, vlen, &m->writer_version); break;
		case AA_META_HOSTNAME: rc = get_str(v, vlen, &m->hostname); break;
		case AA_META_KERNEL: rc = get_str(v, vlen, &m->kernel); break;
		case AA_META_ARCH: rc = get_str(v, vlen, &m->arch); break;
		case AA_META_SOURCE: rc = get_str(v, vlen, &m->source); break;
		case AA_META_SCHEMA: rc = get_str(v, vlen, &m->schema); break;
		case AA_META_MONO_TO_WALL: rc = get_fixed(v, vlen, &m->mono_to_wall, 8); break;
		case AA_META_START_NS: rc = get_fixed(v, vlen, &m->start_ns, 8); break;
		case AA_META_SESSION: rc = get_fixed(v, vlen, m->session, 16); break;
		case AA_META_FILE_SEQ: rc = get_fixed(v, vlen, &m->file_seq, 4); break;
		case AA_META_LEVEL: rc = get_fixed(v, vlen, &m->level, 4); break;
		case AA_META_FLUSH_MS: rc = get_fixed(v, vlen, &m->flush_ms, 4); break;
		case AA_META_REORDER_NS: rc = get_fixed(v, vlen, &m->reorder_ns, 8); break;
		case AA_META_FORMAT_VERSION: rc = get_fixed(v, vlen, &m->format_version, 4); break;
		case AA_META_BTF:
			m->btf = v;
			m->btf_len = vlen;
			break;
		default: /* a newer writer's entry: skip it */
			break;
		}
		if (rc)
			return rc;
		pos += 8 + (((size_t)vlen + 3) & ~(size_t)3);
	}
	return 0;
}

uint64_t aa_meta_reorder_ns(const struct aa_file_meta *m)
{
	if (m && m->reorder_ns)
		return m->reorder_ns;
	uint64_t flush_ms = m && m->flush_ms ? m->flush_ms : 1000;
	return flush_ms * 1000000ull + AA_REORDER_MARGIN_NS;
}

uint32_t aa_meta_format_version(const struct aa_file_meta *m)
{
	return m && m->format_version ? m->format_version : 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * The blocks a capture file starts with (writer_int.h): the pcapng section
 * header, one interface per source, and the META chunk of each source,
 * which says what wrote the file, where and how (FORMAT.md 3.2).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "capfile.h"
#include "clock.h"
#include "events_btf.h"
#include "meta_codec.h"
#include "pcapng.h"
#include "writer_int.h"

#ifndef AA_VERSION
#define AA_VERSION "0.0.0"
#endif

static int write_meta_chunk(struct aa_writer *w, const struct aa_file_meta *m, uint32_t iface)
{
	size_t len;

	if (aa_meta_encode(m, w->raw, AA_CHUNK_RAW_MAX, &len) != 0) /* not bound by chunk_raw_max */
		return w->err = AA_E_INVAL;
	struct aa_chunk_hdr h = {.kind = AA_CHUNK_META, .raw_len = (uint32_t)len};
	return wr_write_chunk_on(w, &h, w->raw, iface);
}

/* A merged file: each source's META as it was, but for the writer and
 * the format version (its records are framed with their source). */
static int write_source_metas(struct aa_writer *w, const struct aa_writer_opts *o)
{
	for (uint32_t i = 0; i < o->nsources; i++) {
		struct aa_file_meta m = o->sources[i];
		m.writer = o->writer ? o->writer : "aa-capture";
		m.writer_version = AA_VERSION;
		if (o->source)
			m.source = o->source;
		m.format_version = AA_FORMAT_VERSION_MERGED;
		int rc = write_meta_chunk(w, &m, i);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_meta(struct aa_writer *w, const struct aa_writer_opts *o, int64_t mono_to_wall)
{
	struct utsname u;
	char host[256] = "";
	/* "tls 4128\nfile 296\n...": one line "name size" per type */
#define X(name, NAME, size) #name " " #size "\n"
	static const char schema[] = AA_RECORD_TYPES(X);
#undef X
	struct aa_file_meta m = {0};

	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	gethostname(host, sizeof(host) - 1);
	m.writer = o->writer ? o->writer : "aa-capture";
	m.writer_version = AA_VERSION;
	m.hostname = o->hostname ? o->hostname : host;
	m.kernel = o->kernel ? o->kernel : u.release;
	m.arch = o->arch ? o->arch : u.machine;
	m.source = o->source;
	m.schema = schema;
	m.mono_to_wall = mono_to_wall;
	m.start_ns = w->start_ns;
	memcpy(m.session, w->session, 16);
	m.file_seq = o->file_seq;
	m.level = o->level ? o->level : 3;
	m.flush_ms = w->flush_ms;
	m.reorder_ns = o->reorder_ns ? o->reorder_ns : aa_meta_reorder_ns(&m);
	m.format_version = o->format_version ? o->format_version : AA_FORMAT_VERSION;
	m.btf = aa_events_btf(&m.btf_len);
	return write_meta_chunk(w, &m, 0);
}

static int write_headers(struct aa_writer *w, const char *writer, const struct aa_writer_opts *o)
{
	struct utsname u;
	char os[160], appl[96];
	uint8_t buf[AA_SMALL_BLOCK_MAX];

	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	snprintf(appl, sizeof(appl), "%s %s", writer ? writer : "aa-capture", AA_VERSION);
	struct aa_shb_info shb = {.hardware = u.machine, .os = os, .userappl = appl};
	int rc = wr_write_block(w, buf, aa_pcapng_shb(buf, &shb));
	if (rc || !o->nsources)
		return rc ? rc
			  : wr_write_block(w, buf,
					aa_pcapng_idb(buf, AA_LINKTYPE, AA_SNAPLEN, "EVENTS",
						      "eBPF ring-buffer records in zstd chunks (aa capture file)"));
	/* a merged file: one interface per source, named by its host for pcapng tools */
	for (uint32_t i = 0; i < o->nsources && !rc; i++) {
		char desc[384];
		const char *host = o->sources[i].hostname;
		snprintf(desc, sizeof(desc), "records of host %.255s (aa merged capture file)",
			 host && *host ? host : "-");
		rc = wr_write_block(w, buf, aa_pcapng_idb(buf, AA_LINKTYPE, AA_SNAPLEN, "EVENTS", desc));
	}
	return rc;
}

int wr_write_start(struct aa_writer *w, const struct aa_writer_opts *o)
{
	int rc = write_headers(w, o->writer, o);

	if (!rc && o->nsources)
		rc = write_source_metas(w, o);
	else if (!rc)
		rc = write_meta(w, o, o->mono_to_wall ? o->mono_to_wall : aa_mono_to_wall());
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* The files a recording touched, from its file and fileop records. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "print_enc.h"
#include "report_files.h"

static uint64_t hash(const uint8_t *s, size_t len)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static int grow(struct report_files *f)
{
	uint32_t ns = f->nslots ? f->nslots * 2 : 1024;
	uint32_t *slot = calloc(ns, sizeof(*slot));

	if (!slot)
		return -1;
	for (uint32_t i = 0; i < f->n; i++) {
		uint32_t k = (uint32_t)hash(f->v[i].path, f->v[i].len) & (ns - 1);
		while (slot[k])
			k = (k + 1) & (ns - 1);
		slot[k] = i + 1;
	}
	free(f->slot);
	f->slot = slot;
	f->nslots = ns;
	return 0;
}

/* The entry of path, made when new; -1 past the limit or out of memory. */
static int32_t lookup(struct report_files *f, const uint8_t *path, size_t len, int truncated)
{
	if (f->n * 2 >= f->nslots && grow(f) < 0)
		return -1;
	uint32_t k = (uint32_t)hash(path, len) & (f->nslots - 1);
	for (; f->slot[k]; k = (k + 1) & (f->nslots - 1)) {
		struct report_file *e = &f->v[f->slot[k] - 1];
		if (e->len == len && !memcmp(e->path, path, len))
			return (int32_t)(f->slot[k] - 1);
	}
	if (f->n >= REPORT_FILES_MAX)
		return -1;
	if (f->n == f->cap) {
		uint32_t cap = f->cap ? f->cap * 2 : 256;
		struct report_file *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	struct report_file *e = &f->v[f->n];
	memset(e, 0, sizeof(*e));
	if (!(e->path = malloc(len ? len : 1)))
		return -1;
	memcpy(e->path, path, len);
	e->len = (uint32_t)len;
	e->truncated = truncated;
	e->renamed_to = e->renamed_from = -1;
	f->slot[k] = f->n + 1;
	return (int32_t)f->n++;
}

/* The path of a record: its string record's whole path, else its own field. */
static int32_t path_of(struct report_files *f, const struct aa_joins *j, int kind,
		       const uint8_t *field, size_t max)
{
	if (j && j->str[kind].data)
		return lookup(f, j->str[kind].data, j->str[kind].len, j->str[kind].truncated);
	if (!field)
		return -1;
	return lookup(f, field, strnlen((const char *)field, max), 0);
}

static int is_change(uint32_t sys, uint32_t flags)
{
	switch (sys) {
	case AA_SYS_OPENAT: case AA_SYS_OPEN: case AA_SYS_OPENAT2:
		return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
	case AA_SYS_READ: case AA_SYS_PREAD64: case AA_SYS_READV: case AA_SYS_PREADV:
	case AA_SYS_PREADV2:
		return 0;
	default:
		return 1;
	}
}

static int is_read(uint32_t sys)
{
	return sys == AA_SYS_READ || sys == AA_SYS_PREAD64 || sys == AA_SYS_READV ||
	       sys == AA_SYS_PREADV || sys == AA_SYS_PREADV2;
}

static int is_write(uint32_t sys)
{
	return sys == AA_SYS_WRITE || sys == AA_SYS_PWRITE64 || sys == AA_SYS_WRITEV ||
	       sys == AA_SYS_PWRITEV || sys == AA_SYS_PWRITEV2;
}

int32_t report_files_add(struct report_files *f, const struct aa_record *rec)
{
	uint32_t sys, flags, pid;
	int64_t ret;
	int32_t i, to = -1;

	if (rec->ev.type == AA_TYPE_FILE) {
		const struct aa_file_event *e = rec->ev.file;
		size_t max;
		sys = e->syscall, flags = e->flags, ret = e->return_code, pid = e->pid;
		i = path_of(f, rec->joins, AA_STRING_PATH, e->path, sizeof(e->path));
		if (sys == AA_SYS_RENAME)
			to = path_of(f, rec->joins, AA_STRING_NEW_PATH, aa_file_new_path(e, &max),
				     aa_file_new_path(e, &max) ? max : 0);
	} else {
		const struct aa_fileop_event *e = rec->ev.fileop;
		sys = e->syscall, flags = e->flags, ret = e->return_code, pid = e->pid;
		i = path_of(f, rec->joins, AA_STRING_PATH, e->path, sizeof(e->path));
	}
	if (i < 0 || sys >= AA_SYS_FILEOP_END) {
		f->untracked++;
		return -1;
	}
	struct report_file *e = &f->v[i];
	e->ops[sys]++;
	if (!e->first_ns)
		e->first_ns = rec->time_ns;
	e->last_ns = rec->time_ns;
	if (ret < 0) {
		e->failed++;
		e->last_error = ret;
	} else {
		if (is_read(sys))
			e->bytes_read += (uint64_t)ret;
		if (is_write(sys))
			e->bytes_written += (uint64_t)ret;
		e->changed |= is_change(sys, flags);
	}
	uint32_t k = 0;
	while (k < e->npids && e->pids[k] != pid)
		k++;
	if (k == e->npids && k < sizeof(e->pids) / sizeof(e->pids[0]))
		e->pids[e->npids++] = pid;
	if (to >= 0 && ret >= 0) {
		f->v[i].renamed_to = to;
		f->v[to].renamed_from = i;
		f->v[to].changed = 1;
		if (!f->v[to].first_ns)
			f->v[to].first_ns = rec->time_ns;
		f->v[to].last_ns = rec->time_ns;
	}
	return i;
}

void report_files_json(FILE *j, const struct report_files *f, uint64_t base_ns)
{
	fputs(",\"files\":[", j);
	for (uint32_t i = 0; i < f->n; i++) {
		const struct report_file *e = &f->v[i];
		const char *sep = "";

		fputs(i ? ",{\"path\":" : "{\"path\":", j);
		aa_enc_json_string(j, e->path, e->len);
		fputs(",\"ops\":{", j);
		for (uint32_t s = 0; s < AA_SYS_FILEOP_END; s++)
			if (e->ops[s]) {
				fprintf(j, "%s\"%s\":%llu", sep, aa_syscall_name(s),
					(unsigned long long)e->ops[s]);
				sep = ",";
			}
		fprintf(j, "},\"failed\":%llu,\"error\":%lld,\"read\":%llu,\"written\":%llu,"
			"\"first\":%llu,\"last\":%llu,\"changed\":%s,\"truncated\":%s,\"to\":%d,\"from\":%d,\"pids\":[",
			(unsigned long long)e->failed, (long long)e->last_error,
			(unsigned long long)e->bytes_read, (unsigned long long)e->bytes_written,
			(unsigned long long)(e->first_ns - base_ns), (unsigned long long)(e->last_ns - base_ns),
			e->changed ? "true" : "false", e->truncated ? "true" : "false",
			(int)e->renamed_to, (int)e->renamed_from);
		for (uint32_t k = 0; k < e->npids; k++)
			fprintf(j, k ? ",%u" : "%u", e->pids[k]);
		fputs("]}", j);
	}
	fprintf(j, "],\"files_untracked\":%llu", (unsigned long long)f->untracked);
}

void report_files_free(struct report_files *f)
{
	for (uint32_t i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	free(f->slot);
	memset(f, 0, sizeof(*f));
}

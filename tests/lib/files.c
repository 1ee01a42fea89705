/* SPDX-License-Identifier: MIT */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *aat_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	char *dir = aat_path(base, "aa-test.XXXXXX");
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void aat_tmpdir_remove(char *dir)
{
	if (!dir)
		return;
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

char *aat_path(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

int aat_read_file(const char *path, uint8_t **data, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	size_t n = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			free(buf);
			close(fd);
			if (r == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*data = buf;
	*size = n;
	return 0;
}

int aat_write_file(const char *path, const void *data, size_t size)
{
	/* A new file rather than O_TRUNC: ext4 flushes a truncated file on
	 * close, which makes thousands of rewrites slow. */
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	const uint8_t *p = data;
	while (size) {
		ssize_t w = write(fd, p, size);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		p += w;
		size -= (size_t)w;
	}
	return close(fd);
}

uint16_t aat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t aat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t aat_le64(const uint8_t *p)
{
	return (uint64_t)aat_le32(p) | (uint64_t)aat_le32(p + 4) << 32;
}

void aat_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void aat_put_le64(uint8_t *p, uint64_t v)
{
	aat_put_le32(p, (uint32_t)v);
	aat_put_le32(p + 4, (uint32_t)(v >> 32));
}

char *aat_build_path(const char *name)
{
	const char *build = getenv("AA_BUILD");
	return aat_path(build && *build ? build : "build", name);
}

int aat_run(const char *cmd, char *out, size_t size)
{
	fflush(NULL);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t got = 0;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		if (out && got + 1 < size) {
			size_t take = size - 1 - got < n ? size - 1 - got : n;
			memcpy(out + got, buf, take);
			got += take;
		}
	}
	if (out && size)
		out[got] = 0;
	int st = pclose(p);
	if (st < 0)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

int aat_replay_in(const char *dir, char *out, size_t size, const char *fmt, ...)
{
	char args[2048], cmd[4096];
	char *bin = aat_build_path("aa-replay"), *abs = bin ? realpath(bin, NULL) : NULL;
	va_list ap;
	int rc;

	if (!abs) {
		snprintf(out, size, "%s is not built", bin ? bin : "aa-replay");
		free(bin);
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && R='%s' && \"$R\" %s", dir, abs, args);
	rc = aat_run(cmd, out, size);
	free(bin);
	free(abs);
	return rc;
}

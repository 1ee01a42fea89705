/* SPDX-License-Identifier: MIT */
/* Files for tests: private temporary directories (never inside the
 * repository, which may be read-only for an unprivileged run), whole-file
 * reads and writes, little-endian fields and shell commands. */
#ifndef AAT_FILES_H
#define AAT_FILES_H

#include <stddef.h>
#include <stdint.h>

/* A new directory under $TMPDIR (or /tmp); NULL on failure. Free with aat_tmpdir_remove. */
char *aat_tmpdir(void);
/* Removes the directory and everything in it, then frees dir. */
void aat_tmpdir_remove(char *dir);
/* dir "/" name, malloc'd. */
char *aat_path(const char *dir, const char *name);

/* Reads a whole file into a malloc'd buffer. Returns 0 or -1 (errno set). */
int aat_read_file(const char *path, uint8_t **data, size_t *size);
/* Creates or replaces a file with these bytes. Returns 0 or -1. */
int aat_write_file(const char *path, const void *data, size_t size);

uint16_t aat_le16(const uint8_t *p);
uint32_t aat_le32(const uint8_t *p);
uint64_t aat_le64(const uint8_t *p);
void aat_put_le32(uint8_t *p, uint32_t v);
void aat_put_le64(uint8_t *p, uint64_t v);

/* The path of a built program, $AA_BUILD/name (AA_BUILD defaults to "build"), malloc'd. */
char *aat_build_path(const char *name);

/*
 * Runs a shell command; its standard output goes into out (NUL-terminated,
 * cut to size) when out is not NULL, its standard error to ours. Returns the
 * exit status, 128 + signal when killed, or -1 when it could not run.
 */
int aat_run(const char *cmd, char *out, size_t size);
/*
 * aat_run of `aa-replay ARGS` in dir, ARGS printf-formatted (a shell
 * command line: more commands may follow, the program being "$R").
 */
int aat_replay_in(const char *dir, char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

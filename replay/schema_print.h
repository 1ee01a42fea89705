/* SPDX-License-Identifier: MIT */
/*
 * What `aa-replay schema` prints for a file's metadata, apart from the
 * command: the fuzz targets run the same code on every META they reach.
 */
#ifndef AA_SCHEMA_PRINT_H
#define AA_SCHEMA_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "meta.h"

/*
 * Prints m's record types (its schema text, each line in a C comment) and,
 * when m carries BTF, the named structs of it as C, to out; name is what
 * the first line calls the file. Nothing from the file reaches out raw:
 * text is escaped so that it neither drives a terminal nor closes a
 * comment, and the BTF is checked whole (aa_btf_check) before libbpf sees
 * it. Returns 0; AA_E_META when the BTF is damaged or libbpf refuses it,
 * AA_E_NOMEM when libbpf cannot print it, with why[] saying what is wrong.
 */
int aa_schema_print(FILE *out, const char *name, const struct aa_file_meta *m, char *why,
		    size_t why_len);

#endif /* AA_SCHEMA_PRINT_H */

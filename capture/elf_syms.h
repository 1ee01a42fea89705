/* SPDX-License-Identifier: MIT */
/*
 * Which of a few named functions an ELF file defines, and which it only
 * imports: its dynamic and static symbol tables (.dynsym, .symtab), read
 * with libelf. Used to tell which TLS stack a library or program carries.
 */
#ifndef AA_ELF_SYMS_H
#define AA_ELF_SYMS_H

#include <stddef.h>
#include <stdint.h>

#define AA_ELF_SYMS_MAX 64

/*
 * Looks up names[0..n) (n <= AA_ELF_SYMS_MAX): bit i of *defined is set when
 * the file defines names[i] (a function or object with a section), and then
 * offsets[i] (offsets may be NULL) is where it starts in the file, as a
 * uprobe takes it; bit i of *imported when the file only refers to it.
 * Returns 0, or -1 when the file cannot be read or is not ELF (both masks 0).
 */
int aa_elf_syms(const char *path, const char *const *names, size_t n, uint64_t *defined, uint64_t *imported,
		uint64_t *offsets);

#endif /* AA_ELF_SYMS_H */

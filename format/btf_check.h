/* SPDX-License-Identifier: MIT */
/*
 * A full check of a BTF blob taken from a capture file, before anything
 * (libbpf above all, which trusts its input) is given it. Private to the
 * toolkit (not installed).
 */
#ifndef AA_BTF_CHECK_H
#define AA_BTF_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* The longest chain of type references accepted (libbpf follows them by recursion). */
#define AA_BTF_MAX_DEPTH 64

/*
 * 0 if btf[0..len) is BTF of this machine's byte order that is whole and
 * consistent: header and sections in bounds, every type record complete and
 * of a known kind, every referenced type id in range and of a kind that may
 * stand there, no chain of references that loops (other than through a
 * pointer to a named struct or union) or is deeper than AA_BTF_MAX_DEPTH,
 * every name inside the string section and a C identifier where C output
 * would print it, sizes sane, struct members inside their struct, and no
 * more C from it than a bound (an anonymous struct is printed whole at each
 * use, so a small blob could print gigabytes).
 * Otherwise -1, and why[] says what is wrong in one line (no names from the
 * blob in it, only ids and offsets).
 */
int aa_btf_check(const uint8_t *btf, size_t len, char *why, size_t why_len);

#endif /* AA_BTF_CHECK_H */

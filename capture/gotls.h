/* SPDX-License-Identifier: MIT */
/*
 * Go's crypto/tls in a Go program: where (*Conn).Write and (*Conn).Read
 * start and where each returns, as file offsets a uprobe takes. Go's
 * stacks move and its runtime walks them, so a uretprobe (which replaces
 * the return address) breaks a Go program: the return side is a plain
 * uprobe on each RET instruction of the function, found by disassembling
 * its code with capstone. The functions come from .symtab, or, in a
 * stripped binary, from .gopclntab (gopclntab.h). Only Go 1.17 and later
 * pass arguments in registers, which the probes read; older programs are
 * reported and not probed.
 */
#ifndef AA_GOTLS_H
#define AA_GOTLS_H

#include <stddef.h>
#include <stdint.h>

enum aa_go_func {
	AA_GO_WRITE, /* crypto/tls.(*Conn).Write */
	AA_GO_READ,  /* crypto/tls.(*Conn).Read */
	AA_GO_COUNT,
};
extern const char *const aa_go_funcs[AA_GO_COUNT];

/* The most RET instructions probed in one function (Go's have a handful). */
#define AA_GO_RETS_MAX 64

struct aa_go_tls {
	uint64_t entry[AA_GO_COUNT];                /* file offsets; 0 not found */
	uint64_t rets[AA_GO_COUNT][AA_GO_RETS_MAX]; /* of each RET in the function */
	uint32_t nrets[AA_GO_COUNT];
	uint8_t from_pclntab; /* 1: found in .gopclntab (stripped), 0: in .symtab */
	char version[16];     /* "go1.19.8", or the table's layout ("go1.18+") when no build info */
};

/*
 * Looks at the ELF file at path: 1 when it is a Go program (build info or
 * function table) whose crypto/tls Write and Read were both found with
 * their RETs, *g filled; 0 when not (not Go, no crypto/tls, older than Go
 * 1.17, not of this machine, which must be x86-64 or arm64); -1 when it cannot
 * be read.
 */
int aa_go_tls_find(const char *path, struct aa_go_tls *g);

#endif /* AA_GOTLS_H */

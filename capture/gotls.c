/* SPDX-License-Identifier: MIT */
/* Go crypto/tls functions and their RETs in a Go program (gotls.h). */
#include "gotls.h"

#include <capstone/capstone.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gopclntab.h"

const char *const aa_go_funcs[AA_GO_COUNT] = {
	[AA_GO_WRITE] = "crypto/tls.(*Conn).Write",
	[AA_GO_READ] = "crypto/tls.(*Conn).Read",
};

/* The probes read this machine's registers: programs of another (run by an
 * emulator) are not probed. */
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#else
#define HOST_MACHINE EM_NONE
#endif

/* A function's code is read whole up to this size (Write and Read are ~1 KiB). */
#define FUNC_MAX (256 << 10)
/* .gopclntab is read whole up to this size (a large program's is ~20 MiB). */
#define PCLNTAB_MAX (256u << 20)

/* The section named name, or NULL; its header in *sh. */
static Elf_Scn *section(Elf *elf, size_t shstrndx, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (gelf_getshdr(scn, sh) && (n = elf_strptr(elf, shstrndx, sh->sh_name)) && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

/* The section holding [addr, addr + len) with bytes in the file; its header in *sh. */
static int section_at(Elf *elf, uint64_t addr, uint64_t len, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type != SHT_NOBITS && (sh->sh_flags & SHF_ALLOC) &&
		    addr >= sh->sh_addr && addr - sh->sh_addr <= sh->sh_size && len <= sh->sh_size - (addr - sh->sh_addr))
			return 0;
	return -1;
}

/* len bytes at virtual address addr, from the file. */
static int read_addr(Elf *elf, int fd, uint64_t addr, void *buf, size_t len)
{
	GElf_Shdr sh;

	if (section_at(elf, addr, len, &sh))
		return -1;
	return pread(fd, buf, len, (off_t)(addr - sh.sh_addr + sh.sh_offset)) == (ssize_t)len ? 0 : -1;
}

/*
 * The Go version of the build info (.go.buildinfo): "\xff Go buildinf:",
 * pointer size, flags; with flags bit 2 (Go 1.18 on) the version follows
 * at 32 as a varint-prefixed string, before that a pointer to a Go string
 * (pointer, length) does.
 */
static void build_version(Elf *elf, int fd, size_t shstrndx, char *out, size_t size)
{
	uint8_t h[48], s[16];
	uint64_t ptr = 0, len = 0;
	unsigned p;
	GElf_Shdr sh;

	out[0] = 0;
	if (!section(elf, shstrndx, ".go.buildinfo", &sh) || sh.sh_size < sizeof(h) ||
	    pread(fd, h, sizeof(h), (off_t)sh.sh_offset) != (ssize_t)sizeof(h) ||
	    memcmp(h, "\xff Go buildinf:", 14) || (h[14] != 4 && h[14] != 8))
		return;
	p = h[14];
	if (h[15] & 2) {
		len = h[32]; /* a version is shorter than 128: one varint byte */
		if (len < 128 && len < size && 33 + len <= sizeof(h)) {
			memcpy(out, h + 33, len);
			out[len] = 0;
		} else if (len < 128 && len < size && sh.sh_size >= 33 + len) {
			if (pread(fd, out, len, (off_t)(sh.sh_offset + 33)) == (ssize_t)len)
				out[len] = 0;
		}
		return;
	}
	for (unsigned i = p; i-- > 0;)
		ptr = ptr << 8 | h[16 + i];
	if (read_addr(elf, fd, ptr, s, 2 * p))
		return;
	ptr = len = 0;
	for (unsigned i = p; i-- > 0;) {
		ptr = ptr << 8 | s[i];
		len = len << 8 | s[p + i];
	}
	if (len && len < size && !read_addr(elf, fd, ptr, out, len))
		out[len] = 0;
}

/* Whether Go of this version passes arguments in registers on this machine
 * (amd64 from 1.17, arm64 from 1.18). */
static int register_abi(const char *version, enum aa_gopclntab_version table, unsigned machine)
{
	unsigned major, minor;
	unsigned need = machine == EM_AARCH64 ? 18 : 17;

	if (sscanf(version, "go%u.%u", &major, &minor) == 2)
		return major > 1 || minor >= need;
	return table >= AA_GOPCLNTAB_118; /* 1.16/1.17's table with no build info: unknown */
}

/* The two functions' code ranges from .symtab. */
static int from_symtab(Elf *elf, struct aa_gofunc *out)
{
	Elf_Scn *scn = NULL;
	int found = 0;

	memset(out, 0, AA_GO_COUNT * sizeof(*out));
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) || !sym.st_name || !sym.st_size ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC || !(name = elf_strptr(elf, sh.sh_link, sym.st_name)) ||
			    strncmp(name, "crypto/tls.(*Conn).", 19))
				continue;
			for (int k = 0; k < AA_GO_COUNT; k++)
				if (!out[k].entry && !strcmp(name, aa_go_funcs[k])) {
					out[k].entry = sym.st_value;
					out[k].end = sym.st_value + sym.st_size;
					found++;
				}
		}
	}
	return found == AA_GO_COUNT ? 0 : -1;
}

/* The two functions from .gopclntab; its layout. */
static enum aa_gopclntab_version from_pclntab(Elf *elf, int fd, size_t shstrndx, struct aa_gofunc *out)
{
	GElf_Shdr sh, text;
	enum aa_gopclntab_version v = AA_GOPCLNTAB_UNKNOWN;
	uint8_t *tab;

	memset(out, 0, AA_GO_COUNT * sizeof(*out));
	if (!section(elf, shstrndx, ".gopclntab", &sh) || sh.sh_type == SHT_NOBITS || sh.sh_size > PCLNTAB_MAX)
		return v;
	if (!section(elf, shstrndx, ".text", &text))
		text.sh_addr = 0;
	tab = malloc(sh.sh_size ? sh.sh_size : 1);
	if (tab && pread(fd, tab, sh.sh_size, (off_t)sh.sh_offset) == (ssize_t)sh.sh_size)
		v = aa_gopclntab_find(tab, sh.sh_size, text.sh_addr, aa_go_funcs, AA_GO_COUNT, out);
	free(tab);
	return v;
}

/* The function's file offset and the offsets of its RETs, disassembled with capstone. */
static int find_rets(Elf *elf, int fd, unsigned machine, const struct aa_gofunc *fn, struct aa_go_tls *g, int k)
{
	uint64_t len = fn->end - fn->entry, addr = fn->entry, off;
	const uint8_t *code;
	uint8_t *buf;
	size_t left;
	GElf_Shdr sh;
	csh cs;
	cs_insn *insn;
	int ret_id = machine == EM_AARCH64 ? ARM64_INS_RET : X86_INS_RET;

	if (!fn->entry || len > FUNC_MAX || section_at(elf, fn->entry, len, &sh) || !(sh.sh_flags & SHF_EXECINSTR))
		return -1;
	off = fn->entry - sh.sh_addr + sh.sh_offset;
	buf = malloc(len);
	if (!buf || pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
		free(buf);
		return -1;
	}
	if (cs_open(machine == EM_AARCH64 ? CS_ARCH_ARM64 : CS_ARCH_X86,
		    machine == EM_AARCH64 ? CS_MODE_ARM : CS_MODE_64, &cs) != CS_ERR_OK) {
		free(buf);
		return -1;
	}
	insn = cs_malloc(cs);
	g->entry[k] = off;
	g->nrets[k] = 0;
	code = buf;
	left = len;
	/* A linear sweep: Go puts no data inside a function's code. Its end
	 * (the next function's start, for pclntab) may hold INT3 padding. */
	while (insn && cs_disasm_iter(cs, &code, &left, &addr, insn))
		if (insn->id == (unsigned)ret_id && g->nrets[k] < AA_GO_RETS_MAX)
			g->rets[k][g->nrets[k]++] = insn->address - sh.sh_addr + sh.sh_offset;
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	free(buf);
	return g->nrets[k] ? 0 : -1;
}

int aa_go_tls_find(const char *path, struct aa_go_tls *g)
{
	struct aa_gofunc fn[AA_GO_COUNT], sym[AA_GO_COUNT];
	enum aa_gopclntab_version table;
	size_t shstrndx;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf *elf;
	int fd, rc = 0;

	memset(g, 0, sizeof(*g));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) ||
	    eh.e_machine != HOST_MACHINE ||
	    (!section(elf, shstrndx, ".go.buildinfo", &sh) && !section(elf, shstrndx, ".gopclntab", &sh)))
		goto out; /* not a Go program of a machine the probes know */
	build_version(elf, fd, shstrndx, g->version, sizeof(g->version));
	/* .symtab (sizes as the linker wrote them) when there is one; the
	 * table, megabytes long, only when needed: stripped, or no build info */
	table = AA_GOPCLNTAB_UNKNOWN;
	if (!from_symtab(elf, sym)) {
		if (!g->version[0])
			table = from_pclntab(elf, fd, shstrndx, fn);
		memcpy(fn, sym, sizeof(fn));
	} else {
		table = from_pclntab(elf, fd, shstrndx, fn);
		if (!fn[AA_GO_WRITE].entry || !fn[AA_GO_READ].entry)
			goto out; /* no crypto/tls */
		g->from_pclntab = 1;
	}
	if (!g->version[0] && table != AA_GOPCLNTAB_UNKNOWN)
		snprintf(g->version, sizeof(g->version), "go1.%d+", table == AA_GOPCLNTAB_120 ? 20 :
								 table == AA_GOPCLNTAB_118 ? 18 : 16);
	if (!register_abi(g->version, table, eh.e_machine))
		goto out;
	for (int k = 0; k < AA_GO_COUNT; k++)
		if (find_rets(elf, fd, eh.e_machine, &fn[k], g, k))
			goto out;
	rc = 1;
out:
	elf_end(elf);
	close(fd);
	if (rc != 1) { /* the version stays, for --list-tls to say why */
		char version[sizeof(g->version)];

		memcpy(version, g->version, sizeof(version));
		memset(g, 0, sizeof(*g));
		memcpy(g->version, version, sizeof(version));
	}
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* Named symbols of an ELF file (elf_syms.h). */
#include "elf_syms.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

/* The index of name in names, or -1; most symbols differ at once. */
static int name_index(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name[0] == names[i][0] && !strcmp(name, names[i]))
			return (int)i;
	return -1;
}

/* Where the code at address addr of section shndx is in the file. */
static uint64_t file_offset(Elf *elf, size_t shndx, uint64_t addr)
{
	Elf_Scn *scn = elf_getscn(elf, shndx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || addr < sh.sh_addr)
		return 0;
	return addr - sh.sh_addr + sh.sh_offset;
}

static void scan_table(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *const *names, size_t n,
		       uint64_t *defined, uint64_t *imported, uint64_t *offsets)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count;

	if (!data || !sh->sh_entsize)
		return;
	count = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		int k;

		if (!gelf_getsym(data, (int)i, &sym) || !sym.st_name)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || (k = name_index(name, names, n)) < 0)
			continue;
		if (sym.st_shndx == SHN_UNDEF) {
			*imported |= 1ull << k;
		} else if (sym.st_value && sym.st_shndx < SHN_LORESERVE && !(*defined & (1ull << k))) {
			uint64_t off = file_offset(elf, sym.st_shndx, sym.st_value);

			if (!off)
				continue;
			*defined |= 1ull << k;
			if (offsets)
				offsets[k] = off;
		}
	}
}

int aa_elf_syms(const char *path, const char *const *names, size_t n, uint64_t *defined, uint64_t *imported,
		uint64_t *offsets)
{
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd, rc = -1;

	*defined = *imported = 0;
	if (n > AA_ELF_SYMS_MAX || elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		rc = 0;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;

			if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB))
				scan_table(elf, scn, &sh, names, n, defined, imported, offsets);
		}
	}
	elf_end(elf);
	close(fd);
	/* A symbol defined in one table and imported in the other is defined. */
	*imported &= ~*defined;
	return rc;
}

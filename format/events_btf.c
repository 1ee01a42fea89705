/* SPDX-License-Identifier: MIT */
/* Embeds the BTF blob that the build extracted from events_btf.bpf.c. */
#include "events_btf.h"

#include <stddef.h>

#ifdef AA_EVENTS_BTF_PATH
extern const uint8_t aa_events_btf_start[], aa_events_btf_end[];
__asm__(".section .rodata\n"
	".balign 8\n"
	".globl aa_events_btf_start\n"
	".hidden aa_events_btf_start\n"
	"aa_events_btf_start:\n"
	".incbin \"" AA_EVENTS_BTF_PATH "\"\n"
	".globl aa_events_btf_end\n"
	".hidden aa_events_btf_end\n"
	"aa_events_btf_end:\n"
	".previous\n");

const uint8_t *aa_events_btf(uint32_t *len)
{
	*len = (uint32_t)(aa_events_btf_end - aa_events_btf_start);
	return aa_events_btf_start;
}
#else
const uint8_t *aa_events_btf(uint32_t *len)
{
	*len = 0;
	return NULL;
}
#endif

/* SPDX-License-Identifier: MIT */
/* Allocation failure for tests, without a mock: a child process caps its
 * own address space (RLIMIT_AS), so the real malloc fails past the cap. Not
 * under AddressSanitizer, whose shadow memory needs more than any cap. */
#ifndef AAT_MEMCAP_H
#define AAT_MEMCAP_H

#include <stddef.h>

/* Caps the address space at what the process maps now plus margin bytes.
 * Returns 0, or -1 if the current size is unknown or the cap refused. */
int aat_cap_memory(size_t margin);

/* Takes every byte malloc still has (never freed), then gives back about
 * leave bytes, taken before: the process can allocate that much and no
 * more. Call in a child process (the memory is gone for good). */
void aat_leave_memory(size_t leave);

#endif /* AAT_MEMCAP_H */

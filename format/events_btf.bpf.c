/* SPDX-License-Identifier: MIT */
/*
 * Compiled by clang for the BPF target only to get the BTF of the record
 * structs (one variable of each type in AA_RECORD_TYPES keeps it in .BTF);
 * the build extracts that section into events.btf, which events_btf.c
 * embeds.
 */
#include "events.h"

#define X(name, NAME, size) struct aa_##name##_event aa_btf_##name;
AA_RECORD_TYPES(X)
#undef X

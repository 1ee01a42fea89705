/* SPDX-License-Identifier: MIT */
/*
 * Compiled by clang for the BPF target only to get the BTF of the record
 * structs (one variable of each keeps the types in .BTF); the build extracts
 * that section into events.btf, which events_btf.c embeds.
 */
#include "events.h"

struct aa_tls_event aa_btf_tls;
struct aa_file_event aa_btf_file;
struct aa_exec_event aa_btf_exec;
struct aa_exit_event aa_btf_exit;

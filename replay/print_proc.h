/* SPDX-License-Identifier: MIT */
/*
 * A process (struct aa_process) in text and JSON, as `aa-replay ps` shows
 * it; shared by ps and the process tree. Private to the toolkit.
 */
#ifndef AA_PRINT_PROC_H
#define AA_PRINT_PROC_H

#include <stdio.h>

#include "aa_replay.h"

/* " how=snapshot,fork,exec,exit": how the process is known. */
void aa_proc_text_how(FILE *out, unsigned how);
/* " comm=\"sh\" exe=\"/usr/bin/sh\" argv=[...]" (args="..." for a format 1
 * argv, whose items have no boundaries), what is known, escaped. */
void aa_proc_text_program(FILE *out, const struct aa_process *p);
/* " killed by SIGKILL", " exit_code=3", then " (core dumped)"; " running"
 * when no end was recorded. */
void aa_proc_text_exit(FILE *out, const struct aa_process *p);
/* The fields of ps --json's object, from "pid" on, without the braces. */
void aa_proc_json_fields(FILE *out, const struct aa_process *p);

#endif

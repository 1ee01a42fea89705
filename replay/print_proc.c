/* SPDX-License-Identifier: MIT */
/* A process in text and JSON (print_proc.h). */
#include <string.h>

#include "aa_print.h"
#include "print_enc.h"
#include "print_proc.h"

static const char *const how_names[] = { "snapshot", "fork", "exec", "exit" };
#define NHOW (sizeof(how_names) / sizeof(how_names[0]))

void aa_proc_text_how(FILE *out, unsigned how)
{
	const char *sep = " how=";

	for (unsigned i = 0; i < NHOW; i++)
		if (how & (1u << i)) {
			fputs(sep, out);
			fputs(how_names[i], out);
			sep = ",";
		}
}

void aa_proc_text_program(FILE *out, const struct aa_process *p)
{
	fputs(" comm=", out);
	aa_enc_text_string(out, (const uint8_t *)p->comm, strlen(p->comm));
	if (p->exe.data) {
		fputs(" exe=", out);
		aa_enc_text_string(out, p->exe.data, p->exe.len);
	}
	if (p->argv.data && p->argv_joined) {
		fputs(" args=", out);
		aa_enc_text_string(out, p->argv.data, p->argv.len);
	} else if (p->argv.data) {
		aa_enc_text_argv(out, &p->argv);
	}
}

void aa_proc_text_exit(FILE *out, const struct aa_process *p)
{
	if (!(p->how & AA_PROC_EXIT)) {
		fputs(" running", out);
		return;
	}
	if (p->signal)
		fprintf(out, " killed by SIG%s", sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?");
	else
		fprintf(out, " exit_code=%d", p->exit_code);
	if (p->core_dumped)
		fputs(" (core dumped)", out);
}

void aa_proc_json_fields(FILE *out, const struct aa_process *p)
{
	char t[AA_TIME_BUF];
	const char *sep = "";

	fprintf(out, "\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"gid\":%u,\"how\":[", p->pid, p->ppid,
		p->uid, p->gid);
	for (unsigned i = 0; i < NHOW; i++)
		if (p->how & (1u << i)) {
			fprintf(out, "%s\"%s\"", sep, how_names[i]);
			sep = ",";
		}
	putc(']', out);
	aa_enc_json_field(out, "comm", (const uint8_t *)p->comm, strlen(p->comm));
	if (p->exe.data)
		aa_enc_json_field(out, "exe", p->exe.data, p->exe.len);
	else
		fputs(",\"exe\":null", out);
	if (p->argv_joined && p->argv.data) {
		aa_enc_json_field(out, "args", p->argv.data, p->argv.len);
		fputs(",\"argv\":null,\"argv_truncated\":false", out);
	} else {
		aa_enc_json_argv(out, &p->argv);
	}
	fprintf(out, ",\"start\":\"%s\",\"start_ns\":%llu", aa_format_time(t, p->start_ns),
		(unsigned long long)p->start_ns);
	if (p->how & AA_PROC_EXIT)
		fprintf(out, ",\"end\":\"%s\",\"end_ns\":%llu,\"exit_code\":%d,\"signal\":%d,\"core_dumped\":%s",
			aa_format_time(t, p->end_ns), (unsigned long long)p->end_ns, p->exit_code,
			p->signal, p->core_dumped ? "true" : "false");
	else
		fputs(",\"end\":null,\"end_ns\":null,\"exit_code\":null,\"signal\":null,\"core_dumped\":null", out);
	aa_enc_json_field(out, "cgroup", (const uint8_t *)p->cgroup, strlen(p->cgroup));
	fprintf(out, ",\"cgroup_id\":%llu", (unsigned long long)p->cgroup_id);
	if (p->container_id[0])
		fprintf(out, ",\"container_id\":\"%s\"", p->container_id);
	else
		fputs(",\"container_id\":null", out);
	fprintf(out, ",\"ns_pid\":%u,\"pidns_ino\":%u,\"execs\":%u", p->ns_pid, p->pidns_ino, p->execs);
}

/* SPDX-License-Identifier: MIT */
#include "golden.h"

#include <stdio.h>

#include "aa_error.h"

void aat_golden_line(const struct aa_event *ev, uint64_t index, char *buf, size_t size)
{
	int n = snprintf(buf, size, "record\t%llu\t%s\tlen=%u", (unsigned long long)index,
			 aa_type_name(ev->type), ev->len);
	if (n < 0 || (size_t)n >= size)
		return;
	buf += n;
	size -= (size_t)n;
	if (ev->error) {
		n = snprintf(buf, size, "\terror=%s", aa_record_status_name(ev->error));
		if (n < 0 || (size_t)n >= size)
			return;
		buf += n;
		size -= (size_t)n;
	}
	switch (ev->type) {
	case AA_TYPE_TLS:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tdata_len=%u\tseq=%u\tdirection=%u",
			 (unsigned long long)ev->tls->timestamp_ns, ev->tls->pid, ev->tls->tid,
			 ev->tls->data_len, ev->tls->seq, ev->tls->direction);
		break;
	case AA_TYPE_FILE:
		snprintf(buf, size,
			 "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tsyscall=%u\tflags=%u\treturn_code=%lld"
			 "\tduration_ns=%llu\tpath=%.256s",
			 (unsigned long long)ev->file->timestamp_ns, ev->file->pid, ev->file->tid,
			 ev->file->syscall, ev->file->flags, (long long)ev->file->return_code,
			 (unsigned long long)ev->file->duration_ns, (const char *)ev->file->path);
		break;
	case AA_TYPE_EXEC:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\tppid=%u\tuid=%u\tfilename=%.256s\targs=%.512s",
			 (unsigned long long)ev->exec->timestamp_ns, ev->exec->pid, ev->exec->ppid,
			 ev->exec->uid, (const char *)ev->exec->filename, (const char *)ev->exec->args);
		break;
	case AA_TYPE_EXIT:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\texit_code=%d",
			 (unsigned long long)ev->exit->timestamp_ns, ev->exit->pid, ev->exit->exit_code);
		break;
	case AA_TYPE_TASK:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tkind=%u\tppid=%u\tstatus=%d\tcomm=%.16s",
			 (unsigned long long)ev->task->timestamp_ns, ev->task->pid, ev->task->tid,
			 ev->task->kind, ev->task->ppid, ev->task->exit_status, (const char *)ev->task->comm);
		break;
	case AA_TYPE_STRING:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tkind=%u\tseq=%u\ttotal_len=%u\torig_len=%u",
			 (unsigned long long)ev->string->timestamp_ns, ev->string->pid, ev->string->tid,
			 ev->string->kind, ev->string->seq, ev->string->total_len, ev->string->orig_len);
		break;
	case AA_TYPE_TLS_CONN:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tconn=%llu\tfd=%d\tlib=%u",
			 (unsigned long long)ev->tls_conn->timestamp_ns, ev->tls_conn->pid, ev->tls_conn->tid,
			 (unsigned long long)ev->tls_conn->conn, ev->tls_conn->fd, ev->tls_conn->lib);
		break;
	case AA_TYPE_FILEOP:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tsyscall=%u\treturn_code=%lld\tpath=%.256s",
			 (unsigned long long)ev->fileop->timestamp_ns, ev->fileop->pid, ev->fileop->tid,
			 ev->fileop->syscall, (long long)ev->fileop->return_code, (const char *)ev->fileop->path);
		break;
	case AA_TYPE_NET:
		snprintf(buf, size, "\ttimestamp_ns=%llu\tpid=%u\ttid=%u\tsyscall=%u\treturn_code=%lld\tconn=%llu",
			 (unsigned long long)ev->net->timestamp_ns, ev->net->pid, ev->net->tid,
			 ev->net->syscall, (long long)ev->net->return_code, (unsigned long long)ev->net->conn);
		break;
	case AA_TYPE_UNKNOWN:
		snprintf(buf, size, "\tfirst_byte=%u", ev->len ? ev->raw[0] : 0);
		break;
	}
}

/* SPDX-License-Identifier: MIT */
#include "evid.h"

#include <string.h>

void aat_add_string(struct aat_recs *out, uint64_t ts, uint32_t pid, uint32_t tid, uint8_t kind,
		    const void *data, uint32_t len, uint32_t orig_len, uint8_t flags)
{
	uint32_t seq = 0;

	do {
		struct aa_string_event s = { .timestamp_ns = ts, .pid = pid, .tid = tid, .total_len = len,
					     .orig_len = orig_len, .seq = seq, .kind = kind, .flags = flags };
		uint32_t off = seq * AA_STRING_PIECE_MAX;
		uint32_t n = len - off < AA_STRING_PIECE_MAX ? len - off : AA_STRING_PIECE_MAX;

		memcpy(s.data, (const uint8_t *)data + off, n);
		aat_recs_add(out, &s, sizeof(s));
		seq++;
	} while (seq * AA_STRING_PIECE_MAX < len);
}

void aat_add_task(struct aat_recs *out, uint8_t kind, uint64_t ts, uint32_t pid, uint32_t tid,
		  uint32_t ppid, const char *comm, const char *cgroup, int32_t exit_status)
{
	struct aa_task_event t = { .timestamp_ns = ts, .pid = pid, .tid = tid, .ppid = ppid,
				   .uid = 1000, .gid = 100, .kind = kind, .exit_status = exit_status,
				   .ns_pid = pid,
				   .start_ns = kind == AA_TASK_FORK || kind == AA_TASK_SNAPSHOT ? ts : 0, .cgroup_id = 77, .pidns_ino = 4026531836u };

	strncpy((char *)t.comm, comm, sizeof(t.comm) - 1);
	strncpy((char *)t.cgroup, cgroup, sizeof(t.cgroup) - 1);
	aat_recs_add(out, &t, sizeof(t));
}

void aat_add_tls_call(struct aat_recs *out, uint64_t ts, uint32_t pid, uint32_t tid,
		      const struct aa_tls_conn_event *conn, uint8_t dir, const void *data, uint32_t len)
{
	if (conn) {
		struct aa_tls_conn_event c = *conn;
		c.timestamp_ns = ts;
		c.pid = pid;
		c.tid = tid;
		c.direction = dir;
		c.data_len = len;
		aat_recs_add(out, &c, sizeof(c));
	}
	uint32_t seq = 0;
	do {
		struct aa_tls_event t = { .timestamp_ns = ts, .pid = pid, .tid = tid, .data_len = len,
					  .seq = seq, .direction = dir };
		uint32_t off = seq * AA_TLS_PAYLOAD_MAX;
		uint32_t n = len - off < AA_TLS_PAYLOAD_MAX ? len - off : AA_TLS_PAYLOAD_MAX;

		memcpy(t.payload, (const uint8_t *)data + off, n);
		aat_recs_add(out, &t, sizeof(t));
		seq++;
	} while (seq * AA_TLS_PAYLOAD_MAX < len);
}

/* SPDX-License-Identifier: MIT */
/*
 * The exports on a format 2 recording with every record type: a process
 * from the snapshot forks a child that execs "sh -c 'kill -9 $$'" and dies
 * by SIGKILL, a mkdir of a 1500-byte path (whole only in two string
 * pieces), a connect, a TLS call of 5000 bytes (two pieces, one tls_conn),
 * an openat, and a record of no known size. tshark with aa.lua shows each
 * record's fields and what its completion records said (comm, exact argv,
 * whole path, signal, the call's connection on both pieces); the trace
 * has the fork..exec..exit runs, the syscall slices and the TLS instant.
 */
#include "../replay/cli_fixture.h"
#include "evid.h"

TestSuite(export_evidence, .timeout = 120);

static char out[1 << 20], err[1 << 14];

#define TS 1000000u

static void make(struct fx *f, char *longpath, size_t plen)
{
	static const char argv[] = "sh\0-c\0kill -9 $$";
	struct aa_exec_event ex = { .timestamp_ns = TS + 2000, .pid = 11, .ppid = 10, .uid = 1000 };
	struct aa_fileop_event op = { .timestamp_ns = TS + 3000, .pid = 11, .tid = 11, .syscall = AA_SYS_MKDIR,
				      .return_code = 0, .duration_ns = 2500, .offset = -1, .fd = -100,
				      .mode = 0755 };
	struct aa_net_event ne = { .timestamp_ns = TS + 4000, .pid = 10, .tid = 10, .duration_ns = 1200,
				   .conn = 555, .fd = 5, .family = 2, .syscall = AA_NET_CONNECT, .protocol = 6,
				   .local_port = 40000, .peer_port = 8443 };
	struct aa_tls_conn_event c = { .timestamp_ns = TS + 5000, .pid = 10, .tid = 10, .conn = 555, .fd = 5,
				       .family = 2, .lib = AA_TLS_LIB_OPENSSL, .local_port = 40000,
				       .peer_port = 8443, .data_len = 5000 };
	static struct aa_tls_event t0 = { .timestamp_ns = TS + 5000, .pid = 10, .tid = 10, .data_len = 5000 };
	static struct aa_tls_event t1 = { .timestamp_ns = TS + 5000, .pid = 10, .tid = 10, .data_len = 5000,
					  .seq = 1 };
	struct aa_exit_event xe = { .timestamp_ns = TS + 6000, .pid = 11, .exit_code = 137 };
	struct aa_file_event fi = { .pid = 10, .tid = 10, .timestamp_ns = TS + 7000, .syscall = AA_SYS_OPENAT,
				    .return_code = -2, .duration_ns = 800 };
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	const uint8_t unk[7] = { 1, 2, 3, 4, 5, 6, 7 };

	fx_init(f);
	aat_add_string(&f->recs, TS, 10, 10, AA_STRING_ARGV, "python3\0agent.py", 17, 17, 0);
	aat_add_string(&f->recs, TS, 10, 10, AA_STRING_EXE, "/usr/bin/python3.11", 19, 19, 0);
	aat_add_task(&f->recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "python3", "", 0);
	aat_add_task(&f->recs, AA_TASK_FORK, TS + 1000, 11, 11, 10, "python3", "", 0);
	aat_add_task(&f->recs, AA_TASK_EXEC, TS + 2000, 11, 11, 10, "sh", "", 0);
	aat_add_string(&f->recs, TS + 2000, 11, 11, AA_STRING_ARGV, argv, sizeof(argv), sizeof(argv), 0);
	aat_add_string(&f->recs, TS + 2000, 11, 11, AA_STRING_FILENAME, "/bin/sh", 7, 7, 0);
	strcpy((char *)ex.filename, "/bin/sh");
	strcpy((char *)ex.args, "sh -c kill -9 $$");
	aat_recs_add(&f->recs, &ex, sizeof(ex));
	aat_add_string(&f->recs, TS + 3000, 11, 11, AA_STRING_PATH, longpath, (uint32_t)plen, (uint32_t)plen, 0);
	memcpy(op.path, longpath, sizeof(op.path) - 1);
	aat_recs_add(&f->recs, &op, sizeof(op));
	memcpy(ne.local_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(ne.peer_addr, (uint8_t[]){ 127, 0, 0, 2 }, 4);
	aat_recs_add(&f->recs, &ne, sizeof(ne));
	memcpy(c.local_addr, ne.local_addr, 4);
	memcpy(c.peer_addr, ne.peer_addr, 4);
	aat_recs_add(&f->recs, &c, sizeof(c));
	memset(t0.payload, 'x', sizeof(t0.payload));
	memcpy(t0.payload, "POST /v1/chat HTTP/1.1\r\n", 24);
	aat_recs_add(&f->recs, &t0, sizeof(t0));
	memset(t1.payload, 'y', 904);
	aat_recs_add(&f->recs, &t1, sizeof(t1));
	aat_add_task(&f->recs, AA_TASK_EXIT, TS + 6000, 11, 11, 10, "sh", "", 9);
	aat_recs_add(&f->recs, &xe, sizeof(xe));
	strcpy((char *)fi.path, "/tmp/missing \xff.txt");
	aat_recs_add(&f->recs, &fi, sizeof(fi));
	aat_recs_add(&f->recs, unk, sizeof(unk));
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &o, 0, NULL), 0);
}

static char *lua_path(void)
{
	char *rel = aat_build_path("aa.lua"), *abs = realpath(rel, NULL);

	cr_assert_not_null(abs, "%s is not built", rel);
	free(rel);
	return abs;
}

Test(export_evidence, tshark_shows_every_record_and_its_evidence)
{
	struct fx f;
	char longpath[1501], *lua;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		cr_skip_test("no tshark");
	memset(longpath, 'd', sizeof(longpath) - 1);
	memcpy(longpath, "/tmp/", 5);
	memcpy(longpath + 1490, "/end-of-it", 10);
	longpath[1500] = 0;
	make(&f, longpath, 1500);
	lua = lua_path();
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --pcapng cap.pcapng rec.pcapng"), 0,
		     "%s", err);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "--version >/dev/null && HOME=. XDG_CONFIG_HOME=./cfg tshark -X lua_script:'%s' -r rec.pcapng "
			    "-T fields -E occurrence=a -E aggregator='|' -e aa.type -e aa.pid -e aa.tid -e aa.comm "
			    "-e aa.syscall -e aa.argv -e aa.filename -e aa.exe -e aa.exit_code -e aa.signal "
			    "-e aa.tls.conn -e aa.tls.direction -e aa.tls.peer -e aa.net.peer -e aa.task.kind "
			    "-e aa.string.kind -e aa.size",
			    lua),
		     0, "%s", err);
	cr_expect_str_eq(out,
		"string\t10\t10\t\t\t\t\t\t\t\t\t\t\t\t\t0\t1056\n"
		"string\t10\t10\t\t\t\t\t\t\t\t\t\t\t\t\t4\t1056\n"
		"task\t10\t10\tpython3\t\tpython3|agent.py\t\t/usr/bin/python3.11\t\t\t\t\t\t\t0\t\t176\n"
		"task\t11\t11\tpython3\t\t\t\t\t\t\t\t\t\t\t1\t\t176\n"
		"task\t11\t11\tsh\t\t\t\t\t\t\t\t\t\t\t2\t\t176\n"
		"string\t11\t11\tsh\t\t\t\t\t\t\t\t\t\t\t\t0\t1056\n"
		"string\t11\t11\tsh\t\t\t\t\t\t\t\t\t\t\t\t1\t1056\n"
		"exec\t11\t\tsh\t\tsh|-c|kill -9 $$\t/bin/sh\t\t\t\t\t\t\t\t\t\t792\n"
		"string\t11\t11\tsh\t\t\t\t\t\t\t\t\t\t\t\t2\t1056\n"
		"string\t11\t11\tsh\t\t\t\t\t\t\t\t\t\t\t\t2\t1056\n"
		"fileop\t11\t11\tsh\tmkdir\t\t\t\t\t\t\t\t\t\t\t\t320\n"
		"net\t10\t10\tpython3\tconnect\t\t\t\t\t\t\t\t\t127.0.0.2:8443\t\t\t200\n"
		"tls_conn\t10\t10\tpython3\t\t\t\t\t\t\t\t\t\t\t\t\t80\n"
		"tls\t10\t10\tpython3\t\t\t\t\t\t\t555\t0\t127.0.0.2:8443\t\t\t\t4128\n"
		"tls\t10\t10\tpython3\t\t\t\t\t\t\t555\t0\t127.0.0.2:8443\t\t\t\t4128\n"
		"task\t11\t11\tsh\t\t\t\t\t\t\t\t\t\t\t3\t\t176\n"
		"exit\t11\t\tsh\t\t\t\t\t137\t9\t\t\t\t\t\t\t16\n"
		"file\t10\t10\tpython3\topenat\t\t\t\t\t\t\t\t\t\t\t\t296\n"
		"unknown\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t7\n");
	/* the whole path from its two string pieces; a byte not UTF-8 escaped */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "--version >/dev/null && HOME=. XDG_CONFIG_HOME=./cfg tshark -X lua_script:'%s' -r rec.pcapng "
			    "-Y 'aa.type == \"fileop\" || aa.type == \"file\"' -T fields -e aa.path -e aa.fileop.mode",
			    lua),
		     0, "%s", err);
	char want[2048];
	snprintf(want, sizeof(want), "%s\t493\n/tmp/missing \\xff.txt\t\n", longpath);
	cr_expect_str_eq(out, want);
	/* the TLS plaintext of each piece, exactly its length */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "--version >/dev/null && HOME=. XDG_CONFIG_HOME=./cfg tshark -X lua_script:'%s' -r rec.pcapng "
			    "-Y 'aa.type == \"tls\"' -T fields -e aa.tls.seq -e aa.tls.payload | cut -c1-40 ; "
			    "HOME=. XDG_CONFIG_HOME=./cfg tshark -X lua_script:'%s' -r rec.pcapng -Y 'aa.type == \"tls\"' "
			    "-T fields -e aa.tls.data | awk '{print length($0) / 2}'",
			    lua, lua),
		     0, "%s", err);
	cr_expect_str_eq(out, "0\tPOST /v1/chat HTTP/1.1\\r\\nxxxxxxxxxxxx\n1\tyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n"
			      "4096\n904\n");
	free(lua);
	fx_free(&f);
}

Test(export_evidence, perfetto_runs_slices_and_flows)
{
	struct fx f;
	char longpath[1501];

	memset(longpath, 'd', sizeof(longpath) - 1);
	memcpy(longpath, "/tmp/", 5);
	longpath[1500] = 0;
	make(&f, longpath, 1500);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --perfetto cap.pcapng -"), 0, "%s", err);
	/* the child: a run from its fork, one from its exec, ended by the SIGKILL */
	cr_expect(strstr(out, "{\"ph\":\"X\",\"cat\":\"process\",\"name\":\"python3\",\"pid\":11,\"tid\":11,"
			      "\"ts\":1001.000,\"dur\":1.000,\"args\":{\"how\":\"fork\""), "%s", out);
	cr_expect(strstr(out, "{\"ph\":\"X\",\"cat\":\"process\",\"name\":\"sh\",\"pid\":11,\"tid\":11,\"ts\":1002.000,"
			      "\"dur\":4.000,\"args\":{\"how\":\"exec\",\"exe\":\"/bin/sh\",\"argv\":[\"sh\",\"-c\",\"kill -9 $$\"],"
			      "\"argv_truncated\":false,\"exit_code\":137,\"signal\":9}}"));
	/* syscalls with their durations; the TLS call with its connection */
	cr_expect(strstr(out, "{\"ph\":\"X\",\"cat\":\"file\",\"name\":\"mkdir\",\"pid\":11,\"tid\":11,\"ts\":1003.000,"
			      "\"dur\":2.500,\"args\":{\"ret\":0,\"fd\":-100,\"offset\":-1,\"path\":\"/tmp/ddd"));
	cr_expect(strstr(out, "{\"ph\":\"X\",\"cat\":\"net\",\"name\":\"connect\",\"pid\":10,\"tid\":10,\"ts\":1004.000,"
			      "\"dur\":1.200,\"args\":{\"ret\":0,\"fd\":5,\"conn\":555,\"local\":\"127.0.0.1:40000\","
			      "\"peer\":\"127.0.0.2:8443\",\"comm\":\"python3\"}}"));
	cr_expect(strstr(out, "{\"ph\":\"I\",\"cat\":\"tls\",\"name\":\"tls write\",\"pid\":10,\"tid\":10,\"ts\":1005.000,"
			      "\"s\":\"t\",\"args\":{\"len\":5000,\"conn\":555,\"fd\":5,\"local\":\"127.0.0.1:40000\","
			      "\"peer\":\"127.0.0.2:8443\",\"data\":\"POST /v1/chat HTTP/1.1\\u000d\\u000axxx"));
	cr_expect_eq(strstr(out, "\"name\":\"tls write\",\"pid\":10,\"tid\":10,\"ts\":1005.000,\"s\":\"t\",\"args\":{\"len\":5000,\"conn\":555,\"fd\":5,\"local\":\"127.0.0.1:40000\",\"peer\":\"127.0.0.2:8443\",\"data\":\"POST"),
		     strstr(out, "\"name\":\"tls write\""), "one instant per call, not per piece");
	/* the process tracks: names, the child under its parent */
	cr_expect(strstr(out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":10,\"tid\":10,\"args\":{\"name\":\"python3\"}}"));
	cr_expect(strstr(out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":11,\"tid\":11,\"args\":{\"name\":\"sh\"}}"));
	cr_expect(strstr(out, "{\"ph\":\"M\",\"name\":\"process_labels\",\"pid\":11,\"tid\":11,\"args\":{\"labels\":\"parent python3 10\"}}"));
	cr_expect(strstr(out, "\"pid\":10,\"tid\":10,\"args\":{\"sort_index\":0}}"));
	cr_expect(strstr(out, "\"pid\":11,\"tid\":11,\"args\":{\"sort_index\":1}}"));
	cr_expect(strstr(out, "{\"ph\":\"I\",\"cat\":\"unknown\",\"name\":\"unknown record\",\"pid\":0,\"tid\":0,"
			      "\"ts\":1007.000,"));
	fx_free(&f);
}

/* A TLS call of 10000 bytes whose middle piece was lost, then a reply: the
 * TCP stream carries what came, the lost 4096 bytes a gap in the sequence
 * numbers that Wireshark sees, and never bytes made up. */
Test(export_evidence, tcp_lost_piece_is_a_gap)
{
	struct fx f;
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	struct aa_tls_conn_event c = { .timestamp_ns = TS, .pid = 10, .tid = 10, .conn = 777, .fd = 5,
				       .family = 2, .lib = AA_TLS_LIB_OPENSSL, .local_port = 40000,
				       .peer_port = 8443, .data_len = 10000 };
	static struct aa_tls_event t = { .timestamp_ns = TS, .pid = 10, .tid = 10, .data_len = 10000 };
	char *lua;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		cr_skip_test("no tshark");
	fx_init(&f);
	memcpy(c.local_addr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(c.peer_addr, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	aat_recs_add(&f.recs, &c, sizeof(c));
	memset(t.payload, 'a', sizeof(t.payload));
	aat_recs_add(&f.recs, &t, sizeof(t)); /* piece 0; piece 1 lost */
	t.seq = 2;
	memset(t.payload, 'c', sizeof(t.payload));
	aat_recs_add(&f.recs, &t, sizeof(t));
	c.timestamp_ns = t.timestamp_ns = TS + 1000;
	c.direction = t.direction = AA_TLS_READ;
	c.data_len = t.data_len = 2;
	t.seq = 0;
	aat_recs_add(&f.recs, &c, sizeof(c));
	aat_recs_add(&f.recs, &t, sizeof(t));
	t.timestamp_ns = c.timestamp_ns = TS + 2000;
	t.direction = c.direction = AA_TLS_WRITE;
	aat_recs_add(&f.recs, &c, sizeof(c));
	aat_recs_add(&f.recs, &t, sizeof(t));
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, f.recs.n, &o, 0, NULL), 0);
	lua = lua_path();
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --tcp cap.pcapng tcp.pcapng"), 0, "%s", err);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "--version >/dev/null && HOME=. XDG_CONFIG_HOME=./cfg tshark -X lua_script:'%s' -r tcp.pcapng "
			    "-Y 'tcp.len > 0' -T fields -e ip.src -e tcp.seq -e tcp.len -e tcp.analysis.ack_lost_segment",
			    lua),
		     0, "%s", err);
	/* 5904 bytes that came (a...a c...c), then 4096 not: the reply acknowledges them
	 * (they were sent: the recording lost them), Wireshark says it did not see them */
	cr_expect_str_eq(out, "10.0.0.1\t1\t5904\t\n10.0.0.2\t1\t2\t1\n10.0.0.1\t10001\t2\t\n");
	free(lua);
	fx_free(&f);
}

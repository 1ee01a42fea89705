/* SPDX-License-Identifier: MIT */
/*
 * aa-replay cat and ps on evidence records: an exec's line has its exact
 * argv and whole file name and no line of its own for what completed it
 * (unless --each), non-UTF-8 argv items in argv_b64, an exit's signal, a
 * TLS piece's connection, comm on every record; ps lists each incarnation
 * of a pid with how it is known and how it ended.
 */
#include "cli_fixture.h"
#include "evid.h"

TestSuite(cli_evidence, .timeout = 60);

static char out[1 << 20], err[1 << 14];

#define TS 1000000u
#define W "2026-11-25T21:30:01.001"

static const char CG[] = "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope";

/* A shell forks a child that execs "cat" with a non-UTF-8 argument and is
 * killed by SIGKILL with a core; a TLS call of the shell; a file read of the
 * shell with its path in a string record. */
static void make(struct fx *f)
{
	static const char argv[] = "cat\0-n\0\xff\xfe";
	struct aa_exec_event ex = { .timestamp_ns = TS + 2000, .pid = 11, .ppid = 10, .uid = 1000 };
	struct aa_exit_event xe = { .timestamp_ns = TS + 3000, .pid = 11, .exit_code = 137 };
	struct aa_tls_conn_event c = { .timestamp_ns = TS + 4000, .pid = 10, .tid = 10, .conn = 555, .fd = 7,
				       .family = 2, .lib = AA_TLS_LIB_OPENSSL, .local_port = 40000,
				       .peer_port = 8443, .data_len = 2 };
	struct aa_tls_event t = { .timestamp_ns = TS + 4000, .pid = 10, .tid = 10, .data_len = 2 };
	struct aa_file_event fi = { .pid = 10, .tid = 10, .timestamp_ns = TS + 5000, .syscall = AA_SYS_READ,
				    .return_code = 4, .duration_ns = 10 };
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };

	fx_init(f);
	aat_add_string(&f->recs, TS, 10, 10, AA_STRING_ARGV, "sh", 3, 3, 0);
	aat_add_string(&f->recs, TS, 10, 10, AA_STRING_EXE, "/bin/sh", 7, 7, 0);
	aat_add_task(&f->recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "sh", CG, 0);
	aat_add_task(&f->recs, AA_TASK_FORK, TS + 1000, 11, 11, 10, "sh", CG, 0);
	aat_add_task(&f->recs, AA_TASK_EXEC, TS + 2000, 11, 11, 10, "cat", CG, 0);
	aat_add_string(&f->recs, TS + 2000, 11, 11, AA_STRING_ARGV, argv, sizeof(argv), sizeof(argv), 0);
	aat_add_string(&f->recs, TS + 2000, 11, 11, AA_STRING_FILENAME, "/usr/bin/cat", 12, 12, 0);
	strcpy((char *)ex.filename, "/usr/bin/cat");
	memcpy(ex.args, "cat -n \xff\xfe", 10);
	aat_recs_add(&f->recs, &ex, sizeof(ex));
	aat_add_task(&f->recs, AA_TASK_EXIT, TS + 3000, 11, 11, 10, "cat", CG, 0x80 | 9);
	aat_recs_add(&f->recs, &xe, sizeof(xe));
	memcpy(c.local_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	memcpy(c.peer_addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	aat_recs_add(&f->recs, &c, sizeof(c));
	memcpy(t.payload, "hi", 2);
	aat_recs_add(&f->recs, &t, sizeof(t));
	aat_add_string(&f->recs, TS + 5000, 10, 10, AA_STRING_PATH, "/deleted/file", 13, 13, AA_STRING_UNLINKED);
	strcpy((char *)fi.path, "/deleted/file");
	aat_recs_add(&f->recs, &fi, sizeof(fi));
	cr_assert_eq(aat_write_capture(f->path, &f->recs, 0, f->recs.n, &o, 0, NULL), 0);
}

Test(cli_evidence, cat_text_folds_completion_records)
{
	struct fx f;

	make(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat cap.pcapng"), 0, "%s", err);
	cr_expect_str_eq(out,
		W "000000Z task pid=10 tid=10 snapshot ppid=1 uid=1000 gid=100 comm=\"sh\" ns_pid=10 start_ns=1000000 cgroup_id=77 cgroup=\"" "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\" exe=\"/bin/sh\" argv=[\"sh\"]\n"
		W "001000Z task pid=11 tid=11 fork ppid=10 uid=1000 gid=100 comm=\"sh\" ns_pid=11 start_ns=1001000 cgroup_id=77 cgroup=\"" "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\"\n"
		W "002000Z exec pid=11 ppid=10 uid=1000 \"/usr/bin/cat\" args=\"cat -n \\xff\\xfe\" argv=[\"cat\" \"-n\" \"\\xff\\xfe\"] comm=\"cat\"\n"
		W "003000Z exit pid=11 exit_code=137 killed by SIGKILL (core dumped) comm=\"cat\"\n"
		W "004000Z tls pid=10 tid=10 write seq=0 data_len=2 len=2 conn=555 fd=7 local=127.0.0.1:40000 peer=127.0.0.1:8443 lib=openssl \"hi\" comm=\"sh\"\n"
		W "005000Z file pid=10 tid=10 read \"/deleted/file\" (unlinked) flags=O_RDONLY ret=4 dur=10ns comm=\"sh\"\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat --each cap.pcapng | wc -l"), 0);
	cr_expect_eq(atoi(out), (int)f.recs.n, "every record a line with --each");
	/* the writer marks a file with evidence records as format version 2 */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info cap.pcapng | grep Format"), 0);
	cr_expect_str_eq(out, "Format version: 2\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info --json cap.pcapng | grep -o '\"format_version\":[0-9]*'"), 0);
	cr_expect_str_eq(out, "\"format_version\":2\n");
	fx_free(&f);
}

Test(cli_evidence, cat_json_exec_exit_tls_file)
{
	struct fx f;

	make(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json --type exec,exit,tls,file cap.pcapng | python3 -c '"
			    "import json,sys\n"
			    "for l in sys.stdin:\n"
			    " o=json.loads(l); t=o[\"type\"]\n"
			    " if t==\"exec\": print(o[\"comm\"],o[\"filename\"],o[\"filename_truncated\"],o[\"argv\"],o[\"argv_b64\"],o[\"argv_truncated\"])\n"
			    " if t==\"exit\": print(o[\"comm\"],o[\"exit_code\"],o[\"signal\"],o[\"core_dumped\"])\n"
			    " if t==\"tls\": print(o[\"conn\"],o[\"fd\"],o[\"local\"],o[\"peer\"],o[\"lib\"])\n"
			    " if t==\"file\": print(o[\"path\"],o[\"path_truncated\"],o[\"unlinked\"])\n"
			    "'"), 0, "%s", err);
	cr_expect_str_eq(out,
			 "cat /usr/bin/cat False ['cat', '-n', '\xc3\xbf\xc3\xbe'] ['Y2F0', 'LW4=', '//4='] False\n"
			 "cat 137 9 True\n"
			 "555 7 127.0.0.1:40000 127.0.0.1:8443 openssl\n"
			 "/deleted/file False True\n");
	/* a task record's own comm is the line's: one "comm" key, not two */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json --type task cap.pcapng | grep -c '\"comm\".*\"comm\"'"), 1);
	cr_expect_str_eq(out, "0\n");
	fx_free(&f);
}

Test(cli_evidence, ps_text_and_json)
{
	struct fx f;

	make(&f);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "ps cap.pcapng"), 0, "%s", err);
	cr_expect_str_eq(out,
		W "000000Z pid=10 ppid=1 uid=1000 how=snapshot comm=\"sh\" exe=\"/bin/sh\" argv=[\"sh\"] running cgroup=\"" "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\" container=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		W "001000Z pid=11 ppid=10 uid=1000 how=fork,exec,exit comm=\"cat\" exe=\"/usr/bin/cat\" argv=[\"cat\" \"-n\" \"\\xff\\xfe\"] end=" W "003000Z killed by SIGKILL (core dumped) cgroup=\"" "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\" container=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "ps --json cap.pcapng | python3 -c '"
			    "import json,sys\n"
			    "for l in sys.stdin:\n"
			    " o=json.loads(l); print(o[\"pid\"],o[\"how\"],o[\"argv\"],o[\"end\"],o[\"exit_code\"],o[\"signal\"],o[\"core_dumped\"],o[\"container_id\"][:4])\n"
			    "'"), 0, "%s", err);
	cr_expect_str_eq(out,
			 "10 ['snapshot'] ['sh'] None None None None 0123\n"
			 "11 ['fork', 'exec', 'exit'] ['cat', '-n', '\xc3\xbf\xc3\xbe'] " W "003000Z 0 9 True 0123\n");
	fx_free(&f);
}

Test(cli_evidence, ps_of_a_format_1_fixture)
{
	struct fx f;
	char cmd[1024];

	fx_init(&f);
	char *fixture = realpath("tests/fixtures/live.pcapng", NULL);
	cr_assert_not_null(fixture);
	snprintf(cmd, sizeof(cmd), "ps --json '%s' | python3 -c '"
		 "import json,sys\n"
		 "ps=[json.loads(l) for l in sys.stdin]\n"
		 "print(len(ps)>0, all(p[\"argv\"] is None and \"args\" in p for p in ps if \"exec\" in p[\"how\"]))'", fixture);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "%s", cmd), 0, "%s", err);
	cr_expect_str_eq(out, "True True\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info '%s' | grep Format", fixture), 0);
	cr_expect_str_eq(out, "Format version: 1\n");
	/* a copy of it is still version 1: its paths may be cut */
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "filter --type exec '%s' copy.pcapng && %s info copy.pcapng | grep Format", fixture, f.replay), 0, "%s", err);
	cr_expect_str_eq(out, "Format version: 1\n");
	free(fixture);
	fx_free(&f);
}

/* Without a string record, a path that filled its field may have been cut:
 * JSON says null (not known), text "(may be cut)"; one byte shorter is whole. */
Test(cli_evidence, a_full_path_field_may_be_cut)
{
	struct fx f;
	struct aa_file_event fi = { .pid = 5, .tid = 5, .timestamp_ns = TS, .syscall = AA_SYS_OPENAT };
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test", .format_version = 1 };

	fx_init(&f);
	memset(fi.path, 'a', AA_PATH_MAX - 1);
	aat_recs_add(&f.recs, &fi, sizeof(fi));
	fi.path[AA_PATH_MAX - 2] = 0;
	fi.timestamp_ns++;
	aat_recs_add(&f.recs, &fi, sizeof(fi));
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, f.recs.n, &o, 0, NULL), 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err),
			    "cat --json cap.pcapng | python3 -c '"
			    "import json,sys\n"
			    "for l in sys.stdin: o=json.loads(l); print(len(o[\"path\"]), o[\"path_truncated\"])'"),
		     0, "%s", err);
	cr_expect_str_eq(out, "255 None\n254 False\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "cat cap.pcapng | grep -c '(may be cut)'"), 0);
	cr_expect_str_eq(out, "1\n");
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "info cap.pcapng | grep Format"), 0);
	cr_expect_str_eq(out, "Format version: 1\n", "the writer writes the version it is given");
	fx_free(&f);
}

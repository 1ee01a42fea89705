/* SPDX-License-Identifier: MIT */
/*
 * export --perfetto with many processes alive at once: 1500 children of one
 * process, all forked, then all exec'd, then exiting in a shuffled order,
 * the last one never. Each run is one whole slice ("X": a viewer pairs no
 * begin with an end across processes) of the right start and duration,
 * the exit code on the exec's run; the one still going at the end is a
 * slice to the last record, marked running. The runs table grows past its
 * first sizes and loses entries from the middle of its probe chains.
 */
#include "cli_fixture.h"
#include "evid.h"

TestSuite(perfetto_runs, .timeout = 120);

#define N 1500u
#define TS 1000000u
#define PID0 20000u

static char out[16 << 20], err[1 << 14];

/* A time stamp in µs as the trace writes it. */
static const char *us(char *buf, size_t size, uint64_t ns)
{
	snprintf(buf, size, "%llu.%03u", (unsigned long long)(ns / 1000), (unsigned)(ns % 1000));
	return buf;
}

Test(perfetto_runs, processes_alive_at_once)
{
	struct aa_writer_opts o = { .mono_to_wall = FX_MONO_TO_WALL, .source = "test" };
	uint64_t fork_ts = TS + 1000, exec_ts = fork_ts + N * 1000, exit_ts = exec_ts + N * 1000, last;
	struct fx f;
	char want[512], a[32], b[32], c[32];

	fx_init(&f);
	aat_add_task(&f.recs, AA_TASK_SNAPSHOT, TS, 10, 10, 1, "python3", "", 0);
	for (uint32_t i = 0; i < N; i++)
		aat_add_task(&f.recs, AA_TASK_FORK, fork_ts + i * 1000, PID0 + i, PID0 + i, 10, "python3", "", 0);
	for (uint32_t i = 0; i < N; i++) {
		struct aa_exec_event ex = { .timestamp_ns = exec_ts + i * 1000, .pid = PID0 + i, .ppid = 10 };

		aat_add_task(&f.recs, AA_TASK_EXEC, ex.timestamp_ns, PID0 + i, PID0 + i, 10, "sh", "", 0);
		strcpy((char *)ex.filename, "/bin/sh");
		strcpy((char *)ex.args, "sh -c true");
		aat_recs_add(&f.recs, &ex, sizeof(ex));
	}
	/* exits in the order of i * 7 mod N (7 and 1500 are coprime), all but i = N - 1 */
	for (uint32_t k = 0, j = 0; k < N; k++) {
		uint32_t i = (k * 7) % N;
		struct aa_exit_event xe = { .timestamp_ns = exit_ts + j * 1000, .pid = PID0 + i,
					    .exit_code = (int32_t)(i % 256) };

		if (i == N - 1)
			continue;
		aat_add_task(&f.recs, AA_TASK_EXIT, xe.timestamp_ns, PID0 + i, PID0 + i, 10, "sh", "", 0);
		aat_recs_add(&f.recs, &xe, sizeof(xe));
		j++;
	}
	last = exit_ts + (N - 2) * 1000;
	cr_assert_eq(aat_write_capture(f.path, &f.recs, 0, f.recs.n, &o, 0, NULL), 0);
	cr_assert_eq(fx_run(&f, out, sizeof(out), err, sizeof(err), "export --perfetto cap.pcapng -"), 0, "%s", err);
	cr_expect(strstr(out, "\"ph\":\"B\"") == NULL && strstr(out, "\"ph\":\"E\"") == NULL, "begin or end events");
	for (uint32_t k = 0, j = 0; k < N; k++) {
		uint32_t i = (k * 7) % N, pid = PID0 + i;
		uint64_t fk = fork_ts + i * 1000, ex = exec_ts + i * 1000;

		snprintf(want, sizeof(want),
			 "{\"ph\":\"X\",\"cat\":\"process\",\"name\":\"python3\",\"pid\":%u,\"tid\":%u,\"ts\":%s,"
			 "\"dur\":%s,\"args\":{\"how\":\"fork\"", pid, pid, us(a, sizeof(a), fk),
			 us(b, sizeof(b), ex - fk));
		cr_expect(strstr(out, want) != NULL, "no %s", want);
		if (i == N - 1) {
			snprintf(want, sizeof(want),
				 "{\"ph\":\"X\",\"cat\":\"process\",\"name\":\"sh\",\"pid\":%u,\"tid\":%u,\"ts\":%s,"
				 "\"dur\":%s,\"args\":{\"how\":\"exec\",\"exe\":\"/bin/sh\",\"args\":\"sh -c true\","
				 "\"running\":true}}",
				 pid, pid, us(a, sizeof(a), ex), us(b, sizeof(b), last - ex));
		} else {
			snprintf(want, sizeof(want),
				 "{\"ph\":\"X\",\"cat\":\"process\",\"name\":\"sh\",\"pid\":%u,\"tid\":%u,\"ts\":%s,"
				 "\"dur\":%s,\"args\":{\"how\":\"exec\",\"exe\":\"/bin/sh\",\"args\":\"sh -c true\","
				 "\"exit_code\":%u,\"signal\":0}}",
				 pid, pid, us(a, sizeof(a), ex), us(c, sizeof(c), exit_ts + j * 1000 - ex), i % 256);
			j++;
		}
		cr_expect(strstr(out, want) != NULL, "no %s", want);
	}
	fx_free(&f);
}

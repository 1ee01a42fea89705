# tests/: Criterion tests, script tests and the benchmarks.
# Every tests/**/test_*.c is one Criterion binary $(BUILD)/tests/<path>,
# linked with the shared helpers of tests/lib; every tests/**/test_*.sh is a
# script test run with bash (exit 0 pass, 77 skip, anything else fail).
# tests/live/ holds the tests that need root and a BPF-capable kernel.

TEST_C_SRCS := $(sort $(shell find tests -name 'test_*.c' 2>/dev/null))
TEST_SCRIPTS := $(sort $(shell find tests -name 'test_*.sh' 2>/dev/null))
TEST_BINS := $(TEST_C_SRCS:%.c=$(BUILD)/%)
TEST_OBJS := $(TEST_C_SRCS:%.c=$(BUILD)/obj/%.o)
TESTLIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/lib/*.c))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))
BENCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/bench/*.c))
TEST_ENV := AA_BUILD=$(BUILD)
TEST_RUN := $(TEST_ENV) bash tests/lib/run-tests.sh

$(TEST_OBJS) $(TESTLIB_OBJS) $(BENCH_OBJS): CPPFLAGS += -Itests/lib

$(TEST_BINS): $(BUILD)/%: $(BUILD)/obj/%.o $(TESTLIB_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBA) $(LIBS) -lcriterion -lpcap $(LDFLAGS)

# OpenSSL programs of their own, whose SSL calls are probed.
$(BUILD)/tests/live/test_live_tls_conn $(BUILD)/bench/tlsloop: LIBS += -lssl -lcrypto

# A client with OpenSSL linked in from libssl.a and libcrypto.a (no
# libssl.so mapped), for test_live_tls_found: probed in the program itself.
TLS_STATIC_CLIENT := $(BUILD)/tests/live/tls_static_client
$(TLS_STATIC_CLIENT): tests/live/tls_static_client.c tests/live/tls_msg.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -o $@ $< -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -lpthread -ldl
$(BUILD)/tests/live/test_live_tls_found: | $(TLS_STATIC_CLIENT)
# bench-tls.sh's program with a TLS stack of its own (execcost with libssl.a).
$(BUILD)/bench/execcost_tls: tests/bench/execcost.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -DWITH_OPENSSL -o $@ $< -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -lpthread -ldl
bench-live: $(BUILD)/bench/execcost_tls

$(BENCH_BINS): $(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(TESTLIB_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBA) $(LIBS) $(LDFLAGS)

.PHONY: tests test-unpriv bench-core bench-live bench-views
tests: $(TEST_BINS) $(BENCH_BINS) $(TLS_STATIC_CLIENT) $(BUILD)/bench/execcost_tls

# Installs what is missing first (deps does nothing when all is there), then
# builds everything and runs every test; the last line is the summary.
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all tests
	@$(TEST_RUN) $(TEST_BINS) $(TEST_SCRIPTS)

# Everything but tests/live/, without building: for an unprivileged user.
test-unpriv:
	@$(TEST_RUN) $(filter-out $(BUILD)/tests/live/%,$(TEST_BINS)) \
		$(filter-out tests/live/%,$(TEST_SCRIPTS))

# The core speed figures: writer against zstd, replay against zstd -d.
BENCH_MB ?= 200
BENCH_LEVEL ?= 3
BENCH_RUNS ?= 3
# One after the other even under -j: each would spoil the other's timings.
bench:
	@$(MAKE) --no-print-directory bench-core
	@$(MAKE) --no-print-directory bench-live
	@$(MAKE) --no-print-directory bench-views
	@$(MAKE) --no-print-directory bench-ship
bench-core: all $(BENCH_BINS)
	@$(TEST_ENV) $(BUILD)/bench/bench_core --mb $(BENCH_MB) --level $(BENCH_LEVEL) --runs $(BENCH_RUNS)
	@$(TEST_ENV) $(BUILD)/bench/bench_bytes --mb 8 --runs $(if $(filter-out 1 2 3 4,$(BENCH_RUNS)),$(BENCH_RUNS),5)
# Live capture (root): highest zero-drop rate, and slowdown beside opensnoop.
bench-live: all $(BENCH_BINS)
	@$(TEST_ENV) BENCH_RUNS=$(BENCH_RUNS) bash tests/bench/bench-live.sh
# The views (tree, follow, diff) over a long recording, beside zstd -d.
bench-views: all $(BENCH_BINS)
	@$(TEST_ENV) BENCH_RUNS=$(BENCH_RUNS) bash tests/bench/bench-views.sh
-include tests/fuzz/fuzz.mk
-include tests/reliability/reliability.mk
-include tests/ship/ship.mk

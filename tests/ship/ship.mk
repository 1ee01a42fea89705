# tests/ship/: what is too long for make test.
# make test-long: the whole 3-node cluster stopped for 30 s while a capture
# ships under load (make test stops it for 2 s); .ci/run runs it.
SHIP_DOWN_SECONDS ?= 30
.PHONY: test-long
test-long: all
	@$(TEST_ENV) AA_SHIP_DOWN=$(SHIP_DOWN_SECONDS) bash tests/lib/run-tests.sh \
		tests/ship/test_ship_cluster_down.sh

# make bench's shipping figures (tests/bench/bench-ship.sh): throughput to a
# local 3-node cluster, aa-capture's CPU per record with and without --ship.
BENCH_SHIP_MB ?= 64
.PHONY: bench-ship
bench-ship: all $(BENCH_BINS)
	@$(TEST_ENV) BENCH_RUNS=$(BENCH_RUNS) BENCH_SHIP_MB=$(BENCH_SHIP_MB) bash tests/bench/bench-ship.sh
# the NATS credentials handlers (capture/ship_creds.c) call nats.c
$(BUILD)/tests/ship/test_ship_creds_handlers: LIBS += $(NATS_LIBS)

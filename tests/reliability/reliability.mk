# tests/reliability/: what is not in `make test`.
# make soak: SOAK_SECONDS (default 600) of steady load under a live capture
# (root), with flat memory, no drops and files that verify.
# make valgrind: aa-replay's commands and aa-capture -r under valgrind on the
# fixtures and on generated streams; any error or leak fails.
SOAK_SECONDS ?= 600
.PHONY: soak valgrind
soak: all
	@$(TEST_ENV) SOAK_SECONDS=$(SOAK_SECONDS) bash tests/reliability/soak.sh

valgrind: all $(BUILD)/bench/gen_session
	@$(TEST_ENV) bash tests/reliability/valgrind.sh

# tests/fuzz/: libFuzzer targets for the file reader, the chunk decoder, the
# transform, the BTF check, the views (tree and diff) and
# the size-dispatch parser. Built with clang and -fsanitize=fuzzer,address,
# undefined into $(BUILD)/fuzz/, from the library's own sources compiled
# again with the same flags (the gcc objects are not used).
#   make fuzz [FUZZ_SECONDS=60]  runs each target that long, nice'd, one process
#                                each; exits 1 on any crash, hang, leak or
#                                sanitizer report (input kept under
#                                $(BUILD)/fuzz/artifacts/<target>/)
#   make fuzz-corpus             regenerates the committed seed corpora
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := file chunk parse btf xform views
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Bugs found and not yet fixed, stepped over so that fuzzing finds the next
# ones (each is kept in tests/fuzz/regress/ and named in test_regress.c).
FUZZ_KNOWN_BUGS ?=
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O1 -g $(FUZZ_SAN) $(FUZZ_KNOWN_BUGS)
# The library's sources (with the stream source's capture/ship_* files)
# and aa-replay's schema printer, which every entry runs on the META it reaches
FUZZ_LIB_SRCS := $(filter format/% replay/% capture/ship_%,$(LIB_SRCS)) replay/schema_print.c
FUZZ_ENTRY_SRCS := tests/fuzz/entry_read.c tests/fuzz/entry_file.c \
	tests/fuzz/entry_chunk.c tests/fuzz/entry_parse.c tests/fuzz/entry_btf.c \
	tests/fuzz/entry_xform.c tests/fuzz/entry_views.c
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_LIB_SRCS) $(FUZZ_ENTRY_SRCS))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BINS): $(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_main.c $(FUZZ_OBJS)
	$(CLANG) $(CPPFLAGS) -Itests/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer -DAAF_ENTRY=aaf_$* \
		-o $@ $< $(FUZZ_OBJS) $(LIBS) $(NATS_LIBS)

-include $(FUZZ_OBJS:%.o=%.d)

.PHONY: fuzz fuzz-bins fuzz-corpus
fuzz-bins: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run-fuzz.sh $(FUZZ_TARGETS)

# The regression test runs the same entry points, built with the normal test flags.
FUZZ_ENTRY_TEST_OBJS := $(FUZZ_ENTRY_SRCS:%.c=$(BUILD)/obj/%.o)
$(FUZZ_ENTRY_TEST_OBJS): CPPFLAGS += -Itests/fuzz
FUZZ_ENTRY_TEST_OBJS += $(BUILD)/obj/replay/schema_print.o
$(BUILD)/tests/hostile/test_regress: $(FUZZ_ENTRY_TEST_OBJS)
$(BUILD)/tests/hostile/test_regress: TESTLIB_OBJS += $(FUZZ_ENTRY_TEST_OBJS)

# Seeds: small capture files written by the real writer (tests/lib) and by
# aa-capture -r from raw streams, their chunks, single records, and the BTF
# of the record structs that the writer embeds.
$(BUILD)/fuzz/mkcorpus: $(BUILD)/obj/tests/fuzz/mkcorpus.o $(TESTLIB_OBJS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBA) $(LIBS) $(LDFLAGS)
$(BUILD)/obj/tests/fuzz/mkcorpus.o: CPPFLAGS += -Itests/lib
fuzz-corpus: $(BUILD)/fuzz/mkcorpus $(BUILD)/aa-capture $(BUILD)/fuzz/btf_kinds.btf
	AA_BUILD=$(BUILD) $(BUILD)/fuzz/mkcorpus tests/fuzz/corpus
	cp $(BUILD)/fuzz/btf_kinds.btf tests/fuzz/corpus/btf/kinds
# BTF of every kind a C schema has (pointers, unions, enums, bit fields, ...)
$(BUILD)/fuzz/btf_kinds.btf: tests/fuzz/btf_kinds.bpf.c
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -c $< -o $@.o
	llvm-objcopy --dump-section .BTF=$@ $@.o

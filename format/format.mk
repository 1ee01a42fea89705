# format/: record layouts, the size-dispatch parser and the capture file.
LIB_SRCS += format/error.c format/parse.c format/xxh64.c format/pcapng.c \
	format/chunk.c format/xform.c format/xform_decode.c format/meta.c format/writer.c format/events_btf.c \
	format/reader.c format/reader_follow.c format/clock.c format/btf_check.c format/btf_graph.c \
	format/btf_lines.c format/version.c

# What a program using libaa includes; the rest of format/ is the library's own.
PUBLIC_HEADERS += format/aa_version.h format/events.h format/aa_error.h \
	format/parse.h format/writer.h format/meta.h

# The BTF of the record structs, carried in every capture file's META chunk.
MULTIARCH := $(shell $(CC) -dumpmachine)
$(BUILD)/events.btf: format/events_btf.bpf.c format/events.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -I/usr/include/$(MULTIARCH) -Iformat -c $< -o $@.o
	llvm-objcopy --dump-section .BTF=$@ $@.o
$(BUILD)/obj/format/events_btf.o: $(BUILD)/events.btf
$(BUILD)/obj/format/events_btf.o: CPPFLAGS += -DAA_EVENTS_BTF_PATH='"$(abspath $(BUILD)/events.btf)"'
LIB_SRCS += format/writer_pool.c format/writer_meta.c

# bpf/: the BPF programs, compiled against the running kernel's BTF and
# embedded into libaa through a bpftool skeleton (no object file to find at
# run time). capture/live_*.c load them.

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/*.bpf.h) format/events.h
BPF_ARCH_INC := $(firstword $(wildcard /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)) /usr/include/x86_64-linux-gnu)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BUILD) -Iformat -idirafter $(BPF_ARCH_INC)

# The running kernel's types; regenerated only when missing.
$(BUILD)/vmlinux.h:
	@mkdir -p $(dir $@)
	@test -r /sys/kernel/btf/vmlinux || { echo "bpf: no kernel BTF at /sys/kernel/btf/vmlinux: cannot build the BPF programs" >&2; exit 2; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/aa.bpf.o: bpf/aa.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/aa.skel.h: $(BUILD)/aa.bpf.o
	$(BPFTOOL) gen skeleton $< name aa_bpf > $@.tmp && mv $@.tmp $@

LIB_SRCS += capture/live_source.c capture/live_ring.c capture/live_load.c \
	capture/live_ssl.c capture/live_follow.c capture/live_tls.c capture/tls_find.c capture/elf_syms.c \
	capture/hold_guard.c
$(patsubst %.c,$(BUILD)/obj/%.o,capture/live_load.c capture/live_tls.c): | $(BUILD)/aa.skel.h

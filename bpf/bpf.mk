# bpf/: the BPF programs, compiled against the kernel types of bpf/vmlinux/
# (generated from a Debian kernel package by bpf/vmlinux/gen.sh: no build
# host's kernel is involved; CO-RE fits them to the running kernel at load)
# and embedded into libaa through a bpftool skeleton (no object file to find
# at run time). capture/live_*.c load them.
#
# BPF_ARCH: the architecture the programs are built for: ARCH when given
# (make ARCH=arm64), else the compiler's target. `make bpf-ARCH` (bpf-x86,
# bpf-arm64) builds one architecture's object and skeleton on its own, in
# $(BUILD)/bpf-ARCH/, loading nothing: the check that each still compiles.

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/*.bpf.h) format/events.h
BPF_ARCHES := x86 arm64
bpf_arch_of = $(if $(filter x86_64% i%86 amd64%,$(1)),x86,$(if $(filter aarch64% arm64%,$(1)),arm64,$(1)))
BPF_ARCH := $(call bpf_arch_of,$(or $(ARCH),$(shell $(CC) -dumpmachine 2>/dev/null)))
BPF_ARCH_INC := $(firstword $(wildcard /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)) /usr/include/x86_64-linux-gnu)
# $(call bpf_cflags,ARCH)
bpf_cflags = -g -O2 -target bpf -D__TARGET_ARCH_$(1) -Wall -Werror \
	-Ibpf/vmlinux/$(1) -Iformat -idirafter $(BPF_ARCH_INC)


$(BUILD)/bpf-%/aa.bpf.o: bpf/aa.bpf.c $(BPF_HDRS) bpf/vmlinux/%/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) $(call bpf_cflags,$*) -c $< -o $@

.PRECIOUS: $(BUILD)/bpf-%/aa.bpf.o
$(BUILD)/bpf-%/aa.skel.h: $(BUILD)/bpf-%/aa.bpf.o
	$(BPFTOOL) gen skeleton $< name aa_bpf > $@.tmp && mv $@.tmp $@

# The skeleton libaa embeds: BPF_ARCH's.
ifneq ($(filter $(BPF_ARCH),$(BPF_ARCHES)),)
$(BUILD)/aa.skel.h: $(BUILD)/bpf-$(BPF_ARCH)/aa.skel.h
	cp $< $@
else
$(BUILD)/aa.skel.h:
	@echo 'bpf: no BPF build for architecture "$(BPF_ARCH)" (known: $(BPF_ARCHES)); make ARCH=x86 or ARCH=arm64' >&2; exit 2
endif

.PHONY: bpf $(addprefix bpf-,$(BPF_ARCHES))
bpf: $(BUILD)/aa.skel.h
$(addprefix bpf-,$(BPF_ARCHES)): bpf-%: $(BUILD)/bpf-%/aa.skel.h

LIB_SRCS += capture/live_source.c capture/live_ring.c capture/live_load.c \
	capture/live_ssl.c capture/live_follow.c capture/live_tls.c capture/tls_find.c capture/elf_syms.c \
	capture/hold_guard.c
$(patsubst %.c,$(BUILD)/obj/%.o,capture/live_load.c capture/live_tls.c): | $(BUILD)/aa.skel.h

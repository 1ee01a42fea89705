# aa: record and replay eBPF ring-buffer events.
# `make` builds build/aa-capture, build/aa-replay and libaa (static and
# shared); `make test` runs every test; `make SAN=1 test` does it with
# AddressSanitizer and UndefinedBehaviorSanitizer in build/san/.
# Each folder adds its own part in its *.mk file.

# The release number lives in format/aa_version.h (AA_VERSION_MAJOR ...).
VERSION := $(shell awk 'NF == 3 && $$2 ~ /^AA_VERSION_(MAJOR|MINOR|PATCH)$$/ {v = v s $$3; s = "."} END {print v}' format/aa_version.h)
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool

ifeq ($(SAN),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD := build
SANFLAGS :=
endif

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wswitch-enum
CPPFLAGS += -Iformat -Ireplay -Icapture -I$(BUILD) -D_GNU_SOURCE -DAA_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC -MMD -MP
LDFLAGS += $(SANFLAGS)
LIBS := -lbpf -lelf -lz -lzstd -lnghttp2 -lbrotlidec

LIB_SRCS :=
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_EXTRA_OBJS :=
LIBA := $(BUILD)/libaa.a
LIBSO := $(BUILD)/libaa.so

.PHONY: all deps test bench install clean fuzz soak demo
all:

include format/format.mk
include replay/replay.mk
-include bpf/bpf.mk
-include capture/capture.mk
-include tests/tests.mk

all: $(LIBA) $(LIBSO) $(PROGRAMS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJS) $(LIB_EXTRA_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Only the functions of the installed headers are exported (libaa.map).
$(LIBSO): $(LIB_OBJS) $(LIB_EXTRA_OBJS) libaa.map
	$(CC) -shared -Wl,-soname,libaa.so.0 -Wl,--version-script=libaa.map $(LDFLAGS) -o $@ $(LIB_OBJS) $(LIB_EXTRA_OBJS) $(LIBS)

# Debian packages by name; installs only what is missing.
DEB_PACKAGES := gcc g++ make pkg-config clang llvm bpftool libbpf-dev libelf-dev \
	zlib1g-dev libzstd-dev libpcap-dev libcriterion-dev zstd tshark xxhash \
	openssl libbpf-tools util-linux procps python3 man-db groff-base \
	libnghttp2-dev libbrotli-dev nghttp2-server curl python3-brotli chromium \
	gnutls-bin wget libssl-dev libnss3-tools \
	nats-server libnats-dev xxd python3-cryptography \
	golang-go libcapstone-dev
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "deps: missing packages ($$missing) and not root: run 'make deps' as root" >&2; exit 2; fi; \
	echo "deps: installing $$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections; \
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing

# A program built against the installed libaa finds it at run time: in a
# system prefix through ld.so's cache (ldconfig, run unless staging into a
# DESTDIR), anywhere else through the run path aa.pc gives the linker.
SYSTEM_PREFIXES := /usr /usr/local
LDCONFIG ?= ldconfig
comma := ,
INSTALL_LDCONFIG = $(if $(DESTDIR),,$(if $(filter $(PREFIX),$(SYSTEM_PREFIXES)),$(LDCONFIG)))
PC_RPATH = $(if $(filter $(PREFIX),$(SYSTEM_PREFIXES)),,-Wl$(comma)-rpath$(comma)$${libdir})
MAN_PAGES := $(wildcard man/*.[0-9])

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/aa $(DESTDIR)$(PREFIX)/lib/pkgconfig
	for m in $(MAN_PAGES); do \
		install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/} || exit; done
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libaa.so.$(VERSION)
	ln -sf libaa.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libaa.so.0
	ln -sf libaa.so.0 $(DESTDIR)$(PREFIX)/lib/libaa.so
	install -m 0644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/aa/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@RPATH@|$(PC_RPATH)|g' \
		aa.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/aa.pc
	$(INSTALL_LDCONFIG)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

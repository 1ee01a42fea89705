# capture/: aa-capture, and the raw-stream source it shares through libaa
# (capture/aa_raw.h). The live ring-buffer source (capture/live_*.c) is
# added to the library by bpf/bpf.mk, with the BPF skeleton it embeds.

LIB_SRCS += capture/raw_source.c
PUBLIC_HEADERS += capture/aa_raw.h capture/aa_live.h

CAPTURE_SRCS := capture/aa-capture.c capture/cap_opts.c capture/capture_loop.c \
	capture/output.c capture/names.c capture/outdir.c capture/outfile.c capture/postcmd.c \
	capture/pathfind.c capture/privdrop.c capture/ready.c capture/runcmd.c capture/signals.c \
	capture/snapshot.c capture/status.c
CAPTURE_OBJS := $(CAPTURE_SRCS:%.c=$(BUILD)/obj/%.o)

PROGRAMS += $(BUILD)/aa-capture

$(BUILD)/aa-capture: $(CAPTURE_OBJS) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $(CAPTURE_OBJS) $(LIBA) $(LIBS) $(LDFLAGS)

# make demo (as root): installs what is missing, builds, records about ten
# seconds of this machine while the tests' workload runs, then a summary.
DEMO_SECONDS ?= 10
demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@bash capture/demo.sh $(BUILD) $(DEMO_SECONDS)

# aa-capture --ship (capture/ship*.c, spool.c): only aa-capture links -lnats.
SHIP_SRCS := capture/ship.c capture/ship_opts.c capture/ship_run.c capture/spool.c
CAPTURE_OBJS += $(SHIP_SRCS:%.c=$(BUILD)/obj/%.o)
$(BUILD)/aa-capture: $(SHIP_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_SRCS += capture/ship_url.c
# NATS credentials through handlers of our own (nats.c before 3.10 drops a
# signature whose first byte is 0): for --ship and the stream source both.
LIB_SRCS += capture/ship_creds.c
$(BUILD)/aa-capture: LIBS += -lnats -lpthread

# Go's crypto/tls (capture/gotls.c, gopclntab.c): a Go program's functions
# from .symtab or its own function table; their RETs found with capstone.
LIB_SRCS += capture/gopclntab.c capture/gotls.c
LIBS += -lcapstone

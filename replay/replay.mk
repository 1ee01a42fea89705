# replay/: the consumer interface, the file source, and aa-replay.
LIB_SRCS += replay/source.c replay/arena.c replay/order.c replay/offline.c replay/offline_ahead.c replay/offline_pool.c replay/evidence.c replay/proctab.c
PUBLIC_HEADERS += replay/aa_replay.h
# Sessions shipped to a NATS JetStream stream (aa-capture --ship): libaa.so
# and aa-replay link -lnats; a program linking libaa.a without aa_open_nats
# does not pull these objects in.
LIB_SRCS += replay/nats_source.c replay/nats_stream.c
LIB_SRCS += replay/nats_seek.c
PUBLIC_HEADERS += replay/aa_nats.h
NATS_LIBS := -lnats
$(LIBSO): LIBS += $(NATS_LIBS)
$(BUILD)/aa-replay: LIBS += $(NATS_LIBS)
$(BUILD)/tests/ship/test_nats_source: LIBS += $(NATS_LIBS)
REPLAY_CLI_SRCS += replay/cmd_pull.c replay/cli_nats.c
REPLAY_CLI_SRCS += replay/cli_threads.c
# Each view and decoder adds its own part (library sources, its aa-replay
# command, its public header) in its own *.mk, before the command is linked.
include $(sort $(wildcard replay/decode/*.mk replay/views/*.mk))
-include replay/cli.mk

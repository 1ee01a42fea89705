# replay/: the consumer interface, the file source, and aa-replay.
LIB_SRCS += replay/source.c replay/order.c replay/offline.c replay/evidence.c replay/proctab.c
PUBLIC_HEADERS += replay/aa_replay.h
# Each view and decoder adds its own part (library sources, its aa-replay
# command, its public header) in its own *.mk, before the command is linked.
include $(sort $(wildcard replay/decode/*.mk replay/views/*.mk))
-include replay/cli.mk

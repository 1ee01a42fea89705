# replay/: the consumer interface, the file source, and aa-replay.
LIB_SRCS += replay/source.c replay/order.c replay/offline.c replay/evidence.c replay/proctab.c
PUBLIC_HEADERS += replay/aa_replay.h
-include replay/cli.mk

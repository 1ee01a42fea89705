# aa-replay tree: the process tree of a recording (replay/views/aa_tree.h).
LIB_SRCS += replay/views/tree.c replay/views/tree_close.c replay/views/tree_walk.c replay/views/tree_print.c replay/views/host_label.c replay/views/spool.c \
	replay/print_proc.c
REPLAY_CLI_SRCS += replay/cmd_tree.c
PUBLIC_HEADERS += replay/views/aa_tree.h
CPPFLAGS += -Ireplay/views

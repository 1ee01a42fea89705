# aa-replay diff: two recordings compared by what happened (replay/views/aa_diff.h).
LIB_SRCS += replay/views/diff.c replay/views/diff_text.c replay/views/diff_proc.c \
	replay/views/diff_unified.c replay/views/diff_follow.c replay/views/diff_spool.c \
	replay/views/diff_walk.c
REPLAY_CLI_SRCS += replay/cmd_diff.c
PUBLIC_HEADERS += replay/views/aa_diff.h

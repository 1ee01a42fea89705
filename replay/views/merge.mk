# Several hosts in one stream: the origins of records, files of several
# (host, session) groups merged by wall time (the library), and
# `aa-replay merge`, which writes them into one merged file (format 3).
LIB_SRCS += replay/origin.c replay/merge_src.c replay/offline_meta.c
REPLAY_CLI_SRCS += replay/cmd_merge.c

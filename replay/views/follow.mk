# replay/views/follow: TLS conversations and the HTTP in them (aa_follow.h),
# and `aa-replay follow`.
LIB_SRCS += replay/views/follow.c replay/views/conv.c replay/views/conv_table.c replay/views/follow_print.c \
	replay/views/follow_order.c
PUBLIC_HEADERS += replay/views/aa_follow.h
REPLAY_CLI_SRCS += replay/cmd_follow.c
CPPFLAGS += -Ireplay/views
# The decoder tests make brotli bodies with libbrotlienc (only they link it).
$(BUILD)/tests/replay/test_follow_http1: LIBS += -lbrotlienc

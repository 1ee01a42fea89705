# replay/decode/: the decoders under aa_follow (HTTP/1.1, HTTP/2 with
# libnghttp2's HPACK, server-sent events, gzip/deflate/brotli, JSON for people).
LIB_SRCS += replay/decode/conn.c replay/decode/http1.c replay/decode/http2.c \
	replay/decode/msg.c replay/decode/content.c replay/decode/sse.c \
	replay/decode/json_pretty.c
CPPFLAGS += -Ireplay/decode

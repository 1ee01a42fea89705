# aa-replay export's formats for other tools (replay/views/export.h):
# Chrome trace JSON, pcapng of records, TLS as TCP; and the Wireshark
# dissector of those records, made from the layouts in events.h.
REPLAY_CLI_SRCS += replay/views/perfetto.c replay/views/export_pcapng.c replay/views/export_tcp.c
CPPFLAGS += -Ireplay/views

# aa-replay export's formats for other tools (replay/views/export.h):
# Chrome trace JSON, pcapng of records, TLS as TCP; and the Wireshark
# dissector of those records, made from the layouts in events.h.
REPLAY_CLI_SRCS += replay/views/perfetto.c replay/views/export_pcapng.c replay/views/export_tcp.c
CPPFLAGS += -Ireplay/views

# The dissector: the layouts, made from the BTF of events.h, then the code.
LUA_LAYOUTS := $(BUILD)/tools/lua_layouts
AA_LUA := $(BUILD)/aa.lua
$(LUA_LAYOUTS): replay/wireshark/lua_layouts.c format/events.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< -lbpf $(LDFLAGS)
$(AA_LUA): $(LUA_LAYOUTS) $(BUILD)/events.btf replay/wireshark/aa.lua.in
	{ $(LUA_LAYOUTS) $(BUILD)/events.btf && cat replay/wireshark/aa.lua.in; } > $@.tmp && mv $@.tmp $@
all: $(AA_LUA)

# aa-replay export's formats for other tools (replay/views/export.h):
# Chrome trace JSON, pcapng of records, TLS as TCP; and the Wireshark
# dissector of those records, made from the layouts in events.h.
REPLAY_CLI_SRCS += replay/views/perfetto.c replay/views/export_pcapng.c replay/views/export_tcp.c
REPLAY_CLI_SRCS += replay/views/perfetto_runs.c
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

# make install puts aa.lua where Wireshark 4.0 loads Lua plugins from (its
# `tshark -G folders`): for PREFIX /usr or /usr/local its global folder,
# /usr/lib/<multiarch>/wireshark/plugins (Wireshark looks in no /usr/local
# folder); for any other prefix $(PREFIX)/lib/wireshark/plugins, which for
# PREFIX=$$HOME/.local is the user's personal folder. WIRESHARK_LUA_DIR
# overrides both.
WIRESHARK_GLOBAL_LUA = $(or $(shell tshark -G folders 2>/dev/null | sed -n 's/^Global Lua Plugins:[[:space:]]*//p'),/usr/lib/$(MULTIARCH)/wireshark/plugins)
WIRESHARK_LUA_DIR ?= $(if $(filter $(PREFIX),$(SYSTEM_PREFIXES)),$(WIRESHARK_GLOBAL_LUA),$(PREFIX)/lib/wireshark/plugins)
.PHONY: install-wireshark
install: install-wireshark
install-wireshark: $(AA_LUA)
	install -D -m 0644 $(AA_LUA) $(DESTDIR)$(WIRESHARK_LUA_DIR)/aa.lua

#!/usr/bin/env bash
# make install puts the Wireshark dissector where Wireshark 4.0 loads Lua
# plugins (tshark -G folders): under PREFIX=/usr/local, the global Lua
# plugin folder (Wireshark has none under /usr/local); under
# PREFIX=$HOME/.local, the user's personal one, where a plain tshark (no
# -X lua_script) then finds it and dissects an export --pcapng.
. tests/install/stage.sh
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
export XDG_CONFIG_HOME=$tmp/config
global=$(HOME=$tmp tshark -G folders 2>/dev/null | sed -n 's/^Global Lua Plugins:[[:space:]]*//p')
[ -n "$global" ] || { echo "tshark -G folders names no global Lua plugin folder"; exit 1; }
[ -f "$tmp/root$global/aa.lua" ] || { echo "make install did not put aa.lua in $global"; exit 1; }
cmp -s "$tmp/root$global/aa.lua" "$build/aa.lua" || { echo "the installed aa.lua is not the built one"; exit 1; }

home=$tmp/home
make --no-print-directory -s install PREFIX="$home/.local" >/dev/null
personal=$(HOME=$home tshark -G folders 2>/dev/null | sed -n 's/^Personal Lua Plugins:[[:space:]]*//p')
[ "$personal" = "$home/.local/lib/wireshark/plugins" ] || { echo "personal Lua folder: '$personal'"; exit 1; }
[ -f "$personal/aa.lua" ] || { echo "make install PREFIX=~/.local did not put aa.lua in $personal"; exit 1; }
"$home/.local/bin/aa-replay" export --pcapng tests/fixtures/live.pcapng "$tmp/rec.pcapng"
got=$(HOME=$home tshark -r "$tmp/rec.pcapng" -Y 'aa.type == "exit" && aa.exit_code == 137' -T fields -e aa.pid 2>/dev/null)
[ "$got" = 9574 ] || { echo "a plain tshark with the installed plugin: '$got'"; exit 1; }
echo "aa.lua installed into $global (staged) and $personal, where tshark finds it"

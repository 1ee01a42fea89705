# aa-replay, the command-line tool, and the record printers it shares with
# aa-capture --print (in the library: replay/aa_print.h).
LIB_SRCS += replay/print.c replay/print_json.c replay/print_time.c replay/print_enc.c \
	replay/print_flags.c
PUBLIC_HEADERS += replay/aa_print.h

REPLAY_CLI_SRCS += replay/aa-replay.c replay/cli_msg.c replay/cli_input.c \
	replay/cli_output.c replay/cli_time.c replay/cli_filter.c \
	replay/cli_progress.c replay/cli_copy.c \
	replay/cmd_info.c replay/cmd_cat.c replay/cmd_verify.c \
	replay/cmd_recover.c replay/cmd_filter.c replay/cmd_export.c \
	replay/cmd_schema.c replay/schema_print.c replay/cmd_ps.c
REPLAY_CLI_OBJS := $(REPLAY_CLI_SRCS:%.c=$(BUILD)/obj/%.o)

PROGRAMS += $(BUILD)/aa-replay

$(BUILD)/aa-replay: $(REPLAY_CLI_OBJS) $(LIBA)
	$(CC) $(ALL_CFLAGS) -o $@ $(REPLAY_CLI_OBJS) $(LIBA) $(LIBS) $(LDFLAGS)

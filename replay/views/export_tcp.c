/* SPDX-License-Identifier: MIT */
/* aa-replay export --tcp: TLS conversations as synthetic TCP streams. */
#include "export.h"

int export_tcp(struct cli_input *in, FILE *out)
{
	(void)in;
	(void)out;
	cli_err("export --tcp: not built yet");
	return CLI_USAGE;
}

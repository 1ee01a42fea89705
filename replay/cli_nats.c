/* SPDX-License-Identifier: MIT */
/* aa-replay's stream inputs: --host, --session, --creds, --tls-ca, then aa_open_nats. */
#include <stdlib.h>

#include "cli.h"

static struct aa_nats_opts selection;

int cli_nats_option(int opt, const char *arg)
{
	if (opt == CLI_OPT_HOST)
		selection.host = arg;
	else if (opt == CLI_OPT_SESSION)
		selection.session = arg;
	else if (opt == CLI_OPT_CREDS)
		selection.creds = arg;
	else if (opt == CLI_OPT_TLS_CA)
		selection.tls_ca = arg;
	else
		return 0;
	return 1;
}

const struct aa_nats_opts *cli_nats_selection(void)
{
	/* as aa-capture's --ship-creds and --ship-tls-ca; else from the environment */
	if (!selection.creds)
		selection.creds = getenv("AA_NATS_CREDS");
	if (!selection.tls_ca)
		selection.tls_ca = getenv("AA_NATS_TLS_CA");
	return &selection;
}

int cli_nats_open(aa_source **src, const char *url, const struct aa_replay_opts *opts,
		  struct aa_error_info *err)
{
	return aa_open_nats(src, url, cli_nats_selection(), opts, err);
}

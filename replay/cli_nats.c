/* SPDX-License-Identifier: MIT */
/* aa-replay's stream inputs: --host and --session, then aa_open_nats. */
#include <stdlib.h>

#include "cli.h"

static struct aa_nats_opts selection;

int cli_nats_option(int opt, const char *arg)
{
	if (opt == CLI_OPT_HOST)
		selection.host = arg;
	else if (opt == CLI_OPT_SESSION)
		selection.session = arg;
	else
		return 0;
	return 1;
}

int cli_nats_open(aa_source **src, const char *url, const struct aa_replay_opts *opts,
		  struct aa_error_info *err)
{
	/* as aa-capture's --ship-creds and --ship-tls-ca, from the environment */
	selection.creds = getenv("AA_NATS_CREDS");
	selection.tls_ca = getenv("AA_NATS_TLS_CA");
	return aa_open_nats(src, url, &selection, opts, err);
}

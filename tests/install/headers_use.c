/* SPDX-License-Identifier: MIT */
/*
 * A program that includes every installed header and calls into libaa:
 * tests/install/test_headers.sh builds it as C99 -pedantic and, renamed to
 * .cpp, as C++. Reads the capture file given, counts its records, parses a
 * misaligned exit record and prints what it found in one line.
 */
#include <aa/aa_diff.h>
#include <aa/aa_error.h>
#include <aa/aa_follow.h>
#include <aa/aa_live.h>
#include <aa/aa_nats.h>
#include <aa/aa_print.h>
#include <aa/aa_raw.h>
#include <aa/aa_replay.h>
#include <aa/aa_tree.h>
#include <aa/aa_version.h>
#include <aa/events.h>
#include <aa/meta.h>
#include <aa/parse.h>
#include <aa/writer.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct aa_error_info err;
	const struct aa_record *rec;
	aa_source *src;
	unsigned long long n = 0;
	int rc;

	if (argc != 2)
		return 2;
	if (aa_open_offline(&src, (const char *const *)argv + 1, 1, NULL, &err) != 0)
		return 2;
	while ((rc = aa_next(src, &rec)) == 1)
		n++;
	aa_close(src);
	if (!aa_is_nats_url("nats://127.0.0.1:4222/AA") || aa_is_nats_url(argv[1]))
		return 1;
	struct aa_nats_stats nst; /* a file is no stream source */
	if (aa_open_offline(&src, (const char *const *)argv + 1, 1, NULL, &err) != 0)
		return 2;
	if (aa_nats_source_stats(src, &nst) != AA_E_INVAL)
		return 1;
	aa_close(src);

	/* The process tree and the comparison of the file with itself. */
	struct aa_diff_result dres;
	struct aa_tree_stats tst;
	aa_tree *tree = NULL;
	if (aa_open_offline(&src, (const char *const *)argv + 1, 1, NULL, &err) != 0)
		return 2;
	if (aa_tree_build(&tree, src, NULL) != 0)
		return 1;
	aa_tree_get_stats(tree, &tst);
	if (tst.records != n || !aa_tree_walk(tree, NULL, NULL))
		return 1;
	aa_tree_free(tree);
	aa_close(src);
	if (aa_diff_files((const char *const *)argv + 1, 1, (const char *const *)argv + 1, 1, NULL, &dres,
			  &err) != 0 || aa_diff_field("exit") != AA_DIFF_EXIT)
		return 1;

	/* One exit record one byte into a buffer: the view is still aligned. */
	unsigned char buf[AA_EXIT_EVENT_SIZE + 1];
	struct aa_exit_event e;
	struct aa_event ev;
	union aa_record_copy copy;
	memset(&e, 0, sizeof(e));
	e.pid = 42;
	e.exit_code = 3;
	memcpy(buf + 1, &e, sizeof(e));
	if (aa_parse(buf + 1, sizeof(e), &ev) != AA_E_INVAL ||
	    aa_parse_copy(buf + 1, sizeof(e), &ev, &copy) != 0 || ev.type != AA_TYPE_EXIT)
		return 1;
	printf("%s %s records=%llu rc=%d exit pid=%u code=%d\n", aa_version_string(),
	       aa_error_name(rc), n, rc, (unsigned)ev.exit->pid, (int)ev.exit->exit_code);
	return aa_version() == AA_VERSION_NUMBER ? 0 : 1;
}

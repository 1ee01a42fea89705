/* SPDX-License-Identifier: MIT */
/*
 * The kernel's drop counters, as aa_live_drops() reads them, only grow: a
 * read that fails keeps what was read before instead of giving zeros, which
 * would make the capture's counts (and the files' stats) go backwards.
 * Needs root: the counters are set through the live source's own map, then
 * the map's descriptor is swapped for one that is no map.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "live_capture.h"

/* The live source's DROPS map: found among our descriptors by its name. */
static int find_drops_map(void)
{
	for (int fd = 3; fd < 4096; fd++) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && !strcmp(info.name, "DROPS"))
			return fd;
	}
	return -1;
}

Test(live_drops, a_failed_read_does_not_take_the_counts_back, .timeout = 30)
{
	struct aa_error_info err;
	uint64_t first[AA_DROP_SLOTS], again[AA_DROP_SLOTS];
	aa_source *src;

	live_require_root();
	int rc = aa_open_live(&src, NULL, &err);
	cr_assert_eq(rc, 0, "aa_open_live: %s: %s", aa_error_name(rc), err.detail);
	int map = find_drops_map();
	cr_assert_geq(map, 0, "no DROPS map among this process's descriptors");

	/* slot s counts s + 1 on every CPU */
	int ncpu = libbpf_num_possible_cpus();
	cr_assert_gt(ncpu, 0);
	uint64_t *per = calloc((size_t)ncpu, sizeof(*per));
	cr_assert_not_null(per);
	for (uint32_t s = 0; s < AA_DROP_SLOTS; s++) {
		for (int c = 0; c < ncpu; c++)
			per[c] = s + 1;
		cr_assert_eq(bpf_map_update_elem(map, &s, per, BPF_ANY), 0, "slot %u", s);
	}
	aa_live_drops(src, first);
	for (uint32_t s = 0; s < AA_DROP_SLOTS; s++)
		cr_assert_eq(first[s], (uint64_t)(s + 1) * (uint64_t)ncpu, "slot %u: %llu", s,
			     (unsigned long long)first[s]);

	/* the map's descriptor now reads as /dev/null: every lookup fails */
	int null = open("/dev/null", O_RDONLY);
	cr_assert_geq(null, 0);
	cr_assert_eq(dup2(null, map), map);
	close(null);
	aa_live_drops(src, again);
	for (uint32_t s = 0; s < AA_DROP_SLOTS; s++)
		cr_expect_eq(again[s], first[s], "slot %u went from %llu to %llu", s,
			     (unsigned long long)first[s], (unsigned long long)again[s]);
	struct aa_source_stats st;
	aa_source_get_stats(src, &st);
	cr_expect_eq(st.dropped, (uint64_t)ncpu * AA_DROP_SLOTS * (AA_DROP_SLOTS + 1) / 2,
		     "the source's stats keep the total too");
	free(per);
	aa_close(src);
}

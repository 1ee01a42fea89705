/* SPDX-License-Identifier: MIT */
/* Every BTF kind a C schema can have: the btf fuzz target's second seed (make fuzz-corpus). */
typedef unsigned int u32;
enum colour { RED, GREEN = 5, BLUE = -1 };
enum big { HUGE = 0x123456789ull };
struct node;
typedef int (*visit_fn)(struct node *n, const char *tag, ...);
struct node {
	struct node *next;
	const volatile u32 *restrict counter;
	union {
		long l;
		float f;
		double d[2];
	} u;
	struct {
		unsigned a : 3, b : 5;
		signed char c : 4;
		_Bool flag;
	} bits;
	enum colour colour;
	enum big big;
	visit_fn visit;
	char name[3][7];
	struct node *children[0];
};
struct node the_node;
int touch(struct node *n) { return n ? n->bits.a : 0; }

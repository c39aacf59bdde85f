/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Local (address, port) pairs of L4 flows: the cursor's walk (address first, every pair once per
 * round, wrap, a cursor outside its pool or slice), and allocation against a flow table: each
 * address adds a whole slice, held pairs are skipped, a freed pair is found again, and the probe
 * budget bounds the work.
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/l4/lpair.h"
#include "tests/unit/sl_test.h"

#define SIP 0x0a4d0015u /* the server */
#define CIP 0x0a4d000au /* clients */
#define VIP 0x0a4d0001u
#define LO 32768
#define HI (LO + 63) /* a slice of 64 ports: the plan's minimum */

static const uint32_t pool[4] = {0x0a4d0001u, 0x0a4d0002u, 0x0a4d0003u, 0x0a4d0004u};

static void test_walk_address_first(void)
{
	struct sl_lpair_cursor c = {.port = LO, .addr = 0};
	uint16_t p;
	for (unsigned round = 0; round < 3; round++)
		for (unsigned k = 0; k < 64 * 3; k++) {
			unsigned a = sl_lpair_next(&c, 3, LO, HI, &p);
			CU_ASSERT_EQUAL(a, k % 3);
			CU_ASSERT_EQUAL(p, LO + k / 3);
		}
	/* one address: the port walk of one address, wrapping at the slice's end */
	c = (struct sl_lpair_cursor){.port = HI - 1, .addr = 0};
	CU_ASSERT_EQUAL(sl_lpair_next(&c, 1, LO, HI, &p), 0);
	CU_ASSERT_EQUAL(p, HI - 1);
	CU_ASSERT_EQUAL(sl_lpair_next(&c, 1, LO, HI, &p), 0);
	CU_ASSERT_EQUAL(p, HI);
	CU_ASSERT_EQUAL(sl_lpair_next(&c, 1, LO, HI, &p), 0);
	CU_ASSERT_EQUAL(p, LO);
}

static void test_walk_every_pair_once(void)
{
	for (unsigned npool = 1; npool <= 4; npool++) {
		struct sl_lpair_cursor c = {.port = LO + 17, .addr = 0};
		unsigned char seen[4][64];
		memset(seen, 0, sizeof(seen));
		unsigned twice = 0;
		for (unsigned k = 0; k < npool * 64; k++) {
			uint16_t p;
			unsigned a = sl_lpair_next(&c, npool, LO, HI, &p);
			CU_ASSERT_FATAL(a < npool && p >= LO && p <= HI);
			twice += seen[a][p - LO]++ != 0;
		}
		CU_ASSERT_EQUAL(twice, 0);
		/* a round later the cursor is where it began */
		CU_ASSERT_EQUAL(c.port, LO + 17);
		CU_ASSERT_EQUAL(c.addr, 0);
	}
}

static void test_walk_cursor_outside(void)
{
	uint16_t p;
	/* the server's slot was a server of a four-address pool: now a pool of two */
	struct sl_lpair_cursor c = {.port = LO + 5, .addr = 3};
	CU_ASSERT_EQUAL(sl_lpair_next(&c, 2, LO, HI, &p), 0);
	CU_ASSERT_EQUAL(p, LO + 5);
	CU_ASSERT_EQUAL(sl_lpair_next(&c, 2, LO, HI, &p), 1);
	CU_ASSERT_EQUAL(p, LO + 5);
	/* a port outside the slice: from its start */
	c = (struct sl_lpair_cursor){.port = 7, .addr = 0};
	CU_ASSERT_EQUAL(sl_lpair_next(&c, 2, LO, HI, &p), 0);
	CU_ASSERT_EQUAL(p, LO);
}

static struct sl_flow_table *table_new(uint32_t max_flows)
{
	size_t n = sl_flow_table_bytes(max_flows);
	void *m = aligned_alloc(64, (n + 63) & ~(size_t)63);
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_FATAL(sl_flow_table_init(m, max_flows) == 0);
	return m;
}

/* Opens flows to the server until a pair is refused; returns how many opened. */
static unsigned fill(struct sl_flow_table *ft, struct sl_lpair_cursor *c, unsigned npool,
		     unsigned *per_addr)
{
	unsigned n = 0;
	for (;; n++) {
		struct sl_flow_key sk = {.saddr = SIP, .sport = 5080, .proto = 6};
		if (!sl_lpair_alloc(ft, c, pool, npool, LO, HI, 64, &sk, 0))
			return n;
		for (unsigned a = 0; a < npool; a++)
			per_addr[a] += sk.daddr == pool[a];
		struct sl_flow_key ck = {.saddr = CIP + n, .daddr = VIP, .sport = 40000,
					 .dport = 8080, .proto = 6};
		CU_ASSERT_FATAL(sl_flow_insert(ft, &ck, &sk, 0, 1000000) != NULL);
	}
}

static void test_alloc_each_address_a_slice(void)
{
	for (unsigned npool = 1; npool <= 4; npool++) {
		struct sl_flow_table *ft = table_new(1024);
		struct sl_lpair_cursor c = {.port = LO + 40, .addr = 0};
		unsigned per_addr[4] = {0};
		/* 64 ports per address, every pair distinct (the table refuses a duplicate key) */
		CU_ASSERT_EQUAL(fill(ft, &c, npool, per_addr), npool * 64);
		for (unsigned a = 0; a < npool; a++)
			CU_ASSERT_EQUAL(per_addr[a], 64);
		CU_ASSERT_EQUAL(sl_flow_count(ft), npool * 64);
		free(ft);
	}
}

static void test_alloc_skips_held_finds_freed(void)
{
	struct sl_flow_table *ft = table_new(1024);
	struct sl_lpair_cursor c = {.port = LO, .addr = 0};
	unsigned per_addr[4] = {0};
	CU_ASSERT_EQUAL(fill(ft, &c, 2, per_addr), 128);
	/* free (address 1, port LO + 30): the next allocation walks to it */
	struct sl_flow_key held = {.saddr = SIP, .daddr = pool[1], .sport = 5080,
				   .dport = LO + 30, .proto = 6};
	enum sl_flow_dir d;
	struct sl_flow *f = sl_flow_lookup(ft, &held, sl_flow_key_hash(&held), &d, 0);
	CU_ASSERT_FATAL(f != NULL);
	sl_flow_delete(ft, f);
	c = (struct sl_lpair_cursor){.port = LO + 20, .addr = 0};
	struct sl_flow_key sk = {.saddr = SIP, .sport = 5080, .proto = 6};
	CU_ASSERT_TRUE(sl_lpair_alloc(ft, &c, pool, 2, LO, HI, 64, &sk, 0));
	CU_ASSERT_EQUAL(sk.daddr, pool[1]);
	CU_ASSERT_EQUAL(sk.dport, LO + 30);
	/* ... but not beyond the probe budget: 21 pairs lie between LO + 20 and it */
	c = (struct sl_lpair_cursor){.port = LO + 20, .addr = 0};
	CU_ASSERT_FALSE(sl_lpair_alloc(ft, &c, pool, 2, LO, HI, 20, &sk, 0));
	/* another server (another source port) has all the pairs */
	sk = (struct sl_flow_key){.saddr = SIP, .sport = 5081, .proto = 6};
	CU_ASSERT_TRUE(sl_lpair_alloc(ft, &c, pool, 2, LO, HI, 1, &sk, 0));
	free(ft);
}

static const struct sl_test_case cases[] = {
	{"walk: address first, then the next port", test_walk_address_first},
	{"walk: every pair once per round, 1..4 addresses", test_walk_every_pair_once},
	{"walk: a cursor outside its pool or slice", test_walk_cursor_outside},
	{"alloc: each address adds a whole slice", test_alloc_each_address_a_slice},
	{"alloc: held pairs skipped, a freed one found, probe budget", test_alloc_skips_held_finds_freed},
	{NULL, NULL},
};

int main(void)
{
	static const struct sl_test_suite suites[] = {{"lpair", cases}, {NULL, NULL}};
	return sl_test_run(suites);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbour table: learn, lookup, aging, reuse of expired slots, full probe sequence. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/core/neigh.h"
#include "tests/unit/sl_test.h"

static struct sl_neigh_table *t;

static void mac_of(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x77;
	mac[2] = (uint8_t)(ip >> 24);
	mac[3] = (uint8_t)(ip >> 16);
	mac[4] = (uint8_t)(ip >> 8);
	mac[5] = (uint8_t)ip;
}

static void test_learn_lookup(void)
{
	uint8_t mac[6], got[6];
	sl_neigh_init(t, 1000);
	CU_ASSERT_FALSE(sl_neigh_lookup(t, 0x0a4d0015, got, 0));
	mac_of(0x0a4d0015, mac);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0x0a4d0015, mac, 10), 0);
	CU_ASSERT_TRUE(sl_neigh_lookup(t, 0x0a4d0015, got, 20));
	CU_ASSERT_EQUAL(memcmp(mac, got, 6), 0);
	CU_ASSERT_FALSE(sl_neigh_lookup(t, 0x0a4d0016, got, 20));
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, mac, 10), -EINVAL);
	/* a new MAC for the same address replaces the old one */
	mac[5] ^= 0xff;
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0x0a4d0015, mac, 30), 0);
	CU_ASSERT_TRUE(sl_neigh_lookup(t, 0x0a4d0015, got, 40));
	CU_ASSERT_EQUAL(memcmp(mac, got, 6), 0);
	CU_ASSERT_EQUAL(sl_neigh_count(t, 40), 1);
}

static void test_aging(void)
{
	uint8_t mac[6], got[6];
	sl_neigh_init(t, 1000);
	mac_of(1, mac);
	sl_neigh_learn(t, 0x0a000001, mac, 100);
	CU_ASSERT_TRUE(sl_neigh_lookup(t, 0x0a000001, got, 1100));
	CU_ASSERT_FALSE(sl_neigh_lookup(t, 0x0a000001, got, 1101));
	CU_ASSERT_EQUAL(sl_neigh_count(t, 1101), 0);
	/* confirmation refreshes it */
	sl_neigh_learn(t, 0x0a000001, mac, 1200);
	CU_ASSERT_TRUE(sl_neigh_lookup(t, 0x0a000001, got, 2100));
	/* a timestamp from a core whose clock runs slightly ahead counts as fresh */
	CU_ASSERT_TRUE(sl_neigh_lookup(t, 0x0a000001, got, 1199));
}

static void test_many_and_full(void)
{
	uint8_t mac[6], got[6];
	sl_neigh_init(t, 1000);
	/* a whole /20 of neighbours fits */
	for (uint32_t i = 1; i <= 4000; i++) {
		mac_of(i, mac);
		CU_ASSERT_EQUAL_FATAL(sl_neigh_learn(t, 0x0a000000 + i, mac, 5), 0);
	}
	for (uint32_t i = 1; i <= 4000; i++) {
		mac_of(i, mac);
		CU_ASSERT_TRUE_FATAL(sl_neigh_lookup(t, 0x0a000000 + i, got, 6));
		CU_ASSERT_EQUAL_FATAL(memcmp(mac, got, 6), 0);
	}
	CU_ASSERT_EQUAL(sl_neigh_count(t, 6), 4000);
	/* filling every slot with live entries ends in a counted refusal, never a crash */
	int refused = 0;
	for (uint32_t i = 4001; i <= 9000; i++) {
		mac_of(i, mac);
		if (sl_neigh_learn(t, 0x0a000000 + i, mac, 5) == -ENOSPC)
			refused++;
	}
	CU_ASSERT(refused > 0);
	/* once they expire, the slots are reused */
	mac_of(42, mac);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0x0b000001, mac, 5000), 0);
	CU_ASSERT_TRUE(sl_neigh_lookup(t, 0x0b000001, got, 5001));
	CU_ASSERT_FALSE(sl_neigh_lookup(t, 0x0a000001, got, 5001));
}

static const struct sl_test_case cases[] = {
	{"learn and lookup", test_learn_lookup},
	{"aging", test_aging},
	{"many entries, full table, reuse", test_many_and_full},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {{"neigh", cases}, {NULL, NULL}};

int main(void)
{
	t = malloc(sizeof(*t));
	int r = sl_test_run(suites);
	free(t);
	return r;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the Ethernet header parser and builders (proto/eth.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/eth.h"
#include "tests/unit/proto/proto_test_util.h"
#include "tests/unit/sl_test.h"

/* A real frame: ARP request "who-has 192.0.2.99 tell 192.0.2.2", broadcast (tcpdump -xx). */
static const uint8_t arp_frame[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01,
	0xc0, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x63,
};

/* The same frame carrying an 802.1Q tag: TCI 0xe064 = PCP 7, DEI 0, VID 100. */
static const uint8_t vlan_frame[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01,
	0x81, 0x00, 0xe0, 0x64, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04,
	0x00, 0x01, 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x63,
};

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac1[6] = {0x02, 0xfc, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac5[6] = {0x02, 0xfc, 0x00, 0x00, 0x00, 0x05};

static void test_parse_real(void)
{
	struct sl_eth_info e;
	CU_ASSERT_EQUAL(sl_eth_parse(arp_frame, sizeof(arp_frame), &e), SL_ETH_HLEN);
	CU_ASSERT_EQUAL(memcmp(e.dst, bcast, 6), 0);
	CU_ASSERT_EQUAL(memcmp(e.src, mac1, 6), 0);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_ARP);
	CU_ASSERT_FALSE(e.has_vlan);
	CU_ASSERT_EQUAL(e.vlan, 0);
}

static void test_parse_vlan(void)
{
	struct sl_eth_info e;
	CU_ASSERT_EQUAL(sl_eth_parse(vlan_frame, sizeof(vlan_frame), &e), SL_ETH_VLAN_HLEN);
	CU_ASSERT_TRUE(e.has_vlan);
	CU_ASSERT_EQUAL(e.vlan, 100);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_ARP);
	CU_ASSERT_EQUAL(memcmp(e.src, mac1, 6), 0);
	/* The payload after 18 bytes is the same ARP packet as the untagged frame's. */
	CU_ASSERT_EQUAL(memcmp(vlan_frame + 18, arp_frame + 14, 28), 0);
}

/* Types are reported as they are: QinQ outer tag, 802.3 length, IPv6. */
static void test_parse_other_types(void)
{
	uint8_t f[20];
	memcpy(f, arp_frame, sizeof(f));
	struct sl_eth_info e;
	f[12] = 0x88, f[13] = 0xa8;
	CU_ASSERT_EQUAL(sl_eth_parse(f, sizeof(f), &e), 14);
	CU_ASSERT_EQUAL(e.type, 0x88a8);
	f[12] = 0x00, f[13] = 0x2e;
	CU_ASSERT_EQUAL(sl_eth_parse(f, sizeof(f), &e), 14);
	CU_ASSERT_EQUAL(e.type, 0x002e);
	f[12] = 0x86, f[13] = 0xdd;
	CU_ASSERT_EQUAL(sl_eth_parse(f, sizeof(f), &e), 14);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_IPV6);
	/* Double 802.1Q tag: the inner TPID is left as the type. */
	uint8_t q[22];
	memcpy(q, vlan_frame, 18);
	q[16] = 0x81, q[17] = 0x00, q[18] = 0x00, q[19] = 0x05, q[20] = 0x08, q[21] = 0x00;
	CU_ASSERT_EQUAL(sl_eth_parse(q, sizeof(q), &e), 18);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_VLAN);
	CU_ASSERT_EQUAL(e.vlan, 100);
}

/* Every truncation of both frames, in exact-size heap buffers (ASan checks the reads). */
static void test_truncated(void)
{
	int bad = 0;
	for (size_t n = 0; n <= sizeof(arp_frame); n++) {
		uint8_t *p = sl_t_dup(arp_frame, n);
		struct sl_eth_info e;
		int r = sl_eth_parse(p, n, &e);
		if (r != (n < 14 ? -1 : 14))
			bad++;
		free(p);
	}
	for (size_t n = 0; n <= sizeof(vlan_frame); n++) {
		uint8_t *p = sl_t_dup(vlan_frame, n);
		struct sl_eth_info e;
		int r = sl_eth_parse(p, n, &e);
		if (r != (n < 18 ? -1 : 18))
			bad++;
		free(p);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_build(void)
{
	uint8_t buf[64];
	memset(buf, 0xaa, sizeof(buf));
	CU_ASSERT_EQUAL(sl_eth_build(buf, 14, bcast, mac1, SL_ETH_P_ARP), 14);
	CU_ASSERT_EQUAL(memcmp(buf, arp_frame, 14), 0);
	CU_ASSERT_EQUAL(buf[14], 0xaa);

	memset(buf, 0xaa, sizeof(buf));
	CU_ASSERT_EQUAL(sl_eth_build(buf, 13, bcast, mac1, SL_ETH_P_ARP), 0);
	CU_ASSERT_EQUAL(sl_eth_build(buf, 0, bcast, mac1, SL_ETH_P_ARP), 0);
	CU_ASSERT_EQUAL(buf[0], 0xaa); /* nothing written */

	CU_ASSERT_EQUAL(sl_eth_build_vlan(buf, 18, bcast, mac1, 0xf064, SL_ETH_P_ARP), 18);
	CU_ASSERT_EQUAL(memcmp(buf, vlan_frame, 14), 0);
	CU_ASSERT_EQUAL(buf[14], 0x00); /* only the 12 VID bits are used */
	CU_ASSERT_EQUAL(buf[15], 0x64);
	CU_ASSERT_EQUAL(memcmp(buf + 16, vlan_frame + 16, 2), 0);
	CU_ASSERT_EQUAL(sl_eth_build_vlan(buf, 17, bcast, mac1, 1, SL_ETH_P_ARP), 0);

	struct sl_eth_info e;
	CU_ASSERT_EQUAL(sl_eth_parse(buf, 18, &e), 18);
	CU_ASSERT_EQUAL(e.vlan, 100);
	CU_ASSERT_EQUAL(e.type, SL_ETH_P_ARP);
}

/* Building over the received frame with its own addresses swapped (the reply path). */
static void test_build_in_place_swap(void)
{
	uint8_t f[14];
	sl_eth_build(f, sizeof(f), mac5, mac1, SL_ETH_P_IPV4);
	CU_ASSERT_EQUAL(sl_eth_build(f, sizeof(f), f + 6, f, SL_ETH_P_IPV4), 14);
	CU_ASSERT_EQUAL(memcmp(f, mac1, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f + 6, mac5, 6), 0);
	CU_ASSERT_EQUAL(f[12], 0x08);
	CU_ASSERT_EQUAL(f[13], 0x00);
}

/* Unaligned frames parse the same. */
static void test_unaligned(void)
{
	uint8_t buf[sizeof(vlan_frame) + 3];
	for (size_t off = 0; off < 4; off++) {
		memcpy(buf + off, vlan_frame, sizeof(vlan_frame));
		struct sl_eth_info e;
		CU_ASSERT_EQUAL(sl_eth_parse(buf + off, sizeof(vlan_frame), &e), 18);
		CU_ASSERT_EQUAL(e.vlan, 100);
	}
}

static void test_predicates(void)
{
	const uint8_t zero[6] = {0};
	const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	const uint8_t almost[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
	CU_ASSERT_TRUE(sl_eth_is_broadcast(bcast));
	CU_ASSERT_FALSE(sl_eth_is_broadcast(almost));
	CU_ASSERT_FALSE(sl_eth_is_broadcast(mcast));
	CU_ASSERT_TRUE(sl_eth_is_multicast(bcast));
	CU_ASSERT_TRUE(sl_eth_is_multicast(mcast));
	CU_ASSERT_TRUE(sl_eth_is_multicast(almost));
	CU_ASSERT_FALSE(sl_eth_is_multicast(mac1)); /* 02: locally administered unicast */
	CU_ASSERT_FALSE(sl_eth_is_multicast(zero));
	CU_ASSERT_TRUE(sl_eth_is_zero(zero));
	CU_ASSERT_FALSE(sl_eth_is_zero(mac1));
}

static const struct sl_test_case parse_cases[] = {
	{"real ARP broadcast frame", test_parse_real},
	{"802.1Q tagged frame", test_parse_vlan},
	{"other ethertypes are passed through", test_parse_other_types},
	{"every truncation", test_truncated},
	{"unaligned frames", test_unaligned},
	{NULL, NULL},
};

static const struct sl_test_case build_cases[] = {
	{"build and build_vlan", test_build},
	{"build over the frame, swapping addresses", test_build_in_place_swap},
	{"broadcast, multicast, zero", test_predicates},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {
	{"eth/parse", parse_cases},
	{"eth/build", build_cases},
	{NULL, NULL},
};

int main(void)
{
	return sl_test_run(suites);
}

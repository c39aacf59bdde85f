/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route table: connected subnets and routes, longest prefix match, the default route, two ports,
 * source selection, refused gateways, /32 routes, tables without routes, and large tables checked
 * address by address against a linear reference; local-address pools.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/core/route.h"
#include "tests/unit/sl_test.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* Looks @dst up and checks every field of the answer; prints what differs. */
static bool hop_is(const struct sl_route_table *t, uint32_t dst, uint16_t port, uint32_t next_hop,
		   uint32_t src, bool connected)
{
	struct sl_route_hop h;
	memset(&h, 0xa5, sizeof(h));
	if (!sl_route_lookup(t, dst, &h)) {
		fprintf(stderr, "\n  %08x: no route\n", dst);
		return false;
	}
	if (h.port == port && h.next_hop == next_hop && h.src == src && h.connected == connected)
		return true;
	fprintf(stderr,
		"\n  %08x: port %u next hop %08x src %08x connected %d, want %u %08x %08x %d\n",
		dst, h.port, h.next_hop, h.src, h.connected, port, next_hop, src, connected);
	return false;
}

static bool no_route(const struct sl_route_table *t, uint32_t dst)
{
	struct sl_route_hop h;
	return !sl_route_lookup(t, dst, &h);
}

static void test_connected_vs_routed(void)
{
	const struct sl_route_addr a[] = {{IP4(10, 77, 0, 1), 24, 0}};
	const struct sl_route_spec r[] = {{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 254)}};
	struct sl_route_table *t = sl_route_build(a, 1, r, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_route_count(t), 2);
	/* on the subnet: the destination itself is the next hop */
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 21), 0, IP4(10, 77, 0, 21), IP4(10, 77, 0, 1), true));
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 255), 0, IP4(10, 77, 0, 255), IP4(10, 77, 0, 1), true));
	/* behind the router: the gateway is */
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 10), 0, IP4(10, 77, 0, 254), IP4(10, 77, 0, 1), false));
	/* neither, and no default route */
	CU_ASSERT(no_route(t, IP4(10, 78, 0, 22)));
	CU_ASSERT(no_route(t, IP4(8, 8, 8, 8)));
	sl_route_free(t);
}

static void test_longest_prefix_wins(void)
{
	const struct sl_route_addr a[] = {{IP4(10, 77, 0, 1), 24, 0}};
	/* the same routes in two declaration orders give the same answers */
	const struct sl_route_spec r1[] = {
		{IP4(10, 0, 0, 0), 8, IP4(10, 77, 0, 251)},
		{IP4(10, 79, 0, 0), 16, IP4(10, 77, 0, 252)},
		{IP4(10, 79, 1, 0), 24, IP4(10, 77, 0, 253)},
		{IP4(10, 79, 1, 128), 25, IP4(10, 77, 0, 254)},
		{0, 0, IP4(10, 77, 0, 250)},
	};
	struct sl_route_spec r2[5];
	for (int i = 0; i < 5; i++)
		r2[i] = r1[4 - i];
	const struct sl_route_spec *rs[] = {r1, r2};
	for (int k = 0; k < 2; k++) {
		struct sl_route_table *t = sl_route_build(a, 1, rs[k], 5, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		const uint32_t src = IP4(10, 77, 0, 1);
		CU_ASSERT(hop_is(t, IP4(10, 79, 1, 200), 0, IP4(10, 77, 0, 254), src, false));
		CU_ASSERT(hop_is(t, IP4(10, 79, 1, 127), 0, IP4(10, 77, 0, 253), src, false));
		CU_ASSERT(hop_is(t, IP4(10, 79, 2, 1), 0, IP4(10, 77, 0, 252), src, false));
		CU_ASSERT(hop_is(t, IP4(10, 1, 2, 3), 0, IP4(10, 77, 0, 251), src, false));
		CU_ASSERT(hop_is(t, IP4(11, 0, 0, 1), 0, IP4(10, 77, 0, 250), src, false));
		/* the connected /24 is longer than the /8 that covers it */
		CU_ASSERT(hop_is(t, IP4(10, 77, 0, 9), 0, IP4(10, 77, 0, 9), src, true));
		sl_route_free(t);
	}
}

static void test_default_route(void)
{
	const struct sl_route_addr a[] = {{IP4(10, 77, 0, 1), 24, 0}};
	/* "default" is 0.0.0.0/0; bits beyond the prefix length do not matter */
	const struct sl_route_spec r[] = {{IP4(1, 2, 3, 4), 0, IP4(10, 77, 0, 254)}};
	struct sl_route_table *t = sl_route_build(a, 1, r, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	const uint32_t gw = IP4(10, 77, 0, 254), src = IP4(10, 77, 0, 1);
	CU_ASSERT(hop_is(t, 0, 0, gw, src, false));
	CU_ASSERT(hop_is(t, IP4(255, 255, 255, 255), 0, gw, src, false));
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 10), 0, gw, src, false));
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 254), 0, gw, src, true));
	sl_route_free(t);
}

/* The usual full-NAT shape: clients on one port, servers on another, one way out. */
static void test_two_ports(void)
{
	const struct sl_route_addr a[] = {
		{IP4(10, 77, 0, 1), 24, 0},
		{IP4(10, 78, 0, 1), 24, 1},
	};
	const struct sl_route_spec r[] = {
		{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 254)},
		{0, 0, IP4(10, 78, 0, 254)},
	};
	struct sl_route_table *t = sl_route_build(a, 2, r, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	const uint32_t s0 = IP4(10, 77, 0, 1), s1 = IP4(10, 78, 0, 1);
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 10), 0, IP4(10, 77, 0, 10), s0, true));
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 21), 1, IP4(10, 78, 0, 21), s1, true));
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 22), 1, IP4(10, 78, 0, 22), s1, true));
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 10), 0, IP4(10, 77, 0, 254), s0, false));
	/* the default route leaves by the port of its gateway's subnet, from that port's address */
	CU_ASSERT(hop_is(t, IP4(192, 0, 2, 7), 1, IP4(10, 78, 0, 254), s1, false));
	sl_route_free(t);

	/* whichever port is declared first: the ports' indexes follow them, nothing else moves */
	const struct sl_route_addr b[] = {
		{IP4(10, 78, 0, 1), 24, 0},
		{IP4(10, 77, 0, 1), 24, 1},
	};
	t = sl_route_build(b, 2, r, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 10), 1, IP4(10, 77, 0, 10), s0, true));
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 21), 0, IP4(10, 78, 0, 21), s1, true));
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 10), 1, IP4(10, 77, 0, 254), s0, false));
	CU_ASSERT(hop_is(t, IP4(192, 0, 2, 7), 0, IP4(10, 78, 0, 254), s1, false));
	sl_route_free(t);
}

static void test_source_selection(void)
{
	/* port 0 holds three subnets, one of them twice (a VIP next to the local address), and an
	 * overlapping /16; port 1 one subnet */
	const struct sl_route_addr a[] = {
		{IP4(10, 77, 0, 1), 24, 0},   {IP4(10, 77, 0, 100), 24, 0},
		{IP4(192, 168, 5, 1), 24, 0}, {IP4(10, 66, 0, 1), 16, 0},
		{IP4(10, 66, 5, 1), 24, 0},   {IP4(10, 78, 0, 1), 24, 1},
	};
	const struct sl_route_spec r[] = {
		{IP4(172, 16, 0, 0), 12, IP4(192, 168, 5, 254)},
		{IP4(172, 32, 0, 0), 12, IP4(10, 77, 0, 254)},
		{IP4(172, 48, 0, 0), 12, IP4(10, 66, 5, 254)},
		{IP4(172, 64, 0, 0), 12, IP4(10, 66, 9, 254)},
	};
	struct sl_route_table *t = sl_route_build(a, 6, r, 4, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* the owned address whose subnet holds the next hop, not the port's first one */
	CU_ASSERT(hop_is(t, IP4(172, 16, 1, 1), 0, IP4(192, 168, 5, 254), IP4(192, 168, 5, 1),
			 false));
	CU_ASSERT(
		hop_is(t, IP4(192, 168, 5, 9), 0, IP4(192, 168, 5, 9), IP4(192, 168, 5, 1), true));
	/* one subnet, two addresses: the first declared */
	CU_ASSERT(hop_is(t, IP4(172, 32, 1, 1), 0, IP4(10, 77, 0, 254), IP4(10, 77, 0, 1), false));
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 50), 0, IP4(10, 77, 0, 50), IP4(10, 77, 0, 1), true));
	/* overlapping subnets: the longest that holds the next hop */
	CU_ASSERT(hop_is(t, IP4(172, 48, 1, 1), 0, IP4(10, 66, 5, 254), IP4(10, 66, 5, 1), false));
	CU_ASSERT(hop_is(t, IP4(172, 64, 1, 1), 0, IP4(10, 66, 9, 254), IP4(10, 66, 0, 1), false));
	CU_ASSERT(hop_is(t, IP4(10, 66, 5, 9), 0, IP4(10, 66, 5, 9), IP4(10, 66, 5, 1), true));
	CU_ASSERT(hop_is(t, IP4(10, 66, 6, 9), 0, IP4(10, 66, 6, 9), IP4(10, 66, 0, 1), true));
	/* the other port's subnet keeps its own source */
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 9), 1, IP4(10, 78, 0, 9), IP4(10, 78, 0, 1), true));
	/* one entry per subnet: 10.77.0.0/24 once */
	CU_ASSERT_EQUAL(sl_route_count(t), 5 + 4);
	sl_route_free(t);
}

static void test_refused(void)
{
	const struct sl_route_addr a[] = {
		{IP4(10, 77, 0, 1), 24, 0},
		{IP4(10, 78, 0, 1), 24, 1},
	};
	struct sl_route_fault f;
	/* a gateway on no connected subnet: named, with the route */
	const struct sl_route_spec r1[] = {
		{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 254)},
		{IP4(10, 80, 0, 0), 24, IP4(10, 99, 0, 1)},
	};
	CU_ASSERT_PTR_NULL(sl_route_build(a, 2, r1, 2, &f));
	CU_ASSERT_EQUAL(f.err, -EHOSTUNREACH);
	CU_ASSERT_EQUAL(f.route, 1);
	CU_ASSERT_EQUAL(f.spec.gw, IP4(10, 99, 0, 1));
	CU_ASSERT_EQUAL(f.spec.dst, IP4(10, 80, 0, 0));
	CU_ASSERT_PTR_NOT_NULL(f.why);
	CU_ASSERT_PTR_NULL(f.loc.file);
	/* nor through another route: a gateway must be directly connected */
	const struct sl_route_spec r2[] = {
		{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 254)},
		{IP4(10, 80, 0, 0), 24, IP4(10, 79, 0, 1)},
	};
	CU_ASSERT_PTR_NULL(sl_route_build(a, 2, r2, 2, &f));
	CU_ASSERT_EQUAL(f.err, -EHOSTUNREACH);
	CU_ASSERT_EQUAL(f.route, 1);
	/* no address at all: no gateway is reachable */
	CU_ASSERT_PTR_NULL(sl_route_build(NULL, 0, r1, 1, &f));
	CU_ASSERT_EQUAL(f.err, -EHOSTUNREACH);
	CU_ASSERT_EQUAL(f.route, 0);
	/* the gateway is sluice itself */
	const struct sl_route_spec r3[] = {{0, 0, IP4(10, 78, 0, 1)}};
	CU_ASSERT_PTR_NULL(sl_route_build(a, 2, r3, 1, &f));
	CU_ASSERT_EQUAL(f.err, -ELOOP);
	CU_ASSERT_EQUAL(f.route, 0);
	/* two routes to one destination: the later one is named, whatever its place in the sort */
	const struct sl_route_spec r4[] = {
		{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 254)},
		{0, 0, IP4(10, 77, 0, 254)},
		{IP4(10, 79, 0, 9), 24, IP4(10, 78, 0, 254)},
	};
	CU_ASSERT_PTR_NULL(sl_route_build(a, 2, r4, 3, &f));
	CU_ASSERT_EQUAL(f.err, -EEXIST);
	CU_ASSERT_EQUAL(f.route, 2);
	/* prefix lengths over 32 */
	const struct sl_route_spec r5[] = {{IP4(10, 79, 0, 0), 33, IP4(10, 77, 0, 254)}};
	CU_ASSERT_PTR_NULL(sl_route_build(a, 2, r5, 1, &f));
	CU_ASSERT_EQUAL(f.err, -EINVAL);
	const struct sl_route_addr bad[] = {{IP4(10, 77, 0, 1), 40, 0}};
	CU_ASSERT_PTR_NULL(sl_route_build(bad, 1, NULL, 0, &f));
	CU_ASSERT_EQUAL(f.err, -EINVAL);
	CU_ASSERT_EQUAL(f.route, -1);
	/* a NULL fault is allowed */
	CU_ASSERT_PTR_NULL(sl_route_build(a, 2, r1, 2, NULL));
	/* a route to a connected subnet is not refused: the connected subnet wins */
	const struct sl_route_spec r6[] = {{IP4(10, 78, 0, 0), 24, IP4(10, 77, 0, 254)}};
	struct sl_route_table *t = sl_route_build(a, 2, r6, 1, &f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_route_count(t), 2);
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 9), 1, IP4(10, 78, 0, 9), IP4(10, 78, 0, 1), true));
	sl_route_free(t);
}

static void test_host_routes(void)
{
	const struct sl_route_addr a[] = {{IP4(10, 77, 0, 1), 24, 0}};
	const struct sl_route_spec r[] = {
		{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 253)},
		{IP4(10, 79, 0, 10), 32, IP4(10, 77, 0, 254)},
		/* a host inside the connected subnet, reached through a gateway */
		{IP4(10, 77, 0, 50), 32, IP4(10, 77, 0, 254)},
	};
	struct sl_route_table *t = sl_route_build(a, 1, r, 3, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	const uint32_t src = IP4(10, 77, 0, 1);
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 10), 0, IP4(10, 77, 0, 254), src, false));
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 11), 0, IP4(10, 77, 0, 253), src, false));
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 9), 0, IP4(10, 77, 0, 253), src, false));
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 50), 0, IP4(10, 77, 0, 254), src, false));
	CU_ASSERT(hop_is(t, IP4(10, 77, 0, 51), 0, IP4(10, 77, 0, 51), src, true));
	sl_route_free(t);
	/* an owned /32 is its own subnet: a host route to itself, on its port */
	const struct sl_route_addr b[] = {{IP4(10, 77, 0, 1), 24, 0}, {IP4(10, 90, 0, 1), 32, 1}};
	t = sl_route_build(b, 2, NULL, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(hop_is(t, IP4(10, 90, 0, 1), 1, IP4(10, 90, 0, 1), IP4(10, 90, 0, 1), true));
	CU_ASSERT(no_route(t, IP4(10, 90, 0, 2)));
	sl_route_free(t);
}

static void test_no_routes(void)
{
	/* connected subnets only */
	const struct sl_route_addr a[] = {{IP4(10, 77, 0, 1), 24, 0}, {IP4(10, 78, 0, 1), 24, 1}};
	struct sl_route_table *t = sl_route_build(a, 2, NULL, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_route_count(t), 2);
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 22), 1, IP4(10, 78, 0, 22), IP4(10, 78, 0, 1), true));
	CU_ASSERT(no_route(t, IP4(10, 79, 0, 10)));
	sl_route_free(t);
	/* nothing at all: a valid, empty table */
	t = sl_route_build(NULL, 0, NULL, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_route_count(t), 0);
	CU_ASSERT(no_route(t, 0));
	CU_ASSERT(no_route(t, IP4(10, 77, 0, 1)));
	sl_route_free(t);
	sl_route_free(NULL);
}

/* The pool of @dst's route is exactly @want[0, @n), in that order. */
static bool pool_is(const struct sl_route_table *t, uint32_t dst, const uint32_t *want, unsigned n)
{
	struct sl_route_hop h;
	if (!sl_route_lookup(t, dst, &h) || h.npool != n || h.pool == NULL ||
	    memcmp(h.pool, want, n * sizeof(*want)) != 0 || h.pool[0] != h.src) {
		fprintf(stderr, "\n  %08x: pool of %u, want %u\n", dst, h.npool, n);
		return false;
	}
	return true;
}

/*
 * Local-address pools: the addresses on the source's port and subnet, in declared order, the
 * source first; another subnet, another port or another prefix length is not in the pool; a
 * route's pool is its gateway's subnet's.
 */
static void test_pools(void)
{
	const struct sl_route_addr a[] = {
		{IP4(10, 77, 0, 1), 24, 0},  {IP4(10, 78, 0, 1), 24, 1},
		{IP4(10, 77, 0, 2), 24, 0},  {IP4(10, 77, 0, 3), 24, 1}, /* same subnet, port 1 */
		{IP4(10, 77, 0, 4), 25, 0},  /* a longer prefix: a subnet of its own */
		{IP4(10, 78, 0, 9), 24, 1},  {IP4(10, 77, 0, 5), 24, 0},
	};
	const struct sl_route_spec r[] = {{IP4(10, 79, 0, 0), 24, IP4(10, 78, 0, 254)},
					  {0, 0, IP4(10, 77, 0, 254)}};
	struct sl_route_table *t = sl_route_build(a, 7, r, 2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	const uint32_t p77[] = {IP4(10, 77, 0, 1), IP4(10, 77, 0, 2), IP4(10, 77, 0, 5)};
	const uint32_t p77_25[] = {IP4(10, 77, 0, 4)};
	const uint32_t p78[] = {IP4(10, 78, 0, 1), IP4(10, 78, 0, 9)};
	CU_ASSERT(pool_is(t, IP4(10, 77, 0, 200), p77, 3));   /* 10.77.0.128/25: port 0's /24 */
	CU_ASSERT(pool_is(t, IP4(10, 77, 0, 21), p77_25, 1)); /* 10.77.0.0/25 */
	CU_ASSERT(pool_is(t, IP4(10, 78, 0, 21), p78, 2));
	CU_ASSERT(pool_is(t, IP4(10, 79, 0, 10), p78, 2));    /* via 10.78.0.254 */
	CU_ASSERT(pool_is(t, IP4(8, 8, 8, 8), p77, 3));       /* default via 10.77.0.254 */
	sl_route_free(t);

	/* one address: a pool of one, itself */
	const struct sl_route_addr one[] = {{IP4(10, 77, 0, 1), 24, 0}};
	t = sl_route_build(one, 1, NULL, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(pool_is(t, IP4(10, 77, 0, 9), &one[0].ip, 1));
	sl_route_free(t);

	/* the first address declared on a subnet is on port 1: the pool is port 1's */
	const struct sl_route_addr two[] = {{IP4(10, 77, 0, 3), 24, 1}, {IP4(10, 77, 0, 1), 24, 0},
					    {IP4(10, 77, 0, 7), 24, 1}};
	const uint32_t p1[] = {IP4(10, 77, 0, 3), IP4(10, 77, 0, 7)};
	t = sl_route_build(two, 3, NULL, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(pool_is(t, IP4(10, 77, 0, 9), p1, 2));
	sl_route_free(t);
}

/* ------------------------------------------------------------------ a linear reference */

static uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : ~0u << (32 - plen);
}

/* The longest connected subnet holding @ip (first declared at a tie), or -1. */
static int ref_connected(const struct sl_route_addr *a, unsigned na, uint32_t ip)
{
	int best = -1;
	for (unsigned i = 0; i < na; i++)
		if (((a[i].ip ^ ip) & mask_of(a[i].plen)) == 0 &&
		    (best < 0 || a[i].plen > a[best].plen))
			best = (int)i;
	return best;
}

/* What the table must answer, the slow way: every entry looked at for every address. */
static bool ref_lookup(const struct sl_route_addr *a, unsigned na, const struct sl_route_spec *r,
		       unsigned nr, uint32_t dst, struct sl_route_hop *h)
{
	int c = ref_connected(a, na, dst), best = -1;
	for (unsigned i = 0; i < nr; i++)
		if (((r[i].dst ^ dst) & mask_of(r[i].plen)) == 0 &&
		    (best < 0 || r[i].plen > r[best].plen))
			best = (int)i;
	if (c >= 0 && (best < 0 || a[c].plen >= r[best].plen)) {
		*h = (struct sl_route_hop){
			.next_hop = dst, .src = a[c].ip, .port = a[c].port, .connected = true};
		return true;
	}
	if (best < 0)
		return false;
	int g = ref_connected(a, na, r[best].gw);
	*h = (struct sl_route_hop){
		.next_hop = r[best].gw, .src = a[g].ip, .port = a[g].port, .connected = false};
	return true;
}

/* The table and the reference give the same answer for @ip (and, with @must, one exists). */
static bool agrees(const struct sl_route_table *t, const struct sl_route_addr *a, unsigned na,
		   const struct sl_route_spec *r, unsigned nr, uint32_t ip, bool must)
{
	struct sl_route_hop want, got;
	bool w = ref_lookup(a, na, r, nr, ip, &want);
	if (w != sl_route_lookup(t, ip, &got) || (must && !w))
		return false;
	return !w || (got.port == want.port && got.next_hop == want.next_hop &&
		      got.src == want.src && got.connected == want.connected);
}

static unsigned rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/*
 * @nr routes of every kind (mostly /32 hosts around 10.80.0.0/20, /24s, /16s, a default),
 * gateways on two ports; every address of 10.80.1.0/24 and a random sample elsewhere must get
 * the reference's answer.
 */
static void check_big(unsigned nr)
{
	const struct sl_route_addr a[] = {
		{IP4(10, 77, 0, 1), 24, 0},
		{IP4(10, 78, 0, 1), 24, 1},
		{IP4(10, 80, 1, 1), 26,
		 1}, /* a connected subnet in the middle of the host routes */
	};
	struct sl_route_spec *r = calloc(nr, sizeof(*r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	unsigned n = 0;
	r[n++] = (struct sl_route_spec){0, 0, IP4(10, 77, 0, 254)};
	for (unsigned i = 0; n < nr; i++) {
		uint32_t gw = (i & 1) ? IP4(10, 77, 0, 200 + i % 50) : IP4(10, 78, 0, 200 + i % 50);
		uint32_t dst;
		uint8_t plen;
		if (i % 10 < 8) {
			dst = IP4(10, 80, 0, 0) + (i * 7) % 4096; /* /32s, some twice: skipped */
			plen = 32;
		} else if (i % 10 == 8) {
			dst = IP4(10, 81, 0, 0) + (i << 8);
			plen = 24;
		} else {
			dst = IP4(10, 100, 0, 0) + (i << 16);
			plen = 16;
		}
		bool dup = false;
		for (unsigned k = 0; k < n && !dup; k++)
			dup = r[k].plen == plen && r[k].dst == dst;
		if (!dup)
			r[n++] = (struct sl_route_spec){dst, plen, gw};
	}
	struct sl_route_fault f;
	struct sl_route_table *t = sl_route_build(a, 3, r, n, &f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	unsigned bad = 0;
	for (uint32_t ip = IP4(10, 80, 1, 0); ip <= IP4(10, 80, 1, 255); ip++)
		bad += !agrees(t, a, 3, r, n, ip, true);
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned i = 0; i < 20000; i++) {
		uint32_t ip = (i & 1) ? IP4(10, 80, 0, 0) + rnd() % 8192 : rnd() * 2654435761u;
		bad += !agrees(t, a, 3, r, n, ip, false);
	}
	CU_ASSERT_EQUAL(bad, 0);
	sl_route_free(t);
	free(r);
}

static void test_big_table(void)
{
	check_big(2000);
}

/* Building thousands of /32 routes is a sort, not a scan per route: 50000 of them stay fast
 * (the check itself is the reference's, per address; the build is timed by tools/bench). */
static void test_host_heavy_table(void)
{
	const struct sl_route_addr a[] = {{IP4(10, 77, 0, 1), 24, 0}};
	enum { N = 50000 };
	struct sl_route_spec *r = calloc(N, sizeof(*r));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (unsigned i = 0; i < N; i++)
		r[i] = (struct sl_route_spec){IP4(10, 128, 0, 0) + i * 3, 32,
					      IP4(10, 77, 0, 2 + i % 250)};
	struct sl_route_table *t = sl_route_build(a, 1, r, N, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_route_count(t), N + 1);
	unsigned bad = 0;
	for (unsigned i = 0; i < 3 * N; i++) {
		struct sl_route_hop h;
		bool found = sl_route_lookup(t, IP4(10, 128, 0, 0) + i, &h);
		if (found != (i % 3 == 0) ||
		    (found && h.next_hop != IP4(10, 77, 0, 2 + (i / 3) % 250)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	sl_route_free(t);
	free(r);
}

/* ------------------------------------------------------------------ from the configuration */

static void test_build_cfg(void)
{
	/* lan1 declared first: it is port 0 */
	struct sl_dp_port p1 = {.name = "lan0"}, p0 = {.next = &p1, .name = "lan1"};
	struct sl_dp_addr a1 = {.net = {.family = AF_INET, .plen = 24, .v4 = IP4(10, 78, 0, 1)},
				.port = "lan1"};
	struct sl_dp_addr a0 = {.next = &a1,
				.net = {.family = AF_INET, .plen = 24, .v4 = IP4(10, 77, 0, 1)},
				.port = "lan0"};
	struct sl_dp_route r1 = {.dst = {.family = AF_INET, .plen = 0},
				 .via = {.family = AF_INET, .v4 = IP4(10, 78, 0, 254)},
				 .loc = {"dp.cfg", 6}};
	struct sl_dp_route r0 = {.next = &r1,
				 .dst = {.family = AF_INET, .plen = 24, .v4 = IP4(10, 79, 0, 0)},
				 .via = {.family = AF_INET, .v4 = IP4(10, 77, 0, 254)},
				 .loc = {"dp.cfg", 5}};
	struct sl_dataplane dp = {.present = true, .ports = &p0, .addrs = &a0, .routes = &r0};
	struct sl_route_fault f;
	struct sl_route_table *t = sl_route_build_cfg(&dp, &f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(hop_is(t, IP4(10, 79, 0, 10), 1, IP4(10, 77, 0, 254), IP4(10, 77, 0, 1), false));
	CU_ASSERT(hop_is(t, IP4(10, 78, 0, 21), 0, IP4(10, 78, 0, 21), IP4(10, 78, 0, 1), true));
	CU_ASSERT(hop_is(t, IP4(1, 1, 1, 1), 0, IP4(10, 78, 0, 254), IP4(10, 78, 0, 1), false));
	sl_route_free(t);

	/* a fault names the route's FILE:LINE */
	r1.via.v4 = IP4(10, 99, 0, 254);
	CU_ASSERT_PTR_NULL(sl_route_build_cfg(&dp, &f));
	CU_ASSERT_EQUAL(f.err, -EHOSTUNREACH);
	CU_ASSERT_EQUAL(f.route, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.loc.file);
	CU_ASSERT_STRING_EQUAL(f.loc.file, "dp.cfg");
	CU_ASSERT_EQUAL(f.loc.line, 6);
	r1.via.v4 = IP4(10, 78, 0, 254);
	/* and an address naming no port, the address's */
	a1.port = "lan9";
	a1.loc = (struct sl_cfg_loc){"dp.cfg", 4};
	CU_ASSERT_PTR_NULL(sl_route_build_cfg(&dp, &f));
	CU_ASSERT_EQUAL(f.err, -EINVAL);
	CU_ASSERT_EQUAL(f.route, -1);
	CU_ASSERT_EQUAL(f.loc.line, 4);
}

static const struct sl_test_case cases[] = {
	{"connected vs routed", test_connected_vs_routed},
	{"longest prefix wins", test_longest_prefix_wins},
	{"default route", test_default_route},
	{"two ports, their subnets and one default route", test_two_ports},
	{"source selection", test_source_selection},
	{"refused: gateway on no subnet, own, duplicate, bad length", test_refused},
	{"/32 routes", test_host_routes},
	{"no routes", test_no_routes},
	{"2000 routes: every address of a /24 and a sample vs a reference", test_big_table},
	{"50000 /32 routes", test_host_heavy_table},
	{"built from a dataplane section", test_build_cfg},
	{"local-address pools: port, subnet, declared order, routes through a gateway", test_pools},
	{NULL, NULL},
};

static const struct sl_test_suite suites[] = {{"route", cases}, {NULL, NULL}};

int main(void)
{
	return sl_test_run(suites);
}

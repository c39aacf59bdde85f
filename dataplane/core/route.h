/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 route table: for a destination, the port a packet leaves by, its next hop and the source
 * address sluice should use (issue 15: every path chooses its egress by one lookup over all
 * ports, never "port 0" or "the port the packet came in on").
 *
 * Built once by the main lcore at start from (a) the owned addresses: each gives a connected
 * route, its subnet on its port; and (b) the dataplane section's `route` lines, NET/LEN via GW:
 * the gateway must lie on a connected subnet (it is resolved once, at build, never through
 * another route), and the route takes that subnet's port. Immutable afterwards: every lcore
 * reads it at once, without locks or atomics, once published (built before the loops start, or
 * handed over with a release store).
 *
 * Lookup is a longest prefix match (RFC 1812, 5.2.4.3). The entries sit in one array sorted by
 * prefix length, longest first, then by prefix; the keys (the prefixes) have an array of their
 * own. A lookup visits the prefix lengths present (at most 33, in practice two or three: /32
 * hosts, the connected /24s, the default) and binary-searches each one's slice: O(L log n) for L
 * lengths, no allocation, no pointer to chase, and a few hundred bytes for a few dozen routes.
 * A binary trie would cost up to 32 dependent loads per lookup; a DIR-24-8 table 32 MiB of
 * memory for the same dozens of routes. Build is O(n log n) (sorts), so a table of thousands of
 * /32 routes costs milliseconds, not a quadratic scan.
 *
 * Ties at the same prefix and length: a connected subnet beats a route (a route to a connected
 * subnet would send on-link hosts through a gateway); two connected subnets: the first declared
 * address wins (its port, its address as source); two routes: refused at build (-EEXIST).
 *
 * Local-address pools: every address declared on the same port and connected subnet as a
 * route's source address can source connections that way too (more NAT capacity for L4 flows:
 * each address gives a whole copy of the local ports, docs/config.md "Local ports"). A lookup
 * returns the source's pool with it, computed once at build.
 *
 * Pure C (no DPDK): tests/unit/dataplane/core/test_route.c runs it without a NIC.
 */
#ifndef SL_ROUTE_H
#define SL_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "controlplane/cfg/cfg-t.h"

/* An owned address and its connected subnet (an `address` line). Host order. */
struct sl_route_addr {
	uint32_t ip;
	uint8_t plen;  /* 0..32; the subnet is ip/plen */
	uint16_t port; /* port index: its place among the `port` lines, 0 = the first */
};

/* A static route (a `route` line). Host order. */
struct sl_route_spec {
	uint32_t dst; /* the bits beyond plen are ignored */
	uint8_t plen; /* 0..32; 0 is the default route */
	uint32_t gw;  /* the gateway: must lie on a connected subnet */
};

/* The answer of sl_route_lookup(). */
struct sl_route_hop {
	uint32_t next_hop; /* whom to ARP for: the destination when connected, else the gateway */
	uint32_t src;	   /* the preferred source: the owned address whose subnet holds next_hop */
	uint16_t port;	   /* the egress port index */
	bool connected;	   /* the destination is on a connected subnet */
	/* the local-address pool of src: every owned address on src's port and connected subnet,
	 * declared order, src first (npool >= 1); points into the table, lives as long as it */
	const uint32_t *pool;
	uint16_t npool;
};

/* Why sl_route_build() refused to build. */
struct sl_route_fault {
	/*
	 * -EHOSTUNREACH: the gateway is on no connected subnet; -ELOOP: the gateway is an owned
	 * address; -EEXIST: a second route to one NET/LEN; -EINVAL: a prefix length over 32, or
	 * (sl_route_build_cfg()) an address on no declared port or not IPv4; -ENOMEM.
	 */
	int err;
	int route;		   /* index of the faulty route in the input (0-based), -1: none */
	struct sl_route_spec spec; /* that route, as given (zero when route is -1) */
	/* the faulty line's FILE:LINE, a route's or an address's (sl_route_build_cfg() only) */
	struct sl_cfg_loc loc;
	const char *why; /* a static sentence saying what is wrong, for the operator */
};

struct sl_route_table;

/*
 * Builds the table of @naddrs owned addresses (their connected subnets) and @nroutes static
 * routes. Either array may be empty (NULL with a count of 0). Returns the table, owned by the
 * caller (sl_route_free()), or NULL with *@fault filled (@fault may be NULL). The fault names the
 * first route, in input order, whose gateway or prefix is wrong, else the later of two routes to
 * one NET/LEN. Main lcore, at start; allocates; O(n log n) for n lines.
 */
struct sl_route_table *sl_route_build(const struct sl_route_addr *addrs, unsigned naddrs,
				      const struct sl_route_spec *routes, unsigned nroutes,
				      struct sl_route_fault *fault);

/*
 * The same from a parsed dataplane section: its `address` lines in order (the port index is the
 * position of the named port among the `port` lines, as sluiced numbers its ports) and its
 * `route` lines. A fault names the route's FILE:LINE. An address naming no declared port, or a
 * family other than IPv4, is refused with -EINVAL (the parser refuses both first). Main lcore.
 */
struct sl_route_table *sl_route_build_cfg(const struct sl_dataplane *dp,
					  struct sl_route_fault *fault);

/* Frees a table from sl_route_build*(); NULL is a no-op. Only once no lcore reads it. */
void sl_route_free(struct sl_route_table *t);

/*
 * The longest-prefix match for @dst (host order). Returns true and fills *@hop, or false when no
 * entry covers @dst (no connected subnet and no default route): the caller drops, counting
 * drop_no_route. An owned address is looked up like any other: local delivery comes first, at
 * the caller. Any lcore, concurrently; no allocation, no write to the table.
 */
bool sl_route_lookup(const struct sl_route_table *t, uint32_t dst, struct sl_route_hop *hop);

/* Number of entries: connected subnets plus routes, duplicates of a connected subnet dropped. */
unsigned sl_route_count(const struct sl_route_table *t);

#endif

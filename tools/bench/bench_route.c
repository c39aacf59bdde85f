/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark of the route table (dataplane/core/route.c). Pure C, no DPDK, no root.
 *
 *   bench_route [LOOKUPS]        (default 10000000)
 *
 * For four tables (the two-armed e2e's: two connected subnets and two routes; 2000 routes of
 * mixed lengths; 50000 and 200000 /32 routes) prints the time to build it (best of 5) and the
 * cost of a lookup over LOOKUPS pseudo-random destinations, half of them inside the routed /16s
 * so that every length present is searched.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dataplane/core/route.h"
#include "tools/bench/bench_smoke.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static volatile uint32_t sink;

static double secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const struct sl_route_addr addrs[] = {
	{IP4(10, 77, 0, 1), 24, 0},
	{IP4(10, 78, 0, 1), 24, 1},
};

/* @n routes: a default, then /32s around 10.80.0.0 (all of them when @hosts_only), /24s, /16s. */
static unsigned make_routes(struct sl_route_spec *r, unsigned n, int hosts_only)
{
	r[0] = (struct sl_route_spec){0, 0, IP4(10, 77, 0, 254)};
	for (unsigned i = 1; i < n; i++) {
		uint32_t gw = IP4(10, 78, 0, 2 + i % 250);
		if (hosts_only || i % 10 < 8)
			r[i] = (struct sl_route_spec){IP4(10, 80, 0, 0) + i, 32, gw};
		else if (i % 10 == 8)
			r[i] = (struct sl_route_spec){IP4(11, 0, 0, 0) + (i << 8), 24, gw};
		else
			r[i] = (struct sl_route_spec){IP4(12, 0, 0, 0) + (i << 16), 16, gw};
	}
	return n;
}

static void run(const char *name, const struct sl_route_spec *r, unsigned nr, unsigned lookups)
{
	double best = 1e9;
	struct sl_route_table *t = NULL;
	for (int k = 0; k < 5; k++) {
		double t0 = secs();
		struct sl_route_table *b = sl_route_build(addrs, 2, r, nr, NULL);
		double dt = secs() - t0;
		if (b == NULL) {
			fprintf(stderr, "bench_route: %s: build failed\n", name);
			exit(1);
		}
		best = dt < best ? dt : best;
		sl_route_free(t);
		t = b;
	}
	uint32_t x = 2463534242u, acc = 0;
	double t0 = secs();
	for (unsigned i = 0; i < lookups; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		uint32_t dst = (i & 1) ? IP4(10, 80, 0, 0) + (x & 0x3ffff) : x;
		struct sl_route_hop h;
		if (sl_route_lookup(t, dst, &h))
			acc += h.next_hop;
	}
	double dt = secs() - t0;
	sink = acc;
	printf("%-28s %7u entries  build %9.3f ms  lookup %6.1f ns\n", name, sl_route_count(t),
	       best * 1e3, dt * 1e9 / lookups);
	sl_route_free(t);
}

int main(int argc, char **argv)
{
	bool smoke = bench_smoke(argc, argv);
	unsigned lookups = smoke ? 4096 : argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000000u;
	struct sl_route_spec *r = calloc(200000, sizeof(*r));
	if (r == NULL || lookups == 0)
		return bench_fail("bench_route", "no memory or no lookups");
	const struct sl_route_spec two_arm[] = {
		{IP4(10, 79, 0, 0), 24, IP4(10, 77, 0, 254)},
		{0, 0, IP4(10, 78, 0, 254)},
	};
	run("two-armed (2 routes)", two_arm, 2, lookups);
	run("2000 routes, mixed", r, make_routes(r, 2000, 0), lookups);
	run("50000 /32 routes", r, make_routes(r, 50000, 1), lookups);
	if (!smoke)
		run("200000 /32 routes", r, make_routes(r, 200000, 1), lookups);
	free(r);
	return 0;
}

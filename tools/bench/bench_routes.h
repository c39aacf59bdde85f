/* SPDX-License-Identifier: BSD-3-Clause */
/* The route table of a benchmark's dataplane: its owned addresses' subnets (connected only). */
#ifndef SL_BENCH_ROUTES_H
#define SL_BENCH_ROUTES_H

#include "dataplane/core/dp.h"
#include "dataplane/core/route.h"

/* Builds @dp->routes from @dp->addrs. Returns 0 or -1. */
static inline int bench_routes(struct sl_dp *dp)
{
	struct sl_route_addr a[SL_MAX_ADDRS];
	for (unsigned i = 0; i < dp->naddrs; i++)
		a[i] = (struct sl_route_addr){.ip = dp->addrs[i].ip,
					      .plen = (uint8_t)__builtin_popcount(dp->addrs[i].mask),
					      .port = dp->addrs[i].port};
	struct sl_route_fault f;
	dp->routes = sl_route_build(a, dp->naddrs, NULL, 0, &f);
	return dp->routes != NULL ? 0 : -1;
}

#endif

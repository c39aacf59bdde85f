/* SPDX-License-Identifier: BSD-3-Clause */
/* NUMA placement of ports, packet pools and lcores: the rules are in numa.h. */
#include "controlplane/cfg/numa.h"

#include <stdio.h>
#include <string.h>

static bool node_ok(int node)
{
	return node >= SL_NUMA_ANY && node < SL_NUMA_MAX_NODES;
}

int sl_numa_plan_make(const struct sl_numa_lcore *lc, unsigned nlc, const struct sl_numa_port *ports,
		      unsigned nport, const struct sl_numa_sizing *sz, struct sl_numa_plan *out,
		      char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (nlc > SL_NUMA_MAX_LCORES || nport > SL_NUMA_MAX_PORTS) {
		snprintf(why, whylen, "%u lcores and %u ports: at most %d and %d", nlc, nport,
			 SL_NUMA_MAX_LCORES, SL_NUMA_MAX_PORTS);
		return -1;
	}
	int lnode[SL_NUMA_MAX_LCORES];
	unsigned nworkers = 0;
	out->first_node = -1;
	for (unsigned i = 0; i < nlc; i++) {
		if (!node_ok(lc[i].node)) {
			snprintf(why, whylen, "lcore %u: CPU %u on node %d: nodes go to %d", lc[i].id,
				 lc[i].cpu, lc[i].node, SL_NUMA_MAX_NODES - 1);
			return -1;
		}
		lnode[i] = lc[i].node < 0 ? 0 : lc[i].node;
		if (lc[i].worker && nworkers++ == 0)
			out->first_node = lnode[i];
	}
	if (nworkers == 0) {
		snprintf(why, whylen, "no worker lcore");
		return -1;
	}
	bool pool[SL_NUMA_MAX_NODES] = {false};
	for (unsigned p = 0; p < nport; p++) {
		const struct sl_numa_port *pt = &ports[p];
		if (!node_ok(pt->dev_node) || !node_ok(pt->if_node)) {
			snprintf(why, whylen, "port %u: node %d: nodes go to %d", p,
				 node_ok(pt->dev_node) ? pt->if_node : pt->dev_node,
				 SL_NUMA_MAX_NODES - 1);
			return -1;
		}
		int n = pt->dev_node >= 0 ? pt->dev_node : pt->if_node;
		out->port_known[p] = n >= 0;
		out->port_node[p] = n >= 0 ? n : out->first_node;
		pool[out->port_node[p]] = true;
		out->mbufs[out->port_node[p]] += nworkers * sz->per_port_worker;
	}
	for (unsigned i = 0; i < nlc; i++)
		if (lc[i].worker || lc[i].proxy)
			pool[lnode[i]] = true;
	for (unsigned i = 0, k = 0; i < nlc; i++) {
		int n = pool[lnode[i]] ? lnode[i] : out->first_node;
		out->lcore_pool[i] = n;
		out->mbufs[n] += sz->per_lcore + (lc[i].proxy ? sz->per_proxy : 0);
		if (!lc[i].worker)
			continue;
		/* worker k owns queue k of each port with more than k queues */
		for (unsigned p = 0; p < nport; p++) {
			if (k >= ports[p].queues || !out->port_known[p] ||
			    out->port_node[p] == lnode[i])
				continue;
			if (out->nwarn < SL_NUMA_MAX_WARN)
				out->warn[out->nwarn++] = (struct sl_numa_warn){
					.lcore = lc[i].id,
					.cpu = lc[i].cpu,
					.lcore_node = lnode[i],
					.port = p,
					.queue = k,
					.port_node = out->port_node[p],
				};
			out->nwarn_all++;
		}
		k++;
	}
	for (int n = 0; n < SL_NUMA_MAX_NODES; n++)
		if (pool[n]) {
			out->mbufs[n] += sz->slack;
			out->npools++;
		}
	return 0;
}

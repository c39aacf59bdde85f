/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Local (address, port) pairs for the server side of L4 full-NAT flows.
 *
 * A worker gives a new flow a pair that no flow of its table holds towards that server: the
 * address from the local-address pool of the route to the server (every owned address on the
 * route's port and subnet: dataplane/core/route.h), the port from the worker's slice of the port
 * plan (controlplane/cfg/portplan.h). The slice is the same on every address, so a reply is
 * steered by its destination port alone, whatever address it comes back to; each address adds one
 * whole slice of pairs.
 *
 * Each server has a cursor per worker and walks the pairs address first, (a0, p), (a1, p), ...,
 * (a0, p + 1), ..., wrapping at the slice's end: flows spread over the addresses, and a pair comes
 * back to the same server as late as possible (the server may hold its last use in TIME_WAIT).
 *
 * Pure C, no allocation; the worker that owns the table and the cursor calls it (one per new
 * flow: O(1) per pair tried, at most @probes tried).
 */
#ifndef SL_LPAIR_H
#define SL_LPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/l4/flow.h"

/* One server's place in the walk on one worker. */
struct sl_lpair_cursor {
	uint16_t port; /* the next port: in [lo, hi] of the slice */
	uint16_t addr; /* the next address's index in the pool (>= the pool's size: from 0) */
};

/*
 * Takes the cursor's pair and moves it on: returns the address index (< @npool, >= 1 of them)
 * and sets *@port (in [@lo, @hi]). A cursor outside the pool or slice (the server's slot now holds
 * another server, or the slice is new) starts again at its first address or port.
 */
static inline unsigned sl_lpair_next(struct sl_lpair_cursor *c, unsigned npool, uint16_t lo,
				     uint16_t hi, uint16_t *port)
{
	unsigned a = c->addr < npool ? c->addr : 0;
	uint16_t p = c->port >= lo && c->port <= hi ? c->port : lo;
	if (a + 1 < npool) {
		c->addr = (uint16_t)(a + 1);
		c->port = p;
	} else {
		c->addr = 0;
		c->port = p == hi ? lo : (uint16_t)(p + 1);
	}
	*port = p;
	return a;
}

/*
 * Finds a free pair for server key @sk (its saddr, sport and proto set: the server as it sends
 * to sluice): tries up to @probes pairs from cursor @c over @pool[0, @npool) and ports [@lo, @hi],
 * and returns true with sk->daddr and sk->dport set to the first that no live flow of @ft holds,
 * false when all those tried are held (the cursor has moved past them).
 */
bool sl_lpair_alloc(struct sl_flow_table *ft, struct sl_lpair_cursor *c, const uint32_t *pool,
		    unsigned npool, uint16_t lo, uint16_t hi, unsigned probes,
		    struct sl_flow_key *sk, uint64_t now_ms);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The L4 engine: `mode tcp` frontends balanced per flow at packet level, full NAT both ways.
 *
 *   client cip:cport -> VIP:vport      becomes   lip:lport -> server sip:sport
 *   server sip:sport -> lip:lport      becomes   VIP:vport -> client cip:cport
 *
 * Workers read the published generation (dataplane/core/gen.h: services, backends, Maglev
 * tables) between two quiescent states. A flow, once created, depends only on its two keys and
 * its interned timeout profile, never on a generation: a server set change or a reload never
 * moves it.
 *
 * Each worker owns a flow table (dataplane/l4/flow.c) and a range of local ports; a reply that
 * RSS delivers to another worker is handed to the owner through the owner's ring.
 */
#ifndef SL_L4_H
#define SL_L4_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "proto/siphash.h"

struct sl_dp;
struct sl_lcore;
struct sl_flow_table;
struct sl_ipv4_info;
struct sl_tcp_info;
struct sl_lpair_cursor;

/* What the workers share (dp->l4). Written by main before the loops; read-only after. */
struct sl_l4_shared {
	unsigned probe_lcore;         /* the worker that sends probes and reads their replies */
	struct sl_siphash_key isn_key; /* keys the server-side sequence/timestamp offsets */
};

/*
 * One worker's L4 state (lc->l4): written by that worker only; main reads `lpairs_used` with
 * plain loads for `show l4`. A flow's server side holds a local (address, port) pair: an address
 * of the pool of the route to the server, a port of this worker's slice (dataplane/l4/lpair.h).
 */
struct sl_l4_worker {
	struct sl_flow_table *ft;
	uint16_t lport_lo, lport_hi;
	struct sl_lpair_cursor *lpair; /* per server (gidx): the next local pair to try */
	uint32_t *lpairs_used;         /* per server (gidx): its flows in the table (a pair each) */
	uint64_t *dcon; /* per proxy counter slot (SL_PX_SLOTS + 1): SYNs reset by `tcp-request
			 * connection reject`; written by this worker, summed by main */
};

/*
 * Sets up what the workers share (main, before the loops). @isn_key must be random (it keys the
 * server-side ISN offsets). Returns 0 or -ENOMEM.
 */
int sl_l4_init(struct sl_dp *dp, const struct sl_siphash_key *isn_key);
void sl_l4_fini(struct sl_dp *dp);

/*
 * Prepares a worker's L4 state: a flow table of @max_flows entries and its slice of the local
 * ports (worker @idx of the dp's workers: dp->plan), and registers its role (flow expiry each
 * millisecond, `reset server` commands). Main lcore, before the loops start. Returns 0 or
 * -ENOMEM.
 */
int sl_l4_worker_init(struct sl_lcore *lc, uint32_t max_flows, unsigned idx);
void sl_l4_worker_fini(struct sl_lcore *lc);

/*
 * Which of @nworkers workers owns the L4 flow whose client-side key hashes to @hash
 * (sl_flow_key_hash()) when the port's queues follow the sender rather than the headers
 * (docs/architecture.md, "L4 flow ownership"): the hash remixed by an odd multiplier, then its
 * high bits reduced, so that the owner selects neither flow-table buckets nor signatures. Pure.
 */
static inline unsigned sl_l4_owner_idx(uint32_t hash, unsigned nworkers)
{
	uint32_t x = hash * 0x9e3779b1u;
	return (unsigned)(((uint64_t)x * nworkers) >> 32);
}

/*
 * Handles a TCP packet addressed to an owned address (worker lcore). @ip points at the IPv4
 * header inside @m (the frame is trimmed to the IP length). Returns true when the packet was
 * consumed (forwarded, handed off or dropped with a counter), false when no L4 service or flow
 * matches (the caller goes on classifying).
 */
bool sl_l4_input(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		 const struct sl_ipv4_info *iph, const struct sl_tcp_info *th);

/*
 * Before a burst is processed: hashes the flow key of each plain TCP/IPv4 frame and prefetches
 * its bucket, then its flow line, so that lookups find them in cache (tables bigger than the
 * cache; smaller tables skip it). Worker lcore.
 */
#define SL_L4_PREFETCH_MIN 65536
void sl_l4_prefetch_burst(struct sl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

/*
 * An ICMP error (destination unreachable, fragmentation needed, time exceeded...) that quotes a
 * TCP segment of a tracked flow is translated for the other side and forwarded (worker lcore).
 * Returns true when consumed, false when it concerns no flow (the caller drops and counts it).
 */
bool sl_l4_icmp_error(struct sl_lcore *lc, uint16_t port, struct rte_mbuf *m, uint8_t *ip,
		      const struct sl_ipv4_info *iph);

/* A worker's figures for `show l4` (any lcore: counters read with plain loads). */
struct sl_l4_worker_stats {
	unsigned flows, capacity;
	uint16_t lport_lo, lport_hi;
};
void sl_l4_worker_stats(const struct sl_lcore *lc, struct sl_l4_worker_stats *out);

/* SYNs of frontend counter slot @slot that worker @lc reset by a `tcp-request connection`
 * rule (any lcore: a plain load). */
uint64_t sl_l4_worker_dcon(const struct sl_lcore *lc, int slot);

/* The local (address, port) pairs of server slot @gidx that worker @lc's flows hold now (any
 * lcore: a plain load of the worker's counter). */
unsigned sl_l4_worker_pairs_used(const struct sl_lcore *lc, uint16_t gidx);

#endif

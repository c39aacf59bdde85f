/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP output from any lcore: the next hop (on-link, else the port's gateway), its Ethernet
 * address from the lcore's cache or the shared neighbour table, and, while it is unknown, a
 * small queue of frames per lcore with one ARP request per next hop and retry period.
 */
#ifndef SL_IPOUT_H
#define SL_IPOUT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct sl_lcore;

/*
 * Sends the IPv4 packet in @m (Ethernet header present, addresses to be filled) to @dst: the
 * route table (dataplane/core/route.h: connected subnets, then `route` lines, longest prefix
 * first; the lcore caches each destination's result in lc->rt) gives the egress port and the
 * next hop; fills the Ethernet addresses when the neighbour
 * is known, else queues the frame and asks by ARP. No route: dropped, counted (drop_no_route).
 * Consumes @m.
 */
void sl_ip_output(struct sl_lcore *lc, struct rte_mbuf *m, uint32_t dst);

/* The source address towards @dst (the owned address of the route's egress port whose subnet
 * holds the next hop), 0 when there is no route: sl_dp_route_src() through the lcore's route
 * cache (lc->rt). The lcore's own. */
uint32_t sl_ip_route_src(struct sl_lcore *lc, uint32_t dst);

/* The local-address pool towards @dst: the route's source address and every other owned address
 * on its port and subnet (route.h), *@n of them, the source first; NULL with *@n = 0 when there
 * is no route. Points into the route table (immutable). Through the lcore's route cache. */
const uint32_t *sl_ip_route_pool(struct sl_lcore *lc, uint32_t dst, unsigned *n);

/*
 * Builds a TCP segment with no data (20-byte header, plus an MSS 1460 option when @mss) from
 * @src:@sport to @dst:@dport (host order) with @seq, @ack and @flags, and sends it through
 * sl_ip_output(). For control segments: probes, resets.
 */
void sl_tcp_ctl_send(struct sl_lcore *lc, uint32_t src, uint16_t sport, uint32_t dst,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, bool mss);

/* Sends a gratuitous ARP for every owned address of port index @port. */
void sl_arp_announce(struct sl_lcore *lc, uint16_t port);

/* Once a millisecond (the loop): sends the frames whose neighbour got resolved, asks again,
 * gives up after a second (counted). */
void sl_ipout_tick(struct sl_lcore *lc);

/* At the end of the loop: drops (counted) the frames still waiting for a neighbour. */
void sl_ipout_drain(struct sl_lcore *lc);

#endif

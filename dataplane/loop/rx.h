/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive path: every frame an lcore receives is classified here (Ethernet, ARP, IPv4,
 * ICMP, TCP, UDP with the pure parsers of proto/) and handed to the engine it is for: the L4
 * engine (mode tcp services and their flows), the TCP host of the proxy lcores (terminated
 * services), or answered as a host does (ARP, ICMP echo, RST for a port nothing serves).
 * Every frame dropped is a named counter.
 */
#ifndef SL_RX_H
#define SL_RX_H

#include <stdint.h>

#include <rte_mbuf.h>

struct sl_lcore;

/* A burst received from port index @port's queue: counted (rx_packets/bytes) and classified.
 * Consumes the frames. */
void sl_rx_burst(struct sl_lcore *lc, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/* Frames other lcores received and handed to this one (a burst dequeued from its rxring; each
 * frame's port field is the port index, and above it the hops of a frame passed on): their
 * flows prefetched, classified, counted once as handed over (the receiving lcore counted them
 * in rx_packets). Consumes the frames. */
void sl_rx_handed(struct sl_lcore *lc, struct rte_mbuf **pkts, uint16_t n);

#endif
